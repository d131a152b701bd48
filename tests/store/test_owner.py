"""One owner for the store (the web app's model): one writer thread, reads on many threads
that see the last committed state, and other processes told where to go."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import accordwatch as aw
from accordwatch.errors import StoreBusy, StoreError
from accordwatch.store import Store
from accordwatch.store.owner import StoreOwner

URL = "http://127.0.0.1:8000"

# A server process: owns the store until its stdin closes.
SERVER = """
import sys
from accordwatch.store.owner import StoreOwner
owner = StoreOwner(sys.argv[1], url=sys.argv[2])
print("ready", flush=True)
sys.stdin.read()
owner.close()
"""

# A command meeting the store: tries to read and to write it, prints what it was told.
COMMAND = """
import json, sys
from accordwatch.errors import StoreBusy
from accordwatch.store import Store
out = {}
for mode in ("read", "write"):
    try:
        Store.open(sys.argv[1], read_only=mode == "read", wait=600).close()
        out[mode] = "opened"
    except StoreBusy as exc:
        out[mode] = {"message": str(exc), "pid": exc.pid, "kind": exc.kind, "url": exc.url}
print(json.dumps(out))
"""


def _count(store: Store) -> int:
    return store.count("events")


def test_readers_see_the_last_commit_while_a_long_write_runs(
    empty_db: Path, ged_slice: Path
) -> None:
    with StoreOwner(empty_db, url=URL) as owner:
        inside, release = threading.Event(), threading.Event()

        def load(store: Store) -> int:
            report = aw.ingest_ucdp(ged_slice, db=store)  # in the writer's transaction
            inside.set()
            assert release.wait(30)
            return report.inserted

        loading = owner.execute_write(load, block=False)
        assert inside.wait(30)
        with ThreadPoolExecutor(8) as callers:  # readers in threads of their own …
            during = list(callers.map(lambda _: owner.read(_count), range(32)))
        pooled = [owner.submit_read(_count) for _ in range(8)]  # … and on the owner's pool
        assert during == [0] * 32
        assert [f.result() for f in pooled] == [0] * 8
        assert not loading.done()
        release.set()
        inserted = loading.result(timeout=30)
        assert inserted > 0
        with ThreadPoolExecutor(8) as callers:
            after = list(callers.map(lambda _: owner.read(_count), range(32)))
        assert after == [inserted] * 32


def test_a_read_is_one_snapshot(empty_db: Path) -> None:
    with StoreOwner(empty_db) as owner:
        first, written = threading.Event(), threading.Event()

        def twice(store: Store) -> tuple[str | None, str | None]:
            before = store.get_meta("state")
            first.set()
            assert written.wait(30)
            return before, store.get_meta("state")

        reading = owner.submit_read(twice)
        assert first.wait(30)
        owner.execute_write(lambda s: s.set_meta("state", "new"))
        written.set()
        assert reading.result(timeout=30) == (None, None)
        assert owner.read(lambda s: s.get_meta("state")) == "new"


def test_every_write_runs_on_one_thread_one_at_a_time(empty_db: Path) -> None:
    seen: set[str] = set()
    running, most = 0, 0
    guard = threading.Lock()

    def write(i: int):
        def fn(store: Store) -> int:
            nonlocal running, most
            with guard:
                running += 1
                most = max(most, running)
                seen.add(threading.current_thread().name)
            store.set_meta(f"k{i}", str(i))
            with guard:
                running -= 1
            return i

        return fn

    with StoreOwner(empty_db) as owner:
        with ThreadPoolExecutor(8) as callers:
            results = list(callers.map(lambda i: owner.execute_write(write(i)), range(40)))
        assert results == list(range(40))
        assert owner.read(lambda s: s.get_meta("k39")) == "39"
    assert seen == {"accordwatch-writer"} and most == 1


def test_a_failed_write_changes_nothing_and_reaches_its_caller(empty_db: Path) -> None:
    def broken(store: Store) -> None:
        store.set_meta("half", "done")
        raise ValueError("bad input")

    with StoreOwner(empty_db) as owner:
        with pytest.raises(ValueError, match="bad input"):
            owner.execute_write(broken)
        assert owner.read(lambda s: s.get_meta("half")) is None
        assert owner.execute_write(lambda s: s.set_meta("next", "ok") or "fine") == "fine"

        def nested(store: Store) -> str | None:
            owner.execute_write(lambda s: s.set_meta("inner", "yes"))  # joins at once
            return store.get_meta("inner")

        assert owner.execute_write(nested) == "yes"


def test_a_read_may_not_write(empty_db: Path) -> None:
    with StoreOwner(empty_db) as owner:
        with pytest.raises(StoreError, match="execute_write"):
            owner.read(lambda s: s.set_meta("sneaky", "write"))
        assert owner.read(lambda s: s.get_meta("sneaky")) is None


def test_readers_forget_what_a_write_changed(seeded_db: Path) -> None:
    with StoreOwner(seeded_db) as owner:
        assert "CAF" in {iso for _, _, iso in owner.read(lambda s: s.countries())}
        owner.execute_write(lambda s: s.one("DELETE FROM country_month WHERE isoab = 'CAF'"))
        assert "CAF" not in {iso for _, _, iso in owner.read(lambda s: s.countries())}


def test_the_owner_records_itself_and_keeps_other_writers_of_its_process_out(
    empty_db: Path,
) -> None:
    record = Path(str(empty_db) + ".owner.json")
    with StoreOwner(empty_db, url=URL) as owner:
        held = json.loads(record.read_text())
        assert (held["pid"], held["kind"], held["url"]) == (os.getpid(), "server", URL)
        with pytest.raises(StoreError, match="owned by this process's accordwatch server"):
            Store.open(empty_db)
        with Store.open(empty_db, read_only=True) as reader:  # a read shares the owner's file
            assert reader.count("events") == 0
        owner.execute_write(lambda s: s.set_meta("k", "v"))
    assert not record.exists()
    assert owner.closed
    with pytest.raises(StoreError, match="is closed"):
        owner.read(_count)
    with pytest.raises(StoreError, match="is closed"):
        owner.execute_write(_count)
    with Store.open(empty_db) as store:
        assert store.get_meta("k") == "v"


def test_a_command_meeting_the_server_is_told_where_to_go(empty_db: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(empty_db), URL],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        # wait=600, yet it answers at once: waiting for a server is pointless
        run = subprocess.run(
            [sys.executable, "-c", COMMAND, str(empty_db)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        told = json.loads(run.stdout)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    for mode in ("read", "write"):
        assert told[mode]["pid"] == server.pid
        assert (told[mode]["kind"], told[mode]["url"]) == ("server", URL)
        assert (
            f"owned by the accordwatch server at {URL} (PID {server.pid})"
            in (told[mode]["message"])
        )
        assert "stop the server first" in told[mode]["message"]
    assert "make changes through the web app or its API" in told["write"]["message"]
    assert "read it through the web app or its API" in told["read"]["message"]
    assert issubclass(StoreBusy, StoreError)
    assert not Path(str(empty_db) + ".owner.json").exists()
    with Store.open(empty_db, read_only=True, wait=0) as store:
        assert store.count("events") == 0
