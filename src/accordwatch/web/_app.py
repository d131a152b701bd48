"""The web app: the JSON API under ``/api``, the pages at ``/``, one owner of the store.

:func:`create_app` builds the FastAPI app.  While it runs (its lifespan) the store is held
by one :class:`~accordwatch.store.StoreOwner` (``app.state.owner``, opened by
:func:`accordwatch._app.server.open_owner`): reads run on the owner's reader threads, each in
a snapshot of the last committed state, writes one after another on its writer thread.
Route code reaches it only through :func:`read` and :func:`write`, which hand a public
function (``accordwatch.events``, ``accordwatch.review_accept`` …) the owner's store as its
``db``::

    rows = await read(request, aw.event_records, country="Mali", limit=10)
    cand = await write(request, aw.review_accept, 12, reviewer=user.name)

Answers that depend only on the stored data (a page of events, the first screen's figures,
who a token belongs to) are kept by :func:`cached` under the store's *data version*
(:func:`data_version`: the writes the store's owner committed, but those marked as
bookkeeping — a note of when a token or session was last used), so a kept answer is never
older than the last write that could change it — and the store has no other writer while
the app owns it.
Concurrent requests for the same answer share one read.  In front of the app,
:class:`KeptResponses` answers a repeated GET of the event list or the first
screen — the same URL with the same credentials — from the response kept at the same data
version (and within :data:`KEEP_SECONDS`, so that a session's time limits still apply).

The OpenAPI schema is at ``/api/openapi.json``; its Swagger UI (``/api/docs``) and ReDoc
(``/api/redoc``) pages load their scripts from the app itself (fastapi-offline): no request
leaves the server.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from .._app._store import store_path
from .._app.server import close_owner, is_bookkeeping, open_owner
from ..errors import StoreError
from . import _errors

__all__ = [
    "CACHE_BYTES",
    "CACHE_ENTRIES",
    "READERS",
    "KEEP_SECONDS",
    "KEPT_PATHS",
    "AnswerCache",
    "KeptResponses",
    "cached",
    "create_app",
    "data_version",
    "read",
    "write",
]

_T = TypeVar("_T")

#: reader threads of the store's owner
READERS = 8
#: answers :func:`cached` keeps at most (the least recently used go first) …
CACHE_ENTRIES = 512
#: … and their size at most, in bytes (as :func:`cached` is told it)
CACHE_BYTES = 64 * 1024 * 1024

_DESCRIPTION = """\
Independent monitoring of peace accords and the conflicts around them: events, actors,
agreements and their implementation, forecasts and alerts, the review queue of events
extracted from text, briefings and the digest.

Every list takes `_sort` / `_sort_desc` and has `.json` and `.csv` twins
(`/api/agreements.csv`).  Errors are JSON: `{"error": {"status", "message", "fix"}}`.
Log in with a session (the pages) or send `Authorization: Bearer <token>`.
"""


def _owner(request: Request) -> Any:
    owner = getattr(request.app.state, "owner", None)
    if owner is None or owner.closed:
        raise StoreError("the server's store is not open (the app is starting or stopping)")
    return owner


class AnswerCache:
    """Answers kept under the store's data version (see the module text): a bounded LRU
    map, emptied when the version moves on, and the reads in flight (one per key).
    ``state`` is the app's state, whose ``owner`` counts the writes."""

    def __init__(self, state: Any, entries: int = CACHE_ENTRIES, size: int = CACHE_BYTES) -> None:
        self.entries = entries
        self.size = size
        self._state = state
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._kept_version = -1
        self._bytes = 0
        self._flying: dict[tuple[int, Hashable], asyncio.Future[Any]] = {}

    @property
    def version(self) -> int:
        """The store's data version: the owner's ``data_generation``, the writes it
        committed but bookkeeping (-1 while it is not open)."""
        owner = getattr(self._state, "owner", None)
        return -1 if owner is None else int(owner.data_generation)

    def _current(self, version: int) -> bool:
        """Forget what was kept at an older version; true if ``version`` is current."""
        if version != self.version:
            return False
        if version != self._kept_version:
            self._kept.clear()
            self._bytes = 0
            self._kept_version = version
        return True

    def get(self, key: Hashable, version: int) -> tuple[bool, Any]:
        with self._lock:
            if not self._current(version) or key not in self._kept:
                return False, None
            self._kept.move_to_end(key)
            return True, self._kept[key][0]

    def put(self, key: Hashable, version: int, value: Any, size: int) -> None:
        with self._lock:
            if not self._current(version) or size > self.size // 4:
                return  # made before a write ended, or too big to keep
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._kept[key] = (value, size)
            self._bytes += size
            while len(self._kept) > self.entries or self._bytes > self.size:
                self._bytes -= self._kept.popitem(last=False)[1][1]


