"""Reads while a write runs, the server met by a command, and ``accordwatch serve``.

No timings are asserted: a slow write is held open until the test lets it go, and a read
must come back while it is still held (the read would wait for ever if reads queued behind
writes; the join's timeout only keeps a broken build from hanging the suite).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

STUCK = 120  # seconds before a test gives up on a thread it waits for


def test_reads_are_served_while_a_write_runs(fresh_api: Any, fresh_store: Any) -> None:
    """A write holds the writer (and its transaction open): reads in other threads return
    at once, with the last committed state — not the write's half-done change."""
    owner = fresh_api.app.state.owner
    viewer = fresh_store.tokens["viewer"]
    before = fresh_api.get("/api/events?_size=1", headers=viewer).json()["count"]
    started, release = threading.Event(), threading.Event()

    def slow_write(store: Any) -> None:
        store.set_meta("half-written", "yes")  # inside the write's transaction
        started.set()
        if not release.wait(STUCK):
            raise RuntimeError("never released")

    pending = owner.execute_write(slow_write, block=False)
    assert started.wait(STUCK)
    answers: list[Any] = []

    def reader() -> None:
        answers.append(fresh_api.get("/api/events?_size=1", headers=viewer))
        answers.append(owner.read(lambda store: store.get_meta("half-written")))

    thread = threading.Thread(target=reader)
    thread.start()
    thread.join(STUCK)
    finished_while_held = not thread.is_alive() and not pending.done()
    release.set()
    pending.result(STUCK)
    assert finished_while_held, "a read waited for the write"
    assert answers[0].status_code == 200 and answers[0].json()["count"] == before
    assert answers[1] is None  # the uncommitted change is not seen
    assert owner.read(lambda store: store.get_meta("half-written")) == "yes"  # now it is


def test_an_ingest_never_shows_half_its_rows(
    fresh_api: Any, fresh_store: Any, ged_slice: Path
) -> None:
    """POST /api/ingest while reads go on: each read sees the store before the load or
    after it, nothing in between; the load is in the audit log."""
    admin, viewer = fresh_store.tokens["admin"], fresh_store.tokens["viewer"]
    before = fresh_api.get("/api/events?_size=1", headers=viewer).json()["count"]
    result: list[Any] = []

    def upload() -> None:
        with ged_slice.open("rb") as fh:
            result.append(
                fresh_api.post(
                    "/api/ingest",
                    headers=admin,
                    files={"file": ("GEDEvent_v23_1_slice.csv", fh, "text/csv")},
                )
            )

    thread = threading.Thread(target=upload)
    thread.start()
    seen = set()
    while thread.is_alive():
        seen.add(fresh_api.get("/api/events?_size=1", headers=viewer).json()["count"])
    thread.join(STUCK)
    r = result[0]
    assert r.status_code == 200, r.text
    report = r.json()
    after = fresh_api.get("/api/events?_size=1", headers=viewer).json()["count"]
    assert after == before + report["inserted"]
    assert seen <= {before, after}


def test_only_admins_ingest(fresh_api: Any, fresh_store: Any, ged_slice: Path) -> None:
    with ged_slice.open("rb") as fh:
        r = fresh_api.post(
            "/api/ingest",
            headers=fresh_store.tokens["analyst"],
            files={"file": ("GEDEvent_v23_1_slice.csv", fh, "text/csv")},
        )
    assert r.status_code == 403


def test_a_bad_upload_is_refused_and_changes_nothing(fresh_api: Any, fresh_store: Any) -> None:
    admin = fresh_store.tokens["admin"]
    before = fresh_api.get("/api/events?_size=1", headers=admin).json()["count"]
    r = fresh_api.post(
        "/api/ingest", headers=admin, files={"file": ("notes.txt", b"hello", "text/plain")}
    )
    assert r.status_code == 400 and "notes.txt" in r.json()["error"]["message"]
    bad = b"id,year\n1,notayear\n"
    r = fresh_api.post(
        "/api/ingest", headers=admin, files={"file": ("GEDEvent_v23_1_bad.csv", bad, "text/csv")}
    )
    assert r.status_code == 400, r.text
    assert fresh_api.get("/api/events?_size=1", headers=admin).json()["count"] == before


