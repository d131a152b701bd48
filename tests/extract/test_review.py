"""The review queue through its public functions, on real stores: queue, edit, reject, accept,
duplicates; every write atomic; reads that leave the store file untouched."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import accordwatch as aw
from accordwatch.errors import InputError, NotFound
from accordwatch.extract import extract_text
from accordwatch.store import Store

TEXT = (
    "On Tuesday, clashes between the army and the CSP erupted near Ber, killing 9 soldiers. "
    "In mid-February, the army carried out airstrikes on Tarkint."
)
FRENCH_SAME_CLASH = "Mardi, des combats ont opposé l'armée malienne et le CSP près de Ber."


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(":memory:") as st:
        yield st


def _snapshot(store: Store) -> tuple[object, ...]:
    """Everything a review write may change: candidates, log, documents, events, ingest runs."""
    return (
        aw.review_list(db=store, status=None).to_json(orient="records"),
        store.count("review_log"),
        store.count("review_documents"),
        store.count("events"),
        store.count("ingest_runs"),
    )


def test_public_names_are_exported() -> None:
    names = {
        "queue_extraction",
        "review_accept",
        "review_edit",
        "review_list",
        "review_reject",
        "review_show",
    }
    assert names <= set(aw.__all__)
    assert all(getattr(aw, n).__doc__ for n in names)


def test_docstring_example() -> None:
    import accordwatch._app.review as mod

    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_queue_is_idempotent_and_lists_pending(store: Store) -> None:
    r = extract_text(TEXT, published="2024-03-14")
    ids = aw.queue_extraction(r, db=store)
    assert ids == [1, 2] and aw.queue_extraction(r, db=store) == ids
    df = aw.review_list(db=store)
    assert df["status"].tolist() == ["pending", "pending"]
    assert df["event_type"].tolist() == ["clash", "airstrike"]
    assert aw.review_list(db=store, limit=1)["candidate_id"].tolist() == [1]
    assert len(aw.review_list(db=store, status="all")) == 2
    assert aw.review_list(db=store, doc_id="doc-none").empty
    with pytest.raises(InputError, match="unknown"):
        aw.review_list(db=store, status="waiting")
    with pytest.raises(InputError, match="limit"):
        aw.review_list(db=store, limit=-1)


def test_show_has_document_and_log(store: Store) -> None:
    r = extract_text(TEXT, published="2024-03-14")
    cid = aw.queue_extraction(r, db=store)[0]
    c = aw.review_show(cid, db=store)
    assert c["doc_id"] == r.documents[0].doc_id and c["status"] == "pending"
    assert str(c["published"])[:10] == "2024-03-14"
    assert [e["action"] for e in c["log"]] == ["queued"]
    with pytest.raises(NotFound, match="review list"):
        aw.review_show(999, db=store)


def test_accept_writes_an_event_with_provenance(store: Store) -> None:
    r = extract_text(TEXT, published="2024-03-14")
    cid = aw.queue_extraction(r, db=store)[0]
    c = aw.review_accept(cid, db=store, reviewer="analyst-1")
    assert c["status"] == "accepted" and c["event_source"] == f"text:{r.documents[0].doc_id}"
    assert c["decided_at"] is not None
    assert c["log"][-1]["action"] == "accepted" and "by analyst-1" in c["log"][-1]["detail"]
    ev = aw.events(store, source="text")
    assert len(ev) == 1
    row = ev.iloc[0]
    assert str(row["date_start"])[:10] == "2024-03-12" and row["best"] == 9
    assert row["where_description"] == "Ber" and row["admin1"] == "Timbuktu"
    assert row["side_a"] == "Government of Mali" and row["type_of_violence"] == 1
    assert row["evidence"].startswith("On Tuesday") and row["event_type"] == "clash"
    with pytest.raises(InputError, match="already accepted"):
        aw.review_accept(cid, db=store)


def test_duplicate_of_a_stored_event_is_linked_not_stored_twice(store: Store) -> None:
    first = extract_text(TEXT, published="2024-03-14")
    aw.review_accept(aw.queue_extraction(first, db=store)[0], db=store)
    # another outlet reports the same clash two days later, in French
    other = extract_text(FRENCH_SAME_CLASH, published="2024-03-13")
    cid = aw.queue_extraction(other, db=store)[0]
    c = aw.review_show(cid, db=store)
    assert c["duplicate_of"] and c["duplicate_of"].startswith(f"text:{first.documents[0].doc_id}|")
    done = aw.review_accept(cid, db=store)
    assert done["status"] == "duplicate"
    assert len(aw.events(store, source="text")) == 1


def test_not_duplicate_overrides_the_flag(store: Store) -> None:
    first = extract_text(TEXT, published="2024-03-14")
    aw.review_accept(aw.queue_extraction(first, db=store)[0], db=store)
    other = extract_text(FRENCH_SAME_CLASH, published="2024-03-13")
    aw.review_accept(aw.queue_extraction(other, db=store)[0], db=store, not_duplicate=True)
    assert len(aw.events(store, source="text")) == 2


def test_reject_keeps_the_reason(store: Store) -> None:
    cid = aw.queue_extraction(extract_text(TEXT, published="2024-03-14"), db=store)[1]
    with pytest.raises(InputError, match="say why"):
        aw.review_reject(cid, " ", db=store)
    c = aw.review_reject(cid, "army claim, not confirmed", db=store, reviewer="analyst-2")
    assert c["status"] == "rejected" and "by analyst-2" in c["log"][-1]["detail"]
    df = aw.review_list(db=store, status="rejected")
    assert df["reason"].tolist() == ["army claim, not confirmed"]
    assert aw.events(store, source="text").empty
    with pytest.raises(InputError, match="already rejected"):
        aw.review_reject(cid, "again", db=store)


def test_edit_checks_and_refreshes_place(store: Store) -> None:
    cid = aw.queue_extraction(extract_text(TEXT, published="2024-03-14"), db=store)[1]
    c = aw.review_edit(
        cid,
        db=store,
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
        aw.review_edit(cid, db=store, event_type="riot")
    with pytest.raises(InputError, match="YYYY"):
        aw.review_edit(cid, db=store, event_date="15/02/2024")
    with pytest.raises(InputError, match="nothing to change"):
        aw.review_edit(cid, db=store, place=None)
    with pytest.raises(NotFound):
        aw.review_edit(999, db=store, fatalities="1")


def test_reviewer_must_be_a_name(store: Store) -> None:
    cid = aw.queue_extraction(extract_text(TEXT, published="2024-03-14"), db=store)[0]
    with pytest.raises(InputError, match="reviewer"):
        aw.review_accept(cid, db=store, reviewer="  ")
    assert aw.review_show(cid, db=store)["status"] == "pending"


# -- atomicity ---------------------------------------------------------------------------------
def test_failed_accept_without_a_date_leaves_store_unchanged(store: Store) -> None:
    r = extract_text(
        "This week, CSP fighters overran an army post near Léré.", published="2024-03-14"
    )
    cid = aw.queue_extraction(r, db=store)[0]
    store.update_review_candidate(cid, {"event_date": None})
    before = _snapshot(store)
    with pytest.raises(InputError, match="no date"):
        aw.review_accept(cid, db=store)
    assert _snapshot(store) == before
    assert aw.review_show(cid, db=store)["status"] == "pending"


def test_accept_of_an_invalid_event_row_leaves_store_unchanged(store: Store) -> None:
    cid = aw.queue_extraction(extract_text(TEXT, published="2024-03-14"), db=store)[0]
    store.update_review_candidate(cid, {"event_date": "2024-02-30"})  # no such day
    before = _snapshot(store)
    with pytest.raises(InputError, match="does not exist"):
        aw.review_accept(cid, db=store)
    assert _snapshot(store) == before


def test_accept_failing_after_the_event_is_written_rolls_it_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = aw.queue_extraction(extract_text(TEXT, published="2024-03-14"), db=store)[0]
    before = _snapshot(store)

    def broken_log(*_a: object, **_k: object) -> None:
        assert store.count("events") == 1  # the event is in, the decision fails after it
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "log_review", broken_log)
    with pytest.raises(RuntimeError, match="disk full"):
        aw.review_accept(cid, db=store)
    monkeypatch.undo()
    assert _snapshot(store) == before
    assert aw.review_show(cid, db=store)["status"] == "pending"
    assert aw.review_accept(cid, db=store)["status"] == "accepted"  # and it can be retried


def test_failing_edit_and_reject_leave_store_unchanged(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = aw.queue_extraction(extract_text(TEXT, published="2024-03-14"), db=store)[1]
    before = _snapshot(store)

    def broken_log(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "log_review", broken_log)
    with pytest.raises(RuntimeError):
        aw.review_edit(cid, db=store, fatalities="4")
    with pytest.raises(RuntimeError):
        aw.review_reject(cid, "unconfirmed", db=store)
    monkeypatch.undo()
    assert _snapshot(store) == before


def test_queue_of_a_bad_result_queues_nothing(store: Store) -> None:
    r = extract_text(TEXT, published="2024-03-14")
    r.documents.clear()  # events whose document is not in the result
    before = _snapshot(store)
    with pytest.raises(InputError, match="unknown document"):
        aw.queue_extraction(r, db=store)
    assert _snapshot(store) == before


# -- stores on disk ----------------------------------------------------------------------------
@pytest.fixture
def queued_db(empty_db: Path) -> tuple[Path, list[int]]:
    ids = aw.queue_extraction(extract_text(TEXT, published="2024-03-14"), db=empty_db)
    return empty_db, ids


def test_path_round_trip(queued_db: tuple[Path, list[int]]) -> None:
    path, ids = queued_db
    assert aw.review_accept(ids[0], db=path)["status"] == "accepted"
    assert aw.review_reject(ids[1], "background", db=str(path))["status"] == "rejected"
    assert aw.review_list(db=path)["candidate_id"].tolist() == []
    assert aw.review_list(db=path, status="all")["status"].tolist() == ["accepted", "rejected"]
    assert len(aw.events(path, source="text")) == 1


def test_reads_do_not_modify_the_store_file(queued_db: tuple[Path, list[int]]) -> None:
    path, ids = queued_db
    stat, data = path.stat(), path.read_bytes()
    assert len(aw.review_list(db=path, status="all")) == 2
    assert aw.review_show(ids[0], db=path)["status"] == "pending"
    with pytest.raises(NotFound):
        aw.review_show(999, db=path)
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert not Path(str(path) + ".wal").exists()


_HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SELECT count(*) FROM review_candidates").fetchall()
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def held_read_only(queued_db: tuple[Path, list[int]]) -> Iterator[tuple[Path, list[int]]]:
    """The queued store, held open read-only by another process for the test's duration."""
    path, ids = queued_db
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield path, ids
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()


def test_reads_work_while_another_process_holds_the_store_read_only(
    held_read_only: tuple[Path, list[int]],
) -> None:
    path, ids = held_read_only
    data = path.read_bytes()
    assert aw.review_list(db=path)["candidate_id"].tolist() == ids
    assert aw.review_show(ids[1], db=path)["event_type"] == "airstrike"
    assert path.read_bytes() == data


def test_cli_review_list_while_another_process_holds_the_store(
    held_read_only: tuple[Path, list[int]], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    path, ids = held_read_only
    code, out, err = cli("review", "list", "--db", str(path), "--format", "json")
    assert code == 0, err
    assert [c["candidate_id"] for c in json.loads(out)] == ids
    code, out, err = cli("review", "show", str(ids[0]), "--db", str(path))
    assert code == 0, err
    assert json.loads(out)["log"][0]["action"] == "queued"
    # a write cannot take the store while it is held: a message, not a traceback
    monkeypatch.setenv("ACCORDWATCH_LOCK_WAIT", "0")
    code, _, err = cli("review", "accept", str(ids[0]), "--db", str(path))
    assert code != 0 and err.startswith("error:") and "Traceback" not in err
