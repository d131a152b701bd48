"""The JSON API beside the events: actors, places, agreements, assessments, forecasts,
alerts, the review queue, briefings, the digest — roles, list twins, errors and the offline
API docs."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

CANTONMENT = "mali2015.t3.c8.cantonment"


def ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r


# -- the docs -------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["/api/docs", "/api/redoc"])
def test_docs_pages_load_nothing_from_elsewhere(api: Any, page: str) -> None:
    html = ok(api.get(page)).text
    assert not re.findall(r"https?://", html), "the docs page names an outside URL"
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert asset.startswith("/"), asset
        assert api.get(asset).status_code == 200, asset


def test_openapi_schema_lists_the_api(api: Any) -> None:
    schema = ok(api.get("/api/openapi.json")).json()
    paths = schema["paths"]
    for path in (
        "/api/events",
        "/api/events.csv",
        "/api/events.geojson",
        "/api/events.parquet",
        "/api/agreements/{agreement_id}",
        "/api/review/{candidate_id}/accept",
        "/api/assessments",
        "/api/ingest",
    ):
        assert path in paths, path
    assert "ErrorBody" in schema["components"]["schemas"]


#: the GET routes that answer one thing, not a list (no twins, no _sort)
ONE_THING = {
    "/api/actors/{name}",
    "/api/agreements/{agreement_id}",
    "/api/briefings/{country}",
    "/api/digest",
    "/api/digest.atom",
    "/api/events.geojson",
    "/api/events.parquet",
    "/api/forecasts/{country}",
    "/api/incidents/{incident_id}",
    "/api/incidents/why",
    "/api/me",
    "/api/places/{name}",
    "/api/review/{candidate_id}",
}


def test_every_list_is_sortable_with_json_and_csv_twins(api: Any) -> None:
    paths = {p: ops for p, ops in api.get("/api/openapi.json").json()["paths"].items()}
    gets = {p for p, ops in paths.items() if "get" in ops}
    lists = {p for p in gets if not p.endswith((".json", ".csv"))} - ONE_THING
    assert {"/api/events", "/api/stats", "/api/tokens", "/api/audit"} <= lists
    for path in lists:
        assert {f"{path}.json", f"{path}.csv"} <= gets, path
        names = {q["name"] for q in paths[path]["get"].get("parameters", [])}
        assert {"_sort", "_sort_desc"} <= names, path


def test_account_lists_sort_and_have_twins(api: Any, tokens: dict[str, Any]) -> None:
    admin = tokens["admin"]
    for label in ("b-second", "a-first"):
        assert api.post("/api/tokens", json={"name": label}, headers=admin).status_code == 201
    mine = ok(api.get("/api/tokens.json?_sort=name", headers=admin)).json()
    names = [t["name"] for t in mine]
    assert names == sorted(names) and "a-first" in names
    assert ok(api.get("/api/tokens?_sort=name", headers=admin)).json() == mine
    rows = list(csv.DictReader(io.StringIO(ok(api.get("/api/tokens.csv", headers=admin)).text)))
    assert {r["name"] for r in rows} == set(names) and "token" not in rows[0]
    log = ok(api.get("/api/audit.json?_sort=action&limit=50", headers=admin)).json()
    assert [e["action"] for e in log] == sorted(e["action"] for e in log)
    text = ok(api.get("/api/audit.csv?action=token.create", headers=admin)).text
    assert text.startswith("id,") and "token.create" in text
    bad = api.get("/api/audit?_sort=nope", headers=admin)
    assert bad.status_code == 400 and "_sort" in bad.json()["error"]["message"]
    assert api.get("/api/audit.csv", headers=tokens["viewer"]).status_code == 403


# -- errors ---------------------------------------------------------------------------------
def test_unknown_route_and_method_are_json(api: Any, tokens: dict[str, Any]) -> None:
    r = api.get("/api/nothing-here", headers=tokens["viewer"])
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
    r = api.delete("/api/events", headers=tokens["viewer"])
    assert r.status_code == 405 and r.json()["error"]["status"] == 405


def test_a_bug_answers_internal_error_and_nothing_more(fresh_store: Any) -> None:
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    app = create_app(fresh_store.path)

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/boom")
    assert r.status_code == 500
    assert r.json()["error"]["message"] == "internal error"
    assert "secret" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text


def test_json_bodies_are_strict(fresh_api: Any, fresh_store: Any) -> None:
    analyst = fresh_store.tokens["analyst"]
    for score in (True, "1", 1.0, 4):
        r = fresh_api.post(
            "/api/assessments",
            headers=analyst,
            json={
                "provision_id": CANTONMENT,
                "score": score,
                "date": "2017-12-31",
                "evidence": "x",
            },
        )
        assert r.status_code == 422, (score, r.text)
        assert "'score'" in r.json()["error"]["message"]
    r = fresh_api.post(
        "/api/assessments",
        headers=analyst,
        json={
            "provision_id": CANTONMENT,
            "score": 1,
            "date": "2017-12-31",
            "evidence": "x",
            "x": 1,
        },
    )
    assert r.status_code == 422 and "'x'" in r.json()["error"]["message"]


# -- reference ------------------------------------------------------------------------------
def test_actors_list_search_and_one(api: Any, tokens: dict[str, Any]) -> None:
    v = tokens["viewer"]
    found = ok(api.get("/api/actors", params={"q": "FAMa", "limit": 3}, headers=v)).json()
    assert found["rows"][0]["name"] == "Government of Mali"
    rows = list(csv.DictReader(io.StringIO(ok(api.get("/api/actors.csv?limit=5", headers=v)).text)))
    assert len(rows) == 5 and "actor_id" in rows[0]
    cma = ok(api.get("/api/actors/CMA", headers=v)).json()
    assert cma["name"] == "Coordination of Azawad Movements"
    assert (
        any(a["name"].startswith("Azawad Liberation Front") for a in cma["lineage"])
        or len(cma["lineage"]) > 1
    )
    assert api.get("/api/actors/Nobody%20At%20All", headers=v).status_code == 404


def test_places(api: Any, tokens: dict[str, Any]) -> None:
    body = ok(api.get("/api/places/Kidal", headers=tokens["viewer"])).json()
    assert body["places"][0]["admin1"] == "Kidal"
    assert api.get("/api/places/Qwxzyv", headers=tokens["viewer"]).status_code == 404


# -- agreements -----------------------------------------------------------------------------
def test_agreements_list_sorted_and_twins(api: Any, tokens: dict[str, Any]) -> None:
    v = tokens["viewer"]
    body = ok(api.get("/api/agreements?country=Mali&_sort_desc=signed", headers=v)).json()
    signed = [r["signed"] for r in body["rows"] if r["signed"]]
    assert signed == sorted(signed, reverse=True) and body["count"] >= 1
    text = ok(api.get("/api/agreements.csv?country=Mali", headers=v)).text
    assert text.startswith("agreement_id,")
    same = ok(api.get("/api/agreements.json?country=Mali", headers=v)).json()
    assert same["count"] == body["count"]
    bad = api.get("/api/agreements?_sort=nope", headers=v)
    assert bad.status_code == 400 and "_sort" in bad.json()["error"]["message"]


def test_agreement_page(api: Any, tokens: dict[str, Any]) -> None:
    body = ok(api.get("/api/agreements/30", headers=tokens["viewer"])).json()
    assert body["agreement"]["agreement_id"] == 30
    assert body["provisions"] and "children" in body["provisions"][0]
    assert body["health"] and body["agreement"]["milestones"]
    for part in ("provisions", "health", "milestones", "timeline", "index"):
        ok(api.get(f"/api/agreements/30/{part}.csv", headers=tokens["viewer"]))
    assert api.get("/api/agreements/999999", headers=tokens["viewer"]).status_code == 404


def test_assessments_analysts_write_viewers_do_not(fresh_api: Any, fresh_store: Any) -> None:
    body = {"provision_id": CANTONMENT, "score": 1, "date": "2017-12-31", "evidence": "8 sites"}
    refused = fresh_api.post("/api/assessments", headers=fresh_store.tokens["viewer"], json=body)
    assert refused.status_code == 403 and refused.json()["error"]["status"] == 403
    made = fresh_api.post("/api/assessments", headers=fresh_store.tokens["analyst"], json=body)
    assert made.status_code == 201, made.text
    assert made.json()["assessor"] == "ana" and made.json()["label"] == "minimal"
    again = fresh_api.post("/api/assessments", headers=fresh_store.tokens["analyst"], json=body)
    assert again.status_code == 400  # the same assessment twice
    listed = fresh_api.get(
        "/api/assessments?agreement_id=30", headers=fresh_store.tokens["viewer"]
    ).json()
    assert listed["count"] == 1
    unknown = fresh_api.post(
        "/api/assessments",
        headers=fresh_store.tokens["analyst"],
        json={**body, "provision_id": "mali2015.nope"},
    )
    assert unknown.status_code == 404


# -- review ---------------------------------------------------------------------------------
def test_review_queue_accept_edit_reject(
    fresh_api: Any, fresh_store: Any, queue_report: Any
) -> None:
    v, a = fresh_store.tokens["viewer"], fresh_store.tokens["analyst"]
    queue_report(fresh_api)
    pending = ok(fresh_api.get("/api/review", headers=v)).json()["rows"]
    assert len(pending) == 2
    first, second = pending[0]["candidate_id"], pending[1]["candidate_id"]
    shown = ok(fresh_api.get(f"/api/review/{first}", headers=v)).json()
    assert shown["status"] == "pending" and shown["log"]
    assert fresh_api.post(f"/api/review/{first}/accept", headers=v).status_code == 403
    edited = fresh_api.post(f"/api/review/{first}/edit", headers=a, json={"fatalities": 4})
    assert edited.status_code == 200 and edited.json()["fatalities"] == 4
    accepted = ok(fresh_api.post(f"/api/review/{first}/accept", headers=a, json={}))
    assert accepted.json()["status"] in ("accepted", "duplicate")
    assert "by ana" in accepted.json()["log"][-1]["detail"]
    assert fresh_api.post(f"/api/review/{first}/accept", headers=a).status_code == 400
    rejected = fresh_api.post(
        f"/api/review/{second}/reject", headers=a, json={"reason": "background, not news"}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    no_reason = fresh_api.post(f"/api/review/{second}/reject", headers=a, json={"reason": ""})
    assert no_reason.status_code == 422
    listed = ok(fresh_api.get("/api/review.csv?status=all&_sort=candidate_id", headers=v)).text
    assert listed.startswith("candidate_id,")


def test_review_decisions_reach_the_audit_log(
    fresh_api: Any, fresh_store: Any, queue_report: Any
) -> None:
    from accordwatch._app import users

    a = fresh_store.tokens["analyst"]
    first = queue_report(fresh_api)[0]
    ok(fresh_api.post(f"/api/review/{first}/accept", headers=a, json={}))
    entries = fresh_api.app.state.owner.read(lambda store: users.audit_entries(db=store))
    mine = [e for e in entries if e["action"] == "review.accept"]
    assert mine and mine[0]["user"] == "ana" and mine[0]["target"] == f"candidate:{first}"


# -- forecasts and alerts -------------------------------------------------------------------
def test_forecasts_are_read_not_fitted_on_a_get(fresh_api: Any, fresh_store: Any) -> None:
    v, a = fresh_store.tokens["viewer"], fresh_store.tokens["analyst"]
    params = {"model": "conflictology", "months": 3}
    missing = fresh_api.get("/api/forecasts/Mali", params=params, headers=v)
    assert missing.status_code == 404 and "POST" in missing.json()["error"]["message"]
    assert fresh_api.post("/api/forecasts/Mali", params=params, headers=v).status_code == 403
    fitted = ok(fresh_api.post("/api/forecasts/Mali", params=params, headers=a)).json()
    assert fitted["fitted_now"] is True and len(fitted["rows"]) == 3
    stored = ok(fresh_api.get("/api/forecasts/Mali", params=params, headers=v)).json()
    assert stored["fitted_now"] is False
    assert [r["median"] for r in stored["rows"]] == [r["median"] for r in fitted["rows"]]
    listed = ok(fresh_api.get("/api/forecasts", headers=v)).json()
    assert listed["count"] == 1 and listed["rows"][0]["model"] == "conflictology"


def test_alerts(api: Any, tokens: dict[str, Any]) -> None:
    body = ok(api.get("/api/alerts?_sort=unit", headers=tokens["viewer"])).json()
    units = [r["unit"] for r in body["rows"]]
    assert units == sorted(units, key=str.lower)
    assert api.get("/api/alerts?surge_ratio=1", headers=tokens["viewer"]).status_code == 422


# -- briefings and digest -------------------------------------------------------------------
def test_digest_formats_do_not_move_the_mark(api: Any, tokens: dict[str, Any]) -> None:
    import feedparser

    v = tokens["viewer"]
    md = ok(api.get("/api/digest?alerts=false", headers=v))
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# accordwatch digest 1")
    data = ok(api.get("/api/digest?format=json&alerts=false", headers=v)).json()
    assert data["number"] == 1
    feed = feedparser.parse(ok(api.get("/api/digest.atom?alerts=false", headers=v)).text)
    assert feed.entries and not feed.bozo
    again = ok(api.get("/api/digest?format=json&alerts=false", headers=v)).json()
    assert again["number"] == 1  # nothing recorded


def test_briefing_html(api: Any, tokens: dict[str, Any]) -> None:
    r = ok(api.get("/api/briefings/CAF", headers=tokens["viewer"]))
    assert r.headers["content-type"].startswith("text/html")
    assert "Central African Republic" in r.text
    assert "brief-central-african-republic.html" in r.headers["content-disposition"]
    assert api.get("/api/briefings/Narnia", headers=tokens["viewer"]).status_code == 404
