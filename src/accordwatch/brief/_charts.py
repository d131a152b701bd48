"""Vega-Lite specs for the charts of a briefing, from its section frames.

Each function returns a plain Vega-Lite dict with the data inlined, or ``None`` when the
frame holds nothing to draw.  ``static=True`` gives the PDF variant: a fixed width and no
interaction; otherwise the chart fills its container (``width: "container"``), zooms and pans
along the time axis (wheel / drag) and shows tooltips.  Dates go to Vega as ISO strings on a
UTC time scale, so a date is drawn on its own day whatever the reader's time zone.

The specs are written as dicts (no chart library at run time: building and checking them
with one costs more than the rest of the page); tests/brief/test_render.py checks every
spec against the Vega-Lite schema that altair ships.

``words`` maps the label keys used below (``deaths``, ``month`` …) to the briefing's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = [
    "STATIC_FONT",
    "STATIC_WIDTH",
    "actors_chart",
    "dyads_chart",
    "fan_chart",
    "index_chart",
    "milestone_rows",
    "risk_chart",
    "timeline_actor_chart",
    "timeline_type_chart",
]

STATIC_WIDTH = 620
#: the font of the PDF's charts: the one vl-convert measures the labels in must be the one
#: WeasyPrint draws them in, or right-aligned labels run off the chart
STATIC_FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
_HEIGHT = 230
_RED = "#b03a2e"
_TYPE_COLOURS = ["#b03a2e", "#2e6fb0", "#d9a21b", "#5b8c3a", "#7d5ba6"]
_AXIS_DATE = "%b %Y"
_TYPES = {"Q": "quantitative", "N": "nominal", "T": "temporal", "O": "ordinal"}
#: the zoom selection and the layer it is defined on
_ZOOM = "zoom"
_ZOOM_VIEW = "zoomed"

_Spec = dict[str, Any]


def _iso(values: pd.Series) -> list[str]:
    """Dates (date, datetime or ISO text) as ``YYYY-MM-DD`` strings."""
    return [d.date().isoformat() for d in pd.to_datetime(values)]


def _next_month(values: pd.Series) -> list[str]:
    """The first day of the month after each date, as ``YYYY-MM-DD``."""
    starts = pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()
    return [(d + pd.DateOffset(months=1)).date().isoformat() for d in starts]


def _ch(shorthand: str, **props: Any) -> _Spec:
    """An encoding channel from ``field:T`` or ``aggregate(field):T`` (the type letter is
    Q, N, T or O; none for the second channel of a range, ``x2`` / ``y2``) and its
    properties."""
    name, _, kind = shorthand.partition(":")
    out: _Spec = {}
    if name.endswith(")"):
        aggregate, name = name[:-1].split("(", 1)
        out["aggregate"] = aggregate
    out["field"] = name
    if kind:
        out["type"] = _TYPES[kind]
    out.update(props)
    return out


def _tip(shorthand: str, title: str, fmt: str | None = None) -> _Spec:
    """A tooltip entry (with a d3 number format when given)."""
    return _ch(shorthand, title=title, **({"format": fmt} if fmt else {}))


def _mark(kind: str, **props: Any) -> _Spec:
    return {"type": kind, **props}


def _utc_x(field: str, **props: Any) -> _Spec:
    """A temporal x channel on a UTC scale."""
    return _ch(f"{field}:T", scale={"type": "utc"}, **props)


def _month_x() -> _Spec:
    """The monthly x axis of the timelines and the fan chart."""
    return _utc_x("month", title=None, axis={"format": _AXIS_DATE, "labelOverlap": True})


class _Sets:
    """The chart's data, put in the spec's top-level ``datasets`` (each named once, however
    many layers draw it)."""

    def __init__(self) -> None:
        self.values: dict[str, list[dict[Any, Any]]] = {}

    def __call__(self, rows: list[dict[Any, Any]]) -> _Spec:
        name = f"data{len(self.values)}"
        self.values[name] = rows
        return {"name": name}


def _view(data: _Spec, mark: _Spec, encoding: _Spec) -> _Spec:
    return {"data": data, "mark": mark, "encoding": encoding}


def _zoom(spec: _Spec, *, view: str | None = None) -> _Spec:
    """Wheel-zoom and drag-pan along x: an interval selection bound to the scales, on the
    chart itself or (in a layered chart) on its layer named ``view``."""
    param: _Spec = {"name": _ZOOM, "select": {"type": "interval", "encodings": ["x"]}}
    param["bind"] = "scales"
    if view is not None:
        param["views"] = [view]
    spec["params"] = [param]
    return spec


def _layered(layers: list[_Spec], *, zoom: bool) -> _Spec:
    """Layers drawn over each other; their data goes to the top when they all draw the same
    data set; with ``zoom`` the first layer carries the zoom selection."""
    if zoom:
        layers[0]["name"] = _ZOOM_VIEW
    spec: _Spec = {"layer": layers}
    first = layers[0].get("data")
    if first is not None and all(layer.get("data") == first for layer in layers):
        spec["data"] = first
        for layer in layers:
            del layer["data"]
    return _zoom(spec, view=_ZOOM_VIEW) if zoom else spec


def _finish(
    spec: _Spec, sets: _Sets, *, static: bool, description: str, height: int = _HEIGHT
) -> _Spec:
    """The chart's dict with its data, width, height, description and the shared
    configuration."""
    config: _Spec = {"view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None}}
    if static:  # measured by vl-convert and drawn by WeasyPrint in the same font
        config["font"] = STATIC_FONT
    # no grid lines on paper: fewer shapes for the PDF to draw, and the axes suffice
    config["axis"] = {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "grid": not static,
        "gridColor": "#eee",
    }
    # legends under the chart in columns, so that a phone-wide chart does not overflow
    config["legend"] = {
        "orient": "bottom",
        "labelFontSize": 11,
        "titleFontSize": 11,
        "columns": 4 if static else 2,
        "labelLimit": 220,
    }
    return {
        "config": config,
        **spec,
        "width": STATIC_WIDTH if static else "container",
        "height": height,
        "description": description,
        "datasets": sets.values,
    }


def milestone_rows(milestones: pd.DataFrame) -> list[dict[str, Any]]:
    """Milestones ready to draw: number, start, end (exclusive, for month/year precision),
    the date as written at its precision, label, kind, source."""
    if milestones is None or milestones.empty:
        return []
    rows: list[dict[str, Any]] = []
    ordered = milestones.assign(at=pd.to_datetime(milestones["date"])).sort_values("at")
    for n, rec in enumerate(ordered.to_dict("records"), start=1):
        when = pd.Timestamp(str(rec["at"]))
        prec = str(rec.get("precision") or "day")
        if prec == "year":
            start = dt.date(when.year, 1, 1)
            end: dt.date | None = dt.date(when.year + 1, 1, 1)
            shown = f"{when.year}"
        elif prec == "month":
            start = dt.date(when.year, when.month, 1)
            end = (pd.Timestamp(start) + pd.DateOffset(months=1)).date()
            shown = f"{when.year}-{when.month:02d}"
        else:
            start, end, shown = when.date(), None, when.date().isoformat()
        rows.append(
            {
                "n": n,
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
                "when": shown,
                "precision": prec,
                "label": _cell(rec.get("label")),
                "kind": _cell(rec.get("kind")).replace("_", " "),
                "source": _cell(rec.get("source")),
            }
        )
    return rows


def _cell(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _milestone_layers(
    milestones: pd.DataFrame, words: Mapping[str, str], lo: str, hi: str, sets: _Sets
) -> list[_Spec]:
    """Rules at exact-day milestones, shaded spans for month / year precision, and a numbered
    marker above each; only those inside [lo, hi) (ISO dates)."""
    rows = [r for r in milestone_rows(milestones) if lo <= r["start"] < hi]
    if not rows:
        return []

    def tip() -> list[_Spec]:
        return [
            _tip("n:N", "#"),
            _tip("when:N", words["col_date"]),
            _tip("precision:N", words["col_precision"]),
            _tip("label:N", words["col_label"]),
            _tip("kind:N", words["col_kind"]),
            _tip("source:N", words["col_source"]),
        ]

    layers = []
    spans = [r for r in rows if r["end"] is not None]
    if spans:  # known to the month or year: the whole month or year is shaded
        layers.append(
            _view(
                sets(spans),
                _mark("rect", color="#555", opacity=0.14),
                {"x": _utc_x("start"), "x2": _ch("end"), "tooltip": tip()},
            )
        )
    days = [r for r in rows if r["end"] is None]
    if days:  # known to the day: a rule at that day
        layers.append(
            _view(
                sets(days),
                _mark("rule", color="#333", strokeDash=[4, 3], strokeWidth=1.2),
                {"x": _utc_x("start"), "tooltip": tip()},
            )
        )
    number = _mark(
        "text",
        dx=4,
        dy=2,
        fontSize=11,
        fontWeight="bold",
        color="#333",
        align="left",
        baseline="top",
    )
    layers.append(
        _view(
            sets(rows),
            number,
            {"x": _utc_x("start"), "y": {"value": 0}, "text": _ch("n:N"), "tooltip": tip()},
        )
    )
    return layers


def timeline_type_chart(
    by_type: pd.DataFrame,
    milestones: pd.DataFrame,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """Monthly deaths stacked by type of violence, with the milestones marked."""
    if by_type is None or by_type.empty:
        return None
    sets = _Sets()
    frame = pd.DataFrame(
        {
            "month": _iso(by_type["month"]),
            "end": _next_month(by_type["month"]),
            "type": by_type["type"].astype(str).to_list(),
            "deaths": pd.to_numeric(by_type["deaths"]).astype(float).to_list(),
        }
    )
    frame["label"] = [m[:7] for m in frame["month"]]
    types = sorted(frame["type"].unique())
    bars = _view(
        sets(frame.to_dict("records")),
        _mark("bar", opacity=0.9),
        {
            "x": _month_x(),
            "x2": _ch("end"),
            "y": _ch("sum(deaths):Q", title=words["col_deaths"], stack="zero"),
            "color": _ch(
                "type:N",
                title=words["col_type"],
                scale={"domain": types, "range": _TYPE_COLOURS[: max(len(types), 1)]},
            ),
            "tooltip": [
                _tip("label:N", words["col_month"]),
                _tip("type:N", words["col_type"]),
                _tip("sum(deaths):Q", words["col_deaths"], ",.0f"),
            ],
        },
    )
    lo, hi = min(frame["month"]), max(frame["end"])
    layers = [bars, *_milestone_layers(milestones, words, lo, hi, sets)]
    spec = _layered(layers, zoom=not static)
    return _finish(spec, sets, static=static, description=description)


def timeline_actor_chart(
    by_actor: pd.DataFrame,
    milestones: pd.DataFrame,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """Monthly deaths by actor (one line each), with the milestones marked."""
    if by_actor is None or by_actor.empty:
        return None
    sets = _Sets()
    frame = pd.DataFrame(
        {
            "month": _iso(by_actor["month"]),
            "actor": by_actor["actor"].astype(str).to_list(),
            "deaths": pd.to_numeric(by_actor["deaths"]).astype(float).to_list(),
        }
    )
    frame["label"] = [m[:7] for m in frame["month"]]
    lines = _view(
        sets(frame.to_dict("records")),
        _mark("line", point=False if static else {"size": 18}, strokeWidth=1.6),
        {
            "x": _month_x(),
            "y": _ch("deaths:Q", title=words["col_deaths"]),
            "color": _ch("actor:N", title=words["col_actor"], scale={"scheme": "tableau10"}),
            "tooltip": [
                _tip("label:N", words["col_month"]),
                _tip("actor:N", words["col_actor"]),
                _tip("deaths:Q", words["col_deaths"], ",.0f"),
            ],
        },
    )
    lo, hi = min(frame["month"]), max(_next_month(by_actor["month"]))
    layers = [lines, *_milestone_layers(milestones, words, lo, hi, sets)]
    spec = _layered(layers, zoom=not static)
    return _finish(spec, sets, static=static, description=description, height=260)


def _bars(
    frame: pd.DataFrame,
    label: str,
    label_title: str,
    words: Mapping[str, str],
    *,
    static: bool,
    description: str,
    top: int = 15,
) -> dict[str, Any]:
    """Horizontal bars of deaths per ``label``, the deadliest ``top`` first."""
    sets = _Sets()
    data = frame.sort_values("deaths", ascending=False).head(top)
    values = [
        {"name": str(n), "deaths": float(d), "events": int(e)}
        for n, d, e in zip(data[label], data["deaths"], data["events"], strict=True)
    ]
    # long names get less room on a narrow screen (a phone), more on paper
    limit: Any = 260 if static else {"expr": "containerSize()[0] < 520 ? 120 : 220"}
    spec = _view(
        sets(values),
        _mark("bar", color=_RED),
        {
            "y": _ch("name:N", sort="-x", title=None, axis={"labelLimit": limit}),
            "x": _ch("deaths:Q", title=words["col_deaths"]),
            "tooltip": [
                _tip("name:N", label_title),
                _tip("deaths:Q", words["col_deaths"], ",.0f"),
                _tip("events:Q", words["col_events"], ",.0f"),
            ],
        },
    )
    return _finish(
        spec, sets, static=static, description=description, height=max(18 * len(values), 60)
    )


def actors_chart(
    actors: pd.DataFrame,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """Deaths per actor, the deadliest first."""
    if actors is None or actors.empty:
        return None
    return _bars(actors, "actor", words["col_actor"], words, static=static, description=description)


def dyads_chart(
    dyads: pd.DataFrame,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """Deaths per dyad (side A – side B), the deadliest first."""
    if dyads is None or dyads.empty:
        return None
    named = dyads.assign(dyad=dyads["side_a"].astype(str) + " – " + dyads["side_b"].astype(str))
    return _bars(named, "dyad", words["col_dyad"], words, static=static, description=description)


def index_chart(
    index: pd.DataFrame,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """The implementation index (0–100) over time, overall (thick) and by theme."""
    if index is None or index.empty:
        return None
    sets = _Sets()
    periods = pd.to_datetime(index["period"].astype(str), errors="coerce")
    temporal = bool(periods.notna().all())
    frame = pd.DataFrame(
        {
            "period": _iso(periods) if temporal else index["period"].astype(str).to_list(),
            "theme": index["theme"].astype(str).to_list(),
            "index": pd.to_numeric(index["index"]).astype(float).to_list(),
        }
    )
    overall = str(words.get("label_overall", "overall"))
    frame["overall"] = frame["theme"].isin([overall, "overall"])
    x = (
        _utc_x("period", title=None, axis={"format": "%Y", "tickCount": "year"})
        if temporal
        else _ch("period:O", title=None)
    )
    themes = sorted(t for t in frame["theme"].unique() if t not in (overall, "overall"))
    first = [t for t in frame["theme"].unique() if t in (overall, "overall")][:1] or [overall]
    spec = _view(
        sets(frame.to_dict("records")),
        _mark("line", point={"size": 20}),
        {
            "x": x,
            "y": _ch("index:Q", title=words["col_index"], scale={"domain": [0, 100]}),
            "color": _ch(
                "theme:N",
                title=words["col_theme"],
                scale={
                    "domain": [*first, *themes],
                    "range": ["#111111", *_theme_colours(len(themes))],
                },
            ),
            "strokeWidth": {"condition": {"test": "datum.overall", "value": 3.2}, "value": 1.3},
            "tooltip": [
                _tip("period:N", words["col_period"]),
                _tip("theme:N", words["col_theme"]),
                _tip("index:Q", words["col_index"], ".1f"),
            ],
        },
    )
    if not static and temporal:
        spec = _zoom(spec)
    return _finish(spec, sets, static=static, description=description, height=250)


def _theme_colours(n: int) -> list[str]:
    base = ["#2e6fb0", "#d9a21b", "#5b8c3a", "#b03a2e", "#7d5ba6", "#1b9e9e", "#a6611a", "#999"]
    return [base[i % len(base)] for i in range(n)]


def fan_chart(
    history: pd.DataFrame,
    fan: pd.DataFrame,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """Observed monthly deaths, then the forecast's median with its 50 % and 90 % bands; a
    dotted rule marks the last observed month."""
    if fan is None or fan.empty:
        return None
    sets = _Sets()
    hist = (
        pd.DataFrame(
            {
                "month": _iso(history["month"]),
                "deaths": pd.to_numeric(history["deaths"]).astype(float).to_list(),
            }
        )
        if history is not None and not history.empty
        else pd.DataFrame({"month": [], "deaths": []})
    )
    cols = ["median", "lo50", "hi50", "lo90", "hi90"]
    fc = pd.DataFrame({"month": _iso(fan["month"])})
    for c in cols:
        fc[c] = pd.to_numeric(fan[c]).astype(float).to_list()
    if len(hist):  # join the fan to the last observed month
        last = hist.iloc[-1]
        joint = {"month": last["month"], **{c: float(last["deaths"]) for c in cols}}
        band = pd.concat([pd.DataFrame([joint]), fc], ignore_index=True)
    else:
        band = fc
    band["label"] = [m[:7] for m in band["month"]]
    hist["label"] = [m[:7] for m in hist["month"]]
    bdata = sets(band.to_dict("records"))

    def tip() -> list[_Spec]:
        return [
            _tip("label:N", words["col_month"]),
            _tip("median:Q", words["col_median"], ",.0f"),
            _tip("lo50:Q", words["col_lo50"], ",.0f"),
            _tip("hi50:Q", words["col_hi50"], ",.0f"),
            _tip("lo90:Q", words["col_lo90"], ",.0f"),
            _tip("hi90:Q", words["col_hi90"], ",.0f"),
        ]

    band90 = _view(
        bdata,
        _mark("area", color=_RED, opacity=0.16),
        {
            "x": _month_x(),
            "y": _ch("lo90:Q", title=words["col_deaths"]),
            "y2": _ch("hi90"),
            "tooltip": tip(),
        },
    )
    band50 = _view(
        dict(bdata),
        _mark("area", color=_RED, opacity=0.32),
        {"x": _month_x(), "y": _ch("lo50:Q"), "y2": _ch("hi50"), "tooltip": tip()},
    )
    median = _view(
        dict(bdata),
        _mark("line", color=_RED, strokeDash=[5, 3], strokeWidth=1.8),
        {"x": _month_x(), "y": _ch("median:Q"), "tooltip": tip()},
    )
    layers = [band90, band50, median]
    if len(hist):
        observed = _view(
            sets(hist.to_dict("records")),
            _mark(
                "line",
                color="#333",
                strokeWidth=1.5,
                point=False if static else {"size": 14},
            ),
            {
                "x": _month_x(),
                "y": _ch("deaths:Q"),
                "tooltip": [
                    _tip("label:N", words["col_month"]),
                    _tip("deaths:Q", words["label_observed"], ",.0f"),
                ],
            },
        )
        end = _view(
            sets([{"month": hist["month"].iloc[-1]}]),
            _mark("rule", color="#777", strokeDash=[1, 3]),
            {"x": _month_x()},
        )
        layers = [*layers, observed, end]
    spec = _layered(layers, zoom=not static)
    return _finish(spec, sets, static=static, description=description, height=250)


def risk_chart(
    fan: pd.DataFrame,
    words: Mapping[str, str],
    *,
    static: bool = False,
    description: str = "",
) -> dict[str, Any] | None:
    """P(≥ 25) and P(≥ 100) deaths per forecast month, as grouped bars (0–100 %)."""
    if fan is None or fan.empty or not {"p25", "p100"} <= set(fan.columns):
        return None
    sets = _Sets()
    values = []
    for month, p25, p100 in zip(_iso(fan["month"]), fan["p25"], fan["p100"], strict=True):
        for key, p in ((words["col_p25"], p25), (words["col_p100"], p100)):
            if pd.notna(p):
                values.append({"month": month[:7], "threshold": key, "p": float(p)})
    if not values:
        return None
    spec = _view(
        sets(values),
        _mark("bar"),
        {
            "x": _ch("month:O", title=None, axis={"labelAngle": -45}),
            "xOffset": _ch("threshold:N"),
            "y": _ch(
                "p:Q",
                title=words["col_probability"],
                axis={"format": "%"},
                scale={"domain": [0, 1]},
            ),
            "color": _ch(
                "threshold:N",
                title=None,
                scale={
                    "domain": [words["col_p25"], words["col_p100"]],
                    "range": ["#e08e45", "#8e1b10"],
                },
            ),
            "tooltip": [
                _tip("month:N", words["col_month"]),
                _tip("threshold:N", words["col_threshold"]),
                _tip("p:Q", words["col_probability"], ".0%"),
            ],
        },
    )
    return _finish(spec, sets, static=static, description=description, height=180)
