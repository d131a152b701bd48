"""Public functions of the accord tracker.  Each takes ``db`` (a path, an open
:class:`~accordwatch.store.Store` or None for the default store) and loads the bundled
agreements on first use.

>>> import accordwatch.accords as ac
>>> ac.list_agreements(country="Mali").agreement_id.tolist()        # doctest: +SKIP
[1039, 1041, 1040, 1609, 1517, 30]
>>> ac.assess("mali2015.t3.c8.cantonment", "1", "2017-12-31",       # doctest: +SKIP
...           evidence="Eight cantonment sites prepared, none in use", assessor="me")
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, NotFound
from ..store import Store
from ..store import accords as sql
from ._assessments import compute_index, index_dates, read_assessment_file, validate_assessments
from ._health import month_range, monthly_health, monthly_timeline
from ._links import classify_violations, resolve_parties, resolve_places
from ._model import SCORE_LABELS, parse_date, split_list
from ._provisions import read_provision_file, tree_frame, tree_records

__all__ = [
    "assess",
    "assessments",
    "comparison",
    "export_assessments",
    "health",
    "implementation_index",
    "import_assessments",
    "list_agreements",
    "load_provisions",
    "provision_events",
    "provision_tree",
    "provisions",
    "show_agreement",
    "timeline",
    "violations",
]

DB = str | os.PathLike[str] | Store | None
_EVENT_COLUMNS = (
    "date_start",
    "country",
    "admin1",
    "where_coordinates",
    "side_a",
    "side_b",
    "side_a_new_id",
    "side_b_new_id",
    "type_of_violence",
    "best",
    "latitude",
    "longitude",
    "source",
    "source_event_id",
)


@contextmanager
def _store(db: DB) -> Iterator[Store]:
    if isinstance(db, Store):
        sql.ensure_accords(db)
        yield db
        return
    store = Store.open(db)
    try:
        sql.ensure_accords(store)
        yield store
    finally:
        store.close()


def _agreement_id(value: int | str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(
            f"agreement id {value!r} is not a number; ids are UCDP paid numbers (Mali 2015 = 30)"
        ) from None


def _country_keys(store: Store, country: str) -> tuple[set[str], set[str]]:
    key = country.strip()
    rows = store.con.execute(
        "SELECT DISTINCT gwcode, country FROM country_month WHERE lower(country) = lower(?) "
        "OR lower(isoab) = lower(?) OR CAST(gwcode AS VARCHAR) = ?",
        [key, key, key],
    ).fetchall()
    gw = {str(r[0]) for r in rows} | ({key} if key.isdigit() else set())
    names = {str(r[1]).lower() for r in rows} | {key.lower()}
    hit = store.con.execute(
        "SELECT 1 FROM accord_agreements WHERE list_has_any(string_split(lower(countries), '; '), ?::VARCHAR[]) "
        "OR list_has_any(string_split(replace(gwno, ' ', ''), ','), ?::VARCHAR[]) LIMIT 1",
        [sorted(names), sorted(gw) or [""]],
    ).fetchall()
    if not rows and not hit:
        from rapidfuzz import process

        known = sorted(
            {
                c
                for (v,) in store.con.execute("SELECT countries FROM accord_agreements").fetchall()
                for c in str(v).split("; ")
            }
        )
        best = process.extract(key, known, limit=3, score_cutoff=60)
        hint = f" Did you mean: {', '.join(repr(b[0]) for b in best)}?" if best else ""
        raise NotFound(f"no country {country!r} among the agreements' locations.{hint}")
    return gw, names


# -- agreements ------------------------------------------------------------------------------------
def list_agreements(
    db: DB = None,
    *,
    country: str | None = None,
    actor: str | None = None,
    lineage: bool = False,
    year: int | None = None,
    since: int | None = None,
    until: int | None = None,
    text: str | None = None,
) -> pd.DataFrame:
    """Agreements by country (name, ISO3 or GW code), actor (any alias), year or name text.

    Columns: agreement_id, signed, name, countries, pa_type, ended, parties, provisions.
    """
    if year is not None and (since is not None or until is not None):
        raise InputError("give either --year or --since/--until, not both")
    with _store(db) as store:
        gw: set[str] = set()
        names: set[str] = set()
        if country:
            gw, names = _country_keys(store, country)
        ids: set[int] = set()
        party_names: set[str] = set()
        if actor:
            from ..actors import ActorRegistry

            reg = ActorRegistry.default()
            if reg.find(actor) is not None:
                ids = set(reg.ucdp_ids(actor, lineage=lineage))
                party_names = {n.lower() for n in reg.names(actor, lineage=lineage)}
            else:
                party_names = {actor.lower()}
        frame = sql.select_agreements(
            store,
            gwcodes=gw,
            country_names=names,
            ucdp_actor_ids=ids,
            party_names=party_names,
            year_from=year if year is not None else since,
            year_to=year if year is not None else until,
            text=text,
        )
        if actor and frame.empty and not ids:
            ActorRegistry.default().resolve(
                actor
            )  # NotFound with suggestions for a name nobody knows
        return frame


def show_agreement(agreement_id: int | str, db: DB = None) -> dict[str, Any]:
    """One agreement with its parties, UCDP provision flags, provision counts, milestones and references."""
    aid = _agreement_id(agreement_id)
    with _store(db) as store:
        rec = sql.agreement_row(store, aid)
        parties = sql.select_parties(store, aid)
        flags = sql.select_flags(store, aid)
        provs = sql.select_provisions(store, aid)
        rec["parties"] = _records(parties)
        rec["ucdp_provisions"] = _records(flags[flags.value > 0])
        rec["provisions"] = {"total": len(provs), **provs.level.value_counts().to_dict()}
        rec["assessments"] = len(sql.select_assessments(store, agreement_id=aid))
        rec["milestones"] = _records(sql.select_milestones(store, [aid]))
        rec["references"] = _records(sql.select_references(store, aid))
        return rec


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return df.astype(object).where(pd.notna(df), None).to_dict(orient="records")


# -- provisions ------------------------------------------------------------------------------------
def provisions(agreement_id: int | str, db: DB = None) -> pd.DataFrame:
    """The agreement's provisions in tree order with depth, path, effective theme and latest score."""
    aid = _agreement_id(agreement_id)
    with _store(db) as store:
        sql.agreement_row(store, aid)
        flat = tree_frame(sql.select_provisions(store, aid))
        latest = sql.select_assessments(store, agreement_id=aid).groupby("provision_id").tail(1)
        latest = latest.set_index("provision_id")
        flat["latest_score"] = flat.provision_id.map(latest["score"]) if len(latest) else None
        flat["latest_date"] = flat.provision_id.map(latest["date"]) if len(latest) else None
        return flat


