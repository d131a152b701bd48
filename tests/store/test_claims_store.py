"""Claims: recorded by hand or through the review queue, attributed to claimant and source,
linked to the event (and so to its incident), never merged into any death toll."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import accordwatch as aw
from accordwatch._app import claims as cl
from accordwatch.errors import InputError, NotFound
from accordwatch.extract import ExtractionResult, extract_text
from accordwatch.store import Store

TEXT = (
    "Le 12 mars 2024, l'armée affirme avoir neutralisé 30 terroristes près de Ber. "
    "Le JNIM a revendiqué l'attaque."
)


def _result() -> ExtractionResult:
    """The extractor's events and claims of TEXT: a clash at Ber, the army's claim of 30
    deaths and JNIM's claim of responsibility (both about the clash)."""
    r = extract_text(TEXT, published="2024-03-14")
    assert len(r.events) == 1
    assert [(c.kind, c.deaths, c.event_index) for c in r.claims] == [
        ("deaths", 30, 0),
        ("responsibility", None, 0),
    ]
    return r


def _deaths(db: Path) -> float:
    frame = aw.stats(db, by=["source"])
    return float(frame["deaths_best"].fillna(0).sum())


def test_claim_add_resolves_the_claimant_and_never_touches_deaths(
    seeded_db: Path,
) -> None:
    before = _deaths(seeded_db)
    ev = aw.events(seeded_db, limit=1).iloc[0]
    key = f"{ev['source']}|{ev['source_event_id']}"
    c = cl.claim_add(
        claimant="FAMa",
        kind="deaths",
        deaths=30,
        target="terrorists",
        evidence="L'armée affirme avoir neutralisé 30 terroristes.",
        source="communiqué des FAMa",
        claimed_on="2024-01-05",
        event=key,
        by="amina",
        db=seeded_db,
    )
    assert (c["claimant_id"], c["deaths"], c["recorded_by"]) == ("ucdp:72", 30, "amina")
    assert (c["ev_source"], c["ev_id"]) == (ev["source"], ev["source_event_id"])
    assert _deaths(seeded_db) == before
    listed = cl.claim_list(db=seeded_db, event=key)
    assert list(listed["claim_id"]) == [c["claim_id"]]
    assert list(cl.claim_list(db=seeded_db, claimant="ucdp:72")["claim_id"]) == [c["claim_id"]]
    assert cl.claim_list(db=seeded_db, since="2024-02-01").empty


def test_claim_add_refuses_what_is_not_a_claim(seeded_db: Path) -> None:
    base = {"claimant": "JNIM", "evidence": "JNIM claimed the attack.", "source": "x", "by": "a"}
    with pytest.raises(InputError, match="kind"):
        cl.claim_add(kind="rumour", db=seeded_db, **base)
    with pytest.raises(InputError, match="≥ 0"):
        cl.claim_add(kind="deaths", deaths=-3, db=seeded_db, **base)
    with pytest.raises(InputError, match="claimant"):
        cl.claim_add(**{**base, "claimant": " "}, kind="responsibility", db=seeded_db)
    with pytest.raises(NotFound, match="no event"):
        cl.claim_add(kind="responsibility", event="acled|nope", db=seeded_db, **base)
    with pytest.raises(InputError, match="date"):
        cl.claim_add(kind="responsibility", date="May 2023", db=seeded_db, **base)


def test_extracted_claims_go_through_the_review_queue(empty_db: Path) -> None:
    ids = aw.queue_extraction(_result(), db=empty_db)
    assert len(ids) == 3  # the event and two claims
    assert aw.queue_extraction(_result(), db=empty_db) == ids  # queued once
    queue = aw.review_list(db=empty_db).set_index("candidate_id")
    assert list(queue.loc[ids, "event_type"]) == ["clash", "claim", "claim"]
    assert queue.loc[ids[1:], "fatalities"].isna().all()  # a claim carries no toll
    # a claim first: it waits for its event to be accepted
    c = aw.review_accept(ids[1], db=empty_db, reviewer="amina")
    assert c["status"] == "accepted" and c["claim_id"] == 1
    assert pd.isna(cl.claim_list(db=empty_db).iloc[0]["ev_id"])
    e = aw.review_accept(ids[0], db=empty_db, reviewer="amina")
    aw.review_accept(ids[2], db=empty_db, reviewer="amina")  # the event is stored: linked
    claims = cl.claim_list(db=empty_db)
    assert set(claims["ev_id"]) == {e["event_id"]}
    assert list(claims["claimant_id"]) == ["ucdp:72", "ucdp:6716"]
    army = claims.iloc[0]
    assert (army["deaths"], army["kind"], army["target"]) == (30, "deaths", "terroristes")
    assert str(army["claimed_on"])[:10] == "2024-03-14"
    events = aw.events(empty_db)
    assert len(events) == 1 and pd.isna(events.iloc[0]["best"])  # 30 is a claim, not a toll


def test_claim_candidate_edit_and_reject(empty_db: Path) -> None:
    ids = aw.queue_extraction(_result(), db=empty_db)
    c = aw.review_edit(ids[2], db=empty_db, reviewer="amina", fatalities="25", actors="FAMa")
    import json

    fields = json.loads(c["claim_json"])
    assert (fields["deaths"], fields["claimant"]) == (25, "Government of Mali")  # FAMa
    assert fields["claimant_id"] == "ucdp:72"
    assert c["fatalities"] is None
    with pytest.raises(InputError, match="claim"):
        aw.review_edit(ids[2], db=empty_db, event_type="clash")
    r = aw.review_reject(ids[2], "not a claim about this event", db=empty_db)
    assert r["status"] == "rejected"
    with Store.open(empty_db, read_only=True) as st:
        assert st.claims().empty


def test_claim_linked_to_an_incident_is_listed_with_it(seeded_db: Path) -> None:
    ev = aw.events(seeded_db, source="ucdp-ged", limit=2)
    keys = [f"{s}|{i}" for s, i in zip(ev["source"], ev["source_event_id"], strict=True)]
    from accordwatch._app import incidents as inc

    # two GED records cannot be one incident automatically, but an analyst may say so
    with pytest.raises(InputError):
        inc.incident_link(keys[0], keys[0], reason="x", by="a", db=seeded_db)
    cl.claim_add(
        claimant="CPC",
        kind="responsibility",
        evidence="The CPC claimed the attack.",
        source="radio",
        event=keys[1],
        by="amina",
        db=seeded_db,
    )
    shown = inc.incident_link(keys[0], keys[1], reason="one attack", by="amina", db=seeded_db)
    assert list(shown["claims"]["claimant"]) == ["CPC"]
    listed = cl.claim_list(db=seeded_db, incident=int(shown["incident_id"]))
    assert list(listed["kind"]) == ["responsibility"]
