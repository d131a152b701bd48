"""Incidents and claims in the web app: the JSON API (lists with their .json / .csv twins and
sorting, an incident's records side by side, why two records are linked, the analysts'
unlink / link / count, audited) and the pages (an incident's records side by side, link
reasons, claims, the analysts' forms with CSRF; the claims list; a record's incident from
the event explorer).

The store is a copy of the seeded one with a news report of a 2021 GED event of the Central
African Republic, linked to it, and two claims."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import accordwatch as aw
from accordwatch._app import incidents as inc
from linked_news import CAF, add_news_of_ged, add_two_claims

PASSWORD = "a long enough password"  # of the accounts of tests/web/conftest.py

TEXT = "text:doc-web|doc-web-1"


@pytest.fixture(scope="module")
def template(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The seeded store, a news record linked to a GED event, two claims (one with markup
    in its words)."""
    path = tmp_path_factory.mktemp("inc-web") / "template.duckdb"
    shutil.copy(seeded_template, path)
    g, news_key, ged_key = add_news_of_ged(path, "doc-web")
    assert news_key == TEXT
    assert inc.link_incidents(path, country=CAF)["linked"] >= 1
    add_two_claims(
        path,
        g,
        TEXT,
        ged_key,
        evidence="The army says it killed 120 rebels <script>alert(1)</script>.",
        claimed_on="2021-12-30",
    )
    incident_id = inc.incident_show(TEXT, db=path)["incident_id"]
    day = str(g["date_start"].date())
    return {"path": path, "ged": ged_key, "incident": int(incident_id), "day": day}


