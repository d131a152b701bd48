"""Download events and deletions from ACLED's API (``https://acleddata.com/api``).

Authentication is OAuth's password flow: the account's username (e-mail) and password are
exchanged at ``https://acleddata.com/oauth/token`` (``grant_type=password``,
``client_id=acled``) for an access token (valid about 24 hours) and a refresh token (about
14 days).  :class:`AcledClient` keeps both in a token cache (a file only its owner may read,
mode 0600), refreshes the access token before it expires — and once more when the API
answers 401 — and asks for the password again only when the refresh token is gone.  The
credentials come from ``$ACLED_USERNAME``/``$ACLED_PASSWORD`` or the config file
``acled.toml`` in the user config directory (:func:`load_credentials`); neither they nor
the tokens are ever written to a message or a log.

Events come from ``/api/acled/read`` page by page (``limit``/``page``, until a page is
short), deletions from ``/api/deleted/read`` (``event_id_cnty`` and ``deleted_timestamp``).
Rate limits (429), server errors (5xx) and dropped or timed-out connections are retried a
bounded number of times with exponential backoff (honouring ``Retry-After``).  The HTTP
transport is injectable: tests pass an ``httpx.MockTransport`` and never touch the network.

>>> client = AcledClient()                                              # doctest: +SKIP
>>> events = client.events(country="Mali", since=dt.date(2024, 1, 1))   # doctest: +SKIP
>>> gone = client.deleted(since_timestamp=1717000000)                   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import InputError, NetworkError

__all__ = [
    "API_BASE",
    "PAGE_SIZE",
    "PASSWORD_ENV",
    "TOKEN_URL",
    "USERNAME_ENV",
    "AcledClient",
    "Credentials",
    "TokenCache",
    "config_path",
    "load_credentials",
]

TOKEN_URL = "https://acleddata.com/oauth/token"
API_BASE = "https://acleddata.com/api"
USERNAME_ENV = "ACLED_USERNAME"
PASSWORD_ENV = "ACLED_PASSWORD"
#: rows per page the client asks for (ACLED's documented default and maximum page size)
PAGE_SIZE = 5000
_CLIENT_ID = "acled"
_RETRY_STATUS = {429, 500, 502, 503, 504}
#: renew a token this many seconds before it expires (clocks differ, requests take time)
_MARGIN = 300.0
#: what a token is assumed to last when the answer does not say
_ACCESS_LIFE = 24 * 3600.0
_REFRESH_LIFE = 14 * 24 * 3600.0


@dataclass(frozen=True)
class Credentials:
    """An ACLED account; ``where`` says where it was read from (for messages).  Its text
    form never shows the password or the username."""

    username: str = field(repr=False)
    password: str = field(repr=False)
    where: str = ""

    def __str__(self) -> str:
        return f"ACLED credentials from {self.where or 'the caller'}"


def config_path() -> Path:
    """``acled.toml`` in the user config directory (``~/.config/accordwatch`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("accordwatch", appauthor=False)) / "acled.toml"


def load_credentials(
    env: Mapping[str, str] | None = None, config: str | os.PathLike[str] | None = None
) -> Credentials:
    """The ACLED account: ``$ACLED_USERNAME`` and ``$ACLED_PASSWORD``, else ``username`` and
    ``password`` in the config file (default :func:`config_path`), which only its owner may
    read.  InputError saying how to provide them when neither has them."""
    env = os.environ if env is None else env
    user, password = env.get(USERNAME_ENV, "").strip(), env.get(PASSWORD_ENV, "")
    if user and password:
        return Credentials(user, password, f"${USERNAME_ENV}/${PASSWORD_ENV}")
    path = Path(config) if config is not None else config_path()
    if path.is_file():
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(
                f"{path} holds a password but others may read it; make it private "
                f"(chmod 600 {path}) and try again"
            )
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{path}: not a readable TOML file ({type(exc).__name__})") from None
        section = doc.get("acled", doc)
        user = str(section.get("username", "")).strip() if isinstance(section, dict) else ""
        password = str(section.get("password", "")) if isinstance(section, dict) else ""
        if user and password:
            return Credentials(user, password, str(path))
        raise InputError(f"{path}: give both username and password (under [acled])")
    raise InputError(
        f"the ACLED API needs an account: set ${USERNAME_ENV} and ${PASSWORD_ENV}, or write "
        f'{path} with [acled] username = "you@example.org" and password = "…" (chmod 600); '
        "accounts are free for non-commercial use at acleddata.com"
    )


def _default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("accordwatch", appauthor=False)) / "acled-token.json"


@dataclass
class TokenCache:
    """The tokens of one account, kept in a file only its owner may read (mode 0600)."""

    path: Path = field(default_factory=_default_cache)

    def load(self, account: str) -> dict[str, Any] | None:
        """The cached tokens of ``account`` (a key derived from the username), if any."""
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return doc if isinstance(doc, dict) and doc.get("account") == account else None

    def save(self, tokens: dict[str, Any]) -> None:
        """Write the tokens (created 0600; an existing file is made 0600 first)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(tokens, fh)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _account_key(username: str) -> str:
    import hashlib

    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:16]


class AcledClient:
    """ACLED's API with OAuth tokens, paging and retries (see the module docstring).

    ``credentials`` default to :func:`load_credentials` (read only when a token is needed);
    ``cache`` is a :class:`TokenCache` or None (tokens kept in memory only).  ``transport``
    (an ``httpx.MockTransport`` in tests) or ``http`` replace the network; ``clock`` and
    ``sleep`` the time.
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        cache: TokenCache | None = None,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        base_url: str = API_BASE,
        token_url: str = TOKEN_URL,
        page_size: int = PAGE_SIZE,
        max_retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 120.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 1 <= page_size <= PAGE_SIZE:
            raise InputError(f"page_size must be 1..{PAGE_SIZE} (the API's maximum)")
        self._credentials = credentials
        self._cache = cache
        self._own = http is None
        self._http = http or httpx.Client(transport=transport, timeout=timeout)
        self._base = base_url.rstrip("/")
        self._token_url = token_url
        self.page_size = page_size
        self._retries = max_retries
        self._backoff = backoff
        self._clock = clock
        self._sleep = sleep
        self._tokens: dict[str, Any] | None = None
        #: how many requests went out (tokens included): for tests and progress
        self.requests = 0

    def close(self) -> None:
        if self._own:
            self._http.close()

    def __enter__(self) -> AcledClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- tokens ---------------------------------------------------------------------------
    def _creds(self) -> Credentials:
        if self._credentials is None:
            self._credentials = load_credentials()
        return self._credentials

    def _account(self) -> str:
        return _account_key(self._creds().username)

    def access_token(self, *, renew: bool = False) -> str:
        """A valid access token: the one held, else refreshed, else a new one from the
        password; ``renew`` refreshes even an unexpired one (after a 401)."""
        now = self._clock()
        tokens = self._tokens
        if tokens is None and self._cache is not None:
            tokens = self._tokens = self._cache.load(self._account())
        if tokens and not renew and now < float(tokens.get("expires_at", 0)) - _MARGIN:
            return str(tokens["access_token"])
        if (
            tokens
            and tokens.get("refresh_token")
            and now < float(tokens.get("refresh_expires_at", 0)) - _MARGIN
        ):
            fresh = self._token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                    "client_id": _CLIENT_ID,
                },
                refresh=True,
            )
            if fresh is not None:
                return self._keep(fresh, now)
        creds = self._creds()
        fresh = self._token_request(
            {
                "grant_type": "password",
                "username": creds.username,
                "password": creds.password,
                "client_id": _CLIENT_ID,
            },
            refresh=False,
        )
        assert fresh is not None  # a refused password raises
        return self._keep(fresh, now)

    def _keep(self, answer: dict[str, Any], now: float) -> str:
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise NetworkError(f"{self._token_url}: the answer holds no access_token")
        life = float(answer.get("expires_in") or _ACCESS_LIFE)
        refresh_life = float(answer.get("refresh_expires_in") or _REFRESH_LIFE)
        old = self._tokens or {}
        refresh = answer.get("refresh_token") or old.get("refresh_token")
        self._tokens = {
            "account": self._account(),
            "access_token": token,
            "expires_at": now + life,
            "refresh_token": refresh,
            "refresh_expires_at": (
                now + refresh_life
                if answer.get("refresh_token")
                else old.get("refresh_expires_at", now + refresh_life)
            ),
        }
        if self._cache is not None:
            self._cache.save(self._tokens)
        return token

    def _token_request(self, form: dict[str, str], *, refresh: bool) -> dict[str, Any] | None:
        """POST to the token endpoint (retried like every request); None when a refresh
        token is refused (the caller then uses the password)."""
        resp = self._send("POST", self._token_url, data=form)
        if resp.status_code in (400, 401, 403):
            if refresh:
                return None
            where = self._creds().where or "the caller"
            raise NetworkError(
                f"ACLED refused the username and password (HTTP {resp.status_code}; from "
                f"{where}); check them, or that the account has API access"
            )
        if resp.status_code >= 400:
            raise NetworkError(f"{self._token_url}: HTTP {resp.status_code}")
        return _json(resp, self._token_url)

    # -- requests -------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """One request, retried on 429, 5xx and transport errors (bounded)."""
        last = ""
        for attempt in range(self._retries + 1):
            resp: httpx.Response | None = None
            self.requests += 1
            try:
                resp = self._http.request(method, url, **kw)
            except httpx.TransportError as exc:  # timeouts, refused and dropped connections
                last = f"connection failed ({exc.__class__.__name__})"
            else:
                if resp.status_code not in _RETRY_STATUS:
                    return resp
                last = f"HTTP {resp.status_code}"
            if attempt < self._retries:
                self._sleep(self._wait(resp, attempt))
        raise NetworkError(
            f"{url}: gave up after {self._retries + 1} attempts (last: {last}); try again later"
        )

    def _wait(self, resp: httpx.Response | None, attempt: int) -> float:
        if resp is not None:
            after = resp.headers.get("Retry-After", "").strip()
            if after.isdigit():
                return min(float(after), 600.0)
        return self._backoff * (2**attempt)

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET an API path with the access token; a 401 renews the token once."""
        url = f"{self._base}/{path}"
        for renew in (False, True):
            headers = {"Authorization": f"Bearer {self.access_token(renew=renew)}"}
            resp = self._send("GET", url, params=params, headers=headers)
            if resp.status_code == 401 and not renew:
                continue
            if resp.status_code in (401, 403):
                raise NetworkError(
                    f"{url}: ACLED refused access (HTTP {resp.status_code}); does the account "
                    "have API access to this data?"
                )
            if resp.status_code >= 400:
                raise NetworkError(f"{url}: HTTP {resp.status_code}: {_short(resp)}")
            return _json(resp, url)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pages(
        self,
        path: str,
        params: dict[str, Any],
        progress: Callable[[int, int | None], None] | None,
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        total: int | None = None
        page = 1
        while True:
            query = {"_format": "json", **params, "limit": self.page_size, "page": page}
            if page == 1:
                query["with_total"] = "true"
            doc = self._get(path, query)
            rows = doc.get("data")
            if not isinstance(rows, list):
                raise NetworkError(
                    f"{self._base}/{path}: the answer holds no 'data' list "
                    f"(keys: {sorted(doc)[:6]})"
                )
            if page == 1:
                total = _int(doc.get("total_count"))
            out.extend(r for r in rows if isinstance(r, dict))
            if progress:
                progress(len(out), total)
            if len(rows) < self.page_size or (total is not None and len(out) >= total):
                return out
            page += 1

    def events(
        self,
        *,
        country: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        timestamp_since: int | None = None,
        extra: Mapping[str, str] | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every event of ``country`` dated ``since``..``until`` (inclusive) and, with
        ``timestamp_since``, added or changed at that Unix time or later."""
        params: dict[str, Any] = dict(extra or {})
        if country:
            params["country"] = country
        if since or until:
            start = (since or dt.date(1997, 1, 1)).isoformat()
            end = (until or dt.date.today()).isoformat()
            params["event_date"] = f"{start}|{end}"
            params["event_date_where"] = "BETWEEN"
        if timestamp_since is not None:
            params["timestamp"] = int(timestamp_since)
            params["timestamp_where"] = ">="
        return self._pages("acled/read", params, progress)

    def deleted(
        self,
        *,
        since_timestamp: int | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Events ACLED deleted at ``since_timestamp`` (Unix time) or later:
        ``{"event_id_cnty", "deleted_timestamp"}`` each."""
        params: dict[str, Any] = {}
        if since_timestamp is not None:
            params["deleted_timestamp"] = int(since_timestamp)
            params["deleted_timestamp_where"] = ">="
        return self._pages("deleted/read", params, progress)


def _json(resp: httpx.Response, url: str) -> dict[str, Any]:
    try:
        doc = resp.json()
    except ValueError:
        raise NetworkError(f"{url}: the answer is not JSON ({_short(resp)})") from None
    if not isinstance(doc, dict):
        raise NetworkError(f"{url}: the answer is not a JSON object")
    return doc


def _short(resp: httpx.Response) -> str:
    text = resp.text[:200].replace("\n", " ")
    return text or resp.reason_phrase


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
