"""A :class:`~accordwatch.brief._model.Briefing` as one self-contained interactive HTML page.

Everything is inline: the stylesheet, the Vega / Vega-Lite / vega-embed bundle (once per page,
from vl-convert, cached on disk because building it takes seconds), every chart's spec and its
data; fonts are the reader's system fonts.  The page makes no network request when opened.
Each chart has an ``aria-label`` and a data table behind it (``<details>``); each number names
the command that reproduces it (``title`` attribute and a "reproduce" line per section).

:func:`page_view` builds the view the template renders; the PDF writer (:mod:`._pdf`) uses it
too, with static charts.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import _charts
from ._map import STATIC_POINTS, map_spec
from ._model import Briefing, Figure, Section

__all__ = [
    "Chart",
    "Clipped",
    "Link",
    "Numbers",
    "SectionView",
    "Table",
    "page_view",
    "pdf_numbers",
    "render_html",
    "render_template",
    "say",
    "stylesheet",
    "vega_bundle",
    "words",
]

#: words of the page that :mod:`accordwatch.brief._i18n` does not hold (renderer-only)
_EXTRA: dict[str, dict[str, str]] = {
    "en": {
        "kicker": "accordwatch briefing",
        "contents": "Contents",
        "col_dyad": "Dyad",
        "col_probability": "Probability",
        "col_threshold": "Threshold",
        "col_model": "Model",
        "title_risk": "Risk of deadly months",
        "alt_actors": "Deaths by actor, the deadliest first.",
        "alt_dyads": "Deaths by dyad (side A – side B), the deadliest first.",
        "alt_risk": "Probability of at least 25 and of at least 100 deaths in each forecast month.",
        "zoom_hint": "Wheel or drag to zoom and pan; double-click resets the map.",
        "zoom_hint_time": "Wheel or drag on the chart to zoom and pan in time.",
        "rows_note": "The first {n} of {total} rows.",
        "places_note": "The {n} deadliest of {total} places.",
        "static_points_note": "The map shows the {n} deadliest of {total} places; the HTML "
        "page's map shows them all.",
        "label_agreement": "Agreement",
        "colon": ":",
    },
    "fr": {
        "kicker": "note accordwatch",
        "contents": "Sommaire",
        "col_dyad": "Dyade",
        "col_probability": "Probabilité",
        "col_threshold": "Seuil",
        "col_model": "Modèle",
        "title_risk": "Risque de mois meurtriers",
        "alt_actors": "Morts par acteur, du plus meurtrier au moins meurtrier.",
        "alt_dyads": "Morts par dyade (camp A – camp B), de la plus meurtrière à la moins "
        "meurtrière.",
        "alt_risk": "Probabilité d'au moins 25 et d'au moins 100 morts pour chaque mois prévu.",
        "zoom_hint": "Molette ou glisser pour zoomer et déplacer ; double-clic pour revenir.",
        "zoom_hint_time": "Molette ou glisser sur le graphique pour zoomer dans le temps.",
        "rows_note": "Les {n} premières lignes sur {total}.",
        "places_note": "Les {n} lieux les plus meurtriers sur {total}.",
        "static_points_note": "La carte montre les {n} lieux les plus meurtriers sur {total} ; "
        "celle de la page HTML les montre tous.",
        "label_agreement": "Accord",
        "colon": "\u202f:",  # French puts a (narrow no-break) space before a colon
    },
}

_TABLE_ROWS_HTML = 500
_TABLE_ROWS_PDF = 15
#: rows of the PDF's lists (key events, claims, alerts): the first of each, with a note of
#: how many the page lists (WeasyPrint's work grows with every row of a table)
_LIST_ROWS_PDF = 6
_DATE_COLUMNS = {"date", "month", "period", "since", "until", "date_first", "date_last"}


def words(lang: str) -> dict[str, str]:
    """Every word of the page in ``lang`` (``en`` or ``fr``): the briefing's table
    (:func:`accordwatch.brief._i18n.words`) and the few words only the renderer uses."""
    from ._i18n import words as briefing_words

    table = dict(_EXTRA["en"])
    table.update(_EXTRA.get(lang, {}))
    table.update(briefing_words(lang))
    return table


def say(w: Mapping[str, str], key: str, **values: Any) -> str:
    """The entry ``key`` of ``w`` with its ``{placeholders}`` filled (unknown ones kept)."""

    class _Keep(dict[str, Any]):
        def __missing__(self, name: str) -> str:
            return "{" + name + "}"

    return w[key].format_map(_Keep(values))


# -- the view -----------------------------------------------------------------------------


@dataclass
class Table:
    """A data table: header cells and rows of display strings (or ``Link`` cells)."""

    headers: list[str]
    rows: list[list[Any]]
    numeric: set[int] = field(default_factory=set)  # columns aligned right
    note: str = ""
    caption: str = ""
    dates: set[int] = field(default_factory=set)  # columns kept on one line
    row_classes: list[str] = field(default_factory=list)
    pdf: bool = True  # False: in the HTML page only (a long table behind a chart)
    open: bool = False  # shown open in the HTML page


@dataclass
class Link:
    """A cell that links to ``url`` (shown as ``text``)."""

    text: str
    url: str


@dataclass
class Clipped:
    """A long cell: its first ``head`` characters shown, the rest behind a disclosure (in the
    PDF: cut with an ellipsis)."""

    head: str
    rest: str


_CLIP = 180


def _clipped(text: str) -> Any:
    if len(text) <= _CLIP + 40:
        return text
    cut = text.rfind(" ", 0, _CLIP)
    cut = cut if cut > _CLIP // 2 else _CLIP
    return Clipped(text[:cut], text[cut:])


@dataclass
class Chart:
    """One chart: its id, its Vega or Vega-Lite spec, the alt text and the table behind it."""

    id: str
    spec: dict[str, Any]
    alt: str
    tables: list[Table]
    vega: bool = False  # a Vega spec (the map), else Vega-Lite
    svg: str = ""  # filled by the PDF writer
    hint: str = ""
    title: str = ""  # the heading above the chart

    @property
    def svg_uri(self) -> str:
        """The static SVG as a ``data:`` URI (for an ``<img>`` in the PDF); before it is
        drawn, the chart's placeholder (see :mod:`accordwatch.brief._pdfjob`)."""
        from ._pdfjob import placeholder, svg_uri

        return svg_uri(self.svg) if self.svg else placeholder(self.id)

    @property
    def json(self) -> str:
        """The spec as JSON that is safe inside a ``<script>`` element."""
        text = json.dumps(self.spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.replace("</", "<\\/").replace("<!--", "<\\!--")


class Numbers:
    """Number and date formatting in the briefing's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._sep = "\u202f" if lang == "fr" else ","
        self._dec = "," if lang == "fr" else "."

    def count(self, value: Any) -> str:
        """A count: ``1,234`` (en) or ``1 234`` (fr); ``–`` when missing."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
            return "–"
        return f"{round(float(value)):,}".replace(",", self._sep)

    def pct(self, value: float | None, *, signed: bool = True, digits: int = 0) -> str:
        """A fraction as a percentage: ``+23 %``; ``–`` when missing."""
        if value is None or not math.isfinite(value):
            return "–"
        text = f"{value * 100:+.{digits}f}" if signed else f"{value * 100:.{digits}f}"
        return text.replace(".", self._dec).replace("-", "−") + "\u202f%"

    def num(self, value: Any, digits: int = 1) -> str:
        if value is None or pd.isna(value):
            return "–"
        return (
            f"{float(value):,.{digits}f}".replace(",", "\x00")
            .replace(".", self._dec)
            .replace("\x00", self._sep)
        )


def _text(value: Any) -> str:
    """A cell as display text: dates as ISO, missing as an empty string."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _frame_table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, str]],
    fmt: Numbers,
    *,
    limit: int,
    caption: str = "",
    note_key: str = "rows_note",
    w: Mapping[str, str] | None = None,
) -> Table:
    """A table from ``frame``: ``columns`` are (column, header, kind) with kind ``text``,
    ``int``, ``num``, ``pct`` or ``url:<column of the link text>``; at most ``limit`` rows."""
    present = [(c, h, k) for c, h, k in columns if c in frame.columns]
    rows: list[list[Any]] = []
    for rec in frame.head(limit).to_dict("records"):
        row: list[Any] = []
        for col, _, kind in present:
            value = rec.get(col)
            if kind == "int":
                row.append(fmt.count(value))
            elif kind == "num":
                row.append(fmt.num(value))
            elif kind == "pct":
                row.append(fmt.pct(_float(value), signed=False))
            else:
                row.append(_text(value))
        rows.append(row)
    numeric = {i for i, (_, _, k) in enumerate(present) if k in ("int", "num", "pct")}
    dates = {i for i, (c, _, _) in enumerate(present) if c in _DATE_COLUMNS}
    note = ""
    if len(frame) > limit and w is not None:
        note = w[note_key].format(n=fmt.count(limit), total=fmt.count(len(frame)))
    return Table([h for _, h, _ in present], rows, numeric, note, caption, dates)


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _source_cell(source: Any, url: Any) -> Any:
    """A source: a link when it has a web address, long citations clipped."""
    text = _text(source)
    link = _text(url)
    if link.startswith(("http://", "https://")):
        return Link(text or link, link)
    return _clipped(text)


def _event_date(rec: Mapping[Any, Any]) -> str:
    """An event's date to its precision: ``2022-12-05``, ``2022-12``, ``2022`` or a range."""
    day, end, prec = rec.get("date"), rec.get("date_end"), str(rec.get("precision") or "day")
    first = _text(day)
    if prec == "month":
        return first[:7]
    if prec == "year":
        return first[:4]
    last = _text(end)
    if prec == "range" and last and last != first:
        return f"{first} – {last[5:] if last[:4] == first[:4] else last}"
    return first


def _events_table(frame: pd.DataFrame, w: Mapping[str, str], fmt: Numbers, limit: int) -> Table:
    """Key events: date, place, region, actors, type, deaths (low – high), source with link;
    events UCDP codes as background are shown muted."""
    rows, classes = [], []
    for rec in frame.head(limit).to_dict("records"):
        best, low, high = rec.get("deaths_best"), rec.get("deaths_low"), rec.get("deaths_high")
        deaths = fmt.count(best)
        lo, hi, mid = _float(low), _float(high), _float(best)
        if lo is not None and hi is not None and (lo != mid or hi != mid):
            deaths += f" ({fmt.count(lo)}–{fmt.count(hi)})"
        rows.append(
            [
                _event_date(rec),
                _text(rec.get("place")),
                _text(rec.get("admin1")),
                _text(rec.get("actors")),
                _text(rec.get("type")),
                deaths,
                _source_cell(rec.get("source"), rec.get("url")),
            ]
        )
        classes.append("background" if rec.get("background") is True else "")
    note = ""
    if len(frame) > limit:
        note = w["rows_note"].format(n=fmt.count(limit), total=fmt.count(len(frame)))
    heads = [
        w["col_date"],
        w["col_place"],
        w["col_admin1"],
        w["col_actors"],
        w["col_type"],
        w["col_deaths"],
        w["col_source"],
    ]
    return Table(heads, rows, {5}, note, dates={0}, row_classes=classes)


def _pivot(frame: pd.DataFrame, index: str, columns: str, values: str) -> pd.DataFrame:
    wide = frame.pivot_table(index=index, columns=columns, values=values, aggfunc="sum")
    return wide.sort_index().reset_index()


def _pivot_table(
    frame: pd.DataFrame,
    index: str,
    columns: str,
    values: str,
    header: str,
    fmt: Numbers,
    *,
    limit: int,
    w: Mapping[str, str],
    as_int: bool = True,
) -> Table:
    wide = _pivot(frame, index, columns, values)
    cols = [(index, header, "text")] + [
        (str(c), str(c), "int" if as_int else "num") for c in wide.columns if c != index
    ]
    wide.columns = [str(c) for c in wide.columns]
    if index == "month":
        wide[index] = [_text(v)[:7] for v in wide[index]]
    table = _frame_table(wide, cols, fmt, limit=limit, w=w)
    table.pdf = False  # month by month: the HTML page has it; the PDF shows the chart
    return table


@dataclass
class SectionView:
    """One section as the template shows it."""

    key: str
    title: str
    command: str = ""
    empty: str | None = None
    notes: list[str] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)  # {"kind": ..., ...}


