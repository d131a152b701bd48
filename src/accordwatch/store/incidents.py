"""Incidents: records of several sources that report the same incident — the SQL behind
``incidents``, ``incident_members``, ``incident_unlinks`` and ``incident_log``, as methods of
:class:`~accordwatch.store.Store`.

The linker's rules and decisions live in :mod:`accordwatch._app.incidents`; this module finds
the candidate pairs for them in one blocked join (:meth:`IncidentTables.incident_candidates`)
and reads and writes the tables.

Blocking: every record is expanded into the date buckets covering ``[date_start, date_end +
window]`` and the grid cells covering a box of half-width ``radius + base_km / 2`` around it.
Two records whose date gap is within the window and whose distance is within ``base_km`` plus
both radii then share at least one (bucket, cell); each pair is kept once, in the lowest
bucket and cell they share.

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     st.incident_count()
0
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from .queries import EventFilter

__all__ = ["IncidentTables", "LinkParams"]

_EventKey = tuple[str, str]


@dataclass(frozen=True)
class LinkParams:
    """The linker's thresholds (:mod:`accordwatch._app.incidents` holds the defaults).

    ``radius_km[p - 1]`` is the uncertainty radius of GED location precision ``p``
    (``where_prec`` 1–7; None: too vague to link automatically); ``unknown_prec`` stands in
    for a missing precision.  ``ranks`` orders source families (``ucdp-ged``, ``acled``,
    ``text`` …) by precedence (1 first) and ``groups`` says which are one source (never
    linked to each other).  ``families`` maps event types (lower case) to a type family and
    ``compatible`` lists the ``"a|b"`` family pairs that may be one incident.
    """

    window_days: int = 1
    base_km: float = 10.0
    radius_km: tuple[float | None, ...] = (0.0, 25.0, 50.0, 150.0, 50.0, None, None)
    unknown_prec: int = 3
    max_span_days: int = 31
    bucket_days: int = 7
    cell_deg: float = 1.0
    ranks: dict[str, int] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    compatible: tuple[str, ...] = ()
    weights: tuple[float, float, float] = (0.4, 0.3, 0.3)  # days, km, actors
    #: days either side of its date by date precision, for sources that give a day and a
    #: precision (ACLED: 1 the day, 2 the week, 3 the month) rather than a range
    slack_days: dict[str, tuple[int, ...]] = field(default_factory=dict)
    actor_weights: dict[str, float] = field(default_factory=dict)  # entity, lineage, unknown


_HAVERSINE = (
    "2 * 6371.0088 * asin(sqrt(pow(sin(radians({b}.lat - {a}.lat) / 2), 2) + "
    "cos(radians({a}.lat)) * cos(radians({b}.lat)) * "
    "pow(sin(radians({b}.lon - {a}.lon) / 2), 2)))"
)

_MEMBER_COLUMNS = (
    "ev_source",
    "ev_id",
    "incident_id",
    "counted",
    "how",
    "matched_source",
    "matched_id",
    "explanation",
    "linked_by",
    "linked_at",
    "reason",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class IncidentTables:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame: ...

        def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None: ...

    # -- the linker's inputs -------------------------------------------------------------------
    def linker_actor_names(self, flt: EventFilter) -> list[tuple[str, str | None]]:
        """Distinct ``(actor name, country)`` of the events matching ``flt`` (either side or
        in ``actors``), as written — what the actor registry resolves for the linker."""
        where, params = flt.where()
        rows = self._con.execute(
            "SELECT DISTINCT trim(n), country FROM (SELECT unnest([side_a, side_b] || "
            "coalesce(string_split(actors, '; '), [])) AS n, country FROM events "
            f"WHERE {where}) WHERE n IS NOT NULL AND trim(n) <> '' ORDER BY 1, 2",
            params,
        ).fetchall()
        return [(str(n), None if c is None else str(c)) for n, c in rows]

    def incident_candidates(
        self, flt: EventFilter, params: LinkParams, actor_map: pa.Table
    ) -> pa.Table:
        """For every record of the events matching ``flt``, the best record of a source of
        higher precedence (another source) that it may report the same incident as: date
        gap within the window, distance within the limit, compatible types, and an actor in
        common (entity or lineage) — or no known actor on one side, the same day and within
        ``base_km``.  Pairs an analyst separated are left out.

        ``actor_map`` has columns ``name`` (lower case), ``country`` (lower case or null),
        ``entity`` and ``lineage`` (registry ids).  One row per linked record: ``b_source``,
        ``b_id`` (the record), ``a_source``, ``a_id`` (its match), ``days``, ``km``,
        ``limit_km``, ``a_family``, ``b_family``, ``actor_match`` (entity, lineage,
        unknown), ``shared`` (the registry ids in common), ``score``.
        """
        import pyarrow as pa

        where, wparams = flt.where()
        ranks = pa.table(
            {
                "fam": list(params.ranks),
                "grp": [params.groups.get(f, f) for f in params.ranks],
                "rnk": list(params.ranks.values()),
                "slack": [list(params.slack_days.get(f, ())) for f in params.ranks],
            },
            schema=pa.schema(
                [
                    ("fam", pa.string()),
                    ("grp", pa.string()),
                    ("rnk", pa.int64()),
                    ("slack", pa.list_(pa.int64())),
                ]
            ),
        )
        families = pa.table(
            {"etype": list(params.families), "family": list(params.families.values())}
        )
        radius = [r if r is not None else -1.0 for r in params.radius_km]
        w_days, w_km, w_act = params.weights
        aw = params.actor_weights
        hav = _HAVERSINE.format(a="a", b="b")
        sql = f"""
