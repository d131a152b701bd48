"""Download events from the official UCDP API (``/api/gedevents/<version>``).

The API answers pages of JSON ``{"TotalCount", "TotalPages", "NextPageUrl",
"Result": [...]}`` and needs a token in the ``x-ucdp-access-token`` header.
:func:`fetch_ged` follows ``NextPageUrl`` until the last page, retrying
rate-limited (429) and server (5xx) answers and dropped connections with
exponential backoff (honouring ``Retry-After``).  The HTTP client is
injectable — tests pass an ``httpx.MockTransport`` and never touch the network.

>>> events = fetch_ged("25.1", token="…", filters={"Country": "432"})   # doctest: +SKIP
>>> save_pages(events, "mali_ged_25_1.json")                             # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ..errors import InputError, NetworkError

__all__ = ["API_BASE", "TOKEN_ENV", "fetch_ged", "save_pages"]

API_BASE = "https://ucdpapi.pcr.uu.se/api"
TOKEN_ENV = "UCDP_API_TOKEN"
_RETRY_STATUS = {429, 500, 502, 503, 504}


def _wait(resp: httpx.Response | None, attempt: int, backoff: float) -> float:
    if resp is not None:
        after = resp.headers.get("Retry-After")
        if after and after.strip().isdigit():
            return float(after)
    return backoff * (2**attempt)


def fetch_ged(
    version: str,
    *,
    token: str | None = None,
    filters: dict[str, str] | None = None,
    pagesize: int = 1000,
    client: httpx.Client | None = None,
    base_url: str = API_BASE,
    max_retries: int = 5,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int | None], None] | None = None,
) -> list[dict[str, Any]]:
    """Every event the API returns for ``version`` and ``filters`` (e.g. ``{"Country": "432",
    "StartDate": "2023-01-01"}``), following pages to the end."""
    token = token or os.environ.get(TOKEN_ENV)
    if not token:
        raise InputError(
            f"the UCDP API needs an access token: pass --token or set ${TOKEN_ENV} "
            "(UCDP issues tokens on request; see the API documentation)"
        )
    if not 1 <= pagesize <= 1000:
        raise InputError("pagesize must be between 1 and 1000 (the API's maximum)")
    own = client is None
    http = client or httpx.Client(timeout=60.0)
    url: str | None = f"{base_url.rstrip('/')}/gedevents/{version}"
    params: dict[str, Any] | None = {"pagesize": pagesize, "page": 0, **(filters or {})}
    out: list[dict[str, Any]] = []
    try:
        while url:
            page = _get(http, url, params, token, max_retries, backoff, sleep)
            result = page.get("Result")
            if not isinstance(result, list):
                raise NetworkError(
                    f"{url}: the API answered without a 'Result' list (keys: {sorted(page)[:6]})"
                )
            out.extend(result)
            if progress:
                progress(len(out), page.get("TotalCount"))
            url = page.get("NextPageUrl") or None
            params = None  # NextPageUrl carries the query
    finally:
        if own:
            http.close()
    return out


def _get(
    http: httpx.Client,
    url: str,
    params: dict[str, Any] | None,
    token: str,
    max_retries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    last = ""
    for attempt in range(max_retries + 1):
        resp: httpx.Response | None = None
        try:
            resp = http.get(url, params=params, headers={"x-ucdp-access-token": token})
        except httpx.TransportError as exc:
            last = f"connection failed ({exc.__class__.__name__}: {exc})"
        else:
            if resp.status_code in (401, 403):
                raise NetworkError(
                    f"{url}: the UCDP API refused the token (HTTP {resp.status_code}); "
                    f"check --token / ${TOKEN_ENV}"
                )
            if resp.status_code == 404:
                raise NetworkError(
                    f"{url}: not found (HTTP 404); "
                    "is the dataset version right (e.g. 25.1, 25.0.9)?"
                )
            if resp.status_code not in _RETRY_STATUS:
                if resp.status_code >= 400:
                    raise NetworkError(f"{url}: HTTP {resp.status_code}: {resp.text[:200]}")
                try:
                    return resp.json()
                except json.JSONDecodeError as exc:
                    raise NetworkError(
                        f"{url}: the API answered with something that is not JSON ({exc})"
                    ) from exc
            last = f"HTTP {resp.status_code}"
        if attempt < max_retries:
            sleep(_wait(resp, attempt, backoff))
    raise NetworkError(
        f"{url}: gave up after {max_retries + 1} attempts (last: {last}); try again later"
    )


def save_pages(events: list[dict[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Write fetched events as one API-style page (``{"TotalCount", "Result"}``) that
    ``accordwatch ingest ucdp`` reads; written atomically."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(
            json.dumps({"TotalCount": len(events), "Result": events}, ensure_ascii=False),
            encoding="utf-8",
        )
        os.replace(tmp, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise InputError(
            f"cannot write {p} ({(exc.strerror or str(exc)).lower()}); the events were "
            "downloaded but not saved: give --out a file in a folder you may write to"
        ) from None
    return p
