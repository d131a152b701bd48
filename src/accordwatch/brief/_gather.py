"""Gathering a briefing: every section of :class:`~accordwatch.brief._model.Briefing` filled
from the store through the public functions (``accordwatch.events``/``stats``,
``accordwatch.accords``, the stored forecasts).

The counting basis.  A briefing counts the events of the first counted source the store holds
for the country (UCDP GED, else UCDP Candidate, else ACLED: ``basis = "events"``); without
any, it counts the VIEWS country-month series of UCDP GED state-based deaths the store was
seeded with (``basis = "country-month"``: deaths only, no events, regions or actors).
Reviewed events from text are listed and mapped, never counted: they are what a person
accepted from a report, a floor and not a count.

The period.  By default it ends with the last month the basis has data for (the country's
last counted event, else the last month of its series) and runs 12 months; ``since`` and
``until`` set it (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).  It is compared with the previous
period of equal length and with the same period a year before (:func:`compare_periods`).

>>> from accordwatch.brief import gather
>>> b = gather("Central African Republic", db="store.duckdb")  # doctest: +SKIP
>>> b.headline.deaths_best.value, b.headline.trend                # doctest: +SKIP
(773.0, 'improved')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ._ctx import (
    COUNTED_SOURCES,
    SOURCE_NAMES,
    Context,
    compare_periods,
    month_end,
    months_between,
    parse_day,
    shift_months,
)
from ._gather_events import EVENT_COLUMNS, type_label
from ._i18n import check_lang, fmt_date, fmt_period
from ._model import Briefing, EarlyWarning, Figure, Headline, Timeline, WhoFights

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TOP_ACTORS", "TREND_RULE", "gather", "trend"]

#: actors named in the timeline by actor (the others are "other")
TOP_ACTORS = 5
#: actors and dyads listed in "who fights whom"
_TOP_WHO = 20

#: The trend rule, as numbers: a change of at least this ratio AND this many deaths.
TREND_RULE = {"worse_ratio": 1.25, "better_ratio": 0.8, "min_change": 10}


def trend(current: float | None, previous: float | None) -> str:
    """The one-word trend of deaths against the previous period (:data:`TREND_RULE`):
    ``"deteriorated"`` at ≥ 1.25 × and ≥ +10 deaths, ``"improved"`` at ≤ 0.8 × and ≥ 10
    fewer, else ``"unchanged"``; ``"unknown"`` when either figure is missing.

    >>> trend(130, 100), trend(12, 0), trend(80, 100), trend(8, 16), trend(None, 5)
    ('deteriorated', 'deteriorated', 'improved', 'unchanged', 'unknown')
    """
    if current is None or previous is None:
        return "unknown"
    change = current - previous
    if current >= TREND_RULE["worse_ratio"] * previous and change >= TREND_RULE["min_change"]:
        return "deteriorated"
    if current <= TREND_RULE["better_ratio"] * previous and -change >= TREND_RULE["min_change"]:
        return "improved"
    return "unchanged"


# -- the basis and the period -----------------------------------------------------------------
def _counted_source(store: Any, country: str, region: str | None) -> str | None:
    import accordwatch as aw

    held = aw.stats(store, by=["source"], country=country, region=region)
    present = set(held["source"]) if len(held) else set()
    return next((s for s in COUNTED_SOURCES if s in present), None)


def _coverage(
    store: Any, country: str, region: str | None, source: str | None
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the months the counted source has events of the country in
    (UCDP GED is released a year at a time: whole years)."""
    import accordwatch as aw

    if source is None:
        return None
    months = aw.stats(store, by=["month"], country=country, region=region, source=source)
    first = dt.date.fromisoformat(str(months["month"].min()) + "-01")
    last = month_end(dt.date.fromisoformat(str(months["month"].max()) + "-01"))
    if source == "ucdp-ged":
        return dt.date(first.year, 1, 1), dt.date(last.year, 12, 31)
    return first, last


def _default_until(
    basis: str, store: Any, rec: dict[str, Any], coverage: tuple[dt.date, dt.date] | None
) -> dt.date:
    from .._app.briefing import country_month_span

    if basis == "events" and coverage is not None:
        return coverage[1]
    span = country_month_span(rec["gwcode"], rec["name"], store)
    if span is not None:
        return month_end(span[1])
    today = dt.date.today()
    return shift_months(today, 0) - dt.timedelta(days=1)  # the end of last month