WITH ev AS (
    SELECT e.source, e.source_event_id AS eid, p.grp, p.rnk,
        CAST(e.date_start - DATE '1970-01-01' AS BIGINT) - coalesce(p.slack[e.date_prec], 0)
            AS d0,
        CAST(coalesce(e.date_end, e.date_start) - DATE '1970-01-01' AS BIGINT)
            + coalesce(p.slack[e.date_prec], 0) AS d1,
        e.latitude AS lat, e.longitude AS lon,
        list_extract(?::DOUBLE[], CAST(coalesce(e.where_prec, ?) AS INTEGER)) AS radius,
        coalesce(f.family, CASE e.type_of_violence WHEN 1 THEN 'fighting'
            WHEN 2 THEN 'fighting' WHEN 3 THEN 'civilians' END) AS family,
        e.side_a, e.side_b, e.actors, lower(e.country) AS ctry
    FROM events e JOIN _aw_ranks p ON p.fam = split_part(e.source, ':', 1)
    LEFT JOIN _aw_families f ON f.etype = lower(e.event_type)
    WHERE ({where}) AND e.date_start IS NOT NULL AND e.latitude IS NOT NULL
        AND e.longitude IS NOT NULL
),
usable AS (SELECT * FROM ev WHERE radius IS NOT NULL AND radius >= 0 AND d1 - d0 <= ?),
names AS (
    SELECT source, eid, lower(trim(n)) AS name, ctry FROM usable,
        unnest([side_a, side_b] || coalesce(string_split(actors, '; '), [])) AS t(n)
    WHERE n IS NOT NULL AND trim(n) <> ''
),
acts AS (
    SELECT n.source, n.eid, list_distinct(list(m.entity)) AS ents,
        list_distinct(list(m.lineage)) AS lins
    FROM names n JOIN _aw_actor_map m
        ON m.name = n.name AND m.country IS NOT DISTINCT FROM n.ctry
    GROUP BY n.source, n.eid
),
recs AS (
    SELECT u.*, coalesce(x.ents, []) AS ents, coalesce(x.lins, []) AS lins,
        (u.radius + ? / 2) / 111.195 AS half_lat
    FROM usable u LEFT JOIN acts x ON x.source = u.source AND x.eid = u.eid
),
boxes AS (
    SELECT *, half_lat / greatest(cos(radians(least(abs(lat) + half_lat, 89.0))), 0.01)
        AS half_lon FROM recs
),
blocks AS (
    SELECT b.*, bk, cy, cx,
        CAST(floor(d0 / ?) AS BIGINT) AS bk0,
        CAST(floor((lat - half_lat) / ?) AS BIGINT) AS cy0,
        CAST(floor((lon - half_lon) / ?) AS BIGINT) AS cx0
    FROM boxes b,
        range(CAST(floor(d0 / ?) AS BIGINT), CAST(floor((d1 + ?) / ?) AS BIGINT) + 1) AS t1(bk),
        range(CAST(floor((lat - half_lat) / ?) AS BIGINT),
              CAST(floor((lat + half_lat) / ?) AS BIGINT) + 1) AS t2(cy),
        range(CAST(floor((lon - half_lon) / ?) AS BIGINT),
              CAST(floor((lon + half_lon) / ?) AS BIGINT) + 1) AS t3(cx)
),
pairs AS (
    SELECT a.source AS a_source, a.eid AS a_id, b.source AS b_source, b.eid AS b_id,
        a.rnk AS a_rank,
        greatest(0, a.d0 - b.d1, b.d0 - a.d1) AS days,
        {hav} AS km,
        ? + a.radius + b.radius AS limit_km,
        a.family AS a_family, b.family AS b_family,
        list_intersect(a.ents, b.ents) AS shared_ents,
        list_intersect(a.lins, b.lins) AS shared_lins,
        len(a.ents) = 0 OR len(b.ents) = 0 AS unknown
    FROM blocks a JOIN blocks b
        ON a.bk = b.bk AND a.cy = b.cy AND a.cx = b.cx AND a.rnk < b.rnk AND a.grp <> b.grp
    WHERE a.bk = greatest(a.bk0, b.bk0) AND a.cy = greatest(a.cy0, b.cy0)
        AND a.cx = greatest(a.cx0, b.cx0)
),
judged AS (
    SELECT *,
        CASE WHEN len(shared_ents) > 0 THEN 'entity' WHEN len(shared_lins) > 0 THEN 'lineage'
             WHEN unknown THEN 'unknown' ELSE 'none' END AS actor_match
    FROM pairs
    WHERE days <= ? AND km <= limit_km
        AND (a_family IS NULL OR b_family IS NULL OR a_family = b_family
             OR list_contains(?::VARCHAR[], a_family || '|' || b_family))
),
scored AS (
    SELECT *, CASE actor_match WHEN 'entity' THEN shared_ents ELSE shared_lins END AS shared,
        ? * (1 - days / (? + 1)) + ? * (1 - CASE WHEN limit_km > 0 THEN km / limit_km
            ELSE 0 END)
        + ? * CASE actor_match WHEN 'entity' THEN ? WHEN 'lineage' THEN ? ELSE ? END AS score
    FROM judged
    WHERE actor_match IN ('entity', 'lineage')
        OR (actor_match = 'unknown' AND days = 0 AND km <= ?)
)
SELECT b_source, b_id, a_source, a_id, CAST(days AS BIGINT) AS days, km, limit_km,
    a_family, b_family, actor_match, list_sort(shared) AS shared, score
