"""Monthly timeline and "accord health" summary — pure functions over DataFrames.

**Fatalities, one source per country and month** (:func:`best_fatalities`).  The store
can hold several datasets for the same deaths (UCDP GED, UCDP Candidate, accepted news
events) beside the bundled VIEWS series; they are never added together.  Each month of each
country takes the first source that covers it:

1. ``ucdp-ged`` — UCDP GED events in the store, for every month of a year in which the store
   holds at least one GED event of the country (GED is released a whole year at a time, so
   a month of that year without events had none);
2. ``views`` — the VIEWS country-month series (UCDP GED state-based deaths only, 1990–2022),
   where it has a value for the month;
3. ``ucdp-candidate`` — UCDP Candidate events in the store (monthly, preliminary), for a
   month in which the store holds Candidate events of the country;
4. ``acled``, then ``text`` (accepted news events: only what was reviewed, a floor rather
   than a count), then any other source, for a month in which the store holds its events.

A month no source covers has no figure (NaN), never 0; a month of an agreement in several
countries has a figure only when every country has one (the sum would be too low).  Every
row names its source (``fatalities_source``, keys of :data:`FATALITY_SOURCES`; several
joined with `` + `` when the countries differ).

**Health rules** (per calendar month, documented so that readers can disagree with them):

* ``fatalities_trend`` = mean deaths of the last 3 months ÷ mean of the 12 months before
  them; ``rising`` when ≥ 1.5 (and the 3-month mean is at least 5), ``falling`` when
  ≤ 0.67, else ``stable``; empty while there is not a full year of history, and when the 15
  months do not all have a figure from the same source (datasets are not compared).
* ``status``: ``terminated`` from the month a ``termination`` milestone's period ends in
  on; else ``strained`` when implementation moved backwards (index fell, or an assessment
  that month was ``reversed``/``suspended``), or signatories fought each other that month,
  or the fatality trend is ``rising``; else ``advancing`` when the index rose; else
  ``stalled``.

**Milestones** keep their precision: one known to the day or month is listed in its month;
one known only to its year ("late 2021") in a row for the year (:func:`monthly_timeline`),
never in January.  Each is a record with its date written to its precision, the precision,
kind, description, actors and source (:func:`milestone_records`).

>>> months = pd.date_range("2016-01-01", periods=3, freq="MS").date
>>> out = monthly_health(
...     months,
...     index=pd.DataFrame({"month": months, "index": [10.0, 20.0, 20.0]}),
...     assessments=pd.DataFrame(columns=["date", "score"]),
...     milestones=pd.DataFrame(columns=["date", "kind", "description"]),
...     fatalities=pd.DataFrame({"month": months, "fatalities": [1, 2, 3]}),
...     signatory_events=pd.DataFrame(columns=["month", "events", "deaths", "between"]),
... )
>>> list(out.status)
['stalled', 'advancing', 'stalled']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ._model import period_end, when_text

__all__ = [
    "FATALITY_SOURCES",
    "best_fatalities",
    "event_coverage",
    "milestone_records",
    "month_range",
    "monthly_health",
    "monthly_timeline",
    "source_label",
    "superseded",
]

#: The fatality sources in order of preference, with what a month's figure then means.
FATALITY_SOURCES: dict[str, str] = {
    "ucdp-ged": "UCDP GED events in the store (all types of violence, best estimate)",
    "views": "VIEWS country-month series (UCDP GED state-based deaths)",
    "ucdp-candidate": "UCDP Candidate events in the store (preliminary; all types, best)",
    "acled": "ACLED events in the store",
    "text": "accepted news events in the store (only what was reviewed)",
}
_ORDER = tuple(FATALITY_SOURCES)


def _rank(source: str) -> tuple[int, str]:
    return (_ORDER.index(source) if source in _ORDER else len(_ORDER), source)


def source_label(source: str) -> str:
    """What a ``fatalities_source`` key means (one or several joined with `` + ``)."""
    return "; ".join(
        FATALITY_SOURCES.get(s, f"{s} events in the store") for s in source.split(" + ")
    )


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from ``start``'s month to ``end``'s month."""
    if end < start:
        return []
    return [
        d.date()
        for d in pd.date_range(pd.Timestamp(start).replace(day=1), pd.Timestamp(end), freq="MS")
    ]


