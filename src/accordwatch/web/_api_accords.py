"""``/api/agreements`` and ``/api/assessments``: the peace-accord tracker.

An agreement (UCDP paid) with its provisions tree, assessment history, milestones, accord
health and implementation index; every part is also a list of its own (sortable, with
``.json`` / ``.csv`` twins).  Analysts record assessments with ``POST /api/assessments``
(append-only: an earlier assessment is never changed).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .. import accords
from ..errors import InputError
from ._api_common import (
    Analyst,
    Sort,
    SortDesc,
    api_router,
    json_safe,
    list_route,
    role,
    table,
)
from ._app import read, write
from ._auth import audit

__all__ = [
    "AgreementId",
    "AssessmentIn",
    "add_assessment",
    "agreement",
    "agreements",
    "assessments",
    "health",
    "index",
    "milestones",
    "provisions",
    "router",
    "timeline",
]

router = api_router("agreements")

AgreementId = Annotated[int, Path(ge=1, le=10**7, description="UCDP peace agreement id (paid).")]
_Year = Annotated[int | None, Query(ge=1900, le=2100)]
_DAY = r"^\d{4}-\d{2}-\d{2}$"


@list_route(router, "/agreements", summary="Peace agreements", dependencies=[role("viewer")])
async def agreements(
    request: Request,
    country: Annotated[
        str | None, Query(max_length=200, description="Country of the conflict.")
    ] = None,
    actor: Annotated[str | None, Query(max_length=200, description="A party, any alias.")] = None,
    lineage: Annotated[bool, Query(description="Add the actor's lineage.")] = False,
    year: _Year = None,
    since: _Year = None,
    until: _Year = None,
    text: Annotated[str | None, Query(max_length=200, description="Words of the name.")] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Agreements of the UCDP Peace Agreement Dataset matching every filter."""
    frame = await read(
        request,
        accords.list_agreements,
        country=country,
        actor=actor,
        lineage=lineage,
        year=year,
        since=since,
        until=until,
        text=text,
    )
    return table(request, frame, sort=sort, sort_desc=sort_desc)


def _health_or_none(aid: int, db: Any) -> Any:
    try:
        return accords.health(aid, db=db)
    except InputError:  # no signature date: no health
        return None


def _agreement_page(aid: int, *, db: Any) -> dict[str, Any]:
    """Everything the agreement page shows, in one consistent read."""
    return {
        "agreement": accords.show_agreement(aid, db),
        "provisions": accords.provision_tree(aid, db),
        "assessments": accords.assessments(db, agreement_id=aid),
        "implementation_index": accords.implementation_index(aid, db=db),
        "health": _health_or_none(aid, db),
    }


@router.get(
    "/agreements/{agreement_id}",
    summary="One agreement: provisions tree, assessments, milestones, health, index",
    dependencies=[role("viewer")],
)
async def agreement(request: Request, agreement_id: AgreementId) -> JSONResponse:
    """The agreement (parties, UCDP provision flags, milestones, references), its provisions
    as a tree (title → chapter → article → commitment, each with its latest score), every
    assessment, the yearly implementation index and the monthly accord health."""
    return JSONResponse(json_safe(await read(request, _agreement_page, agreement_id)))


@list_route(
    router,
    "/agreements/{agreement_id}/provisions",
    summary="An agreement's provisions (flat, in tree order)",
    dependencies=[role("viewer")],
)
async def provisions(
    request: Request, agreement_id: AgreementId, sort: Sort = None, sort_desc: SortDesc = None
) -> Response:
    """Provisions in tree order with depth, path, theme and latest score."""
    frame = await read(request, accords.provisions, agreement_id)
    return table(request, frame, sort=sort, sort_desc=sort_desc)


