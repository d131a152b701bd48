"""The early-warning section: the forecast fan, P(≥ 25) and P(≥ 100) per month, recent history,
and the alerts of the period, each linked to the unit's alert before it.

The forecast is of the country's monthly state-based deaths: the VIEWS country-month series
(the bundled file ``accordwatch forecast`` uses), extended with the store's UCDP GED
state-based events when those run past the series.  It is the stored forecast of those data
and model when the store holds one (``accordwatch._app.forecasts.cached_forecast``), else it is
fitted now and stored, and ``forecast_note`` says which.

Alerts apply the rule of :func:`accordwatch.forecast.alerts` with the conflictology forecast
(the unit's own last 12 months: no pooled fit, so it can be run at every month) to the
country and, when the store holds its events, to each of its admin-1 regions, at every
month of the period; the months before it are searched (up to :data:`LOOKBACK_MONTHS`) for
each unit's previous alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NotFound, StoreError
from ._ctx import Context, month_start, months_between
from ._i18n import fmt_date, fmt_number
from ._model import EarlyWarning

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ALERT_MODEL",
    "FORECAST_MONTHS",
    "HISTORY_MONTHS",
    "LOOKBACK_MONTHS",
    "forecast_stored",
    "warning_inputs",
    "warning_section",
]

#: months forecast
FORECAST_MONTHS = 12
#: observed months shown before the forecast
HISTORY_MONTHS = 36
#: how far before the period the previous alert of a unit is looked for
LOOKBACK_MONTHS = 36
#: the model of the alerts' above-forecast check
ALERT_MODEL = "conflictology"
_ADMIN1_IDS = 10_000_000  # admin-1 unit ids start here (apart from country ids)
_WINDOW = 25  # months of a unit's series one alert check reads (12 + 12 + the month)


def _mid(day: dt.date) -> int:
    return (day.year - 1980) * 12 + day.month


def _day(mid: int) -> dt.date:
    year, month = divmod(int(mid) - 1, 12)
    return dt.date(1980 + year, month + 1, 1)


def _store_series(ctx: Context, panel: pd.DataFrame, uid: int) -> pd.DataFrame | None:
    """The panel with the country's months after the VIEWS series taken from the store's
    UCDP GED state-based events (whole GED years), or None when there are none."""
    import pandas as pd

    import accordwatch as aw

    if ctx.source != "ucdp-ged" or ctx.coverage is None:
        return None
    end = int(panel["month_id"].max())
    last = _mid(month_start(ctx.coverage[1]))
    if last <= end:
        return None
    first = _day(end + 1)
    stats = aw.stats(
        ctx.db,
        by=["month"],
        country=ctx.name,
        source="ucdp-ged",
        type_of_violence=1,
        since=first,
        until=ctx.coverage[1],
    )
    deaths = {
        _mid(dt.date.fromisoformat(m + "-01")): float(d)
        for m, d in zip(stats["month"], stats["deaths_best"], strict=True)
    }
    name = str(panel.loc[panel["unit_id"] == uid, "unit"].iloc[0])
    more = pd.DataFrame(
        {
            "unit_id": uid,
            "unit": name,
            "month_id": range(end + 1, last + 1),
            "y": [deaths.get(m, 0.0) for m in range(end + 1, last + 1)],
        }
    )
    return pd.concat([panel, more], ignore_index=True)


def _note(ctx: Context, head: Any, end: str) -> str:
    model = head.model
    if not head.fitted:
        created = head.created_at
        when = created.strftime("%Y-%m-%d %H:%M") if isinstance(created, dt.datetime) else "?"
        return ctx.w("forecast_stored", created=when, model=model, end=end)
    if head.stored:
        return ctx.w("forecast_fitted", model=model, end=end, seconds=head.fit_seconds or 0.0)
    return ctx.w("forecast_not_stored", model=model, end=end, why=head.note or "?")


def _fan(fc: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "month": [dt.date.fromisoformat(m + "-01") for m in fc["month"]],
            "median": fc["median"].astype(float),
            "lo50": fc["lo-50"].astype(float),
            "hi50": fc["hi-50"].astype(float),
            "lo90": fc["lo-90"].astype(float),
            "hi90": fc["hi-90"].astype(float),
            "p25": fc["p_ge_25"].astype(float),
            "p100": fc["p_ge_100"].astype(float),
            "mean": fc["mean"].astype(float),
        }
    ).reset_index(drop=True)


def _admin1_panel(ctx: Context) -> pd.DataFrame | None:
    """The country's admin-1 series from its counted state-based events (all years)."""
    import pandas as pd

    import accordwatch as aw

    from ..forecast import series_from_events

    if ctx.basis != "events" or ctx.source is None:
        return None
    cols = ["date_start", "country", "admin1", "best", "type_of_violence"]
    filters: dict[str, Any] = {"country": ctx.name, "source": ctx.source, "type_of_violence": 1}
    if ctx.region:
        filters["region"] = ctx.region
    events = aw.events(ctx.db, columns=cols, **filters)
    if events.empty:
        return None
    # summed by region and month first: the same series from a few rows per region-month
    events = (
        events.assign(
            date_start=pd.to_datetime(events["date_start"]).dt.to_period("M").dt.to_timestamp(),
            best=events["best"].fillna(0),
        )
        .groupby(["country", "admin1", "date_start"], dropna=False, sort=False)["best"]
        .sum()
        .reset_index()
        .assign(type_of_violence=1)
    )
    try:
        panel = series_from_events(events, "admin1", type_of_violence=1)
    except InputError:
        return None
    return panel.assign(unit_id=panel["unit_id"] + _ADMIN1_IDS)


