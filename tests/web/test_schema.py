"""Schemathesis against the app's own OpenAPI schema: generated requests to every
operation — the reads, the briefings and the writes (POST / DELETE) — logged in as an admin
with a bearer token, on a throwaway copy of the seeded store: no answer may be a server
error, and every answer must match the schema it is documented with.

Bounded: generated examples only (no coverage or stateful phase), :data:`EXAMPLES` per read,
:data:`WRITE_EXAMPLES` per write and :data:`BRIEFING_EXAMPLES` for the briefing (a briefing
of a real country takes seconds).  What a write wrote is checked by its own tests.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accordwatch.web import create_app

#: examples per read operation, per write, and for the briefing
EXAMPLES = 6
WRITE_EXAMPLES = 6
BRIEFING_EXAMPLES = 4

# The schema is read from the app itself (no request needed); the store the app serves is
# filled by the module's fixture, before the first generated request.
_FOLDER = Path(tempfile.mkdtemp(prefix="accordwatch-schema-"))
APP = create_app(_FOLDER / "schema.duckdb")
#: bounded: generated examples only (no coverage or stateful phase), EXAMPLES per operation
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES},
    }
)
whole = schemathesis.openapi.from_dict(APP.openapi(), config=CONFIG)
whole.app = APP
whole.location = "/api/openapi.json"
schema = whole.include(method="GET").exclude(path_regex=r"^/api/briefings/")
briefings = whole.include(method="GET", path_regex=r"^/api/briefings/")
writes = whole.exclude(method="GET")
_HEADERS: dict[str, str] = {}
#: the id of the token the generated requests use (no generated DELETE may revoke it)
_OWN_TOKEN: list[int] = []


@pytest.fixture(scope="module", autouse=True)
def _served_store(seeded_template: Path) -> Iterator[None]:
    """A copy of the seeded store with its accounts, owned for the whole module (each
    generated call runs the app's lifespan, which leaves an owner it did not open alone)."""
    from accordwatch._app import users
    from accordwatch._app.server import close_owner, open_owner
    from conftest import make_web_store  # tests/web/conftest.py

    patch = pytest.MonkeyPatch()
    patch.setenv(users.TEST_HASH_VAR, "1")
    try:
        made = make_web_store(seeded_template, Path(APP.state.db))
    finally:
        patch.undo()
    _HEADERS.update(made.tokens["admin"])
    from accordwatch._app.users import list_tokens

    _OWN_TOKEN.extend(int(t["id"]) for t in list_tokens("ada", db=APP.state.db))
    APP.state.owner = open_owner(APP.state.db)
    try:
        yield
    finally:
        close_owner(APP.state.owner)
        shutil.rmtree(_FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_get_operations_keep_to_the_schema(case: Any) -> None:
    case.call_and_validate(
        headers=dict(_HEADERS), checks=[not_a_server_error, response_schema_conformance]
    )


@briefings.parametrize()
@settings(
    max_examples=BRIEFING_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_briefings_keep_to_the_schema(case: Any) -> None:
    case.call_and_validate(
        headers=dict(_HEADERS), checks=[not_a_server_error, response_schema_conformance]
    )


@writes.parametrize()
@settings(
    max_examples=WRITE_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_writes_keep_to_the_schema(case: Any) -> None:
    token_id = str((case.path_parameters or {}).get("token_id", ""))
    assume(not token_id.isdigit() or int(token_id) not in _OWN_TOKEN)
    case.call_and_validate(
        headers=dict(_HEADERS), checks=[not_a_server_error, response_schema_conformance]
    )
