"""All SQL of the accord tracker: agreements, parties, flags, provisions, assessments,
milestones, reference figures, and the event/fatality queries the accord links need.

Every write runs inside :meth:`Store.transaction`; assessments are only ever inserted.
Stores created before migration 2 get the bundled agreements on first use
(:func:`ensure_accords`).

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as store:
...     ensure_accords(store)
...     int(store.query("SELECT count(*) AS n FROM accord_agreements").n[0])
374
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import NotFound, StoreError
from .db import Store

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "agreement_row",
    "assessment_fingerprints",
    "ensure_accords",
    "insert_assessments",
    "monthly_fatalities",
    "select_agreements",
    "select_assessments",
    "select_events_near",
    "select_flags",
    "select_milestones",
    "select_parties",
    "select_provisions",
    "select_references",
    "seed_accords",
    "upsert_provisions",
]

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
_COMPARED = (
    "parent_id",
    "level",
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
)


def _data(*parts: str) -> Any:
    return resources.files("accordwatch").joinpath("data", *parts)


def _country_names(store: Store) -> dict[str, str]:
    """Gleditsch–Ward code → country name, from UCDP's conflict locations and the store."""
    import pandas as pd

    acd = pd.read_csv(
        str(_data("ucdp", "ucdp-prio-acd-251.csv")), dtype=str, usecols=["gwno_loc", "location"]
    )
    single = acd[~acd.gwno_loc.str.contains(",", na=True)].drop_duplicates("gwno_loc")
    names = dict(zip(single.gwno_loc.str.strip(), single.location.str.strip(), strict=True))
    for gw, name in store._con.execute(
        "SELECT DISTINCT gwcode, country FROM country_month"
    ).fetchall():
        names.setdefault(str(gw), str(name))
    return names