def _reason(ctx: Context, row: Any) -> str:
    parts = []
    checks = str(row.checks).split(",")
    if "above_forecast" in checks:
        parts.append(
            ctx.w(
                "alert_reason_above",
                deaths=fmt_number(row.deaths, ctx.lang),
                hi=fmt_number(row.forecast_hi, ctx.lang),
                median=fmt_number(row.forecast_median, ctx.lang),
            )
        )
    if "surge" in checks:
        parts.append(
            ctx.w(
                "alert_reason_surge",
                ratio=fmt_number(row.deaths / row.baseline_mean, ctx.lang, digits=1),
                mean=fmt_number(row.baseline_mean, ctx.lang, digits=1),
            )
        )
    if "onset" in checks:
        parts.append(ctx.w("alert_reason_onset", deaths=fmt_number(row.deaths, ctx.lang)))
    return "; ".join(parts)


def _windows(panel: pd.DataFrame, months: range) -> tuple[pd.DataFrame, dict[int, tuple[int, int]]]:
    """One series per unit and month ``m`` of ``months``: the unit's last :data:`_WINDOW`
    months up to ``m``, moved so that every window ends in the same month.  The alert rule
    reads only a unit's own last months (the 12 before for the baseline, the 12 before those
    for the conflictology forecast), so one :func:`~accordwatch.forecast.alerts` call on
    these windows applies it at every month at once.  Returns the windows (one panel) and,
    per window id, its (unit id, month)."""
    import numpy as np
    import pandas as pd

    ids = np.unique(panel["unit_id"].to_numpy())
    first = int(panel["month_id"].min())
    span = int(panel["month_id"].max()) - first + 1
    values = np.full((len(ids), span), np.nan)
    names = panel.groupby("unit_id")["unit"].last().reindex(ids).astype(str).to_numpy()
    rows = np.searchsorted(ids, panel["unit_id"].to_numpy())
    values[rows, panel["month_id"].to_numpy() - first] = panel["y"].to_numpy(dtype=float)
    end = first + span + _WINDOW  # the common last month of every window
    wids: list[Any] = []
    units: list[Any] = []
    months_out: list[Any] = []
    ys: list[Any] = []
    where: dict[int, tuple[int, int]] = {}
    for i, uid in enumerate(ids):
        for mid in months:
            j = mid - first
            if j < 0 or j >= span or not np.isfinite(values[i, j]):
                continue
            window = values[i, max(0, j - _WINDOW + 1) : j + 1]
            window = window[np.flatnonzero(np.isfinite(window))[0] :]
            wid = len(where) + 1
            where[wid] = (int(uid), int(mid))
            wids.append(np.full(len(window), wid))
            units.append(np.full(len(window), i))
            months_out.append(np.arange(end - len(window) + 1, end + 1))
            ys.append(window)
    if not where:
        return pd.DataFrame(columns=["unit_id", "unit", "month_id", "y"]), where
    frame = pd.DataFrame(
        {
            "unit_id": np.concatenate(wids),
            "unit": names[np.concatenate(units)],
            "month_id": np.concatenate(months_out),
            "y": np.concatenate(ys),
        }
    )
    return frame, where


def _alerts(ctx: Context, panel: pd.DataFrame) -> pd.DataFrame:
    """Alerts of the period's months for the panel's units, newest first, each with its
    unit's previous alert."""
    import pandas as pd

    from ..forecast import alerts

    cols = ["unit", "month", "kind", "reason", "previous", "deaths", "checks"]
    last = int(panel["month_id"].max())
    period = [m for m in (_mid(d) for d in months_between(ctx.since, ctx.until)) if m <= last]
    if not period:
        return pd.DataFrame(columns=cols)
    lowest = max(period[0] - LOOKBACK_MONTHS, int(panel["month_id"].min()))
    found: dict[int, list[tuple[int, Any]]] = {}
    windows, where = _windows(panel, range(lowest, period[-1] + 1))
    if len(windows):
        try:
            got = alerts(windows, model=ALERT_MODEL)
        except InputError:
            got = windows.iloc[0:0]
        for row in got.itertuples(index=False):
            uid, mid = where[int(row.unit_id)]  # type: ignore[arg-type]
            found.setdefault(uid, []).append((mid, row))
    rows = []
    start = fmt_date(_day(lowest), ctx.lang, "month")
    for hits in found.values():
        hits.sort(key=lambda h: h[0])
        for i, (mid, row) in enumerate(hits):
            if mid < period[0]:
                continue
            if i:
                pmid, prow = hits[i - 1]
                previous = ctx.w(
                    "alert_previous",
                    month=fmt_date(_day(pmid), ctx.lang, "month"),
                    reason=_reason(ctx, prow),
                )
            else:
                previous = ctx.w("alert_none_before", month=start)
            rows.append(
                {
                    "unit": str(row.unit),
                    "month": _day(mid),
                    "kind": ", ".join(ctx.w(f"alert_{c}") for c in str(row.checks).split(",") if c),
                    "checks": row.checks,
                    "reason": _reason(ctx, row),
                    "previous": previous,
                    "deaths": float(row.deaths),
                }
            )
    frame = pd.DataFrame(rows, columns=cols)
    return frame.sort_values(["month", "deaths"], ascending=False, kind="stable").reset_index(
        drop=True
    )