def provision_tree(agreement_id: int | str, db: DB = None) -> list[dict[str, Any]]:
    """The provision tree as nested dicts (title → chapter → article → commitment)."""
    flat = provisions(agreement_id, db)
    return tree_records(flat.drop(columns=["depth", "path"]))


def load_provisions(
    path: str | os.PathLike[str], *, db: DB = None, agreement_id: int | None = None
) -> dict[str, int]:
    """Validate a provision file and add (or update) its provisions, all or nothing.

    Returns counts ``inserted``, ``updated``, ``unchanged``.
    """
    with _store(db) as store:
        known = {
            int(v)
            for (v,) in store.con.execute("SELECT agreement_id FROM accord_agreements").fetchall()
        }
        existing = sql.select_provisions(store)
        frame = read_provision_file(
            path, agreement_id=agreement_id, known_agreements=known, existing=existing
        )
        return sql.upsert_provisions(store, frame, origin=Path(path).name)


# -- assessments ------------------------------------------------------------------------------------
def _signed_by_provision(store: Store) -> dict[str, dt.date | None]:
    df = store.query(
        "SELECT p.provision_id, a.signed FROM accord_provisions p JOIN accord_agreements a USING (agreement_id)"
    )
    return {
        str(p): (s.date() if isinstance(s, pd.Timestamp) else s) if pd.notna(s) else None
        for p, s in zip(df.provision_id, df.signed, strict=True)
    }


def assess(
    provision_id: str,
    score: str | int,
    date: str | dt.date,
    *,
    evidence: str,
    assessor: str,
    source_url: str | None = None,
    db: DB = None,
) -> dict[str, Any]:
    """Record one dated assessment (PAM 0–3, ``reversed`` or ``suspended``); earlier ones are kept."""
    with _store(db) as store:
        known = _signed_by_provision(store)
        if provision_id not in known:
            from rapidfuzz import process

            best = process.extract(provision_id, list(known), limit=3, score_cutoff=50)
            hint = f" Did you mean: {', '.join(repr(b[0]) for b in best)}?" if best else ""
            raise NotFound(
                f"no provision {provision_id!r}; list them with `accordwatch accords provisions 30`.{hint}"
            )
        row = {
            "provision_id": provision_id,
            "score": score,
            "date": date,
            "assessor": assessor,
            "evidence": evidence,
            "source_url": source_url,
        }
        try:
            clean = validate_assessments(
                [row],
                name="assessment",
                provisions=known,
                existing=sql.assessment_fingerprints(store),
                first_line=1,
            )
        except InputError as exc:
            errors = getattr(exc, "errors", [])
            reasons = "; ".join(
                f"{e.field}: {e.reason}" + (f" (got {e.value!r})" if e.value else "")
                for e in errors
            )
            raise InputError(f"assessment not recorded — {reasons or exc}") from exc
        ids = sql.insert_assessments(store, clean, origin="api")
        out = clean.iloc[0].to_dict()
        out.pop("fingerprint")
        return {"assessment_id": ids[0], **out, "label": SCORE_LABELS[out["score"]]}


