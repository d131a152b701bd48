"""The store: the only code that talks to DuckDB.

Schema and migrations (:mod:`.db`, ``migrations/*.sql``), the one ingest engine with
history (:mod:`.ingest`, fed by the descriptions of :mod:`.contract`), queries
(:mod:`.queries`) and the SQL of every other table, all behind named :class:`Store`
methods.  A leaf: it imports nothing of accordwatch but :mod:`accordwatch.errors`.
"""

from .contract import Batch, CsvLayout, SourceFormat
from .db import Store, default_db_path, resolve_db_path
from .ingest import IngestReport, ingest_batches, ingest_file
from .owner import StoreOwner
from .queries import GROUPINGS, EventFilter
from .schema import CONTENT_COLUMNS, EVENT_COLUMNS, EVENT_KEY, GED_COLUMNS

__all__ = [
    "Batch",
    "CsvLayout",
    "SourceFormat",
    "CONTENT_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KEY",
    "GED_COLUMNS",
    "GROUPINGS",
    "EventFilter",
    "IngestReport",
    "Store",
    "StoreOwner",
    "default_db_path",
    "ingest_batches",
    "ingest_file",
    "resolve_db_path",
]
