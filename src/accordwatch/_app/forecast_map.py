"""Map-ready forecasts: one row per unit and month with the id of the unit's geometry.

A forecast of admin-1 regions or PRIO-GRID cells is read on a map. :func:`forecast_map`
turns the rows of :func:`accordwatch.forecast.forecast` into the columns a map needs —
``unit``, ``geometry_id``, ``month``, ``median``, ``p_ge_1``, ``p_ge_25`` — and
:func:`map_geojson` into a GeoJSON FeatureCollection (one feature per unit and month) that
GIS tools and Vega draw directly.

Geometry ids: a PRIO-GRID cell is ``priogrid:<gid>`` (its square is computed, so every cell
has one); an admin-1 region is its Natural Earth ISO 3166-2 code (``ML-6``) where the bundled
polygons cover its country (Mali and its neighbours), else ``None``; a country is its ISO3
code (no country outlines are bundled besides Mali's, so its feature has no geometry).
A Mali region created after the Natural Earth polygons (Ménaka, Taoudénit) gets its parent's
code and ``geometry_note`` says so.

Example:
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"unit_id": [1, 2], "unit": ["Mali / Gao", "Mali / Nowhere"],
    ...     "month": ["2023-01"] * 2, "median": [3.0, 0.0], "p_ge_1": [0.7, 0.1],
    ...     "p_ge_25": [0.2, 0.0]})
    >>> forecast_map(fc, "admin1")[["unit", "geometry_id"]].values.tolist()
    [['Mali / Gao', 'ML-7'], ['Mali / Nowhere', None]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAP_COLUMNS", "forecast_map", "map_geojson"]

#: the columns of :func:`forecast_map`, in order
MAP_COLUMNS = [
    "unit",
    "unit_id",
    "geometry_id",
    "geometry_note",
    "month",
    "median",
    "p_ge_1",
    "p_ge_25",
]
_LEVELS = ("country", "admin1", "priogrid")


def _admin1(unit: str) -> tuple[str | None, str | None, Any]:
    """(geometry id, note, polygon) of a ``"Country / Admin-1"`` unit."""
    from ..geo import AdminIndex

    country, sep, name = unit.partition(" / ")
    if not sep:
        return None, "not a 'country / admin-1' unit", None
    found = AdminIndex.default().unit(name, country)
    if found is None:
        return None, "no bundled admin-1 polygon for this region", None
    adm, geom = found
    note = None
    if adm.admin1.casefold() != name.casefold() and name.casefold() in {
        k.casefold() for k in _new_regions()
    }:
        note = f"drawn as {adm.admin1}, the region it was part of in Natural Earth"
    return adm.admin1_code, note, geom


def _new_regions() -> set[str]:
    from ..geo import MALI_NEW_REGION_PARENT

    return set(MALI_NEW_REGION_PARENT)


def _cell(gid: int) -> Any:
    """The square of a PRIO-GRID cell (0.5°)."""
    from shapely.geometry import box

    from ..geo import priogrid_centroid

    lat, lon = priogrid_centroid(int(gid))
    return box(lon - 0.25, lat - 0.25, lon + 0.25, lat + 0.25)


def _geometry(unit: str, unit_id: int, level: str) -> tuple[str | None, str | None, Any]:
    if level == "priogrid":
        return f"priogrid:{int(unit_id)}", None, _cell(int(unit_id))
    if level == "admin1":
        return _admin1(unit)
    from ..forecast import country_codes

    codes = country_codes()
    hit = codes[codes["country"] == unit]
    iso = str(hit["isoab"].iloc[0]) if len(hit) else None
    return iso, "country outlines are not bundled", None


def forecast_map(fc: pd.DataFrame, level: str, *, month: str | None = None) -> pd.DataFrame:
    """The map-ready rows (:data:`MAP_COLUMNS`) of forecast ``fc`` at ``level``
    (``country``, ``admin1`` or ``priogrid``), every month or only ``month`` (YYYY-MM).

    ``fc`` needs ``unit_id``, ``unit``, ``month``, ``median``, ``p_ge_1`` and ``p_ge_25``
    (the columns of :func:`accordwatch.forecast.forecast`)."""
    if level not in _LEVELS:
        raise InputError(f"unknown level {level!r}; use one of {', '.join(_LEVELS)}.")
    missing = [
        c for c in ("unit_id", "unit", "month", "median", "p_ge_1", "p_ge_25") if c not in fc
    ]
    if missing:
        raise InputError(
            f"the forecast lacks the column(s) {', '.join(missing)}; pass the rows of "
            "accordwatch.forecast.forecast()."
        )
    rows = fc if month is None else fc[fc["month"] == month]
    if month is not None and rows.empty:
        months = ", ".join(sorted(set(fc["month"])))
        raise InputError(f"no forecast for month {month}; the forecast covers {months}.")
    out = rows[["unit", "unit_id", "month", "median", "p_ge_1", "p_ge_25"]].copy()
    ids = {}
    for unit, uid in out[["unit", "unit_id"]].drop_duplicates().itertuples(index=False):
        gid, note, _ = _geometry(str(unit), int(uid), level)
        ids[int(uid)] = (gid, note)
    import pandas as pd

    for i, col in enumerate(("geometry_id", "geometry_note")):
        values = [ids[int(u)][i] for u in out["unit_id"]]
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out[MAP_COLUMNS].reset_index(drop=True)


def map_geojson(table: pd.DataFrame, level: str) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of :func:`forecast_map` rows: one feature per row with the
    row as properties and the unit's polygon (``null`` where none is bundled), exterior rings
    counter-clockwise as RFC 7946 asks."""
    import shapely
    from shapely.geometry import mapping
    from shapely.geometry.polygon import orient

    shapes: dict[int, Any] = {}
    for unit, uid in table[["unit", "unit_id"]].drop_duplicates().itertuples(index=False):
        geom = _geometry(str(unit), int(uid), level)[2]
        if geom is not None:
            geom = _oriented(geom, orient)
            geom = shapely.transform(geom, _r)
        shapes[int(uid)] = mapping(geom) if geom is not None else None
    features = []
    for row in table.to_dict(orient="records"):
        props = {k: _plain(v) for k, v in row.items()}
        features.append(
            {"type": "Feature", "geometry": shapes[int(row["unit_id"])], "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


def _oriented(geom: Any, orient: Any) -> Any:
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon):
        return orient(geom, sign=1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    return geom


def _r(values: Any) -> Any:
    import numpy as np

    return np.round(values, 5)


def _plain(value: Any) -> Any:
    """JSON-safe scalars (NaN → None, NumPy → Python)."""
    import math

    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