def _title(section: Section, key: str, w: Mapping[str, str]) -> str:
    return section.title or w[f"title_{key}"]


def _change(now: Figure | None, before: Figure | None) -> float | None:
    if now is None or before is None or now.value is None or before.value is None:
        return None
    if before.value == 0:
        return None
    return (now.value - before.value) / before.value


def _period(span: tuple[dt.date, dt.date] | None, lang: str) -> str:
    """A period as the reader writes it (``January–December 2022``)."""
    from ._i18n import fmt_period

    return fmt_period(span[0], span[1], lang) if span else ""


def _basis(b: Briefing, w: Mapping[str, str]) -> str:
    """What the headline counts, in words."""
    basis = b.headline.basis.replace("-", "_")
    if not basis or f"basis_{basis}" not in w:
        return b.headline.basis
    source = b.sources[0].name if b.sources else ""
    return say(w, f"basis_{basis}", source=source)


def _headline(b: Briefing, w: Mapping[str, str], fmt: Numbers) -> SectionView:
    h = b.headline
    view = SectionView("headline", _title(h, "headline", w), h.command, h.empty, list(h.notes))
    if h.empty:
        return view
    figs: list[dict[str, Any]] = []

    def fig(f: Figure | None, label: str, extra: str = "", cls: str = "") -> None:
        if f is None:
            return
        figs.append(
            {
                "value": fmt.count(f.value),
                "label": f.label or label,
                "command": f.command,
                "extra": extra,
                "cls": cls,
            }
        )

    rng = ""
    if h.deaths_low is not None and h.deaths_high is not None:
        low, high = fmt.count(h.deaths_low.value), fmt.count(h.deaths_high.value)
        rng = f"{w['low']} {low} – {w['high']} {high}"
    fig(h.deaths_best, w["label_deaths_best"], rng, "main")
    fig(h.events, w["label_events"])
    prev = _change(h.deaths_best, h.previous_deaths)
    fig(
        h.previous_deaths,
        say(w, "label_previous", period=_period(h.previous, b.lang)),
        f"{w['label_change']} {fmt.pct(prev)}",
    )
    year = _change(h.deaths_best, h.year_before_deaths)
    fig(
        h.year_before_deaths,
        say(w, "label_year_before", period=_period(h.year_before, b.lang)),
        f"{w['label_change']} {fmt.pct(year)}",
    )
    commands = [f["command"] for f in figs if f["command"]]
    view.blocks.append(
        {
            "kind": "headline",
            "figures": figs,
            "trend": h.trend,
            "trend_word": w.get(f"trend_{h.trend}", h.trend),
            "period": _period(h.period, b.lang),
            "basis": _basis(b, w),
            "commands": list(dict.fromkeys(commands)),
        }
    )
    return view


