"""What a source format gives the ingest engine (:func:`accordwatch.store.ingest_file`).

Defined by the store, the consumer; :mod:`accordwatch.sources` builds them: a
:class:`CsvLayout` — column types, row rules and derived columns, all as data — for files
DuckDB reads itself, and :class:`Batch` es — validated Arrow rows plus every problem found —
from the format's own reader.  Standard library only at import (pyarrow is a type here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from ..errors import RowError

__all__ = ["Batch", "CsvLayout", "PlaceAdmin1", "RangeRule", "SourceFormat"]


@dataclass
class Batch:
    """Validated events read from one input, ready for :func:`~accordwatch.store.ingest_batches`.

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


#: A row rule as data: (column, lowest, highest, reason); a value outside the bounds (None:
#: unbounded) breaks it, a missing value does not.
RangeRule = tuple[str, float | None, float | None, str]
#: Decides the canonical admin-1 of distinct places (latitude, longitude, adm_1).
PlaceAdmin1 = Callable[[list[tuple[Any, Any, Any]]], list[str | None]]


@dataclass(frozen=True)
class CsvLayout:
    """How DuckDB reads one CSV file of a source format, and what its rows must obey.

    ``columns`` maps the file's columns (in file order) to DuckDB types; ``rules``,
    ``required`` and ``not_before`` are the row rules (checked in SQL after the parse);
    ``derived`` gives SQL over the file's columns (``p.<name>``) for event columns the file
    lacks, written with the rows; ``place_admin1`` then decides each distinct place's
    ``admin1`` and only the rows it overrules are rewritten.  ``prepare`` is work a worker
    thread does while DuckDB parses (loading polygons the placing needs).
    """

    source: str
    columns: dict[str, str]
    id_column: str = "id"
    rules: tuple[RangeRule, ...] = ()
    required: tuple[str, ...] = ()
    not_before: tuple[tuple[str, str], ...] = ()
    derived: dict[str, str] = field(default_factory=dict)
    place_admin1: PlaceAdmin1 | None = None
    prepare: Callable[[], object] | None = None


class SourceFormat(Protocol):
    """What a source format gives the engine (see :class:`accordwatch.sources.ucdp.UcdpFormat`)."""

    def csv_layout(self, path: Path) -> CsvLayout | None:
        """The file's layout when DuckDB can read it as CSV, else None; raises InputError for
        a file that cannot be this format (missing columns, empty)."""
        ...

    def read(self, path: Path) -> Sequence[Batch]:
        """Every row of the file, validated: good rows as Arrow, bad ones with file/line/field."""
        ...
