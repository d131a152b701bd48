"""Vega-Lite specs (built with Altair) for the charts of a briefing, from its section frames.

Each function returns a plain Vega-Lite dict with the data inlined, or ``None`` when the
frame holds nothing to draw.  ``static=True`` gives the PDF variant: a fixed width and no
interaction; otherwise the chart fills its container (``width: "container"``), zooms and pans
along the time axis (wheel / drag) and shows tooltips.  Dates go to Vega as ISO strings on a
UTC time scale, so a date is drawn on its own day whatever the reader's time zone.

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


def _alt() -> Any:
    """Altair, imported when a chart is built (it costs most of a second to load)."""
    import altair as alt

    return alt


def _iso(values: pd.Series) -> list[str]:
    """Dates (date, datetime or ISO text) as ``YYYY-MM-DD`` strings."""
    return [d.date().isoformat() for d in pd.to_datetime(values)]


def _next_month(values: pd.Series) -> list[str]:
    """The first day of the month after each date, as ``YYYY-MM-DD``."""
    starts = pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()
    return [(d + pd.DateOffset(months=1)).date().isoformat() for d in starts]


class _Sets:
    """The chart's data, kept out of Altair (which deep-copies inline values) and put in the
    spec's top-level ``datasets`` when it is finished."""

    def __init__(self) -> None:
        self.values: dict[str, list[dict[Any, Any]]] = {}

    def __call__(self, rows: list[dict[Any, Any]]) -> Any:
        name = f"data{len(self.values)}"
        self.values[name] = rows
        return _alt().NamedData(name=name)


