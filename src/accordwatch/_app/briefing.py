"""What a briefing needs from the store beyond the public event functions: which country a
name stands for, and the country-month series the store was seeded with.

>>> from accordwatch._app.briefing import country_record, country_month_deaths
>>> country_record("MLI")  # doctest: +SKIP
{'gwcode': 432, 'name': 'Mali', 'iso3': 'MLI'}
>>> country_month_deaths(432, "Mali", dt.date(2022, 1, 1), dt.date(2022, 12, 31))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from ._store import DB, using

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "country_month_deaths",
    "country_month_span",
    "country_record",
    "has_lineage",
    "milestone_counts",
]

_FIRST, _LAST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def _close(word: str, choices: list[str]) -> list[str]:
    from rapidfuzz import fuzz, process, utils

    found = process.extract(
        word, sorted(set(choices)), scorer=fuzz.WRatio, processor=utils.default_process, limit=4
    )
    return [str(f[0]) for f in found if f[1] >= 60 and f[1] >= found[0][1] - 15]


def country_record(country: str, db: DB = None) -> dict[str, Any]:
    """The country ``country`` names — by name, ISO3 code or Gleditsch–Ward number, in any
    case — as ``{"gwcode", "name", "iso3"}``: from the store's country list, else from the
    stored events' country names (then ``gwcode`` is their ``country_id`` and ``iso3`` None).

    :class:`~accordwatch.errors.NotFound` with close names when neither knows it.
    """
    key = str(country).strip()
    low = key.lower()
    if not key:
        raise NotFound("the country is empty; name one (e.g. Mali, CAF or 432)")
    with using(db) as store:
        for gw, name, iso in store.countries():
            if low in (name.lower(), str(gw)) or (iso and low == iso.lower()):
                return {"gwcode": int(gw), "name": name, "iso3": iso or None}
        ids = {c for c in store.country_ids_named(key) if c is not None}
        if ids:
            named = {str(n).lower(): str(n) for n in store.country_names()}
            return {"gwcode": min(ids), "name": named.get(low, key), "iso3": None}
        known = [name for _, name, _ in store.countries()] + list(store.country_names())
    hints = _close(key, known)
    shown = f" Did you mean: {', '.join(repr(h) for h in hints)}?" if hints else ""
    raise NotFound(
        f"no country {country!r} in the store's country list or among its events.{shown}"
    )


def country_month_deaths(
    gwcode: int | None, name: str, since: dt.date, until: dt.date, db: DB = None
) -> pd.DataFrame:
    """The store's VIEWS country-month series (UCDP GED state-based deaths, best estimate)
    of one country between ``since`` and ``until``: columns ``month`` (first day, date) and
    ``deaths``; a month the series lacks is absent (never 0)."""
    import pandas as pd

    gw = [str(gwcode)] if gwcode is not None else []
    with using(db) as store:
        frame = store.views_months(gwcodes=gw, names=[name], start=since, end=until)
    if frame.empty:
        return pd.DataFrame({"month": pd.Series(dtype=object), "deaths": pd.Series(dtype=float)})
    sums = frame.groupby("month")["fatalities"].sum()
    return pd.DataFrame(
        {"month": [pd.Timestamp(m).date() for m in sums.index], "deaths": sums.to_numpy(float)}
    )


def country_month_span(
    gwcode: int | None, name: str, db: DB = None
) -> tuple[dt.date, dt.date] | None:
    """The first and the last month (first days) of the country's VIEWS country-month series
    in the store, or None when the series does not cover it."""
    frame = country_month_deaths(gwcode, name, _FIRST, _LAST, db)
    if frame.empty:
        return None
    return min(frame["month"]), max(frame["month"])


def milestone_counts(agreement_ids: list[int], db: DB = None) -> dict[int, int]:
    """How many milestones the store holds for each agreement (0 for those without)."""
    with using(db) as store:
        frame = store.select_milestones([int(a) for a in agreement_ids])
    counts: dict[int, int] = {}
    for a in frame["agreement_id"] if len(frame) else []:
        counts[int(a)] = counts.get(int(a), 0) + 1
    return {int(a): counts.get(int(a), 0) for a in agreement_ids}


def has_lineage(country: str, db: DB = None) -> bool:
    """Whether the actor registry records coalitions or name changes of actors of
    ``country`` (so that reading the whole registry is worth it)."""
    with using(db) as store:
        return str(country).lower() in store.lineage_countries()