FROM scored s
WHERE NOT EXISTS (SELECT 1 FROM incident_unlinks u WHERE
    (u.a_source = s.a_source AND u.a_id = s.a_id AND u.b_source = s.b_source AND u.b_id = s.b_id)
    OR (u.a_source = s.b_source AND u.a_id = s.b_id AND u.b_source = s.a_source
        AND u.b_id = s.a_id))
QUALIFY row_number() OVER (PARTITION BY b_source, b_id
    ORDER BY score DESC, a_rank, a_source, a_id) = 1
ORDER BY b_source, b_id
"""
        b, c = float(params.bucket_days), float(params.cell_deg)
        args: list[Any] = [radius, params.unknown_prec, *wparams, params.max_span_days]
        args += [params.base_km, b, c, c]
        args += [b, params.window_days, b, c, c, c, c]
        args += [params.base_km, params.window_days, list(params.compatible)]
        args += [w_days, params.window_days, w_km, w_act]
        args += [aw.get("entity", 1.0), aw.get("lineage", 0.8), aw.get("unknown", 0.3)]
        args += [params.base_km]
        self._con.register("_aw_ranks", ranks)
        self._con.register("_aw_families", families)
        self._con.register("_aw_actor_map", actor_map)
        try:
            return self._con.sql(sql, params=args).to_arrow_table()
        finally:
            for name in ("_aw_ranks", "_aw_families", "_aw_actor_map"):
                self._con.unregister(name)

    def linkable_event(self, key: _EventKey) -> dict[str, Any] | None:
        """The columns the linker compares of one stored event, or None."""
        import pandas as pd

        df = self.query(
            "SELECT source, source_event_id, date_start, date_end, date_prec, latitude, "
            "longitude, where_prec, where_description, adm_1, admin1, country, "
            "type_of_violence, event_type, side_a, side_b, actors, best, low, high "
            "FROM events WHERE source = ? AND source_event_id = ?",
            list(key),
        )
        if df.empty:
            return None
        rec = df.astype(object).where(pd.notna(df), None).iloc[0]
        return {str(k): v for k, v in rec.items()}

    # -- reads ---------------------------------------------------------------------------------
    def incident_count(self) -> int:
        row = self.one("SELECT count(*) FROM incidents")
        return int(row[0]) if row else 0

    def incident_members(self, flt: EventFilter | None = None) -> pd.DataFrame:
        """Every incident member (of events matching ``flt`` when given), by incident."""
        cols = ", ".join(f"m.{c}" for c in _MEMBER_COLUMNS)
        if flt is None:
            return self.query(f"SELECT {cols} FROM incident_members m ORDER BY 3, 1, 2")
        where, params = flt.where()
        return self.query(
            f"SELECT {cols} FROM incident_members m WHERE EXISTS (SELECT 1 FROM events "
            f"WHERE events.source = m.ev_source AND events.source_event_id = m.ev_id "
            f"AND {where}) ORDER BY 3, 1, 2",
            params,
        )

    def incident_of(self, key: _EventKey) -> int | None:
        """The incident a stored event is a member of, or None."""
        row = self.one(
            "SELECT incident_id FROM incident_members WHERE ev_source = ? AND ev_id = ?",
            list(key),
        )
        return None if row is None else int(row[0])

    def incident(self, incident_id: int) -> dict[str, Any] | None:
        """One incident: its row, and ``members`` with each member's event columns (date,
        place, actors, deaths) side by side, the counted one first."""
        row = self._con.execute(
            "SELECT incident_id, counted_source, counted_event_id, counted_by, counted_reason, "
            "created_at, updated_at FROM incidents WHERE incident_id = ?",
            [incident_id],
        ).fetchall()
        if not row:
            return None
        names = (
            "incident_id",
            "counted_source",
            "counted_event_id",
            "counted_by",
            "counted_reason",
            "created_at",
            "updated_at",
        )
        out: dict[str, Any] = dict(zip(names, row[0], strict=True))
        out["members"] = self.query(
            "SELECT m.ev_source, m.ev_id, m.counted, m.how, m.matched_source, m.matched_id, "
            "m.explanation, m.linked_by, m.linked_at, m.reason, e.date_start, e.date_end, "
            "e.date_prec, e.where_description, coalesce(e.admin1, e.adm_1) AS admin1, "
            "e.latitude, e.longitude, e.where_prec, e.side_a, e.side_b, e.actors, "
            "e.type_of_violence, e.event_type, e.best, e.low, e.high, e.source_url "
            "FROM incident_members m LEFT JOIN events e "
            "ON e.source = m.ev_source AND e.source_event_id = m.ev_id "
            "WHERE m.incident_id = ? ORDER BY m.counted DESC, m.ev_source, m.ev_id",
            [incident_id],
        )
        return out

    def incident_list(self, flt: EventFilter, limit: int | None = None) -> pd.DataFrame:
        """Incidents with a counted member among the events matching ``flt`` (the counted
        one's date, place and deaths, the sources and number of members), newest first."""
        where, params = flt.where()
        sql = (
            "WITH agg AS (SELECT incident_id, count(*) AS members, string_agg(DISTINCT "
            "split_part(ev_source, ':', 1), ', ' ORDER BY split_part(ev_source, ':', 1)) "
            "AS sources FROM incident_members GROUP BY incident_id) "
            "SELECT m.incident_id, e.date_start, coalesce(e.where_description, e.admin1, "
            "e.adm_1) AS place, e.best AS deaths_best, m.ev_source || '|' || m.ev_id AS counted, "
            "a.members, a.sources FROM incident_members m JOIN events e "
            "ON e.source = m.ev_source AND e.source_event_id = m.ev_id "
            f"JOIN agg a ON a.incident_id = m.incident_id WHERE m.counted AND {where} "
            "ORDER BY e.date_start DESC, m.incident_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def incident_unlinks(self) -> set[frozenset[_EventKey]]:
        """Every pair an analyst separated."""
        rows = self._con.execute(
            "SELECT a_source, a_id, b_source, b_id FROM incident_unlinks"
        ).fetchall()
        return {frozenset({(str(a), str(b)), (str(c), str(d))}) for a, b, c, d in rows}

    def incident_unlink_table(self) -> pd.DataFrame:
        """Every separation: ``a_source``, ``a_id``, ``b_source``, ``b_id``, ``unlinked_by``,
        ``unlinked_at``, ``reason``, oldest first."""
        return self.query(
            "SELECT a_source, a_id, b_source, b_id, unlinked_by, unlinked_at, reason "
            "FROM incident_unlinks ORDER BY unlinked_at, a_source, a_id, b_source, b_id"
        )

    def incident_unlink_records(self, key: _EventKey) -> pd.DataFrame:
        """The separations of one record, oldest first: ``other_source``, ``other_id`` (the
        record it was separated from), ``unlinked_by``, ``unlinked_at``, ``reason``."""
        return self.query(
            "SELECT CASE WHEN a_source = ? AND a_id = ? THEN b_source ELSE a_source END "
            "AS other_source, CASE WHEN a_source = ? AND a_id = ? THEN b_id ELSE a_id END "
            "AS other_id, unlinked_by, unlinked_at, reason FROM incident_unlinks "
            "WHERE (a_source = ? AND a_id = ?) OR (b_source = ? AND b_id = ?) "
            "ORDER BY unlinked_at, other_source, other_id",
            [*key, *key, *key, *key],
        )

    def incident_log(
        self, incident_id: int | None = None, key: _EventKey | None = None
    ) -> pd.DataFrame:
        """The incident log, oldest first: of one incident and/or one event when given."""
        sql = (
            "SELECT entry_id, logged_at, who, action, incident_id, ev_source, ev_id, "
            "other_source, other_id, reason, detail FROM incident_log WHERE TRUE"
        )
        params: list[Any] = []
        if incident_id is not None:
            sql += " AND incident_id = ?"
            params.append(incident_id)
        if key is not None:
            sql += " AND ((ev_source = ? AND ev_id = ?) OR (other_source = ? AND other_id = ?))"
            params += [*key, *key]
        return self.query(sql + " ORDER BY entry_id", params)

    # -- writes --------------------------------------------------------------------------------
    def new_incident_ids(self, n: int) -> list[int]:
        """Insert ``n`` new incidents and return their ids."""
        if n <= 0:
            return []
        row = self.one("SELECT coalesce(max(incident_id), 0) FROM incidents")
        first = (int(row[0]) if row else 0) + 1
        ids = list(range(first, first + n))
        now = _now()
        self._con.execute(
            "INSERT INTO incidents (incident_id, created_at, updated_at) "
            "SELECT unnest(?::BIGINT[]), ?, ?",
            [ids, now, now],
        ).fetchall()
        return ids

    def add_incident_members(self, members: Sequence[dict[str, Any]]) -> None:
        """Add members (keys of :data:`_MEMBER_COLUMNS`; ``counted`` is set by
        :meth:`refresh_incidents`, ``linked_at`` defaults to now)."""
        if not members:
            return
        import pyarrow as pa

        now = _now()
        cols: dict[str, list[Any]] = {c: [] for c in _MEMBER_COLUMNS}
        for m in members:
            for c in _MEMBER_COLUMNS:
                v = m.get(c)
                if c == "counted":
                    v = bool(v)
                elif c == "linked_at":
                    v = v or now
                elif c == "explanation" and v is not None and not isinstance(v, str):
                    v = json.dumps(v, sort_keys=True, default=str)
                cols[c].append(v)
        table = pa.table(
            {
                **{
                    c: pa.array(cols[c], pa.string())
                    for c in _MEMBER_COLUMNS
                    if c not in ("incident_id", "counted", "linked_at")
                },
                "incident_id": pa.array(cols["incident_id"], pa.int64()),
                "counted": pa.array(cols["counted"], pa.bool_()),
                "linked_at": pa.array(cols["linked_at"], pa.timestamp("us")),
            }
        )
        self._con.register("_aw_members", table)
        try:
            self._con.execute(
                f"INSERT INTO incident_members SELECT {', '.join(_MEMBER_COLUMNS)} FROM _aw_members"
            ).fetchall()
        finally:
            self._con.unregister("_aw_members")

    def remove_incident_members(self, keys: Iterable[_EventKey]) -> None:
        """Remove these events from their incidents."""
        import pyarrow as pa

        pairs = list(keys)
        if not pairs:
            return
        table = pa.table(
            {"s": [k[0] for k in pairs], "i": [k[1] for k in pairs]},
            schema=pa.schema([("s", pa.string()), ("i", pa.string())]),
        )
        self._con.register("_aw_keys", table)
        try:
            self._con.execute(
                "DELETE FROM incident_members WHERE EXISTS (SELECT 1 FROM _aw_keys k "
                "WHERE k.s = ev_source AND k.i = ev_id)"
            ).fetchall()
        finally:
            self._con.unregister("_aw_keys")

    def drop_vanished_members(self) -> list[tuple[_EventKey, int]]:
        """Remove the members whose event is no longer stored (deleted by its source);
        returns their keys and incidents (to be refreshed)."""
        rows = self._con.execute(
            "DELETE FROM incident_members m WHERE NOT EXISTS (SELECT 1 FROM events e "
            "WHERE e.source = m.ev_source AND e.source_event_id = m.ev_id) "
            "RETURNING ev_source, ev_id, incident_id"
        ).fetchall()
        return [((str(s), str(i)), int(n)) for s, i, n in rows]

    def set_incident_counted(
        self, incident_id: int, key: _EventKey | None, by: str | None, reason: str | None
    ) -> None:
        """An analyst's choice of the counted member (``key`` None: the precedence again)."""
        self._con.execute(
            "UPDATE incidents SET counted_source = ?, counted_event_id = ?, counted_by = ?, "
            "counted_reason = ?, updated_at = ? WHERE incident_id = ?",
            [*(key or (None, None)), by, reason, _now(), incident_id],
        ).fetchall()

    def refresh_incidents(self, ranks: dict[str, int], incident_ids: Iterable[int]) -> list[int]:
        """Recount the incidents ``incident_ids`` after their members changed: an incident of
        fewer than two members is dissolved (its ids returned); in the others exactly one
        member is counted — the analyst's choice while it is a member, else the member of
        the source of highest precedence (``ranks``; then source and id order)."""
        ids = sorted(set(incident_ids))
        if not ids:
            return []
        dead = [
            int(r[0])
            for r in self._con.execute(
                "SELECT i.incident_id FROM incidents i WHERE i.incident_id IN "
                "(SELECT unnest(?::BIGINT[])) AND (SELECT count(*) FROM incident_members m "
                "WHERE m.incident_id = i.incident_id) < 2",
                [ids],
            ).fetchall()
        ]
        if dead:
            self._con.execute(
                "DELETE FROM incident_members WHERE incident_id IN (SELECT unnest(?::BIGINT[]))",
                [dead],
            ).fetchall()
            self._con.execute(
                "DELETE FROM incidents WHERE incident_id IN (SELECT unnest(?::BIGINT[]))", [dead]
            ).fetchall()
        live = [i for i in ids if i not in set(dead)]
        if live:
            order = sorted(ranks, key=lambda f: ranks[f])
            self._con.execute(
                "UPDATE incident_members m SET counted = (m.ev_source = c.ev_source "
                "AND m.ev_id = c.ev_id) FROM (SELECT x.incident_id, x.ev_source, x.ev_id "
                "FROM incident_members x JOIN incidents i USING (incident_id) "
                "WHERE x.incident_id IN (SELECT unnest(?::BIGINT[])) "
                "QUALIFY row_number() OVER (PARTITION BY x.incident_id ORDER BY "
                "(x.ev_source = i.counted_source AND x.ev_id = i.counted_event_id) IS NOT TRUE, "
                "coalesce(list_position(?::VARCHAR[], split_part(x.ev_source, ':', 1)), 99), "
                "x.ev_source, x.ev_id) = 1) c WHERE m.incident_id = c.incident_id",
                [live, order],
            ).fetchall()
            self._con.execute(
                "UPDATE incidents SET updated_at = ? WHERE incident_id IN "
                "(SELECT unnest(?::BIGINT[]))",
                [_now(), live],
            ).fetchall()
        return dead

    def add_incident_unlink(
        self, a: _EventKey, b: _EventKey, by: str, reason: str, at: dt.datetime | None = None
    ) -> None:
        """Record that an analyst separated ``a`` and ``b`` (at ``at``, default now): the
        linker never joins them."""
        self._con.execute(
            "INSERT INTO incident_unlinks VALUES (?, ?, ?, ?, ?, ?, ?)",
            [*a, *b, by, at or _now(), reason],
        ).fetchall()

    def remove_incident_unlink(self, a: _EventKey, b: _EventKey) -> None:
        """Forget an analyst's separation of ``a`` and ``b`` (they linked them again)."""
        self._con.execute(
            "DELETE FROM incident_unlinks WHERE (a_source = ? AND a_id = ? AND b_source = ? "
            "AND b_id = ?) OR (a_source = ? AND a_id = ? AND b_source = ? AND b_id = ?)",
            [*a, *b, *b, *a],
        ).fetchall()

    def log_incident_changes(self, entries: Sequence[dict[str, Any]]) -> None:
        """Append entries to the incident log (keys: who, action, incident_id, ev_source,
        ev_id, other_source, other_id, reason, detail — a dict or JSON text)."""
        if not entries:
            return
        import pyarrow as pa

        row = self.one("SELECT coalesce(max(entry_id), 0) FROM incident_log")
        first = (int(row[0]) if row else 0) + 1
        now = _now()
        text_cols = ("who", "action", "ev_source", "ev_id", "other_source", "other_id", "reason")

        def detail(v: Any) -> str | None:
            if v is None or isinstance(v, str):
                return v
            return json.dumps(v, sort_keys=True, default=str)

        table = pa.table(
            {
                "entry_id": pa.array(range(first, first + len(entries)), pa.int64()),
                "logged_at": pa.array([now] * len(entries), pa.timestamp("us")),
                **{c: pa.array([e.get(c) for e in entries], pa.string()) for c in text_cols},
                "incident_id": pa.array([e.get("incident_id") for e in entries], pa.int64()),
                "detail": pa.array([detail(e.get("detail")) for e in entries], pa.string()),
            }
        )
        self._con.register("_aw_log", table)
        try:
            self._con.execute(
                "INSERT INTO incident_log SELECT entry_id, logged_at, who, action, incident_id, "
                "ev_source, ev_id, other_source, other_id, reason, detail FROM _aw_log"
            ).fetchall()
        finally:
            self._con.unregister("_aw_log")
