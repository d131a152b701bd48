"""Seed a new store from the data bundled with accordwatch.

The default is northern Mali: the gazetteer (GeoNames Mali with curated
corrections), the actor registry, UCDP's conflict and dyad years (all
countries, Mali's included), the VIEWS country-month series of state-based
deaths (Mali's among 199 countries, 1990–2022), and — because Mali's own GED
events cannot be redistributed here — the real GED 23.1 events of the Central
African Republic as an event-level sample.  Load Mali's events with
``accordwatch ingest ucdp GEDEvent_v25_1.csv`` (see the README).

Mali's own located events, in the bundled default, are the events the founding briefing
reports (``data/text_events/``): reviewed, accepted text events with date, place, actors,
type and the citation, and none of the briefing's text (:func:`seed_text_events`).  They are
counted beside any GED events loaded later: the same fight may then be counted twice (the
link between sources is not made yet).
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..store import Store

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "DEFAULT_EVENTS",
    "SEED_REVIEWER",
    "TEXT_EVENT_FILES",
    "TEXT_EVENT_SOURCES",
    "needs_text_events",
    "seed_default",
    "seed_text_events",
    "text_event_rows",
]

DEFAULT_EVENTS = "GEDEvent_v23_1_CAF.csv"
#: the bundled text events (``data/text_events/``), reviewed and accepted by the seed
TEXT_EVENT_FILES = ("mali_briefing_2023.yaml",)
#: the ``source`` of their events (``text:<doc id>``), one per file
TEXT_EVENT_SOURCES = ("text:doc-3880c9e3a48f",)
#: the reviewer the seed's decisions are logged under
SEED_REVIEWER = "accordwatch seed"
#: the meta key that records which bundled text-event files a store holds
_TEXT_EVENTS_KEY = "seed_text_events"
#: GED's date precision of a date range longer than a month
_RANGE_DATE_PREC = 5


def _data(*parts: str) -> str:
    return str(resources.files("accordwatch").joinpath("data", *parts))


def _places_frame() -> pd.DataFrame:
    import pandas as pd

    from ..geo import Gazetteer

    gaz = Gazetteer.default()
    rows = [
        {
            "place_id": f"geonames:{p.geonameid}"
            if p.geonameid > 0
            else f"curated:{p.asciiname.lower()}",
            "name": p.name,
            "asciiname": p.asciiname,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "feature_class": p.feature_class,
            "feature_code": p.feature_code,
            "country": "Mali",
            "admin1": p.admin1,
            "population": int(p.population or 0),
            "note": p.note,
        }
        for p in gaz.places
    ]
    return pd.DataFrame(rows).drop_duplicates("place_id")


def seed_default(store: Store) -> None:
    """Fill a new store with the bundled default, in one transaction."""
    from ..actors import ActorRegistry
    from ..sources import UcdpFormat
    from ..store import ingest_file
    from .accords import seed_accords

    with store.transaction():
        ingest_file(store, UcdpFormat("ucdp-ged"), _data("ucdp", DEFAULT_EVENTS), kind="seed")
        store.load_reference_csv("country_month", _data("views", "ged_sb_cm_1990_2022.csv.gz"))
        store.load_reference_csv("ucdp_conflicts", _data("ucdp", "ucdp-prio-acd-251.csv"))
        store.load_reference_csv("ucdp_dyads", _data("ucdp", "ucdp-dyadic-251.csv"))
        store.insert_places(_places_frame())
        registry = ActorRegistry.default()
        store.insert_actors(registry.to_frame(), registry.alias_table())
        seed_accords(store)  # UCDP peace agreements, Mali 2015 provisions, milestones
        seed_text_events(store)  # the founding briefing's events, cited, without its text
        store.set_meta("seeded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        store.set_meta("seed", "bundled default: Mali reference data + UCDP GED 23.1 CAF events")


def _read_text_events(name: str) -> dict[str, Any]:
    import yaml

    with open(_data("text_events", name), encoding="utf-8") as fh:
        loaded = yaml.safe_load(fh)
    if not isinstance(loaded, dict) or "document" not in loaded or "events" not in loaded:
        raise ValueError(f"bundled text events {name}: no document or events")
    return loaded


def _citation(doc: dict[str, Any]) -> str:
    """The citation note events carry in GED's ``source_article``."""
    return f"{doc['published_note']}; {doc['url_note']}"


