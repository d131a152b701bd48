"""The briefing's map: admin-1 regions shaded by deaths, with their names, and event points
sized by deaths, as one Vega spec (zoom with the wheel, pan by dragging, double-click resets).

The map is written in Vega rather than Vega-Lite because Vega-Lite cannot bind a projection
to zoom and pan.  Region rings are rewound clockwise (``orient(p, sign=-1)``) whatever the
gatherer sent: Vega (d3-geo) reads an RFC 7946 counter-clockwise ring as the whole globe minus
the region.  Coordinates are rounded to 3 decimals (~100 m) and points aggregated to at most
:data:`MAX_POINTS` before they reach the spec.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ._model import MapData

__all__ = ["MAX_POINTS", "STATIC_POINTS", "map_spec", "region_labels", "wound_clockwise"]

MAX_POINTS = 5000
#: The static map (the PDF's) draws the deadliest places up to this many; the page's map
#: draws all of them.
STATIC_POINTS = 500
_STATIC_WIDTH = 620
_DIGITS = 3


def _round(coords: Any) -> Any:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        return [round(float(c), _DIGITS) for c in coords]
    return [_round(c) for c in coords]


def wound_clockwise(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection whose polygon rings Vega draws as they are meant: exterior
    rings clockwise, holes counter-clockwise, coordinates rounded to ~100 m.  Features without
    a polygon geometry are dropped."""
    from shapely.geometry import MultiPolygon, Polygon, mapping, shape
    from shapely.geometry.polygon import orient

    out = []
    for feat in geometry.get("features") or []:
        geom = feat.get("geometry")
        if not geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        shp = shape(geom)
        if isinstance(shp, Polygon):
            fixed: Any = orient(shp, sign=-1.0)
        elif isinstance(shp, MultiPolygon):
            fixed = MultiPolygon([orient(p, sign=-1.0) for p in shp.geoms])
        else:
            continue
        g = mapping(fixed)
        out.append(
            {
                "type": "Feature",
                "properties": dict(feat.get("properties") or {}),
                "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": out}


def region_labels(geometry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One label anchor per region: a point inside its largest polygon."""
    from shapely.geometry import shape

    labels = []
    for feat in geometry.get("features") or []:
        name = (feat.get("properties") or {}).get("admin1")
        if not name or not feat.get("geometry"):
            continue
        shp = shape(feat["geometry"])
        part = max(getattr(shp, "geoms", [shp]), key=lambda p: p.area)
        pt = part.representative_point()
        labels.append({"name": str(name), "lon": round(pt.x, 3), "lat": round(pt.y, 3)})
    return labels


def _aggregate_points(points: pd.DataFrame) -> pd.DataFrame:
    """Points merged by rounded location until at most :data:`MAX_POINTS` remain."""
    pts = points.dropna(subset=["latitude", "longitude"]).copy()
    if len(pts) <= MAX_POINTS:
        return pts
    for digits in (2, 1, 0):
        pts["latitude"] = pts["latitude"].round(digits)
        pts["longitude"] = pts["longitude"].round(digits)
        agg: dict[str, Any] = {"deaths": "sum", "events": "sum"}
        for col, how in (("place", "first"), ("date_first", "min"), ("date_last", "max")):
            if col in pts.columns:
                agg[col] = how
        pts = pts.groupby(["latitude", "longitude"], as_index=False).agg(agg)
        if len(pts) <= MAX_POINTS:
            break
    return pts.nlargest(MAX_POINTS, "deaths")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "date") and callable(value.date):
        return str(value.date().isoformat())
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _number(value: Any) -> float | None:
    """A finite number, or ``None`` (missing, NaN, NA)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _span(first: str | None, last: str | None) -> str | None:
    """A group's dates as precise as they are: one day, a whole month (``2023-08``), a whole
    year (``2023``), or ``first – last``.

    >>> _span("2023-08-01", "2023-08-31"), _span("2023-01-01", "2023-12-31")
    ('2023-08', '2023')
    >>> _span("2023-08-04", "2023-08-04"), _span("2023-08-04", "2023-09-02")
    ('2023-08-04', '2023-08-04 – 2023-09-02')
    """
    import datetime as dt

    if not first or not last or first == last:
        return first or last
    try:
        a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError:
        return f"{first} – {last}"
    after = b + dt.timedelta(days=1)
    if a.day == 1 and after.day == 1 and (after.year, after.month) == _next_month(a):
        return f"{a:%Y-%m}"
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
        return str(a.year)
    return f"{first} – {last}"


def _next_month(d: Any) -> tuple[int, int]:
    return (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)


def _point_values(points: pd.DataFrame) -> list[dict[str, Any]]:
    """The points as Vega data: ``text`` is true for reviewed events from text (listed and
    mapped, not counted: their deaths may be unknown)."""
    pts = _aggregate_points(points)
    values: list[dict[str, Any]] = []
    for rec in pts.to_dict("records"):
        first, last = _text(rec.get("date_first")), _text(rec.get("date_last"))
        events = _number(rec.get("events"))
        values.append(
            {
                "lon": round(float(rec["longitude"]), _DIGITS),
                "lat": round(float(rec["latitude"]), _DIGITS),
                "deaths": _number(rec.get("deaths")),
                "events": int(events) if events is not None else None,
                "place": _text(rec.get("place")),
                "dates": _span(first, last),
                "text": _text(rec.get("source")) == "text",
            }
        )
    # the deadliest drawn first, so that the small ones stay on top and can be pointed at
    values.sort(key=lambda v: -(v["deaths"] or 0.0))
    return values


def _point_labels(points: pd.DataFrame) -> list[dict[str, Any]]:
    """Region labels without outlines: each region's name at the mean place of its points,
    when the points name their region (an ``admin1`` column)."""
    if "admin1" not in points.columns:
        return []
    located = points.dropna(subset=["latitude", "longitude", "admin1"])
    out = []
    for name, group in located.groupby("admin1"):
        out.append(
            {
                "name": str(name),
                "lon": round(float(group["longitude"].mean()), _DIGITS),
                "lat": round(float(group["latitude"].mean()), _DIGITS),
            }
        )
    return out


def _extent(features: list[dict[str, Any]], points: list[dict[str, Any]]) -> list[float]:
    """[lon0, lat0, lon1, lat1] around the regions (or, without them, the points)."""
    from shapely.geometry import shape

    if features:
        bounds = [shape(f["geometry"]).bounds for f in features]
        return [
            min(b[0] for b in bounds),
            min(b[1] for b in bounds),
            max(b[2] for b in bounds),
            max(b[3] for b in bounds),
        ]
    lons = [p["lon"] for p in points]
    lats = [p["lat"] for p in points]
    pad = 0.3
    return [min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad]


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def map_spec(
    m: MapData,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """The Vega spec of the map, or ``None`` when there are neither regions nor points."""
    geometry = wound_clockwise(m.geometry or {})
    regions = m.regions if m.regions is not None else pd.DataFrame()
    by_name: dict[str, dict[str, Any]] = {}
    if not regions.empty and "admin1" in regions.columns:
        for row in regions.to_dict("records"):
            by_name[str(row["admin1"])] = {str(k): v for k, v in row.items()}
    features = []
    for feat in geometry["features"]:
        name = str(feat["properties"].get("admin1", ""))
        rec = by_name.get(name, {})
        events = _number(rec.get("events"))
        feat["properties"] = {
            "admin1": name,
            "deaths": _number(rec.get("deaths")),  # None: not counted (e.g. country-month)
            "events": int(events) if events is not None else None,
        }
        features.append(feat)
    points = (
        _point_values(m.points)
        if m.points is not None and not m.points.empty and "latitude" in m.points.columns
        else []
    )
    if not features and not points:
        return None
    if static and len(points) > STATIC_POINTS:
        points = sorted(points, key=lambda p: -(p["deaths"] or 0.0))[:STATIC_POINTS]
    lon0, lat0, lon1, lat1 = _extent(features, points)
    dx = max(math.radians(lon1 - lon0), 1e-3)
    y0, y1 = _merc(max(lat0, -85.0)), _merc(min(lat1, 85.0))
    dy = max(y1 - y0, 1e-3)
    clat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    clon = (lon0 + lon1) / 2
    aspect = dy / dx
    max_deaths = max([f["properties"]["deaths"] or 0.0 for f in features] + [1.0])
    max_point = max([p["deaths"] or 0.0 for p in points] + [1.0])
    labels = region_labels(geometry) if features else _point_labels(m.points)
    width_signal: dict[str, Any] = (
        {"name": "width", "value": _STATIC_WIDTH}
        if static
        else {
            "name": "width",
            "init": "isFinite(containerSize()[0]) && containerSize()[0] > 0 ? "
            "containerSize()[0] : 640",
            "on": [
                {
                    "events": "window:resize",
                    "update": "isFinite(containerSize()[0]) && containerSize()[0] > 0 ? "
                    "containerSize()[0] : width",
                }
            ],
        }
    )
    signals: list[dict[str, Any]] = [
        width_signal,
        {"name": "height", "update": f"clamp(round(width * {aspect:.4f}), 220, 720)"},
        {"name": "base", "update": f"0.94 * min(width / {dx:.6f}, height / {dy:.6f})"},
        {"name": "cam", "value": [1, 0, 0]},  # zoom factor, pan x, pan y (pixels)
    ]
    if not static:
        signals[-1]["on"] = [
            {
                "events": {"signal": "wheelAt"},
                # zoom about the pointer: the point under it stays where it is
                "update": "wheelAt[0] <= 1 ? [1, 0, 0] : [wheelAt[0], "
                "wheelAt[1] - width / 2 - (wheelAt[1] - width / 2 - cam[1]) * wheelAt[0] / cam[0],"
                " wheelAt[2] - height / 2 - (wheelAt[2] - height / 2 - cam[2]) * wheelAt[0]"
                " / cam[0]]",
            },
            {
                "events": "[pointerdown, window:pointerup] > window:pointermove",
                "update": "[cam[0], down[2] + x() - down[0], down[3] + y() - down[1]]",
            },
            {"events": "dblclick", "update": "[1, 0, 0]"},
        ]
        signals[-1:-1] = [
            {
                "name": "wheelAt",
                "value": [1, 0, 0],
                "on": [
                    {
                        "events": {"type": "wheel", "consume": True},
                        "update": "[clamp(cam[0] * pow(1.002, -event.deltaY * "
                        "pow(16, event.deltaMode)), 1, 40), x(), y()]",
                    }
                ],
            },
            {
                "name": "down",
                "value": [0, 0, 0, 0],
                "on": [{"events": "pointerdown", "update": "[x(), y(), cam[1], cam[2]]"}],
            },
        ]
    w = words
    marks, legends, scales, data = _layers(features, points, labels, w, max_deaths, max_point)
    if not features:  # no outlines: a light graticule gives the points a frame
        data.insert(
            0,
            {
                "name": "graticule",
                "transform": [
                    {
                        "type": "graticule",
                        "step": [1, 1],
                        "extent": [
                            [math.floor(lon0) - 2, math.floor(lat0) - 2],
                            [math.ceil(lon1) + 2, math.ceil(lat1) + 2],
                        ],
                    }
                ],
            },
        )
        marks.insert(
            0,
            {
                "type": "shape",
                "from": {"data": "graticule"},
                "interactive": False,
                "encode": {
                    "update": {
                        "stroke": {"value": "#e4e4e4"},
                        "strokeWidth": {"value": 0.6},
                        "fill": {"value": None},
                    }
                },
                "transform": [{"type": "geoshape", "projection": "projection"}],
            },
        )
    from ._charts import STATIC_FONT

    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "description": description,
        **(
            {
                "config": {
                    "text": {"font": STATIC_FONT},
                    "legend": {"labelFont": STATIC_FONT, "titleFont": STATIC_FONT},
                }
            }
            if static
            else {}
        ),
        "autosize": "none",
        "padding": 2,
        "signals": signals,
        "projections": [
            {
                "name": "projection",
                "type": "mercator",
                "center": [round(clon, 4), round(clat, 4)],
                "scale": {"signal": "base * cam[0]"},
                "translate": [{"signal": "width / 2 + cam[1]"}, {"signal": "height / 2 + cam[2]"}],
            }
        ],
        "data": data,
        "scales": scales,
        "marks": marks,
        "legends": legends,
    }


def _count(expr: str) -> str:
    """A Vega expression that writes a count, or a dash when it is missing."""
    return f"isValid({expr}) ? format({expr}, ',.0f') : '–'"


def _layers(
    features: list[dict[str, Any]],
    points: list[dict[str, Any]],
    labels: list[dict[str, Any]],
    w: Mapping[str, str],
    max_deaths: float,
    max_point: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[Any]]:
    """Marks, legends, scales and data of the map: regions, points, region names."""
    geopoint = {
        "type": "geopoint",
        "projection": "projection",
        "fields": ["lon", "lat"],
        "as": ["px", "py"],
    }
    data: list[Any] = [
        {"name": "regions", "values": features},
        {"name": "points", "values": points, "transform": [geopoint]},
        {"name": "labels", "values": labels, "transform": [geopoint]},
    ]
    counted, from_text = w["title_points"], w["title_from_text"]
    scales: list[dict[str, Any]] = [
        {
            "name": "colour",
            "type": "sqrt",
            "domain": [0, max_deaths],
            "range": {"scheme": "orangered"},
            "zero": True,
        },
        {
            "name": "size",
            "type": "sqrt",
            "domain": [0, max_point],
            # the largest point grows with the map: a phone gets smaller circles
            "range": [8, {"signal": "clamp(width * width / 420, 250, 1000)"}],
            "zero": True,
        },
        {
            "name": "kind",
            "type": "ordinal",
            "domain": [counted, from_text],
            "range": ["circle", "diamond"],
        },
    ]
    region_tip = (
        f"{{{_js(w['col_admin1'])}: datum.properties.admin1, "
        f"{_js(w['col_deaths'])}: {_count('datum.properties.deaths')}, "
        f"{_js(w['col_events'])}: {_count('datum.properties.events')}}}"
    )
    point_tip = (
        f"{{title: datum.place, {_js(w['col_date'])}: datum.dates, "
        f"{_js(w['col_deaths'])}: {_count('datum.deaths')}, "
        f"{_js(w['col_events'])}: {_count('datum.events')}, "
        f"{_js(w['col_source'])}: datum.text ? {_js(from_text)} : {_js(counted)}}}"
    )
    marks: list[dict[str, Any]] = []
    legends: list[dict[str, Any]] = []
    if features:
        marks.append(
            {
                "type": "shape",
                "name": "region-shapes",
                "from": {"data": "regions"},
                "encode": {
                    "update": {
                        "fill": {
                            "signal": "!isValid(datum.properties.deaths) ? '#eeeeee' : "
                            "datum.properties.deaths > 0 ? "
                            "scale('colour', datum.properties.deaths) : '#f7f4ef'"
                        },
                        "stroke": {"value": "#7a7a7a"},
                        "strokeWidth": {"value": 0.7},
                        "tooltip": {"signal": region_tip},
                    },
                    "hover": {"stroke": {"value": "#111"}, "strokeWidth": {"value": 1.6}},
                },
                "transform": [{"type": "geoshape", "projection": "projection"}],
            }
        )
        if any(f["properties"]["deaths"] is not None for f in features):
            legends.append(
                {
                    "fill": "colour",
                    "title": w["title_regions"],
                    "orient": "bottom-right",
                    "type": "gradient",
                    "gradientLength": 110,
                    "direction": "horizontal",
                    "format": ",.0f",
                    "fillColor": "rgba(255,255,255,0.85)",
                    "padding": 6,
                    "labelLimit": 260,
                }
            )
    if points:
        marks.append(
            {
                "type": "symbol",
                "name": "point-marks",
                "from": {"data": "points"},
                "encode": {
                    "update": {
                        "x": {"field": "px"},
                        "y": {"field": "py"},
                        "shape": {"signal": "datum.text ? 'diamond' : 'circle'"},
                        "size": {
                            "signal": "isValid(datum.deaths) && datum.deaths > 0 ? "
                            "scale('size', datum.deaths) : 110"
                        },
                        "fill": {"signal": "datum.text ? '#1f4f8a' : '#7a1010'"},
                        "fillOpacity": {"value": 0.6},
                        "stroke": {"value": "#fff"},
                        "strokeWidth": {"value": 0.7},
                        "tooltip": {"signal": point_tip},
                    },
                    "hover": {"fillOpacity": {"value": 0.95}},
                },
            }
        )
        if any(not p["text"] and p["deaths"] for p in points):
            legends.append(
                {
                    "size": "size",
                    "title": w["col_deaths"],
                    "orient": "top-right",
                    "symbolFillColor": "#7a1010",
                    "symbolOpacity": 0.6,
                    "symbolStrokeColor": "#fff",
                    "format": ",.0f",
                    "values": _size_ticks(max_point),
                    "fillColor": "rgba(255,255,255,0.85)",
                    "padding": 6,
                    "labelLimit": 260,
                }
            )
        if any(p["text"] for p in points):
            legends.append(
                {
                    "shape": "kind",
                    "orient": "top-left",
                    "symbolFillColor": "#1f4f8a",
                    "symbolOpacity": 0.6,
                    "values": [from_text]
                    + ([counted] if any(not p["text"] for p in points) else []),
                    "encode": {
                        "symbols": {
                            "update": {
                                "fill": {
                                    "signal": f"datum.value === {_js(from_text)} ? "
                                    "'#1f4f8a' : '#7a1010'"
                                }
                            }
                        }
                    },
                    "fillColor": "rgba(255,255,255,0.85)",
                    "padding": 6,
                    "labelLimit": 260,
                }
            )
    if labels:
        text = {
            "x": {"field": "px"},
            "y": {"field": "py"},
            "text": {"field": "name"},
            "align": {"value": "center"},
            "baseline": {"value": "middle"},
            "fontSize": {"signal": "clamp(9 + cam[0] + width / 400, 10, 16)"},
            "fontWeight": {"value": 600},
        }
        marks.append(
            {
                "type": "text",
                "name": "label-halo",
                "from": {"data": "labels"},
                "interactive": False,
                "encode": {
                    "update": {
                        **text,
                        "fill": {"value": "#fff"},
                        "stroke": {"value": "#fff"},
                        "strokeWidth": {"value": 3},
                        "strokeOpacity": {"value": 0.85},
                        "strokeJoin": {"value": "round"},
                    }
                },
            }
        )
        marks.append(
            {
                "type": "text",
                "name": "label-text",
                "from": {"data": "labels"},
                "interactive": False,
                "encode": {"update": {**text, "fill": {"value": "#1a1a1a"}}},
            }
        )
    return marks, legends, scales, data


def _size_ticks(top: float) -> list[float]:
    """Three round values up to ``top`` for the point-size legend."""
    if top <= 1:
        return [1.0]
    mag = 10 ** math.floor(math.log10(top))
    hi = math.floor(top / mag) * mag
    ticks = sorted({max(1.0, round(hi / 10)), max(1.0, round(hi / 3)), float(hi)})
    return [float(t) for t in ticks]


def _js(text: str) -> str:
    """A Vega expression string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
