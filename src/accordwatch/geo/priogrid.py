"""PRIO-GRID v2 cell ids: pure arithmetic on a global 0.5° lattice.

PRIO-GRID divides the globe into 720 columns × 360 rows of 0.5° cells.  Cell
``gid`` 1 is the south-west corner (lat −90…−89.5, lon −180…−179.5); ids run
west → east along a row, then rows run south → north::

    row = floor((lat + 90) / 0.5)        # 0 … 359
    col = floor((lon + 180) / 0.5)       # 0 … 719
    gid = row * 720 + col + 1            # 1 … 259 200

Cells are half-open ``[south, north) × [west, east)``.  The two outer edges of
the lattice belong to the last cell so that every valid coordinate has a cell:
``lat == 90`` falls in the top row and ``lon == 180`` in the last column.

Missing coordinates (NaN) give a missing id, in the form that fits the input:

* scalars → ``None``;
* numpy arrays and lists → an ``int64`` array with :data:`MISSING_GID` (−1);
* pandas Series → a nullable ``Int64`` Series with ``<NA>``, same index.

Coordinates outside ``[-90, 90] × [-180, 180]`` (or infinite) raise
:class:`~accordwatch.errors.InputError`.

>>> priogrid_gid(-90, -180)
1
>>> priogrid_gid(16.77348, -3.00742)   # Timbuktu
153714
>>> priogrid_centroid(153714)
(16.75, -3.25)
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

from accordwatch.errors import InputError
from accordwatch.geo._grid import CELL_SIZE, MAX_GID, MISSING_GID, NCOLS, NROWS, priogrid_sql

if TYPE_CHECKING:  # pandas is only needed when a Series comes in (it is then imported already)
    import pandas as pd

__all__ = [
    "CELL_SIZE",
    "MAX_GID",
    "MISSING_GID",
    "NCOLS",
    "NROWS",
    "ArrayLike",
    "Scalar",
    "neighbours",
    "priogrid_centroid",
    "priogrid_gid",
    "priogrid_row_col",
    "priogrid_sql",
]


Scalar = int | float | np.integer | np.floating
ArrayLike = npt.ArrayLike


def _as_float_array(values: ArrayLike, what: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be numbers; could not read {values!r} as floats.") from exc


def _check_range(arr: np.ndarray, low: float, high: float, what: str) -> None:
    bad = ~np.isnan(arr) & ((arr < low) | (arr > high))
    if bad.any():
        first = arr[bad].flat[0]
        raise InputError(
            f"{int(bad.sum())} {what} value(s) outside [{low:g}, {high:g}] (first: {first!r}). "
            "Check that latitude and longitude are not swapped and are in decimal degrees."
        )


@overload
def priogrid_gid(lat: Scalar, lon: Scalar) -> int | None: ...
@overload
def priogrid_gid(lat: pd.Series, lon: pd.Series | ArrayLike) -> pd.Series: ...
@overload
def priogrid_gid(lat: ArrayLike, lon: ArrayLike) -> np.ndarray: ...


def priogrid_gid(lat: Any, lon: Any) -> Any:
    """PRIO-GRID gid of the cell containing each (lat, lon) point.

    Accepts scalars, sequences, numpy arrays or pandas Series (broadcast
    against each other); see the module docstring for how missing values are
    returned.

    >>> priogrid_gid(12.65, -8.0)             # Bamako
    147945
    >>> priogrid_gid([90.0, float("nan")], [180.0, 0.0]).tolist()
    [259200, -1]
    """
    series_index = None
    pandas = sys.modules.get("pandas")
    for value in (lat, lon):
        if pandas is not None and isinstance(value, pandas.Series):
            series_index = value.index
            break
    scalar = np.ndim(lat) == 0 and np.ndim(lon) == 0
    la = np.atleast_1d(_as_float_array(lat, "latitude"))
    lo = np.atleast_1d(_as_float_array(lon, "longitude"))
    try:
        la, lo = np.broadcast_arrays(la, lo)
    except ValueError as exc:
        raise InputError(
            f"latitude and longitude have different shapes {la.shape} and {lo.shape}; "
            "pass one longitude per latitude."
        ) from exc
    _check_range(la, -90.0, 90.0, "latitude")
    _check_range(lo, -180.0, 180.0, "longitude")
    missing = np.isnan(la) | np.isnan(lo)
    row = np.floor((np.where(missing, 0.0, la) + 90.0) / CELL_SIZE).astype("int64")
    col = np.floor((np.where(missing, 0.0, lo) + 180.0) / CELL_SIZE).astype("int64")
    np.clip(row, 0, NROWS - 1, out=row)
    np.clip(col, 0, NCOLS - 1, out=col)
    gid = row * NCOLS + col + 1
    gid[missing] = MISSING_GID
    if scalar:
        return None if bool(missing[0]) else int(gid[0])
    shaped = series_index is not None and len(series_index) == gid.shape[0] and gid.ndim == 1
    if pandas is not None and shaped:
        out = pandas.Series(gid, index=series_index, dtype="Int64", name="priogrid_gid")
        out[missing] = pandas.NA
        return out
    return gid


def _as_gid_array(gid: ArrayLike) -> np.ndarray:
    arr = np.asarray(gid)
    if arr.dtype.kind == "f":
        if np.isnan(arr).any() or (arr != np.floor(arr)).any():
            raise InputError("PRIO-GRID gids must be whole numbers; drop missing ids first.")
        arr = arr.astype("int64")
    elif arr.dtype.kind not in "iu":
        try:
            arr = arr.astype("int64")
        except (TypeError, ValueError) as exc:
            raise InputError(f"PRIO-GRID gids must be integers; got {gid!r}.") from exc
    bad = (arr < 1) | (arr > MAX_GID)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} PRIO-GRID gid(s) outside 1…{MAX_GID} "
            f"(first: {int(arr[bad].flat[0])}); a gid of {MISSING_GID} means a missing location."
        )
    return arr.astype("int64")


@overload
def priogrid_row_col(gid: int | np.integer) -> tuple[int, int]: ...
@overload
def priogrid_row_col(gid: ArrayLike) -> tuple[np.ndarray, np.ndarray]: ...


def priogrid_row_col(gid: Any) -> Any:
    """0-based ``(row, col)`` of a gid (row 0 = southernmost, col 0 = westernmost).

    >>> priogrid_row_col(1)
    (0, 0)
    >>> priogrid_row_col(259200)
    (359, 719)
    """
    arr = _as_gid_array(gid)
    row, col = np.divmod(arr - 1, NCOLS)
    if arr.ndim == 0:
        return int(row), int(col)
    return row, col


@overload
def priogrid_centroid(gid: int | np.integer) -> tuple[float, float]: ...
@overload
def priogrid_centroid(gid: ArrayLike) -> tuple[np.ndarray, np.ndarray]: ...


def priogrid_centroid(gid: Any) -> Any:
    """Centre ``(lat, lon)`` of a cell.

    >>> priogrid_centroid(1)
    (-89.75, -179.75)
    >>> lat, lon = priogrid_centroid([1, 259200])
    >>> lat.tolist(), lon.tolist()
    ([-89.75, 89.75], [-179.75, 179.75])
    """
    row, col = priogrid_row_col(gid)
    lat = -90.0 + (np.asarray(row) + 0.5) * CELL_SIZE
    lon = -180.0 + (np.asarray(col) + 0.5) * CELL_SIZE
    if np.ndim(lat) == 0:
        return float(lat), float(lon)
    return lat, lon


def neighbours(gid: int, radius: int = 1, *, include_self: bool = False) -> list[int]:
    """Cells within ``radius`` steps of ``gid`` (queen contiguity), sorted.

    Columns wrap around the antimeridian; rows stop at the poles, so a cell in
    the top or bottom row has fewer neighbours.  ``radius=1`` gives the 8
    surrounding cells, ``radius=2`` the 24 cells of the 5×5 block, …

    >>> neighbours(147945)
    [147224, 147225, 147226, 147944, 147946, 148664, 148665, 148666]
    >>> len(neighbours(1))                    # south-west corner, wraps west
    5
    """
    if isinstance(radius, bool) or not isinstance(radius, int | np.integer) or radius < 0:
        raise InputError(f"radius must be a whole number ≥ 0; got {radius!r}.")
    if np.ndim(gid) != 0:
        raise InputError("neighbours() takes one gid; loop over the cells you need.")
    row, col = priogrid_row_col(gid)
    radius = min(int(radius), NROWS)
    out: set[int] = set()
    for dr in range(-radius, radius + 1):
        r = row + dr
        if r < 0 or r >= NROWS:
            continue
        for dc in range(-radius, radius + 1):
            c = (col + dc) % NCOLS
            out.add(r * NCOLS + c + 1)
    if not include_self:
        out.discard(int(gid))
    return sorted(out)