@list_route(
    router,
    "/agreements/{agreement_id}/index",
    summary="An agreement's implementation index over time",
    dependencies=[role("viewer")],
)
async def index(
    request: Request,
    agreement_id: AgreementId,
    by: Annotated[Literal["theme", "party"] | None, Query(description="Split by.")] = None,
    freq: Annotated[Literal["Y", "M"], Query(description="Year or month ends.")] = "Y",
    until: Annotated[str | None, Query(pattern=_DAY)] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """The PAM-style implementation index at each year (or month) end since signature."""
    frame = await read(
        request, accords.implementation_index, agreement_id, by=by, freq=freq, until=until
    )
    return table(request, frame, sort=sort, sort_desc=sort_desc)


@list_route(
    router,
    "/agreements/{agreement_id}/health",
    summary="An agreement's monthly accord health",
    dependencies=[role("viewer")],
)
async def health(
    request: Request,
    agreement_id: AgreementId,
    until: Annotated[str | None, Query(pattern=_DAY)] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Per month since signature: implementation movement, milestones, fatality trend and
    fighting by signatories."""
    frame = await read(request, accords.health, agreement_id, until=until)
    return table(request, frame, sort=sort, sort_desc=sort_desc)


@list_route(
    router,
    "/agreements/{agreement_id}/milestones",
    summary="An agreement's milestones",
    dependencies=[role("viewer")],
)
async def milestones(
    request: Request, agreement_id: AgreementId, sort: Sort = None, sort_desc: SortDesc = None
) -> Response:
    """Dated milestones (signature, deadlines met or missed, suspensions …) with sources."""
    rec = await read(request, accords.show_agreement, agreement_id)
    return table(request, rec.get("milestones") or [], sort=sort, sort_desc=sort_desc)


@list_route(
    router,
    "/agreements/{agreement_id}/timeline",
    summary="An agreement's monthly fatalities and milestones",
    dependencies=[role("viewer")],
)
async def timeline(
    request: Request,
    agreement_id: AgreementId,
    since: Annotated[str | None, Query(pattern=_DAY)] = None,
    until: Annotated[str | None, Query(pattern=_DAY)] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Fatalities per month in the agreement's countries, with the best source of each."""
    frame = await read(request, accords.timeline, agreement_id, since=since, until=until)
    return table(request, frame, sort=sort, sort_desc=sort_desc)


# -- assessments ------------------------------------------------------------------------------
@list_route(
    router, "/assessments", summary="Assessments (the full history)", dependencies=[role("viewer")]
)
async def assessments(
    request: Request,
    agreement_id: Annotated[int | None, Query(ge=1, le=10**7)] = None,
    provision_id: Annotated[str | None, Query(max_length=200)] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Every assessment, oldest first (nothing is overwritten)."""
    frame = await read(
        request, accords.assessments, agreement_id=agreement_id, provision_id=provision_id
    )
    return table(request, frame, sort=sort, sort_desc=sort_desc)


class AssessmentIn(BaseModel):
    """One dated assessment of a provision (Peace Accords Matrix scores)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    provision_id: str = Field(min_length=1, max_length=200, examples=["mali2015.t3.c8.cantonment"])
    score: Annotated[int, Field(ge=0, le=3)] | Literal["reversed", "suspended"] = Field(
        description="0 not started, 1 minimal, 2 intermediate, 3 complete, or reversed / suspended"
    )
    date: str = Field(pattern=_DAY, description="When the state held (YYYY-MM-DD).")
    evidence: str = Field(min_length=1, max_length=10_000)
    source_url: str | None = Field(default=None, max_length=2000)


@router.post(
    "/assessments",
    status_code=201,
    summary="Record an assessment (analyst)",
)
async def add_assessment(request: Request, body: AssessmentIn, user: Analyst) -> JSONResponse:
    """Record one assessment by the logged-in analyst; earlier ones are kept.  Returns the
    stored row with its ``assessment_id`` and the score's label."""
    row = await write(
        request,
        accords.assess,
        body.provision_id,
        body.score,
        body.date,
        evidence=body.evidence,
        assessor=user.name,
        source_url=body.source_url,
    )
    await audit(
        request, user, "assessment.add", f"provision:{body.provision_id}", None, json_safe(row)
    )
    return JSONResponse(json_safe(row), status_code=201)
