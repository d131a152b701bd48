"""The accord tracker over the store: what a person does with agreements, provisions and
assessments, one unit of work each.

Every function takes ``db`` (a path, an open :class:`~accordwatch.store.Store`, or None for
the default store).  Reads open the store read-only; the writes — :func:`load_provisions`,
:func:`assess`, :func:`import_assessments` — open it for writing and change it in one
transaction, all or nothing.  The bundled agreements are loaded on first use
(:func:`seed_accords`, called by :mod:`._store`).

>>> import accordwatch.accords as ac
>>> ac.list_agreements(country="Mali").agreement_id.tolist()        # doctest: +SKIP
[1039, 1041, 1040, 1609, 1517, 30]
>>> ac.assess("mali2015.t3.c8.cantonment", "1", "2017-12-31",       # doctest: +SKIP
...           evidence="Eight cantonment sites prepared, none in use", assessor="me")
"""

from __future__ import annotations

import datetime as dt
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..accords._assessments import (
    ASSESSMENT_COLUMNS,
    compute_index,
    index_dates,
    read_assessment_file,
    validate_assessments,
)
from ..accords._health import (
    best_fatalities,
    event_coverage,
    milestone_records,
    month_range,
    monthly_health,
    monthly_timeline,
    superseded,
)
from ..accords._links import (
    classify_violations,
    party_actors,
    resolve_parties,
    resolve_places,
    signatory_actors,
    stored_names,
)
from ..accords._model import SCORE_LABELS, parse_date, period_end, split_list
from ..accords._provisions import read_provision_file, tree_frame, tree_records
from ..errors import InputError, NotFound
from ._store import DB, using

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

    from ..store import Store

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
    "seed_accords",
    "show_agreement",
    "timeline",
    "violations",
]

_EVENT_COLUMNS = (
    "date_start",
    "country",
    "country_id",
    "admin1",
    "where_coordinates",
    "side_a",
    "side_b",
    "side_a_new_id",
    "side_b_new_id",
    "actors",
    "type_of_violence",
    "best",
    "latitude",
    "longitude",
    "source",
    "source_event_id",
)


# -- the bundled agreements -------------------------------------------------------------------
def _data(*parts: str) -> str:
    return str(resources.files("accordwatch").joinpath("data", *parts))


def _country_names(store: Store) -> dict[str, str]:
    """Gleditsch–Ward code → country name, from UCDP's conflict locations and the store."""
    import pandas as pd

    acd = pd.read_csv(
        _data("ucdp", "ucdp-prio-acd-251.csv"), dtype=str, usecols=["gwno_loc", "location"]
    )
    single = acd[~acd.gwno_loc.str.contains(",", na=True)].drop_duplicates("gwno_loc")
    names = dict(zip(single.gwno_loc.str.strip(), single.location.str.strip(), strict=True))
    for gw, name in store.country_month_names().items():
        names.setdefault(gw, name)
    return names