def _month(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.start_time.dt.date


def _day(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


# -- fatalities: one source per country and month ---------------------------------------------
class _Coverage:
    """Which sources cover which country-months, built from the store's per-month counts."""

    def __init__(self, events: pd.DataFrame, views: pd.DataFrame | None = None) -> None:
        self.ged_years: set[tuple[str, int]] = set()
        self.sums: dict[tuple[str, dt.date, str], float] = {}
        self.others: dict[tuple[str, dt.date], list[str]] = {}
        if len(events):
            for country, source, month, deaths in zip(
                events["country"],
                events["source"],
                _month(events["month"]),
                events["fatalities"],
                strict=True,
            ):
                key = (str(country), month, str(source))
                self.sums[key] = self.sums.get(key, 0.0) + float(deaths)
                if source == "ucdp-ged":
                    self.ged_years.add((str(country), month.year))
                else:
                    found = self.others.setdefault((str(country), month), [])
                    if str(source) not in found:
                        found.append(str(source))
        for found in self.others.values():
            found.sort(key=_rank)
        self.views: dict[tuple[str, dt.date], float] = {}
        if views is not None and len(views):
            for country, month, deaths in zip(
                views["country"], _month(views["month"]), views["fatalities"], strict=True
            ):
                if pd.notna(deaths):
                    cell = (str(country), month)
                    self.views[cell] = self.views.get(cell, 0.0) + float(deaths)

    def event_source(self, country: str, month: dt.date) -> str | None:
        """The preferred event source that covers the country-month (VIEWS has no events)."""
        if (country, month.year) in self.ged_years:
            return "ucdp-ged"
        found = self.others.get((country, month))
        return found[0] if found else None

    def fatalities(self, country: str, month: dt.date) -> tuple[str, float] | None:
        """(source, deaths) for the country-month by the preference order, None if none."""
        if (country, month.year) in self.ged_years:
            return "ucdp-ged", self.sums.get((country, month, "ucdp-ged"), 0.0)
        if (country, month) in self.views:
            return "views", self.views[(country, month)]
        found = self.others.get((country, month))
        if found:
            return found[0], self.sums[(country, month, found[0])]
        return None


def _country_keys(
    events: pd.DataFrame, countries: Sequence[str], aliases: Mapping[str, str] | None
) -> pd.DataFrame:
    """``events`` with each country key mapped onto one of ``countries`` (through
    ``aliases``, or onto the only country when there is one)."""
    known = set(countries)
    alias = {k.lower(): v for k, v in (aliases or {}).items()}

    def key(value: object) -> str:
        text = str(value)
        if text in known:
            return text
        if text.lower() in alias:
            return alias[text.lower()]
        return countries[0] if len(countries) == 1 else text

    if events.empty:
        return events
    return events.assign(country=[key(c) for c in events["country"]])


def best_fatalities(
    months: Iterable[dt.date],
    *,
    countries: Sequence[str],
    events: pd.DataFrame,
    views: pd.DataFrame,
    aliases: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Deaths per month from the preferred source of each country-month (rule in the
    module docstring), summed over ``countries``.

    ``events``: country, source, month, fatalities (per country, source and month, as
    :meth:`~accordwatch.store.Store.event_months` returns them, for whole years so that GED
    coverage can be seen); ``views``: country, month, fatalities.  ``aliases`` maps other
    country keys of the events (lower-case names) onto ``countries``.  Returns month,
    fatalities (NaN where not every country is covered), source (None there).

    >>> ev = pd.DataFrame({"country": ["432"], "source": ["text"],
    ...     "month": [dt.date(2023, 5, 1)], "fatalities": [12]})
    >>> vw = pd.DataFrame({"country": ["432"], "month": [dt.date(2022, 12, 1)],
    ...     "fatalities": [20]})
    >>> out = best_fatalities(month_range(dt.date(2022, 12, 1), dt.date(2023, 6, 1)),
    ...     countries=["432"], events=ev, views=vw)
    >>> [(m.isoformat()[:7], f, s) for m, f, s in out.iloc[[0, 5, 6]].itertuples(index=False)]
    [('2022-12', 20.0, 'views'), ('2023-05', 12.0, 'text'), ('2023-06', nan, None)]
    """
    cover = _Coverage(
        _country_keys(events, countries, aliases), _country_keys(views, countries, aliases)
    )
    rows: list[dict[str, Any]] = []
    for month in months:
        picks = [cover.fatalities(str(c), month) for c in countries]
        if not countries or any(p is None for p in picks):
            rows.append({"month": month, "fatalities": float("nan"), "source": None})
            continue
        found = [p for p in picks if p is not None]
        sources = sorted({s for s, _ in found}, key=_rank)
        rows.append(
            {
                "month": month,
                "fatalities": float(sum(d for _, d in found)),
                "source": " + ".join(sources),
            }
        )
    return pd.DataFrame(
        {
            "month": pd.Series([r["month"] for r in rows], dtype=object),
            "fatalities": pd.Series([r["fatalities"] for r in rows], dtype="float64"),
            "source": pd.Series([r["source"] for r in rows], dtype=object),
        }
    )


def event_coverage(events: pd.DataFrame) -> _Coverage:
    """The coverage of the store's per-month event counts (country, source, month,
    fatalities), for :func:`superseded`."""
    return _Coverage(events)


def superseded(events: pd.DataFrame, coverage: _Coverage) -> pd.Series:
    """True for each event whose source is not the preferred event source of its
    country-month (a GED year supersedes Candidate and news events of that year, Candidate
    supersedes news events of its month …): the same deaths are likely counted there."""
    if events.empty:
        return pd.Series(dtype=bool)
    keys = [
        str(int(c)) if pd.notna(c) else str(n).lower()
        for c, n in zip(events["country_id"], events["country"], strict=True)
    ]
    sources = ["text" if str(s).startswith("text:") else str(s) for s in events["source"]]
    months = _month(events["date_start"])
    return pd.Series(
        [
            coverage.event_source(k, m) not in (None, s)
            for k, m, s in zip(keys, months, sources, strict=True)
        ],
        index=events.index,
        dtype=bool,
    )


def _fatalities(months: Sequence[dt.date], fatalities: pd.DataFrame) -> pd.DataFrame:
    """Deaths and their source per month.  With a ``source`` column the rows are taken as
    they are (NaN where no source covers the month); without one, 0 inside the data's
    coverage when nothing was recorded, NaN outside."""
    nan = float("nan")
    index = list(months)
    deaths: dict[dt.date, float] = {}
    sources: dict[dt.date, Any] = {}
    if len(fatalities):
        f = fatalities.assign(month=_month(fatalities["month"]))
        if "source" in f:
            deaths = dict(zip(f["month"], f["fatalities"].astype("float64"), strict=True))
            sources = dict(zip(f["month"], f["source"], strict=True))
        else:
            sums = f.groupby("month")["fatalities"].sum()
            lo, hi = min(sums.index), max(sums.index)
            deaths = {m: float(sums.get(m, 0)) for m in index if lo <= m <= hi}
    return pd.DataFrame(
        {
            "fatalities": pd.Series([deaths.get(m, nan) for m in index], dtype="float64"),
            "source": pd.Series([sources.get(m) for m in index], dtype=object),
        }
    )


# -- milestones ----------------------------------------------------------------------------
def _milestones(milestones: pd.DataFrame) -> list[dict[str, Any]]:
    """The milestones as records in date order, each with its first day under ``_start``."""
    recs: list[dict[str, Any]] = []
    if milestones.empty:
        return recs
    for row in milestones.to_dict(orient="records"):
        day = _day(row["date"])
        precision = row.get("precision")
        precision = "day" if _missing(precision) else str(precision)
        rec = {
            "agreement_id": row.get("agreement_id"),
            "date": when_text(day, precision),
            "precision": precision,
            "kind": row["kind"],
            "description": row["description"],
            "actors": row.get("actors"),
            "source": row.get("source"),
        }
        rec = {k: (None if _missing(v) else v) for k, v in rec.items()}
        if rec["agreement_id"] is not None:
            rec["agreement_id"] = int(rec["agreement_id"])
        recs.append({**rec, "_start": day})
    recs.sort(key=lambda r: (r["_start"], str(r["kind"])))
    return recs


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if not k.startswith("_")}


def milestone_records(milestones: pd.DataFrame) -> list[dict[str, Any]]:
    """The milestones as records in date order: agreement_id, date (written to its
    precision: ``2015-06-20``, ``2022-12``, ``2021``), precision, kind, description, actors,
    source.

    >>> ms = pd.DataFrame({"date": [dt.date(2021, 1, 1)], "precision": ["year"],
    ...                    "kind": ["security_partner"], "description": ["Wagner"]})
    >>> milestone_records(ms)[0]["date"]
    '2021'
    """
    return [_public(r) for r in _milestones(milestones)]


def _month_rows(
    months: Sequence[dt.date], milestones: pd.DataFrame, fatalities: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One row per month (fatalities, source, the milestones known to the day or month),
    and the milestones known only to their year."""
    frame = pd.DataFrame({"month": list(months)})
    fat = _fatalities(months, fatalities)
    frame["fatalities"] = fat["fatalities"]
    frame["fatalities_source"] = fat["source"]
    by_month: dict[dt.date, list[dict[str, Any]]] = {}
    yearly: list[dict[str, Any]] = []
    for rec in _milestones(milestones):
        if rec["precision"] == "year":
            yearly.append(rec)
        else:
            by_month.setdefault(rec["_start"].replace(day=1), []).append(rec)
    frame["milestone_kinds"] = [
        ", ".join(r["kind"] for r in by_month.get(m, [])) or None for m in frame.month
    ]
    listed: list[Any] = [[_public(r) for r in by_month.get(m, [])] for m in frame.month]
    frame["milestones"] = pd.Series(listed, index=frame.index, dtype=object)
    return frame, yearly


def monthly_timeline(
    months: Sequence[dt.date], milestones: pd.DataFrame, fatalities: pd.DataFrame
) -> pd.DataFrame:
    """One row per month — fatalities, their source, the milestones of that month — and one
    row per year that has milestones known only to the year, placed before its months.

    Columns: period (``2015-06``, or ``2021`` for a year row), month (first day; None on a
    year row), precision (``month`` or ``year``), fatalities, fatalities_source,
    milestone_kinds, milestones (a list of :func:`milestone_records` records).
    """
    frame, yearly = _month_rows(months, milestones, fatalities)
    frame.insert(0, "period", [m.isoformat()[:7] for m in frame.month])
    frame.insert(2, "precision", "month")
    years: dict[int, list[dict[str, Any]]] = {}
    for rec in yearly:
        years.setdefault(rec["_start"].year, []).append(rec)
    extra = pd.DataFrame(
        [
            {
                "period": str(year),
                "month": None,
                "precision": "year",
                "fatalities": float("nan"),
                "fatalities_source": None,
                "milestone_kinds": ", ".join(r["kind"] for r in recs),
                "milestones": [_public(r) for r in recs],
            }
            for year, recs in sorted(years.items())
        ],
        columns=frame.columns,
    )
    if extra.empty:
        return frame
    order = [(int(p[:4]), 0 if len(p) == 4 else 1, p) for p in extra.period] + [
        (int(p[:4]), 0 if len(p) == 4 else 1, p) for p in frame.period
    ]
    both = pd.concat([extra.astype(object), frame.astype(object)], ignore_index=True)
    both["fatalities"] = both["fatalities"].astype("float64")
    both = both.iloc[sorted(range(len(order)), key=order.__getitem__)]
    return both.reset_index(drop=True)


def _trend(frame: pd.DataFrame) -> tuple[pd.Series, list[str | None]]:
    """(3-month mean, trend label) per month; no label across a change of source."""
    fat = frame["fatalities"]
    recent = fat.rolling(3, min_periods=3).mean()
    before = fat.shift(3).rolling(12, min_periods=12).mean()
    ratio = recent / before.where(before > 0)
    codes = pd.Series(pd.factorize(frame["fatalities_source"].fillna("\0"))[0], index=fat.index)
    one_source = codes.rolling(15, min_periods=15).apply(lambda v: float(v.min() == v.max()))
    labels: list[str | None] = []
    for r, b, c, same in zip(ratio, before, recent, one_source, strict=True):
        if same != 1.0 or (pd.isna(r) and not (pd.notna(b) and b == 0 and pd.notna(c) and c > 0)):
            labels.append(None)
        elif (pd.isna(r) or r >= 1.5) and c >= 5:
            labels.append("rising")
        elif pd.notna(r) and r <= 0.67:
            labels.append("falling")
        else:
            labels.append("stable")
    return recent.round(1), labels


def monthly_health(
    months: Sequence[dt.date],
    *,
    index: pd.DataFrame,
    assessments: pd.DataFrame,
    milestones: pd.DataFrame,
    fatalities: pd.DataFrame,
    signatory_events: pd.DataFrame,
) -> pd.DataFrame:
    """The monthly accord-health table (rules in the module docstring).

    ``index``: month, index (overall implementation index at the month's end);
    ``assessments``: date, score; ``milestones``: date, precision, kind, description (and
    optionally agreement_id, actors, source); ``fatalities``: month, fatalities, source
    (:func:`best_fatalities`); ``signatory_events``: month, events, deaths, between.
    Milestones known only to their year are in no month's row: ``attrs["year_milestones"]``
    lists them.
    """
    frame, yearly = _month_rows(months, milestones, fatalities)
    frame.attrs["year_milestones"] = [_public(r) for r in yearly]
    idx = (
        index.assign(month=_month(index["month"])).set_index("month")["index"]
        if len(index)
        else pd.Series(dtype=float)
    )
    frame["index"] = [float(idx.get(m, float("nan"))) for m in frame.month]
    frame["index_change"] = frame["index"].diff()
    if len(assessments):
        am = assessments.assign(month=_month(assessments["date"]))
        counts = am.groupby("month").size()
        backwards = am[am.score.isin(["reversed", "suspended"])].groupby("month").size()
    else:
        counts = backwards = pd.Series(dtype="int64")
    frame["assessments"] = [int(counts.get(m, 0)) for m in frame.month]
    frame["reversed_or_suspended"] = [int(backwards.get(m, 0)) for m in frame.month]
    if len(signatory_events):
        se = signatory_events.assign(month=_month(signatory_events["month"])).set_index("month")
    else:
        se = pd.DataFrame(columns=["events", "deaths", "between"])
    for col in ("events", "deaths", "between"):
        frame[f"signatory_{col}" if col != "between" else "between_signatories"] = [
            int(se[col].get(m, 0)) if col in se else 0 for m in frame.month
        ]
    frame["fatalities_3m"], frame["fatalities_trend"] = _trend(frame)
    ended = None
    if len(milestones):
        term = milestones[milestones.kind == "termination"]
        if len(term):
            precisions = term["precision"] if "precision" in term else ["day"] * len(term)
            ended = min(
                period_end(_day(d), p).replace(day=1)
                for d, p in zip(term["date"], precisions, strict=True)
            )
    status = []
    for month, change, backwards, fights, trend in zip(
        frame["month"],
        frame["index_change"],
        frame["reversed_or_suspended"],
        frame["between_signatories"],
        frame["fatalities_trend"],
        strict=True,
    ):
        if ended is not None and month >= ended:
            status.append("terminated")
        elif (pd.notna(change) and change < 0) or backwards > 0 or fights > 0 or trend == "rising":
            status.append("strained")
        elif pd.notna(change) and change > 0:
            status.append("advancing")
        else:
            status.append("stalled")
    frame["status"] = status
    return frame
