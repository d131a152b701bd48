"""The PRIO-GRID lattice as constants, and its cell id as SQL (no numpy: the bulk loader
imports this at start-up).  :mod:`.priogrid` computes the same ids on arrays."""

from __future__ import annotations

__all__ = ["CELL_SIZE", "MAX_GID", "MISSING_GID", "NCOLS", "NROWS", "priogrid_sql"]

CELL_SIZE = 0.5
"""Edge length of a cell in degrees."""
NCOLS = 720
"""Columns of the lattice (west → east)."""
NROWS = 360
"""Rows of the lattice (south → north)."""
MAX_GID = NROWS * NCOLS
"""Largest valid gid (259 200, the north-east corner)."""
MISSING_GID = -1
"""Id returned in arrays for a missing (NaN) coordinate."""


def priogrid_sql(lat: str, lon: str) -> str:
    """The same cell id as a SQL expression over two column expressions (DuckDB dialect).

    Used where events are loaded in bulk by the database itself; NULL for a missing or
    out-of-range coordinate.  It is the formula of the module docstring in IEEE doubles,
    so it agrees with :func:`priogrid_gid` bit for bit (checked in the tests).

    >>> priogrid_sql("p.lat", "p.lon").startswith("CASE WHEN")
    True
    """
    row = f"least(greatest(CAST(floor(({lat} + 90.0) / {CELL_SIZE}) AS BIGINT), 0), {NROWS - 1})"
    col = f"least(greatest(CAST(floor(({lon} + 180.0) / {CELL_SIZE}) AS BIGINT), 0), {NCOLS - 1})"
    return (
        f"CASE WHEN {lat} BETWEEN -90.0 AND 90.0 AND {lon} BETWEEN -180.0 AND 180.0 "
        f"THEN {row} * {NCOLS} + {col} + 1 END"
    )