def _map(b: Briefing, w: Mapping[str, str], fmt: Numbers, static: bool, rows: int) -> SectionView:
    m = b.map
    view = SectionView("map", _title(m, "map", w), m.command, m.empty, list(m.notes))
    if m.empty:
        return view
    n_points = 0 if m.points is None else len(m.points)
    alt = say(w, "alt_map", country=b.country)
    spec = map_spec(m, w, static=static, description=alt)
    tables = []
    if m.regions is not None and not m.regions.empty:
        regions = m.regions.sort_values("deaths", ascending=False)
        tables.append(
            _frame_table(
                regions,
                [
                    ("admin1", w["col_admin1"], "text"),
                    ("deaths", w["col_deaths"], "int"),
                    ("events", w["col_events"], "int"),
                ],
                fmt,
                limit=rows,
                w=w,
                caption=w["title_regions"],
            )
        )
        # regions without any figure (a country-month basis): their names are on the map
        tables[-1].pdf = bool(regions["deaths"].notna().any() or regions["events"].notna().any())
    if n_points:
        pts = m.points.sort_values("deaths", ascending=False)
        tables.append(
            _frame_table(
                pts,
                [
                    ("place", w["col_place"], "text"),
                    ("latitude", w["col_latitude"], "text"),
                    ("longitude", w["col_longitude"], "text"),
                    ("deaths", w["col_deaths"], "int"),
                    ("events", w["col_events"], "int"),
                    ("date_first", w["col_date_first"], "text"),
                    ("date_last", w["col_date_last"], "text"),
                ],
                fmt,
                limit=rows,
                w=w,
                note_key="places_note",
                caption=w["title_points"],
            )
        )
        tables[-1].pdf = False
    if tables and not (m.geometry or {}).get("features"):
        tables[0].open = True  # no outlines: the region names are in the table
    if spec is None:
        view.blocks.extend({"kind": "table", "table": t} for t in tables)
        return view
    hint = "" if static else w["zoom_hint"]
    drawn = min(n_points, STATIC_POINTS)
    if static and n_points > drawn:
        hint = say(w, "static_points_note", n=fmt.count(drawn), total=fmt.count(n_points))
    chart = Chart("map", spec, alt, tables, vega=True, hint=hint)
    view.blocks.append({"kind": "chart", "chart": chart})
    return view


