"""All SQL of the accord tracker, as methods of :class:`~accordwatch.store.Store`: agreements,
parties, flags, provisions, assessments, milestones, reference figures, and the event and
fatality queries the links to violence need.

Every write runs inside :meth:`Store.transaction`; assessments are only ever inserted.  The
application layer (:mod:`accordwatch._app.accords`) reads the bundled files and fills the
tables through :meth:`AccordTables.fill_accords`.

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as store:
...     store.needs_accords(), store.agreement_ids()
(True, set())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # pandas loads when a method needs it (fast start-up)
    import duckdb
    import pandas as pd

__all__ = ["AccordTables"]

_PROVISION_FIELDS = (
    "provision_id",
    "agreement_id",
    "parent_id",
    "level",
    "seq",
    "number",
    "title",
    "theme",
    "parties",
    "places",
    "deadline",
    "deadline_text",
    "ucdp_flags",
    "source",
    "note",
    "origin",
    "loaded_at",
)
#: the provision fields compared to decide whether a reloaded provision changed
_COMPARED = tuple(
    c
    for c in _PROVISION_FIELDS
    if c not in ("provision_id", "agreement_id", "seq", "origin", "loaded_at")
)
#: the tables :meth:`AccordTables.fill_accords` appends whole frames to, by name
_FILLED = (
    ("accord_agreements", "agreements"),
    ("accord_parties", "parties"),
    ("accord_flags", "flags"),
    ("accord_milestones", "milestones"),
    ("accord_references", "references"),
)


def _same(a: object, b: object) -> bool:
    """Equal as stored values: blanks (None/NaN/NaT) equal each other, Timestamps as dates."""
    import pandas as pd

    a_blank = a is None or (isinstance(a, float) and a != a) or a is pd.NaT
    b_blank = b is None or (isinstance(b, float) and b != b) or b is pd.NaT
    if a_blank or b_blank:
        return a_blank and b_blank
    if isinstance(a, pd.Timestamp):
        a = a.date()
    if isinstance(b, pd.Timestamp):
        b = b.date()
    return bool(a == b)


def _py(value: object) -> object:
    """A value DuckDB can bind: missing (None/NaN/NaT/NA) → None, Timestamp → date."""
    import pandas as pd

    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


class AccordTables:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame: ...

        def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None: ...

        def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

        def set_meta(self, key: str, value: str) -> None: ...

    # -- filling -----------------------------------------------------------------------------
    def needs_accords(self) -> bool:
        """True for a store whose accord tables are missing or empty — one made before they
        existed — unless it is kept free of the bundled data (:meth:`Store.skip_seed`)."""
        table = self.one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'accord_agreements'"
        )
        if table and table[0]:
            rows = self.one("SELECT count(*) FROM (SELECT 1 FROM accord_agreements LIMIT 1)")
            if rows and rows[0]:
                return False
        has_meta = self.one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        )
        if not (has_meta and has_meta[0]):
            return True
        seeded = self.one("SELECT value FROM meta WHERE key = 'seeded_at'")
        return not (seeded and str(seeded[0]).startswith("never"))

    def fill_accords(
        self,
        *,
        agreements: pd.DataFrame,
        parties: pd.DataFrame,
        flags: pd.DataFrame,
        milestones: pd.DataFrame,
        references: pd.DataFrame,
        provisions: pd.DataFrame,
    ) -> None:
        """Append agreements, parties, flags, milestones and reference figures (columns by
        name), add the provisions and stamp ``accords_seeded_at`` — one transaction."""
        frames = {
            "agreements": agreements,
            "parties": parties,
            "flags": flags,
            "milestones": milestones,
            "references": references,
        }
        with self.transaction() as con:
            for table, key in _FILLED:
                con.register("_accord_frame", frames[key])
                try:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _accord_frame")
                finally:
                    con.unregister("_accord_frame")
            self.upsert_provisions(provisions, origin="bundled")
            self.set_meta(
                "accords_seeded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            )

    def country_month_names(self) -> dict[str, str]:
        """Gleditsch–Ward code (as text) → country name, from the country-month series."""
        rows = self._con.execute("SELECT DISTINCT gwcode, country FROM country_month").fetchall()
        return {str(gw): str(name) for gw, name in rows if gw is not None}

    def country_month_keys(self, key: str) -> list[tuple[str, str]]:
        """(GW code, name) of the countries in the country-month series whose name, ISO3 code
        or GW code is ``key`` (case-insensitive)."""
        rows = self._con.execute(
            "SELECT DISTINCT gwcode, country FROM country_month WHERE lower(country) = lower(?) "
            "OR lower(isoab) = lower(?) OR CAST(gwcode AS VARCHAR) = ?",
            [key, key, key],
        ).fetchall()
        return [(str(gw), str(name)) for gw, name in rows]

    # -- agreements --------------------------------------------------------------------------
    def agreement_ids(self) -> set[int]:
        """Every agreement id in the store."""
        rows = self._con.execute("SELECT agreement_id FROM accord_agreements").fetchall()
        return {int(v) for (v,) in rows}

    def agreement_countries(self) -> list[str]:
        """The country names the agreements are located in, sorted."""
        rows = self._con.execute("SELECT countries FROM accord_agreements").fetchall()
        return sorted({c for (v,) in rows if v for c in str(v).split("; ")})

    def any_agreement_in(self, *, gwcodes: Iterable[str], country_names: Iterable[str]) -> bool:
        """True if some agreement is located in one of the countries (GW code or name)."""
        row = self.one(
            "SELECT 1 FROM accord_agreements "
            "WHERE list_has_any(string_split(lower(countries), '; '), ?::VARCHAR[]) "
            "OR list_has_any(string_split(replace(gwno, ' ', ''), ','), ?::VARCHAR[]) LIMIT 1",
            [sorted({c.lower() for c in country_names}) or [""], sorted(set(gwcodes)) or [""]],
        )
        return row is not None

    def select_agreements(
        self,
        *,
        gwcodes: Iterable[str] = (),
        country_names: Iterable[str] = (),
        ucdp_actor_ids: Iterable[int] = (),
        party_names: Iterable[str] = (),
        year_from: int | None = None,
        year_to: int | None = None,
        text: str | None = None,
    ) -> pd.DataFrame:
        """Agreements matching every filter given, oldest first.

        Columns: agreement_id, signed, name, countries, pa_type, ended, parties (non-third
        parties, "; "-joined), provisions (how many the store holds)."""
        where: list[str] = []
        params: list[Any] = []
        gw = sorted(set(gwcodes))
        cn = sorted({c.lower() for c in country_names})
        if gw or cn:
            where.append(
                "(list_has_any(string_split(replace(a.gwno, ' ', ''), ','), ?::VARCHAR[]) "
                "OR list_has_any(string_split(lower(a.countries), '; '), ?::VARCHAR[]))"
            )
            params += [gw or [""], cn or [""]]
        ids = sorted(set(ucdp_actor_ids))
        pn = sorted({n.lower() for n in party_names})
        if ids or pn:
            where.append(
                "a.agreement_id IN (SELECT agreement_id FROM accord_parties "
                "WHERE ucdp_actor_id IN (SELECT unnest(?::BIGINT[])) "
                "OR lower(name) IN (SELECT unnest(?::VARCHAR[])))"
            )
            params += [ids or [-1], pn or [""]]
        if year_from is not None:
            where.append("a.year >= ?")
            params.append(year_from)
        if year_to is not None:
            where.append("a.year <= ?")
            params.append(year_to)
        if text:
            where.append("lower(a.name) LIKE ?")
            params.append(f"%{text.lower()}%")
        sql = (
            "SELECT a.agreement_id, a.signed, a.name, a.countries, a.pa_type, a.ended, "
            "(SELECT string_agg(p.name, '; ' ORDER BY p.seq) FROM accord_parties p "
            " WHERE p.agreement_id = a.agreement_id AND p.role <> 'third-party') AS parties, "
            "(SELECT count(*) FROM accord_provisions v "
            " WHERE v.agreement_id = a.agreement_id) AS provisions "
            "FROM accord_agreements a"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY a.signed, a.agreement_id"
        )
        return self.query(sql, params)

    def agreement_record(self, agreement_id: int) -> dict[str, Any] | None:
        """One agreement as a dict (``signed`` a date, id lists as ints), None if unknown."""
        import pandas as pd

        df = self.query(
            "SELECT * FROM accord_agreements WHERE agreement_id = ?", [int(agreement_id)]
        )
        if df.empty:
            return None
        recs = df.astype(object).where(pd.notna(df), None).to_dict(orient="records")
        rec = cast("dict[str, Any]", recs[0])
        if isinstance(rec["signed"], pd.Timestamp | dt.datetime):
            rec["signed"] = rec["signed"].date()
        for key in ("conflict_ids", "dyad_ids"):
            rec[key] = [int(v) for v in (rec[key] if rec[key] is not None else [])]
        return rec

    def select_parties(self, agreement_id: int) -> pd.DataFrame:
        """The agreement's parties in UCDP order: seq, name, role, ucdp_actor_id, actor_id."""
        return self.query(
            "SELECT seq, name, role, ucdp_actor_id, actor_id FROM accord_parties "
            "WHERE agreement_id = ? ORDER BY seq",
            [int(agreement_id)],
        )

    def select_flags(self, agreement_id: int) -> pd.DataFrame:
        """The agreement's UCDP provision flags, coded ones first: flag, label, theme, value."""
        return self.query(
            "SELECT flag, label, theme, value FROM accord_flags WHERE agreement_id = ? "
            "ORDER BY value DESC, theme, flag",
            [int(agreement_id)],
        )

    # -- provisions --------------------------------------------------------------------------
    def select_provisions(
        self, agreement_id: int | None = None, provision_ids: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Provisions (all, one agreement's, or the given ids) in agreement and tree order."""
        where: list[str] = []
        params: list[Any] = []
        if agreement_id is not None:
            where.append("agreement_id = ?")
            params.append(int(agreement_id))
        if provision_ids is not None:
            where.append("provision_id IN (SELECT unnest(?::VARCHAR[]))")
            params.append(sorted(set(provision_ids)) or [""])
        sql = f"SELECT {', '.join(_PROVISION_FIELDS)} FROM accord_provisions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.query(sql + " ORDER BY agreement_id, seq", params)

    def provision_signatures(self) -> dict[str, dt.date | None]:
        """Provision id → the signature date of its agreement (None when undated)."""
        rows = self._con.execute(
            "SELECT p.provision_id, a.signed FROM accord_provisions p "
            "JOIN accord_agreements a USING (agreement_id)"
        ).fetchall()
        return {
            str(p): (s.date() if isinstance(s, dt.datetime) else s) if s is not None else None
            for p, s in rows
        }

    def upsert_provisions(self, provisions: pd.DataFrame, *, origin: str) -> dict[str, int]:
        """Insert new provisions, update changed ones (new ones go last in their agreement);
        returns the counts ``inserted``, ``updated``, ``unchanged``. One transaction."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        with self.transaction() as con:
            existing = self.select_provisions(
                provision_ids=list(provisions.provision_id)
            ).set_index("provision_id")
            next_seq: dict[int, int] = {}
            for agreement in provisions.agreement_id.unique():
                row = con.execute(
                    "SELECT coalesce(max(seq), -1) + 1 FROM accord_provisions "
                    "WHERE agreement_id = ?",
                    [int(agreement)],
                ).fetchall()
                next_seq[int(agreement)] = int(row[0][0]) if row else 0
            for raw in provisions.to_dict(orient="records"):
                rec = {k: _py(v) for k, v in raw.items()}
                pid = str(rec["provision_id"])
                if pid in existing.index:
                    old = existing.loc[pid]
                    if all(_same(old[c], rec[c]) for c in _COMPARED):
                        counts["unchanged"] += 1
                        continue
                    con.execute(
                        "UPDATE accord_provisions SET "
                        + ", ".join(f"{c} = ?" for c in _COMPARED)
                        + ", origin = ?, loaded_at = ? WHERE provision_id = ?",
                        [rec[c] for c in _COMPARED] + [origin, now, pid],
                    )
                    counts["updated"] += 1
                    continue
                agreement = int(str(rec["agreement_id"]))
                seq = next_seq[agreement]
                next_seq[agreement] += 1
                values = {
                    **rec,
                    "agreement_id": agreement,
                    "seq": seq,
                    "origin": origin,
                    "loaded_at": now,
                }
                con.execute(
                    f"INSERT INTO accord_provisions ({', '.join(_PROVISION_FIELDS)}) "
                    f"VALUES ({', '.join('?' for _ in _PROVISION_FIELDS)})",
                    [values[c] for c in _PROVISION_FIELDS],
                )
                counts["inserted"] += 1
        return counts

    # -- assessments -------------------------------------------------------------------------
    def assessment_fingerprints(self) -> set[str]:
        """The fingerprints of every stored assessment (to refuse duplicates)."""
        rows = self._con.execute("SELECT fingerprint FROM accord_assessments").fetchall()
        return {str(r[0]) for r in rows}

    def insert_assessments(self, rows: pd.DataFrame, *, origin: str) -> list[int]:
        """Append validated assessments (never updates); returns their new ids. One
        transaction."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.transaction() as con:
            row = con.execute(
                "SELECT coalesce(max(assessment_id), 0) FROM accord_assessments"
            ).fetchall()
            start = int(row[0][0]) + 1 if row else 1
            ids = list(range(start, start + len(rows)))
            frame = rows.assign(assessment_id=ids, recorded_at=now, origin=origin)
            con.register("_assess", frame)
            try:
                con.execute(
                    "INSERT INTO accord_assessments (assessment_id, provision_id, date, score, "
                    "assessor, evidence, source_url, recorded_at, origin, fingerprint) "
                    "SELECT assessment_id, provision_id, date, score, assessor, evidence, "
                    "source_url, recorded_at, origin, fingerprint FROM _assess"
                )
            finally:
                con.unregister("_assess")
        return ids

    def select_assessments(
        self, *, agreement_id: int | None = None, provision_id: str | None = None
    ) -> pd.DataFrame:
        """Assessments (all, one agreement's or one provision's), oldest first."""
        where: list[str] = []
        params: list[Any] = []
        if agreement_id is not None:
            where.append("p.agreement_id = ?")
            params.append(int(agreement_id))
        if provision_id is not None:
            where.append("s.provision_id = ?")
            params.append(provision_id)
        sql = (
            "SELECT s.assessment_id, s.provision_id, p.agreement_id, s.date, s.score, "
            "s.assessor, s.evidence, s.source_url, s.recorded_at, s.origin "
            "FROM accord_assessments s JOIN accord_provisions p USING (provision_id)"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.query(sql + " ORDER BY s.date, s.assessment_id", params)

    # -- milestones, references --------------------------------------------------------------
    def select_milestones(self, agreement_ids: Iterable[int]) -> pd.DataFrame:
        """The agreements' process milestones, by date."""
        return self.query(
            "SELECT m.agreement_id, m.date, m.precision, m.kind, m.actors, m.description, "
            "m.source FROM accord_milestones m "
            "WHERE m.agreement_id IN (SELECT unnest(?::BIGINT[])) ORDER BY m.date, m.kind",
            [sorted({int(a) for a in agreement_ids}) or [-1]],
        )

    def select_references(self, agreement_id: int) -> pd.DataFrame:
        """Published reference figures on the agreement (PAM score …), by date."""
        return self.query(
            "SELECT key, as_of, published, value, unit, description, source, source_url "
            "FROM accord_references WHERE agreement_id = ? ORDER BY as_of",
            [int(agreement_id)],
        )

    # -- violence around the agreement -------------------------------------------------------
    def event_months(
        self,
        *,
        start: dt.date,
        end: dt.date,
        gwcodes: Iterable[str] | None = None,
        names: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Events and their deaths (best estimate) per country, source and month of
        ``date_start``, between ``start`` and ``end``; only the countries given by GW code or
        name when either is given, else every country.  Events whose deaths were not reported
        (no ``best``, e.g. a news report of a political act) are left out: they say nothing
        of a month's deaths.

        Columns: country (the event's ``country_id`` as text, else its lower-case country
        name), source (``text`` for every ``text:<doc id>``, other values as stored), month
        (first day), events, fatalities.
        """
        params: list[Any] = []
        where = "date_start BETWEEN ? AND ? AND best IS NOT NULL"
        if gwcodes is not None or names is not None:
            gw = sorted({int(g) for g in gwcodes or () if str(g).strip().isdigit()}) or [-1]
            nm = sorted({n.lower() for n in names or ()}) or [""]
            where += (
                " AND (country_id IN (SELECT unnest(?::BIGINT[])) "
                "OR lower(country) IN (SELECT unnest(?::VARCHAR[])))"
            )
            params += [gw, nm]
        return self.query(
            "SELECT coalesce(CAST(country_id AS VARCHAR), lower(country)) AS country, "
            "CASE WHEN source LIKE 'text:%' THEN 'text' ELSE source END AS source, "
            "date_trunc('month', date_start)::DATE AS month, count(*) AS events, "
            "sum(coalesce(best, 0))::BIGINT AS fatalities FROM events "
            f"WHERE {where} GROUP BY ALL ORDER BY month, country, source",
            [start, end, *params],
        )

    def views_months(
        self, *, gwcodes: Iterable[str], names: Iterable[str], start: dt.date, end: dt.date
    ) -> pd.DataFrame:
        """The VIEWS country-month series (UCDP GED state-based deaths, ``ged_sb``) for the
        countries given by GW code or name, between ``start`` and ``end``.

        Columns: country (GW code as text), month (first day), fatalities; a month without
        a value is absent.
        """
        gw = sorted({int(g) for g in gwcodes if str(g).strip().isdigit()}) or [-1]
        nm = sorted({n.lower() for n in names}) or [""]
        return self.query(
            "SELECT CAST(gwcode AS VARCHAR) AS country, "
            "make_date(year::INT, month::INT, 1) AS month, "
            "sum(ged_sb)::BIGINT AS fatalities FROM country_month "
            "WHERE (gwcode IN (SELECT unnest(?::BIGINT[])) "
            "OR lower(country) IN (SELECT unnest(?::VARCHAR[]))) AND ged_sb IS NOT NULL "
            "AND make_date(year::INT, month::INT, 1) BETWEEN ? AND ? "
            "GROUP BY ALL ORDER BY month, country",
            [gw, nm, start.replace(day=1), end],
        )

    def event_actor_names(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> pd.DataFrame:
        """The distinct actor names (``side_a``, ``side_b`` and each name in ``actors``) of
        the events between ``since`` and ``until`` that lack a UCDP id on a side or list
        further actors — the events (news, ACLED) that can only be matched by name.

        Columns: name (as stored), country.
        """
        return self.query(
            "WITH e AS (SELECT side_a, side_b, actors, country FROM events "
            "WHERE (side_a_new_id IS NULL OR side_b_new_id IS NULL OR actors IS NOT NULL) "
            "AND (?::DATE IS NULL OR date_start >= ?::DATE) "
            "AND (?::DATE IS NULL OR date_start <= ?::DATE)) "
            "SELECT DISTINCT name, country FROM ("
            "SELECT side_a AS name, country FROM e UNION ALL "
            "SELECT side_b, country FROM e UNION ALL "
            "SELECT trim(unnest(string_split(actors, ';'))), country FROM e) "
            "WHERE name IS NOT NULL AND name <> '' ORDER BY name, country",
            [since, since, until, until],
        )

    def select_events_near(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        ucdp_actor_ids: Iterable[int] = (),
        actor_names: Iterable[str] = (),
        points: Iterable[tuple[str, float, float]] = (),
        radius_km: float = 25.0,
        columns: Iterable[str] = (),
    ) -> pd.DataFrame:
        """Events that involve one of the actors OR lie within ``radius_km`` of one of the
        points (name, latitude, longitude), between ``since`` and ``until``.

        An event involves an actor when a side's UCDP id is one of ``ucdp_actor_ids``, or a
        side or one of the ``; ``-separated names in ``actors`` is one of ``actor_names``
        (case does not matter).  Adds ``matched_actor`` (bool) and ``near_place`` (name of
        the nearest point in range).
        """
        import pandas as pd

        ids = sorted({int(i) for i in ucdp_actor_ids})
        names = sorted({n.lower() for n in actor_names})
        pts = pd.DataFrame(list(points), columns=["place", "plat", "plon"])
        cols = ", ".join(f"e.{c}" for c in columns) if columns else "e.*"
        sql = f"""
        WITH near AS (
            SELECT e.source, e.source_event_id, arg_min(p.place, d) AS near_place
            FROM events e, (SELECT place, plat, plon FROM _pts) p,
                 LATERAL (SELECT 6371.0 * 2 * asin(sqrt(
                     pow(sin(radians(e.latitude - p.plat) / 2), 2)
                     + cos(radians(p.plat)) * cos(radians(e.latitude))
                       * pow(sin(radians(e.longitude - p.plon) / 2), 2))) AS d)
            WHERE d <= ? AND e.latitude IS NOT NULL
            GROUP BY e.source, e.source_event_id
        )
        SELECT {cols},
               (e.side_a_new_id IN (SELECT unnest(?::BIGINT[]))
                OR e.side_b_new_id IN (SELECT unnest(?::BIGINT[]))
                OR lower(e.side_a) IN (SELECT unnest(?::VARCHAR[]))
                OR lower(e.side_b) IN (SELECT unnest(?::VARCHAR[]))
                OR coalesce(list_has_any(
                    list_transform(string_split(lower(e.actors), ';'), lambda x: trim(x)),
                    ?::VARCHAR[]), false)) AS matched_actor,
               n.near_place
        FROM events e LEFT JOIN near n USING (source, source_event_id)
        WHERE (matched_actor OR n.near_place IS NOT NULL)
          AND (?::DATE IS NULL OR e.date_start >= ?::DATE)
          AND (?::DATE IS NULL OR e.date_start <= ?::DATE)
        ORDER BY e.date_start, e.source, e.source_event_id
        """
        params: list[Any] = [
            radius_km,
            ids or [-1],
            ids or [-1],
            names or [""],
            names or [""],
            names or [""],
        ]
        self._con.register("_pts", pts)
        try:
            return self.query(sql, [*params, since, since, until, until])
        finally:
            self._con.unregister("_pts")