#: the GET paths whose responses :class:`KeptResponses` keeps
KEPT_PATHS = frozenset({"/", "/api/events", "/api/events.json"})
#: seconds a kept response is used at most (also while no write ends)
KEEP_SECONDS = 10


class KeptResponses:
    """ASGI middleware: a GET of :data:`KEPT_PATHS` that asks what an earlier one asked —
    the same path, query, host and credentials (``Authorization`` and ``Cookie``) — is
    answered with that one's response while the data version is the same and for at most
    :data:`KEEP_SECONDS`.  Only a 200 without ``Set-Cookie`` is kept."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in KEPT_PATHS:
            await self.app(scope, receive, send)
            return
        cache: AnswerCache | None = getattr(self.state, "answers", None)
        if cache is None:
            await self.app(scope, receive, send)
            return
        wanted = {b"authorization", b"cookie", b"host"}
        creds = tuple(sorted((k, v) for k, v in scope["headers"] if k in wanted))
        window = int(asyncio.get_running_loop().time() // KEEP_SECONDS)
        key = ("response", scope["path"], scope["query_string"], creds, window)
        version = cache.version
        found, kept = cache.get(key, version)
        if found:
            start, body = kept
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        if len(messages) != 2 or messages[0]["type"] != "http.response.start":
            return
        start, end = messages
        headers = start.get("headers", [])
        if (
            start["status"] != 200
            or end.get("more_body")
            or any(k.lower() == b"set-cookie" for k, _ in headers)
        ):
            return
        body = bytes(end.get("body", b""))
        cache.put(key, version, (start, body), len(body) + 512)


def _cache(request: Request) -> AnswerCache:
    found = getattr(request.app.state, "answers", None)
    if found is None:
        found = request.app.state.answers = AnswerCache(request.app.state)
    assert isinstance(found, AnswerCache)
    return found


def data_version(request: Request) -> int:
    """The store's data version: how many writes its owner committed (bookkeeping aside)."""
    return _cache(request).version


async def cached(
    request: Request,
    key: Hashable,
    make: Callable[[], Awaitable[_T]],
    *,
    size: Callable[[_T], int] = lambda _: 1024,
) -> _T:
    """The answer kept under ``key`` at the current data version, else ``await make()``
    (shared with the requests asking the same meanwhile) and kept — unless a write ended
    while it was made.  ``make`` must read only (through :func:`read`); ``size`` tells how
    big an answer is for the cache's bound."""
    cache = _cache(request)
    version = cache.version
    found, value = cache.get(key, version)
    if found:
        return value
    flying = cache._flying.get((version, key))
    if flying is not None:
        return await asyncio.shield(flying)
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    cache._flying[(version, key)] = future
    try:
        value = await make()
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: no warning when nobody else was waiting
        raise
    else:
        future.set_result(value)
        cache.put(key, version, value, size(value))
        return value
    finally:
        cache._flying.pop((version, key), None)


async def read(request: Request, fn: Callable[..., _T], *args: Any, **kw: Any) -> _T:
    """``fn(*args, db=<store>, **kw)`` on one of the owner's reader threads, in a snapshot of
    the last committed state (a write running meanwhile is not seen, and not waited for).
    ``fn`` is a public read function; a write inside it fails."""
    future = _owner(request).submit_read(lambda store: fn(*args, db=store, **kw))
    return await asyncio.wrap_future(future)


