"""The store: the only code that talks to DuckDB.

Schema and migrations (:mod:`.db`, ``migrations/*.sql``), transactional
upserts with history (:mod:`.ingest`), queries (:mod:`.queries`) and the
bundled-default seed (:mod:`.seed`).
"""

from .db import Store, default_db_path, resolve_db_path
from .ingest import IngestReport, ingest_batches
from .queries import GROUPINGS, EventFilter, aggregate_events, select_events
from .schema import CONTENT_COLUMNS, EVENT_COLUMNS, EVENT_KEY, GED_COLUMNS

__all__ = [
    "CONTENT_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KEY",
    "GED_COLUMNS",
    "GROUPINGS",
    "EventFilter",
    "IngestReport",
    "Store",
    "aggregate_events",
    "default_db_path",
    "ingest_batches",
    "resolve_db_path",
    "select_events",
]