def warning_inputs(ctx: Context) -> dict[str, Any]:
    """What the section reads from the store (``ctx.db`` open): the VIEWS panel, the
    country's unit id in it (None when it has no series), the panel extended with the
    store's GED months (or None) and the admin-1 series of the counted events (or None)."""
    from ..forecast import find_unit, load_views_cm

    ctx.used.add("views")  # the section is made from the VIEWS series, data or not
    panel = load_views_cm()
    uid: int | None = None
    for key in (ctx.name, ctx.country.get("iso3")):
        if not key:
            continue
        try:
            uid = int(find_unit(panel, key))
            break
        except (NotFound, LookupError, InputError):
            continue
    return {
        "panel": panel,
        "unit_id": uid,
        "extended": None if uid is None else _store_series(ctx, panel, uid),
        "admin1": _admin1_panel(ctx),
    }


def forecast_stored(ctx: Context, inputs: dict[str, Any], model: str | None) -> bool:
    """Whether the store (``ctx.db``, open) holds the forecast :func:`warning_section` would
    read: then the section can be made on the open store, with no second opening."""
    from .._app.forecasts import data_hash, stored_forecast
    from ..forecast._keys import model_key
    from ..forecast._learned import as_model

    uid, extended = inputs["unit_id"], inputs["extended"]
    if uid is None:
        return False
    key = data_hash() if extended is None else data_hash(panel=extended)
    try:
        hit = stored_forecast(key, model_key(as_model(model)), FORECAST_MONTHS, ctx.db, units=[uid])
    except (StoreError, InputError):
        return False
    return hit is not None


def warning_section(
    ctx: Context,
    inputs: dict[str, Any],
    db: Any,
    model: str | None,
    say: Callable[[str], None] | None = None,
) -> EarlyWarning:
    """The early-warning section from :func:`warning_inputs`.  ``db`` is the store to read
    the stored forecast from and write a new one to (no store of the caller may be open on
    it while this runs)."""
    import pandas as pd

    from .._app.forecasts import cached_forecast, data_hash
    from ..forecast import months_past

    warn = EarlyWarning(title=ctx.w("title_warning"))
    panel, uid, extended = inputs["panel"], inputs["unit_id"], inputs["extended"]
    if uid is None:
        warn.empty = ctx.w("empty_warning", reason=ctx.w("warning_no_series", country=ctx.name))
        return warn
    key = data_hash() if extended is None else data_hash(panel=extended)
    series = panel if extended is None else extended
    try:
        fc, head = cached_forecast(
            series,
            [uid],
            FORECAST_MONTHS,
            model=model,
            data_hash=key,
            data_source="bundled VIEWS file" if extended is None else "VIEWS + store GED",
            db=db,
            say=say,
        )
    except InputError as exc:
        warn.empty = ctx.w("empty_warning", reason=str(exc))
        return warn
    warn.unit = str(fc["unit"].iloc[0])
    warn.model = head.model
    warn.fan = _fan(fc)
    warn.forecast_note = _note(
        ctx, head, fmt_date(_day(int(series["month_id"].max())), ctx.lang, "month")
    )
    warn.notes.append(ctx.w("forecast_basis_views" if extended is None else "forecast_basis_store"))
    if months_past(fc).any():
        warn.notes.append(
            ctx.w(
                "forecast_stale",
                end=fmt_date(_day(int(series["month_id"].max())), ctx.lang, "month"),
                first=fmt_date(warn.fan["month"].iloc[0], ctx.lang, "month"),
                last=fmt_date(warn.fan["month"].iloc[-1], ctx.lang, "month"),
            )
        )
    mine = series[series["unit_id"] == uid].sort_values("month_id")
    recent = mine.tail(HISTORY_MONTHS)
    warn.history = pd.DataFrame(
        {"month": [_day(m) for m in recent["month_id"]], "deaths": recent["y"].astype(float)}
    ).reset_index(drop=True)
    warn.command = ctx.command("forecast", country=ctx.name, months=FORECAST_MONTHS)
    units = [mine]
    regional = inputs["admin1"]
    if regional is not None:
        units.append(regional)
    warn.alerts = _alerts(ctx, pd.concat(units, ignore_index=True))
    if warn.alerts.empty:
        warn.notes.append(ctx.w("empty_alerts", country=ctx.name))
    return warn