def import_assessments(path: str | os.PathLike[str], *, db: DB = None) -> dict[str, Any]:
    """Import an assessment CSV (provision_id, date, score, assessor, evidence, source_url).

    Every line is checked first; any bad or duplicate line and nothing is imported.
    """
    name, rows = read_assessment_file(path)
    with _store(db) as store:
        clean = validate_assessments(
            rows,
            name=name,
            provisions=_signed_by_provision(store),
            existing=sql.assessment_fingerprints(store),
        )
        if clean.empty:
            raise InputError(f"{name} has no assessment rows")
        ids = sql.insert_assessments(store, clean, origin=name)
        return {"file": name, "imported": len(ids), "first_id": ids[0], "last_id": ids[-1]}


def assessments(
    db: DB = None, *, agreement_id: int | str | None = None, provision_id: str | None = None
) -> pd.DataFrame:
    """Every assessment (oldest first) — the full history, nothing overwritten."""
    with _store(db) as store:
        return sql.select_assessments(
            store,
            agreement_id=None if agreement_id is None else _agreement_id(agreement_id),
            provision_id=provision_id,
        )


def export_assessments(
    path: str | os.PathLike[str] | None = None,
    *,
    db: DB = None,
    agreement_id: int | str | None = None,
) -> pd.DataFrame:
    """Assessments in the import layout (plus id and recording time); written to ``path`` if given.

    An exported file imports into another store unchanged (and is refused as a duplicate here).
    """
    frame = assessments(db, agreement_id=agreement_id)
    out = frame[
        [
            "provision_id",
            "date",
            "score",
            "assessor",
            "evidence",
            "source_url",
            "assessment_id",
            "recorded_at",
        ]
    ]
    if path is not None:
        out.to_csv(path, index=False)
    return out


# -- index ---------------------------------------------------------------------------------------------
def implementation_index(
    agreement_id: int | str,
    *,
    db: DB = None,
    by: str | None = None,
    freq: str = "Y",
    until: str | dt.date | None = None,
) -> pd.DataFrame:
    """The PAM-style implementation index over time (formula in :mod:`accordwatch.accords._assessments`).

    ``freq``: ``Y`` (year ends, like PAM) or ``M`` (month ends), from signature to ``until``
    (default: the last assessment).  ``by``: None, ``theme`` or ``party``.
    """
    aid = _agreement_id(agreement_id)
    with _store(db) as store:
        rec = sql.agreement_row(store, aid)
        flat = tree_frame(sql.select_provisions(store, aid))
        hist = sql.select_assessments(store, agreement_id=aid)
    if hist.empty:
        return compute_index(hist, flat, [], by=by)
    hist["date"] = pd.to_datetime(hist["date"]).dt.date
    start = rec["signed"] or min(hist["date"])
    start = start.date() if isinstance(start, pd.Timestamp) else start
    end = parse_date(until, "until") if until is not None else max(hist["date"])
    return compute_index(hist, flat, index_dates(start, end, freq), by=by)


def comparison(agreement_id: int | str, *, db: DB = None) -> pd.DataFrame:
    """Published reference figures (PAM score, Independent Observer count …) next to this
    store's own index on the same dates (NaN where nothing was assessed by then)."""
    aid = _agreement_id(agreement_id)
    with _store(db) as store:
        sql.agreement_row(store, aid)
        refs = sql.select_references(store, aid)
        hist = sql.select_assessments(store, agreement_id=aid)
        flat = tree_frame(sql.select_provisions(store, aid))
    dates = [d.date() if isinstance(d, pd.Timestamp) else d for d in refs.as_of]
    hist["date"] = pd.to_datetime(hist["date"]).dt.date
    idx = compute_index(hist, flat, dates)
    if idx.empty:
        return refs.assign(accordwatch_index=float("nan"), accordwatch_assessed=0)
    return refs.assign(
        accordwatch_index=idx["index"].to_numpy(), accordwatch_assessed=idx["assessed"].to_numpy()
    )