def _timeline(
    b: Briefing, w: Mapping[str, str], fmt: Numbers, static: bool, rows: int
) -> SectionView:
    t = b.timeline
    view = SectionView("timeline", _title(t, "timeline", w), t.command, t.empty, list(t.notes))
    if t.empty:
        return view
    marks = _charts.milestone_rows(t.milestones)
    alt = say(w, "alt_by_type", country=b.country)
    spec = _charts.timeline_type_chart(t.by_type, t.milestones, w, static=static, description=alt)
    if spec is not None:
        table = _pivot_table(
            t.by_type, "month", "type", "deaths", w["col_month"], fmt, limit=rows, w=w
        )
        hint = "" if static else w["zoom_hint_time"]
        chart = Chart("timeline-type", spec, alt, [table], hint=hint, title=w["title_by_type"])
        view.blocks.append({"kind": "chart", "chart": chart})
    alt = say(w, "alt_by_actor", country=b.country)
    spec = _charts.timeline_actor_chart(t.by_actor, t.milestones, w, static=static, description=alt)
    if spec is not None:
        table = _pivot_table(
            t.by_actor, "month", "actor", "deaths", w["col_month"], fmt, limit=rows, w=w
        )
        hint = "" if static else w["zoom_hint_time"]
        chart = Chart("timeline-actor", spec, alt, [table], hint=hint, title=w["title_by_actor"])
        view.blocks.append({"kind": "chart", "chart": chart})
    if marks:
        table = Table(
            [
                "#",
                w["col_date"],
                w["col_precision"],
                w["col_label"],
                w["col_kind"],
                w["col_source"],
            ],
            [
                [str(r["n"]), r["when"], r["precision"], r["label"], r["kind"], r["source"]]
                for r in marks
            ],
            caption=w["title_milestones"],
            dates={1},
        )
        view.blocks.append({"kind": "table", "table": table, "open": True})
    return view


