"""Reading events: filters compiled to SQL, aggregates, versions, the country and actor
look-ups filters need, and what the store holds — as methods of :class:`~accordwatch.store.Store`.

Filters arrive already resolved (actor aliases → ids and names, country →
codes and names) from :mod:`accordwatch._api`; this module only builds SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NotFound
from .schema import CONTENT_COLUMNS, EVENT_COLUMNS

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import duckdb
    import pandas as pd

__all__ = ["COUNTED_ONLY", "GROUPINGS", "EventFilter", "EventQueries"]


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
    #: also the members of an incident whose figure another member gives (store/incidents.py);
    #: by default they are left out, so that no incident is counted twice
    uncounted: bool = False

    def where(self) -> tuple[str, list[Any]]:
        """SQL WHERE clause (``TRUE`` if nothing filters) and its parameters.

        Sets become ``IN (?, ?, …)`` lists: DuckDB plans those as constant filters
        (zone maps, pushdown), several times faster than ``IN (SELECT unnest(?))``.
        """
        parts: list[str] = []
        params: list[Any] = []

        def among(expr: str, values: set[Any], fallback: Any) -> str:
            vals = sorted(values) or [fallback]
            params.extend(vals)
            return f"{expr} IN ({', '.join('?' * len(vals))})"

        if self.has_country:
            # the name is only consulted for events without a country code (ACLED, text):
            # an OR over lower(country) on every row would cost more than the whole query
            parts.append(
                f"({among('country_id', self.country_ids, -1)} OR "
                f"(country_id IS NULL AND {among('lower(country)', self.country_names, '')}))"
            )
        if self.regions:
            parts.append(
                f"({among('lower(admin1)', self.regions, '')} "
                f"OR {among('lower(adm_1)', self.regions, '')})"
            )
        if self.has_actor:
            names = sorted(self.actor_names) or [""]
            parts.append(
                f"({among('side_a_new_id', self.actor_ids, -1)}"
                f" OR {among('side_b_new_id', self.actor_ids, -1)}"
                f" OR {among('lower(side_a)', self.actor_names, '')}"
                f" OR {among('lower(side_b)', self.actor_names, '')}"
                " OR (actors IS NOT NULL AND list_has_any(string_split(lower(actors), '; '), ?)))"
            )
            params.append(names)
        if self.since is not None:
            parts.append("date_start >= ?")
            params.append(self.since)
        if self.until is not None:
            parts.append("date_start <= ?")
            params.append(self.until)
        if self.types_of_violence:
            parts.append(among("type_of_violence", self.types_of_violence, -1))
        if self.min_deaths is not None:
            parts.append("best >= ?")
            params.append(self.min_deaths)
        if self.sources:
            family = "split_part(source, ':', 1)"  # text:<doc> matches "text"
            parts.append(
                f"({among('source', self.sources, '')} OR {among(family, self.sources, '')})"
            )
        if not self.uncounted:
            parts.append(COUNTED_ONLY)
        return (" AND ".join(parts) or "TRUE"), params


#: Leaves out the incident members that are not counted (an anti-join, correlated on the
#: events' own ``source`` and ``source_event_id``).
COUNTED_ONLY = (
    "NOT EXISTS (SELECT 1 FROM incident_members im WHERE NOT im.counted "
    "AND im.ev_source = source AND im.ev_id = source_event_id)"
)


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


_NEWEST_FIRST = "date_start DESC, source, source_event_id"


def _checked_columns(columns: list[str] | None) -> list[str]:
    cols = columns or list(EVENT_COLUMNS)
    unknown = [c for c in cols if c not in EVENT_COLUMNS]
    if unknown:
        raise InputError(
            f"unknown event column(s) {', '.join(unknown)}; known: {', '.join(EVENT_COLUMNS)}"
        )
    return cols


def _checked_limit(limit: int) -> int:
    if limit < 0:
        raise InputError("--limit must be zero or more")
    return min(int(limit), 1 << 62)  # more than any store holds; DuckDB's LIMIT is 64-bit


class EventQueries:
    """Mixed into :class:`~accordwatch.store.Store`: every read of the events tables."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame: ...

        def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None: ...

    def select_events(
        self,
        flt: EventFilter,
        *,
        columns: list[str] | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Events matching ``flt``, newest first."""
        cols = _checked_columns(columns)
        where, params = flt.where()
        sql = f"SELECT {', '.join(cols)} FROM events WHERE {where}"
        if limit is not None:
            return self.query(
                f"{sql} ORDER BY {_NEWEST_FIRST} LIMIT {_checked_limit(limit)}", params
            )
        # sorting the fetched Arrow table by index is several times cheaper than letting
        # DuckDB carry every (text-heavy) column through its sort
        table = self._con.sql(sql, params=params or None).to_arrow_table()
        keys = [
            ("date_start", "descending"),
            ("source", "ascending"),
            ("source_event_id", "ascending"),
        ]
        keys = [k for k in keys if k[0] in table.column_names]
        if keys:
            table = table.sort_by(keys)
        return table.to_pandas(date_as_object=False)

    def aggregate_events(self, flt: EventFilter, by: list[str]) -> pd.DataFrame:
        """Counts and deaths (best, low, high) of matching events grouped by ``by``.

        ``actor`` groups by each side of an event (an event counts once for each of its actors).
        """
        if not by:
            raise InputError(
                "stats needs at least one --by "
                "(month, year, country, region, actor, type, priogrid, source)"
            )
        bad = [b for b in by if b not in GROUPINGS and b != "actor"]
        if bad:
            raise InputError(
                f"cannot group by {', '.join(bad)}; choose from {', '.join([*GROUPINGS, 'actor'])}"
            )
        where, params = flt.where()
        base = "events"
        if "actor" in by:
            base = (
                "(SELECT DISTINCT ON (e.source, e.source_event_id, a.actor) e.*, a.actor "
                "FROM events e, "
                "unnest([e.side_a, e.side_b] || coalesce(string_split(e.actors, '; '), [])) "
                "AS a(actor) "
                "WHERE a.actor IS NOT NULL AND a.actor <> '')"
            )
        exprs = [("actor" if b == "actor" else GROUPINGS[b], b) for b in by]
        select = ", ".join(f"{e} AS {name}" for e, name in exprs)
        group = ", ".join(str(i + 1) for i in range(len(exprs)))
        order = group if by[0] in ("month", "year") else f"deaths_best DESC, {group}"
        sql = (
            f"SELECT {select}, count(*) AS events, CAST(sum(best) AS BIGINT) AS deaths_best, "
            "CAST(sum(low) AS BIGINT) AS deaths_low, CAST(sum(high) AS BIGINT) AS deaths_high "
            f"FROM {base} WHERE {where} GROUP BY {group} ORDER BY {order}"
        )
        return self.query(sql, params)

    def select_event_rows(
        self, flt: EventFilter, *, columns: list[str] | None = None, limit: int | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Events matching ``flt``, newest first, as column names and Python tuples (no
        Arrow, no pandas: what a short answer from the shell needs)."""
        cols = _checked_columns(columns)
        where, params = flt.where()
        sql = f"SELECT {', '.join(cols)} FROM events WHERE {where} ORDER BY {_NEWEST_FIRST}"
        if limit is not None:
            sql += f" LIMIT {_checked_limit(limit)}"
        return cols, self._con.execute(sql, params).fetchall()

    def event_history(self, source: str, source_event_id: str) -> pd.DataFrame:
        """Every stored version of one event, oldest first; the current version is last
        (``version`` counts from 1, ``replaced_by_run`` is empty for the current one)."""
        cols = ", ".join(("source", "source_event_id", *CONTENT_COLUMNS, "run_id"))
        df = self.query(
            f"SELECT {cols}, replaced_by_run, replaced_at FROM events_history "
            "WHERE source = ? AND source_event_id = ? "
            f"UNION ALL SELECT {cols}, NULL, NULL FROM events "
            "WHERE source = ? AND source_event_id = ? ORDER BY replaced_at NULLS LAST",
            [source, source_event_id, source, source_event_id],
        )
        if df.empty:
            raise NotFound(f"no event {source}:{source_event_id} in the store")
        df.insert(0, "version", range(1, len(df) + 1))
        return df

    # -- look-ups that resolving a filter needs ------------------------------------------------
    def country_ids_named(self, name: str) -> set[int | None]:
        """Country codes the stored events carry under ``name`` (any case; None for events
        without a code) — for spellings the reference country list lacks.  A scan of every
        event: keep it off the common path."""
        rows = self._con.execute(
            "SELECT DISTINCT country_id FROM events WHERE lower(country) = lower(?)", [name]
        ).fetchall()
        return {None if c is None else int(c) for (c,) in rows}

    def has_country_id(self, country_id: int) -> bool:
        """True if any stored event has this country code."""
        return bool(self.one("SELECT 1 FROM events WHERE country_id = ? LIMIT 1", [country_id]))

    def country_names(self) -> list[str]:
        """Every country name of the reference list and of the stored events (for suggestions)."""
        rows = self._con.execute(
            "SELECT DISTINCT country FROM country_month UNION "
            "SELECT DISTINCT country FROM events WHERE country IS NOT NULL"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def has_actor_named(self, name: str) -> bool:
        """True if an event names ``name`` (any case) as a side or among its actors."""
        return bool(
            self.one(
                "SELECT 1 FROM events WHERE lower(side_a) = lower(?) OR lower(side_b) = lower(?) "
                "OR list_contains(string_split(lower(actors), '; '), lower(?)) LIMIT 1",
                [name, name, name],
            )
        )

    def has_events(self, flt: EventFilter) -> bool:
        """True if any stored event matches ``flt`` (the scan stops at the first match);
        a record counted under another source's incident counts too: it is stored."""
        where, params = replace(flt, uncounted=True).where()
        return bool(self.one(f"SELECT 1 FROM events WHERE {where} LIMIT 1", params))

    def stored_regions(self) -> list[str]:
        """Every admin-1 name the stored events carry, canonical (``admin1``) or as the source
        wrote it (UCDP's ``adm_1``), sorted — for suggestions."""
        rows = self._con.execute(
            "SELECT admin1 FROM events WHERE admin1 IS NOT NULL UNION "
            "SELECT adm_1 FROM events WHERE adm_1 IS NOT NULL ORDER BY 1"
        ).fetchall()
        return [str(r) for (r,) in rows]

    def stored_sources(self) -> list[str]:
        """Every ``source`` of the stored events (``ucdp-ged``, ``text:<doc id>`` …), sorted."""
        rows = self._con.execute("SELECT DISTINCT source FROM events ORDER BY 1").fetchall()
        return [str(r) for (r,) in rows]

    def stored_actor_names(self) -> list[str]:
        """Every actor name the stored events carry (either side, or in their ``actors``
        list), sorted — for suggestions.  A scan of every event: keep it off the common path."""
        rows = self._con.execute(
            "SELECT DISTINCT a FROM (SELECT side_a AS a FROM events UNION ALL "
            "SELECT side_b FROM events UNION ALL "
            "SELECT unnest(string_split(actors, '; ')) FROM events WHERE actors IS NOT NULL) "
            "WHERE a IS NOT NULL AND a <> '' ORDER BY 1"
        ).fetchall()
        return [str(r) for (r,) in rows]

    # -- what the store holds ------------------------------------------------------------------
    def ingest_runs(self) -> pd.DataFrame:
        """Every ingest run: when, which file, how many rows new, updated, unchanged, rejected."""
        return self.query(
            "SELECT run_id, started_at, kind, source, file, rows_read, inserted, updated, "
            "unchanged, rejected FROM ingest_runs ORDER BY run_id"
        )

    def events_by_source(self) -> pd.DataFrame:
        """How many events each source has in the store."""
        return self.query("SELECT source, count(*) AS events FROM events GROUP BY 1 ORDER BY 1")
