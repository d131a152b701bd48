"""``/api/briefings/{country}`` and ``/api/digest``: what an analyst hands on.

A briefing is built by :func:`accordwatch.brief.write` into a temporary folder on the
server and answered as one self-contained HTML file (or PDF with ``?format=pdf``).  It
reads the stored forecast of the country; when none is stored yet the briefing is built
through the writer instead, which fits and stores it (once: the next briefing reads it).

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
from ..errors import StoreError
from ._api_common import api_router, json_safe, role
from ._app import read, write

__all__ = ["router"]

router = api_router("briefings and digest")

_DAY = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _build(
    country: str,
    pdf: bool,
    *,
    db: Any,
    region: str | None,
    since: str | None,
    until: str | None,
    lang: str,
    agreement: int | None,
) -> tuple[bytes, str]:
    """The briefing's HTML or PDF bytes and its file name, built in a temporary folder."""
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
            agreement=agreement,
        )
        name = brief.default_out(done.briefing.country, ".pdf" if pdf else ".html").name
        return (out if out is not None else html).read_bytes(), name


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
    try:
        data, name = await read(request, _build, country, pdf, **kw)
    except StoreError as exc:
        if "tried to write" not in str(exc):
            raise
        # no stored forecast yet: built by the writer, which stores the one it fits
        data, name = await write(request, _build, country, pdf, **kw)
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