# -- violence, timeline, health ---------------------------------------------------------------------
def provision_events(
    provision_id: str,
    *,
    db: DB = None,
    radius_km: float = 25.0,
    lineage: bool = True,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
) -> pd.DataFrame:
    """Events in the store involving the provision's parties or near its places, since signature.

    Parties resolve through the actor registry (``lineage=True``: CMA also means CSP/FLA);
    places through the gazetteer (towns only; regions are skipped).  ``attrs`` on the result
    lists ``unmatched_parties`` and ``skipped_places``.
    """
    with _store(db) as store:
        prov = sql.select_provisions(store, provision_ids=[provision_id])
        if prov.empty:
            raise NotFound(
                f"no provision {provision_id!r}; list them with `accordwatch accords provisions AGREEMENT_ID`"
            )
        rec = prov.iloc[0]
        signed = sql.agreement_row(store, int(rec.agreement_id))["signed"]
        ids, names, unknown = resolve_parties(split_list(rec.parties), lineage=lineage)
        points, skipped = resolve_places(split_list(rec.places))
        start = parse_date(since, "since") if since is not None else signed
        end = parse_date(until, "until") if until is not None else None
        frame = sql.select_events_near(
            store,
            since=start,
            until=end,
            ucdp_actor_ids=ids,
            actor_names=names,
            points=points,
            radius_km=radius_km,
            columns=_EVENT_COLUMNS,
        )
    frame.attrs.update(unmatched_parties=unknown, skipped_places=skipped)
    return frame


def _signatory_map(store: Store, aid: int, lineage: bool) -> dict[int, str]:
    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    parties = sql.select_parties(store, aid)
    out: dict[int, str] = {}
    for rec in parties[parties.role != "third-party"].itertuples(index=False):
        if pd.isna(rec.ucdp_actor_id):
            continue
        uid = int(rec.ucdp_actor_id)
        out[uid] = rec.name
        if lineage and reg.find(uid) is not None:
            for other in reg.ucdp_ids(uid, lineage=True):
                out.setdefault(int(other), rec.name)
    return out


def _termination(milestones: pd.DataFrame) -> pd.Timestamp | None:
    term = milestones[milestones.kind == "termination"] if len(milestones) else milestones
    return pd.Timestamp(min(term.date)) if len(term) else None


def violations(
    agreement_id: int | str,
    *,
    db: DB = None,
    lineage: bool = True,
    until: str | dt.date | None = None,
) -> pd.DataFrame:
    """Events after signature in which a signatory (or, with lineage, its successor) fought.

    Adds ``signatory_a``/``signatory_b``, ``relation`` (between signatories, signatory vs
    civilians, signatory vs other) and ``after_termination``.
    """
    aid = _agreement_id(agreement_id)
    with _store(db) as store:
        rec = sql.agreement_row(store, aid)
        sig = _signatory_map(store, aid, lineage)
        ms = sql.select_milestones(store, [aid])
        end = parse_date(until, "until") if until is not None else None
        events = sql.select_events_near(
            store, since=rec["signed"], until=end, ucdp_actor_ids=sig, columns=_EVENT_COLUMNS
        )
    events = (
        events[events.matched_actor]
        .drop(columns=["matched_actor", "near_place"])
        .reset_index(drop=True)
    )
    return classify_violations(events, sig, terminated=_termination(ms))


def _countries(rec: dict[str, Any]) -> tuple[list[str], list[str]]:
    gw = [g.strip() for g in str(rec.get("gwno") or "").split(",") if g.strip()]
    names = [c for c in str(rec.get("countries") or "").split("; ") if c]
    return gw, names


