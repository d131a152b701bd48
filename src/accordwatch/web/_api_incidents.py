"""``/api/incidents`` and ``/api/claims``: one incident reported by several sources, and what
the parties claim about it.

An incident's members (UCDP GED, ACLED, accepted news events) are shown side by side —
each source's date, place, actors and deaths —, with the member whose figure is counted and
why, and why each record was linked.  Analysts unlink a record, link two records by hand or
choose whose figure counts: each decision one write through the server's writer, in the
incident log with the analyst's name and in the audit log with the incident before and
after.  Claims are listed beside the figures, never in them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .._app import claims as cl
from .._app import incidents as inc
from ..errors import NotFound
from ._api_common import Analyst, Sort, SortDesc, api_router, json_safe, list_route, role, table
from ._app import read, write
from ._auth import audit

__all__ = [
    "CLAIM_COLUMNS",
    "ClaimKind",
    "INCIDENT_COLUMNS",
    "CountIn",
    "Day",
    "EventRef",
    "IncidentId",
    "LinkIn",
    "UnlinkIn",
    "claims",
    "count",
    "incident",
    "incident_view",
    "incidents",
    "link",
    "router",
    "unlink",
    "why",
]

router = api_router("incidents and claims")

#: what a claim can be about
ClaimKind = Literal["deaths", "capture", "responsibility", "other"]

IncidentId = Annotated[int, Path(ge=1, le=2**62, description="Incident id.")]
#: an event named SOURCE|ID (or SOURCE/ID)
EventRef = Annotated[
    str,
    Field(
        min_length=3,
        max_length=300,
        pattern=r"^[^|/\s][^|/]*[|/].+$",
        examples=["ucdp-ged|244657", "acled/MLI12345"],
    ),
]
Day = Annotated[
    str | None,
    Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="A day, YYYY-MM-DD."),
]
_EVENT_Q = Annotated[
    str | None,
    Query(
        min_length=3,
        max_length=300,
        pattern=r"^[^|/\s][^|/]*[|/].+$",
        description="An event named SOURCE|ID, e.g. ucdp-ged|244657.",
    ),
]

#: the columns of the incident list, in order
INCIDENT_COLUMNS = ["incident_id", "date_start", "place", "deaths_best", "counted", "members"]
#: the columns of the claim list, in order (the others follow)
CLAIM_COLUMNS = ["claim_id", "claimant", "kind", "deaths", "target", "claim_date", "claimed_on"]


def _parsed(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def incident_view(ref: int | str, *, db: Any = None) -> dict[str, Any]:
    """An incident as the API shows it (:func:`accordwatch._app.incidents.incident_show`):
    ``members`` side by side, each named ``event`` (``SOURCE|ID``) with its date, place,
    actors, deaths, ``counted`` and ``explanation``; ``figure`` (whose figure is counted and
    why); ``claims``; ``log`` (its ``detail`` as an object)."""
    shown = inc.incident_show(ref, db=db)
    members = shown["members"]
    names = zip(members["ev_source"], members["ev_id"], strict=True)
    members.insert(0, "event", [f"{s}|{i}" for s, i in names])
    out = json_safe(shown)
    for entry in out.get("log", []):
        entry["detail"] = _parsed(entry.get("detail"))
    return dict(out)


@list_route(router, "/incidents", summary="Incidents", dependencies=[role("viewer")])
async def incidents(
    request: Request,
    country: Annotated[
        str | None, Query(max_length=200, description="Of this country (name, ISO3, code).")
    ] = None,
    since: Day = None,
    until: Day = None,
    event: _EVENT_Q = None,
    limit: Annotated[int | None, Query(ge=1, le=100_000, description="At most this many.")] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Incidents whose counted record is in scope, newest first: the counted record's date,
    place and deaths, the number of members and their sources.  ``event`` gives the
    incident of one record."""
    if event is not None:
        found = await read(request, inc.event_incident, event)
        if found["incident_id"] is None:
            rows: Any = []
        else:
            shown = await read(request, incident_view, int(found["incident_id"]))
            rows = [_summary(shown)]
        return table(request, rows, sort=sort, sort_desc=sort_desc, columns=INCIDENT_COLUMNS)
    frame = await read(
        request, inc.incident_list, country=country, since=since, until=until, limit=limit
    )
    return table(request, frame, sort=sort, sort_desc=sort_desc, columns=INCIDENT_COLUMNS)


def _summary(shown: dict[str, Any]) -> dict[str, Any]:
    members = shown["members"]
    top = members[0] if members else {}
    return {
        "incident_id": shown["incident_id"],
        "date_start": top.get("date_start"),
        "place": top.get("where_description") or top.get("admin1"),
        "deaths_best": top.get("best"),
        "counted": top.get("event"),
        "members": len(members),
        "sources": ", ".join(sorted({str(m["ev_source"]).split(":", 1)[0] for m in members})),
    }


@router.get(
    "/incidents/why",
    summary="Why two records are (or are not) one incident",
    dependencies=[role("viewer")],
)
async def why(
    request: Request,
    a: Annotated[str, Query(min_length=3, max_length=300, pattern=r"^[^|/\s][^|/]*[|/].+$")],
    b: Annotated[str, Query(min_length=3, max_length=300, pattern=r"^[^|/\s][^|/]*[|/].+$")],
) -> JSONResponse:
    """Every linking rule applied to records ``a`` and ``b`` now (days, km and the limit,
    types, actors matched, score), their incidents, the explanation stored when they were
    linked, and whether an analyst separated them (by whom, when, why)."""
    return JSONResponse(json_safe(await read(request, inc.incident_why, a, b)))


