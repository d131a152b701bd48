"""The event list held in memory (web/_readmodel.py) answers exactly as the store does: the
same rows, cursors and counts for every filter it takes, page after page; it is never used
at an older data version; the API's JSON is the same with it and without it."""

from __future__ import annotations

import dataclasses
import functools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import accordwatch as aw
from accordwatch import _api
from accordwatch._app import incidents
from accordwatch.store import StoreOwner
from accordwatch.web._api_events import LIST_COLUMNS
from accordwatch.web._readmodel import MAX_ROWS, ListModel, ListModels

TEXT = "text:doc-3880c9e3a48f"
#: a GED event linked with a text event (which becomes an uncounted member)
LINKED = (f"{TEXT}|doc-3880c9e3a48f-e7",)

FILTERS: list[dict[str, Any]] = [
    {},
    {"country": "CAF"},
    {"country": "Central African Republic"},
    {"country": "central african republic"},
    {"country": "482"},
    {"country": ["Mali", "CAF"]},
    {"country": "Mali"},
    {"region": "Ouaka"},
    {"region": "ouaka province"},
    {"region": ["Bangui", "Haute-Kotto"]},
    {"region": "Kidal"},
    {"country": "CAF", "region": "Ouaka", "since": "2015", "until": "2020", "min_deaths": 5},
    {"country": "CAF", "since": "2010-06", "min_deaths": 10, "type_of_violence": ["one-sided"]},
    {"country": "Central African Republic", "since": "2018", "min_deaths": 1, "region": "Bangui"},
    {"country": "CAF", "since": "2000", "until": "2012", "type_of_violence": ["state-based"]},
    {"since": "2020-01-01", "min_deaths": 25},
    {"since": "2014-01-01", "until": "2014-01-01"},
    {"until": "1995"},
    {"since": "2023-09"},
    {"since": "2030"},
    {"min_deaths": 0},
    {"min_deaths": 1000},
    {"type_of_violence": ["1", "3"]},
    {"source": "text"},
    {"source": TEXT},
    {"source": ["ucdp-ged", "text"], "since": "2012"},
    {"source": "ucdp-ged", "min_deaths": 3, "region": "Ouham"},
]