def _period(
    since: str | dt.date | None, until: str | dt.date | None, default_until: dt.date
) -> tuple[dt.date, dt.date]:
    start, end = parse_day(since, "since"), parse_day(until, "until")
    if end is None:
        end = (
            default_until
            if start is None or default_until >= start
            else month_end(shift_months(start, 11))
        )
    if start is None:
        start = shift_months(end, -11)
    if start > end:
        raise InputError(f"--since {start} is after --until {end}")
    return start, end


# -- the events behind the sections -----------------------------------------------------------
def _sides(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per event and actor — its sides and the names in ``actors``, each once — with
    the event's deaths: how ``accordwatch stats --by actor`` counts.  Rows in the order of
    the events, then side A, side B and the ``actors`` names."""
    import pandas as pd

    cols = ["source", "source_event_id", "actor", "best", "date_start"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    events = frame[["source", "source_event_id", "best", "date_start"]].reset_index(drop=True)
    row = pd.RangeIndex(len(events))
    named = [
        pd.DataFrame({"_row": row, "_pos": pos, "actor": frame[key].astype(object).to_numpy()})
        for pos, key in enumerate(("side_a", "side_b"))
    ]
    listed = frame["actors"].astype(object).reset_index(drop=True)
    listed = listed.where(listed.map(lambda v: isinstance(v, str)), None).str.split("; ")
    more = pd.DataFrame({"_row": row, "actor": listed}).explode("actor", ignore_index=True)
    more["_pos"] = more.groupby("_row").cumcount() + 2
    names = pd.concat([*named, more[["_row", "_pos", "actor"]]], ignore_index=True)
    kept = names["actor"].map(lambda v: isinstance(v, str) and v != "")
    names = names[kept].sort_values(["_row", "_pos"], kind="stable")
    names = names.drop_duplicates(["_row", "actor"])
    out = events.iloc[names["_row"].to_numpy()].reset_index(drop=True)
    out["actor"] = names["actor"].to_numpy()
    return out[cols]


def _event_sides(ctx: Context) -> pd.DataFrame:
    """:func:`_sides` of the period's counted events, made once per briefing."""
    if ctx.sides is None:
        assert ctx.events is not None
        ctx.sides = _sides(ctx.events)
    return ctx.sides


def _month(values: pd.Series) -> list[dt.date]:
    """The first day of each date's month."""
    import pandas as pd

    days = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    years, months = days.dt.year.tolist(), days.dt.month.tolist()
    return [dt.date(y, m, 1) for y, m in zip(years, months, strict=True)]


def _stats_total(ctx: Context, since: dt.date, until: dt.date) -> dict[str, float] | None:
    """Events and deaths of the counted source between the dates, as ``accordwatch stats``
    gives them; None when the basis is not events."""
    import accordwatch as aw

    if ctx.basis != "events":
        return None
    frame = aw.stats(ctx.db, by=["source"], **ctx.filters(since, until))
    cols = ("events", "deaths_best", "deaths_low", "deaths_high")
    return {c: float(frame[c].sum()) if len(frame) else 0.0 for c in cols}


def _cm_total(ctx: Context, since: dt.date, until: dt.date) -> tuple[float | None, int, int]:
    """(deaths, months covered, months) of the country-month series between the dates."""
    from .._app.briefing import country_month_deaths

    frame = country_month_deaths(ctx.country["gwcode"], ctx.name, since, until, ctx.db)
    months = len(months_between(since, until))
    if frame.empty:
        return None, 0, months
    return float(frame["deaths"].sum()), len(frame), months


# -- headline ---------------------------------------------------------------------------------
def _headline(ctx: Context) -> Headline:
    period = fmt_period(ctx.since, ctx.until, ctx.lang)
    prev_text = fmt_period(*ctx.previous, ctx.lang)
    year_text = fmt_period(*ctx.year_before, ctx.lang)
    head = Headline(
        title=ctx.w("title_headline"),
        period=(ctx.since, ctx.until),
        previous=ctx.previous,
        year_before=ctx.year_before,
        trend_rule=ctx.w("trend_rule"),
        basis=ctx.basis,
        source=ctx.source or "",
    )
    if ctx.basis == "events":
        cmd = lambda a, b: ctx.command("stats", "--by", "source", **ctx.filters(a, b))  # noqa: E731
        cur = _stats_total(ctx, ctx.since, ctx.until) or {}
        prev = _stats_total(ctx, *ctx.previous) or {}
        year = _stats_total(ctx, *ctx.year_before) or {}
        here = cmd(ctx.since, ctx.until)
        head.command = here
        head.events = Figure(cur["events"], ctx.w("label_events"), here)
        head.deaths_best = Figure(cur["deaths_best"], ctx.w("label_deaths_best"), here)
        head.deaths_low = Figure(cur["deaths_low"], ctx.w("label_deaths_low"), here)
        head.deaths_high = Figure(cur["deaths_high"], ctx.w("label_deaths_high"), here)
        head.previous_deaths = Figure(
            prev["deaths_best"], ctx.w("label_previous", period=prev_text), cmd(*ctx.previous)
        )
        head.year_before_deaths = Figure(
            year["deaths_best"],
            ctx.w("label_year_before", period=year_text),
            cmd(*ctx.year_before),
        )
        covers = [ctx.covers(*p) for p in ((ctx.since, ctx.until), ctx.previous, ctx.year_before)]
        if not covers[0]:
            head.notes.append(_coverage_note(ctx))
        if not covers[1]:
            head.previous_deaths.value = None
        if not covers[2]:
            head.year_before_deaths.value = None
        head.trend = (
            trend(cur["deaths_best"], prev["deaths_best"]) if all(covers[:2]) else "unknown"
        )
        return head
    if ctx.basis == "country-month":

        def cmd(a: dt.date, b: dt.date) -> str:
            return ctx.command(
                "accords timeline",
                country=ctx.name,
                since=a.strftime("%Y-%m"),
                until=b.strftime("%Y-%m"),
            )

        deaths, covered, months = _cm_total(ctx, ctx.since, ctx.until)
        if deaths is None:
            head.empty = ctx.w("empty_headline", period=period, country=ctx.name)
            return head
        if covered < months:
            head.notes.append(_partial_note(ctx, ctx.since, ctx.until, covered, months))
        p_deaths, p_cov, p_months = _cm_total(ctx, *ctx.previous)
        y_deaths, y_cov, y_months = _cm_total(ctx, *ctx.year_before)
        here = cmd(ctx.since, ctx.until)
        head.command = here
        head.deaths_best = Figure(deaths, ctx.w("label_deaths_best"), here)
        head.previous_deaths = Figure(
            p_deaths if p_cov == p_months else None,
            ctx.w("label_previous", period=prev_text),
            cmd(*ctx.previous),
        )
        head.year_before_deaths = Figure(
            y_deaths if y_cov == y_months else None,
            ctx.w("label_year_before", period=year_text),
            cmd(*ctx.year_before),
        )
        comparable = covered == months and p_cov == p_months
        head.trend = trend(deaths, p_deaths) if comparable else "unknown"
        return head
    head.empty = ctx.w("empty_headline", period=period, country=ctx.name)
    return head


def _coverage_note(ctx: Context) -> str:
    assert ctx.coverage is not None and ctx.source is not None
    return ctx.w(
        "note_partial_events",
        source=SOURCE_NAMES.get(ctx.source, ctx.source),
        period=fmt_period(*ctx.coverage, ctx.lang),
    )


def _partial_note(ctx: Context, since: dt.date, until: dt.date, covered: int, months: int) -> str:
    from .._app.briefing import country_month_span

    span = country_month_span(ctx.country["gwcode"], ctx.name, ctx.db)
    end = fmt_date(span[1], ctx.lang, "month") if span else ctx.w("none")
    return ctx.w(
        "note_partial_cm",
        covered=covered,
        months=months,
        period=fmt_period(since, until, ctx.lang),
        end=end,
    )


# -- timeline ---------------------------------------------------------------------------------
def _timeline(ctx: Context, milestones: pd.DataFrame) -> Timeline:
    import pandas as pd

    tl = Timeline(title=ctx.w("title_timeline"), milestones=milestones)
    months = months_between(ctx.since, ctx.until)
    if ctx.basis == "events" and ctx.events is not None:
        ev = ctx.events
        tl.command = ctx.command("stats", "--by", "month", "--by", "type", **ctx.filters())
        codes = sorted({int(c) for c in ev["type_of_violence"].dropna()}) or [1]
        labels = [type_label(ctx, c) for c in codes]
        if ev["type_of_violence"].isna().any():
            labels.append(ctx.w("type_unknown"))
        codes_of = ev["type_of_violence"].astype(object)
        names = {c: type_label(ctx, c) for c in codes_of.dropna().unique()}
        frame = pd.DataFrame(
            {
                "month": _month(ev["date_start"]),
                "type": [names[c] if c in names else type_label(ctx, c) for c in codes_of],
                "deaths": ev["best"].fillna(0).astype(float).to_numpy(),
            }
        )
        grid = pd.MultiIndex.from_product([months, labels], names=["month", "type"])
        tl.by_type = (
            frame.groupby(["month", "type"])["deaths"].sum().reindex(grid, fill_value=0.0)
        ).reset_index()
        tl.by_actor = _by_actor(ctx, ev, months)
    elif ctx.basis == "country-month":
        from .._app.briefing import country_month_deaths

        cm = country_month_deaths(ctx.country["gwcode"], ctx.name, ctx.since, ctx.until, ctx.db)
        tl.command = ctx.command(
            "accords timeline",
            country=ctx.name,
            since=ctx.since.strftime("%Y-%m"),
            until=ctx.until.strftime("%Y-%m"),
        )
        tl.by_type = pd.DataFrame(
            {"month": cm["month"], "type": ctx.w("type_state_based"), "deaths": cm["deaths"]}
        )
    if tl.by_type.empty:
        tl.by_type = pd.DataFrame(columns=["month", "type", "deaths"])
    if tl.by_actor.empty:
        tl.by_actor = pd.DataFrame(columns=["month", "actor", "deaths"])
    if tl.by_type.empty and milestones.empty:
        tl.empty = ctx.w("empty_timeline", country=ctx.name)
    elif milestones.empty:
        tl.notes.append(ctx.w("empty_milestones"))
    return tl


def _by_actor(ctx: Context, ev: pd.DataFrame, months: list[dt.date]) -> pd.DataFrame:
    import pandas as pd

    sides = _event_sides(ctx).copy()
    if sides.empty:
        return pd.DataFrame(columns=["month", "actor", "deaths"])
    sides["best"] = sides["best"].fillna(0).astype(float)
    top = sides.groupby("actor")["best"].sum().sort_values(ascending=False, kind="stable")
    named = list(top.index[:TOP_ACTORS])
    other = ctx.w("other")
    sides["actor"] = sides["actor"].where(sides["actor"].isin(named), other)
    # an event with two actors grouped as "other" counts once for "other"
    sides = sides.drop_duplicates(["source", "source_event_id", "actor"])
    sides["month"] = _month(sides["date_start"])
    order = named + ([other] if (sides["actor"] == other).any() else [])
    grid = pd.MultiIndex.from_product([months, order], names=["month", "actor"])
    return (
        (sides.groupby(["month", "actor"])["best"].sum().reindex(grid, fill_value=0.0))
        .rename("deaths")
        .reset_index()
    )


# -- who fights whom --------------------------------------------------------------------------
def _who(ctx: Context, lineage: pd.DataFrame) -> WhoFights:
    import pandas as pd

    who = WhoFights(title=ctx.w("title_who"), lineage=lineage)
    ev = ctx.events
    if ctx.basis == "events" and ev is not None and len(ev):
        who.command = ctx.command("stats", "--by", "actor", **ctx.filters())
        sides = _event_sides(ctx).copy()
        sides["best"] = sides["best"].fillna(0)
        who.actors = (
            sides.groupby("actor")
            .agg(events=("best", "size"), deaths=("best", "sum"))
            .sort_values(["deaths", "events"], ascending=False, kind="stable")
            .head(_TOP_WHO)
            .reset_index()
        )
        pairs = ev.assign(
            side_a=ev["side_a"].fillna(ctx.w("unknown")),
            side_b=ev["side_b"].fillna(ctx.w("unknown")),
            best=ev["best"].fillna(0),
        )
        who.dyads = (
            pairs.groupby(["side_a", "side_b"])
            .agg(events=("best", "size"), deaths=("best", "sum"))
            .sort_values(["deaths", "events"], ascending=False, kind="stable")
            .head(_TOP_WHO)
            .reset_index()
        )
    else:
        who.actors = pd.DataFrame(columns=["actor", "events", "deaths"])
        who.dyads = pd.DataFrame(columns=["side_a", "side_b", "events", "deaths"])
        if not lineage.empty:
            who.notes.append(ctx.w("empty_actors"))
    if who.actors.empty and lineage.empty:
        who.empty = ctx.w("empty_who")
    return who


# -- the whole briefing -----------------------------------------------------------------------
def _fetch(ctx: Context) -> None:
    """The counted events of the period and the reviewed text events from its start."""
    import pandas as pd

    import accordwatch as aw

    if ctx.basis == "events":
        ctx.events = aw.events(ctx.db, columns=EVENT_COLUMNS, **ctx.filters())
    base: dict[str, Any] = {"country": ctx.name, "since": ctx.since}
    if ctx.region:
        base["region"] = ctx.region
    ctx.text_events = aw.events(ctx.db, columns=EVENT_COLUMNS, source="text", **base)
    later = (
        ctx.text_events[pd.to_datetime(ctx.text_events["date_start"]) > pd.Timestamp(ctx.until)]
        if len(ctx.text_events)
        else ctx.text_events
    )
    if len(later):
        last = max(pd.Timestamp(d).date() for d in later["date_start"])
        ctx.notes.append(
            ctx.w("note_text_after", n=len(later), last=fmt_date(last, ctx.lang, "month"))
        )


def gather(
    country: str,
    *,
    region: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    lang: str = "en",
    db: Any = None,
    model: str | None = None,
    agreement: int | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Briefing:
    """Every section of a briefing on ``country`` (name, ISO3 code or Gleditsch–Ward number),
    optionally one admin-1 ``region`` of it, from the store ``db`` (a path, an open Store,
    or None for the default store).

    ``since``/``until`` set the period (default: the 12 months up to the last month with
    data; see the module docs); ``lang`` is ``"en"`` or ``"fr"``; ``model`` the forecast
    model (default: the backtested default; ``"conflictology"`` is fast); ``agreement`` the
    UCDP paid of the agreement to report on (default: the country's main one).  The
    forecast is read from the store when it holds one of the same data and model, else
    fitted and stored (the early-warning section says which); ``progress`` is told before
    a fit.
    """
    from .._app._store import store_path, using
    from .._app.briefing import country_record
    from ._gather_accord import accord_section, lineage_frame, milestone_frame
    from ._gather_events import key_events
    from ._gather_map import map_section
    from ._gather_sources import finish
    from ._gather_warning import forecast_stored, warning_inputs, warning_section

    lang = check_lang(lang)
    parse_day(since, "since")
    parse_day(until, "until")
    option = [] if db is None else ["--db", store_path(db)]
    with using(db) as store:  # one read of the store for all but the forecast
        rec = country_record(country, store)
        source = _counted_source(store, rec["name"], region)
        from .._app.briefing import country_month_span

        basis = (
            "events"
            if source
            else (
                "country-month" if country_month_span(rec["gwcode"], rec["name"], store) else "none"
            )
        )
        coverage = _coverage(store, rec["name"], region, source)
        start, end = _period(since, until, _default_until(basis, store, rec, coverage))
        previous, year_before = compare_periods(start, end)
        ctx = Context(
            lang=lang,
            country=rec,
            region=region,
            since=start,
            until=end,
            previous=previous,
            year_before=year_before,
            basis=basis,
            source=source,
            db=store,
            db_option=option,
            coverage=coverage,
        )
        path = store_path(store)
        inputs = warning_inputs(ctx)
        _fetch(ctx)
        accord, agreement_rec = accord_section(ctx, agreement)
        milestones = milestone_frame(ctx, agreement_rec)
        headline = _headline(ctx)
        timeline = _timeline(ctx, milestones)
        who = _who(ctx, lineage_frame(ctx, agreement_rec))
        version = _ged_version(ctx)
        keys = key_events(ctx, version)
        area = map_section(ctx)
        brief = Briefing(
            country=ctx.name,
            region=region,
            since=start,
            until=end,
            lang=lang,
            headline=headline,
            map=area,
            timeline=timeline,
            who=who,
            accord=accord,
            warning=EarlyWarning(title=ctx.w("title_warning")),  # below
            key_events=keys,
            sources=[],
            methods=[],
            provenance=None,  # type: ignore[arg-type]  # set by finish()
        )
        finish(ctx, brief, path)  # the sources count VIEWS: warning_inputs() marked it used
        if forecast_stored(ctx, inputs, model):  # read on the open store
            brief.warning = warning_section(ctx, inputs, store, model, progress)
            return brief
    # the forecast is fitted and stored: with no store of this call open
    brief.warning = warning_section(ctx, inputs, db, model, progress)
    return brief


def _ged_version(ctx: Context) -> str:
    from ._gather_sources import dataset_version

    return dataset_version(ctx, ctx.source) if ctx.source else ""