def _refine_roles(parties: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """Mark UCDP parties that fight in one of the agreement's dyads as ``warring`` (the others
    ``signatory``) and add their actor-registry id."""
    import pandas as pd

    from ..actors import ActorRegistry

    dyads = pd.read_csv(
        _data("ucdp", "ucdp-dyadic-251.csv"),
        dtype=str,
        usecols=["dyad_id", "side_a_id", "side_b_id"],
    ).drop_duplicates()
    sides: dict[int, set[int]] = {}
    for rec in _rows(dyads):
        ids = {
            int(x)
            for x in f"{rec['side_a_id']},{rec['side_b_id']}".replace(" ", "").split(",")
            if x.lstrip("-").isdigit()
        }
        sides.setdefault(int(rec["dyad_id"]), set()).update(ids)
    fighting: dict[int, set[int]] = {
        int(a["agreement_id"]): set().union(*(sides.get(int(d), set()) for d in a["dyad_ids"]))
        if a["dyad_ids"]
        else set()
        for a in _rows(agreements)
    }
    reg = ActorRegistry.default()
    roles: list[str] = []
    registry_ids: list[Any] = []
    for rec in _rows(parties):
        role = str(rec["role"])
        known = pd.notna(rec["ucdp_actor_id"])
        if role == "party" and known:
            warring = int(rec["ucdp_actor_id"]) in fighting.get(int(rec["agreement_id"]), set())
            role = "warring" if warring else "signatory"
        roles.append(role)
        found = reg.find(int(rec["ucdp_actor_id"])) if known else None
        registry_ids.append(found.actor_id if found is not None else None)
    return parties.assign(role=roles, actor_id=registry_ids)


def _read_milestones() -> pd.DataFrame:
    """The bundled milestones (Mali 2015's and the other agreements'), dated to their
    precision's first day."""
    import pandas as pd

    peace = pd.read_csv(_data("peace", "algiers_accord_milestones.csv"), dtype=str)
    peace.insert(0, "agreement_id", "30")
    others = pd.read_csv(_data("accords", "milestones.csv"), dtype=str)
    out = pd.concat([peace, others], ignore_index=True)
    out["agreement_id"] = out.agreement_id.astype(int)
    pad = {"day": "", "month": "-01", "year": "-01-01"}
    out["date"] = [
        dt.date.fromisoformat(d + pad[p]) for d, p in zip(out.date, out.precision, strict=True)
    ]
    return out[["agreement_id", "date", "precision", "actors", "kind", "description", "source"]]


def seed_accords(store: Store) -> None:
    """Fill the accord tables from the bundled files, in one transaction: the UCDP Peace
    Agreement Dataset (agreements, parties with their roles, provision flags), Mali 2015's
    provisions, the milestones and the published reference figures."""
    import pandas as pd

    from ..accords._agreements import read_ucdp_agreements

    agreements, parties, flags = read_ucdp_agreements()
    names = _country_names(store)
    agreements["countries"] = [
        "; ".join(names.get(g.strip(), f"GW {g.strip()}") for g in str(gw).split(","))
        if gw
        else None
        for gw in agreements.gwno
    ]
    references = pd.read_csv(_data("accords", "references.csv"), dtype={"unit": str})
    for col in ("as_of", "published"):
        references[col] = pd.to_datetime(references[col]).dt.date
    bundled = read_provision_file(
        _data("accords", "mali_2015_provisions.yaml"),
        known_agreements={int(a) for a in agreements.agreement_id},
    )
    store.fill_accords(
        agreements=agreements,
        parties=_refine_roles(parties, agreements),
        flags=flags,
        milestones=_read_milestones(),
        references=references,
        provisions=bundled,
    )


# -- shared checks ----------------------------------------------------------------------------
def _agreement_id(value: int | str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(
            f"agreement id {value!r} is not a number; ids are UCDP paid numbers (Mali 2015 = 30)"
        ) from None


def _agreement(store: Store, agreement_id: int) -> dict[str, Any]:
    """The agreement's record; NotFound saying how to find ids if the store has no such one."""
    rec = store.agreement_record(agreement_id)
    if rec is not None:
        return rec
    if not store.agreement_ids():
        raise NotFound(
            f"no agreement {agreement_id}: the store {store.path} holds no peace agreements "
            "(it was created with `accordwatch init --empty`); use a store made without --empty"
        )
    raise NotFound(
        f"no agreement {agreement_id} in the store; find ids with "
        "`accordwatch accords list --country C`"
    )


def _suggest(value: str, known: list[str], cutoff: int) -> str:
    """`` Did you mean: …?`` with up to three close matches, or nothing."""
    from rapidfuzz import process

    best = process.extract(value, known, limit=3, score_cutoff=cutoff)
    return f" Did you mean: {', '.join(repr(b[0]) for b in best)}?" if best else ""


def _country_keys(store: Store, country: str) -> tuple[set[str], set[str]]:
    """GW codes and lower-case names for ``country`` (name, ISO3 or GW code); NotFound with
    suggestions when neither the country list nor any agreement knows it."""
    key = country.strip()
    rows = store.country_month_keys(key)
    gw = {g for g, _ in rows} | ({key} if key.isdigit() else set())
    names = {n.lower() for _, n in rows} | {key.lower()}
    if not rows and not store.any_agreement_in(gwcodes=gw, country_names=names):
        hint = _suggest(key, store.agreement_countries(), 60)
        raise NotFound(f"no country {country!r} among the agreements' locations.{hint}")
    return gw, names


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts keyed by column name."""
    return cast("list[dict[str, Any]]", df.to_dict(orient="records"))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts, missing values as None (for JSON)."""
    import pandas as pd

    return _rows(df.astype(object).where(pd.notna(df), None))


def _as_date(value: Any) -> dt.date:
    import pandas as pd

    return value.date() if isinstance(value, pd.Timestamp) else value


# -- agreements -------------------------------------------------------------------------------
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

    >>> list_agreements(country="Mali", since=2015).agreement_id.tolist()   # doctest: +SKIP
    [30]
    """
    if year is not None and (since is not None or until is not None):
        raise InputError("give either --year or --since/--until, not both")
    with using(db) as store:
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
        frame = store.select_agreements(
            gwcodes=gw,
            country_names=names,
            ucdp_actor_ids=ids,
            party_names=party_names,
            year_from=year if year is not None else since,
            year_to=year if year is not None else until,
            text=text,
        )
    if actor and frame.empty and not ids:
        ActorRegistry.default().resolve(actor)  # NotFound with suggestions for an unknown name
    return frame


def show_agreement(agreement_id: int | str, db: DB = None) -> dict[str, Any]:
    """One agreement with its parties, UCDP provision flags, provision counts, milestones and
    references.

    >>> show_agreement(30)["name"]                                         # doctest: +SKIP
    'Accord for peace and reconciliation in Mali emanating from the Algiers process'
    """
    aid = _agreement_id(agreement_id)
    with using(db) as store:
        rec = _agreement(store, aid)
        parties = store.select_parties(aid)
        flags = store.select_flags(aid)
        provs = store.select_provisions(aid)
        rec["parties"] = _records(parties)
        rec["ucdp_provisions"] = _records(flags[flags.value > 0])
        rec["provisions"] = {"total": len(provs), **provs.level.value_counts().to_dict()}
        rec["assessments"] = len(store.select_assessments(agreement_id=aid))
        rec["milestones"] = milestone_records(store.select_milestones([aid]))
        rec["references"] = _records(store.select_references(aid))
    return rec


# -- provisions -------------------------------------------------------------------------------
def provisions(agreement_id: int | str, db: DB = None) -> pd.DataFrame:
    """The agreement's provisions in tree order with depth, path, effective theme and latest
    score."""
    aid = _agreement_id(agreement_id)
    with using(db) as store:
        _agreement(store, aid)
        flat = tree_frame(store.select_provisions(aid))
        hist = store.select_assessments(agreement_id=aid)
    latest = hist.groupby("provision_id").tail(1).set_index("provision_id")
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
    """Validate a provision file (YAML or CSV) and add or update its provisions, all or nothing.

    Every row is checked first (known agreement, parent in the tree, level, theme, deadline,
    UCDP flags); any bad row and :class:`~accordwatch.errors.RowErrors` lists them all, with
    line numbers, and nothing is written.  ``agreement_id`` fills a CSV without that column.
    Returns the counts ``inserted``, ``updated``, ``unchanged``.

    >>> load_provisions("car_2019.yaml")                                   # doctest: +SKIP
    {'inserted': 12, 'updated': 0, 'unchanged': 0}
    """
    if Path(path).is_dir():  # before the store is opened for writing
        raise InputError(f"{path} is a folder; give the path of a .yaml or .csv provision file")
    if not Path(path).is_file():
        raise NotFound(f"no provision file at {path}; give the path of a .yaml or .csv file")
    with using(db, write=True) as store, store.transaction():
        frame = read_provision_file(
            path,
            agreement_id=agreement_id,
            known_agreements=store.agreement_ids(),
            existing=store.select_provisions(),
        )
        return store.upsert_provisions(frame, origin=Path(path).name)


# -- assessments ------------------------------------------------------------------------------
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
    """Record one dated assessment of a provision; earlier ones are kept (the history is
    append-only).

    ``score`` is a Peace Accords Matrix score — 0 (not started), 1 (minimal), 2
    (intermediate), 3 (complete) — or ``reversed`` or ``suspended``; ``date`` (ISO, not
    before the signature, not in the future) is when the state held.  An unknown provision
    raises NotFound with close ids; a bad score or date, missing evidence or assessor, or
    the same assessment twice raises InputError and records nothing.  Returns the stored
    row with its ``assessment_id`` and the score's ``label``.

    >>> assess("mali2015.t3.c8.cantonment", 1, "2017-12-31",               # doctest: +SKIP
    ...        evidence="Eight sites prepared, none in use", assessor="me")["label"]
    'minimal'
    """
    with using(db, write=True) as store, store.transaction():
        known = store.provision_signatures()
        if provision_id not in known:
            hint = _suggest(provision_id, list(known), 50)
            raise NotFound(
                f"no provision {provision_id!r}; list them with "
                f"`accordwatch accords provisions 30`.{hint}"
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
                existing=store.assessment_fingerprints(),
                first_line=1,
            )
        except InputError as exc:
            errors = getattr(exc, "errors", [])
            reasons = "; ".join(
                f"{e.field}: {e.reason}" + (f" (got {e.value!r})" if e.value else "")
                for e in errors
            )
            raise InputError(f"assessment not recorded — {reasons or exc}") from exc
        ids = store.insert_assessments(clean, origin="api")
    out = _rows(clean)[0]
    out.pop("fingerprint")
    return {"assessment_id": ids[0], **out, "label": SCORE_LABELS[out["score"]]}


def import_assessments(path: str | os.PathLike[str], *, db: DB = None) -> dict[str, Any]:
    """Import an assessment CSV (provision_id, date, score, assessor, evidence, source_url).

    Every line is checked first (known provision, score, date, evidence, assessor, not a
    duplicate of a stored assessment or of another line); any bad line and
    :class:`~accordwatch.errors.RowErrors` lists them all and nothing is imported.  Returns
    the file name, how many were imported and their first and last ids.

    >>> import_assessments("mali_2018.csv")                                # doctest: +SKIP
    {'file': 'mali_2018.csv', 'imported': 6, 'first_id': 1, 'last_id': 6}
    """
    name, rows = read_assessment_file(path)
    with using(db, write=True) as store, store.transaction():
        clean = validate_assessments(
            rows,
            name=name,
            provisions=store.provision_signatures(),
            existing=store.assessment_fingerprints(),
        )
        if clean.empty:
            raise InputError(f"{name} has no assessment rows; the header alone imports nothing")
        ids = store.insert_assessments(clean, origin=name)
    return {"file": name, "imported": len(ids), "first_id": ids[0], "last_id": ids[-1]}


def assessments(
    db: DB = None, *, agreement_id: int | str | None = None, provision_id: str | None = None
) -> pd.DataFrame:
    """Every assessment (oldest first) — the full history, nothing overwritten."""
    aid = None if agreement_id is None else _agreement_id(agreement_id)
    with using(db) as store:
        return store.select_assessments(agreement_id=aid, provision_id=provision_id)


def export_assessments(
    path: str | os.PathLike[str] | None = None,
    *,
    db: DB = None,
    agreement_id: int | str | None = None,
) -> pd.DataFrame:
    """Assessments in the import layout (plus id and recording time); written to ``path`` if
    given.  An exported file imports into another store unchanged (and is refused as a
    duplicate here)."""
    from ..export import check_out, write_events
    from ._store import store_path

    if path is not None:  # before any work: never over the store or another database
        check_out(path, store=store_path(db))
    frame = assessments(db, agreement_id=agreement_id)
    out = frame[[*ASSESSMENT_COLUMNS, "assessment_id", "recorded_at"]]
    if path is not None:
        write_events(out, "csv", path, store=store_path(db))  # atomic
    return out


# -- index ------------------------------------------------------------------------------------
def implementation_index(
    agreement_id: int | str,
    *,
    db: DB = None,
    by: str | None = None,
    freq: str = "Y",
    until: str | dt.date | None = None,
) -> pd.DataFrame:
    """The PAM-style implementation index over time (formula in
    :mod:`accordwatch.accords._assessments`).

    ``freq``: ``Y`` (year ends, like PAM) or ``M`` (month ends), from signature to ``until``
    (default: the last assessment).  ``by``: None, ``theme`` or ``party``.
    """
    import pandas as pd

    aid = _agreement_id(agreement_id)
    last = parse_date(until, "until") if until is not None else None  # bad input: before reads
    with using(db) as store:
        rec = _agreement(store, aid)
        flat = tree_frame(store.select_provisions(aid))
        hist = store.select_assessments(agreement_id=aid)
    if hist.empty:
        return compute_index(hist, flat, [], by=by)
    hist["date"] = pd.to_datetime(hist["date"]).dt.date
    start = _as_date(rec["signed"] or min(hist["date"]))
    end = last if last is not None else max(hist["date"])
    return compute_index(hist, flat, index_dates(start, end, freq), by=by)


def comparison(agreement_id: int | str, *, db: DB = None) -> pd.DataFrame:
    """Published reference figures (PAM score, Independent Observer count …) next to this
    store's own index on the same dates (NaN where nothing was assessed by then)."""
    import pandas as pd

    aid = _agreement_id(agreement_id)
    with using(db) as store:
        _agreement(store, aid)
        refs = store.select_references(aid)
        hist = store.select_assessments(agreement_id=aid)
        flat = tree_frame(store.select_provisions(aid))
    dates = [_as_date(d) for d in refs.as_of]
    hist["date"] = pd.to_datetime(hist["date"]).dt.date
    idx = compute_index(hist, flat, dates)
    if idx.empty:
        return refs.assign(accordwatch_index=float("nan"), accordwatch_assessed=0)
    return refs.assign(
        accordwatch_index=idx["index"].to_numpy(), accordwatch_assessed=idx["assessed"].to_numpy()
    )


# -- violence, timeline, health ---------------------------------------------------------------
def provision_events(
    provision_id: str,
    *,
    db: DB = None,
    radius_km: float = 25.0,
    lineage: bool = True,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
) -> pd.DataFrame:
    """Events in the store involving the provision's parties or near its places, since
    signature.

    Parties resolve through the actor registry (``lineage=True``: CMA also means CSP/FLA),
    for every source: GED and Candidate events by UCDP id, news and ACLED events by the
    names they carry (any alias the registry knows, in the event's country); places through
    the gazetteer (towns only; regions are skipped).  ``attrs`` on the result lists
    ``unmatched_parties`` and ``skipped_places``.
    """
    import math

    if not (isinstance(radius_km, (int, float)) and math.isfinite(radius_km) and radius_km > 0):
        raise InputError(f"radius_km must be a distance above 0 km (got {radius_km!r}).")
    with using(db) as store:
        prov = store.select_provisions(provision_ids=[provision_id])
        if prov.empty:
            raise NotFound(
                f"no provision {provision_id!r}; list them with "
                "`accordwatch accords provisions AGREEMENT_ID`"
            )
        rec = prov.iloc[0]
        signed = _agreement(store, int(rec.agreement_id))["signed"]
        parties = split_list(rec.parties)
        ids, names, unknown = resolve_parties(parties, lineage=lineage)
        points, skipped = resolve_places(split_list(rec.places))
        start = parse_date(since, "since") if since is not None else signed
        end = parse_date(until, "until") if until is not None else None
        actors, _ = party_actors(parties, lineage=lineage)
        names |= set(stored_names(actors, store.event_actor_names(since=start, until=end)))
        frame = store.select_events_near(
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


def _signatories(
    store: Store, aid: int, lineage: bool, since: dt.date | None, until: dt.date | None
) -> tuple[dict[int, str], dict[str, str]]:
    """(UCDP actor id → party, lower-case stored actor name → party) for the agreement's
    warring and signatory parties (with lineage, their predecessors and successors too):
    the ids match GED and Candidate events, the names the news and ACLED events between
    ``since`` and ``until``."""
    ids, actors = signatory_actors(store.select_parties(aid), lineage=lineage)
    names = stored_names(actors, store.event_actor_names(since=since, until=until))
    return ids, names


def _signatory_events(
    store: Store, aid: int, lineage: bool, since: dt.date | None, until: dt.date | None
) -> tuple[pd.DataFrame, dict[int, str], dict[str, str]]:
    """Events after ``since`` in which a signatory fought, each marked ``superseded`` when
    a preferred source covers its country-month; with the id and name maps."""
    import pandas as pd

    ids, names = _signatories(store, aid, lineage, since, until)
    events = store.select_events_near(
        since=since,
        until=until,
        ucdp_actor_ids=ids,
        actor_names=names,
        columns=_EVENT_COLUMNS,
    )
    events = (  # fighting only: a reported political act or handover has no type of violence
        events[events.matched_actor & events.type_of_violence.notna()]
        .drop(columns=["matched_actor", "near_place"])
        .reset_index(drop=True)
    )
    if events.empty:
        return events.assign(superseded=pd.Series(dtype=bool)), ids, names
    days = pd.to_datetime(events["date_start"])
    cover = event_coverage(
        store.event_months(
            start=dt.date(days.min().year, 1, 1), end=dt.date(days.max().year, 12, 31)
        )
    )
    return events.assign(superseded=superseded(events, cover).to_numpy()), ids, names


def _termination(milestones: pd.DataFrame) -> pd.Timestamp | None:
    """The end of the earliest termination milestone's period (a termination known to the
    month ends with that month)."""
    import pandas as pd

    term = milestones[milestones.kind == "termination"] if len(milestones) else milestones
    if not len(term):
        return None
    return pd.Timestamp(
        min(
            period_end(_as_date(pd.Timestamp(d)), p)
            for d, p in zip(term["date"], term["precision"], strict=True)
        )
    )


def violations(
    agreement_id: int | str,
    *,
    db: DB = None,
    lineage: bool = True,
    until: str | dt.date | None = None,
) -> pd.DataFrame:
    """Events after signature in which a signatory (or, with lineage, its successor) fought,
    from every source in the store.

    Signatories are matched through the actor registry: GED and Candidate events by UCDP
    id, news and ACLED events by the names in ``side_a``/``side_b``/``actors`` (any alias,
    in the event's country).  Adds ``superseded`` (a preferred source covers the event's
    country-month, so the same fighting is likely counted there: a GED year supersedes
    Candidate and news events, Candidate supersedes news events of its month; ``health``
    does not count such events), ``signatory_a``/``signatory_b``, ``relation`` (between
    signatories, signatory vs civilians, signatory vs other) and ``after_termination``.
    """
    aid = _agreement_id(agreement_id)
    with using(db) as store:
        rec = _agreement(store, aid)
        ms = store.select_milestones([aid])
        end = parse_date(until, "until") if until is not None else None
        start = _as_date(rec["signed"]) if rec["signed"] is not None else None
        events, ids, names = _signatory_events(store, aid, lineage, start, end)
    return classify_violations(events, ids, names=names, terminated=_termination(ms))


def _countries(rec: dict[str, Any]) -> tuple[list[str], list[str]]:
    gw = [g.strip() for g in str(rec.get("gwno") or "").split(",") if g.strip()]
    names = [c for c in str(rec.get("countries") or "").split("; ") if c]
    return gw, names


def _fatalities(
    store: Store,
    start: dt.date,
    end: dt.date,
    *,
    gw: list[str],
    names: list[str],
    one_area: bool,
) -> pd.DataFrame:
    """Deaths per month from the preferred source of each country-month (rule in
    :mod:`accordwatch.accords._health`).  ``one_area``: the GW codes and names are one
    country (``--country``), else each GW code is a country of the agreement (``names`` in
    the same order)."""
    lower = [n.lower() for n in names]
    events = store.event_months(
        start=dt.date(start.year, 1, 1),  # whole years: GED coverage is by year
        end=dt.date(end.year, 12, 31),
        gwcodes=gw,
        names=lower,
    )
    views = store.views_months(gwcodes=gw, names=lower, start=start, end=end)
    if one_area or not gw:
        area = "+".join(gw) or "+".join(lower)
        countries = [area]
        aliases = {k: area for k in [*gw, *lower]}
    else:
        countries = list(gw)
        aliases = dict(zip(lower, gw, strict=True)) if len(lower) == len(gw) else {}
    return best_fatalities(
        month_range(start, end), countries=countries, events=events, views=views, aliases=aliases
    )


def _ends(milestones: pd.DataFrame) -> list[dt.date]:
    """The last day of each milestone's period (a year-precision milestone ends on 31 Dec)."""
    import pandas as pd

    return [
        period_end(pd.Timestamp(d).date(), p)
        for d, p in zip(milestones["date"], milestones["precision"], strict=True)
    ]


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
    milestones.  One row per month, and one per year that has milestones known only to the
    year (before that year's months; such a milestone is never put in January).  Columns:
    period, month, precision, fatalities, fatalities_source, milestone_kinds, milestones (a
    list of records: agreement_id, date written to its precision, precision, kind,
    description, actors, source).

    Fatalities come, month by month, from the best source that covers the month: UCDP GED
    events in the store (for the years the store holds GED events of the country), else the
    VIEWS country-month series (state-based deaths, 1990–2022), else UCDP Candidate, ACLED
    or accepted news events in the store; ``fatalities_source`` names it on every row (rule
    in :mod:`accordwatch.accords._health`).  Sources are never added together.
    """
    import pandas as pd

    if (agreement_id is None) == (country is None):
        raise InputError("give an AGREEMENT_ID or --country, not both and not neither")
    with using(db) as store:
        if agreement_id is not None:
            rec = _agreement(store, _agreement_id(agreement_id))
            agreements = [rec]
            gw, names = _countries(rec)
        else:
            gw_set, name_set = _country_keys(store, str(country))
            frame = store.select_agreements(gwcodes=gw_set, country_names=name_set)
            agreements = [_agreement(store, int(a)) for a in frame.agreement_id]
            gw, names = sorted(gw_set), sorted(name_set)
        ids = [int(a["agreement_id"]) for a in agreements]
        ms = store.select_milestones(ids)
        signatures = pd.DataFrame(
            [
                {
                    "agreement_id": a["agreement_id"],
                    "date": a["signed"],
                    "precision": "day",
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
        end = parse_date(until, "until") if until is not None else max(_ends(allms))
        fat = _fatalities(store, start, end, gw=gw, names=names, one_area=agreement_id is None)
    # a milestone is kept when its period overlaps the timeline
    first = pd.Timestamp(start).to_period("M").start_time
    ends = pd.to_datetime(pd.Series(_ends(allms), index=allms.index, dtype=object))
    keep = allms[(ends >= first) & (pd.to_datetime(allms.date) <= pd.Timestamp(end))]
    return monthly_timeline(month_range(start, end), keep.sort_values("date"), fat)


def health(
    agreement_id: int | str,
    *,
    db: DB = None,
    until: str | dt.date | None = None,
    lineage: bool = True,
) -> pd.DataFrame:
    """The monthly "accord health" table: implementation movement, milestones, fatality trend
    and fighting by signatories (rules in :mod:`accordwatch.accords._health`).

    Fatalities come from the best source of each month and ``fatalities_source`` names it
    (as in :func:`timeline`); fighting by signatories counts the events of every source that
    :func:`violations` finds, except the ``superseded`` ones (so no fighting is counted twice).
    Milestones known only to their year are in no month's row; ``attrs["year_milestones"]``
    lists them.
    """
    import pandas as pd

    aid = _agreement_id(agreement_id)
    with using(db) as store:
        rec = _agreement(store, aid)
        if rec["signed"] is None:
            raise InputError(
                f"agreement {aid} has no signature date; health is counted from signature"
            )
        signed = _as_date(rec["signed"])
        ms = store.select_milestones([aid])
        hist = store.select_assessments(agreement_id=aid)
        flat = tree_frame(store.select_provisions(aid))
        last = _ends(ms) + [pd.Timestamp(d).date() for d in hist.date]
        end = parse_date(until, "until") if until is not None else max([signed, *last])
        gw, names = _countries(rec)
        before = signed - dt.timedelta(days=460)
        fat = _fatalities(store, before, end, gw=gw, names=names, one_area=False)
        ev, ids, names_map = _signatory_events(store, aid, lineage, signed, end)
    ev = classify_violations(ev[~ev.superseded], ids, names=names_map)
    if len(ev):
        starts: pd.Series = pd.to_datetime(ev["date_start"])
        ev["month"] = starts.dt.to_period("M").dt.to_timestamp().dt.date
        sev = ev.groupby("month").agg(
            events=("best", "size"),
            deaths=("best", "sum"),
            between=("relation", lambda r: int((r == "between signatories").sum())),
        )
        sev = sev.reset_index()
    else:
        sev = pd.DataFrame(columns=["month", "events", "deaths", "between"])
    months = month_range(before, end)
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
    kept = out[out.month >= first].reset_index(drop=True)
    kept.attrs.update(out.attrs)
    return kept