def _who(b: Briefing, w: Mapping[str, str], fmt: Numbers, static: bool, rows: int) -> SectionView:
    s = b.who
    view = SectionView("who", _title(s, "who", w), s.command, s.empty, list(s.notes))
    if s.empty:
        return view
    spec = _charts.actors_chart(s.actors, w, static=static, description=w["alt_actors"])
    if spec is not None:
        table = _frame_table(
            s.actors.sort_values("deaths", ascending=False),
            [
                ("actor", w["col_actor"], "text"),
                ("events", w["col_events"], "int"),
                ("deaths", w["col_deaths"], "int"),
            ],
            fmt,
            limit=rows,
            w=w,
        )
        chart = Chart("actors", spec, w["alt_actors"], [table], title=w["title_actors"])
        view.blocks.append({"kind": "chart", "chart": chart})
    spec = _charts.dyads_chart(s.dyads, w, static=static, description=w["alt_dyads"])
    if spec is not None:
        table = _frame_table(
            s.dyads.sort_values("deaths", ascending=False),
            [
                ("side_a", w["col_side_a"], "text"),
                ("side_b", w["col_side_b"], "text"),
                ("events", w["col_events"], "int"),
                ("deaths", w["col_deaths"], "int"),
            ],
            fmt,
            limit=rows,
            w=w,
        )
        chart = Chart("dyads", spec, w["alt_dyads"], [table], title=w["title_dyads"])
        view.blocks.append({"kind": "chart", "chart": chart})
    if s.lineage is not None and not s.lineage.empty:
        table = _frame_table(
            s.lineage,
            [
                ("actor", w["col_actor"], "text"),
                ("relation", w["col_relation"], "text"),
                ("other", w["col_other"], "text"),
                ("since", w["col_since"], "text"),
                ("until", w["col_until"], "text"),
            ],
            fmt,
            limit=rows,
            w=w,
            caption=w["title_lineage"],
        )
        view.blocks.append({"kind": "table", "table": table, "open": True})
    return view


