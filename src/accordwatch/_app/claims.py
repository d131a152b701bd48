"""Claims: a party's statement ("the army says it neutralised 30 terrorists", "JNIM claimed
the attack") recorded as what it is — a claim by a claimant, read in a source, about an event
when one is known — and never merged into any event's deaths.

Claims enter the store by hand (:func:`claim_add`, ``accordwatch claims add``) or from text:
``accordwatch extract`` finds them, the review queue holds them as candidates of type
``claim`` (:func:`queue_claims`), and accepting one stores it (:func:`accept_claim`).  A claim
found with an event of the same text is linked to that event once the event is accepted (or
to the stored event it duplicates).

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     c = claim_add(claimant="FAMa", kind="deaths", deaths=30, source="communiqué",
...                   evidence="The army says it neutralised 30 terrorists.", by="analyst",
...                   db=st)
...     c["claimant_id"], c["deaths"]
('ucdp:72', 30)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NotFound
from ._store import DB, using

if TYPE_CHECKING:
    import pandas as pd

    from ..extract import ExtractionResult
    from ..store import Store

__all__ = [
    "CLAIM_KINDS",
    "accept_claim",
    "claim_add",
    "claim_list",
    "claims_for_events",
    "claims_in_area",
    "edit_claim_candidate",
    "queue_claims",
]

#: What a claim can be about (as in :data:`accordwatch.extract.CLAIM_KINDS`).
CLAIM_KINDS: tuple[str, ...] = ("deaths", "capture", "responsibility", "other")
_DATE_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def _claimant_id(name: str, country: str | None) -> str | None:
    from ..actors import ActorRegistry

    try:
        act = ActorRegistry.default().find(name, country=country or "Mali")
    except InputError:
        return None
    return None if act is None else act.actor_id


def _key(value: str) -> tuple[str, str]:
    from .incidents import event_key

    return event_key(value)


def _checked(kind: str, deaths: int | None, date: str | None) -> None:
    if kind not in CLAIM_KINDS:
        raise InputError(f"claim kind {kind!r} unknown; use one of {', '.join(CLAIM_KINDS)}")
    if deaths is not None and (isinstance(deaths, bool) or int(deaths) < 0):
        raise InputError("a claimed number of deaths is a whole number ≥ 0")
    if date is not None and not _DATE_RE.match(str(date)):
        raise InputError(f"claim date {date!r}: write YYYY-MM-DD, YYYY-MM or YYYY")


def claim_add(
    *,
    claimant: str,
    kind: str,
    evidence: str,
    source: str,
    by: str,
    deaths: int | None = None,
    target: str | None = None,
    date: str | None = None,
    place: str | None = None,
    admin1: str | None = None,
    claimed_on: str | dt.date | None = None,
    url: str | None = None,
    event: str | None = None,
    db: DB = None,
) -> dict[str, Any]:
    """Record a claim: who claims (``claimant``, resolved through the actor registry when it
    can be), what (``kind``: deaths — with ``deaths`` —, capture, responsibility, other;
    ``target``), about when and where (``date``, ``place``, ``admin1``), made when
    (``claimed_on``), read where (``source``, ``url``), in which words (``evidence``), about
    which stored ``event`` (``SOURCE|ID``).  Recorded as made by ``by``.  Returns the claim."""
    for name, value in (("claimant", claimant), ("evidence", evidence), ("source", source)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"a claim needs its {name} (--{name} …)")
    if not isinstance(by, str) or not by.strip():
        raise InputError("say who records the claim")
    _checked(kind, deaths, date)
    if isinstance(claimed_on, str):
        try:
            claimed_on = dt.date.fromisoformat(claimed_on)
        except ValueError:
            raise InputError(f"--claimed-on {claimed_on!r} is not a date (YYYY-MM-DD)") from None
    with using(db, write=True) as store:
        with store.transaction():
            ev: tuple[str, str] | None = None
            country = None
            if event is not None:
                ev = _key(event)
                rec = store.linkable_event(ev)
                if rec is None:
                    raise NotFound(f"no event {ev[0]}|{ev[1]} in the store")
                country = rec.get("country")
            cid = store.add_claim(
                {
                    "claimant": claimant.strip(),
                    "claimant_id": _claimant_id(claimant.strip(), country),
                    "kind": kind,
                    "deaths": None if deaths is None else int(deaths),
                    "target": target,
                    "claim_date": date,
                    "date_precision": _precision(date),
                    "place": place,
                    "admin1": admin1,
                    "claimed_on": claimed_on,
                    "evidence": evidence.strip(),
                    "source": source.strip(),
                    "source_url": url,
                    "ev_source": None if ev is None else ev[0],
                    "ev_id": None if ev is None else ev[1],
                    "recorded_by": by.strip(),
                }
            )
        found = store.claim(cid)
    assert found is not None
    return found


def _precision(date: str | None) -> str | None:
    if not date:
        return None
    return {4: "year", 7: "month"}.get(len(date), "day")


def claim_list(
    *,
    db: DB = None,
    event: str | None = None,
    incident: int | None = None,
    claimant: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Claims, oldest first: about one event (``SOURCE|ID``) or one incident's records, by a
    claimant (name or registry id), made (or about a date) from ``since`` through ``until``."""
    days = []
    for name, value in (("since", since), ("until", until)):
        if value is None or isinstance(value, dt.date):
            days.append(value)
            continue
        try:
            days.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            raise InputError(f"--{name} {value!r} is not a date (YYYY-MM-DD)") from None
    with using(db) as store:
        events: list[tuple[str, str]] | None = None
        if event is not None:
            events = [_key(event)]
        if incident is not None:
            inc = store.incident(int(incident))
            if inc is None:
                raise NotFound(f"no incident {incident}; see `accordwatch incidents list`")
            members = inc["members"]
            events = (events or []) + [
                (str(s), str(i))
                for s, i in zip(members["ev_source"], members["ev_id"], strict=True)
            ]
        return store.claims(
            events=events, claimant=claimant, since=days[0], until=days[1], limit=limit
        )