def _refine_roles(store: Store, parties: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """Mark UCDP parties that fight in one of the agreement's dyads as ``warring``."""
    import pandas as pd

    from ..actors import ActorRegistry

    dyads = pd.read_csv(
        str(_data("ucdp", "ucdp-dyadic-251.csv")),
        dtype=str,
        usecols=["dyad_id", "side_a_id", "side_b_id"],
    ).drop_duplicates()
    sides: dict[int, set[int]] = {}
    for rec in dyads.itertuples(index=False):
        ids = {
            int(x)
            for x in f"{rec.side_a_id},{rec.side_b_id}".replace(" ", "").split(",")
            if x.lstrip("-").isdigit()
        }
        sides.setdefault(int(rec.dyad_id), set()).update(ids)
    fighting = {
        int(a.agreement_id): set().union(*(sides.get(d, set()) for d in a.dyad_ids))
        if a.dyad_ids
        else set()
        for a in agreements.itertuples(index=False)
    }
    reg = ActorRegistry.default()
    roles = []
    registry_ids = []
    for rec in parties.itertuples(index=False):
        role = rec.role
        if role == "party" and pd.notna(rec.ucdp_actor_id):
            role = (
                "warring"
                if int(rec.ucdp_actor_id) in fighting.get(int(rec.agreement_id), set())
                else "signatory"
            )
        roles.append(role)
        found = reg.find(int(rec.ucdp_actor_id)) if pd.notna(rec.ucdp_actor_id) else None
        registry_ids.append(found.actor_id if found is not None else None)
    return parties.assign(role=roles, actor_id=registry_ids)


def _read_milestones() -> pd.DataFrame:
    import pandas as pd

    frames = []
    peace = pd.read_csv(str(_data("peace", "algiers_accord_milestones.csv")), dtype=str)
    peace.insert(0, "agreement_id", "30")
    frames.append(peace)
    frames.append(pd.read_csv(str(_data("accords", "milestones.csv")), dtype=str))
    out = pd.concat(frames, ignore_index=True)
    out["agreement_id"] = out.agreement_id.astype(int)
    pad = {"day": "", "month": "-01", "year": "-01-01"}
    out["date"] = [
        dt.date.fromisoformat(d + pad[p]) for d, p in zip(out.date, out.precision, strict=True)
    ]
    return out[["agreement_id", "date", "precision", "actors", "kind", "description", "source"]]


def seed_accords(store: Store) -> None:
    """Load the bundled agreements, Mali's 2015 provisions, milestones and reference figures."""
    import pandas as pd

    from ..accords._agreements import read_ucdp_agreements
    from ..accords._provisions import read_provision_file

    agreements, parties, flags = read_ucdp_agreements()
    names = _country_names(store)
    agreements["countries"] = [
        "; ".join(names.get(g.strip(), f"GW {g.strip()}") for g in str(gw).split(","))
        if gw
        else None
        for gw in agreements.gwno
    ]
    parties = _refine_roles(store, parties, agreements)
    references = pd.read_csv(str(_data("accords", "references.csv")), dtype={"unit": str})
    for col in ("as_of", "published"):
        references[col] = pd.to_datetime(references[col]).dt.date
    con = store._con
    with store.transaction():
        con.register("_agreements", agreements)
        con.execute("INSERT INTO accord_agreements BY NAME SELECT * FROM _agreements")
        con.unregister("_agreements")
        con.register("_parties", parties)
        con.execute("INSERT INTO accord_parties BY NAME SELECT * FROM _parties")
        con.unregister("_parties")
        con.register("_flags", flags)
        con.execute("INSERT INTO accord_flags BY NAME SELECT * FROM _flags")
        con.unregister("_flags")
        con.register("_milestones", _read_milestones())
        con.execute("INSERT INTO accord_milestones BY NAME SELECT * FROM _milestones")
        con.unregister("_milestones")
        con.register("_refs", references)
        con.execute("INSERT INTO accord_references BY NAME SELECT * FROM _refs")
        con.unregister("_refs")
        bundled = read_provision_file(
            str(_data("accords", "mali_2015_provisions.yaml")),
            known_agreements=set(agreements.agreement_id),
        )
        upsert_provisions(store, bundled, origin="bundled")
        store.set_meta("accords_seeded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def ensure_accords(store: Store) -> None:
    """Seed the accord tables if they are empty (stores made before migration 2)."""
    rows = store._con.execute("SELECT count(*) FROM accord_agreements").fetchall()
    if rows and rows[0][0]:
        return
    try:
        seed_accords(store)
    except Exception as exc:  # a read-only store cannot be seeded
        if "read-only" in str(exc).lower() or "read only" in str(exc).lower():
            raise StoreError(
                f"the store {store.path} has no peace agreements yet and is open read-only; "
                "open it once for writing (any accordwatch accords command) to load them"
            ) from exc
        raise


# -- agreements ----------------------------------------------------------------------------------
def select_agreements(
    store: Store,
    *,
    gwcodes: Iterable[str] = (),
    country_names: Iterable[str] = (),
    ucdp_actor_ids: Iterable[int] = (),
    party_names: Iterable[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    text: str | None = None,
) -> pd.DataFrame:
    """Agreements matching every filter given, oldest first."""
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
            "WHERE ucdp_actor_id IN (SELECT unnest(?::BIGINT[])) OR lower(name) IN (SELECT unnest(?::VARCHAR[])))"
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
        "(SELECT count(*) FROM accord_provisions v WHERE v.agreement_id = a.agreement_id) AS provisions "
        "FROM accord_agreements a"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.signed, a.agreement_id"
    )
    return store.query(sql, params)


def agreement_row(store: Store, agreement_id: int) -> dict[str, Any]:
    """One agreement as a dict; NotFound with a hint if the id is unknown."""
    import pandas as pd

    df = store.query("SELECT * FROM accord_agreements WHERE agreement_id = ?", [int(agreement_id)])
    if df.empty:
        raise NotFound(
            f"no agreement {agreement_id} in the store; find ids with `accordwatch accords list --country C`"
        )
    rec = df.astype(object).where(pd.notna(df), None).to_dict(orient="records")[0]
    if isinstance(rec["signed"], pd.Timestamp | dt.datetime):
        rec["signed"] = rec["signed"].date()
    for key in ("conflict_ids", "dyad_ids"):
        rec[key] = [int(v) for v in (rec[key] if rec[key] is not None else [])]
    return rec


def select_parties(store: Store, agreement_id: int) -> pd.DataFrame:
    return store.query(
        "SELECT seq, name, role, ucdp_actor_id, actor_id FROM accord_parties "
        "WHERE agreement_id = ? ORDER BY seq",
        [int(agreement_id)],
    )


def select_flags(store: Store, agreement_id: int) -> pd.DataFrame:
    return store.query(
        "SELECT flag, label, theme, value FROM accord_flags WHERE agreement_id = ? "
        "ORDER BY value DESC, theme, flag",
        [int(agreement_id)],
    )


# -- provisions ----------------------------------------------------------------------------------
def select_provisions(
    store: Store, agreement_id: int | None = None, provision_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    where, params = [], []
    if agreement_id is not None:
        where.append("agreement_id = ?")
        params.append(int(agreement_id))
    if provision_ids is not None:
        where.append("provision_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(sorted(set(provision_ids)) or [""])
    sql = f"SELECT {', '.join(_PROVISION_FIELDS)} FROM accord_provisions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY agreement_id, seq", params)


def _same(a: object, b: object) -> bool:
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


def upsert_provisions(store: Store, provisions: pd.DataFrame, *, origin: str) -> dict[str, int]:
    """Insert new provisions, update changed ones; returns counts. One transaction."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    with store.transaction() as con:
        existing = select_provisions(store, provision_ids=list(provisions.provision_id)).set_index(
            "provision_id"
        )
        next_seq: dict[int, int] = {}
        for agreement in provisions.agreement_id.unique():
            row = con.execute(
                "SELECT coalesce(max(seq), -1) + 1 FROM accord_provisions WHERE agreement_id = ?",
                [int(agreement)],
            ).fetchall()
            next_seq[int(agreement)] = int(row[0][0]) if row else 0
        for raw in provisions.to_dict(orient="records"):
            rec = {k: _py(v) for k, v in raw.items()}
            pid = rec["provision_id"]
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
            agreement = int(rec["agreement_id"])
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


# -- assessments ---------------------------------------------------------------------------------
def assessment_fingerprints(store: Store) -> set[str]:
    return {
        r[0] for r in store._con.execute("SELECT fingerprint FROM accord_assessments").fetchall()
    }


def insert_assessments(store: Store, rows: pd.DataFrame, *, origin: str) -> list[int]:
    """Append validated assessments (never updates); returns their new ids. One transaction."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.transaction() as con:
        row = con.execute(
            "SELECT coalesce(max(assessment_id), 0) FROM accord_assessments"
        ).fetchall()
        start = int(row[0][0]) + 1 if row else 1
        ids = list(range(start, start + len(rows)))
        frame = rows.assign(assessment_id=ids, recorded_at=now, origin=origin)
        con.register("_assess", frame)
        con.execute(
            "INSERT INTO accord_assessments (assessment_id, provision_id, date, score, assessor, evidence, "
            "source_url, recorded_at, origin, fingerprint) SELECT assessment_id, provision_id, date, score, "
            "assessor, evidence, source_url, recorded_at, origin, fingerprint FROM _assess"
        )
        con.unregister("_assess")
    return ids


def select_assessments(
    store: Store, *, agreement_id: int | None = None, provision_id: str | None = None
) -> pd.DataFrame:
    where, params = [], []
    if agreement_id is not None:
        where.append("p.agreement_id = ?")
        params.append(int(agreement_id))
    if provision_id is not None:
        where.append("s.provision_id = ?")
        params.append(provision_id)
    sql = (
        "SELECT s.assessment_id, s.provision_id, p.agreement_id, s.date, s.score, s.assessor, s.evidence, "
        "s.source_url, s.recorded_at, s.origin FROM accord_assessments s "
        "JOIN accord_provisions p USING (provision_id)"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY s.date, s.assessment_id", params)


# -- milestones, references ------------------------------------------------------------------------
def select_milestones(store: Store, agreement_ids: Iterable[int]) -> pd.DataFrame:
    return store.query(
        "SELECT m.agreement_id, m.date, m.precision, m.kind, m.actors, m.description, m.source "
        "FROM accord_milestones m WHERE m.agreement_id IN (SELECT unnest(?::BIGINT[])) ORDER BY m.date, m.kind",
        [sorted({int(a) for a in agreement_ids}) or [-1]],
    )


def select_references(store: Store, agreement_id: int) -> pd.DataFrame:
    return store.query(
        "SELECT key, as_of, published, value, unit, description, source, source_url "
        "FROM accord_references WHERE agreement_id = ? ORDER BY as_of",
        [int(agreement_id)],
    )


# -- violence around the agreement -----------------------------------------------------------------
def monthly_fatalities(
    store: Store, *, gwcodes: Iterable[str], names: Iterable[str], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Deaths per month for the countries: the store's events where it has any for them,
    else the VIEWS country-month state-based series.  Columns: month, fatalities, source."""
    gw = sorted({int(g) for g in gwcodes if str(g).strip().isdigit()}) or [-1]
    nm = sorted({n.lower() for n in names}) or [""]
    has_events = store._con.execute(
        "SELECT count(*) FROM events WHERE country_id IN (SELECT unnest(?::BIGINT[])) "
        "OR lower(country) IN (SELECT unnest(?::VARCHAR[]))",
        [gw, nm],
    ).fetchall()
    if has_events and has_events[0][0]:
        df = store.query(
            "SELECT date_trunc('month', date_start)::DATE AS month, sum(coalesce(best, 0))::BIGINT AS fatalities "
            "FROM events WHERE (country_id IN (SELECT unnest(?::BIGINT[])) OR lower(country) IN (SELECT unnest(?::VARCHAR[]))) "
            "AND date_start BETWEEN ? AND ? GROUP BY 1 ORDER BY 1",
            [gw, nm, start, end],
        )
        df["source"] = "events in the store (all types of violence, best estimate)"
        return df
    df = store.query(
        "SELECT make_date(year::INT, month::INT, 1) AS month, sum(ged_sb)::BIGINT AS fatalities FROM country_month "
        "WHERE (gwcode IN (SELECT unnest(?::BIGINT[])) OR lower(country) IN (SELECT unnest(?::VARCHAR[]))) "
        "AND make_date(year::INT, month::INT, 1) BETWEEN ? AND ? GROUP BY 1 ORDER BY 1",
        [gw, nm, start.replace(day=1), end],
    )
    df["source"] = "VIEWS country-month, UCDP GED state-based deaths"
    return df


def select_events_near(
    store: Store,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    ucdp_actor_ids: Iterable[int] = (),
    actor_names: Iterable[str] = (),
    points: Iterable[tuple[str, float, float]] = (),
    radius_km: float = 25.0,
    columns: Iterable[str] = (),
) -> pd.DataFrame:
    """Events that involve one of the actors OR lie within ``radius_km`` of one of the points.

    Adds ``matched_actor`` (bool) and ``near_place`` (name of the nearest point in range).
    """
    import pandas as pd

    ids = sorted({int(i) for i in ucdp_actor_ids})
    names = sorted({n.lower() for n in actor_names})
    pts = pd.DataFrame(list(points), columns=["place", "plat", "plon"])
    cols = ", ".join(f"e.{c}" for c in columns) if columns else "e.*"
    store._con.register("_pts", pts)
    try:
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
               (e.side_a_new_id IN (SELECT unnest(?::BIGINT[])) OR e.side_b_new_id IN (SELECT unnest(?::BIGINT[]))
                OR lower(e.side_a) IN (SELECT unnest(?::VARCHAR[])) OR lower(e.side_b) IN (SELECT unnest(?::VARCHAR[])))
                 AS matched_actor,
               n.near_place
        FROM events e LEFT JOIN near n USING (source, source_event_id)
        WHERE (matched_actor OR n.near_place IS NOT NULL)
          AND (?::DATE IS NULL OR e.date_start >= ?::DATE)
          AND (?::DATE IS NULL OR e.date_start <= ?::DATE)
        ORDER BY e.date_start, e.source, e.source_event_id
        """
        return store.query(
            sql,
            [
                radius_km,
                ids or [-1],
                ids or [-1],
                names or [""],
                names or [""],
                since,
                since,
                until,
                until,
            ],
        )
    finally:
        store._con.unregister("_pts")