@pytest.fixture(scope="module")
def store(
    template: dict[str, Any], web_store_of: Any, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """The template with the accounts of tests/web/conftest.py (a ``Any``)."""
    from accordwatch._app import users

    patch = pytest.MonkeyPatch()
    patch.setenv(users.TEST_HASH_VAR, "1")
    try:
        return web_store_of(template["path"], tmp_path_factory.mktemp("w") / "web.duckdb")
    finally:
        patch.undo()


def _client(path: Path) -> Any:
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    return TestClient(create_app(path), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(store: Any) -> Iterator[Any]:
    with _client(store.path) as c:
        yield c


@pytest.fixture
def fresh(template: dict[str, Any], web_store_of: Any, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    made = web_store_of(template["path"], tmp_path / "fresh.duckdb")
    with _client(made.path) as c:
        yield c, made


def _login(client: Any, name: str) -> str:
    client.get("/login")
    token = client.cookies.get("csrftoken")
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "next": "/", "csrftoken": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return str(client.cookies.get("csrftoken"))


# -- the API ----------------------------------------------------------------------------------
def test_incident_list_with_twins_and_sorting(
    client: Any, store: Any, template: dict[str, Any]
) -> None:
    viewer = store.tokens["viewer"]
    r = client.get("/api/incidents", params={"country": CAF}, headers=viewer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 1 and body["rows"][0]["incident_id"] == template["incident"]
    assert body["columns"][:3] == ["incident_id", "date_start", "place"]
    assert body["rows"][0]["counted"] == template["ged"]
    assert client.get("/api/incidents.json", headers=viewer).json()["count"] == body["count"]
    csv = client.get("/api/incidents.csv", params={"_sort_desc": "members"}, headers=viewer)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("incident_id,date_start,place")
    one = client.get("/api/incidents", params={"event": TEXT}, headers=viewer).json()
    assert [r["incident_id"] for r in one["rows"]] == [template["incident"]]
    bad = client.get("/api/incidents", params={"_sort": "nope"}, headers=viewer)
    assert bad.status_code == 400 and "incident_id" in bad.json()["error"]["message"]
    wrong = client.get("/api/incidents", params={"since": "yesterday"}, headers=viewer)
    assert wrong.status_code == 422
    assert client.get("/api/incidents").status_code == 401


def test_incident_shows_the_records_side_by_side(
    client: Any, store: Any, template: dict[str, Any]
) -> None:
    r = client.get(f"/api/incidents/{template['incident']}", headers=store.tokens["viewer"])
    assert r.status_code == 200, r.text
    shown = r.json()
    events = [m["event"] for m in shown["members"]]
    assert events == [template["ged"], TEXT]  # the counted record first
    ged, text = shown["members"]
    for m in (ged, text):
        assert {"date_start", "latitude", "side_a", "side_b", "best", "low", "high"} <= set(m)
    assert ged["counted"] and not text["counted"]
    assert shown["figure"]["event"] == template["ged"]
    assert "precedence" in shown["figure"]["because"]
    assert text["explanation"]["actor_match"] == "entity" and text["explanation"]["km"] < 10
    assert {c["kind"] for c in shown["claims"]} == {"deaths", "responsibility"}
    assert shown["log"][0]["action"] == "auto-link" and isinstance(shown["log"][0]["detail"], dict)
    missing = client.get("/api/incidents/999999", headers=store.tokens["viewer"])
    assert missing.status_code == 404 and "no incident" in missing.json()["error"]["message"]
    why = client.get(
        "/api/incidents/why",
        params={"a": TEXT, "b": template["ged"]},
        headers=store.tokens["viewer"],
    ).json()
    assert why["same_incident"] and why["rules_now"]["linkable"] and why["separation"] is None


def test_claims_list_filters_and_twins(client: Any, store: Any, template: dict[str, Any]) -> None:
    viewer = store.tokens["viewer"]
    body = client.get("/api/claims", headers=viewer).json()
    assert body["count"] == 2 and body["columns"][:3] == ["claim_id", "claimant", "kind"]
    deaths = client.get("/api/claims", params={"kind": "deaths"}, headers=viewer).json()
    assert [r["deaths"] for r in deaths["rows"]] == [120]
    about = client.get("/api/claims", params={"incident": template["incident"]}, headers=viewer)
    assert about.json()["count"] == 2
    by_event = client.get("/api/claims", params={"event": template["ged"]}, headers=viewer)
    assert [r["kind"] for r in by_event.json()["rows"]] == ["responsibility"]
    csv = client.get("/api/claims.csv", params={"_sort_desc": "claim_id"}, headers=viewer)
    assert csv.text.splitlines()[0].startswith("claim_id,claimant,kind")
    assert client.get("/api/claims", params={"kind": "rumour"}, headers=viewer).status_code == 422


def test_analysts_unlink_link_and_count_through_the_api(
    fresh: tuple[Any, Any], template: dict[str, Any]
) -> None:
    client, made = fresh
    n, ged = template["incident"], template["ged"]
    body = {"event": TEXT, "reason": "a different attack"}
    viewer = client.post(f"/api/incidents/{n}/unlink", json=body, headers=made.tokens["viewer"])
    assert viewer.status_code == 403
    loose = client.post(
        f"/api/incidents/{n}/unlink",
        json={"event": 3, "reason": "x"},
        headers=made.tokens["analyst"],
    )
    assert loose.status_code == 422  # strict types: a number is not an event name
    r = client.post(f"/api/incidents/{n}/unlink", json=body, headers=made.tokens["analyst"])
    assert r.status_code == 200, r.text
    assert r.json()["dissolved"] and r.json()["incident"] is None
    why = client.get(
        "/api/incidents/why", params={"a": TEXT, "b": ged}, headers=made.tokens["viewer"]
    ).json()
    assert why["separated_by_analyst"] and why["separation"]["by"] == "ana"
    assert why["separation"]["reason"] == "a different attack"
    assert why["unlinks"][0]["incident_id"] == n and why["unlinks"][0]["by"] == "ana"
    linked = client.post(
        "/api/incidents/link",
        json={"a": ged, "b": TEXT, "reason": "the same ambush after all"},
        headers=made.tokens["analyst"],
    )
    assert linked.status_code == 200, linked.text
    new = linked.json()["incident_id"]
    assert {m["how"] for m in linked.json()["members"]} == {"manual"}
    counted = client.post(
        f"/api/incidents/{new}/count",
        json={"event": TEXT, "reason": "the report counts both days"},
        headers=made.tokens["analyst"],
    )
    assert counted.status_code == 200 and counted.json()["figure"]["event"] == TEXT
    assert "ana" in counted.json()["figure"]["because"]
    audit = client.get("/api/audit", headers=made.tokens["admin"]).json()
    actions = [e["action"] for e in audit]
    assert {"incident.unlink", "incident.link", "incident.count"} <= set(actions)


# -- the pages --------------------------------------------------------------------------------
def test_incident_page_side_by_side_with_reasons_and_claims(
    client: Any, template: dict[str, Any]
) -> None:
    _login(client, "vic")
    page = client.get(f"/incidents/{template['incident']}")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert template["ged"] in html and TEXT in html and "counted" in html
    assert "actors matched (entity)" in html and "km (limit" in html
    assert "Radio Ndeke Luka" in html and "claimed, not confirmed" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'action="/incidents/' not in html  # a viewer gets no forms
    listing = client.get("/incidents")
    assert f'href="/incidents/{template["incident"]}"' in listing.text
    claims = client.get("/claims", params={"claimant": "CPC"})
    assert claims.status_code == 200 and "responsibility claimed" in claims.text
    assert 'href="/api/claims.csv?claimant=CPC"' in claims.text  # the download keeps the filter
    assert 'aria-current="page">Incidents' in claims.text
    bad = client.get("/incidents", params={"country": "Atlantis"})
    assert bad.status_code == 400 and "Atlantis" in bad.text
    assert client.get("/incidents/999999").status_code == 404


def test_event_explorer_links_to_the_records_incident(
    client: Any, template: dict[str, Any]
) -> None:
    _login(client, "vic")
    day = template["day"]
    events = client.get("/events", params={"source": "ucdp-ged", "since": day, "until": day})
    link = "/incidents/of?event=" + template["ged"].replace("|", "%7C")
    assert link in events.text  # the counted record; the news record is not counted again
    r = client.get("/incidents/of", params={"event": TEXT}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(
        f"/incidents/{template['incident']}#member-"
    )
    alone = aw.events(template["path"], country=CAF, since="2020-01-01", source="ucdp-ged")
    other = f"ucdp-ged|{alone['source_event_id'].iloc[-1]}"
    page = client.get("/incidents/of", params={"event": other})
    assert page.status_code == 200 and "Linked to no incident" in page.text
    assert client.get("/incidents/of", params={"event": "ucdp-ged|nope"}).status_code == 404


def test_analyst_forms_unlink_and_count_with_csrf(
    fresh: tuple[Any, Any], template: dict[str, Any]
) -> None:
    client, made = fresh
    n = template["incident"]
    token = _login(client, "ana")
    page = client.get(f"/incidents/{n}").text
    for action in ("unlink", "link", "count"):
        form = page.split(f'action="/incidents/{n}/{action}"', 1)[1].split("</form>", 1)[0]
        assert 'name="csrftoken"' in form
    refused = client.post(
        f"/incidents/{n}/count", data={"event": TEXT, "reason": "x"}, follow_redirects=False
    )
    assert refused.status_code == 403  # no CSRF token
    r = client.post(
        f"/incidents/{n}/count",
        data={"event": TEXT, "reason": "two days", "csrftoken": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/incidents/{n}?done=counted"
    assert "The counted figure was changed" in client.get(r.headers["location"]).text
    wrong = client.post(
        f"/incidents/{n}/unlink",
        data={"event": "acled|x", "reason": "no", "csrftoken": token},
    )
    assert wrong.status_code == 400 and "not a record of incident" in wrong.text
    gone = client.post(
        f"/incidents/{n}/unlink",
        data={"event": TEXT, "reason": "a different attack", "csrftoken": token},
        follow_redirects=False,
    )
    assert gone.status_code == 303 and gone.headers["location"].startswith("/incidents/of?")
    alone = client.get(gone.headers["location"]).text
    assert "Taken out of an incident" in alone and "a different attack" in alone
    audit = client.get("/api/audit", headers=made.tokens["admin"]).json()
    assert {"incident.count", "incident.unlink"} <= {e["action"] for e in audit}
