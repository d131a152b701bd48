"""What a source format gives the ingest engine (:func:`accordwatch.store.ingest_file`).

Defined by the store, the consumer; :mod:`accordwatch.sources` builds them: a
:class:`CsvLayout` — column types, row rules and derived columns, all as data — for files
DuckDB reads itself, and :class:`Batch` es — validated Arrow rows plus every problem found —
from the format's own reader.  Standard library only at import (pyarrow is a type here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from ..errors import RowError

__all__ = [
    "Batch",
    "Contradiction",
    "CsvLayout",
    "PlaceAdmin1",
    "RangeRule",
    "RowFlag",
    "SourceFormat",
]


@dataclass(frozen=True)
class RowFlag:
    """A value that the row's other values contradict: kept as the source wrote it, with
    the value derived from the others stored beside it (in ``column``), and reported.

    ``what`` says what contradicts it, with the derived value ("contradicts date_start (its
    year is 2021)").
    """

    file: str
    line: int | None
    field: str
    value: str | None
    what: str
    derived: str | None
    column: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        return (
            f"{where}, field {self.field!r}: {self.value} {self.what}; "
            f"kept as written, {self.derived} stored in {self.column}"
        )

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Batch:
    """Validated events read from one input, ready for :func:`~accordwatch.store.ingest_batches`.

    ``table`` holds only good rows, typed as the store's event columns (without
    provenance).  ``errors`` lists every problem of the bad rows; ``rejected``
    holds those rows as read (strings) with their line numbers and reasons, for
    ``--on-error quarantine``; ``flags`` the contradictions of the good rows.
    """

    file: str
    source: str
    table: pa.Table
    rows_read: int
    errors: list[RowError] = field(default_factory=list)
    rejected: list[dict[str, object]] = field(default_factory=list)
    duplicates_dropped: int = 0
    flags: list[RowFlag] = field(default_factory=list)


#: A row rule as data: (column, lowest, highest, reason); a value outside the bounds (None:
#: unbounded; numbers, or dates for a date column) breaks it, a missing value does not.
RangeRule = tuple[str, float | dt.date | None, float | dt.date | None, str]
#: A contradiction as data: (column, derived column, what contradicts the column, with
#: ``{}`` for the derived value: ``"date_start (its year is {})"``).  The derived column
#: holds a value only where it differs from the column's; such a row is kept and flagged.
Contradiction = tuple[str, str, str]
#: Decides the canonical admin-1 of distinct places (latitude, longitude, adm_1).
PlaceAdmin1 = Callable[[list[tuple[Any, Any, Any]]], list[str | None]]


@dataclass(frozen=True)
class CsvLayout:
    """How DuckDB reads one CSV file of a source format, and what its rows must obey.

    ``columns`` maps the file's columns (in file order) to DuckDB types.  A column in
    ``text_patterns`` is read as text, and each value must match its pattern (RE2, the whole
    value; blank is missing) before it becomes its type — DuckDB's own number parsing would
    take ``2.5`` for the integer 3.  A value that does not match, or does not fit the type,
    sends the file to the format's reader, which names the row.  ``rules``, ``required``
    and ``not_before`` are the row rules (checked in SQL after the parse); ``derived`` gives
    SQL over the file's columns (``p.<name>``) for event columns the file lacks, written
    with the rows — it may name the values of ``shared`` (SQL over the file's columns, each
    computed once per row before ``derived``, ``p.<name>`` there too: a parsed date several
    columns use); ``contradictions`` names derived columns whose values are contradictions
    to report; ``place_admin1`` decides each distinct place's ``admin1`` — as the rows are
    read when ``derived`` gives no guess of ``admin1``, else after, rewriting only the rows
    whose guess it overrules.  ``prepare`` is work a worker thread does while DuckDB
    parses (loading polygons the placing needs).
    """

    source: str
    columns: dict[str, str]
    id_column: str = "id"
    text_patterns: dict[str, str] = field(default_factory=dict)
    rules: tuple[RangeRule, ...] = ()
    required: tuple[str, ...] = ()
    not_before: tuple[tuple[str, str], ...] = ()
    derived: dict[str, str] = field(default_factory=dict)
    shared: dict[str, str] = field(default_factory=dict)
    contradictions: tuple[Contradiction, ...] = ()
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