def claims_for_events(keys: Iterable[tuple[str, str]], *, db: DB = None) -> pd.DataFrame:
    """Claims about the events ``keys`` (source, id) or about another record of their
    incidents, with the figure counted for what each is about (``fig_low``, ``fig_best``,
    ``fig_high`` of the incident's counted record, else of its event) — what a briefing shows
    beside the figures.  Opens the store read-only."""
    with using(db) as store:
        return store.claims_about([(str(s), str(i)) for s, i in keys])


def _area_names(country: str) -> tuple[set[str], str | None]:
    """The lower-case names a country goes by (name, ISO3, Gleditsch-Ward code as text) and
    its ISO3 code when the bundled admin-1 outlines know it."""
    from ..geo import AdminIndex

    names = {country.strip().lower()}
    try:
        iso3: str | None = AdminIndex.default().country_iso3(country)
    except (InputError, LookupError, ValueError):
        iso3 = None
    if iso3:
        names.add(iso3.lower())
    return names, iso3


def claims_in_area(
    country: str,
    region: str | None,
    since: str | dt.date,
    until: str | dt.date,
    *,
    db: DB = None,
) -> pd.DataFrame:
    """Claims about ``country`` (and ``region``, an admin-1 name, when given) from ``since``
    through ``until``, oldest recorded first — with or without an event.

    A claim about a stored event is in the area when the event is (its country, its
    admin-1 region) and in the period when the event is.  A claim about no stored event is
    placed by its coordinates (the bundled admin-1 outlines), else by its ``admin1``: a
    region of the country's outlines, or a region where the store holds events of the
    country; it is in the period by the date it is about (a day, month or year), else the
    day it was made.  Columns: those of ``claims``, plus ``ev_country``, ``ev_admin1``,
    ``ev_date`` of the event it is about (None without one)."""
    import pandas as pd

    from ..accords._model import parse_date
    from ..geo import AdminIndex

    start, end = parse_date(since, "since"), parse_date(until, "until")
    if end < start:
        raise InputError(f"until {end} is before since {start}")
    with using(db) as store:
        frame = store.claims_in_period(start, end)
        known = store.countries() if len(frame) else []
    drop = ["ev_country_id", "ev_adm_1", "region_countries"]
    if not len(frame):  # no claim in the period: the outlines are not needed
        return frame.drop(columns=drop).reset_index(drop=True)
    names, iso3 = _area_names(country)
    index = AdminIndex.default()
    wanted = None if region is None or not region.strip() else region.strip().lower()

    def canonical(name: Any) -> str | None:
        if not isinstance(name, str) or not name.strip():
            return None
        if iso3 is not None:
            try:
                found = index.normalize(name, country=iso3)
            except InputError:
                found = None
            if found is not None:
                return found.lower()
        return name.strip().lower()

    target = canonical(wanted) if wanted is not None else None
    gw = {str(g) for g, c, i in known if names & {c.lower(), i.lower(), str(g)}}
    names |= gw | {c.lower() for g, c, _ in known if str(g) in gw}
    keep: list[bool] = []
    for rec in frame.astype(object).where(pd.notna(frame), None).to_dict("records"):
        if rec.get("ev_date") is not None:  # about a stored event: where the event is
            ev_country = str(rec.get("ev_country") or "").lower()
            in_country = ev_country in names or str(rec.get("ev_country_id")) in gw
            regions = {canonical(rec.get("ev_admin1")), canonical(rec.get("ev_adm_1"))}
            keep.append(in_country and (target is None or target in regions))
            continue
        lat, lon = rec.get("latitude"), rec.get("longitude")
        if lat is not None and lon is not None and iso3 is not None:
            spot = index.locate(float(lat), float(lon)).iloc[0]
            if spot["iso3"] is not None:
                here = str(spot["admin1"]).lower()
                keep.append(spot["iso3"] == iso3 and (target is None or target == here))
                continue
        named = canonical(rec.get("admin1"))
        if named is None:
            keep.append(False)
            continue
        of_country = iso3 is not None and named in {n.lower() for n in index.names(iso3)}
        seen = rec.get("region_countries")
        of_country |= seen is not None and bool(set(map(str, seen)) & names)
        keep.append(of_country and (target is None or target == named))
    return frame[keep].drop(columns=drop).reset_index(drop=True)


