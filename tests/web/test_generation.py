"""The web app's data version: the "last used" notes a token or a session writes leave it
(and the event list held in memory, and the kept answers) as they were; every other write
moves it.  The list held in memory is built when the app starts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from accordwatch._app import users
from conftest import WebStore, make_web_store


def _client(path: Path) -> Any:
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    return TestClient(create_app(path), raise_server_exceptions=False)


def _all_noted(owner: Any, timeout: float = 30.0) -> None:
    """Wait until every token was noted as used (the notes are written in the background)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        tokens = owner.read(lambda s: users.list_tokens(db=s))
        if all(t["last_used"] is not None for t in tokens):
            return
        time.sleep(0.02)
    raise AssertionError(f"not every token was noted as used: {tokens}")


def test_the_list_model_is_built_when_the_app_starts(web_store: WebStore) -> None:
    with _client(web_store.path) as client:
        models = client.app.state.list_models  # made by the app's start, before any list
        model = models.wait()
        assert model is not None and model.generation == client.app.state.owner.data_generation


def test_last_used_notes_leave_the_data_version(seeded_template: Path, tmp_path: Path) -> None:
    web = make_web_store(seeded_template, tmp_path / "notes.duckdb")
    with _client(web.path) as client:
        state = client.app.state
        owner = state.owner
        model = state.list_models.wait()
        assert model is not None
        kept = client.get("/api/events?_size=3", headers=web.tokens["viewer"])
        assert kept.status_code == 200
        data, writes = owner.data_generation, owner.generation
        # a token never used before is noted as used (in the background)
        for role in ("analyst", "admin"):
            assert client.get("/api/events?_size=2", headers=web.tokens[role]).status_code == 200
        _all_noted(owner)
        assert owner.generation >= writes + 2
        assert owner.data_generation == data
        assert state.list_models.current() is model  # not rebuilt
        # a write that changes what a list shows moves the version: the model is rebuilt
        admin = web.tokens["admin"]
        made = client.post("/api/tokens", json={"name": "more"}, headers=admin)
        assert made.status_code == 201, made.text
        assert owner.data_generation > data
        assert state.list_models.current() is None
        rebuilt = state.list_models.wait()
        assert rebuilt is not None and rebuilt is not model
        again = client.get("/api/events?_size=3", headers=web.tokens["viewer"])
        assert again.content == kept.content


def test_a_write_starts_the_new_model_at_once(seeded_template: Path, tmp_path: Path) -> None:
    import shutil

    from accordwatch.store import StoreOwner
    from accordwatch.web._api_events import LIST_COLUMNS
    from accordwatch.web._readmodel import ListModels

    path = tmp_path / "rebuild.duckdb"
    shutil.copy(seeded_template, path)
    with StoreOwner(path) as owner:
        models = ListModels(owner, LIST_COLUMNS)
        before = models.wait()
        assert before is not None
        owner.execute_write(lambda s: s.set_meta("noted", "yes"), bookkeeping=True)
        assert models.model is before
        owner.execute_write(lambda s: s.set_meta("changed", "yes"))
        # nobody asks for a list: the write itself started the new model's build
        end = time.monotonic() + 60
        while time.monotonic() < end:
            found = models.model
            if found is not None and found.generation == owner.data_generation:
                break
            time.sleep(0.02)
        assert models.model is not None and models.model is not before
        assert models.model.generation == owner.data_generation
        models.close()
