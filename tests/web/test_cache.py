"""Answers kept until the next write (web._app.cached, web._app.KeptResponses): a write
through the app shows in the very next answer, a revoked token is refused at once, a kept
response is only ever given to the same credentials, and requests asking the same meanwhile
share one read."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from accordwatch.web._app import AnswerCache, cached


def _request(generation: int = 0) -> Any:
    state = SimpleNamespace(owner=SimpleNamespace(data_generation=generation))
    state.answers = AnswerCache(state)
    return SimpleNamespace(app=SimpleNamespace(state=state))


def test_requests_asking_the_same_share_one_read_until_a_write() -> None:
    request = _request()
    calls: list[int] = []

    async def make() -> int:
        calls.append(1)
        await asyncio.sleep(0.01)
        return len(calls)

    async def many() -> list[int]:
        return list(await asyncio.gather(*(cached(request, "k", make) for _ in range(10))))

    assert asyncio.run(many()) == [1] * 10 and len(calls) == 1  # one read for all ten
    assert asyncio.run(many()) == [1] * 10 and len(calls) == 1  # kept
    request.app.state.owner.data_generation += 1  # a write committed
    assert asyncio.run(many()) == [2] * 10 and len(calls) == 2


def test_an_answer_made_while_a_write_ends_is_not_kept() -> None:
    request = _request()
    calls: list[int] = []

    async def make() -> str:
        calls.append(1)
        if len(calls) == 1:
            request.app.state.owner.data_generation += 1  # a write ends meanwhile
        return f"answer {len(calls)}"

    assert asyncio.run(cached(request, "k", make)) == "answer 1"
    assert asyncio.run(cached(request, "k", make)) == "answer 2"  # made again
    assert asyncio.run(cached(request, "k", make)) == "answer 2"  # now kept


def test_a_failure_is_not_kept() -> None:
    request = _request()
    calls: list[int] = []

    async def make() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("no")
        return "yes"

    try:
        asyncio.run(cached(request, "k", make))
    except ValueError:
        pass
    assert asyncio.run(cached(request, "k", make)) == "yes"


def test_the_cache_is_bounded() -> None:
    state = SimpleNamespace(owner=SimpleNamespace(data_generation=0))
    cache = AnswerCache(state, entries=3, size=1000)
    for i in range(5):
        cache.put(i, 0, i, 10)
    assert [cache.get(i, 0)[0] for i in range(5)] == [False, False, True, True, True]
    cache.put("big", 0, "x", 900)  # over a quarter of the bound: not kept
    assert cache.get("big", 0) == (False, None)


def test_a_write_through_the_app_shows_in_the_next_answer(
    fresh_api: Any, fresh_store: Any, queue_report: Any
) -> None:
    analyst, viewer = fresh_store.tokens["analyst"], fresh_store.tokens["viewer"]
    url = "/api/events?source=text&_size=1"
    before = fresh_api.get(url, headers=viewer).json()["count"]
    assert fresh_api.get(url, headers=viewer).json()["count"] == before  # kept
    first = fresh_api.get("/", headers=viewer)
    assert first.status_code == 200
    candidate = queue_report(fresh_api)[0]
    accepted = fresh_api.post(f"/api/review/{candidate}/accept", headers=analyst, json={})
    assert accepted.status_code == 200, accepted.text
    assert fresh_api.get(url, headers=viewer).json()["count"] == before + 1


def test_a_revoked_token_is_refused_at_once(fresh_api: Any, fresh_store: Any) -> None:
    viewer = fresh_store.tokens["viewer"]
    made = fresh_api.post("/api/tokens", json={"name": "short-lived"}, headers=viewer).json()
    mine = {"Authorization": f"Bearer {made['token']}"}
    url = "/api/events?country=CAF&_size=2"
    assert fresh_api.get(url, headers=mine).status_code == 200
    assert fresh_api.get(url, headers=mine).status_code == 200  # kept
    assert fresh_api.delete(f"/api/tokens/{made['id']}", headers=mine).status_code == 200
    refused = fresh_api.get(url, headers=mine)
    assert refused.status_code == 401 and refused.json()["error"]["status"] == 401


def test_a_kept_answer_goes_only_to_the_same_credentials(api: Any, tokens: Any) -> None:
    url = "/api/events?country=CAF&_size=3"
    assert api.get(url, headers=tokens["viewer"]).status_code == 200
    assert api.get(url).status_code == 401
    assert api.get(url, headers={"Authorization": "Bearer aw_made-up"}).status_code == 401
    page = "/?country=Mali"
    assert api.get(page, headers=tokens["viewer"]).status_code == 200
    assert api.get(page, follow_redirects=False).status_code == 303  # to the login page
