"""What the pages show, gathered from the public functions: plain dicts and lists the
templates render (no HTML is written here; the templates escape every value).

Every function takes ``db`` — what the web app's read helper passes (an open store on the
reader's snapshot), or a path in a notebook — and reads only through ``accordwatch``,
``accordwatch.accords``, the actor registry, the gazetteer and the briefing's helpers.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..errors import InputError, NotFound
from . import _pages_charts as charts

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EVENT_FILTERS",
    "PER_PAGE",
    "STAMP_SECONDS",
    "actor_page",
    "cursor_token",
    "agreement_page",
    "candidate_page",
    "digest_page",
    "explorer",
    "forget",
    "highlight",
    "overview",
    "place_page",
    "query_string",
    "review_queue",
]

#: the event filters the explorer takes (the query parameters of ``/api/events``)
EVENT_FILTERS = (
    "country",
    "region",
    "actor",
    "lineage",
    "since",
    "until",
    "type_of_violence",
    "min_deaths",
    "source",
)
#: events listed on one page of the explorer
PER_PAGE = 50
#: the most events the explorer maps one by one (more are summed by PRIO-GRID cell)
_MAP_EVENTS = 5000
_TYPES = {1: "state-based", 2: "non-state", 3: "one-sided"}
_COUNTED = ("ucdp-ged", "ucdp-candidate", "acled")
_EVENT_COLUMNS = [
    "source",
    "source_event_id",
    "date_start",
    "date_end",
    "country",
    "admin1",
    "adm_1",
    "where_coordinates",
    "side_a",
    "side_b",
    "actors",
    "type_of_violence",
    "event_type",
    "best",
    "low",
    "high",
    "latitude",
    "longitude",
    "source_url",
    "source_title",
    "evidence",
]


# -- small helpers ------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    """A finite number, or None (missing, NaN, NA, not a number)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _day(value: Any) -> str:
    """A date (or timestamp) as ``YYYY-MM-DD``; empty for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "" if text in ("NaT", "nan", "None") else text[:10]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    return "" if text in ("nan", "None", "<NA>", "NaT") else text


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts, missing values as None."""
    import pandas as pd

    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): (None if _missing(v, pd) else v) for k, v in row.items()})
    return out


def _missing(value: Any, pd: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False


def query_string(params: Mapping[str, Any], **changes: Any) -> str:
    """``params`` with ``changes`` (None removes a key) as a URL query string; empty values
    and ``False`` are left out, lists become repeated keys."""
    merged = {**params, **changes}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value is False:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, "true" if v is True else str(v)) for v in values if v not in (None, "")]
    return urlencode(pairs)


