"""The UCDP API downloader, driven through httpx.MockTransport: no network."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from accordwatch.errors import InputError, NetworkError
from accordwatch.sources import read_ucdp
from accordwatch.sources.ucdp_api import fetch_ged, save_pages

PAGES = json.loads(
    (Path(__file__).parents[1] / "data" / "ucdp" / "ged_caf_api_pages.json").read_text()
)


def _server(
    fail_first: dict[int, list[int]] | None = None, seen: list[httpx.Request] | None = None
) -> httpx.Client:
    failures = {k: list(v) for k, v in (fail_first or {}).items()}

    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if request.headers.get("x-ucdp-access-token") != "secret":
            return httpx.Response(401, json={"error": "token"})
        page = int(request.url.params.get("page", "0"))
        if failures.get(page):
            status = failures[page].pop(0)
            return httpx.Response(status, headers={"Retry-After": "3"} if status == 429 else {})
        body = dict(PAGES[page])
        body["NextPageUrl"] = (
            str(request.url.copy_merge_params({"page": page + 1})) if page + 1 < len(PAGES) else ""
        )
        return httpx.Response(200, json=body)

    return httpx.Client(transport=httpx.MockTransport(handle), base_url="https://api.test")


def test_follows_pages_and_sends_the_token(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    got = fetch_ged(
        "23.1",
        token="secret",
        filters={"Country": "482"},
        client=_server(seen=seen),
        base_url="https://api.test/api",
    )
    assert len(got) == sum(len(p["Result"]) for p in PAGES)
    assert seen[0].url.path == "/api/gedevents/23.1"
    assert seen[0].url.params["Country"] == "482" and seen[0].url.params["pagesize"] == "1000"
    assert all(r.headers["x-ucdp-access-token"] == "secret" for r in seen)
    # what was saved loads like any UCDP file
    (batch,) = read_ucdp(save_pages(got, tmp_path / "api.json"))
    assert batch.errors == [] and batch.table.num_rows == len(got)


def test_retries_rate_limits_and_server_errors_with_backoff() -> None:
    waits: list[float] = []
    got = fetch_ged(
        "23.1",
        token="secret",
        client=_server({0: [503], 1: [429, 502]}),
        base_url="https://api.test/api",
        sleep=waits.append,
        backoff=0.5,
    )
    assert len(got) == 39
    assert waits == [0.5, 3.0, 1.0]  # exponential, except where Retry-After says otherwise


def test_gives_up_after_max_retries() -> None:
    waits: list[float] = []
    with pytest.raises(NetworkError, match="gave up after 3 attempts"):
        fetch_ged(
            "23.1",
            token="secret",
            client=_server({0: [500] * 10}),
            base_url="https://api.test/api",
            max_retries=2,
            sleep=waits.append,
        )
    assert len(waits) == 2


def test_bad_token_and_missing_token(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NetworkError, match="refused the token"):
        fetch_ged(
            "23.1",
            token="wrong",
            client=_server(),
            base_url="https://api.test/api",
            sleep=lambda s: None,
        )
    monkeypatch.delenv("UCDP_API_TOKEN", raising=False)
    with pytest.raises(InputError, match="access token"):
        fetch_ged("23.1", client=_server())


def test_connection_errors_are_retried() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("reset by peer")
        return httpx.Response(200, json={**PAGES[1], "NextPageUrl": ""})

    client = httpx.Client(transport=httpx.MockTransport(flaky))
    got = fetch_ged(
        "23.1", token="secret", client=client, base_url="https://api.test/api", sleep=lambda s: None
    )
    assert len(got) == len(PAGES[1]["Result"]) and calls["n"] == 2
