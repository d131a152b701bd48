"""Every kind of error in one place: under /api the body is always
``{"error": {"status", "message", "fix"}}`` (the status the response has, a message, what to
do) — unknown route, wrong method, a parameter of the wrong type, bad filter values, no or a
bad token, a role too low, a missing CSRF token — and the messages name the API's
parameters, never the command's options; a browser asking a page gets a readable HTML page
instead (no JSON, no stack trace)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

PASSWORD = "a long enough password"


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message", "fix"}
    err: dict[str, Any] = body["error"]
    assert err["status"] == status and err["message"] and err["fix"]
    assert "Traceback" not in r.text
    return err


@pytest.mark.parametrize(
    ("method", "url", "who", "status", "words"),
    [
        ("GET", "/api/no-such-list", "viewer", 404, "/api/no-such-list"),
        ("DELETE", "/api/events", "viewer", 405, "DELETE"),
        ("GET", "/api/events?min_deaths=lots", "viewer", 422, "min_deaths"),
        ("GET", "/api/events?lineage=2", "viewer", 422, "lineage"),
        ("GET", "/api/events?_size=true", "viewer", 422, "_size"),
        ("GET", "/api/events?_next=garbage", "viewer", 400, "_next"),
        ("GET", "/api/events?since=2020&until=2019", "viewer", 400, "since"),
        ("GET", "/api/stats?since=2020&until=2019", "viewer", 400, "since"),
        ("GET", "/api/stats?region=Nowhereland", "viewer", 404, "/api/stats?by=region"),
        ("GET", "/api/stats?by=planet", "viewer", 422, "by"),
        ("GET", "/api/stats?actor=Nobody%20Known", "viewer", 404, "/api/stats?by=actor"),
        ("GET", "/api/events", None, 401, "Bearer"),
        ("GET", "/api/events", "bad", 401, "token"),
        ("POST", "/api/ingest", "viewer", 403, "admin"),
        ("GET", "/api/agreements/999999", "viewer", 404, "999999"),
        ("GET", "/api/briefings/Atlantis", "viewer", 404, "Atlantis"),
    ],
)
def test_api_errors_have_one_shape(
    api: Any, tokens: Any, method: str, url: str, who: str | None, status: int, words: str
) -> None:
    headers = {"bad": {"Authorization": "Bearer aw_not-a-token"}, None: {}}.get(who)
    if headers is None:
        headers = tokens[str(who)]
    err = _error(api.request(method, url, headers=headers), status)
    assert words in err["message"] + " " + err["fix"]
    assert not re.search(r"(?<![\w-])--[a-z]", err["message"] + err["fix"]), err  # no options


def _logged_in(api: Any, name: str) -> TestClient:
    client = TestClient(api.app, raise_server_exceptions=False)
    client.get("/login")
    form = {"name": name, "password": PASSWORD, "csrftoken": client.cookies["csrftoken"]}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def test_a_write_without_the_csrf_token_has_the_same_shape(api: Any) -> None:
    client = _logged_in(api, "ana")
    err = _error(client.post("/api/tokens", json={"name": "x"}), 403)
    assert "CSRF" in err["message"] and "x-csrftoken" in err["fix"]


def _page(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text.lower() and "Traceback" not in r.text
    assert not r.text.lstrip().startswith("{")
    return str(r.text)


def test_pages_answer_errors_with_a_readable_page(api: Any) -> None:
    html = {"Accept": "text/html,application/xhtml+xml"}
    viewer = _logged_in(api, "vic")
    assert "/no-such-page" in _page(viewer.get("/no-such-page", headers=html), 404)
    # a form without its CSRF token is refused before any route is looked at
    assert "expired" in _page(viewer.post("/digest", headers=html, data={}), 403)
    assert "months" in _page(viewer.get("/?months=many", headers=html), 422)
    assert "admin" in _page(viewer.get("/admin/users", headers=html), 403)
    anonymous = TestClient(api.app, raise_server_exceptions=False)
    moved = anonymous.get("/events", headers=html, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"].startswith("/login")
    wrong = anonymous.put("/", headers=html)
    assert "PUT" in _page(wrong, 405)


@pytest.mark.parametrize(
    ("cli", "api"),
    [
        ("`accordwatch stats --by region` lists them", "`/api/stats?by=region` lists them"),
        ("find ids with `accordwatch accords list --country C`", "`/api/agreements?country=C`"),
        ("--since 2020-01-01 is after --until 2019-12-31", "since 2020-01-01 is after until"),
        ("add --country BFA or --country CIV to choose", "add country=BFA or country=CIV"),
        ("--min-deaths must be zero or more", "min_deaths must be zero or more"),
        ("load one with `accordwatch ingest ucdp GEDEvent_v25_1.csv`", "`POST /api/ingest`"),
    ],
)
def test_messages_name_the_apis_words(cli: str, api: str) -> None:
    from accordwatch.web._errors import api_words

    assert api in api_words(cli)
