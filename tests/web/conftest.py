"""Fixtures of the web app's tests: an app on a copy of the seeded store, with one user of
each role and an API token for each, driven by FastAPI's TestClient (the app's lifespan
runs: the store is owned by the app while a client is open).

* ``web_store`` (module): a copy of the seeded store with the users ``ada`` (admin),
  ``ana`` (analyst) and ``vic`` (viewer); ``tokens`` maps each role to its bearer header.
* ``api`` (module): a client of an app on that store, for tests that only read.
* ``fresh_store`` / ``fresh_api`` (function): the same on a store of the test's own, for
  tests that write.
* ``web_template`` (session): the store the others copy, made once.
* ``web_store_of`` (session): :func:`make_web_store`, for a module's own template store.
* ``live_server``: a real uvicorn server on 127.0.0.1 in a thread (its URL).
* ``queue_report``: puts two review candidates in the store of a client's app.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis' tests carry their operation in their name (``test_…[GET /api/events]``)
    but, under pytest 9, not in their node id: all operations of a test would share one id,
    and pytest-xdist, which hands tests out by id, would run only the first.  Each such test
    gets the id its name says."""
    from _pytest.nodeid import NodeId

    for item in items:
        label = getattr(item, "operation_label", None)
        if label and item.parent is not None and item.nodeid.rpartition("::")[2] != item.name:
            item._id = NodeId.parse(f"{item.parent.nodeid}::{item.name}")  # type: ignore[attr-defined]


#: the accounts every web test store has: name → role
ACCOUNTS = {"ada": "admin", "ana": "analyst", "vic": "viewer"}
PASSWORD = "a long enough password"


@dataclass
class WebStore:
    """A store for the web app, its accounts' bearer headers by role."""

    path: Path
    tokens: dict[str, dict[str, str]]


def _cheap_hashes() -> pytest.MonkeyPatch:
    from accordwatch._app import users

    patch = pytest.MonkeyPatch()
    patch.setenv(users.TEST_HASH_VAR, "1")
    return patch


def make_web_store(template: Path, target: Path) -> WebStore:
    """Copy ``template`` to ``target`` and add the accounts of :data:`ACCOUNTS` with a token
    each (through accordwatch._app.users, before any app owns the store)."""
    from accordwatch._app import users

    shutil.copy(template, target)
    tokens = {}
    for name, role in ACCOUNTS.items():
        users.add_user(name, role, PASSWORD, db=target, by="tests")
        made = users.create_token(name, "tests", db=target, by="tests")
        tokens[role] = {"Authorization": f"Bearer {made['token']}"}
    return WebStore(target, tokens)


@pytest.fixture(scope="session")
def web_store_of() -> Callable[[Path, Path], WebStore]:
    """:func:`make_web_store`, for a test module whose store starts from a template of its
    own."""
    return make_web_store


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashes in every web test (argon2 at full cost takes ~0.5 s each)."""
    from accordwatch._app import users

    monkeypatch.setenv(users.TEST_HASH_VAR, "1")


@pytest.fixture(scope="session")
def web_template(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> WebStore:
    """:func:`make_web_store` on the seeded store, made once per session; the web tests'
    stores are copies of it (the same accounts and tokens)."""
    patch = _cheap_hashes()
    try:
        target = tmp_path_factory.mktemp("web-template") / "web.duckdb"
        return make_web_store(seeded_template, target)
    finally:
        patch.undo()


def copy_web_store(template: WebStore, target: Path) -> WebStore:
    """A copy of the store ``template`` at ``target``, with its bearer headers."""
    shutil.copy(template.path, target)
    return WebStore(target, {role: dict(header) for role, header in template.tokens.items()})


@pytest.fixture(scope="module")
def web_store(web_template: WebStore, tmp_path_factory: pytest.TempPathFactory) -> WebStore:
    return copy_web_store(web_template, tmp_path_factory.mktemp("web") / "web.duckdb")


@pytest.fixture
def fresh_store(web_template: WebStore, tmp_path: Path) -> WebStore:
    return copy_web_store(web_template, tmp_path / "fresh.duckdb")


def _client(path: Path, **kw: Any) -> Any:
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    return TestClient(create_app(path, **kw), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def api(web_store: WebStore) -> Iterator[Any]:
    """A TestClient of an app on ``web_store`` (module scope: for tests that only read)."""
    with _client(web_store.path) as client:
        yield client


@pytest.fixture
def fresh_api(fresh_store: WebStore) -> Iterator[Any]:
    """A TestClient of an app on ``fresh_store`` (for tests that write)."""
    with _client(fresh_store.path) as client:
        yield client


@pytest.fixture
def tokens(web_store: WebStore) -> dict[str, dict[str, str]]:
    return web_store.tokens


#: two made-up reports (not news text) that the extractor turns into two review candidates
REPORT = (
    "On 3 March 2024, FAMa soldiers and JNIM fighters clashed near Gao; five soldiers were "
    "killed. On 9 March 2024, gunmen attacked a market in Tessalit, killing two civilians."
)


@pytest.fixture
def queue_report() -> Any:
    """``queue_report(client)`` queues the two candidates of :data:`REPORT` in the store of
    the client's app (through its writer) and returns their ids."""
    import accordwatch as aw
    from accordwatch.extract import extract_text

    def queue(client: Any) -> list[int]:
        result = extract_text(REPORT, published="2024-03-12")
        ids: list[int] = client.app.state.owner.execute_write(
            lambda store: aw.queue_extraction(result, db=store)
        )
        return ids

    return queue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    store: WebStore
    app: Any


@pytest.fixture
def live_server(fresh_store: WebStore) -> Iterator[LiveServer]:
    """A real uvicorn server on 127.0.0.1 in a thread, owning ``fresh_store``, recorded with
    its URL; stopped (and the store let go) afterwards."""
    import uvicorn

    from accordwatch.web import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(fresh_store.path)
    app.state.url = url
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url, fresh_store, app)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
