"""Claims: what a party says happened, attributed to its claimant and source — the SQL behind
the ``claims`` table, as methods of :class:`~accordwatch.store.Store`.

A claim is never added to an event's deaths: it sits beside the event (``ev_source``,
``ev_id``) and, through the event, beside its incident.

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     cid = st.add_claim({"claimant": "FAMa", "kind": "deaths", "deaths": 30,
...                         "evidence": "The army says it neutralised 30 terrorists.",
...                         "source": "communiqué", "recorded_by": "analyst"})
...     st.claim(cid)["deaths"]
30
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["CLAIM_COLUMNS", "ClaimTables"]

#: the columns of ``claims`` a caller sets (the id and recorded_at are the store's)
CLAIM_COLUMNS: tuple[str, ...] = (
    "claimant",
    "claimant_id",
    "kind",
    "deaths",
    "target",
    "claim_date",
    "date_precision",
    "place",
    "admin1",
    "latitude",
    "longitude",
    "claimed_on",
    "evidence",
    "source",
    "source_url",
    "doc_id",
    "ev_source",
    "ev_id",
    "candidate_id",
    "recorded_by",
    "note",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class ClaimTables:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame: ...

    def add_claim(self, fields: Mapping[str, Any]) -> int:
        """Insert a claim (``claimant``, ``kind``, ``evidence``, ``source``, ``recorded_by``
        required; the other :data:`CLAIM_COLUMNS` optional) and return its id."""
        unknown = sorted(set(fields) - set(CLAIM_COLUMNS))
        if unknown:
            raise ValueError(f"claims has no settable column(s) {unknown}")
        row = self._con.execute("SELECT coalesce(max(claim_id), 0) + 1 FROM claims").fetchall()
        cid = int(row[0][0])
        cols = list(CLAIM_COLUMNS)
        self._con.execute(
            f"INSERT INTO claims (claim_id, {', '.join(cols)}, recorded_at) "  # noqa: S608
            f"VALUES ({', '.join('?' * (len(cols) + 2))})",
            [cid, *(fields.get(c) for c in cols), _now()],
        ).fetchall()
        return cid

    def link_claims_of_candidate(self, candidate_id: int, ev_source: str, ev_id: str) -> int:
        """Attach the stored claims that wait for the event of review candidate
        ``candidate_id`` (``note`` ``event-candidate:<id>``) to the event it became; returns
        how many."""
        rows = self._con.execute(
            "UPDATE claims SET ev_source = ?, ev_id = ? WHERE ev_source IS NULL "
            "AND note = ? RETURNING claim_id",
            [ev_source, ev_id, f"event-candidate:{candidate_id}"],
        ).fetchall()
        return len(rows)

    def claim(self, claim_id: int) -> dict[str, Any] | None:
        """One claim as a dict, or None."""
        import pandas as pd

        df = self.query("SELECT * FROM claims WHERE claim_id = ?", [claim_id])
        if df.empty:
            return None
        rec = df.astype(object).where(pd.notna(df), None).iloc[0]
        return {str(k): v for k, v in rec.items()}

    def claims(
        self,
        *,
        events: list[tuple[str, str]] | None = None,
        claimant: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Claims, oldest recorded first: about one of ``events`` (source, id) when given,
        by ``claimant`` (its name or registry id, any case), made (or about a date) from
        ``since`` through ``until``."""
        sql = "SELECT * FROM claims WHERE TRUE"
        params: list[Any] = []
        if events is not None:
            sql += " AND list_contains(?::VARCHAR[], ev_source || '|' || ev_id)"
            params.append([f"{s}|{i}" for s, i in events])
        if claimant is not None:
            sql += " AND (lower(claimant) = lower(?) OR lower(claimant_id) = lower(?))"
            params += [claimant, claimant]
        day = "coalesce(claimed_on, TRY_CAST(claim_date AS DATE))"
        if since is not None:
            sql += f" AND {day} >= ?"
            params.append(since)
        if until is not None:
            sql += f" AND {day} <= ?"
            params.append(until)
        sql += " ORDER BY claim_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def claims_about(self, keys: list[tuple[str, str]]) -> pd.DataFrame:
        """Claims about the events ``keys`` (source, id) or about another record of their
        incidents, oldest first, each with ``incident_id`` and the figure counted for what it
        is about (the incident's counted record, else its event): ``fig_source``, ``fig_id``,
        ``fig_date``, ``fig_place``, ``fig_low``, ``fig_best``, ``fig_high``."""
        import pyarrow as pa

        table = pa.table(
            {"s": [k[0] for k in keys], "i": [k[1] for k in keys]},
            schema=pa.schema([("s", pa.string()), ("i", pa.string())]),
        )
        self._con.register("_aw_claim_keys", table)
        try:
            return self.query(
                "WITH about AS (SELECT s, i FROM _aw_claim_keys UNION "
                "SELECT m2.ev_source, m2.ev_id FROM _aw_claim_keys k "
                "JOIN incident_members m ON m.ev_source = k.s AND m.ev_id = k.i "
                "JOIN incident_members m2 ON m2.incident_id = m.incident_id) "
                "SELECT c.*, m.incident_id, e.source AS fig_source, "
                "e.source_event_id AS fig_id, e.date_start AS fig_date, "
                "coalesce(e.where_coordinates, e.where_description, e.admin1) AS fig_place, "
                "e.low AS fig_low, e.best AS fig_best, e.high AS fig_high FROM claims c "
                "LEFT JOIN incident_members m ON m.ev_source = c.ev_source AND m.ev_id = c.ev_id "
                "LEFT JOIN incident_members cm ON cm.incident_id = m.incident_id AND cm.counted "
                "LEFT JOIN events e ON e.source = coalesce(cm.ev_source, c.ev_source) "
                "AND e.source_event_id = coalesce(cm.ev_id, c.ev_id) "
                "WHERE EXISTS (SELECT 1 FROM about a WHERE a.s = c.ev_source AND a.i = c.ev_id) "
                "ORDER BY c.claim_id"
            )
        finally:
            self._con.unregister("_aw_claim_keys")

    def claims_in_period(self, since: dt.date, until: dt.date) -> pd.DataFrame:
        """Claims about the days ``since`` through ``until``, oldest recorded first, each with
        the stored event it is about: ``ev_country``, ``ev_country_id``, ``ev_admin1``,
        ``ev_adm_1``, ``ev_date`` (None without one); and ``region_countries``, the countries
        (lower-case) of stored events in a region named as the claim's ``admin1`` (for the
        claims about no stored event).

        A claim about a stored event is in the period when the event is; one without keeps
        its own date (``claim_date``: a day, a month or a year), else the day it was made.
        The events are read only for the claims that need them."""
        import pandas as pd
        import pyarrow as pa

        start = (
            "CASE length(claim_date) WHEN 10 THEN TRY_CAST(claim_date AS DATE) "
            "WHEN 7 THEN TRY_CAST(claim_date || '-01' AS DATE) "
            "WHEN 4 THEN TRY_CAST(claim_date || '-01-01' AS DATE) END"
        )
        end = (
            "CASE length(claim_date) WHEN 10 THEN TRY_CAST(claim_date AS DATE) "
            "WHEN 7 THEN last_day(TRY_CAST(claim_date || '-01' AS DATE)) "
            "WHEN 4 THEN TRY_CAST(claim_date || '-12-31' AS DATE) END"
        )
        found = self.query(
            f"SELECT *, coalesce({start}, claimed_on) <= ? AND coalesce({end}, claimed_on) >= ? "
            "AS _own FROM claims ORDER BY claim_id",
            [until, since],
        )
        cols = ["ev_country", "ev_country_id", "ev_admin1", "ev_adm_1", "ev_date"]
        for c in [*cols, "region_countries"]:
            found[c] = None
        if found.empty:
            return found.drop(columns="_own")
        about = found["ev_source"].notna() & found["ev_id"].notna()
        if about.any():
            keys = pa.table(
                {
                    "s": pa.array(found.loc[about, "ev_source"].astype(str), pa.string()),
                    "i": pa.array(found.loc[about, "ev_id"].astype(str), pa.string()),
                }
            )
            self._con.register("_aw_claim_keys", keys)
            try:
                events = self.query(
                    "SELECT e.source, e.source_event_id, e.country, e.country_id, e.admin1, "
                    "e.adm_1, e.date_start, coalesce(e.date_end, e.date_start) AS date_end "
                    "FROM events e JOIN (SELECT DISTINCT s, i FROM _aw_claim_keys) k "
                    "ON e.source = k.s AND e.source_event_id = k.i"
                )
            finally:
                self._con.unregister("_aw_claim_keys")
            by_key = {(r[0], r[1]): r for r in events.itertuples(index=False, name=None)}
            for n in found.index[about]:
                ev = by_key.get((str(found.at[n, "ev_source"]), str(found.at[n, "ev_id"])))
                if ev is None:
                    continue
                found.loc[n, cols] = [ev[2], ev[3], ev[4], ev[5], ev[6]]
                day, last = ev[6].date(), ev[7].date()
                found.at[n, "_own"] = day <= until and last >= since
        loose = found["ev_date"].isna() & found["admin1"].notna() & found["_own"].fillna(False)
        if loose.any():
            names = sorted({str(a).lower() for a in found.loc[loose, "admin1"]})
            seen = self.query(
                "SELECT DISTINCT lower(admin1) AS a, lower(adm_1) AS b, lower(country) AS c "
                "FROM events WHERE list_contains(?::VARCHAR[], lower(admin1)) "
                "OR list_contains(?::VARCHAR[], lower(adm_1))",
                [names, names],
            )
            where: dict[str, set[str]] = {}
            for a, b, c in seen.itertuples(index=False, name=None):
                for name in (a, b):
                    if isinstance(name, str) and isinstance(c, str):
                        where.setdefault(name, set()).add(c)
            found["region_countries"] = pd.Series(
                [
                    sorted(where.get(str(a).lower(), set())) if is_loose else None
                    for a, is_loose in zip(found["admin1"], loose, strict=True)
                ],
                index=found.index,
                dtype=object,
            )
        kept = found[found["_own"].fillna(False).astype(bool)]
        return kept.drop(columns="_own").reset_index(drop=True)