def _status_date(status: Mapping[str, Any], lang: str) -> str:
    """The date of the accord's status, written to its precision."""
    from ._i18n import fmt_date

    when = status.get("date")
    if not when:
        return ""
    try:
        return fmt_date(str(when), lang, str(status.get("precision") or "day"))
    except ValueError:
        return str(when)


def _accord(
    b: Briefing, w: Mapping[str, str], fmt: Numbers, static: bool, rows: int
) -> SectionView:
    a = b.accord
    view = SectionView("accord", _title(a, "accord", w), a.command, a.empty, list(a.notes))
    if a.empty:
        return view
    status = dict(a.status or {})
    key = str(status.get("status") or "").replace(" ", "_")
    view.blocks.append(
        {
            "kind": "accord",
            "name": a.name,
            "signed": a.signed or "",
            "status": status.get("label") or w.get(f"status_{key}", key.replace("_", " ")),
            "status_key": key.replace("_", "-"),
            "by": status.get("by") or "",
            "date": _status_date(status, b.lang),
            "source": status.get("source") or "",
            "note": status.get("note") or "",
        }
    )
    spec = _charts.index_chart(a.index, w, static=static, description=w["alt_index"])
    if spec is not None:
        table = _pivot_table(
            a.index.assign(period=[_text(p) for p in a.index["period"]]),
            "period",
            "theme",
            "index",
            w["col_period"],
            fmt,
            limit=rows,
            w=w,
            as_int=False,
        )
        chart = Chart("index", spec, w["alt_index"], [table], title=w["title_index"])
        view.blocks.append({"kind": "chart", "chart": chart})
    if a.stalled is not None and not a.stalled.empty:
        changes = [w.get(f"change_{c}", _text(c)) for c in a.stalled.get("change", [])]
        table = _frame_table(
            a.stalled.assign(change=changes) if changes else a.stalled,
            [
                ("provision_id", w["col_provision_id"], "text"),
                ("text", w["col_text"], "text"),
                ("score", w["col_score"], "text"),
                ("change", w["col_change"], "text"),
                ("since", w["col_since"], "text"),
            ],
            fmt,
            limit=rows,
            w=w,
            caption=w["title_stalled"],
        )
        view.blocks.append({"kind": "table", "table": table, "open": True})
    if a.latest is not None and not a.latest.empty:
        latest_rows = [
            [
                _text(r.get("date")),
                _text(r.get("provision_id")),
                _text(r.get("score")),
                _text(r.get("evidence")),
                _source_cell(r.get("source"), r.get("source")),
            ]
            for r in a.latest.head(rows).to_dict("records")
        ]
        table = Table(
            [
                w["col_date"],
                w["col_provision_id"],
                w["col_score"],
                w["col_evidence"],
                w["col_source"],
            ],
            latest_rows,
            caption=w["title_latest"],
        )
        view.blocks.append({"kind": "table", "table": table, "open": True})
    return view


def _warning(
    b: Briefing, w: Mapping[str, str], fmt: Numbers, static: bool, rows: int, lists: int
) -> SectionView:
    e = b.warning
    view = SectionView("warning", _title(e, "warning", w), e.command, e.empty, list(e.notes))
    if e.empty:
        return view
    view.blocks.append(
        {"kind": "forecast", "unit": e.unit, "model": e.model, "note": e.forecast_note}
    )
    spec = _charts.fan_chart(e.history, e.fan, w, static=static, description=w["alt_fan"])
    fan_cols = [
        ("month", w["col_month"], "text"),
        ("median", w["col_median"], "int"),
        ("lo50", w["col_lo50"], "int"),
        ("hi50", w["col_hi50"], "int"),
        ("lo90", w["col_lo90"], "int"),
        ("hi90", w["col_hi90"], "int"),
        ("p25", w["col_p25"], "pct"),
        ("p100", w["col_p100"], "pct"),
    ]
    if spec is not None:
        fan = e.fan.assign(month=[_text(m)[:7] for m in e.fan["month"]])
        table = _frame_table(fan, fan_cols, fmt, limit=rows, w=w)
        chart = Chart("fan", spec, w["alt_fan"], [table], title=w["title_fan"])
        view.blocks.append({"kind": "chart", "chart": chart})
        risk = _charts.risk_chart(e.fan, w, static=static, description=w["alt_risk"])
        if risk is not None:
            rtable = _frame_table(
                fan, [fan_cols[0], fan_cols[6], fan_cols[7]], fmt, limit=rows, w=w
            )
            rtable.pdf = False  # the fan's table above holds the same columns
            view.blocks.append(
                {
                    "kind": "chart",
                    "chart": Chart("risk", risk, w["alt_risk"], [rtable], title=w["title_risk"]),
                }
            )
    if e.alerts is not None and not e.alerts.empty:
        table = _frame_table(
            e.alerts,
            [
                ("unit", w["col_unit"], "text"),
                ("month", w["col_month"], "text"),
                ("kind", w["col_kind"], "text"),
                ("reason", w["col_reason"], "text"),
                ("previous", w["col_previous"], "text"),
            ],
            fmt,
            limit=lists,
            w=w,
            caption=w["title_alerts"],
        )
        view.blocks.append({"kind": "table", "table": table, "open": True})
    return view