def _month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _shift(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_id(day: dt.date) -> int:
    return (day.year - 1980) * 12 + day.month


def _canonical_regions(names: Iterable[Any], iso3: str | None, known: set[str]) -> list[Any]:
    """Each admin-1 name as the bundled outlines name it, when the bundled index knows the
    spelling; other names as they are (None for a missing one)."""
    from ..geo import AdminIndex

    index = AdminIndex.default() if iso3 and known else None
    out: list[Any] = []
    for name in names:
        if not isinstance(name, str) or not name:
            out.append(None)
            continue
        found = None
        if index is not None:
            try:
                found = index.normalize(name, country=iso3)
            except InputError:
                found = None
        out.append(found if found in known else name)
    return out


def _counted_source(db: Any, country: str) -> str | None:
    """The first counted event source (UCDP GED, UCDP Candidate, ACLED) the store holds for
    the country; reviewed text events are shown, never counted."""
    import accordwatch as aw

    held = aw.stats(db, by=["source"], country=country)
    present = set(held["source"]) if len(held) else set()
    return next((s for s in _COUNTED if s in present), None)


# -- the first screen ----------------------------------------------------------------------
def _period(
    db: Any, rec: dict[str, Any], source: str | None, months: int, until: str | None
) -> tuple[dt.date, dt.date]:
    """The ``months`` up to ``until`` (default: the last month the counted source has events
    of the country in, else the last month of its country-month series, else last month)."""
    import accordwatch as aw

    from ..brief._ctx import parse_day

    end = parse_day(until, "until") if until else None
    if end is None:
        if source is not None:
            by_month = aw.stats(db, by=["month"], country=rec["name"], source=source)
            end = _month_end(dt.date.fromisoformat(str(by_month["month"].max()) + "-01"))
        else:
            from .._app.briefing import country_month_span

            span = country_month_span(rec["gwcode"], rec["name"], db)
            today = dt.date.today()
            end = _month_end(span[1]) if span else today.replace(day=1) - dt.timedelta(days=1)
    end = _month_end(end)
    return _shift(end, -(months - 1)), end


def _region_changes(
    db: Any,
    rec: dict[str, Any],
    source: str,
    period: tuple[dt.date, dt.date],
    previous: tuple[dt.date, dt.date],
    known: set[str],
) -> tuple[list[dict[str, Any]], int]:
    """Deaths and events per admin-1 region in the period and the previous one, the change,
    and each region's mean event position; and how many events had no region."""
    import pandas as pd

    import accordwatch as aw

    cols = ["date_start", "admin1", "adm_1", "best", "latitude", "longitude"]
    ev = aw.events(db, columns=cols, country=rec["name"], source=source, since=previous[0])
    ev = ev[pd.to_datetime(ev["date_start"]).dt.date <= period[1]]
    if ev.empty:
        regions = sorted(known)
        return [_region_row(n, 0.0, 0.0, 0, None, None) for n in regions], 0
    raw = ev["admin1"].where(ev["admin1"].notna(), ev["adm_1"])
    frame = pd.DataFrame(
        {
            "admin1": _canonical_regions(raw, rec.get("iso3"), known),
            "now": pd.to_datetime(ev["date_start"]).dt.date >= period[0],
            "best": pd.to_numeric(ev["best"], errors="coerce").fillna(0.0),
            "lat": ev["latitude"],
            "lon": ev["longitude"],
        }
    )
    unlocated = int(frame["admin1"].isna().sum())
    frame = frame.dropna(subset=["admin1"])
    rows = []
    for name in sorted(set(frame["admin1"]) | known, key=str.casefold):
        part = frame[frame["admin1"] == name]
        now = part[part["now"]]
        lat = _num(part["lat"].mean()) if len(part) else None
        lon = _num(part["lon"].mean()) if len(part) else None
        rows.append(
            _region_row(
                name,
                float(now["best"].sum()),
                float(part.loc[~part["now"], "best"].sum()),
                len(now),
                lat,
                lon,
            )
        )
    return rows, unlocated


def _region_row(
    name: str, now: float, before: float, events: int, lat: float | None, lon: float | None
) -> dict[str, Any]:
    return {
        "admin1": name,
        "now": now,
        "before": before,
        "change": now - before,
        "events": events,
        "lat": None if lat is None else round(lat, 3),
        "lon": None if lon is None else round(lon, 3),
    }


def _status(milestones: Sequence[Mapping[str, Any]], ended: Any) -> dict[str, Any]:
    """The agreement's status from its milestones (the last suspension, resumption or
    termination decides; a termination is final), ``terminated`` without a date when UCDP
    codes it as ended."""
    from .._app.digest import STATUS_KINDS

    status: dict[str, Any] = {"status": "in force", "date": None, "by": None, "source": None}
    for m in sorted(milestones, key=lambda m: str(m.get("date"))):
        kind = str(m.get("kind") or "").lower()
        if kind not in STATUS_KINDS:
            continue
        status = {
            "status": STATUS_KINDS[kind],
            "date": _day(m.get("date")),
            "precision": m.get("precision"),
            "by": m.get("actors"),
            "source": m.get("source"),
            "description": m.get("description"),
        }
        if status["status"] == "terminated":
            break
    if status["status"] == "in force" and ended is True:
        status = {"status": "terminated", "date": None, "by": None, "source": "UCDP (ended)"}
    return status


def _accord(db: Any, country: str) -> dict[str, Any] | None:
    """The country's main agreement (as the briefing chooses it), its status and its
    latest milestones."""
    from ..brief._gather_accord import main_agreement

    found = main_agreement(db, country)
    if found is None:
        return None
    rec, _why = found
    milestones = sorted(rec.get("milestones") or [], key=lambda m: str(m["date"]), reverse=True)
    return {
        "agreement_id": int(rec["agreement_id"]),
        "name": rec.get("name"),
        "signed": _day(rec.get("signed")),
        "status": _status(rec.get("milestones") or [], rec.get("ended")),
        "milestones": [
            {
                "date": _day(m.get("date")),
                "precision": m.get("precision"),
                "kind": m.get("kind"),
                "description": m.get("description"),
                "actors": m.get("actors"),
                "source": m.get("source"),
            }
            for m in milestones[:6]
        ],
        "assessments": rec.get("assessments", 0),
    }


#: the months of a unit's series one alert check reads: the month, the 12 before it (the
#: baseline) and the 12 before those (the conflictology forecast)
_ALERT_WINDOW = 25


def _panel_alerts(panel: pd.DataFrame, months: Sequence[dt.date]) -> list[dict[str, Any]]:
    """The alerts (:func:`accordwatch.forecast.alerts`, conflictology: no fit) of each
    month of ``months`` for the panel's units, newest first.

    One call checks every month: each unit's last :data:`_ALERT_WINDOW` months up to a
    month become a unit of their own, moved in time so that all of them end in the same
    month (the rule reads nothing else of a unit's series)."""
    import pandas as pd

    from ..forecast import alerts

    last = int(panel["month_id"].max()) if len(panel) else 0
    mids = [m for m in (_month_id(d) for d in months) if m <= last]
    if not mids:
        return []
    end = max(mids)
    parts, where = [], {}
    for k, mid in enumerate(mids):
        part = panel[(panel["month_id"] <= mid) & (panel["month_id"] > mid - _ALERT_WINDOW)]
        if part.empty:
            continue
        parts.append(
            part.assign(unit_id=part["unit_id"] * 100 + k, month_id=part["month_id"] + end - mid)
        )
        where[k] = mid
    try:
        frame = alerts(pd.concat(parts, ignore_index=True), model="conflictology")
    except InputError:
        return []
    found: list[dict[str, Any]] = []
    for r in frame.to_dict(orient="records"):
        mid = where[int(r["unit_id"]) % 100]
        year, month = divmod(mid - 1, 12)
        found.append(
            {
                "unit": str(r["unit"]),
                "month": f"{1980 + year}-{month + 1:02d}",
                "deaths": _num(r["deaths"]),
                "checks": str(r["checks"]).replace(",", ", ").replace("_", " "),
                "reason": str(r["reason"]),
            }
        )
    found.sort(key=lambda a: (a["month"], a["deaths"] or 0.0), reverse=True)
    return found


def _event_alerts(
    db: Any, rec: dict[str, Any], source: str, period: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """Alerts of the country and its admin-1 regions from the counted state-based events."""
    import pandas as pd

    import accordwatch as aw

    from ..forecast import series_from_events

    by = aw.stats(
        db,
        by=["month", "region"],
        country=rec["name"],
        source=source,
        type_of_violence=1,
        until=period[1],
    )
    if by.empty:
        return []
    rows = pd.DataFrame(
        {
            "date_start": [m + "-01" for m in by["month"]],
            "country": rec["name"],
            "country_id": int(rec["gwcode"]),
            "admin1": [None if r == "(unknown)" else r for r in by["region"]],
            "priogrid_gid": 0,
            "best": by["deaths_best"].astype(float),
            "type_of_violence": 1,
        }
    )
    months = []
    day = period[0]
    while day <= period[1]:
        months.append(day)
        day = _shift(day, 1)
    last = _month_id(period[1])
    panels = []
    for level in ("country", "admin1"):
        try:
            panels.append(series_from_events(rows, level, last_month=last))
        except InputError:
            continue
    if not panels:
        return []
    panel = pd.concat(
        [panels[0], *[p.assign(unit_id=p["unit_id"] + 10_000_000) for p in panels[1:]]],
        ignore_index=True,
    )
    return _panel_alerts(panel, months)


def _series_alerts(
    db: Any, rec: dict[str, Any], period: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """Alerts of the country from the store's country-month series (no counted events)."""
    import pandas as pd

    from .._app.briefing import country_month_deaths

    start = _shift(period[0], -48)
    series = country_month_deaths(rec["gwcode"], rec["name"], start, period[1], db)
    if series.empty:
        return []
    panel = pd.DataFrame(
        {
            "unit_id": int(rec["gwcode"] or 0),
            "unit": rec["name"],
            "month_id": [_month_id(m) for m in series["month"]],
            "y": series["deaths"].astype(float),
        }
    )
    months = []
    day = period[0]
    while day <= period[1]:
        months.append(day)
        day = _shift(day, 1)
    return _panel_alerts(panel, months)


#: first screens kept (by store, country, period and the store's last ingest run)
_CACHE_SIZE = 32
#: seconds a store's last ingest run is taken as known before it is read again
STAMP_SECONDS = 5.0
_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_stamps: dict[str, tuple[float, int]] = {}
_cache_lock = threading.Lock()


def _data_stamp(db: Any) -> tuple[str, int]:
    """The store and its last ingest run: every load of events (an ingest, an accepted
    review candidate, a seed) is a run, so the events a first screen counts are the same
    while this is.  Read at most every :data:`STAMP_SECONDS` (:func:`forget` reads it again
    at the next call)."""
    import time

    import accordwatch as aw

    path = aw.store_path(db)
    now = time.monotonic()
    with _cache_lock:
        known = _stamps.get(path)
    if known is not None and now - known[0] < STAMP_SECONDS:
        return path, known[1]
    runs = aw.ingest_runs(db)
    run = int(runs["run_id"].max()) if len(runs) else 0
    with _cache_lock:
        _stamps[path] = (now, run)
    return path, run


def forget(db: Any) -> None:
    """Read the store's last ingest run again at the next first screen (after a change
    made through the pages, so that it shows at once; others show within
    :data:`STAMP_SECONDS`)."""
    import accordwatch as aw

    with _cache_lock:
        _stamps.pop(aw.store_path(db), None)


def overview(
    country: str = "Mali",
    *,
    months: int = 3,
    until: str | None = None,
    db: Any = None,
) -> dict[str, Any]:
    """The first screen: the change in deaths by admin-1 region in the ``months`` up to
    ``until`` against the months before, the period's alerts, the accord's status and its
    latest milestones, and the map's Vega-Lite spec as JSON (``map_json``).

    Deaths are those of the first counted source the store holds for the country; without
    one, the country-month series gives the country's total and the map shows the reviewed
    events from text only.  The answer is kept until the store's next ingest run (the
    events change only with one; the milestones only with a seed) — callers must not change
    it.
    """
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 24:
        raise InputError(f"months must be a whole number from 1 to 24, not {months!r}")
    key = (*_data_stamp(db), str(country).strip().lower(), months, until)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    found = _overview(country, months=months, until=until, db=db)
    spec = charts.change_map(
        found["regions"],
        found["geometry"],
        found["text_points"],
        description=f"Change in deaths by admin-1 region in {found['country']}",
    )
    found["map_json"] = None if spec is None else charts.spec_json(spec)
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def _overview(country: str, *, months: int, until: str | None, db: Any) -> dict[str, Any]:
    import accordwatch as aw

    from .._app.briefing import country_month_deaths, country_record
    from ..brief import trend
    from ..brief._gather_map import admin1_outlines

    rec = country_record(country, db)
    name = str(rec["name"])
    source = _counted_source(db, name)
    period = _period(db, rec, source, months, until)
    previous = (_shift(period[0], -months), period[0] - dt.timedelta(days=1))
    geometry = admin1_outlines(rec.get("iso3"))
    known = {str(f["properties"]["admin1"]) for f in geometry.get("features", [])}
    notes: list[str] = []
    regions: list[dict[str, Any]] = []
    totals: dict[str, float | None] = {"now": None, "before": None, "events": None}
    if source is not None:
        regions, unlocated = _region_changes(db, rec, source, period, previous, known)
        totals = {
            "now": sum(r["now"] for r in regions),
            "before": sum(r["before"] for r in regions),
            "events": float(sum(r["events"] for r in regions)),
        }
        if unlocated:
            notes.append(f"{unlocated} events without an admin-1 region are not on the map.")
        alerts = _event_alerts(db, rec, source, period)
    else:
        cm_now = country_month_deaths(rec["gwcode"], name, period[0], period[1], db)
        cm_before = country_month_deaths(rec["gwcode"], name, previous[0], previous[1], db)
        if len(cm_now) or len(cm_before):
            totals["now"] = float(cm_now["deaths"].sum()) if len(cm_now) else None
            totals["before"] = float(cm_before["deaths"].sum()) if len(cm_before) else None
        regions = [_region_row(n, 0.0, 0.0, 0, None, None) for n in sorted(known)]
        for r in regions:
            r.update(now=None, before=None, change=None)
        notes.append(
            f"The store holds no UCDP or ACLED events of {name}: the country's deaths come "
            "from the VIEWS country-month series (no regions); the map shows the reviewed "
            "events from text."
        )
        alerts = _series_alerts(db, rec, period)
    text = aw.events(
        db,
        columns=["date_start", "where_coordinates", "latitude", "longitude", "best", "evidence"],
        country=name,
        source="text",
        since=previous[0],
        until=period[1],
    )
    text_points = [
        {
            "lat": round(float(r["latitude"]), 3),
            "lon": round(float(r["longitude"]), 3),
            "place": _text(r["where_coordinates"]),
            "date": _day(r["date_start"]),
            "deaths": _num(r["best"]),
        }
        for r in _records(text)
        if _num(r["latitude"]) is not None and _num(r["longitude"]) is not None
    ]
    change = (
        None
        if totals["now"] is None or totals["before"] is None
        else totals["now"] - totals["before"]
    )
    ranked = sorted(
        (r for r in regions if r["change"] is not None),
        key=lambda r: (-abs(r["change"]), r["admin1"]),
    )
    from ..brief import fmt_period

    return {
        "country": name,
        "iso3": rec.get("iso3"),
        "months": months,
        "period_words": fmt_period(period[0], period[1], "en"),
        "previous_words": fmt_period(previous[0], previous[1], "en"),
        "period": (period[0].isoformat(), period[1].isoformat()),
        "previous": (previous[0].isoformat(), previous[1].isoformat()),
        "source": source,
        "totals": totals,
        "change": change,
        "trend": trend(totals["now"], totals["before"]),
        "regions": ranked if source else regions,
        "geometry": geometry,
        "text_points": text_points,
        "alerts": alerts,
        "accord": _accord(db, name),
        "notes": notes,
    }


# -- the event explorer ------------------------------------------------------------------
def _clean_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters of :func:`accordwatch.events` that are set (empty values dropped)."""
    out: dict[str, Any] = {}
    for key in EVENT_FILTERS:
        value = filters.get(key)
        if value is None or value == "" or value == [] or value is False:
            continue
        out[key] = value
    return out


def _facet(db: Any, by: str, filters: Mapping[str, Any], limit: int = 12) -> list[dict[str, Any]]:
    import accordwatch as aw

    frame = aw.stats(db, by=[by], **filters)
    if frame.empty:
        return []
    frame = frame.sort_values(["events", by], ascending=[False, True], kind="stable")
    return [
        {
            "value": _text(r[by]),
            "events": int(r["events"]),
            "deaths": _num(r["deaths_best"]),
        }
        for r in _records(frame.head(limit))
    ]


def _event_row(r: Mapping[str, Any]) -> dict[str, Any]:
    sides = [s for s in (_text(r.get("side_a")), _text(r.get("side_b"))) if s]
    actors = " – ".join(sides) if sides else _text(r.get("actors")).replace("; ", ", ")
    code = _num(r.get("type_of_violence"))
    kind = _TYPES.get(int(code), "") if code is not None else ""
    if _text(r.get("event_type")):
        kind = f"{kind} ({r['event_type']})" if kind else _text(r["event_type"])
    start, end = _day(r.get("date_start")), _day(r.get("date_end"))
    return {
        "source": _text(r.get("source")),
        "event_id": _text(r.get("source_event_id")),
        "date": start if end in ("", start) else f"{start} – {end}",
        "country": _text(r.get("country")),
        "admin1": _text(r.get("admin1")) or _text(r.get("adm_1")),
        "place": _text(r.get("where_coordinates")),
        "actors": actors,
        "type": kind,
        "best": _num(r.get("best")),
        "low": _num(r.get("low")),
        "high": _num(r.get("high")),
        "url": _text(r.get("source_url")) or None,
        "title": _text(r.get("source_title")),
        "evidence": _text(r.get("evidence")),
        "latitude": _num(r.get("latitude")),
        "longitude": _num(r.get("longitude")),
    }


def _map_points(db: Any, filters: Mapping[str, Any], total: int) -> tuple[Any, str]:
    """The points of the explorer's map: events summed by place (at most
    :data:`_MAP_EVENTS` events), else deaths summed by PRIO-GRID cell; and a note."""
    import pandas as pd

    import accordwatch as aw

    from ..brief._gather_map import point_groups

    if total <= _MAP_EVENTS:
        cols = ["date_start", "where_coordinates", "latitude", "longitude", "best", "source"]
        ev = aw.events(db, columns=cols, **filters)
        text = ev[ev["source"].astype(str).str.startswith("text")]
        counted = ev[~ev.index.isin(text.index)]
        parts = [point_groups(counted, "events")[0], point_groups(text, "text")[0]]
        parts = [p for p in parts if len(p)]
        return (pd.concat(parts, ignore_index=True) if parts else parts), ""
    from ..geo import priogrid_centroid

    cells = aw.stats(db, by=["priogrid"], **filters)
    cells = cells[pd.to_numeric(cells["priogrid"], errors="coerce").notna()]
    lat, lon = [], []
    for gid in cells["priogrid"]:
        la, lo = priogrid_centroid(int(gid))
        lat.append(la)
        lon.append(lo)
    points = pd.DataFrame(
        {
            "latitude": lat,
            "longitude": lon,
            "deaths": cells["deaths_best"].astype(float).to_numpy(),
            "events": cells["events"].astype(int).to_numpy(),
            "place": [f"PRIO-GRID cell {int(g)}" for g in cells["priogrid"]],
            "date_first": None,
            "date_last": None,
            "source": "events",
        }
    )
    return points, (
        f"{total:,} events: the map sums them by PRIO-GRID cell (0.5°); narrow the filters "
        f"to {_MAP_EVENTS:,} events or fewer to see each place."
    )


def _monthly(db: Any, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Events and deaths per month and type of violence."""
    import accordwatch as aw

    frame = aw.stats(db, by=["month", "type"], **filters)
    return [
        {
            "month": str(r["month"]),
            "type": _text(r["type"]) or "unknown",
            "events": int(r["events"]),
            "deaths": _num(r["deaths_best"]),
        }
        for r in _records(frame.sort_values(["month", "type"]))
    ]


def cursor_token(key: Sequence[Any] | None) -> str | None:
    """The explorer's ``after`` parameter for the key of :func:`accordwatch._api.event_page`
    (newest first: the date, its source and id), or None for no key."""
    import base64
    import json

    if key is None:
        return None
    missing, day, source, event_id = key
    text = json.dumps([bool(missing), _day(day) or None, str(source), str(event_id)])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _cursor_key(token: str | None) -> tuple[bool, dt.date | None, str, str] | None:
    import base64
    import binascii
    import json

    if not token:
        return None
    bad = InputError("the page link is damaged (after=…); start again from the first page")
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        missing, day, source, event_id = raw
        when = None if day is None else dt.date.fromisoformat(str(day))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(missing, bool) or not isinstance(source, str) or len(token) > 1000:
        raise bad
    return missing, when, source, str(event_id)


#: above this many events the explorer leaves out the actor facet (it reads every actor
#: of every event); the API's facets and ``/api/stats?by=actor`` have it
_ACTOR_FACET_EVENTS = 50_000
_FACETS = ["type", "region", "source", "year", "country"]


def explorer(
    filters: Mapping[str, Any],
    *,
    after: str | None = None,
    per_page: int = PER_PAGE,
    db: Any = None,
) -> dict[str, Any]:
    """One page of the events matching ``filters`` (newest first; ``after`` is the cursor
    of the page before, from :func:`cursor_token`), with the count, the facets (type,
    region, source, year, country; actor up to :data:`_ACTOR_FACET_EVENTS` events), the
    monthly timeline and the map's points."""
    import accordwatch as aw

    from .._api import event_page
    from ..brief._gather_map import admin1_outlines

    flt = _clean_filters(filters)
    key = _cursor_key(after)
    page = event_page(
        db,
        after=key,
        size=per_page,
        columns=_EVENT_COLUMNS,
        count=True,
        facets=_FACETS,
        facet_size=60,
        **flt,
    )
    total = int(page["count"] or 0)
    facets: dict[str, list[dict[str, Any]]] = {
        name: [
            {"value": _text(value), "events": int(n)}
            for value, n in page["facets"].get(name, {}).get("values", [])
        ]
        for name in _FACETS
    }
    facets["actor"] = _facet(db, "actor", flt) if 0 < total <= _ACTOR_FACET_EVENTS else []
    timeline = _monthly(db, flt) if total else []
    years: dict[str, dict[str, Any]] = {}
    for t in timeline:
        row = years.setdefault(
            t["month"][:4], {"value": t["month"][:4], "events": 0, "deaths": 0.0}
        )
        row["events"] += t["events"]
        row["deaths"] += t["deaths"] or 0.0
    facets["year"] = [years[y] for y in sorted(years)]
    deaths = sum((t["deaths"] or 0.0) for t in timeline) if timeline else None
    points, map_note = _map_points(db, flt, total) if total else ([], "")
    geometry: dict[str, Any] = {}
    countries = [f["value"] for f in facets["country"]]
    if len(countries) == 1:
        from .._app.briefing import country_record

        try:
            iso3 = country_record(countries[0], db).get("iso3")
        except NotFound:
            iso3 = None
        geometry = admin1_outlines(iso3)
    regions: list[dict[str, Any]] = []
    if geometry and total:
        known = {str(f["properties"]["admin1"]) for f in geometry["features"]}
        by_region = aw.stats(db, by=["region"], **flt)
        names = _canonical_regions(by_region["region"], iso3, known)
        for name, r in zip(names, _records(by_region), strict=True):
            if name in known:
                regions.append(
                    {"admin1": name, "deaths": _num(r["deaths_best"]), "events": int(r["events"])}
                )
    return {
        "filters": flt,
        "regions": regions,
        "after": after,
        "next": cursor_token(page["next"]),
        "per_page": per_page,
        "total": total,
        "deaths": deaths,
        "rows": [_event_row(r) for r in page["rows"]],
        "facets": facets,
        "actor_facet_left_out": total > _ACTOR_FACET_EVENTS,
        "timeline": timeline,
        "points": points,
        "geometry": geometry,
        "map_note": map_note,
    }


# -- actors and places ---------------------------------------------------------------------
def _dyads(frame: pd.DataFrame, limit: int = 20) -> list[dict[str, Any]]:
    import pandas as pd

    if frame.empty:
        return []
    sides = frame.assign(
        side_a=frame["side_a"].fillna("?"),
        side_b=frame["side_b"].fillna("?"),
        best=pd.to_numeric(frame["best"], errors="coerce"),
    )
    grouped = (
        sides.groupby(["side_a", "side_b"])
        .agg(events=("best", "size"), deaths=("best", "sum"), first=("date_start", "min"))
        .reset_index()
        .sort_values(["events", "deaths"], ascending=False)
    )
    return [
        {
            "side_a": r["side_a"],
            "side_b": r["side_b"],
            "events": int(r["events"]),
            "deaths": _num(r["deaths"]),
            "first": _day(r["first"]),
        }
        for r in _records(grouped.head(limit))
    ]


def _actor_ref(actor: Any) -> dict[str, Any]:
    return {
        "actor_id": actor.actor_id,
        "name": actor.name,
        "from": _day(actor.valid_from) or (str(actor.first_year) if actor.first_year else ""),
        "to": _day(actor.valid_to) or (str(actor.last_year) if actor.last_year else ""),
        "kind": actor.kind or "",
    }


def actor_page(name: str, *, db: Any = None) -> dict[str, Any]:
    """An actor by any alias: its names and aliases, lineage (predecessors and successors),
    coalition members, dyads and latest events in the store."""
    import pandas as pd

    import accordwatch as aw

    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    actor = reg.resolve(name)
    lineage = reg.lineage(actor.actor_id)
    members = [
        {**_actor_ref(reg.get(m.actor_id)), "since": _day(m.valid_from), "until": _day(m.valid_to)}
        for m in actor.members
        if m.actor_id in reg
    ]
    cols = ["date_start", "side_a", "side_b", "best"]
    try:
        ev = aw.events(db, columns=cols, actor=name)
    except NotFound:
        ev = None
    deaths = (
        None
        if ev is None or ev.empty
        else _num(pd.to_numeric(ev["best"], errors="coerce").sum(min_count=1))
    )
    # a chart of deaths only when some are known (reviewed text events often have none)
    timeline = _monthly(db, {"actor": name}) if deaths else []
    latest = (
        []
        if ev is None or ev.empty
        else [
            _event_row(r)
            for r in aw.event_records(db, columns=_EVENT_COLUMNS, limit=20, actor=name)
        ]
    )
    aliases = sorted({*actor.aliases, *actor.ucdp_names} - {actor.name}, key=str.casefold)
    return {
        "query": name,
        "actor": {
            **_actor_ref(actor),
            "ucdp_ids": list(actor.ucdp_ids),
            "country": actor.country or "",
            "countries": list(actor.countries),
            "source": actor.source,
            "note": actor.note or "",
        },
        "aliases": aliases,
        "lineage": [{**_actor_ref(a), "self": a.actor_id == actor.actor_id} for a in lineage],
        "predecessors": [_actor_ref(reg.get(a)) for a in actor.predecessors if a in reg],
        "successors": [_actor_ref(reg.get(a)) for a in actor.successors if a in reg],
        "members": members,
        "events": 0 if ev is None else len(ev),
        "deaths": deaths,
        "dyads": [] if ev is None else _dyads(ev),
        "timeline": timeline,
        "latest": latest,
    }


def _distance_km(lat1: float, lon1: float, lat2: Any, lon2: Any) -> Any:
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def place_page(name: str, *, radius_km: float = 20.0, db: Any = None) -> dict[str, Any]:
    """A place by any spelling: its gazetteer entries (coordinates, admin-1, PRIO-GRID
    cell), the admin-1 region it names (if it names one) and the events in the store within
    ``radius_km`` of it, or in the region."""
    import pandas as pd

    import accordwatch as aw

    from ..geo import Gazetteer, priogrid_gid

    key = name.strip()
    if not key:
        raise InputError("name a place (e.g. Ber, Kidal, Tombouctou)")
    found = Gazetteer.default().lookup(key, limit=5)
    places: list[dict[str, Any]] = [
        {
            "name": p.name,
            "feature": f"{p.feature_class}/{p.feature_code}",
            "admin1": p.admin1 or "",
            "latitude": p.latitude,
            "longitude": p.longitude,
            "priogrid_gid": priogrid_gid(p.latitude, p.longitude),
            "population": p.population,
            "note": p.note or "",
        }
        for p in found
    ]
    region = None
    region_stats: list[dict[str, Any]] = []
    try:
        by_year = aw.stats(db, by=["year"], region=key)
        region = key
        region_stats = [
            {"year": int(r["year"]), "events": int(r["events"]), "deaths": _num(r["deaths_best"])}
            for r in _records(by_year.sort_values("year"))
        ]
    except (NotFound, InputError):
        region = None
    nearby: list[dict[str, Any]] = []
    nearby_total = 0
    if places:
        first = places[0]
        flt: dict[str, Any] = {"region": first["admin1"]} if first["admin1"] else {}
        try:
            ev = aw.events(db, columns=_EVENT_COLUMNS, **flt) if flt else None
        except (NotFound, InputError):
            ev = None
        if ev is not None and len(ev):
            located = ev.dropna(subset=["latitude", "longitude"])
            dist = _distance_km(
                float(first["latitude"]),
                float(first["longitude"]),
                located["latitude"],
                located["longitude"],
            )
            near = located[pd.Series(dist, index=located.index) <= radius_km]
            nearby_total = len(near)
            nearby = [_event_row(r) for r in _records(near.head(50))]
    elif region is None:
        raise NotFound(
            f"no place {name!r} in the gazetteer and no region of that name in the store; "
            "check the spelling (accordwatch places NAME --fuzzy)"
        )
    region_events: list[dict[str, Any]] = []
    if region is not None:
        region_events = [
            _event_row(r)
            for r in aw.event_records(db, columns=_EVENT_COLUMNS, limit=20, region=region)
        ]
    return {
        "query": key,
        "places": places,
        "radius_km": radius_km,
        "nearby": nearby,
        "nearby_total": nearby_total,
        "region": region,
        "region_stats": region_stats,
        "region_events": region_events,
    }


# -- agreements ----------------------------------------------------------------------------
def agreement_page(agreement_id: int, *, db: Any = None) -> dict[str, Any]:
    """An agreement: its record and status, the provisions tree with each provision's latest
    score, the assessment history (newest first) and the implementation index over time
    (overall and by theme)."""
    import accordwatch.accords as ac

    rec = ac.show_agreement(agreement_id, db)
    tree = ac.provision_tree(agreement_id, db)
    history = ac.assessments(db, agreement_id=agreement_id)
    flat = ac.provisions(agreement_id, db)
    assessable = [
        {"provision_id": r["provision_id"], "label": f"{r['path'] or ''} {r['title']}".strip()}
        for r in _records(flat)
        if r.get("level") in ("article", "commitment")
    ]
    index: list[dict[str, Any]] = []
    if len(history):
        overall = ac.implementation_index(agreement_id, db=db)
        themes = ac.implementation_index(agreement_id, db=db, by="theme")
        for frame, label in ((overall, None), (themes, "theme")):
            for r in _records(frame):
                index.append(
                    {
                        "date": _day(r.get("date")),
                        "group": "overall" if label is None else _text(r.get("group")),
                        "index": _num(r.get("index")),
                        "assessed": _num(r.get("assessed")),
                    }
                )
    return {
        "agreement": {
            "agreement_id": int(rec["agreement_id"]),
            "name": rec.get("name"),
            "signed": _day(rec.get("signed")),
            "countries": rec.get("countries"),
            "parties": rec.get("parties") or [],
            "provisions": rec.get("provisions") or {},
            "source": rec.get("source"),
            "fulltext_url": rec.get("fulltext_url"),
            "comment": rec.get("comment") or "",
        },
        "status": _status(rec.get("milestones") or [], rec.get("ended")),
        "milestones": [
            {**m, "date": _day(m.get("date"))}
            for m in sorted(rec.get("milestones") or [], key=lambda m: str(m["date"]))
        ],
        "references": [{**r, "as_of": _day(r.get("as_of"))} for r in rec.get("references") or []],
        "tree": tree,
        "assessable": assessable,
        "history": [
            {**r, "date": _day(r.get("date")), "recorded_at": _text(r.get("recorded_at"))[:16]}
            for r in reversed(_records(history))
        ],
        "index": index,
    }


# -- the review queue ----------------------------------------------------------------------
def review_queue(status: str = "pending", *, db: Any = None) -> dict[str, Any]:
    """The review candidates with ``status`` (``all`` for every one), oldest first."""
    import accordwatch as aw

    frame = aw.review_list(db=db, status=status, limit=500)
    rows = [{**r, "event_date": _text(r.get("event_date"))} for r in _records(frame)]
    counts = {}
    for s in ("pending", "accepted", "rejected", "duplicate"):
        counts[s] = len(aw.review_list(db=db, status=s))
    return {"status": status, "rows": rows, "counts": counts}


def highlight(text: str, spans: Iterable[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """``text`` cut into ``(piece, kind)`` segments: ``kind`` is the span's kind (e.g.
    ``evidence``, ``actor``, ``place``) for a marked piece, None for the rest.  Overlapping
    spans: the first one given wins; spans outside the text are clipped or dropped."""
    marks: list[str | None] = [None] * len(text)
    for start, end, kind in spans:
        lo, hi = max(0, int(start)), min(len(text), int(end))
        for i in range(lo, hi):
            if marks[i] is None:
                marks[i] = kind
    out: list[tuple[str, str | None]] = []
    for i, ch in enumerate(text):
        if out and out[-1][1] == marks[i]:
            out[-1] = (out[-1][0] + ch, marks[i])
        else:
            out.append((ch, marks[i]))
    return out


def _document_text(cand: Mapping[str, Any]) -> str | None:
    """The text of the candidate's document, read again from its file when the file is
    still there and is the same document (same id); else None.  The store keeps the
    evidence sentence and its offsets, not the document."""
    from pathlib import Path

    from ..extract import read_documents

    path = cand.get("path")
    if not path:
        return None
    p = Path(str(path))
    try:
        if not p.is_file() or p.stat().st_size > 5_000_000:
            return None
        docs = read_documents(p)
    except (OSError, InputError, NotFound, ValueError):
        return None
    for doc in docs:
        if doc.doc_id == cand.get("doc_id"):
            return doc.text
    return None


def _mentions(evidence: str, published: Any) -> list[tuple[int, int, str]]:
    """Actor and place mentions in the evidence sentence (found by the extractor again)."""
    from ..extract import extract_text

    try:
        result = extract_text(evidence, published=_day(published) or None)
    except (InputError, ValueError):
        return []
    spans = [(a.start, a.end, "actor") for a in result.actors]
    spans += [(p.start, p.end, "place") for p in result.places]
    return sorted(spans)


def _duplicate(db: Any, ref: str | None) -> dict[str, Any] | None:
    """The stored event a candidate is flagged as a duplicate of (``source|event id``)."""
    import accordwatch as aw

    if not ref or "|" not in ref:
        return None
    source, _, event_id = ref.partition("|")
    try:
        versions = aw.event_history(event_id, source=source, db=db)
    except (NotFound, InputError):
        return None
    if versions.empty:
        return {"ref": ref, "missing": True}
    row = _event_row(_records(versions.tail(1))[0])
    return {"ref": ref, "missing": False, **row}


def candidate_page(candidate_id: int, *, db: Any = None) -> dict[str, Any]:
    """One review candidate: its fields, its evidence marked in the document's text (or,
    when the document is not at hand, in the evidence sentence) with the actors and places
    the extractor found, the stored event it may duplicate and its review log."""
    import accordwatch as aw

    cand = aw.review_show(candidate_id, db=db)
    evidence = _text(cand.get("evidence"))
    doc = _document_text(cand)
    start, end = cand.get("evidence_start"), cand.get("evidence_end")
    inner = _mentions(evidence, cand.get("published"))
    first, last = _num(start), _num(end)
    if doc is not None and first is not None and last is not None:
        lo, hi = int(first), int(last)
        spans = [(lo + s, lo + e, k) for s, e, k in inner] + [(lo, hi, "evidence")]
        lo_ctx, hi_ctx = max(0, lo - 1500), min(len(doc), hi + 1500)
        segments = highlight(doc[lo_ctx:hi_ctx], [(s - lo_ctx, e - lo_ctx, k) for s, e, k in spans])
        shown = "document"
        clipped = (lo_ctx > 0, hi_ctx < len(doc))
    else:
        segments = highlight(evidence, [*inner, (0, len(evidence), "evidence")])
        shown = "evidence"
        clipped = (False, False)
    fields = {
        k: cand.get(k)
        for k in (
            "event_date",
            "date_precision",
            "place",
            "admin1",
            "latitude",
            "longitude",
            "location_precision",
            "actors",
            "event_type",
            "fatalities",
            "confidence",
        )
    }
    return {
        "candidate": {
            **{k: cand.get(k) for k in ("candidate_id", "status", "doc_id", "reason")},
            "title": _text(cand.get("title")),
            "url": _text(cand.get("url")) or None,
            "published": _day(cand.get("published")),
            "lang": _text(cand.get("lang")),
            "event_source": _text(cand.get("event_source")),
            "event_id": _text(cand.get("event_id")),
            "duplicate_of": _text(cand.get("duplicate_of")),
            "duplicate_note": _text(cand.get("duplicate_note")),
            "evidence": evidence,
        },
        "fields": {k: ("" if v is None else v) for k, v in fields.items()},
        "segments": segments,
        "shown": shown,
        "clipped": clipped,
        "duplicate": _duplicate(db, cand.get("duplicate_of")),
        "log": [{**e, "logged_at": _text(e.get("logged_at"))[:19]} for e in cand.get("log") or []],
    }


# -- the digest ----------------------------------------------------------------------------
def digest_page(*, since: str | None = None, db: Any = None) -> dict[str, Any]:
    """What changed since the last recorded digest (or ``since``): the digest made without
    recording it, so the next digest starts where the last one did."""
    from ..brief import make_digest

    digest = make_digest(db, since=since or "last", limit=50)
    return {"digest": digest, "counts": digest.counts}
