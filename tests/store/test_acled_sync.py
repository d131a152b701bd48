"""Syncing a store with ACLED's API (a fake of it behind an httpx.MockTransport): the first
sync loads the range, the next asks only for what changed since, deletions leave every query
while their history stays, and the answers saved under --out load with ingest acled."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import accordwatch as aw
from accordwatch import _api
from accordwatch._app.acled import fetch_acled
from accordwatch.errors import InputError
from accordwatch.sources.acled_api import AcledClient, Credentials
from accordwatch.store import Store
from acled_files import FakeAcled, acled_rows, write_csv

TODAY = dt.date(2026, 12, 1)


def _client(server: FakeAcled) -> AcledClient:
    return AcledClient(
        Credentials(FakeAcled.USER, FakeAcled.PASSWORD),
        transport=server.transport(),
        clock=lambda: server.now,
        sleep=lambda s: None,
        page_size=50,
    )


def _sync(server: FakeAcled, db: Path, **kw: Any) -> Any:
    return fetch_acled(
        country="Mali",
        since="2023-01-01",
        db=db,
        ingest=True,
        client=_client(server),
        today=TODAY,
        **kw,
    )


@pytest.fixture
def server() -> FakeAcled:
    return FakeAcled(acled_rows(120))


def test_first_sync_loads_the_range_and_the_next_only_changes(
    server: FakeAcled, empty_db: Path
) -> None:
    first = _sync(server, empty_db)
    assert first.ingest is not None and first.ingest.inserted == 120
    assert first.timestamp_since is None
    newest = max(int(r["timestamp"]) for r in server.events)
    # a week later: ACLED edits 3 events, adds 2 and deletes 1
    week = newest + 7 * 86400
    for r in server.events[:3]:
        r["fatalities"] = str(int(r["fatalities"]) + 5)
        r["timestamp"] = str(week)
    for extra in acled_rows(2, seed=99, prefix="MLX"):
        server.events.append(dict(extra, timestamp=str(week)))
    gone = server.events[10]["event_id_cnty"]
    server.deleted.append({"event_id_cnty": gone, "deleted_timestamp": week + 60})
    second = _sync(server, empty_db)
    assert second.timestamp_since == newest
    # only what changed since the last sync (and the newest of that sync again: ">=")
    assert second.events_fetched == 6
    assert second.ingest is not None
    assert (second.ingest.updated, second.ingest.inserted) == (3, 2)
    assert second.deletions is not None and second.deletions.deleted == 1
    ids = {r["source_event_id"] for r in aw.event_records(empty_db, source="acled", limit=None)}
    assert len(ids) == 121 and gone not in ids
    assert int(aw.stats(empty_db, by=["source"])["events"].sum()) == 121
    assert len(_api.event_history(gone, source="acled", db=empty_db)) == 1
    third = _sync(server, empty_db)  # nothing new: nothing changes
    assert third.ingest is not None and (third.ingest.inserted, third.ingest.updated) == (0, 0)
    assert third.deletions is not None and third.deletions.deleted == 0


def test_a_deleted_event_acled_restores_comes_back(server: FakeAcled, empty_db: Path) -> None:
    _sync(server, empty_db)
    back = server.events[5]
    stamp = int(back["timestamp"])
    server.deleted.append({"event_id_cnty": back["event_id_cnty"], "deleted_timestamp": stamp + 10})
    _sync(server, empty_db)
    assert back["event_id_cnty"] not in {
        r["source_event_id"] for r in aw.event_records(empty_db, limit=None)
    }
    newest = max(int(r["timestamp"]) for r in server.events)
    back["timestamp"] = str(newest + 100)  # ACLED published it again
    report = _sync(server, empty_db)
    assert report.ingest is not None and report.ingest.restored == 1
    assert back["event_id_cnty"] in {
        r["source_event_id"] for r in aw.event_records(empty_db, limit=None)
    }


def test_the_sync_state_is_kept_per_query(server: FakeAcled, empty_db: Path) -> None:
    _sync(server, empty_db)
    with Store.open(empty_db, read_only=True) as s:
        state = s.sync_state("acled", "country=mali;since=2023-01-01;until=")
    assert state is not None
    assert state.last_timestamp == max(int(r["timestamp"]) for r in server.events)
    full = _sync(server, empty_db, full=True)
    assert full.timestamp_since is None and full.events_fetched == 120


def test_saved_answers_load_with_ingest_acled(
    server: FakeAcled, empty_db: Path, tmp_path: Path
) -> None:
    report = fetch_acled(
        country="Mali", since="2023-01-01", out=tmp_path / "acled", client=_client(server)
    )
    events, deleted = (Path(f) for f in report.files)
    assert events.exists() and deleted.exists()
    loaded = _api.ingest_acled(events, db=empty_db, today=TODAY)
    assert loaded.inserted == 120


def test_a_saved_folder_loads_deletions_first_then_events(
    server: FakeAcled, empty_db: Path, tmp_path: Path
) -> None:
    _api.ingest_acled(write_csv(tmp_path / "mali.csv", server.events), db=empty_db, today=TODAY)
    gone = server.events[7]["event_id_cnty"]
    server.deleted.append({"event_id_cnty": gone, "deleted_timestamp": 1_900_000_000})
    out = tmp_path / "acled"
    fetch_acled(country="Mali", since="2023-01-01", out=out, client=_client(server))
    reports = [_api.ingest_acled(f, db=empty_db, today=TODAY) for f in sorted(out.iterdir())]
    assert [r.removed for r in reports] == [1, 0]  # acled-deleted-… sorts first
    assert reports[1].deleted == 1 and reports[1].unchanged == 120
    ids = {r["source_event_id"] for r in aw.event_records(empty_db, limit=None)}
    assert gone not in ids and len(ids) == 119


def test_a_deletions_file_is_named_by_line_when_bad(empty_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "deleted.csv"
    bad.write_text("event_id_cnty,deleted_timestamp\nMLI1,1700000000\nMLI2,yesterday\n")
    with pytest.raises(InputError, match="line 3, field 'deleted_timestamp'"):
        _api.ingest_acled(bad, db=empty_db)


def test_a_sync_needs_somewhere_to_put_the_events(server: FakeAcled) -> None:
    with pytest.raises(InputError, match="--out DIR"):
        fetch_acled(country="Mali", since="2024-01-01", client=_client(server))
    with pytest.raises(InputError, match="before --since"):
        fetch_acled(country="Mali", since="2024-01-01", until="2023-01-01", ingest=True)


def test_a_sync_is_one_transaction(server: FakeAcled, empty_db: Path) -> None:
    _sync(server, empty_db)
    before = aw.event_records(empty_db, limit=None)
    server.deleted.append(
        {"event_id_cnty": server.events[0]["event_id_cnty"], "deleted_timestamp": 1}
    )
    broken = copy.deepcopy(server.events[1])
    broken["latitude"] = "123"  # a bad row: the whole sync is refused
    broken["timestamp"] = str(int(broken["timestamp"]) + 10**7)
    server.events[1] = broken
    from accordwatch.errors import RowErrors

    with pytest.raises(RowErrors):
        _sync(server, empty_db, full=True)
    assert aw.event_records(empty_db, limit=None) == before