@pytest.fixture(scope="module")
def linked_store(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeded store in which one text event is an uncounted incident member."""
    path = tmp_path_factory.mktemp("readmodel") / "store.duckdb"
    shutil.copy(seeded_template, path)
    ged = aw.events(path, since="2020-01-01", until="2020-03-31", source="ucdp-ged")
    first = f"ucdp-ged|{ged.iloc[0]['source_event_id']}"
    incidents.incident_link(first, LINKED[0], reason="one attack", by="tests", db=path)
    return path


@pytest.fixture(scope="module")
def owner(linked_store: Path) -> Iterator[StoreOwner]:
    found = StoreOwner(linked_store)
    try:
        yield found
    finally:
        found.close()


@pytest.fixture(scope="module")
def models(owner: StoreOwner) -> ListModels:
    return ListModels(owner, LIST_COLUMNS)


def _model(models: ListModels) -> ListModel:
    model = models.wait()
    assert model is not None and model.generation == models.owner.generation
    return model


def _same_pages(owner: StoreOwner, model: ListModel, filters: dict[str, Any], size: int) -> int:
    """Follow the pages of ``filters`` on both sides; how many pages were compared."""

    def both(store: Any, after: Any) -> tuple[Any, Any]:
        flt = _api.resolve_filter(store, **filters)
        got = model.page(flt, after, size, LIST_COLUMNS, True)
        want = _api.event_page(
            store, after=after, size=size, columns=LIST_COLUMNS, count=True, **filters
        )
        return got, want

    after = None
    pages = 0
    while True:
        got, want = owner.read(functools.partial(both, after=after))
        assert got == want, (filters, after)
        pages += 1
        after = want["next"]
        if after is None or pages >= 6:
            return pages


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[:60])
def test_the_model_answers_as_the_store(
    owner: StoreOwner, models: ListModels, filters: dict[str, Any]
) -> None:
    model = _model(models)
    for size in (1, 7, 100):
        _same_pages(owner, model, filters, size)


def test_pages_across_a_day_of_many_events(owner: StoreOwner, models: ListModels) -> None:
    # 2014-01-01 holds 13 events: pages of 2 end inside the day, on the source/id tie-break
    pages = _same_pages(owner, _model(models), {"since": "2013-12", "until": "2014-01"}, 2)
    assert pages == 6


def test_uncounted_members_left_out_as_the_store_does(
    owner: StoreOwner, models: ListModels
) -> None:
    model = _model(models)

    def both(store: Any, uncounted: bool) -> tuple[Any, Any, int]:
        flt = dataclasses.replace(_api.resolve_filter(store, source="text"), uncounted=uncounted)
        got = model.page(flt, None, 50, LIST_COLUMNS, True)
        cols, rows, key = store.event_page(flt, size=50, columns=LIST_COLUMNS)
        return got, (cols, rows, key), store.count_events(flt)

    counted = owner.read(lambda s: both(s, False))
    everyone = owner.read(lambda s: both(s, True))
    assert counted[0]["count"] == counted[2] == everyone[2] - 1
    assert everyone[0]["count"] == everyone[2]
    for got, (_cols, rows, key), _ in (counted, everyone):
        assert [r["source_event_id"] for r in got["rows"]] == [r[1] for r in rows]
        assert got["next"] == key
    ids = {r["source_event_id"] for r in counted[0]["rows"]}
    assert LINKED[0].split("|")[1] not in ids


def test_what_the_model_does_not_answer(owner: StoreOwner, models: ListModels) -> None:
    model = _model(models)
    plain = owner.read(lambda s: _api.resolve_filter(s))
    actor = dataclasses.replace(plain, has_actor=True, actor_names={"faca"})
    assert model.page(actor, None, 10, LIST_COLUMNS, True) is None
    assert model.page(plain, None, 10, [*LIST_COLUMNS, "priogrid_gid"], True) is None
    assert model.page(plain, (True, None, "ucdp-ged", "1"), 10, LIST_COLUMNS, True) is None
    assert model.nbytes > 0


def test_a_write_retires_the_model(linked_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "write.duckdb"
    shutil.copy(linked_store, path)
    with StoreOwner(path) as owner:
        models = ListModels(owner, LIST_COLUMNS)
        before = _model(models)
        owner.execute_write(
            lambda s: incidents.incident_unlink(LINKED[0], reason="two events", by="t", db=s)
        )
        assert models.current() is None or models.current() is not before
        after = _model(models)
        assert after is not before and after.generation == owner.generation
        _same_pages(owner, after, {"source": "text"}, 4)
        counts = owner.read(
            lambda s: after.page(_api.resolve_filter(s), None, 1, LIST_COLUMNS, True) or {}
        )
        assert counts["count"] == owner.read(lambda s: s.count_events(_api.resolve_filter(s)))


def test_a_store_too_big_is_not_held(owner: StoreOwner) -> None:
    models = ListModels(owner, LIST_COLUMNS, max_rows=10)
    assert models.wait() is None
    assert models.too_big == owner.generation


QUERIES = [
    "country=CAF&since=2015&until=2020&min_deaths=5&region=Ouaka&_size=20",
    "country=Central+African+Republic&region=bangui&_size=5",
    "country=CAF&since=2010-06&min_deaths=10&type=one-sided&_size=50",
    "since=2014-01-01&until=2014-01-01&_size=3",
    "source=text&_size=4",
    "region=Ouaka&_size=10&_count=false",
    "region=Ouaka&_size=10&_col=source&_col=best",
]


def _bodies(path: Path, token: dict[str, str], rows: int | None) -> list[bytes]:
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    app = create_app(path)
    if rows is not None:
        app.state.list_model_rows = rows
    out = []
    with TestClient(app, raise_server_exceptions=False) as client:
        first = client.get("/api/events?_size=1", headers=token)
        assert first.status_code == 200
        if rows is None:
            assert app.state.list_models.wait() is not None
        for q in QUERIES:
            url = f"/api/events?{q}"
            while url:
                got = client.get(url, headers=token)
                assert got.status_code == 200, got.text
                out.append(got.content)
                url = got.json()["next_url"]
                if len(out) > 60:
                    break
        models = app.state.list_models
        assert (models.current() is None) is (rows is not None)  # held only when allowed
    return out


def test_the_api_answers_the_same_with_the_model(linked_store: Path, tmp_path: Path) -> None:
    from conftest import make_web_store  # tests/web/conftest.py

    web = make_web_store(linked_store, tmp_path / "web.duckdb")
    token = web.tokens["viewer"]
    without = _bodies(web.path, token, 0)
    with_model = _bodies(web.path, token, None)
    assert with_model == without
    assert len(without) > len(QUERIES)


#: requests HeldLists answers in front of the app (plain values), and others it leaves to
#: the app (checks, errors, facets, another sort, an actor) — each answered byte for byte
#: as the store answers it
HELD = [
    "country=CAF&since=2015&until=2020&min_deaths=5&region=Ouaka&_size=20",
    "country=CAF&since=2015&until=2020&min_deaths=6&region=Ouaka&_size=19",
    "country=482&region=ouaka+province&_size=7",
    "country=Central+African+Republic&country=Mali&region=Bangui&region=Haute-Kotto&_size=9",
    "since=2014-01-01&until=2014-01-01&_size=2",
    "since=2023-09&_size=3&_count=false",
    "source=text&_size=4",
    f"source={TEXT}&_size=4",
    "source=ucdp-ged&source=text&since=2012&min_deaths=0&_size=6",
    "type=1&type=one-sided&min_deaths=1000",
    "region=Ouaka&_size=10&_col=source&_col=best&_col=date_start",
    "region=Ouaka&_size=5&_sort_desc=date_start&_facet_size=3&lineage=false&unknown=1",
    "until=1995&_size=1000",
]
LEFT = [
    "region=Ouaka&_size=5&_facet=country",
    "region=Ouaka&_size=5&_sort=date_start",
    "region=Ouaka&_size=5&_sort_desc=best",
    "actor=FACA&_size=5",
    "region=Ouaka&_size=5&_count=1",
    "region=Ouaka&_size=05",
    "region=Ouaka&_size=5&_size=6",
    "region=Ouaka&_size=0",
    "region=Ouaka&_size=1001",
    "min_deaths=-1",
    "min_deaths=1.5",
    "since=2015-1",
    "since=%D9%A2%D9%A0%D9%A1%D9%A5",
    "type=bogus",
    "country=Atlantis",
    "region=Nowhere+Land",
    "source=nosuch",
    "_next=bm90IGEgY3Vyc29y",
    "region=Ouaka&_col=nosuch",
    "region=Ouaka&_col=priogrid_gid&_size=3",
    "since=2020&until=2019",
]


def _answers(app: Any, token: dict[str, str], queries: list[str]) -> list[tuple[Any, ...]]:
    from fastapi.testclient import TestClient

    out = []
    with TestClient(app, raise_server_exceptions=False) as client:
        models = app.state.list_models
        assert (models.wait() is None) is (app.state.list_model_rows == 0)
        for q in queries:
            url: str | None = f"/api/events?{q}"
            pages = 0
            while url and pages < 4:
                got = client.get(url, headers=token)
                out.append((q, got.status_code, got.headers.get("content-type"), got.content))
                url = got.json().get("next_url") if got.status_code == 200 else None
                pages += 1
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            got = client.get(f"/api/events?{queries[0]}", headers=headers)
            out.append((headers, got.status_code, got.content))
    return out


def test_held_lists_answer_as_the_app_and_the_store(
    linked_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accordwatch.web import _api_events, create_app
    from conftest import make_web_store  # tests/web/conftest.py

    web = make_web_store(linked_store, tmp_path / "held.duckdb")
    token = web.tokens["viewer"]
    routed: list[str] = []
    page_json = _api_events._page_json

    def counted(request: Any, *args: Any, **kw: Any) -> bytes:
        routed.append(str(request.url))
        return page_json(request, *args, **kw)

    monkeypatch.setattr(_api_events, "_page_json", counted)
    store_app = create_app(web.path)
    store_app.state.list_model_rows = 0  # nothing held: the store answers
    store_app.state.held_lists = False
    by_store = _answers(store_app, token, HELD + LEFT)
    assert len(routed) > len(HELD)
    routed.clear()
    held_app = create_app(web.path)
    held_app.state.list_model_rows = MAX_ROWS
    by_held = _answers(held_app, token, HELD + LEFT)
    assert by_held == by_store
    assert all("/api/events" in u and any(q in u for q in LEFT) for u in routed), routed
    statuses = {q: status for q, status, *_ in by_store if isinstance(q, str)}
    assert all(statuses[q] == 200 for q in HELD)
    assert {statuses[q] for q in LEFT} >= {200, 400, 404, 422}
    assert [s for h, s, _ in by_held[-2:]] == [401, 401]


def test_the_unsorted_read_in_its_order_is_the_sorted_one(owner: StoreOwner) -> None:
    def both(store: Any) -> tuple[Any, Any]:
        found = store.event_list_unsorted(LIST_COLUMNS, max_rows=MAX_ROWS)
        return found, store.event_list_table(LIST_COLUMNS, max_rows=MAX_ROWS)

    (table, order), ordered = owner.read(both)
    assert table.take(order).equals(ordered)
    assert owner.read(lambda s: s.event_list_unsorted(LIST_COLUMNS, max_rows=10)) is None
    plain = owner.read(lambda s: _api.resolve_filter(s, region="Ouaka"))
    one = ListModel(ordered, LIST_COLUMNS, 0)
    other = ListModel(table, LIST_COLUMNS, 0, order=order)
    for after in (None, one.page(plain, None, 3, LIST_COLUMNS, False)["next"]):  # type: ignore[index]
        assert one.page(plain, after, 5, LIST_COLUMNS, True, encoded=True) == other.page(
            plain, after, 5, LIST_COLUMNS, True, encoded=True
        )