# -- the review queue -----------------------------------------------------------------------------
def queue_claims(store: Store, result: ExtractionResult, event_ids: list[int]) -> list[int]:
    """Put the claims of an extraction result in the review queue (inside the caller's
    transaction): candidates of type ``claim`` whose fields are in ``claim_json``;
    ``event_ids`` are the candidate ids of ``result.events`` in order (a claim about one of
    them remembers it).  A claim already queued is not queued again.  Returns the ids."""
    ids: list[int] = []
    for claim in result.claims:
        if claim.doc_id is None:
            raise InputError("a claim without its document cannot be queued; queue whole results")
        known = store.find_review_candidate(claim.doc_id, claim.evidence_start, "claim")
        if known is not None:
            ids.append(known)
            continue
        fields = claim.to_dict()
        if claim.event_index is not None and 0 <= claim.event_index < len(event_ids):
            fields["event_candidate"] = event_ids[claim.event_index]
        cid = store.add_review_candidate(
            {
                "doc_id": claim.doc_id,
                "event_type": "claim",
                "event_date": claim.date,
                "date_precision": claim.date_precision,
                "place": claim.place,
                "admin1": claim.admin1,
                "latitude": claim.latitude,
                "longitude": claim.longitude,
                "actors": claim.claimant,
                "actor_ids": claim.claimant_id,
                "fatalities": None,  # a claim's number is never a death toll
                "evidence": claim.evidence,
                "evidence_start": claim.evidence_start,
                "evidence_end": claim.evidence_end,
                "confidence": claim.confidence,
                "claim_json": json.dumps(fields, sort_keys=True, default=str),
            }
        )
        what = f"{claim.kind}" + (f" {claim.deaths}" if claim.deaths is not None else "")
        store.log_review(cid, "queued", f"claim by {claim.claimant}: {what}")
        ids.append(cid)
    return ids


