"""The map section: admin-1 regions shaded by deaths, with their outlines, and events as points.

Outlines are the bundled Natural Earth 1:10m admin-1 units (Mali and its neighbours:
``data/geo/sahel_admin1_ne10m.geojson``), simplified to about a kilometre, coordinates rounded
to 0.001°, and wound as Vega draws them: exterior rings clockwise
(``shapely.geometry.polygon.orient(p, sign=-1)``).  A country without bundled outlines
(the Central African Republic) gets points and a region table only, and a note says so.

Points are events summed by place (0.001°, about 100 m), coarser (0.01°, 0.1°, 0.5°, 1°) until
at most :data:`MAX_POINTS` remain.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._ctx import Context
from ._model import MapData

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_POINTS", "SIMPLIFY_DEGREES", "admin1_outlines", "map_section", "point_groups"]

#: the most points a map carries
MAX_POINTS = 5000
#: tolerance of the outlines' simplification (degrees; about 1 km)
SIMPLIFY_DEGREES = 0.01
_STEPS = (0.001, 0.01, 0.1, 0.5, 1.0)
_OUTLINES = ("geo", "sahel_admin1_ne10m.geojson")


def _rounded(coords: Any) -> Any:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        return [round(float(coords[0]), 3), round(float(coords[1]), 3)]
    return [_rounded(c) for c in coords]


@cache
def _outlines(iso3: str) -> str:
    """The country's outlines as GeoJSON text: the same for every briefing, so kept in this
    process and in the user's cache folder (under a key of the bundled file and the
    simplification)."""
    from . import _cache

    path = Path(str(files("accordwatch").joinpath("data", *_OUTLINES)))
    key = _cache.files_key([path], iso3, str(SIMPLIFY_DEGREES), "outlines-1")
    name = f"outlines-{iso3}-{key}.json"
    kept = _cache.read(name)
    if kept:
        return kept.decode("utf-8")
    text = _simplified(iso3)
    _cache.write(name, text.encode("utf-8"))
    return text


def _simplified(iso3: str) -> str:
    from shapely.geometry import MultiPolygon, Polygon, mapping, shape
    from shapely.geometry.polygon import orient

    from ..geo import admin1_features

    feats: list[dict[str, Any]] = []
    for feat in admin1_features():
        props = feat.get("properties") or {}
        if props.get("adm0_a3") != iso3:
            continue
        geom = shape(feat["geometry"]).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        if isinstance(geom, Polygon):
            geom = orient(geom, sign=-1)
        elif isinstance(geom, MultiPolygon):
            geom = MultiPolygon([orient(p, sign=-1) for p in geom.geoms])
        shaped = mapping(geom)
        feats.append(
            {
                "type": "Feature",
                "properties": {"admin1": props["name"], "code": props.get("iso_3166_2")},
                "geometry": {
                    "type": shaped["type"],
                    "coordinates": _rounded(shaped["coordinates"]),
                },
            }
        )
    feats.sort(key=lambda f: f["properties"]["admin1"])
    return json.dumps({"type": "FeatureCollection", "features": feats})


def admin1_outlines(iso3: str | None) -> dict[str, Any]:
    """The bundled admin-1 outlines of a country (ISO3) as a GeoJSON FeatureCollection with
    the property ``admin1`` (Natural Earth's name, the canonical one of
    :class:`accordwatch.geo.AdminIndex`); an empty dict when none are bundled."""
    if not iso3:
        return {}
    found: dict[str, Any] = json.loads(_outlines(iso3))
    return found if found["features"] else {}


def point_groups(frame: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, float]:
    """Located events summed by place: ``latitude``, ``longitude`` (the group's mean),
    ``deaths``, ``events``, ``place`` (the most frequent name), ``date_first``,
    ``date_last``, ``source`` (``kind``), and the grid step used."""
    import numpy as np
    import pandas as pd

    cols = [
        "latitude",
        "longitude",
        "deaths",
        "events",
        "place",
        "date_first",
        "date_last",
        "source",
    ]
    located = frame.dropna(subset=["latitude", "longitude"])
    if located.empty:
        return pd.DataFrame(columns=cols), _STEPS[0]
    located = located.assign(
        _deaths=pd.to_numeric(located["best"], errors="coerce"),
        _day=pd.to_datetime(located["date_start"]),
        _end=pd.to_datetime(
            located["date_end"] if "date_end" in located else located["date_start"]
        ).fillna(pd.to_datetime(located["date_start"])),
        _place=located["where_coordinates"].astype(object),
    )
    for step in _STEPS:
        keyed = located.assign(
            _la=np.round(located["latitude"].to_numpy() / step).astype("int64"),
            _lo=np.round(located["longitude"].to_numpy() / step).astype("int64"),
        )
        grouped = keyed.groupby(["_la", "_lo"])
        if grouped.ngroups <= MAX_POINTS:
            break
    out = grouped.agg(
        latitude=("latitude", "mean"),
        longitude=("longitude", "mean"),
        events=("latitude", "size"),
        date_first=("_day", "min"),
        date_last=("_end", "max"),  # a month-precision event ends on the month's last day
    )
    out["deaths"] = grouped["_deaths"].sum(min_count=1)
    # the most frequent place name of each group (the first in sort order on a tie)
    named = keyed.dropna(subset=["_place"])
    counts = named.groupby(["_la", "_lo", "_place"]).size().rename("n").reset_index()
    counts = counts.sort_values(
        ["_la", "_lo", "n", "_place"], ascending=[True, True, False, True], kind="stable"
    ).drop_duplicates(["_la", "_lo"])
    place = counts.set_index(["_la", "_lo"])["_place"].reindex(out.index)
    out["place"] = place.astype(object).where(place.notna(), None).to_numpy()
    out = out.reset_index(drop=True)
    out["date_first"] = [d.date() for d in out["date_first"]]
    out["date_last"] = [d.date() for d in out["date_last"]]
    out["latitude"] = out["latitude"].round(4)
    out["longitude"] = out["longitude"].round(4)
    out["source"] = kind
    out = out.sort_values(["deaths", "events"], ascending=False, kind="stable", na_position="last")
    return out[cols].reset_index(drop=True), step


def _canonical(names: pd.Series, iso3: str | None, known: set[str]) -> pd.Series:
    """Each event's admin-1 as the outlines name it (any spelling the bundled index knows)."""
    from ..errors import InputError
    from ..geo import AdminIndex

    index = AdminIndex.default() if iso3 and known else None

    def one(name: Any) -> str | None:
        if not isinstance(name, str) or not name:
            return None
        if index is not None:
            try:
                found = index.normalize(name, country=iso3)
            except InputError:
                found = None
            if found in known:
                return found
        return name

    return names.map(one)


def _regions(ctx: Context, geometry: dict[str, Any]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    known = [f["properties"]["admin1"] for f in geometry.get("features", [])]
    ev = ctx.events
    counted = ctx.basis == "events" and ev is not None
    if counted and ev is not None and len(ev):
        raw = ev["admin1"].where(ev["admin1"].notna(), ev["adm_1"])
        names = _canonical(raw, ctx.country.get("iso3"), set(known))
        frame = pd.DataFrame({"admin1": names, "best": ev["best"].fillna(0).astype(float)})
        unlocated = frame[frame["admin1"].isna()]
        if len(unlocated):
            ctx.notes.append(
                ctx.w("note_unlocated", n=len(unlocated), deaths=int(unlocated["best"].sum()))
            )
        sums = frame.dropna(subset=["admin1"]).groupby("admin1")["best"].agg(["sum", "size"])
    else:
        sums = pd.DataFrame(columns=["sum", "size"])
    listed = sorted(set(known) | {str(n) for n in sums.index}, key=str.casefold)
    regions = pd.DataFrame({"admin1": listed})
    if counted:
        regions["deaths"] = [float(sums["sum"].get(n, 0.0)) for n in listed]
        regions["events"] = [int(sums["size"].get(n, 0)) for n in listed]
        if ctx.region:  # only the named region was counted: the others are unknown here
            mine = set(sums.index)
            regions.loc[~regions["admin1"].isin(mine), ["deaths", "events"]] = np.nan
    else:
        regions["deaths"] = np.nan
        regions["events"] = np.nan
    regions["deaths"] = regions["deaths"].astype(float)
    regions["events"] = regions["events"].astype(float)
    return regions.sort_values(
        ["deaths", "admin1"], ascending=[False, True], kind="stable", na_position="last"
    ).reset_index(drop=True)


def map_section(ctx: Context) -> MapData:
    """Regions, outlines and points of the period's events (and of the reviewed text events
    from the period's start)."""
    import pandas as pd

    area = MapData(title=ctx.w("title_map"))
    geometry = admin1_outlines(ctx.country.get("iso3"))
    if geometry:
        ctx.used.add("natural-earth")
    area.geometry = geometry
    area.regions = _regions(ctx, geometry)
    parts, step = [], _STEPS[0]
    if ctx.basis == "events" and ctx.events is not None and len(ctx.events):
        counted, step = point_groups(ctx.events, "events")
        parts.append(counted)
        area.command = ctx.command(
            "events", **ctx.filters(), format="geojson", out="events.geojson"
        )
    if ctx.text_events is not None and len(ctx.text_events):
        text, _ = point_groups(ctx.text_events, "text")
        parts.append(text)
    parts = [p for p in parts if len(p)]
    area.points = (
        pd.concat(parts, ignore_index=True).head(MAX_POINTS)
        if parts
        else point_groups(pd.DataFrame(columns=["latitude", "longitude"]), "events")[0]
    )
    if step > _STEPS[0]:
        area.notes.append(ctx.w("note_points_grouped", step=step, n=len(area.points)))
    if ctx.basis != "events" and geometry:
        area.notes.append(ctx.w("note_region_cm"))
    if ctx.region and ctx.basis == "events":
        area.notes.append(ctx.w("note_region_scope", region=ctx.region))
    if not geometry and (len(area.points) or len(area.regions)):
        area.notes.append(ctx.w("note_no_outlines", country=ctx.name))
    if not geometry and area.points.empty and area.regions.empty:
        area.empty = ctx.w("empty_map", country=ctx.name)
    return area
