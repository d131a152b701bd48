"""What a briefing holds: the data of each section, gathered from the store, before rendering.

:func:`accordwatch.brief.gather` fills a :class:`Briefing` from public functions only
(``accordwatch.events``/``stats``, ``accordwatch.accords``, the stored forecasts); the
renderers (HTML, PDF) read nothing else. Every figure carries the command that reproduces it
(``Figure.command``, ``Section.command``), so a reader can trace it to its rows.

A section with no data has ``empty`` set to the one line that says so (in the briefing's
language); its frames are then empty and the renderer draws no chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "Accord",
    "Briefing",
    "EarlyWarning",
    "Figure",
    "Headline",
    "KeyEvents",
    "MapData",
    "Provenance",
    "Section",
    "SourceInfo",
    "Timeline",
    "WhoFights",
]


@dataclass
class Figure:
    """One number of the briefing with what it counts and how to reproduce it."""

    value: float | None
    label: str
    command: str = ""  # e.g. 'accordwatch stats --country Mali --since 2023-01-01 ...'


@dataclass
class Section:
    """Common to every section: its title, the command behind it, and the empty-state line."""

    title: str = ""
    command: str = ""
    empty: str | None = None  # set when the section has no data: the one line shown instead
    # one-line remarks shown under the section's title when it has data: a part without
    # data ("No implementation assessments are recorded …"), partial coverage, a stale forecast
    notes: list[str] = field(default_factory=list)


@dataclass
class Headline(Section):
    """The period's events and deaths (low / best / high) and the change against the previous
    period of equal length and the same period a year before, with a one-word trend.

    ``trend`` is ``"deteriorated"``, ``"improved"`` or ``"unchanged"`` (the key, not the
    translated word); ``trend_rule`` is the rule in words (shown in the methods section).
    """

    period: tuple[dt.date, dt.date] | None = None
    previous: tuple[dt.date, dt.date] | None = None
    year_before: tuple[dt.date, dt.date] | None = None
    events: Figure | None = None
    deaths_best: Figure | None = None
    deaths_low: Figure | None = None
    deaths_high: Figure | None = None
    previous_deaths: Figure | None = None
    year_before_deaths: Figure | None = None
    trend: str = "unchanged"
    trend_rule: str = ""
    basis: str = ""  # "events" (located events in the store) or "country-month" (series only)
    source: str = ""  # with basis "events": the counted source (ucdp-ged, ucdp-candidate, acled)


@dataclass
class MapData(Section):
    """Admin-1 regions shaded by deaths and events as points.

    ``regions``: one row per admin-1 region of the country (columns ``admin1``, ``deaths``,
    ``events``); ``geometry``: a GeoJSON FeatureCollection of those regions (property
    ``admin1``; rings wound for Vega, i.e. clockwise exterior: ``shapely.geometry.polygon.
    orient(p, sign=-1)``); ``points``: aggregated event points (``latitude``, ``longitude``,
    ``deaths``, ``events``, ``place``, ``date_first``, ``date_last``), at most 5,000 rows.
    """

    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    geometry: dict[str, Any] = field(default_factory=dict)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class Timeline(Section):
    """Monthly deaths by type of violence and by actor, with the accord's milestones.

    ``by_type``: ``month`` (first day, date), ``type`` (label), ``deaths``;
    ``by_actor``: ``month``, ``actor``, ``deaths`` (the top actors, others as "other");
    ``milestones``: ``date``, ``precision`` ("day" | "month" | "year"), ``label``, ``kind``,
    ``source``.
    """

    by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_actor: pd.DataFrame = field(default_factory=pd.DataFrame)
    milestones: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class WhoFights(Section):
    """Actors and dyads with events and deaths, and coalitions / name changes in the period.

    ``actors``: ``actor``, ``events``, ``deaths``; ``dyads``: ``side_a``, ``side_b``,
    ``events``, ``deaths``; ``lineage``: ``actor``, ``relation`` (e.g. "renamed to",
    "member of"), ``other``, ``since``, ``until``.
    """

    actors: pd.DataFrame = field(default_factory=pd.DataFrame)
    dyads: pd.DataFrame = field(default_factory=pd.DataFrame)
    lineage: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class Accord(Section):
    """The agreement: status, implementation index over time (overall and by theme), stalled or
    reversed provisions, the latest assessments with evidence and source.

    ``status``: ``{"status": "in force"|"suspended"|"terminated", "by": str|None,
    "date": str|None, "source": str|None}``; ``index``: ``period``, ``theme`` ("overall" or the
    theme), ``index``; ``stalled``: ``provision_id``, ``text``, ``score``, ``change``
    ("stalled" | "reversed"), ``since``; ``latest``: ``date``, ``provision_id``, ``score``,
    ``evidence``, ``source``.
    """

    agreement_id: int | None = None
    name: str = ""
    signed: str | None = None
    status: dict[str, Any] = field(default_factory=dict)
    index: pd.DataFrame = field(default_factory=pd.DataFrame)
    stalled: pd.DataFrame = field(default_factory=pd.DataFrame)
    latest: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class EarlyWarning(Section):
    """The forecast fan and alerts.

    ``history``: ``month``, ``deaths`` (recent observed months); ``fan``: ``month``,
    ``median``, ``lo50``, ``hi50``, ``lo90``, ``hi90``, ``p25``, ``p100`` (P(≥ 25), P(≥ 100));
    ``alerts``: ``unit``, ``month``, ``kind``, ``reason``, ``previous`` (the previous alert for
    the same unit, text or None); ``forecast_note``: how the forecast was obtained ("stored
    forecast of 2026-11-30, data unchanged" or "no stored forecast matched the data: fitted
    now").
    """

    unit: str = ""
    model: str = ""
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    fan: pd.DataFrame = field(default_factory=pd.DataFrame)
    alerts: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecast_note: str = ""


@dataclass
class KeyEvents(Section):
    """The deadliest and the most recent events, and reviewed events from text, with sources.

    Each frame: ``date``, ``place``, ``admin1``, ``actors``, ``type``, ``deaths_best``,
    ``deaths_low``, ``deaths_high``, ``source`` (citation text), ``url`` (or None), ``event_id``.
    """

    deadliest: pd.DataFrame = field(default_factory=pd.DataFrame)
    recent: pd.DataFrame = field(default_factory=pd.DataFrame)
    from_text: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: claims about these events or their incidents, and claims of the area and period
    #: about no counted event, beside the counted figure: ``date``, ``claimant``, ``claim``
    #: (in words), ``deaths_claimed``, ``figure_low``, ``figure_best``, ``figure_high`` (the
    #: counted record's), ``event_id``, ``source``, ``url``, ``status`` ("claimed, not
    #: confirmed"), ``linked`` (False: not linked to a counted event); never added to any
    #: count
    claims: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class SourceInfo:
    """One dataset behind the briefing: name, version, licence, access date, filters,
    attribution line."""

    name: str
    version: str = ""
    licence: str = ""
    accessed: str = ""
    filters: str = ""
    attribution: str = ""


@dataclass
class Provenance:
    """The footer of every page: accordwatch version, store path, data versions, written at."""

    version: str
    store: str
    data_versions: str
    written: dt.datetime


@dataclass
class Briefing:
    """Everything a briefing shows, gathered; ``lang`` is ``"en"`` or ``"fr"``."""

    country: str
    region: str | None
    since: dt.date
    until: dt.date
    lang: str
    headline: Headline
    map: MapData
    timeline: Timeline
    who: WhoFights
    accord: Accord
    warning: EarlyWarning
    key_events: KeyEvents
    sources: list[SourceInfo]
    methods: list[str]
    provenance: Provenance
    notes: list[str] = field(default_factory=list)  # e.g. how to load GED for the full map