def _key_events(b: Briefing, w: Mapping[str, str], fmt: Numbers, rows: int) -> SectionView:
    k = b.key_events
    view = SectionView("key_events", _title(k, "key_events", w), k.command, k.empty, list(k.notes))
    if k.empty:
        return view
    for key, frame in (
        ("deadliest", k.deadliest),
        ("recent", k.recent),
        ("from_text", k.from_text),
    ):
        if frame is not None and not frame.empty:
            table = _events_table(frame, w, fmt, rows)
            table.caption = w[f"title_{key}"]
            view.blocks.append({"kind": "table", "table": table, "open": True, "heading": True})
    if k.claims is not None and not k.claims.empty:
        table = _claims_table(k.claims, w, fmt, rows)
        table.caption = w["title_claims"]
        view.blocks.append({"kind": "table", "table": table, "open": True, "heading": True})
    return view


def _claims_table(frame: pd.DataFrame, w: Mapping[str, str], fmt: Numbers, limit: int) -> Table:
    """Claims beside the counted figure: date, claimant, the claim, the figure (low – high),
    source with link, "claimed, not confirmed"."""
    rows = []
    for rec in frame.head(limit).to_dict("records"):
        best, lo, hi = (_float(rec.get(f"figure_{k}")) for k in ("best", "low", "high"))
        figure = fmt.count(best) if best is not None else ""
        if lo is not None and hi is not None and (lo != best or hi != best):
            figure += f" ({fmt.count(lo)}–{fmt.count(hi)})"
        rows.append(
            [
                _text(rec.get("date")),
                _text(rec.get("claimant")),
                _text(rec.get("claim")),
                figure,
                _source_cell(rec.get("source"), rec.get("url")),
                _text(rec.get("status")),
            ]
        )
    heads = [
        w["col_date"],
        w["col_claimant"],
        w["col_claim"],
        w["col_figure"],
        w["col_source"],
        w["claim_status"],
    ]
    note = ""
    if len(frame) > limit:
        note = w["rows_note"].format(n=fmt.count(limit), total=fmt.count(len(frame)))
    return Table(heads, rows, {3}, note, dates={0})


def page_view(b: Briefing, *, static: bool = False) -> dict[str, Any]:
    """What the template shows: the words, the sections in order (with their charts and
    tables), the sources, methods, notes and the provenance line."""
    w = words(b.lang)
    fmt = Numbers(b.lang)
    rows = _TABLE_ROWS_PDF if static else _TABLE_ROWS_HTML
    lists = _LIST_ROWS_PDF if static else _TABLE_ROWS_HTML
    sections = [
        _headline(b, w, fmt),
        _map(b, w, fmt, static, rows),
        _timeline(b, w, fmt, static, rows),
        _who(b, w, fmt, static, rows),
        _accord(b, w, fmt, static, rows),
        _warning(b, w, fmt, static, rows, lists),
        _key_events(b, w, fmt, lists),
    ]
    sources = Table(
        [
            w["col_name"],
            w["col_version"],
            w["col_licence"],
            w["col_accessed"],
            w["col_filters"],
            w["col_attribution"],
        ],
        [[s.name, s.version, s.licence, s.accessed, s.filters, s.attribution] for s in b.sources],
    )
    methods = list(b.methods)
    if b.headline.trend_rule and b.headline.trend_rule not in methods:
        methods.append(b.headline.trend_rule)
    p = b.provenance
    written = p.written.isoformat(timespec="minutes") if p.written else ""
    provenance = (
        say(w, "footer_written", time=written, version=p.version)
        + " · "
        + say(w, "footer_store", store=p.store)
        + " · "
        + say(w, "footer_data", versions=p.data_versions)
    )
    where = b.country + (f" — {b.region}" if b.region else "")
    charts = [blk["chart"] for s in sections for blk in s.blocks if blk.get("kind") == "chart"]
    return {
        "lang": b.lang,
        "w": w,
        "title": say(w, "title_briefing", country=where),
        "period": _period((b.since, b.until), b.lang),
        "where": where,
        "since": b.since.isoformat(),
        "until": b.until.isoformat(),
        "sections": sections,
        "sources": sources,
        "methods": methods,
        "notes": list(b.notes),
        "provenance": provenance,
        "charts": charts,
        "static": static,
    }


