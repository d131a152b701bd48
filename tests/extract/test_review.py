"""The review queue on a real (in-memory) store: queue, edit, reject, accept, duplicates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import accordwatch as aw
from accordwatch.errors import InputError, NotFound
from accordwatch.extract import extract_text
from accordwatch.store import Store
from accordwatch.store.review import (
    accept_candidate,
    edit_candidate,
    get_candidate,
    list_candidates,
    queue_result,
    reject_candidate,
)

TEXT = (
    "On Tuesday, clashes between the army and the CSP erupted near Ber, killing 9 soldiers. "
    "In mid-February, the army carried out airstrikes on Tarkint."
)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(":memory:") as st:
        yield st


def test_queue_is_idempotent_and_lists_pending(store: Store) -> None:
    r = extract_text(TEXT, published="2024-03-14")
    ids = queue_result(store, r)
    assert ids == [1, 2] and queue_result(store, r) == ids
    df = list_candidates(store)
    assert df["status"].tolist() == ["pending", "pending"]
    assert df["event_type"].tolist() == ["clash", "airstrike"]


def test_accept_writes_an_event_with_provenance(store: Store) -> None:
    r = extract_text(TEXT, published="2024-03-14")
    cid = queue_result(store, r)[0]
    c = accept_candidate(store, cid)
    assert c["status"] == "accepted" and c["event_source"] == f"text:{r.documents[0].doc_id}"
    ev = aw.events(store, source="text")
    assert len(ev) == 1
    row = ev.iloc[0]
    assert str(row["date_start"])[:10] == "2024-03-12" and row["best"] == 9
    assert row["where_description"] == "Ber" and row["admin1"] == "Timbuktu"
    assert row["side_a"] == "Government of Mali" and row["type_of_violence"] == 1
    assert row["evidence"].startswith("On Tuesday") and row["event_type"] == "clash"
    with pytest.raises(InputError, match="already accepted"):
        accept_candidate(store, cid)


def test_duplicate_of_a_stored_event_is_linked_not_stored_twice(store: Store) -> None:
    first = extract_text(TEXT, published="2024-03-14")
    accept_candidate(store, queue_result(store, first)[0])
    # another outlet reports the same clash two days later, in French
    other = extract_text(
        "Mardi, des combats ont opposé l'armée malienne et le CSP près de Ber.",
        published="2024-03-13",
    )
    cid = queue_result(store, other)[0]
    c = get_candidate(store, cid)
    assert c["duplicate_of"] and c["duplicate_of"].startswith(f"text:{first.documents[0].doc_id}|")
    done = accept_candidate(store, cid)
    assert done["status"] == "duplicate"
    assert len(aw.events(store, source="text")) == 1


def test_not_duplicate_overrides_the_flag(store: Store) -> None:
    accept_candidate(store, queue_result(store, extract_text(TEXT, published="2024-03-14"))[0])
    other = extract_text(
        "Mardi, des combats ont opposé l'armée malienne et le CSP près de Ber.",
        published="2024-03-13",
    )
    accept_candidate(store, queue_result(store, other)[0], not_duplicate=True)
    assert len(aw.events(store, source="text")) == 2


def test_reject_keeps_the_reason(store: Store) -> None:
    cid = queue_result(store, extract_text(TEXT, published="2024-03-14"))[1]
    with pytest.raises(InputError, match="say why"):
        reject_candidate(store, cid, " ")
    reject_candidate(store, cid, "army claim, not confirmed")
    df = list_candidates(store, status="rejected")
    assert df["reason"].tolist() == ["army claim, not confirmed"]
    assert aw.events(store, source="text").empty


def test_edit_checks_and_refreshes_place(store: Store) -> None:
    cid = queue_result(store, extract_text(TEXT, published="2024-03-14"))[1]
    c = edit_candidate(
        store,
        cid,
        place="Tombouctou",
        event_date="2024-02-15",
        fatalities="3",
        actors="FAMa; Wagner",
    )
    assert (c["place"], c["admin1"], c["event_date"], c["date_precision"], c["fatalities"]) == (
        "Timbuktu",
        "Timbuktu",
        "2024-02-15",
        "day",
        3,
    )
    assert c["actors"] == "Government of Mali; Wagner Group"
    with pytest.raises(InputError, match="unknown"):
        edit_candidate(store, cid, event_type="riot")
    with pytest.raises(InputError, match="YYYY"):
        edit_candidate(store, cid, event_date="15/02/2024")
    with pytest.raises(NotFound):
        edit_candidate(store, 999, fatalities="1")


def test_failed_accept_leaves_store_unchanged(store: Store) -> None:
    r = extract_text(
        "This week, CSP fighters overran an army post near Léré.", published="2024-03-14"
    )
    cid = queue_result(store, r)[0]
    store.con.execute(
        "UPDATE review_candidates SET event_date = NULL WHERE candidate_id = ?", [cid]
    ).fetchall()
    with pytest.raises(InputError, match="no date"):
        accept_candidate(store, cid)
    assert get_candidate(store, cid)["status"] == "pending"
    assert aw.events(store, source="text").empty