def _fields(cand: dict[str, Any]) -> dict[str, Any]:
    raw = cand.get("claim_json")
    return json.loads(raw) if isinstance(raw, str) and raw else {}


def _as_day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime) or hasattr(value, "date"):
        day: dt.date = value.date()
        return day
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def accept_claim(store: Store, cand: dict[str, Any], who: str | None) -> int:
    """Store the claim of a pending ``claim`` candidate (inside the caller's transaction) and
    mark the candidate accepted; returns the claim id.  The claim is linked to the event its
    event candidate became (or duplicates); while that one is pending, it is linked when the
    event is accepted."""
    f = _fields(cand)
    ev: tuple[str, str] | None = None
    note = None
    event_cand = f.get("event_candidate")
    if event_cand is not None:
        other = store.review_candidate(int(event_cand))
        if other is not None and other.get("status") == "accepted" and other.get("event_id"):
            ev = (str(other["event_source"]), str(other["event_id"]))
        elif other is not None and other.get("status") == "duplicate" and other.get("duplicate_of"):
            src, _, eid = str(other["duplicate_of"]).partition("|")
            ev = (src, eid)
        elif other is not None and other.get("status") == "pending":
            note = f"event-candidate:{int(event_cand)}"
    source = cand.get("title") or cand.get("url") or cand["doc_id"]
    published = cand.get("published")
    claim_id = store.add_claim(
        {
            "claimant": cand.get("actors") or f.get("claimant") or "(unknown)",
            "claimant_id": cand.get("actor_ids") or f.get("claimant_id"),
            "kind": f.get("kind") or "other",
            "deaths": f.get("deaths"),
            "target": f.get("target"),
            "claim_date": cand.get("event_date"),
            "date_precision": cand.get("date_precision"),
            "place": cand.get("place"),
            "admin1": cand.get("admin1"),
            "latitude": cand.get("latitude"),
            "longitude": cand.get("longitude"),
            "claimed_on": _as_day(published),
            "evidence": cand["evidence"],
            "source": str(source),
            "source_url": cand.get("url"),
            "doc_id": cand["doc_id"],
            "ev_source": None if ev is None else ev[0],
            "ev_id": None if ev is None else ev[1],
            "candidate_id": int(cand["candidate_id"]),
            "recorded_by": who or "review",
            "note": note,
        }
    )
    cid = int(cand["candidate_id"])
    store.update_review_candidate(cid, {"status": "accepted", "claim_id": claim_id}, decided=True)
    detail = f"claim {claim_id}" + (f" about {ev[0]}|{ev[1]}" if ev else "")
    store.log_review(cid, "accepted", f"{detail}; by {who}" if who else detail)
    return claim_id


def edit_claim_candidate(store: Store, cand: dict[str, Any], clean: dict[str, Any]) -> None:
    """Apply checked edits to a pending ``claim`` candidate (inside the caller's transaction):
    ``actors`` is the claimant, ``fatalities`` the number claimed, ``event_date``, ``place``,
    ``admin1`` and ``evidence`` as for events; a claim has no event type to change."""
    if "event_type" in clean:
        raise InputError(
            f"candidate {cand['candidate_id']} is a claim: it has no event type to change"
        )
    f = _fields(cand)
    columns: dict[str, Any] = {}
    for key, value in clean.items():
        if key == "fatalities":
            f["deaths"] = value
            if value is not None and f.get("kind") == "other":
                f["kind"] = "deaths"
            continue
        if key == "actors":
            f["claimant"] = value
            f["claimant_id"] = clean.get("actor_ids")
        columns[key] = value
        mirror = {"event_date": "date", "place": "place", "admin1": "admin1"}
        if key in mirror:
            f[mirror[key]] = value
        if key == "evidence":
            f["evidence"] = value
    columns["claim_json"] = json.dumps(f, sort_keys=True, default=str)
    store.update_review_candidate(int(cand["candidate_id"]), columns)
