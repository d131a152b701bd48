"""The pages of incidents and claims (server-rendered, every value escaped):

* ``/incidents`` — the incidents whose counted record is in scope, newest first;
* ``/incidents/{id}`` — one incident: its records side by side (each source's date, place,
  actors, type, deaths), whose figure is counted and why, why each record was linked, the
  claims about it and its log; for analysts the forms that unlink a record, link another
  one and choose whose figure counts, each with a reason;
* ``/incidents/of?event=SOURCE|ID`` — a record's incident (a redirect), or the record alone
  with the claims about it when it is linked to none (the event explorer links here);
* ``/claims`` — the claims by the parties, with filters: claimed, not confirmed.

Reads go through :func:`~accordwatch.web._app.read`; a form's change through
:func:`~accordwatch.web._app.write`, then into the audit log
(:func:`~accordwatch.web._auth.audit`).  :data:`router` holds the pages;
:func:`accordwatch.web.create_app` includes it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .._app import claims as cl
from .._app import incidents as inc
from ..errors import AccordwatchError, InputError, NotFound
from ._api_common import json_safe
from ._api_incidents import incident_view
from ._app import read, write
from ._auth import User, audit, require
from ._pages import _error, _listing, _may_decide, _page

__all__ = ["router"]

#: the pages of incidents and claims (HTML)
router = APIRouter(include_in_schema=False)

_Viewer = Annotated[User, Depends(require("viewer"))]
_Analyst = Annotated[User, Depends(require("analyst"))]
_Day = Annotated[str, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
_Ref = Annotated[str, Form(min_length=3, max_length=300)]
_Reason = Annotated[str, Form(min_length=1, max_length=2000)]

_TYPES = {1: "state-based", 2: "non-state", 3: "one-sided"}
_DONE = {
    "unlinked": "The record was taken out of the incident; the linker will not join it again.",
    "linked": "The record was linked to this incident.",
    "counted": "The counted figure was changed.",
}


def _actors(m: dict[str, Any]) -> str:
    names = [str(m[k]) for k in ("side_a", "side_b") if m.get(k)]
    if m.get("actors"):
        names += [n for n in str(m["actors"]).split("; ") if n and n not in names]
    return " – ".join(names)


def _kind(m: dict[str, Any]) -> str:
    code = m.get("type_of_violence")
    label = _TYPES.get(int(code), "") if isinstance(code, int | float) and code == code else ""
    if m.get("event_type"):
        return f"{label} ({m['event_type']})" if label else str(m["event_type"])
    return label


def _member_rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for m in view["members"]:
        start, end = str(m.get("date_start") or "")[:10], str(m.get("date_end") or "")[:10]
        rows.append(
            {
                **m,
                "date": start if end in ("", start) else f"{start} – {end}",
                "place": m.get("where_description") or "",
                "actor_text": _actors(m),
                "type": _kind(m),
                "explanation": m.get("explanation") or {},
            }
        )
    return rows


def _claim_rows(frame: Any) -> list[dict[str, Any]]:
    rows = json_safe(frame)
    for r in rows:
        what = {"deaths": "deaths claimed", "capture": "capture claimed"}.get(str(r.get("kind")))
        what = what or {"responsibility": "responsibility claimed"}.get(str(r.get("kind")), "")
        number = r.get("deaths")
        r["claim"] = (f"{number} " if number is not None else "") + (what or "statement")
        if r.get("target"):
            r["claim"] += f" ({r['target']})"
        r["about"] = f"{r['ev_source']}|{r['ev_id']}" if r.get("ev_source") else ""
    return list(rows)


def _filters_query(form: dict[str, str]) -> str:
    """The query string of a list page's filters (the downloads keep them): those not
    empty, without surrounding spaces, in the form's order."""
    return urlencode({k: v.strip() for k, v in form.items() if v.strip()})


