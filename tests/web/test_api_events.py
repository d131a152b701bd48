"""/api/events: the filters of ``accordwatch events``, sorting, cursor pages, facets, the
.json / .csv twins and the GeoJSON / Parquet downloads — checked against the library's own
answers on the seeded store (the bundled CAR GED events and the Mali text events)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

import accordwatch as aw
from accordwatch.web._api_events import LIST_COLUMNS

CAF = "Central African Republic"


@pytest.fixture
def viewer(tokens: dict[str, dict[str, str]]) -> dict[str, str]:
    return tokens["viewer"]


def lib_count(api: Any, **filters: Any) -> int:
    """How many events the library finds with these filters (on the app's own store)."""
    return len(api.app.state.owner.read(lambda store: aw.event_records(store, **filters)))


def get(api: Any, url: str, headers: dict[str, str], **params: Any) -> Any:
    r = api.get(url, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r


def test_filters_match_the_library(api: Any, viewer: dict[str, str]) -> None:
    filters = {"country": "CAF", "since": "2020-01", "until": "2021", "min_deaths": 5}
    body = get(api, "/api/events", viewer, **filters, _size=1000).json()
    expected = api.app.state.owner.read(lambda store: aw.event_records(store, **filters))
    assert body["count"] == len(body["rows"]) == len(expected) > 0
    assert body["columns"] == LIST_COLUMNS  # a page shows the list's columns …
    shown = [{c: r[c] for c in LIST_COLUMNS} for r in expected]
    assert body["rows"] == shown  # the same rows, newest first
    assert body["next"] is None and body["next_url"] is None
    every = get(api, "/api/events", viewer, **filters, _size=1000, _col=list(expected[0]))
    assert every.json()["rows"] == expected  # … and any other column when _col names it


def test_type_actor_region_and_source(api: Any, viewer: dict[str, str]) -> None:
    one_sided = get(api, "/api/events", viewer, type="one-sided", _size=5).json()
    assert one_sided["count"] == lib_count(api, type_of_violence="one-sided") > 1000
    assert {r["type_of_violence"] for r in one_sided["rows"]} == {3}
    several = api.get(
        "/api/events", params=[("type", "1"), ("type", "2"), ("_size", "1")], headers=viewer
    ).json()
    assert several["count"] == lib_count(api, type_of_violence=[1, 2]) > 700
    ouaka = get(api, "/api/events", viewer, region="Ouaka", _size=1).json()
    assert ouaka["count"] == lib_count(api, region="Ouaka") > 300
    text = get(api, "/api/events", viewer, source="text", _size=100).json()
    assert text["count"] >= 1 and all(r["source"].startswith("text:") for r in text["rows"])
    fama = get(api, "/api/events", viewer, actor="FAMa", lineage="true", _size=1).json()
    assert fama["count"] == lib_count(api, actor="FAMa", lineage=True) > 0


def test_sort_and_cursor_walk_every_event_once(api: Any, viewer: dict[str, str]) -> None:
    seen: list[tuple[str, str]] = []
    deaths: list[int | None] = []
    url: str | None = "/api/events?country=CAF&_sort_desc=best&_size=400&_col=best"
    url += "&_col=source&_col=source_event_id"
    pages = 0
    while url:
        body = api.get(url, headers=viewer).json()
        seen += [(r["source"], r["source_event_id"]) for r in body["rows"]]
        deaths += [r["best"] for r in body["rows"]]
        url = body["next_url"]
        pages += 1
    assert pages == 5  # 1,848 events, 400 a page
    assert len(seen) == len(set(seen)) == 1848
    assert deaths == sorted(deaths, reverse=True)


def test_sort_ascending_puts_missing_values_last(api: Any, viewer: dict[str, str]) -> None:
    rows = get(api, "/api/events", viewer, _sort="admin1", _size=1000, _col="admin1").json()
    names = [r["admin1"] for r in rows["rows"]]
    present = [n for n in names if n is not None]
    assert present == sorted(present)
    assert names[: len(present)] == present


def test_the_cursor_is_stable_when_events_are_added(
    fresh_api: Any, fresh_store: Any, queue_report: Any
) -> None:
    """Keyset pages: events added before the cursor's position do not shift the next page
    (an offset would show rows twice)."""
    headers = fresh_store.tokens["viewer"]
    first = fresh_api.get("/api/events?_size=3", headers=headers).json()
    second_before = fresh_api.get(first["next_url"], headers=headers).json()
    # two newer events, accepted from the review queue by an analyst
    for cid in queue_report(fresh_api):
        r = fresh_api.post(
            f"/api/review/{cid}/accept", headers=fresh_store.tokens["analyst"], json={}
        )
        assert r.json()["status"] == "accepted", r.text
    second_after = fresh_api.get(first["next_url"], headers=headers).json()
    assert second_after["count"] == second_before["count"] + 2
    assert second_after["rows"] == second_before["rows"]
    newest = fresh_api.get("/api/events?_size=2&_col=date_start", headers=headers).json()
    assert [r["date_start"] for r in newest["rows"]] == ["2024-03-09", "2024-03-03"]


def test_facets_count_the_filtered_events(api: Any, viewer: dict[str, str]) -> None:
    body = api.get(
        "/api/events",
        params=[("country", "CAF"), ("_facet", "type"), ("_facet", "region"), ("_size", "1")],
        headers=viewer,
    ).json()
    types = body["facets"]["type"]["results"]
    assert {t["value"]: t["count"] for t in types} == {
        "one-sided": 1076,
        "state-based": 401,
        "non-state": 371,
    }
    assert sum(t["count"] for t in types) == body["count"]
    regions = body["facets"]["region"]
    assert len(regions["results"]) == 10 and regions["truncated"] is True
    top = regions["results"][0]
    assert top["value"] == "Ouaka"
    narrowed = api.get(top["url"], headers=viewer).json()
    assert narrowed["count"] == top["count"]


def test_json_twin_is_the_same_answer(api: Any, viewer: dict[str, str]) -> None:
    a = get(api, "/api/events", viewer, country="CAF", _size=7).json()
    b = get(api, "/api/events.json", viewer, country="CAF", _size=7).json()
    assert a["rows"] == b["rows"] and a["count"] == b["count"]


def test_csv_twin_is_the_page_and_links_the_next(api: Any, viewer: dict[str, str]) -> None:
    r = get(api, "/api/events.csv", viewer, country="CAF", _size=5, _col=["date_start", "best"])
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    page = get(api, "/api/events", viewer, country="CAF", _size=5).json()["rows"]
    assert [(x["date_start"], int(x["best"])) for x in rows] == [
        (p["date_start"], p["best"]) for p in page
    ]
    assert 'rel="next"' in r.headers["link"]


def test_csv_of_every_event(api: Any, viewer: dict[str, str]) -> None:
    r = get(api, "/api/events.csv", viewer, country="CAF", _all="true", _col="source_event_id")
    ids = [row["source_event_id"] for row in csv.DictReader(io.StringIO(r.text))]
    assert len(ids) == len(set(ids)) == 1848


def test_geojson_download(api: Any, viewer: dict[str, str]) -> None:
    r = get(api, "/api/events.geojson", viewer, country="CAF", min_deaths=100)
    assert r.headers["content-type"].startswith("application/geo+json")
    data = json.loads(r.text)
    assert data["type"] == "FeatureCollection"
    count = get(api, "/api/events", viewer, country="CAF", min_deaths=100, _size=1).json()
    assert len(data["features"]) == count["count"] > 0
    point = data["features"][0]["geometry"]
    assert point["type"] == "Point" and len(point["coordinates"]) == 2


def test_parquet_download(api: Any, viewer: dict[str, str]) -> None:
    import pandas as pd

    r = get(api, "/api/events.parquet", viewer, country="CAF", _sort="best")
    frame = pd.read_parquet(io.BytesIO(r.content))
    assert len(frame) == 1848
    assert frame["best"].is_monotonic_increasing


def test_stats_with_twins(api: Any, viewer: dict[str, str]) -> None:
    body = get(api, "/api/stats", viewer, country="CAF", by="type", _sort_desc="events").json()
    assert [r["type"] for r in body["rows"]] == ["one-sided", "state-based", "non-state"]
    r = get(api, "/api/stats.csv", viewer, country="CAF", by="year")
    assert r.text.splitlines()[0] == "year,events,deaths_best,deaths_low,deaths_high"


# -- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "status", "names"),
    [
        ("since=2020-13", 400, "since"),
        ("since=yesterday", 422, "since"),
        ("until=2020-02-30", 400, "until"),
        ("country=Narnia", 404, "Narnia"),
        ("region=Atlantis", 404, "Atlantis"),
        ("actor=Nobody%20At%20All", 404, "Nobody At All"),
        ("source=bbc", 404, "bbc"),
        ("type=9", 422, "type"),
        ("min_deaths=true", 422, "min_deaths"),
        ("min_deaths=-1", 422, "min_deaths"),
        ("min_deaths=1.5", 422, "min_deaths"),
        ("lineage=maybe", 422, "lineage"),
        ("_size=0", 422, "_size"),
        ("_size=100000", 422, "_size"),
        ("_sort=password", 422, "_sort"),
        ("_sort=best&_sort_desc=best", 400, "_sort_desc"),
        ("_facet=actor", 422, "_facet"),
        ("_col=nope", 400, "nope"),
        ("_next=not-a-cursor", 400, "_next"),
        ("since=2021&until=2020", 400, "since"),
    ],
)
def test_bad_parameters_are_4xx_json_naming_them(
    api: Any, viewer: dict[str, str], query: str, status: int, names: str
) -> None:
    r = api.get(f"/api/events?{query}", headers=viewer)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["status"] == status
    assert names in error["message"]
    assert error["fix"]
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_a_cursor_of_another_order_is_refused(api: Any, viewer: dict[str, str]) -> None:
    body = get(api, "/api/events", viewer, _sort="best", _size=2).json()
    r = api.get("/api/events", params={"_next": body["next"]}, headers=viewer)
    assert r.status_code == 400
    assert "another sort order" in r.json()["error"]["message"]


def test_a_forged_cursor_never_reaches_the_store(api: Any, viewer: dict[str, str]) -> None:
    import base64

    forged = json.dumps(["date_start", True, False, {"sql": "1; DROP TABLE events"}, "x", "y"])
    token = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
    r = api.get("/api/events", params={"_next": token}, headers=viewer)
    assert r.status_code == 400
    assert get(api, "/api/events", viewer, _size=1).json()["count"] > 0


def test_reading_needs_an_account(api: Any) -> None:
    r = api.get("/api/events")
    assert r.status_code == 401
    assert r.json()["error"]["status"] == 401


def test_anonymous_reading_when_the_operator_allows_it(fresh_store: Any) -> None:
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    with TestClient(create_app(fresh_store.path, anonymous_read=True)) as client:
        assert client.get("/api/events?_size=1").status_code == 200
        refused = client.post("/api/assessments", json={})
        assert refused.status_code in (401, 403)
