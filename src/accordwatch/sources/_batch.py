"""What every source reader returns: validated rows plus the problems found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import RowError

__all__ = ["Batch"]


@dataclass
class Batch:
    """Validated events read from one input, ready for :func:`accordwatch.store.ingest`.

    ``table`` holds only good rows, typed as the store's event columns (without
    provenance).  ``errors`` lists every problem of the bad rows; ``rejected``
    holds those rows as read (strings) with their line numbers and reasons, for
    ``--on-error quarantine``.
    """

    file: str
    source: str
    table: pa.Table
    rows_read: int
    errors: list[RowError] = field(default_factory=list)
    rejected: list[dict[str, object]] = field(default_factory=list)
    duplicates_dropped: int = 0
    sha256: str | None = None
    #: For a clean CSV file read by the store itself: ``(path, {column: DuckDB type})``.
    #: ``table`` then holds only the geography lookup (latitude, longitude, adm_1 →
    #: admin1, priogrid_gid) the ingest joins to the rows it reads from the file.
    scan: tuple[Path, dict[str, str]] | None = None
    #: with ``scan``: the events' ids (source_event_id), in file order
    ids: pa.ChunkedArray | None = None
