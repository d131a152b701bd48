"""accordwatch — independent monitoring of peace accords and the conflicts around them.

>>> import accordwatch as aw
>>> aw.ingest_ucdp("GEDEvent_v25_1.csv")                 # doctest: +SKIP
>>> aw.events(country="Mali", actor="FLA", since="2023")  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._api import (  # noqa: E402
    event_history,
    event_records,
    events,
    expand_inputs,
    ingest_acled,
    ingest_runs,
    ingest_ucdp,
    init_store,
    open_store,
    stats,
    store_info,
    store_path,
)
from ._app.review import (  # noqa: E402
    queue_extraction,
    review_accept,
    review_edit,
    review_list,
    review_reject,
    review_show,
)
from .errors import AccordwatchError, InputError, NotFound, RowErrors, StoreError  # noqa: E402

__all__ = [
    "AccordwatchError",
    "InputError",
    "NotFound",
    "RowErrors",
    "StoreError",
    "__version__",
    "event_history",
    "event_records",
    "events",
    "expand_inputs",
    "ingest_acled",
    "ingest_runs",
    "ingest_ucdp",
    "init_store",
    "open_store",
    "queue_extraction",
    "review_accept",
    "review_edit",
    "review_list",
    "review_reject",
    "review_show",
    "stats",
    "store_info",
    "store_path",
]