# -- templates and the bundle --------------------------------------------------------------


def _compiled_templates() -> Any:
    """Where Jinja keeps the templates it compiled (the user cache's ``templates``: a
    briefing then does not compile them again; Jinja keys each by its source), or None."""
    import jinja2

    from . import _cache

    folder = _cache.cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


@functools.cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("accordwatch.brief", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_compiled_templates(),
    )
    env.tests["link"] = lambda v: isinstance(v, Link)
    env.tests["clipped"] = lambda v: isinstance(v, Clipped)
    env.filters["css_string"] = _css_string
    return env


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for the PDF's running footer)."""
    out = ['"']
    for ch in str(text):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\r\f<" or ord(ch) < 0x20:  # "<": no "</style>" in the stylesheet
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _resource(name: str) -> str:
    return (Path(__file__).parent / "templates" / name).read_text(encoding="utf-8")


def stylesheet() -> str:
    """The page's CSS (screen, phone and the PDF's page rules)."""
    return _resource("briefing.css")


def render_template(view: Mapping[str, Any], **extra: Any) -> str:
    """The briefing template rendered with ``view`` (from :func:`page_view`)."""
    return str(_environment().get_template("briefing.html.j2").render(**view, **extra))


def pdf_numbers() -> str:
    """The page that numbers a PDF laid out in parts: the PDF's page rules with only the
    page number, and ``@@PAGES@@`` where one ``<div class="page"></div>`` per page goes."""
    return str(_environment().get_template("pdf_page.j2").module.numbers())


def vega_bundle() -> str:
    """The Vega + Vega-Lite + vega-embed bundle of the installed vl-convert (an ES module that
    puts ``vegaEmbed`` on ``window``), read from the user cache, built (seconds) and cached
    when missing."""
    return _bundle()


@functools.cache
def _bundle() -> str:
    import vl_convert as vlc

    from . import _cache

    version = "-".join(
        [
            getattr(vlc, "__version__", "") or "",
            vlc.get_vega_version(),
            vlc.get_vega_embed_version(),
        ]
    )
    name = f"vega-bundle-{version.strip('-')}.js"
    cached = _cache.read(name)
    if cached:
        return cached.decode("utf-8")
    text: str = vlc.javascript_bundle()  # type: ignore[call-arg]  # the stub lacks the default
    _cache.write(name, text.encode("utf-8"))
    return text


def _script_safe(code: str) -> str:
    """JavaScript that cannot end its ``<script>`` element early."""
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _locales(lang: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """d3 number and time locales for vega-embed (``None`` for English: Vega's default)."""
    if lang != "fr":
        return None, None
    import vl_convert as vlc

    return vlc.get_format_locale("fr-FR"), vlc.get_time_format_locale("fr-FR")


def render_html(b: Briefing) -> str:
    """The briefing as one self-contained HTML page (a string)."""
    view = page_view(b, static=False)
    number, time = _locales(b.lang)
    options: dict[str, Any] = {"actions": False, "renderer": "svg"}
    if number is not None:
        options["formatLocale"] = number
        options["timeFormatLocale"] = time
    return render_template(
        view,
        css=stylesheet(),
        bundle=_script_safe(vega_bundle()),
        embed_js=_resource("embed.js"),
        embed_options=json.dumps(options, ensure_ascii=False).replace("</", "<\\/"),
    )
