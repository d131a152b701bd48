"""The digest's SQL (``digest_marks``, ``digest_items`` and what changed since a mark), as
methods of :class:`~accordwatch.store.Store`.

A digest's window is given by the last ingest run and the last assessment the previous
digest covered: an event is *new* when none of its versions was loaded by a run up to that
one, *revised* when a later run replaced the version that was current then.  These methods
read and write rows only; what a window is and what a digest lists is decided in
:mod:`accordwatch._app.digest`.

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     st.skip_seed()
...     mark = {"created_at": None, "window_start": "the store's creation", "last_run_id": 0,
...             "last_assessment_id": 0, "changes": 0, "counts": "{}", "sent_to": None,
...             "outputs": None, "title": "digest 1", "body_markdown": "", "body_html": ""}
...     n = st.record_digest(mark, [("alert", "events:482:2022-12", None)])
...     n, st.digest_mark()["title"], st.digest_items(n)
(1, 'digest 1', [('alert', 'events:482:2022-12', None)])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from .queries import COUNTED_ONLY
from .schema import CONTENT_COLUMNS

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["DIGEST_MARK_COLUMNS", "DigestTables"]

#: the columns of ``digest_marks`` a caller gives (the id is the store's; a missing
#: ``created_at`` is now, UTC)
DIGEST_MARK_COLUMNS = (
    "created_at",
    "window_start",
    "last_run_id",
    "last_assessment_id",
    "changes",
    "counts",
    "sent_to",
    "outputs",
    "title",
    "body_markdown",
    "body_html",
)
_KEY = "source, source_event_id"

#: events none of whose versions a run up to ``?`` loaded (two parameters: the run twice)
_NEW = (
    "SELECT e.* FROM events e ANTI JOIN "
    "(SELECT source, source_event_id FROM events_history WHERE run_id <= ?) h "
    f"USING ({_KEY}) WHERE e.run_id > ?"
)
#: the version current after run ``?`` of each event a later run replaced, beside the
#: current version ``e`` (two parameters: the run twice); ``h`` columns keep their names
_REVISED = (
    "WITH h AS (SELECT * FROM events_history WHERE replaced_by_run > ? "
    "QUALIFY row_number() OVER (PARTITION BY source, source_event_id "
    "ORDER BY replaced_by_run, replaced_at) = 1) "
    f"SELECT {{select}} FROM h JOIN events e USING ({_KEY}) WHERE h.run_id <= ? AND ("
    + " OR ".join(f"h.{c} IS DISTINCT FROM e.{c}" for c in CONTENT_COLUMNS)
    + ")"
)
#: how a revised event's fields are compared and shown: as text, the way DuckDB writes them
_CHANGES = (
    "list_filter(["
    + ", ".join(
        f"struct_pack(field := '{c}', before := CAST(h.{c} AS VARCHAR), "
        f"after := CAST(e.{c} AS VARCHAR))"
        for c in CONTENT_COLUMNS
    )
    + "], lambda x: x.before IS DISTINCT FROM x.after)"
)
#: what a digest shows of an event (``region``: the canonical admin-1 name, else GED's)
_SHOWN = (
    "e.source, e.source_event_id, e.date_start, e.date_end, e.date_prec, e.country, "
    "coalesce(e.admin1, e.adm_1) AS region, e.where_description AS place, e.latitude, "
    "e.longitude, e.type_of_violence, e.event_type, e.side_a, e.side_b, e.actors, e.best, "
    "e.low, e.high, e.source_title, e.source_url, e.source_article, e.run_id"
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class DigestTables:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame: ...

        def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

        def get_meta(self, key: str) -> str | None: ...

        def set_meta(self, key: str, value: str) -> None: ...

    def _records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query as dicts of plain Python values (fully fetched)."""
        cur = self._con.execute(sql, list(params))
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _number(self, sql: str, params: Sequence[Any] = ()) -> int:
        rows = self._con.execute(sql, list(params)).fetchall()
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    # -- marks -------------------------------------------------------------------------------
    def record_digest(
        self, mark: Mapping[str, Any], items: Iterable[tuple[str, str, str | None]]
    ) -> int:
        """Record a digest (``mark``: the :data:`DIGEST_MARK_COLUMNS`) and what it saw
        (``items``: kind, key, detail; a repeated kind and key is kept once) under the next
        number, in one transaction; returns the number."""
        missing = [c for c in DIGEST_MARK_COLUMNS if c not in mark]
        if missing:
            raise ValueError(f"a digest mark needs the column(s) {', '.join(missing)}")
        values = {**mark, "created_at": mark["created_at"] or _utc_now()}
        unique = {(str(k), str(key)): d for k, key, d in items}
        with self.transaction() as con:
            got = con.execute("SELECT coalesce(max(digest_id), 0) + 1 FROM digest_marks")
            number = int(got.fetchall()[0][0])
            names = ", ".join(DIGEST_MARK_COLUMNS)
            marks = ", ".join("?" for _ in DIGEST_MARK_COLUMNS)
            con.execute(
                f"INSERT INTO digest_marks (digest_id, {names}) VALUES (?, {marks})",
                [number, *(values[c] for c in DIGEST_MARK_COLUMNS)],
            ).fetchall()
            if unique:
                con.executemany(
                    "INSERT INTO digest_items VALUES (?, ?, ?, ?)",
                    [[number, k, key, d] for (k, key), d in unique.items()],
                )
        return number

    def digest_mark(
        self, digest_id: int | None = None, *, before: dt.datetime | None = None
    ) -> dict[str, Any] | None:
        """One recorded digest (every column): number ``digest_id``, else the latest one made
        before ``before`` (UTC), else the latest; None when there is none."""
        sql = "SELECT * FROM digest_marks"
        params: list[Any] = []
        if digest_id is not None:
            sql, params = sql + " WHERE digest_id = ?", [int(digest_id)]
        elif before is not None:
            sql, params = sql + " WHERE created_at < ?", [before]
        found = self._records(sql + " ORDER BY digest_id DESC LIMIT 1", params)
        return found[0] if found else None

    def digest_marks(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The recorded digests, newest first (every column), at most ``limit`` of them."""
        sql = "SELECT * FROM digest_marks ORDER BY digest_id DESC"
        return self._records(sql + (f" LIMIT {int(limit)}" if limit is not None else ""))

    def digest_items(self, digest_id: int) -> list[tuple[str, str, str | None]]:
        """What digest ``digest_id`` saw: (kind, key, detail), by kind and key."""
        rows = self._con.execute(
            "SELECT kind, item_key, detail FROM digest_items WHERE digest_id = ? "
            "ORDER BY kind, item_key",
            [int(digest_id)],
        ).fetchall()
        return [(str(k), str(key), None if d is None else str(d)) for k, key, d in rows]

    # -- where a window starts ---------------------------------------------------------------
    def store_created(self) -> dt.datetime | None:
        """When the store was made: the time its first migration was applied."""
        rows = self._con.execute("SELECT min(applied_at) FROM schema_migrations").fetchall()
        return rows[0][0] if rows else None

    def last_run_id(self, *, before: dt.date | None = None) -> int:
        """The latest ingest run (0 when none), or the latest started before the day
        ``before``."""
        if before is None:
            return self._number("SELECT max(run_id) FROM ingest_runs")
        return self._number(
            "SELECT max(run_id) FROM ingest_runs WHERE CAST(started_at AS DATE) < ?", [before]
        )

    def last_seed_run_id(self) -> int:
        """The latest run that seeded the store with the bundled default (0 when none)."""
        return self._number("SELECT max(run_id) FROM ingest_runs WHERE kind = 'seed'")

    def last_assessment_id(
        self, *, before: dt.date | None = None, until: dt.datetime | None = None
    ) -> int:
        """The latest assessment recorded (0 when none); or the latest recorded before the
        day ``before``, or at or before ``until`` (UTC)."""
        sql, params = "SELECT max(assessment_id) FROM accord_assessments WHERE TRUE", []
        if before is not None:
            sql += " AND CAST(recorded_at AS DATE) < ?"
            params.append(before)
        if until is not None:
            sql += " AND recorded_at <= ?"
            params.append(until)
        return self._number(sql, params)

    # -- what changed ------------------------------------------------------------------------
    def runs_after(self, run_id: int) -> list[dict[str, Any]]:
        """The ingest runs after ``run_id``, oldest first: run_id, started_at, kind, source,
        file, rows_read, inserted, updated, unchanged, rejected."""
        return self._records(
            "SELECT run_id, started_at, kind, source, file, rows_read, inserted, updated, "
            "unchanged, rejected FROM ingest_runs WHERE run_id > ? ORDER BY run_id",
            [int(run_id)],
        )

    def new_event_counts(self, run_id: int) -> list[dict[str, Any]]:
        """Events new after run ``run_id`` by country and source (``text`` for every
        ``text:<doc id>``): country, source, events, deaths (best), most first."""
        return self._records(
            "SELECT coalesce(country, '(no country)') AS country, split_part(source, ':', 1) "
            "AS source, count(*) AS events, CAST(coalesce(sum(best), 0) AS BIGINT) AS deaths "
            f"FROM ({_NEW}) GROUP BY ALL ORDER BY events DESC, deaths DESC, country, source",
            [int(run_id), int(run_id)],
        )

    def new_events(
        self, run_id: int, *, limit: int, text: bool | None = None
    ) -> list[dict[str, Any]]:
        """Events new after run ``run_id`` (what a digest shows of each), deadliest first, at
        most ``limit``; ``text``: only events from text (True), none of them (False)."""
        where = {None: "TRUE", True: "source LIKE 'text:%'", False: "source NOT LIKE 'text:%'"}
        return self._records(
            f"SELECT {_SHOWN} FROM ({_NEW}) e WHERE {where[text]} "
            f"ORDER BY e.best DESC NULLS LAST, e.date_start DESC, {_KEY} LIMIT ?",
            [int(run_id), int(run_id), int(limit)],
        )

    def revised_event_counts(self, run_id: int) -> dict[str, int]:
        """How many events a run after ``run_id`` revised (``events``), and how many of them
        have each content field changed (only the fields that changed in some event)."""
        counts = ", ".join(
            f'count(*) FILTER (WHERE h.{c} IS DISTINCT FROM e.{c}) AS "{c}"'
            for c in CONTENT_COLUMNS
        )
        found = self._records(
            _REVISED.format(select=f"count(*) AS events, {counts}"), [int(run_id), int(run_id)]
        )
        row = found[0] if found else {"events": 0}
        return {k: int(v) for k, v in row.items() if v}

    def revised_events(self, run_id: int, *, limit: int) -> list[dict[str, Any]]:
        """Events a run after ``run_id`` revised, the biggest change of deaths first, at most
        ``limit``: what a digest shows of the current version, and ``changes``: the fields
        that differ from the version current after run ``run_id`` (``field``, ``before``,
        ``after``, as text), in table order."""
        rows = self._records(
            _REVISED.format(select=f"{_SHOWN}, {_CHANGES} AS changes")
            + " ORDER BY abs(coalesce(e.best, 0) - coalesce(h.best, 0)) DESC, e.date_start DESC, "
            f"{_KEY} LIMIT ?",
            [int(run_id), int(run_id), int(limit)],
        )
        for row in rows:
            row["changes"] = [dict(c) for c in row["changes"]]
        return rows

    def assessments_after(self, assessment_id: int) -> list[dict[str, Any]]:
        """Assessments recorded after ``assessment_id``, oldest first, with their provision's
        title and agreement: assessment_id, provision_id, provision, agreement_id,
        agreement, date, score, assessor, evidence, source_url, recorded_at, origin."""
        return self._records(
            "SELECT s.assessment_id, s.provision_id, p.title AS provision, p.agreement_id, "
            "a.name AS agreement, s.date, s.score, s.assessor, s.evidence, s.source_url, "
            "s.recorded_at, s.origin FROM accord_assessments s "
            "LEFT JOIN accord_provisions p USING (provision_id) "
            "LEFT JOIN accord_agreements a ON a.agreement_id = p.agreement_id "
            "WHERE s.assessment_id > ? ORDER BY s.assessment_id",
            [int(assessment_id)],
        )

    def all_milestones(self) -> list[dict[str, Any]]:
        """Every process milestone with its agreement's name, by date: agreement_id,
        agreement, date, precision, kind, actors, description, source."""
        return self._records(
            "SELECT m.agreement_id, a.name AS agreement, m.date, m.precision, m.kind, "
            "m.actors, m.description, m.source FROM accord_milestones m "
            "LEFT JOIN accord_agreements a USING (agreement_id) "
            "ORDER BY m.date, m.agreement_id, m.kind, m.description"
        )

    # -- the series the alerts are computed on -----------------------------------------------
    def views_country_months(self) -> pd.DataFrame:
        """The stored VIEWS country-month series in the VIEWS layout: country_id, country,
        month_id, ucdp_ged_sb_best_sum."""
        return self.query(
            "SELECT country_id, country, month_id, ged_sb AS ucdp_ged_sb_best_sum "
            "FROM country_month ORDER BY country_id, month_id"
        )

    def state_based_country_months(self) -> pd.DataFrame:
        """State-based deaths (best; a missing value as 0) of the stored events with a country
        code, per country and month, as event rows ``series_from_events`` reads:
        date_start (the month's first day), country_id, country, best, type_of_violence."""
        return self.query(
            "SELECT CAST(date_trunc('month', date_start) AS DATE) AS date_start, country_id, "
            "any_value(country) AS country, CAST(sum(coalesce(best, 0)) AS BIGINT) AS best, "
            f"1 AS type_of_violence FROM events WHERE type_of_violence = 1 AND {COUNTED_ONLY} "
            "AND country_id IS NOT NULL AND date_start IS NOT NULL GROUP BY 1, 2 ORDER BY 2, 1"
        )
