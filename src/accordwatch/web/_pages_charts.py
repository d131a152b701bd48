"""The pages' charts as Vega / Vega-Lite specs (plain dicts, data inlined).

The first screen's map of the change in deaths by admin-1 region is drawn here (a diverging
scale around no change); the other charts are the briefing's (:mod:`accordwatch.brief`): the
events map, the monthly timeline by type of violence, the dyads and the implementation index,
so a page and a briefing show the same numbers the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

__all__ = [
    "change_map",
    "dyads_chart",
    "events_map",
    "index_chart",
    "spec_json",
    "timeline_chart",
    "words",
]

_VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
_NO_DATA = "#eeeeee"
_TEXT_EVENT = "#1f4f8a"


@cache
def words() -> dict[str, str]:
    """The briefing's English words (column titles, legends) the charts use."""
    from ..brief._html import words as briefing_words

    return briefing_words("en")


def spec_json(spec: Mapping[str, Any]) -> str:
    """A spec as JSON that is safe inside ``<script type="application/json">``: ``<``, ``>``
    and ``&`` are written as JSON escapes (they only occur inside strings)."""
    text = json.dumps(spec, ensure_ascii=False, allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _tip(field: str, title: str, fmt: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"field": field, "title": title}
    if fmt:
        out.update(type="quantitative", format=fmt)
    return out


def change_map(
    regions: Sequence[Mapping[str, Any]],
    geometry: Mapping[str, Any],
    text_points: Sequence[Mapping[str, Any]] = (),
    *,
    description: str = "",
) -> dict[str, Any] | None:
    """The change in deaths by admin-1 region as a Vega-Lite map: regions (Natural Earth
    outlines where bundled) on a diverging scale — red more deaths than the previous period,
    blue fewer, grey not counted — with their names; without outlines, one circle per region
    at the mean place of its events, sized by its deaths.  Reviewed events from text are
    dark blue diamonds.  None when there is nothing to draw."""
    from ..brief._map import region_labels, wound_clockwise

    shaped = wound_clockwise(geometry or {})
    by_name = {str(r["admin1"]): r for r in regions}
    features = []
    for feat in shaped["features"]:
        name = str(feat["properties"].get("admin1", ""))
        rec = by_name.get(name, {})
        feat["properties"] = {
            "admin1": name,
            "now": rec.get("now"),
            "before": rec.get("before"),
            "change": rec.get("change"),
        }
        features.append(feat)
    changes = [abs(float(r["change"])) for r in regions if r.get("change") is not None]
    top = max([*changes, 1.0])
    scale = {"scheme": "redblue", "reverse": True, "domain": [-top, top], "domainMid": 0}
    legend: dict[str, Any] | None = (
        {"title": "Change in deaths", "orient": "bottom", "gradientLength": 160}
        if changes
        else None
    )
    layers: list[dict[str, Any]] = []
    tips = [
        _tip("admin1", "Region"),
        _tip("now", "Deaths", ",.0f"),
        _tip("before", "Previous period", ",.0f"),
        _tip("change", "Change", "+,.0f"),
    ]
    if features:
        layers.append(
            {
                "data": {"values": features},
                # invalid "show": a region not counted is drawn grey, not left out
                "mark": {
                    "type": "geoshape",
                    "stroke": "#6b6b6b",
                    "strokeWidth": 0.7,
                    "invalid": "show",
                },
                "encoding": {
                    "color": {
                        "condition": {
                            "test": "!isValid(datum.properties.change)",
                            "value": _NO_DATA,
                        },
                        "field": "properties.change",
                        "type": "quantitative",
                        "scale": scale,
                        "legend": legend,
                    },
                    "tooltip": [{**t, "field": "properties." + t["field"]} for t in tips],
                },
            }
        )
        labels = region_labels(shaped)
        if labels:
            layers.append(_labels(labels))
    else:
        placed = [
            {k: r.get(k) for k in ("admin1", "now", "before", "change", "lat", "lon")}
            for r in regions
            if r.get("lat") is not None and r.get("lon") is not None
        ]
        if placed:
            sizes = [max(float(r["now"] or 0), float(r["before"] or 0)) for r in placed]
            top_size = max([*sizes, 1.0])
            ticks = sorted(
                {max(1, round(top_size / 10)), max(1, round(top_size / 2)), round(top_size)}
            )
            layers.append(
                {
                    "data": {"values": placed},
                    "mark": {
                        "type": "circle",
                        "stroke": "#444",
                        "strokeWidth": 0.6,
                        "opacity": 0.9,
                    },
                    "encoding": {
                        "longitude": {"field": "lon", "type": "quantitative"},
                        "latitude": {"field": "lat", "type": "quantitative"},
                        "color": {
                            "field": "change",
                            "type": "quantitative",
                            "scale": scale,
                            "legend": legend,
                        },
                        "size": {
                            "field": "now",
                            "type": "quantitative",
                            "title": "Deaths",
                            "scale": {"domain": [0, top_size], "range": [30, 900]},
                            "legend": {
                                "values": ticks,
                                "symbolFillColor": "#bbbbbb",
                                "symbolStrokeColor": "#444",
                                "orient": "bottom",
                            },
                        },
                        "tooltip": tips,
                    },
                }
            )
            layers.append(
                _labels(
                    [{"name": r["admin1"], "lon": r["lon"], "lat": r["lat"]} for r in placed],
                    dy=-14,
                )
            )
    if text_points:
        layers.append(
            {
                "data": {"values": list(text_points)},
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "filled": True,
                    "size": 90,
                    "color": _TEXT_EVENT,
                    "opacity": 0.85,
                },
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "tooltip": [
                        _tip("place", "Reviewed event from text"),
                        _tip("date", "Date"),
                        _tip("deaths", "Deaths", ",.0f"),
                    ],
                },
            }
        )
    if not layers:
        return None
    return {
        "$schema": _VL_SCHEMA,
        "description": description,
        "width": "container",
        "height": 380,
        "autosize": {"type": "fit", "contains": "padding"},
        "projection": {"type": "mercator"},
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }


