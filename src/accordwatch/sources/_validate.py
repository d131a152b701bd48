"""Vectorised validation of string columns into typed Arrow columns.

Every reader in :mod:`accordwatch.sources` turns its input into an Arrow table
of strings (one column per field, plus the row's position in the file), then
calls :func:`convert` with the expected column kinds.  Each check works on
whole columns at once (pyarrow.compute), so validating 400,000 rows costs about
as much as parsing them; only the rows that fail are looked at one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import RowError
from ..store.schema import arrow_type
from ._numbers import FLOAT_TEXT, INT64_MAX, INT_TEXT, NONFINITE_TEXT, anchored

__all__ = ["NONFINITE", "OVERFLOW", "Checked", "RowLocator", "convert", "flag"]

_INT_RE = anchored(INT_TEXT)
_FLOAT_RE = anchored(FLOAT_TEXT)
_NONFINITE_RE = anchored(NONFINITE_TEXT)
#: the reason for a NaN or infinite number
NONFINITE = "not a finite number (NaN or infinity)"
#: the reason for an integer beyond 64 bits
OVERFLOW = f"too large for a 64-bit integer (the limit is ±{INT64_MAX:,})"
_DATE_RE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"


#: maps row positions (0-based, in file order) to what a person calls the row's place
RowLocator = Callable[[np.ndarray], list[int | None]]


@dataclass
class Checked:
    """Typed columns plus every problem found, row by row."""

    columns: dict[str, pa.Array]
    n_rows: int
    bad: dict[int, list[tuple[str | None, str, str | None]]] = field(default_factory=dict)

    def add(
        self,
        rows: np.ndarray,
        field_name: str | None,
        reason: str,
        values: Sequence[object] | None = None,
    ) -> None:
        for i, row in enumerate(rows.tolist()):
            value = None if values is None else values[i]
            self.bad.setdefault(row, []).append(
                (field_name, reason, None if value is None else str(value))
            )

    def errors(self, file: str, locate: RowLocator) -> list[RowError]:
        """One RowError per problem, in file order, with the row's line number."""
        rows = np.array(sorted(self.bad), dtype=np.int64)
        lines = locate(rows) if len(rows) else []
        out: list[RowError] = []
        for row, line in zip(rows.tolist(), lines, strict=True):
            for field_name, reason, value in self.bad[row]:
                out.append(RowError(file, line, field_name, reason, value))
        return out

    def good_mask(self) -> np.ndarray:
        mask = np.ones(self.n_rows, dtype=bool)
        if self.bad:
            mask[np.fromiter(self.bad, dtype=np.int64)] = False
        return mask


def _blank_to_null(arr: pa.Array) -> pa.Array:
    arr = arr.cast(pa.string()) if arr.type != pa.string() else arr
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), arr)


def _positions(mask: pa.Array | np.ndarray) -> np.ndarray:
    if isinstance(mask, np.ndarray):
        return np.flatnonzero(mask)
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False))


def flag(
    checked: Checked,
    mask: pa.Array | np.ndarray,
    field_name: str,
    reason: str,
    values: pa.Array | None = None,
) -> None:
    """Record ``reason`` for every row where ``mask`` is true (null counts as false)."""
    if isinstance(mask, pa.ChunkedArray | pa.Array):
        mask = pc.fill_null(mask, False)
    rows = _positions(mask)
    if len(rows):
        shown = None if values is None else values.take(pa.array(rows)).to_pylist()
        checked.add(rows, field_name, reason, shown)


def _overflows(digits: pa.Array) -> pa.Array:
    """True where an integer's text (trimmed, without ``.0``) is beyond 64 bits."""
    negative = pc.starts_with(digits, "-")
    bare = pc.replace_substring_regex(digits, r"^[-+]?0*", "")
    length = pc.utf8_length(bare)
    limit = pc.if_else(negative, str(INT64_MAX + 1), str(INT64_MAX))
    width = len(str(INT64_MAX))
    return pc.or_(
        pc.greater(length, width),
        pc.and_(pc.equal(length, width), pc.greater(bare, limit)),
    )


