"""ACLED's API client, through an injected transport only (no network): the OAuth password
flow, refreshes before expiry and after a 401, the token cache's mode, paging, bounded
retries, the deleted endpoint, and credentials that never show."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest

from accordwatch.errors import InputError, NetworkError
from accordwatch.sources.acled_api import AcledClient, Credentials, TokenCache, load_credentials
from acled_files import FakeAcled, acled_rows

CREDS = Credentials(FakeAcled.USER, FakeAcled.PASSWORD, "the test")


def _client(server: FakeAcled, tmp_path: Path | None = None, **kw: object) -> AcledClient:
    sleeps: list[float] = []
    client = AcledClient(
        CREDS,
        cache=TokenCache(tmp_path / "token.json") if tmp_path else None,
        transport=server.transport(),
        clock=lambda: server.now,
        sleep=sleeps.append,
        **kw,  # type: ignore[arg-type]
    )
    client.sleeps = sleeps  # type: ignore[attr-defined]
    return client


def test_password_flow_then_pages_with_one_token(tmp_path: Path) -> None:
    server = FakeAcled(acled_rows(12))
    with _client(server, tmp_path, page_size=5) as client:
        events = client.events(country="Mali")
    assert len(events) == 12
    assert server.grants == ["password"]
    pages = [r for r in server.log if r.url.path == "/api/acled/read"]
    assert [r.url.params["page"] for r in pages] == ["1", "2", "3"]
    assert pages[0].url.params["with_total"] == "true"
    assert all(r.headers["Authorization"] == "Bearer acc-1" for r in pages)
    cache = tmp_path / "token.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    text = cache.read_text()
    assert FakeAcled.PASSWORD not in text and FakeAcled.USER not in text


def test_a_cached_token_is_reused_refreshed_before_expiry_then_the_password(
    tmp_path: Path,
) -> None:
    server = FakeAcled(acled_rows(3))
    _client(server, tmp_path).events(country="Mali")
    _client(server, tmp_path).events(country="Mali")  # a new process: the cached token
    assert server.grants == ["password"]
    server.now += 86400 - 60  # the access token is about to expire: refreshed first
    _client(server, tmp_path).events(country="Mali")
    assert server.grants == ["password", "refresh_token"]
    server.now += 15 * 86400  # the refresh token is gone too: the password again
    _client(server, tmp_path).events(country="Mali")
    assert server.grants == ["password", "refresh_token", "password"]


def test_a_401_renews_the_token_once(tmp_path: Path) -> None:
    server = FakeAcled(acled_rows(3))
    client = _client(server, tmp_path)
    client.events(country="Mali")
    server.tokens.clear()  # the server forgot the token (revoked, restarted)
    assert len(client.events(country="Mali")) == 3
    assert server.grants == ["password", "refresh_token"]


def test_rate_limits_server_errors_and_timeouts_are_retried_with_backoff() -> None:
    server = FakeAcled(acled_rows(4))
    client = _client(server, backoff=0.5)
    client.access_token()
    server.fail = [429, 503, httpx.ConnectTimeout("slow"), 502]
    assert len(client.events(country="Mali")) == 4
    assert client.sleeps == [2.0, 1.0, 2.0, 4.0]  # type: ignore[attr-defined]


def test_retries_are_bounded() -> None:
    server = FakeAcled(acled_rows(1))
    client = _client(server, max_retries=2)
    client.access_token()
    server.fail = [500, 500, 500, 500]
    with pytest.raises(NetworkError, match="gave up after 3 attempts"):
        client.events(country="Mali")


def test_filters_and_the_deleted_endpoint() -> None:
    rows = acled_rows(20)
    server = FakeAcled(
        rows, deleted=[{"event_id_cnty": "MLI1", "deleted_timestamp": 1_700_000_500}]
    )
    client = _client(server)
    stamp = sorted(int(r["timestamp"]) for r in rows)[10]
    changed = client.events(country="Mali", timestamp_since=stamp)
    assert len(changed) == 10
    import datetime as dt

    spring = client.events(country="Mali", since=dt.date(2023, 3, 1), until=dt.date(2023, 5, 31))
    assert all("2023-03-01" <= e["event_date"] <= "2023-05-31" for e in spring)
    req = [r for r in server.log if r.url.path == "/api/acled/read"][-1]
    assert req.url.params["event_date"] == "2023-03-01|2023-05-31"
    assert req.url.params["event_date_where"] == "BETWEEN"
    assert client.deleted(since_timestamp=1_700_000_000) == [
        {"event_id_cnty": "MLI1", "deleted_timestamp": "1700000500"}
    ]
    assert client.deleted(since_timestamp=1_700_000_501) == []


def test_refused_credentials_are_never_echoed() -> None:
    server = FakeAcled([])
    wrong = Credentials(FakeAcled.USER, "not-the-password", "$ACLED_USERNAME/$ACLED_PASSWORD")
    client = AcledClient(wrong, transport=server.transport(), sleep=lambda s: None)
    with pytest.raises(NetworkError) as info:
        client.events(country="Mali")
    message = str(info.value)
    assert "refused the username and password" in message and "$ACLED_USERNAME" in message
    assert "not-the-password" not in message and FakeAcled.USER not in message
    assert "not-the-password" not in repr(wrong) and FakeAcled.USER not in str(wrong)


def test_credentials_from_the_environment_or_a_private_config_file(tmp_path: Path) -> None:
    env = {"ACLED_USERNAME": "a@b.org", "ACLED_PASSWORD": "pw"}
    assert load_credentials(env, tmp_path / "none.toml").username == "a@b.org"
    config = tmp_path / "acled.toml"
    config.write_text('[acled]\nusername = "c@d.org"\npassword = "pw2"\n')
    os.chmod(config, 0o644)
    with pytest.raises(InputError, match="chmod 600"):
        load_credentials({}, config)
    os.chmod(config, 0o600)
    creds = load_credentials({}, config)
    assert (creds.username, creds.password, creds.where) == ("c@d.org", "pw2", str(config))
    with pytest.raises(InputError, match="ACLED_USERNAME"):
        load_credentials({}, tmp_path / "missing.toml")