def _labels(labels: Sequence[Mapping[str, Any]], dy: int = 0) -> dict[str, Any]:
    """Region names at their anchors, with a white halo."""
    enc = {
        "longitude": {"field": "lon", "type": "quantitative"},
        "latitude": {"field": "lat", "type": "quantitative"},
        "text": {"field": "name"},
    }
    text = {"type": "text", "fontSize": 11, "fontWeight": 600, "dy": dy}
    return {
        "data": {"values": list(labels)},
        "layer": [
            {
                "mark": {**text, "stroke": "#fff", "strokeWidth": 3, "strokeOpacity": 0.85},
                "encoding": enc,
            },
            {"mark": {**text, "color": "#1a1a1a"}, "encoding": enc},
        ],
    }


def events_map(
    points: Any, geometry: Mapping[str, Any], regions: Any = None, *, description: str = ""
) -> dict[str, Any] | None:
    """The explorer's map: the briefing's Vega map (points sized by deaths, admin-1 outlines
    shaded by deaths where bundled; zoom and pan)."""
    import pandas as pd

    from ..brief._map import map_spec
    from ..brief._model import MapData

    frame = points if isinstance(points, pd.DataFrame) else pd.DataFrame(points)
    data = MapData(
        geometry=dict(geometry or {}),
        points=frame,
        regions=regions if isinstance(regions, pd.DataFrame) else pd.DataFrame(),
    )
    return map_spec(data, words(), description=description)


def timeline_chart(
    by_type: Sequence[Mapping[str, Any]], *, description: str = ""
) -> dict[str, Any] | None:
    """Monthly deaths stacked by type of violence (the briefing's timeline chart); rows
    ``month`` (``YYYY-MM``), ``type`` (label), ``deaths``."""
    import pandas as pd

    from ..brief import _charts

    if not by_type:
        return None
    frame = pd.DataFrame(
        {
            "month": [pd.Timestamp(str(r["month"])[:7] + "-01").date() for r in by_type],
            "type": [str(r["type"]) for r in by_type],
            "deaths": [float(r["deaths"] or 0.0) for r in by_type],
        }
    )
    empty = pd.DataFrame(columns=["date", "precision", "label", "kind", "source"])
    return _charts.timeline_type_chart(frame, empty, words(), description=description)


def dyads_chart(
    dyads: Sequence[Mapping[str, Any]], *, description: str = ""
) -> dict[str, Any] | None:
    """Deaths per dyad, the deadliest first (the briefing's chart)."""
    import pandas as pd

    from ..brief import _charts

    if not dyads:
        return None
    frame = pd.DataFrame(
        {
            "side_a": [d["side_a"] for d in dyads],
            "side_b": [d["side_b"] for d in dyads],
            "deaths": [float(d["deaths"] or 0.0) for d in dyads],
            "events": [int(d["events"]) for d in dyads],
        }
    )
    return _charts.dyads_chart(frame, words(), description=description)


def index_chart(
    index: Sequence[Mapping[str, Any]], *, description: str = ""
) -> dict[str, Any] | None:
    """The implementation index (0–100) over time, overall and by theme (the briefing's
    chart); rows ``date``, ``group`` (``overall`` or the theme), ``index``."""
    import pandas as pd

    from ..brief import _charts

    rows = [r for r in index if r.get("index") is not None]
    if not rows:
        return None
    frame = pd.DataFrame(
        {
            "period": [str(r["date"]) for r in rows],
            "theme": [str(r["group"]) for r in rows],
            "index": [float(r["index"]) for r in rows],
        }
    )
    return _charts.index_chart(frame, words(), description=description)
