"""Reading events: filters compiled to SQL, aggregates, exports.

Filters arrive already resolved (actor aliases → ids and names, country →
codes and names) from :mod:`accordwatch._api`; this module only builds SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import InputError
from .db import Store
from .schema import EVENT_COLUMNS

__all__ = ["GROUPINGS", "EventFilter", "aggregate_events", "count_events", "select_events"]


@dataclass
class EventFilter:
    """Resolved event filters; an empty field does not filter."""

    country_ids: set[int] = field(default_factory=set)
    country_names: set[str] = field(default_factory=set)  # lower-case
    regions: set[str] = field(default_factory=set)  # lower-case admin-1 names
    actor_ids: set[int] = field(default_factory=set)
    actor_names: set[str] = field(default_factory=set)  # lower-case
    since: dt.date | None = None
    until: dt.date | None = None
    types_of_violence: set[int] = field(default_factory=set)
    min_deaths: int | None = None
    sources: set[str] = field(default_factory=set)
    has_actor: bool = False
    has_country: bool = False

    def where(self) -> tuple[str, list[Any]]:
        """SQL WHERE clause (``TRUE`` if nothing filters) and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        if self.has_country:
            parts.append("(country_id IN (SELECT unnest(?)) OR lower(country) IN (SELECT unnest(?)))")
            params += [sorted(self.country_ids) or [-1], sorted(self.country_names) or [""]]
        if self.regions:
            parts.append("(lower(admin1) IN (SELECT unnest(?)) OR lower(adm_1) IN (SELECT unnest(?)))")
            params += [sorted(self.regions), sorted(self.regions)]
        if self.has_actor:
            parts.append(
                "(side_a_new_id IN (SELECT unnest(?)) OR side_b_new_id IN (SELECT unnest(?))"
                " OR lower(side_a) IN (SELECT unnest(?)) OR lower(side_b) IN (SELECT unnest(?))"
                " OR (actors IS NOT NULL AND list_has_any(string_split(lower(actors), '; '), ?)))"
            )
            ids = sorted(self.actor_ids) or [-1]
            names = sorted(self.actor_names) or [""]
            params += [ids, ids, names, names, names]
        if self.since is not None:
            parts.append("date_start >= ?")
            params.append(self.since)
        if self.until is not None:
            parts.append("date_start <= ?")
            params.append(self.until)
        if self.types_of_violence:
            parts.append("type_of_violence IN (SELECT unnest(?))")
            params.append(sorted(self.types_of_violence))
        if self.min_deaths is not None:
            parts.append("best >= ?")
            params.append(self.min_deaths)
        if self.sources:
            parts.append("(source IN (SELECT unnest(?)) OR split_part(source, ':', 1) IN (SELECT unnest(?)))")
            params += [sorted(self.sources), sorted(self.sources)]
        return (" AND ".join(parts) or "TRUE"), params


def select_events(
    store: Store,
    flt: EventFilter,
    *,
    columns: list[str] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Events matching ``flt``, newest first."""
    cols = columns or list(EVENT_COLUMNS)
    unknown = [c for c in cols if c not in EVENT_COLUMNS]
    if unknown:
        raise InputError(f"unknown event column(s) {', '.join(unknown)}; known: {', '.join(EVENT_COLUMNS)}")
    where, params = flt.where()
    sql = f"SELECT {', '.join(cols)} FROM events WHERE {where} ORDER BY date_start DESC, source, source_event_id"
    if limit is not None:
        if limit < 0:
            raise InputError("--limit must be zero or more")
        sql += f" LIMIT {int(limit)}"
    return store.con.execute(sql, params).df()


def count_events(store: Store, flt: EventFilter) -> int:
    where, params = flt.where()
    row = store.con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()
    return int(row[0]) if row else 0


#: How ``stats`` can group events, and the SQL expression for each.
GROUPINGS: dict[str, str] = {
    "month": "strftime(date_start, '%Y-%m')",
    "year": "year(date_start)",
    "country": "country",
    "region": "coalesce(admin1, adm_1, '(unknown)')",
    "priogrid": "priogrid_gid",
    "type": "CASE type_of_violence WHEN 1 THEN 'state-based' WHEN 2 THEN 'non-state' "
    "WHEN 3 THEN 'one-sided' ELSE coalesce(event_type, '(unknown)') END",
    "source": "split_part(source, ':', 1)",
}


def aggregate_events(store: Store, flt: EventFilter, by: list[str]) -> pd.DataFrame:
    """Counts and deaths (best, low, high) of matching events grouped by ``by``.

    ``actor`` groups by each side of an event (an event counts once for each of its actors).
    """
    if not by:
        raise InputError("stats needs at least one --by (month, year, country, region, actor, type, priogrid, source)")
    bad = [b for b in by if b not in GROUPINGS and b != "actor"]
    if bad:
        raise InputError(f"cannot group by {', '.join(bad)}; choose from {', '.join([*GROUPINGS, 'actor'])}")
    where, params = flt.where()
    base = "events"
    if "actor" in by:
        base = (
            "(SELECT DISTINCT ON (e.source, e.source_event_id, a.actor) e.*, a.actor FROM events e, "
            "unnest([e.side_a, e.side_b] || coalesce(string_split(e.actors, '; '), [])) AS a(actor) "
            "WHERE a.actor IS NOT NULL AND a.actor <> '')"
        )
    exprs = [("actor" if b == "actor" else GROUPINGS[b], b) for b in by]
    select = ", ".join(f"{e} AS {name}" for e, name in exprs)
    group = ", ".join(str(i + 1) for i in range(len(exprs)))
    order = group if by[0] in ("month", "year") else f"deaths_best DESC, {group}"
    sql = (
        f"SELECT {select}, count(*) AS events, CAST(sum(best) AS BIGINT) AS deaths_best, "
        f"CAST(sum(low) AS BIGINT) AS deaths_low, CAST(sum(high) AS BIGINT) AS deaths_high FROM {base} WHERE {where} GROUP BY {group} ORDER BY {order}"
    )
    return store.con.execute(sql, params).df()
