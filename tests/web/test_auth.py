"""Logging in and out, session cookies, CSRF, the login rate limit, roles and API tokens of
the web app (FastAPI's TestClient on ``create_app`` over a copy of the seeded store with the
accounts of tests/web/conftest.py: ada admin, ana analyst, vic viewer)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accordwatch.web import create_app

#: the password of every account of tests/web/conftest.py
PASSWORD = "a long enough password"


@contextmanager
def _client(path: Any, **kw: Any) -> Iterator[TestClient]:
    base_url = kw.pop("base_url", "http://testserver")
    app = create_app(path, **kw)
    with TestClient(app, base_url=base_url, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def site(web_store: Any) -> Iterator[Any]:
    """One app on the module's store (tests that change no account share it)."""
    with _client(web_store.path) as running:
        yield running.app


@pytest.fixture
def client(site: Any) -> TestClient:
    """A client of the shared app with cookies of its own."""
    return TestClient(site, raise_server_exceptions=False)


def _csrf(client: TestClient) -> str:
    """The CSRF token of the client (a page sets the cookie the first time)."""
    if "csrftoken" not in client.cookies:
        client.get("/login")
    return str(client.cookies["csrftoken"])


def _login(client: TestClient, name: str, password: str = PASSWORD, **extra: str) -> Any:
    form = {"name": name, "password": password, "csrftoken": _csrf(client), **extra}
    return client.post("/login", data=form, follow_redirects=False)


