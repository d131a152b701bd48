"""Input formats, described for the store's ingest engine (one module per source family).

A format is data — column types, row rules, derived columns (:class:`UcdpFormat`) — plus a
reader that turns any of its files into validated Arrow rows, naming every bad row with
file, line and field (:func:`read_ucdp`).  Nothing here sees a store.  The readers load on
first use, so that describing a CSV file needs no Arrow stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accordwatch._lazy import lazy_attributes as _lazy_attributes

if TYPE_CHECKING:
    from ..store.contract import Batch
    from ._ged_csv import UcdpFormat
    from .ucdp import detect_source, read_ucdp, records_to_batch

__all__ = ["Batch", "UcdpFormat", "detect_source", "read_ucdp", "records_to_batch"]

_HOME = {
    "Batch": "accordwatch.store.contract",
    "UcdpFormat": "._ged_csv",
    "detect_source": ".ucdp",
    "read_ucdp": ".ucdp",
    "records_to_batch": ".ucdp",
}


__getattr__ = _lazy_attributes(__name__, _HOME)