def _candidate(ev: dict[str, Any]) -> dict[str, Any]:
    """The review candidate of one bundled event: place and actors resolved."""
    from ..actors import ActorRegistry
    from ..geo import Gazetteer, normalize_admin1

    date = str(ev["date"])
    first, _, last = date.partition("/")
    cand: dict[str, Any] = {
        "event_date": date,
        "date_precision": "range" if last else _date_range(first)[2],
        "event_type": str(ev["type"]),
        "fatalities": None if ev.get("deaths") is None else int(ev["deaths"]),
        "evidence": f"[summary] {ev['summary']}",
    }
    place = ev.get("place")
    if place:
        hits = Gazetteer.default().lookup(str(place), fuzzy=False, limit=1)
        if not hits:
            raise ValueError(f"bundled text event {ev['key']}: no place {place!r}")
        p = hits[0]
        cand.update(
            place=p.name,
            admin1=p.admin1,
            latitude=p.latitude,
            longitude=p.longitude,
            location_precision=p.precision,
        )
    elif ev.get("admin1"):
        cand.update(admin1=normalize_admin1(str(ev["admin1"])), location_precision="admin1")
    reg = ActorRegistry.default()
    found = [reg.resolve(str(a), country="Mali") for a in ev.get("actors") or []]
    cand["actors"] = "; ".join(a.name for a in found) or None
    cand["actor_ids"] = "; ".join(a.actor_id for a in found) or None
    return cand


def _date_range(value: str) -> tuple[dt.date, dt.date, str]:
    """First day, last day and precision of ``YYYY[-MM[-DD]]`` (the review rules')."""
    from ..extract.review_rules import date_range as _range

    return _range(value)


def text_event_rows(name: str, candidate_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The event rows of one bundled text-event file, as a review acceptance writes them
    (the event id is ``<doc id>-<key>``, stable across stores; ``candidate_ids`` are the
    review candidates they come from, or 1, 2, … when None)."""
    from ..extract.review_rules import event_row

    data = _read_text_events(name)
    doc = data["document"]
    ids = candidate_ids or list(range(1, len(data["events"]) + 1))
    rows = []
    for cid, ev in zip(ids, data["events"], strict=True):
        cand = _candidate(ev)
        first, _, last = str(ev["date"]).partition("/")
        row = event_row(
            {**cand, "event_date": first, "candidate_id": cid},
            {
                "doc_id": doc["doc_id"],
                "title": doc["title"],
                "url": doc["url"],
                "published": doc["published"],
            },
        )
        if last:  # a range the briefing bounds but does not date
            start, end = _date_range(first)[0], _date_range(last)[1]
            row.update(date_start=start, date_end=end, year=start.year)
            row["date_prec"] = _RANGE_DATE_PREC
        row.update(
            source_event_id=f"{doc['doc_id']}-{ev['key']}",
            source_office=doc["publisher"],
            source_article=_citation(doc),
            code_status="reviewed: background" if ev.get("background") else "reviewed",
        )
        rows.append(row)
    return rows


def needs_text_events(store: Store) -> bool:
    """True for a store seeded with the bundled default that lacks its text events — one
    seeded before they were bundled.  A store kept empty (:meth:`Store.skip_seed`) or never
    seeded with the default does not get them."""
    seeded = store.get_meta("seeded_at")
    if seeded is None or seeded.startswith("never"):
        return False
    return store.get_meta(_TEXT_EVENTS_KEY) is None


def seed_text_events(store: Store) -> None:
    """Write the bundled text events as reviewed, accepted events, in one transaction: their
    document, a review candidate each (status ``accepted``, logged as decided by
    :data:`SEED_REVIEWER`) and the events (source ``text:<doc id>``), as
    :func:`accordwatch.review_accept` writes them."""
    from ..sources import Batch
    from ..store import ingest_batches
    from ..store.schema import rows_to_table

    with store.transaction():
        for name in TEXT_EVENT_FILES:
            data = _read_text_events(name)
            doc = data["document"]
            store.add_review_document(
                {
                    "doc_id": doc["doc_id"],
                    "title": doc["title"],
                    "url": doc["url"],
                    "published": doc["published"],
                    "lang": doc.get("lang"),
                    "sha256": doc.get("sha256"),
                }
            )
            ids = [
                store.add_review_candidate(
                    {**_candidate(ev), "doc_id": doc["doc_id"], "status": "accepted"}
                )
                for ev in data["events"]
            ]
            rows = text_event_rows(name, ids)
            source = f"text:{doc['doc_id']}"
            batch = Batch(
                file=f"accordwatch/data/text_events/{name}",
                source=source,
                table=rows_to_table(rows),
                rows_read=len(rows),
            )
            ingest_batches(store, [batch], kind="seed")
            for cid, row in zip(ids, rows, strict=True):
                store.update_review_candidate(
                    cid,
                    {"event_source": source, "event_id": row["source_event_id"]},
                    decided=True,
                )
                store.log_review(
                    cid,
                    "accepted",
                    f"{source}|{row['source_event_id']}; bundled seed, "
                    f"summary in accordwatch's words; by {SEED_REVIEWER}",
                )
        store.set_meta(_TEXT_EVENTS_KEY, ", ".join(TEXT_EVENT_FILES))