@router.get(
    "/incidents/{incident_id}",
    summary="One incident: its records side by side",
    dependencies=[role("viewer")],
)
async def incident(request: Request, incident_id: IncidentId) -> JSONResponse:
    """The incident's members side by side (each source's date, place, coordinates and
    precision, actors, type, deaths), ``figure``: whose figure is counted and why, each
    link's explanation (rules, days, km, actors, score), the claims about it and its log."""
    return JSONResponse(await read(request, incident_view, incident_id))


class UnlinkIn(BaseModel):
    """A record to take out of the incident, and why."""

    model_config = ConfigDict(strict=True, extra="forbid")

    event: EventRef
    reason: str = Field(min_length=1, max_length=2000, examples=["a different attack"])


class LinkIn(BaseModel):
    """Two records to link by hand (``b`` joins ``a``'s incident, or both make one)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    a: EventRef
    b: EventRef
    reason: str = Field(min_length=1, max_length=2000, examples=["the paper misplaced it"])


class CountIn(BaseModel):
    """Whose figure the incident counts (``event``: a member; null: the source precedence)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    event: EventRef | None = None
    reason: str = Field(min_length=1, max_length=2000, examples=["GED merges two days"])


async def _before(request: Request, ref: int | str) -> Any:
    try:
        return await read(request, incident_view, ref)
    except NotFound:
        return None


@router.post("/incidents/{incident_id}/unlink", summary="Unlink a record (analyst)")
async def unlink(
    request: Request, incident_id: IncidentId, body: UnlinkIn, user: Analyst
) -> JSONResponse:
    """Take ``event`` out of the incident: it is not part of it.  The linker never joins it
    with the incident's members again (nor with those that join later); an incident left
    with one record is dissolved."""
    before = await _before(request, incident_id)
    if before is None:
        raise NotFound(f"no incident {incident_id}; see /api/incidents")
    event = body.event
    members = {m["event"] for m in before["members"]}
    key = inc.event_key(event)
    if f"{key[0]}|{key[1]}" not in members:
        raise NotFound(f"{event} is not a member of incident {incident_id}")
    done = await write(request, inc.incident_unlink, event, reason=body.reason, by=user.name)
    after = await _before(request, incident_id)
    result = {**json_safe(done), "incident": after}
    await audit(request, user, "incident.unlink", f"incident:{incident_id}", before, after)
    return JSONResponse(result)


@router.post("/incidents/link", summary="Link two records as one incident (analyst)")
async def link(request: Request, body: LinkIn, user: Analyst) -> JSONResponse:
    """Link ``a`` and ``b`` by hand: ``b`` joins ``a``'s incident (or both make a new one);
    earlier separations of ``b`` from its members are lifted.  The linker never moves a
    record an analyst linked."""
    found = await read(request, inc.event_incident, body.a)
    before = None
    if found["incident_id"] is not None:
        before = await _before(request, int(found["incident_id"]))
    await write(request, inc.incident_link, body.a, body.b, reason=body.reason, by=user.name)
    after = await read(request, incident_view, body.a)
    await audit(request, user, "incident.link", f"incident:{after['incident_id']}", before, after)
    return JSONResponse(after)


@router.post("/incidents/{incident_id}/count", summary="Choose whose figure counts (analyst)")
async def count(
    request: Request, incident_id: IncidentId, body: CountIn, user: Analyst
) -> JSONResponse:
    """Count the figure of member ``event`` (or, null, the source precedence again)."""
    before = await _before(request, incident_id)
    if before is None:
        raise NotFound(f"no incident {incident_id}; see /api/incidents")
    await write(
        request, inc.incident_count, incident_id, body.event, reason=body.reason, by=user.name
    )
    after = await read(request, incident_view, incident_id)
    await audit(request, user, "incident.count", f"incident:{incident_id}", before, after)
    return JSONResponse(after)


@list_route(router, "/claims", summary="Claims by the parties", dependencies=[role("viewer")])
async def claims(
    request: Request,
    event: _EVENT_Q = None,
    incident: Annotated[
        int | None, Query(ge=1, le=2**62, description="About a record of this incident.")
    ] = None,
    claimant: Annotated[
        str | None, Query(max_length=200, description="By this claimant (name or registry id).")
    ] = None,
    kind: Annotated[
        ClaimKind | None, Query(description="deaths, capture, responsibility or other.")
    ] = None,
    since: Day = None,
    until: Day = None,
    limit: Annotated[int | None, Query(ge=1, le=100_000, description="At most this many.")] = None,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Claims, oldest first: who claims, what (deaths with the number, a capture, a
    responsibility), about when and where, made when, read where, in which words, about
    which event.  Claimed, not confirmed: never in any event's deaths."""
    frame = await read(
        request,
        cl.claim_list,
        event=event,
        incident=incident,
        claimant=claimant,
        since=since,
        until=until,
        limit=None if kind is not None else limit,
    )
    if kind is not None:
        frame = frame[frame["kind"] == kind]
        if limit is not None:
            frame = frame.head(limit)
    return table(request, frame, sort=sort, sort_desc=sort_desc, columns=CLAIM_COLUMNS)
