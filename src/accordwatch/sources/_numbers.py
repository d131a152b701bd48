"""What text a number of each kind may be, as regular expressions (RE2 syntax, which both
pyarrow and DuckDB use): the Arrow reader (:mod:`._validate`) and the one-pass load
(:mod:`._ged_csv`) accept exactly the same values.

An integer is decimal digits with an optional sign and an optional ``.0``: ``12``, ``-3``,
``12.0`` — never ``2.5`` (a count is whole), ``1e3``, ``0x10`` or ``1_000``, which DuckDB's
own parsing would take.  A float is a decimal number with an optional exponent; ``NaN`` and
``inf`` are not numbers a coordinate can be.  Surrounding spaces are allowed.
"""

from __future__ import annotations

__all__ = ["FLOAT_TEXT", "INT64_MAX", "INT_TEXT", "NONFINITE_TEXT", "anchored"]

#: an integer, as text (the whole value)
INT_TEXT = r"\s*[-+]?\d+(\.0+)?\s*"
#: a finite decimal number, as text (the whole value)
FLOAT_TEXT = r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*"
#: NaN or infinity as text, any case (the whole value)
NONFINITE_TEXT = r"(?i)\s*[-+]?(nan|inf|infinity)\s*"
#: the largest 64-bit integer (the smallest is -INT64_MAX - 1)
INT64_MAX = 2**63 - 1


def anchored(pattern: str) -> str:
    """``pattern`` for a search that must match the whole value (pyarrow's regex match)."""
    if pattern.startswith("(?i)"):
        return "(?i)^(" + pattern[4:] + ")$"
    return "^(" + pattern + ")$"
