"""The web app's side of the audit log: recording a change, reading and exporting entries.

The log itself is append-only and lives in the store (:mod:`accordwatch._app.users`); this
module reaches it through the app's store owner (``web._app.read`` / ``web._app.write``).
Every write endpoint calls :func:`audit` after its write succeeded::

    after = await write(request, aw.review_accept, candidate_id, reviewer=user.name)
    await audit(request, user, "review.accept", f"candidate:{candidate_id}", before, after)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import Response

if TYPE_CHECKING:
    from ._auth import User

__all__ = ["audit", "audit_query", "client_ip", "export_response"]


async def _call(helper: str, request: Request, fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
    """``fn(*a, **kw)`` on the store of the request's app (``read`` or ``write``)."""
    from . import _app

    result = getattr(_app, helper)(request, fn, *a, **kw)
    if inspect.isawaitable(result):
        result = await result
    return result


async def _read(request: Request, fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
    return await _call("read", request, fn, *a, **kw)


async def _write(request: Request, fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
    return await _call("write", request, fn, *a, **kw)


def client_ip(request: Request) -> str | None:
    """The client's address as the server saw it (behind a proxy: what the proxy says, when
    uvicorn is told to trust it)."""
    return request.client.host if request.client else None


async def audit(
    request: Request, user: User | None, action: str, target: str, before: Any, after: Any
) -> int:
    """Append one entry to the audit log: ``user`` (None: anonymous) did ``action``
    (``"review.accept"``, ``"assessment.add"`` …) to ``target`` (``"candidate:12"``), which
    was ``before`` and is ``after`` (anything JSON can show; None when it did not exist
    before, or does not after).  Returns the entry's id."""
    from .._app import users

    name = user.name if user is not None else "anonymous"
    entry: int = await _write(
        request, users.record_audit, name, action, target, before, after, ip=client_ip(request)
    )
    return entry


async def audit_query(
    request: Request,
    filters: dict[str, str | None],
    *,
    before: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Entries of the audit log, newest first, matching ``filters`` (``since``, ``until``,
    ``user``, ``action``, ``target``; see :func:`accordwatch._app.users.audit_entries`)."""
    from .._app import users

    rows: list[dict[str, Any]] = await _read(
        request, users.audit_entries, **filters, before=before, limit=limit
    )
    return rows


def export_response(rows: list[dict[str, Any]], fmt: str) -> Response:
    """Entries of the audit log as a CSV or JSON download."""
    from .._app import users

    text = users.export_audit(rows, fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return Response(
        text,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="accordwatch-audit.{fmt}"',
            "Cache-Control": "no-store",
        },
    )
