"""``/api/briefings/{country}`` and ``/api/digest``: what an analyst hands on.

A briefing is built by :func:`accordwatch.brief.write` into a temporary folder on the
server and answered as one self-contained HTML file (or PDF with ``?format=pdf``).  A GET
never fits the default (slow) forecast model: the briefing reads the stored forecast of its
data and model; when none is stored it uses :data:`FALLBACK_MODEL` instead, fitted once in
a fraction of a second through the writer and stored (the briefing says which model it
used).  ``accordwatch brief`` stores the default model's forecast for the next briefings.

The digest (``/api/digest``, Markdown or JSON; Atom at ``/api/digest.atom``) says what
changed since the last recorded digest — without recording one: the mark the next
``accordwatch digest`` starts from does not move.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from .. import brief
from .._app.digest import recent_digests
from ._api_common import api_router, json_safe, role
from ._app import read, write

__all__ = [
    "FALLBACK_MODEL",
    "briefing",
    "digest",
    "digest_atom",
    "router",
]

router = api_router("briefings and digest")

_DAY = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class _NeedsFit(Exception):
    """The briefing would fit a forecast model (none of its data and model is stored)."""


def _no_fit(message: str) -> None:
    """The progress of a briefing built on a reader: stop before a fit (a read cannot store
    the forecast; :func:`accordwatch._app.forecasts.cached_forecast` says "fitting …" first)."""
    if message.startswith("fitting "):
        raise _NeedsFit(message)


def _build(
    country: str,
    pdf: bool,
    *,
    db: Any,
    fit: bool,
    model: str | None,
    region: str | None,
    since: str | None,
    until: str | None,
    lang: str,
    agreement: int | None,
) -> tuple[bytes, str]:
    """The briefing's HTML or PDF bytes and its file name, built in a temporary folder;
    unless ``fit``, :class:`_NeedsFit` when its forecast is not stored."""
    with tempfile.TemporaryDirectory(prefix="accordwatch-brief-") as tmp:
        html = FilePath(tmp) / "brief.html"
        out = FilePath(tmp) / "brief.pdf" if pdf else None
        done = brief.write(
            country,
            html,
            pdf=out,
            region=region,
            since=since,
            until=until,
            lang=lang,
            db=db,
            model=model,
            agreement=agreement,
            progress=None if fit else _no_fit,
        )
        name = brief.default_out(done.briefing.country, ".pdf" if pdf else ".html").name
        return (out if out is not None else html).read_bytes(), name


#: the model a briefing falls back to when the default's forecast is not stored: fitted in
#: a fraction of a second, on the writer, and stored for the next briefing
FALLBACK_MODEL = "conflictology"


async def _briefing(request: Request, country: str, pdf: bool, **kw: Any) -> tuple[bytes, str]:
    """Built on a reader from the stored forecast; else with :data:`FALLBACK_MODEL` — read
    when that one is stored, else built on the writer, which fits and stores it."""
    try:
        return await read(request, _build, country, pdf, fit=False, model=None, **kw)
    except _NeedsFit:
        pass
    try:
        return await read(request, _build, country, pdf, fit=False, model=FALLBACK_MODEL, **kw)
    except _NeedsFit:
        return await write(request, _build, country, pdf, fit=True, model=FALLBACK_MODEL, **kw)


@router.get(
    "/briefings/{country}",
    summary="A briefing on a country (HTML, or PDF with format=pdf)",
    responses={
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
    dependencies=[role("viewer")],
)
async def briefing(
    request: Request,
    country: Annotated[str, Path(max_length=200, description="Name, ISO3 code or GW number.")],
    format: Annotated[Literal["html", "pdf"], Query(description="HTML or PDF.")] = "html",
    region: Annotated[str | None, Query(max_length=200, description="One admin-1 region.")] = None,
    since: Annotated[str | None, Query(pattern=_DAY)] = None,
    until: Annotated[str | None, Query(pattern=_DAY)] = None,
    lang: Annotated[Literal["en", "fr"], Query()] = "en",
    agreement: Annotated[int | None, Query(ge=1, le=10**7, description="Agreement (paid).")] = None,
    download: Annotated[bool, Query(description="As an attachment.")] = False,
) -> Response:
    """The briefing: headline, map, timeline, who fights, the accord, early warning, key
    events and sources — one self-contained file (no external asset)."""
    kw: dict[str, Any] = dict(
        region=region, since=since, until=until, lang=lang, agreement=agreement
    )
    pdf = format == "pdf"
    data, name = await _briefing(request, country, pdf, **kw)
    disposition = "attachment" if download or pdf else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{name}"'}
    if pdf:
        return Response(data, media_type="application/pdf", headers=headers)
    return HTMLResponse(data.decode("utf-8"), headers=headers)


def _digest_and_marks(*, db: Any, since: str, limit: int, alerts: bool) -> tuple[Any, Any]:
    return brief.make_digest(db, since=since, limit=limit, alerts=alerts), recent_digests(db)


_Since = Annotated[
    str,
    Query(
        max_length=10,
        pattern=r"^(last|\d{4}(-\d{2}(-\d{2})?)?)$",
        description="'last' (the last recorded digest) or a date.",
    ),
]
_Limit = Annotated[int, Query(ge=1, le=1000, description="Events listed per section.")]
_Alerts = Annotated[bool, Query(description="Check the alerts (slower).")]


@router.get(
    "/digest",
    summary="What changed since the last digest (Markdown or JSON); the mark does not move",
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
    dependencies=[role("viewer")],
)
async def digest(
    request: Request,
    since: _Since = "last",
    limit: _Limit = 50,
    alerts: _Alerts = True,
    format: Annotated[Literal["markdown", "json"], Query()] = "markdown",
) -> Response:
    """New and revised events, reviewed events, assessments, milestones, status changes and
    alerts since ``since``."""
    d, _ = await read(request, _digest_and_marks, since=since, limit=limit, alerts=alerts)
    if format == "json":
        return JSONResponse(json_safe(dataclasses.asdict(d)))
    return Response(brief.to_markdown(d), media_type="text/markdown; charset=utf-8")


@router.get(
    "/digest.atom",
    summary="The digest as an Atom feed (with the recorded digests before it)",
    responses={200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}}},
    dependencies=[role("viewer")],
)
async def digest_atom(request: Request, limit: _Limit = 50, alerts: _Alerts = True) -> Response:
    """An Atom feed: the digest since the last recorded one, then the recorded ones."""
    d, marks = await read(request, _digest_and_marks, since="last", limit=limit, alerts=alerts)
    feed = brief.atom_feed(d, marks, feed_url=str(request.url))
    return Response(feed, media_type="application/atom+xml; charset=utf-8")