async def write(request: Request, fn: Callable[..., _T], *args: Any, **kw: Any) -> _T:
    """``fn(*args, db=<store>, **kw)`` on the owner's writer thread, after the writes queued
    before it, in one transaction (a failure leaves the store as it was).  Reads go on
    meanwhile, on the state before the write.  A function marked as bookkeeping
    (:func:`accordwatch._app.server.bookkeeping`) leaves the data version as it was."""
    future = _owner(request).execute_write(
        lambda store: fn(*args, db=store, **kw), block=False, bookkeeping=is_bookkeeping(fn)
    )
    return await asyncio.wrap_future(future)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store's owner when the app starts (and start building the event list held
    in memory) and close it when it stops.  An owner the
    caller opened already is left open, unless ``app.state.close_owner`` hands it over
    (``accordwatch serve`` opens it first, to report a busy store before the server starts,
    and hands it over: uvicorn ends the process at once after the app stops on a signal)."""
    owner = app.state.owner
    if owner is not None and not owner.closed:
        models = _start_list_model(app)
        try:
            yield
        finally:
            models.close()
            if getattr(app.state, "close_owner", False):
                await asyncio.to_thread(close_owner, owner)
        return
    owner = await asyncio.to_thread(
        open_owner,
        app.state.db,
        url=app.state.url,
        readers=getattr(app.state, "readers", READERS),
    )
    app.state.owner = owner
    models = _start_list_model(app)
    try:
        yield
    finally:
        models.close()
        await asyncio.to_thread(close_owner, owner)


def _start_list_model(app: FastAPI) -> Any:
    """Start building the event list held in memory (web._readmodel) on one of the owner's
    reader threads; lists asked before it is ready are answered by the store."""
    from ._api_events import models_of

    models = models_of(app.state)
    models.current()
    return models


def create_app(
    db: str | os.PathLike[str] | None = None,
    *,
    anonymous_read: bool = False,
    secure: bool | None = None,
) -> FastAPI:
    """The web app on the store at ``db`` (a path; None: ``$ACCORDWATCH_DB``, else the user
    data directory).  The store is opened when the app starts and closed when it stops.

    ``anonymous_read`` lets visitors who are not logged in read (as viewers); ``secure``
    marks session cookies Secure (None: when the request came over HTTPS).  Set
    ``app.state.url`` before the app starts to record where it answers (``accordwatch
    serve`` does), so that a command meeting the store names it.
    """
    from fastapi_offline import FastAPIOffline

    from . import (
        _api_accords,
        _api_briefs,
        _api_events,
        _api_forecasts,
        _api_ingest,
        _api_reference,
        _api_review,
    )

    app = FastAPIOffline(
        title="accordwatch",
        version=__version__,
        description=_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
        static_url="/api/docs-assets",
        favicon_url="/api/docs-assets/favicon.png",
        swagger_ui_parameters={"validatorUrl": None},
        lifespan=_lifespan,
    )
    app.state.db = store_path(db)
    app.state.anonymous_read = bool(anonymous_read)
    app.state.secure = secure
    app.state.url = None
    app.state.readers = READERS
    app.state.owner = None
    app.state.answers = AnswerCache(app.state)
    _errors.install(app)
    for module in (
        _api_events,
        _api_reference,
        _api_accords,
        _api_forecasts,
        _api_review,
        _api_briefs,
        _api_ingest,
    ):
        app.include_router(module.router)
    _include_others(app)
    # first-time event lists from the list held in memory, before CSRF and routing
    app.add_middleware(_api_events.HeldLists, state=app.state)
    app.add_middleware(KeptResponses, state=app.state)  # outermost: repeated GETs
    return app


def _include_others(app: FastAPI) -> None:
    """The pages (web._pages), the accounts (web._auth: login, tokens, admin pages, the
    session and CSRF middleware), incidents and claims (web._api_incidents and its pages)."""
    from . import _api_incidents, _auth, _pages, _pages_incidents

    _auth.install(app)
    app.include_router(_auth.router)
    app.include_router(_pages.router)
    app.include_router(_api_incidents.router)
    app.include_router(_pages_incidents.router)