def timeline(
    agreement_id: int | str | None = None,
    *,
    country: str | None = None,
    db: DB = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
) -> pd.DataFrame:
    """Milestones and monthly fatalities on one monthly timeline.

    For an agreement: its milestones (and its signature) from a year before signature to the
    last milestone.  For ``country``: every agreement located there (signatures) and all their
    milestones.  Fatalities come from the store's events for the country when it has any,
    else from the VIEWS country-month series (state-based deaths, to 2022).
    """
    if (agreement_id is None) == (country is None):
        raise InputError("give an AGREEMENT_ID or --country, not both and not neither")
    with _store(db) as store:
        if agreement_id is not None:
            rec = sql.agreement_row(store, _agreement_id(agreement_id))
            agreements = [rec]
            gw, names = _countries(rec)
        else:
            gw_set, name_set = _country_keys(store, str(country))
            frame = sql.select_agreements(store, gwcodes=gw_set, country_names=name_set)
            agreements = [sql.agreement_row(store, int(a)) for a in frame.agreement_id]
            gw, names = sorted(gw_set), sorted(name_set)
        ids = [int(a["agreement_id"]) for a in agreements]
        ms = sql.select_milestones(store, ids)
        signatures = pd.DataFrame(
            [
                {
                    "agreement_id": a["agreement_id"],
                    "date": a["signed"],
                    "kind": "agreement_signed",
                    "description": f"{a['name']} (UCDP paid {a['agreement_id']})",
                    "source": a["source"],
                }
                for a in agreements
                if a["signed"] is not None
            ]
        )
        allms = pd.concat([ms, signatures], ignore_index=True) if len(signatures) else ms
        allms = allms.assign(date=pd.to_datetime(allms["date"]))
        dates = [pd.Timestamp(d).date() for d in allms.date] if len(allms) else []
        if not dates and since is None:
            raise NotFound(
                "nothing dated to show: no milestones or signature dates; pass --since/--until"
            )
        start = (
            parse_date(since, "since")
            if since is not None
            else min(dates).replace(day=1) - dt.timedelta(days=365)
        )
        end = parse_date(until, "until") if until is not None else max(dates)
        fat = sql.monthly_fatalities(
            store, gwcodes=gw, names=[n.lower() for n in names], start=start, end=end
        )
    keep = allms[
        (pd.to_datetime(allms.date) >= pd.Timestamp(start))
        & (pd.to_datetime(allms.date) <= pd.Timestamp(end))
    ]
    return monthly_timeline(month_range(start, end), keep.sort_values("date"), fat)


def health(
    agreement_id: int | str,
    *,
    db: DB = None,
    until: str | dt.date | None = None,
    lineage: bool = True,
) -> pd.DataFrame:
    """The monthly "accord health" table: implementation movement, milestones, fatality trend
    and fighting by signatories (rules in :mod:`accordwatch.accords._health`)."""
    aid = _agreement_id(agreement_id)
    with _store(db) as store:
        rec = sql.agreement_row(store, aid)
        if rec["signed"] is None:
            raise InputError(
                f"agreement {aid} has no signature date; health is counted from signature"
            )
        signed = rec["signed"].date() if isinstance(rec["signed"], pd.Timestamp) else rec["signed"]
        ms = sql.select_milestones(store, [aid])
        hist = sql.select_assessments(store, agreement_id=aid)
        flat = tree_frame(sql.select_provisions(store, aid))
        last = [pd.Timestamp(d).date() for d in ms.date] + [
            pd.Timestamp(d).date() for d in hist.date
        ]
        end = parse_date(until, "until") if until is not None else max([signed, *last])
        gw, names = _countries(rec)
        fat = sql.monthly_fatalities(
            store,
            gwcodes=gw,
            names=[n.lower() for n in names],
            start=signed - dt.timedelta(days=460),
            end=end,
        )
        sig = _signatory_map(store, aid, lineage)
        ev = sql.select_events_near(
            store, since=signed, until=end, ucdp_actor_ids=sig, columns=_EVENT_COLUMNS
        )
    ev = classify_violations(ev[ev.matched_actor], sig)
    if len(ev):
        ev["month"] = pd.to_datetime(ev.date_start).dt.to_period("M").dt.to_timestamp().dt.date
        sev = ev.groupby("month").agg(
            events=("best", "size"),
            deaths=("best", "sum"),
            between=("relation", lambda r: int((r == "between signatories").sum())),
        )
        sev = sev.reset_index()
    else:
        sev = pd.DataFrame(columns=["month", "events", "deaths", "between"])
    months = month_range(signed - dt.timedelta(days=460), end)
    if len(hist):
        hist["date"] = pd.to_datetime(hist["date"]).dt.date
        ends = [(pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date() for m in months]
        idx = compute_index(hist, flat, ends)
        idx = pd.DataFrame({"month": months, "index": idx["index"].to_numpy()})
    else:
        idx = pd.DataFrame(columns=["month", "index"])
    out = monthly_health(
        months, index=idx, assessments=hist, milestones=ms, fatalities=fat, signatory_events=sev
    )
    first = pd.Timestamp(signed).to_period("M").to_timestamp().date()
    return out[out.month >= first].reset_index(drop=True)