def _finish(
    chart: Any, sets: _Sets, *, static: bool, description: str, height: int = _HEIGHT
) -> dict[str, Any]:
    """The chart's dict with its data, width, height, description and the shared
    configuration."""
    chart = chart.properties(
        width=STATIC_WIDTH if static else "container",
        height=height,
        description=description,
    )
    if static:  # measured by vl-convert and drawn by WeasyPrint in the same font
        chart = chart.configure(font=STATIC_FONT)
    chart = chart.configure_view(stroke=None)
    # no grid lines on paper: fewer shapes for the PDF to draw, and the axes suffice
    chart = chart.configure_axis(
        labelFontSize=11, titleFontSize=11, grid=not static, gridColor="#eee"
    )
    # legends under the chart in columns, so that a phone-wide chart does not overflow
    chart = chart.configure_legend(
        orient="bottom",
        labelFontSize=11,
        titleFontSize=11,
        columns=4 if static else 2,
        labelLimit=220,
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec.pop("$schema", None)  # vega-embed needs no schema URL; keeps the page offline-clean
    spec["datasets"] = sets.values
    return spec


def _time_zoom(static: bool) -> Any | None:
    """Wheel-zoom and drag-pan along x (an interval selection bound to the scales)."""
    if static:
        return None
    return _alt().selection_interval(bind="scales", encodings=["x"])


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
) -> list[Any]:
    """Rules at exact-day milestones, shaded spans for month / year precision, and a numbered
    marker above each; only those inside [lo, hi) (ISO dates)."""
    alt = _alt()
    rows = [r for r in milestone_rows(milestones) if lo <= r["start"] < hi]
    if not rows:
        return []
    tip = [
        alt.Tooltip("n:N", title="#"),
        alt.Tooltip("when:N", title=words["col_date"]),
        alt.Tooltip("precision:N", title=words["col_precision"]),
        alt.Tooltip("label:N", title=words["col_label"]),
        alt.Tooltip("kind:N", title=words["col_kind"]),
        alt.Tooltip("source:N", title=words["col_source"]),
    ]
    x = alt.X("start:T", scale=alt.Scale(type="utc"))
    layers = []
    spans = [r for r in rows if r["end"] is not None]
    if spans:  # known to the month or year: the whole month or year is shaded
        layers.append(
            alt.Chart(sets(spans))
            .mark_rect(color="#555", opacity=0.14)
            .encode(x=x, x2="end:T", tooltip=tip)
        )
    days = [r for r in rows if r["end"] is None]
    if days:  # known to the day: a rule at that day
        layers.append(
            alt.Chart(sets(days))
            .mark_rule(color="#333", strokeDash=[4, 3], strokeWidth=1.2)
            .encode(x=x, tooltip=tip)
        )
    layers.append(
        alt.Chart(sets(rows))
        .mark_text(
            dx=4, dy=2, fontSize=11, fontWeight="bold", color="#333", align="left", baseline="top"
        )
        .encode(x=x, y=alt.value(0), text="n:N", tooltip=tip)
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
    alt = _alt()
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
    bars = (
        alt.Chart(sets(frame.to_dict("records")))
        .mark_bar(opacity=0.9)
        .encode(
            x=alt.X(
                "month:T",
                scale=alt.Scale(type="utc"),
                title=None,
                axis=alt.Axis(format=_AXIS_DATE, labelOverlap=True),
            ),
            x2="end:T",
            y=alt.Y("sum(deaths):Q", title=words["col_deaths"], stack="zero"),
            color=alt.Color(
                "type:N",
                title=words["col_type"],
                scale=alt.Scale(domain=types, range=_TYPE_COLOURS[: max(len(types), 1)]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=words["col_month"]),
                alt.Tooltip("type:N", title=words["col_type"]),
                alt.Tooltip("sum(deaths):Q", title=words["col_deaths"], format=",.0f"),
            ],
        )
    )
    zoom = _time_zoom(static)
    if zoom is not None:
        bars = bars.add_params(zoom)
    lo, hi = min(frame["month"]), max(frame["end"])
    layers = [bars, *_milestone_layers(milestones, words, lo, hi, sets)]
    return _finish(alt.layer(*layers), sets, static=static, description=description)


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
    alt = _alt()
    sets = _Sets()
    frame = pd.DataFrame(
        {
            "month": _iso(by_actor["month"]),
            "actor": by_actor["actor"].astype(str).to_list(),
            "deaths": pd.to_numeric(by_actor["deaths"]).astype(float).to_list(),
        }
    )
    frame["label"] = [m[:7] for m in frame["month"]]
    lines = (
        alt.Chart(sets(frame.to_dict("records")))
        .mark_line(point=False if static else alt.OverlayMarkDef(size=18), strokeWidth=1.6)
        .encode(
            x=alt.X(
                "month:T",
                scale=alt.Scale(type="utc"),
                title=None,
                axis=alt.Axis(format=_AXIS_DATE, labelOverlap=True),
            ),
            y=alt.Y("deaths:Q", title=words["col_deaths"]),
            color=alt.Color(
                "actor:N",
                title=words["col_actor"],
                scale=alt.Scale(scheme="tableau10"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=words["col_month"]),
                alt.Tooltip("actor:N", title=words["col_actor"]),
                alt.Tooltip("deaths:Q", title=words["col_deaths"], format=",.0f"),
            ],
        )
    )
    zoom = _time_zoom(static)
    if zoom is not None:
        lines = lines.add_params(zoom)
    lo, hi = min(frame["month"]), max(_next_month(by_actor["month"]))
    layers = [lines, *_milestone_layers(milestones, words, lo, hi, sets)]
    return _finish(alt.layer(*layers), sets, static=static, description=description, height=260)


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
    alt = _alt()
    sets = _Sets()
    data = frame.sort_values("deaths", ascending=False).head(top)
    values = [
        {"name": str(n), "deaths": float(d), "events": int(e)}
        for n, d, e in zip(data[label], data["deaths"], data["events"], strict=True)
    ]
    chart = (
        alt.Chart(sets(values))
        .mark_bar(color=_RED)
        .encode(
            y=alt.Y(
                "name:N",
                sort="-x",
                title=None,
                # long names get less room on a narrow screen (a phone), more on paper
                axis=alt.Axis(
                    labelLimit=260
                    if static
                    else alt.ExprRef("containerSize()[0] < 520 ? 120 : 220")
                ),
            ),
            x=alt.X("deaths:Q", title=words["col_deaths"]),
            tooltip=[
                alt.Tooltip("name:N", title=label_title),
                alt.Tooltip("deaths:Q", title=words["col_deaths"], format=",.0f"),
                alt.Tooltip("events:Q", title=words["col_events"], format=",.0f"),
            ],
        )
    )
    return _finish(
        chart, sets, static=static, description=description, height=max(18 * len(values), 60)
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
    alt = _alt()
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
        alt.X(
            "period:T",
            scale=alt.Scale(type="utc"),
            title=None,
            axis=alt.Axis(format="%Y", tickCount="year"),
        )
        if temporal
        else alt.X("period:O", title=None)
    )
    themes = sorted(t for t in frame["theme"].unique() if t not in (overall, "overall"))
    first = [t for t in frame["theme"].unique() if t in (overall, "overall")][:1] or [overall]
    lines = (
        alt.Chart(sets(frame.to_dict("records")))
        .mark_line(point=alt.OverlayMarkDef(size=20))
        .encode(
            x=x,
            y=alt.Y("index:Q", title=words["col_index"], scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "theme:N",
                title=words["col_theme"],
                scale=alt.Scale(
                    domain=[*first, *themes],
                    range=["#111111", *_theme_colours(len(themes))],
                ),
            ),
            strokeWidth=alt.condition("datum.overall", alt.value(3.2), alt.value(1.3)),
            tooltip=[
                alt.Tooltip("period:N", title=words["col_period"]),
                alt.Tooltip("theme:N", title=words["col_theme"]),
                alt.Tooltip("index:Q", title=words["col_index"], format=".1f"),
            ],
        )
    )
    zoom = _time_zoom(static or not temporal)
    if zoom is not None:
        lines = lines.add_params(zoom)
    return _finish(lines, sets, static=static, description=description, height=250)


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
    alt = _alt()
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
    x = alt.X(
        "month:T",
        scale=alt.Scale(type="utc"),
        title=None,
        axis=alt.Axis(format=_AXIS_DATE, labelOverlap=True),
    )
    bdata = sets(band.to_dict("records"))
    tip = [
        alt.Tooltip("label:N", title=words["col_month"]),
        alt.Tooltip("median:Q", title=words["col_median"], format=",.0f"),
        alt.Tooltip("lo50:Q", title=words["col_lo50"], format=",.0f"),
        alt.Tooltip("hi50:Q", title=words["col_hi50"], format=",.0f"),
        alt.Tooltip("lo90:Q", title=words["col_lo90"], format=",.0f"),
        alt.Tooltip("hi90:Q", title=words["col_hi90"], format=",.0f"),
    ]
    band90 = (
        alt.Chart(bdata)
        .mark_area(color=_RED, opacity=0.16)
        .encode(x=x, y=alt.Y("lo90:Q", title=words["col_deaths"]), y2="hi90:Q", tooltip=tip)
    )
    band50 = (
        alt.Chart(bdata)
        .mark_area(color=_RED, opacity=0.32)
        .encode(x=x, y="lo50:Q", y2="hi50:Q", tooltip=tip)
    )
    median = (
        alt.Chart(bdata)
        .mark_line(color=_RED, strokeDash=[5, 3], strokeWidth=1.8)
        .encode(x=x, y="median:Q", tooltip=tip)
    )
    layers = [band90, band50, median]
    if len(hist):
        observed = (
            alt.Chart(sets(hist.to_dict("records")))
            .mark_line(
                color="#333",
                strokeWidth=1.5,
                point=False if static else alt.OverlayMarkDef(size=14),
            )
            .encode(
                x=x,
                y="deaths:Q",
                tooltip=[
                    alt.Tooltip("label:N", title=words["col_month"]),
                    alt.Tooltip("deaths:Q", title=words["label_observed"], format=",.0f"),
                ],
            )
        )
        end = (
            alt.Chart(sets([{"month": hist["month"].iloc[-1]}]))
            .mark_rule(color="#777", strokeDash=[1, 3])
            .encode(x=x)
        )
        layers = [*layers, observed, end]
    zoom = _time_zoom(static)
    if zoom is not None:
        layers[0] = layers[0].add_params(zoom)
    return _finish(alt.layer(*layers), sets, static=static, description=description, height=250)


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
    alt = _alt()
    sets = _Sets()
    values = []
    for month, p25, p100 in zip(_iso(fan["month"]), fan["p25"], fan["p100"], strict=True):
        for key, p in ((words["col_p25"], p25), (words["col_p100"], p100)):
            if pd.notna(p):
                values.append({"month": month[:7], "threshold": key, "p": float(p)})
    if not values:
        return None
    chart = (
        alt.Chart(sets(values))
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45)),
            xOffset="threshold:N",
            y=alt.Y(
                "p:Q",
                title=words["col_probability"],
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "threshold:N",
                title=None,
                scale=alt.Scale(
                    domain=[words["col_p25"], words["col_p100"]], range=["#e08e45", "#8e1b10"]
                ),
            ),
            tooltip=[
                alt.Tooltip("month:N", title=words["col_month"]),
                alt.Tooltip("threshold:N", title=words["col_threshold"]),
                alt.Tooltip("p:Q", title=words["col_probability"], format=".0%"),
            ],
        )
    )
    return _finish(chart, sets, static=static, description=description, height=180)
