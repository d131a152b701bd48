"""The audit log through the web app: changes recorded with who, when, what, before, after
and the client's address; browsed, filtered, paged and exported by admins only; shown
escaped."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import Depends, Request
from fastapi.testclient import TestClient

from accordwatch.web import create_app
from accordwatch.web._auth import User, audit, require

PASSWORD = "a long enough password"  # of the accounts of tests/web/conftest.py
HOSTILE = "<script>alert('x')</script>"


async def _probe(
    request: Request, user: Annotated[User, Depends(require("analyst"))], n: int = 1
) -> dict[str, int]:
    """A write endpoint as W1's and W3's are: the change, then its audit entry."""
    entry = await audit(request, user, "probe.change", f"thing:{n}", {"v": n}, {"v": n + 1})
    return {"entry": entry}


async def _hostile(request: Request, user: Annotated[User, Depends(require("analyst"))]) -> None:
    await audit(request, user, "probe.hostile", HOSTILE, {"text": HOSTILE}, None)


@pytest.fixture(scope="module")
def site(web_store: Any) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """An app on the module's store with two probe write endpoints, and the bearer headers."""
    app = create_app(web_store.path)
    app.add_api_route("/api/probe", _probe, methods=["POST"])
    app.add_api_route("/api/probe-hostile", _hostile, methods=["POST"])
    with TestClient(app, raise_server_exceptions=False) as client:
        for n in range(1, 8):
            assert client.post(f"/api/probe?n={n}", headers=web_store.tokens["analyst"]).is_success
        client.post("/api/probe-hostile", headers=web_store.tokens["analyst"])
        yield client, web_store.tokens


@pytest.fixture
def admin(site: tuple[TestClient, Any]) -> TestClient:
    """A client of the module's app logged in as the admin ada."""
    client = TestClient(site[0].app, raise_server_exceptions=False)
    client.get("/login")
    form = {"name": "ada", "password": PASSWORD, "csrftoken": client.cookies["csrftoken"]}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def test_a_change_is_recorded_with_who_what_before_after_and_address(
    site: tuple[TestClient, Any],
) -> None:
    client, tokens = site
    entries = client.get("/api/audit?action=probe.change", headers=tokens["admin"]).json()
    assert len(entries) == 7
    newest = entries[0]
    assert (newest["user"], newest["action"], newest["target"]) == (
        "ana",
        "probe.change",
        "thing:7",
    )
    assert (newest["before"], newest["after"]) == ({"v": 7}, {"v": 8})
    assert newest["ip"] == "testclient" and newest["at"]
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)


def test_logins_and_logouts_are_recorded(admin: TestClient, site: tuple[TestClient, Any]) -> None:
    admin.post("/logout", data={"csrftoken": admin.cookies["csrftoken"]})
    client, tokens = site
    found = client.get("/api/audit?user=ada&action=log", headers=tokens["admin"]).json()
    assert found == []  # an action is matched exactly …
    found = client.get("/api/audit?user=ada", headers=tokens["admin"]).json()
    actions = [e["action"] for e in found]
    assert actions[:2] == ["logout", "login"]  # … newest first


def test_only_admins_see_the_audit_log(site: tuple[TestClient, Any]) -> None:
    client, tokens = site
    for path in ("/api/audit", "/admin/audit.csv", "/admin/audit.json"):
        assert client.get(path, headers=tokens["analyst"]).status_code == 403, path
        assert TestClient(client.app).get(path, follow_redirects=False).status_code in (303, 401)
    page = TestClient(client.app).get("/admin/audit", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")


def test_the_audit_page_lists_filters_and_pages(admin: TestClient) -> None:
    page = admin.get("/admin/audit?action=probe.change&limit=3")
    assert page.status_code == 200
    assert page.text.count("<td>probe.change</td>") == 3
    assert "thing:7" in page.text and "thing:4" not in page.text
    older = page.text.split('href="/admin/audit?')[-1].split('"')[0].replace("&amp;", "&")
    assert "before=" in older and "action=probe.change" in older
    second = admin.get(f"/admin/audit?{older}&limit=3")
    assert "thing:4" in second.text and "thing:7" not in second.text
    assert 'href="/admin/audit.csv?action=probe.change"' in page.text


def test_the_audit_page_shows_everything_escaped(admin: TestClient) -> None:
    page = admin.get("/admin/audit?action=probe.hostile")
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text


def test_a_bad_filter_says_what_to_fix(admin: TestClient, site: tuple[TestClient, Any]) -> None:
    page = admin.get("/admin/audit?since=last+week")
    assert page.status_code == 400 and "YYYY-MM-DD" in page.text
    client, tokens = site
    api = client.get("/api/audit?since=last+week", headers=tokens["admin"])
    assert api.status_code == 400 and "YYYY-MM-DD" in api.json()["error"]["message"]
    assert client.get("/api/audit?limit=0", headers=tokens["admin"]).status_code == 422
    assert admin.get("/admin/audit.xml").status_code == 404


def test_the_audit_log_exports_as_csv_and_json_with_the_filters(admin: TestClient) -> None:
    exported = admin.get("/admin/audit.csv?action=probe.change&user=ana")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="accordwatch-audit.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 7 and {r["user"] for r in rows} == {"ana"}
    assert json.loads(rows[0]["after"]) == {"v": 8}
    as_json = admin.get("/admin/audit.json?action=probe.change&user=ana")
    assert as_json.headers["content-type"].startswith("application/json")
    assert [e["target"] for e in as_json.json()] == [r["target"] for r in rows]


def test_changes_to_users_in_the_browser_are_audited(admin: TestClient) -> None:
    token = admin.cookies["csrftoken"]
    form = {"name": "audited", "role": "viewer", "password": PASSWORD, "csrftoken": token}
    admin.post("/admin/users", data=form)
    admin.post("/admin/users/audited/role", data={"role": "analyst", "csrftoken": token})
    entries = admin.get("/admin/audit.json?target=user:audited").json()
    assert [e["action"] for e in entries] == ["user.role", "user.add"]
    assert all(e["user"] == "ada" and e["ip"] == "testclient" for e in entries)
    assert entries[0]["before"]["role"] == "viewer" and entries[0]["after"]["role"] == "analyst"