def _set_cookies(response: Any) -> dict[str, str]:
    """The Set-Cookie headers of a response by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


# -- login and logout ------------------------------------------------------------------------
def test_login_page_carries_the_csrf_token_in_its_form(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    token = client.cookies["csrftoken"]
    assert f'name="csrftoken" value="{token}"' in page.text
    assert 'name="password"' in page.text and "<script" not in page.text


def test_login_sets_an_httponly_lax_session_cookie_and_keeps_only_its_hash(
    client: TestClient,
) -> None:
    done = _login(client, "ana", next="/admin/audit?user=x")
    assert done.status_code == 303 and done.headers["location"] == "/admin/audit?user=x"
    cookie = _set_cookies(done)["accordwatch_session"]
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags  # plain http
    session = client.cookies["accordwatch_session"]
    me = client.get("/api/me").json()
    assert (me["name"], me["role"], me["anonymous"]) == ("ana", "analyst", False)
    owner = client.app.state.owner
    stored = owner.read(lambda s: s.query("SELECT session_hash FROM sessions"))
    assert hashlib.sha256(session.encode()).hexdigest() in set(stored["session_hash"])
    assert session not in set(stored["session_hash"])
    assert len(session) >= 40


def test_every_login_starts_a_new_session(client: TestClient) -> None:
    _login(client, "vic")
    first = client.cookies["accordwatch_session"]
    _login(client, "vic")
    second = client.cookies["accordwatch_session"]
    assert first != second
    replay = TestClient(client.app)
    replay.cookies.set("accordwatch_session", first)
    assert replay.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 200


def test_account_pages_are_neither_cached_nor_framed(client: TestClient) -> None:
    page = client.get("/login")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_session_and_csrf_cookies_are_secure_over_https(fresh_store: Any) -> None:
    with _client(fresh_store.path, base_url="https://testserver") as client:
        done = _login(client, "vic")
        assert done.status_code == 303
        assert "secure" in _set_cookies(done)["accordwatch_session"].lower()
        page = TestClient(client.app, base_url="https://testserver").get("/login")
        assert "secure" in _set_cookies(page)["csrftoken"].lower()


def test_secure_setting_marks_cookies_secure_over_http_too(fresh_store: Any) -> None:
    """(Behind a proxy that ends TLS: the app sees http, the browser https.)"""
    with _client(fresh_store.path, secure=True) as client:
        page = client.get("/login")
        assert "secure" in _set_cookies(page)["csrftoken"].lower()
        token = client.cookies["csrftoken"]
        client.cookies.clear()  # a browser on https would send the Secure cookie back
        done = client.post(
            "/login",
            data={"name": "vic", "password": PASSWORD, "csrftoken": token},
            headers={"cookie": f"csrftoken={token}"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert "secure" in _set_cookies(done)["accordwatch_session"].lower()


def test_wrong_password_and_unknown_name_are_refused_alike(client: TestClient) -> None:
    wrong = _login(client, "ana", "not the password")
    unknown = _login(client, "nobody", PASSWORD)
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Wrong name or password" in answer.text
        assert "accordwatch_session" not in _set_cookies(answer)
    assert client.get("/api/me").status_code == 401


def test_login_without_the_csrf_token_is_refused(client: TestClient) -> None:
    answer = client.post(  # no cookies at all: still checked
        "/login", data={"name": "ana", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert "accordwatch_session" not in client.cookies


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_login_never_redirects_to_another_site(client: TestClient, target: str) -> None:
    done = _login(client, "vic", next=target)
    assert done.status_code == 303 and done.headers["location"] == "/"


def test_logout_ends_the_session_for_good(client: TestClient) -> None:
    _login(client, "ana")
    session = client.cookies["accordwatch_session"]
    refused = client.post("/logout", follow_redirects=False)  # no CSRF token
    assert refused.status_code == 403
    done = client.post("/logout", data={"csrftoken": _csrf(client)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert client.get("/api/me").status_code == 401
    client.cookies.set("accordwatch_session", session)  # replaying the old cookie
    assert client.get("/api/me").status_code == 401


def test_disabling_a_user_ends_their_open_session(fresh_api: TestClient) -> None:
    viewer = TestClient(fresh_api.app)
    _login(viewer, "vic")
    assert viewer.get("/api/me").status_code == 200
    _login(fresh_api, "ada")
    fresh_api.post("/admin/users/vic/disable", data={"csrftoken": _csrf(fresh_api)})
    assert viewer.get("/api/me").status_code == 401
    assert _login(viewer, "vic").status_code == 401


# -- rate limit ------------------------------------------------------------------------------
def test_logins_are_rate_limited_per_name_and_address(fresh_store: Any) -> None:
    with _client(fresh_store.path) as client:
        for _ in range(5):
            assert _login(client, "ana", "wrong password").status_code == 401
        limited = _login(client, "ana", PASSWORD)  # even the right password now waits
        assert limited.status_code == 429
        assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60
        assert "Too many failed logins" in limited.text
        assert "accordwatch_session" not in client.cookies
        assert _login(client, "vic").status_code == 303  # another name goes ahead
    with _client(fresh_store.path) as client:  # a restart does not reset the count
        assert _login(client, "ana").status_code == 429


# -- CSRF ------------------------------------------------------------------------------------
def test_cookie_authenticated_writes_need_the_csrf_token(client: TestClient) -> None:
    _login(client, "ada")
    form = {"name": "csrf-newbie", "role": "viewer", "password": PASSWORD}
    refused = client.post("/admin/users", data=form, follow_redirects=False)
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    forged = client.post(
        "/admin/users", data={**form, "csrftoken": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403
    done = client.post(
        "/admin/users", data={**form, "csrftoken": _csrf(client)}, follow_redirects=False
    )
    assert done.status_code == 303 and "done=added" in done.headers["location"]


def test_cookie_authenticated_json_calls_need_the_csrf_header(client: TestClient) -> None:
    _login(client, "ana")
    refused = client.post("/api/tokens", json={"name": "script"})
    assert refused.status_code == 403
    assert refused.json()["error"]["status"] == 403
    assert "x-csrftoken" in refused.json()["error"]["fix"]
    made = client.post(
        "/api/tokens", json={"name": "script"}, headers={"x-csrftoken": _csrf(client)}
    )
    assert made.status_code == 201


def test_bearer_token_calls_are_exempt_from_csrf(client: TestClient, web_store: Any) -> None:
    client.get("/login")  # a CSRF cookie is there, but the request carries a token
    made = client.post("/api/tokens", json={"name": "ci"}, headers=web_store.tokens["viewer"])
    assert made.status_code == 201


def test_a_bearer_header_never_falls_back_to_the_session_cookie(client: TestClient) -> None:
    _login(client, "ada")
    forged = client.post(
        "/api/tokens", json={"name": "x"}, headers={"Authorization": "Bearer aw_not-a-token"}
    )
    assert forged.status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401


# -- roles -----------------------------------------------------------------------------------
def test_api_refusals_are_json_401_then_403(client: TestClient, web_store: Any) -> None:
    anonymous = client.get("/api/audit")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["error"]["status"] == 401
    for role in ("viewer", "analyst"):
        refused = client.get("/api/audit", headers=web_store.tokens[role])
        assert refused.status_code == 403, role
        assert "needs admin" in refused.json()["error"]["message"]
    assert client.get("/api/audit", headers=web_store.tokens["admin"]).status_code == 200


def test_page_refusals_redirect_to_login_then_show_a_403_page(client: TestClient) -> None:
    anonymous = client.get("/admin/users?x=1", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/users%3Fx%3D1"
    _login(client, "ana")
    refused = client.get("/admin/users")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "needs the role admin" in refused.text
    denied = client.post(
        "/admin/users/vic/disable", data={"csrftoken": _csrf(client)}, follow_redirects=False
    )
    assert denied.status_code == 403
    _login(client, "ada")
    assert client.get("/admin/users").status_code == 200


def test_anonymous_reading_only_when_the_operator_allows_it(fresh_store: Any) -> None:
    with _client(fresh_store.path) as closed:
        assert closed.get("/api/me").status_code == 401
    with _client(fresh_store.path, anonymous_read=True) as open_:
        me = open_.get("/api/me")
        assert me.status_code == 200 and me.json()["anonymous"] is True
        assert me.json()["role"] == "viewer"
        assert open_.get("/api/audit").status_code == 401  # reading only, as a viewer
        assert open_.post("/api/tokens", json={"name": "x"}).status_code == 401


# -- API tokens ------------------------------------------------------------------------------
def test_api_token_is_shown_once_and_revocable(client: TestClient, web_store: Any) -> None:
    headers = web_store.tokens["analyst"]
    made = client.post("/api/tokens", json={"name": "laptop"}, headers=headers)
    assert made.status_code == 201
    token = made.json()["token"]
    listed = client.get("/api/tokens", headers=headers).json()
    assert {"laptop", "tests"} <= {t["name"] for t in listed}
    assert token not in repr(listed) and all("token" not in t for t in listed)
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=mine).json()["name"] == "ana"
    gone = client.delete(f"/api/tokens/{made.json()['id']}", headers=mine)
    assert gone.status_code == 200 and gone.json()["revoked"] is not None
    assert client.get("/api/me", headers=mine).status_code == 401


def test_only_admins_revoke_other_peoples_tokens(client: TestClient, web_store: Any) -> None:
    made = client.post("/api/tokens", json={}, headers=web_store.tokens["viewer"]).json()
    other = client.delete(f"/api/tokens/{made['id']}", headers=web_store.tokens["analyst"])
    assert other.status_code == 404
    admin = client.delete(f"/api/tokens/{made['id']}", headers=web_store.tokens["admin"])
    assert admin.status_code == 200


def test_token_requests_are_checked(client: TestClient, web_store: Any) -> None:
    headers = web_store.tokens["viewer"]
    assert client.post("/api/tokens", json={"name": ""}, headers=headers).status_code == 422
    assert client.post("/api/tokens", json={"name": 5}, headers=headers).status_code == 422
    assert client.delete("/api/tokens/abc", headers=headers).status_code == 422
    assert client.delete("/api/tokens/999", headers=headers).status_code == 404


# -- admin: users ----------------------------------------------------------------------------
def test_admin_adds_disables_and_resets_users_in_the_browser(fresh_api: TestClient) -> None:
    _login(fresh_api, "ada")
    token = _csrf(fresh_api)
    added = fresh_api.post(
        "/admin/users",
        data={"name": "Newbie", "role": "analyst", "password": PASSWORD, "csrftoken": token},
    )
    assert added.status_code == 200 and "newbie was added." in added.text
    short = fresh_api.post(
        "/admin/users",
        data={"name": "other", "role": "viewer", "password": "short", "csrftoken": token},
    )
    assert short.status_code == 400 and "too short" in short.text
    role = fresh_api.post("/admin/users/newbie/role", data={"role": "admin", "csrftoken": token})
    assert "newbie was given a new role." in role.text
    reset = fresh_api.post(
        "/admin/users/newbie/password",
        data={"password": "another long password", "csrftoken": token},
    )
    assert "logged out everywhere" in reset.text
    disabled = fresh_api.post("/admin/users/newbie/disable", data={"csrftoken": token})
    assert "newbie was disabled." in disabled.text
    missing = fresh_api.post("/admin/users/ghost/disable", data={"csrftoken": token})
    assert missing.status_code == 404 and "no user" in missing.text
    fresh_api.post("/logout", data={"csrftoken": token})
    assert _login(fresh_api, "newbie", "another long password").status_code == 401
    rows = re.findall(r"<td>(\w+)</td>\s*<td>", added.text)
    assert "newbie" in rows
