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

The OpenAPI schema is at ``/api/openapi.json``; its Swagger UI (``/api/docs``) and ReDoc
(``/api/redoc``) pages load their scripts from the app itself (fastapi-offline): no request
leaves the server.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request

from .. import __version__
from .._app._store import store_path
from .._app.server import close_owner, open_owner
from ..errors import StoreError
from . import _errors

__all__ = [
    "READERS",
    "create_app",
    "read",
    "write",
]

_T = TypeVar("_T")

#: reader threads of the store's owner
READERS = 8

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


async def read(request: Request, fn: Callable[..., _T], *args: Any, **kw: Any) -> _T:
    """``fn(*args, db=<store>, **kw)`` on one of the owner's reader threads, in a snapshot of
    the last committed state (a write running meanwhile is not seen, and not waited for).
    ``fn`` is a public read function; a write inside it fails."""
    future = _owner(request).submit_read(lambda store: fn(*args, db=store, **kw))
    return await asyncio.wrap_future(future)


async def write(request: Request, fn: Callable[..., _T], *args: Any, **kw: Any) -> _T:
    """``fn(*args, db=<store>, **kw)`` on the owner's writer thread, after the writes queued
    before it, in one transaction (a failure leaves the store as it was).  Reads go on
    meanwhile, on the state before the write."""
    future = _owner(request).execute_write(lambda store: fn(*args, db=store, **kw), block=False)
    return await asyncio.wrap_future(future)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store's owner when the app starts and close it when it stops.  An owner the
    caller opened already is left open, unless ``app.state.close_owner`` hands it over
    (``accordwatch serve`` opens it first, to report a busy store before the server starts,
    and hands it over: uvicorn ends the process at once after the app stops on a signal)."""
    owner = app.state.owner
    if owner is not None and not owner.closed:
        try:
            yield
        finally:
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
    try:
        yield
    finally:
        await asyncio.to_thread(close_owner, owner)


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
    return app


def _include_others(app: FastAPI) -> None:
    """The pages (web._pages) and the accounts (web._auth: login, tokens, admin pages, the
    session and CSRF middleware)."""
    from . import _auth, _pages

    _auth.install(app)
    app.include_router(_auth.router)
    app.include_router(_pages.router)