def convert(
    raw: pa.Table, kinds: dict[str, str], *, required_values: Sequence[str] = ()
) -> Checked:
    """Turn the string columns of ``raw`` into typed columns of ``kinds``.

    Columns of ``kinds`` missing from ``raw`` become all-null.  Blank strings are
    null.  A value that is not of its column's kind is recorded as a problem and
    becomes null — an integer that is not whole or does not fit 64 bits, a float that
    is NaN or infinite (:mod:`._numbers`), an impossible date; so is a null in a column
    of ``required_values``.
    """
    n = raw.num_rows
    checked = Checked(columns={}, n_rows=n)
    names = set(raw.column_names)
    for name, kind in kinds.items():
        if name not in names:
            checked.columns[name] = pa.nulls(n, arrow_type(kind))
            continue
        col = raw.column(name).combine_chunks()
        text = _blank_to_null(col)
        if kind == "str":
            checked.columns[name] = text
        elif kind == "int":
            ok = pc.match_substring_regex(text, _INT_RE)
            flag(checked, pc.invert(ok), name, "not a whole number", text)
            clean = pc.if_else(ok, text, pa.scalar(None, pa.string()))
            clean = pc.utf8_trim_whitespace(clean)  # Arrow's cast takes neither "+4" nor "4.0"
            clean = pc.replace_substring_regex(clean, r"^\+|\.0+$", "")
            over = _overflows(clean)
            flag(checked, over, name, OVERFLOW, text)
            clean = pc.if_else(pc.fill_null(over, False), pa.scalar(None, pa.string()), clean)
            checked.columns[name] = pc.cast(clean, pa.int64())
        elif kind == "float":
            ok = pc.match_substring_regex(text, _FLOAT_RE)
            nonfinite = pc.match_substring_regex(text, _NONFINITE_RE)
            flag(checked, pc.and_(pc.invert(ok), pc.invert(nonfinite)), name, "not a number", text)
            clean = pc.if_else(ok, pc.utf8_trim_whitespace(text), pa.scalar(None, pa.string()))
            number = pc.cast(clean, pa.float64())
            huge = pc.is_inf(number)  # 1e400 is a decimal number, but not a finite double
            flag(checked, pc.or_kleene(nonfinite, huge), name, NONFINITE, text)
            checked.columns[name] = pc.if_else(huge, pa.scalar(None, pa.float64()), number)
        elif kind == "date":
            trimmed = pc.utf8_trim_whitespace(text)
            ok = pc.match_substring_regex(trimmed, _DATE_RE)
            flag(
                checked,
                pc.invert(ok),
                name,
                "not a date (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.000)",
                text,
            )
            day = pc.utf8_slice_codeunits(
                pc.if_else(ok, trimmed, pa.scalar(None, pa.string())), 0, 10
            )
            parsed = pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True)
            # strptime rolls 2021-02-30 over to 2021-03-02: a date that does not print
            # back as written does not exist
            rolled = pc.not_equal(pc.strftime(parsed, format="%Y-%m-%d"), day)
            impossible = pc.and_(
                pc.is_valid(day), pc.or_(pc.is_null(parsed), pc.fill_null(rolled, False))
            )
            parsed = pc.if_else(impossible, pa.scalar(None, parsed.type), parsed)
            flag(checked, impossible, name, "impossible date", text)
            checked.columns[name] = pc.cast(parsed, pa.date32())
        else:  # pragma: no cover - kinds are fixed in schema.py
            raise ValueError(f"unknown column kind {kind!r}")
    for name in required_values:
        if name in names:  # a missing column is the reader's header error, not a row error
            blank = pc.is_null(_blank_to_null(raw.column(name).combine_chunks()))
            flag(checked, blank, name, "missing value (required)")
    return checked
