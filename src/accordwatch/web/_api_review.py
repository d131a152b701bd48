"""``/api/review``: the queue of events extracted from text, and the analysts' decisions.

Viewers list and read candidates; analysts accept (the candidate becomes an event, or is
linked to the stored event it duplicates), edit or reject one — each decision one write
through the server's writer, logged in the review log with the analyst's name and in the
audit log with the candidate before and after.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .._app import review
from ._api_common import Analyst, Sort, SortDesc, api_router, json_safe, list_route, role, table
from ._app import read, write
from ._auth import User, audit

__all__ = [
    "AcceptIn",
    "CandidateId",
    "EditIn",
    "RejectIn",
    "Status",
    "accept",
    "edit",
    "queue",
    "reject",
    "router",
    "show",
]

router = api_router("review")

CandidateId = Annotated[int, Path(ge=1, le=2**62, description="Review candidate id.")]
Status = Literal["pending", "accepted", "rejected", "duplicate", "all"]


@list_route(router, "/review", summary="The review queue", dependencies=[role("viewer")])
async def queue(
    request: Request,
    status: Annotated[Status, Query(description="Candidates with this status.")] = "pending",
    doc_id: Annotated[str | None, Query(max_length=200, description="Of one document.")] = None,
    limit: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Candidates (oldest first): date, place, actors, type, fatalities, evidence,
    confidence, the stored event each may duplicate."""
    frame = await read(request, review.review_list, status=status, doc_id=doc_id, limit=limit)
    return table(request, frame, sort=sort, sort_desc=sort_desc)


@router.get(
    "/review/{candidate_id}",
    summary="One candidate with its document and review log",
    dependencies=[role("viewer")],
)
async def show(request: Request, candidate_id: CandidateId) -> JSONResponse:
    """The candidate, its document (title, URL, date, language) and every change to it."""
    return JSONResponse(json_safe(await read(request, review.review_show, candidate_id)))


async def _decide(
    request: Request,
    user: User,
    action: str,
    candidate_id: int,
    fn: Any,
    *args: Any,
    **kw: Any,
) -> JSONResponse:
    before = await read(request, review.review_show, candidate_id)
    after = await write(request, fn, candidate_id, *args, reviewer=user.name, **kw)
    before, after = json_safe(before), json_safe(after)
    await audit(request, user, f"review.{action}", f"candidate:{candidate_id}", before, after)
    return JSONResponse(after)


class AcceptIn(BaseModel):
    """Accepting a candidate."""

    model_config = ConfigDict(strict=True, extra="forbid")

    not_duplicate: bool = Field(
        default=False,
        description="Store it even though it looks like a stored event (a different event).",
    )


class EditIn(BaseModel):
    """Fields to change (leave out what stays)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    event_date: str | None = Field(default=None, max_length=40, examples=["2023-10"])
    place: str | None = Field(default=None, max_length=200)
    admin1: str | None = Field(default=None, max_length=200)
    actors: str | None = Field(default=None, max_length=1000, examples=["FAMa; CSP"])
    event_type: str | None = Field(default=None, max_length=40)
    fatalities: Annotated[int, Field(ge=0, le=10**6)] | None = None
    evidence: str | None = Field(default=None, max_length=10_000)


class RejectIn(BaseModel):
    """Why a candidate is rejected."""

    model_config = ConfigDict(strict=True, extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, examples=["background, not news"])


@router.post("/review/{candidate_id}/accept", summary="Accept a candidate (analyst)")
async def accept(
    request: Request, candidate_id: CandidateId, user: Analyst, body: AcceptIn | None = None
) -> JSONResponse:
    """The candidate becomes an event — or, when it looks like a stored event and
    ``not_duplicate`` is false, is linked to it (status ``duplicate``)."""
    flag = body.not_duplicate if body is not None else False
    return await _decide(
        request, user, "accept", candidate_id, review.review_accept, not_duplicate=flag
    )


@router.post("/review/{candidate_id}/edit", summary="Edit a pending candidate (analyst)")
async def edit(
    request: Request, candidate_id: CandidateId, body: EditIn, user: Analyst
) -> JSONResponse:
    """Change fields of a pending candidate (checked: a place from the gazetteer, actors
    from the registry …); it is checked for duplicates again."""
    changes = body.model_dump(exclude_none=True)
    return await _decide(request, user, "edit", candidate_id, review.review_edit, **changes)


@router.post("/review/{candidate_id}/reject", summary="Reject a candidate (analyst)")
async def reject(
    request: Request, candidate_id: CandidateId, body: RejectIn, user: Analyst
) -> JSONResponse:
    """Reject a pending candidate with the reason; it stays in the queue."""
    return await _decide(request, user, "reject", candidate_id, review.review_reject, body.reason)