async def _incident_view(
    request: Request,
    user: User,
    incident_id: int,
    *,
    status: int = 200,
    error: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    try:
        view = await read(request, incident_view, incident_id)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Incident")
    return _page(
        request,
        "incident",
        user,
        status=status,
        nav="incidents",
        title=f"Incident {incident_id}",
        view=view,
        members=_member_rows(view),
        claims=_claim_rows(view["claims"]),
        log=view["log"],
        can_decide=_may_decide(user),
        error=error,
        done=done,
    )


@router.get("/incidents", response_class=HTMLResponse)
async def _incidents_page(
    request: Request,
    user: _Viewer,
    country: Annotated[str, Query(max_length=200)] = "",
    since: _Day = "",
    until: _Day = "",
) -> HTMLResponse:
    """The incidents whose counted record is in scope, newest first (500 at most)."""
    listing = await _listing(
        request,
        500,
        json_safe,
        inc.incident_list,
        country=country.strip() or None,
        since=since or None,
        until=until or None,
        limit=501,
    )
    form = {"country": country, "since": since, "until": until}
    return _page(
        request,
        "incidents",
        user,
        nav="incidents",
        title="Incidents",
        form=form,
        qs=_filters_query(form),
        **listing,
    )


@router.get("/incidents/of", response_class=HTMLResponse)
async def _event_incident_page(
    request: Request,
    user: _Viewer,
    event: Annotated[str, Query(min_length=1, max_length=300)],
) -> Response:
    """The incident of one record (a redirect to its page), or the record alone — its
    fields, the incidents an analyst took it out of, the claims about it."""
    try:
        found = await read(request, inc.event_incident, event)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Event")
    if found["incident_id"] is not None:
        target = f"/incidents/{int(found['incident_id'])}#member-{quote(found['event'], safe='')}"
        return RedirectResponse(target, status_code=303)
    record = json_safe(found["record"])
    return _page(
        request,
        "incident_event",
        user,
        nav="incidents",
        title=f"Event {found['event']}",
        found=found,
        record={**record, "actor_text": _actors(record), "type": _kind(record)},
        claims=_claim_rows(found["claims"]),
        unlinks=json_safe(found["unlinks"]),
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
async def _incident_page(
    request: Request,
    user: _Viewer,
    incident_id: int,
    done: Literal["unlinked", "linked", "counted"] | None = None,
) -> HTMLResponse:
    """One incident: its records side by side, the counted figure and why, the link
    reasons, the claims, the log, and (analysts) unlink / link / count."""
    return await _incident_view(request, user, incident_id, done=_DONE.get(done or ""))


async def _decide(
    request: Request,
    user: User,
    incident_id: int,
    action: str,
    fn: Any,
    *args: Any,
    **kw: Any,
) -> Response:
    """One analyst's decision through the writer, audited; back to the incident (or, when
    it was dissolved, to the record taken out of it)."""
    try:
        before = await read(request, incident_view, incident_id)
        done = await write(request, fn, *args, by=user.name, **kw)
    except AccordwatchError as exc:
        return await _incident_view(request, user, incident_id, status=400, error=str(exc))
    try:
        after: Any = await read(request, incident_view, incident_id)
    except NotFound:
        after = None
    await audit(request, user, f"incident.{action}", f"incident:{incident_id}", before, after)
    if after is None:
        removed = done.get("removed") if isinstance(done, dict) else None
        target = f"/incidents/of?event={quote(str(removed), safe='')}" if removed else "/incidents"
        return RedirectResponse(target, status_code=303)
    return RedirectResponse(f"/incidents/{incident_id}?done={action}ed", status_code=303)


@router.post("/incidents/{incident_id}/unlink", response_class=HTMLResponse)
async def _unlink_page(
    request: Request, user: _Analyst, incident_id: int, event: _Ref, reason: _Reason
) -> Response:
    """Take ``event`` out of the incident, with the reason."""
    try:
        view = await read(request, incident_view, incident_id)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Incident")
    if event not in {m["event"] for m in view["members"]}:
        error = InputError(f"{event} is not a record of incident {incident_id}")
        return await _incident_view(request, user, incident_id, status=400, error=str(error))
    return await _decide(
        request, user, incident_id, "unlink", inc.incident_unlink, event, reason=reason
    )


@router.post("/incidents/{incident_id}/link", response_class=HTMLResponse)
async def _link_page(
    request: Request, user: _Analyst, incident_id: int, event: _Ref, reason: _Reason
) -> Response:
    """Link another record (``event``, ``SOURCE|ID``) to this incident, with the reason."""
    try:
        view = await read(request, incident_view, incident_id)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Incident")
    first = view["members"][0]["event"]
    return await _decide(
        request, user, incident_id, "link", inc.incident_link, first, event.strip(), reason=reason
    )


@router.post("/incidents/{incident_id}/count", response_class=HTMLResponse)
async def _count_page(
    request: Request,
    user: _Analyst,
    incident_id: int,
    reason: _Reason,
    event: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Count the figure of member ``event`` (empty: the source precedence again)."""
    return await _decide(
        request,
        user,
        incident_id,
        "count",
        inc.incident_count,
        incident_id,
        event.strip() or None,
        reason=reason,
    )


@router.get("/claims", response_class=HTMLResponse)
async def _claims_page(
    request: Request,
    user: _Viewer,
    claimant: Annotated[str, Query(max_length=200)] = "",
    event: Annotated[str, Query(max_length=300)] = "",
    since: _Day = "",
    until: _Day = "",
) -> HTMLResponse:
    """The claims by the parties, oldest first (1,000 at most): claimed, not confirmed."""
    listing = await _listing(
        request,
        1000,
        _claim_rows,
        cl.claim_list,
        claimant=claimant.strip() or None,
        event=event.strip() or None,
        since=since or None,
        until=until or None,
        limit=1001,
    )
    form = {"claimant": claimant, "event": event, "since": since, "until": until}
    return _page(
        request,
        "claims",
        user,
        nav="claims",
        title="Claims",
        form=form,
        qs=_filters_query(form),
        **listing,
    )
