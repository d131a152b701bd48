"""Schemathesis against the app's own OpenAPI schema: generated requests to every GET
operation (bounded: a few examples each), logged in as an admin with a bearer token — no
answer may be a server error, and every answer must match the schema it is documented with.

The briefing is left out (each example builds a whole briefing, seconds each; its own tests
are in test_api.py).  Writes are covered by their own tests, which check what they wrote.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accordwatch.web import create_app

#: examples per operation
EXAMPLES = 10

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
schema = schemathesis.openapi.from_dict(APP.openapi(), config=CONFIG)
schema.app = APP
schema.location = "/api/openapi.json"
schema = schema.include(method="GET").exclude(path_regex=r"^/api/briefings/")
_HEADERS: dict[str, str] = {}


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