# -- a real server --------------------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ACCORDWATCH_DEBUG"}
    env["ACCORDWATCH_LOCK_WAIT"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "accordwatch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=STUCK,
    )


def test_a_command_meeting_the_server_is_sent_to_it(live_server: Any) -> None:
    """The server owns the store: a command in another process is refused, told the
    server's URL (exit 6, no traceback); the API answers meanwhile."""
    viewer = live_server.store.tokens["viewer"]
    r = httpx.get(f"{live_server.url}/api/events?_size=1", headers=viewer, timeout=STUCK)
    assert r.status_code == 200 and r.json()["count"] > 0
    done = _cli("events", "--db", str(live_server.store.path), "--limit", "1")
    assert done.returncode == 6, done.stderr
    assert live_server.url in done.stderr
    assert "Traceback" not in done.stderr
    written = _cli("init", "--db", str(live_server.store.path))
    assert written.returncode == 6 and live_server.url in written.stderr


def test_the_store_is_let_go_when_the_server_stops(fresh_store: Any) -> None:
    """After the server stops, commands use the store again."""
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    with TestClient(create_app(fresh_store.path)) as client:
        assert client.get("/api/events?_size=1", headers=fresh_store.tokens["viewer"]).is_success
    done = _cli("events", "--db", str(fresh_store.path), "--limit", "1", "--format", "json")
    assert done.returncode == 0, done.stderr


# -- accordwatch serve ----------------------------------------------------------------------
@pytest.fixture
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """``uvicorn.run`` recorded instead of run: what ``accordwatch serve`` would serve."""
    import uvicorn

    calls: list[dict[str, Any]] = []

    def run(app: Any, **kw: Any) -> None:
        owner = app.state.owner
        calls.append({"app": app, "owner_open": owner is not None and not owner.closed, **kw})

    monkeypatch.setattr(uvicorn, "run", run)
    return calls


def test_serve_binds_loopback_by_default(
    cli: Any, fresh_store: Any, no_uvicorn: list[dict[str, Any]]
) -> None:
    code, _, err = cli("serve", "--db", str(fresh_store.path), "--port", "8123")
    assert code == 0, err
    (call,) = no_uvicorn
    assert call["host"] == "127.0.0.1" and call["port"] == 8123
    assert call["owner_open"], "the store is owned before the server starts"
    assert call["app"].state.url == "http://127.0.0.1:8123"
    assert call["app"].state.owner.closed, "and let go when it stops"
    assert "warning" not in err
    assert "http://127.0.0.1:8123" in err


def test_serve_warns_when_binding_elsewhere(
    cli: Any, fresh_store: Any, no_uvicorn: list[dict[str, Any]]
) -> None:
    code, _, err = cli("serve", "--db", str(fresh_store.path), "--host", "0.0.0.0")
    assert code == 0, err
    assert "warning" in err and "other machines" in err
    assert no_uvicorn[0]["host"] == "0.0.0.0"


def test_serve_on_a_busy_store_is_one_line_of_error(
    cli: Any, live_server: Any, no_uvicorn: list[dict[str, Any]]
) -> None:
    code, _, err = cli("serve", "--db", str(live_server.store.path))
    assert code == 4, err  # this process's own server holds it
    assert "Traceback" not in err and not no_uvicorn


def test_serve_lets_go_of_the_store_on_sigterm(fresh_store: Any) -> None:
    """A real ``accordwatch serve`` stopped with SIGTERM (uvicorn ends the process as soon
    as the app has stopped): the store is closed and its owner record removed."""
    import signal
    import time

    from conftest import free_port

    port = free_port()
    record = Path(str(fresh_store.path) + ".owner.json")
    proc = subprocess.Popen(
        [sys.executable, "-m", "accordwatch", "serve", "--db", str(fresh_store.path)]
        + ["--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + STUCK
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/openapi.json").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert record.exists()
        proc.send_signal(signal.SIGTERM)
        proc.wait(STUCK)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not record.exists()
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    done = _cli("events", "--db", str(fresh_store.path), "--limit", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
