"""The web app's pages: server-rendered HTML (jinja2, every value escaped, CSS inline, no
asset from another site), readable on a phone.

* ``/`` — what changed: the change in deaths by admin-1 region against the previous period
  (a map), the alerts, the accord's status and its latest milestones (``?country=``);
* ``/events`` — the explorer: the filters of ``/api/events``, facets, a map, a timeline and
  a table with its ``.json`` / ``.csv`` twins;
* ``/actors/{name}``, ``/places/{name}``, ``/agreements``, ``/agreements/{id}`` (with the form
  that records an assessment);
* ``/review``, ``/review/{id}`` — the queue, and a candidate with its evidence marked in the
  text, the stored event it may duplicate beside it, and accept / edit / reject;
* ``/briefing`` (builds and downloads ``brief`` output), ``/digest`` (the digest feed).

Pages read through :func:`accordwatch.web._app.read`; a form's change goes through
:func:`~accordwatch.web._app.write` and into the audit log (:func:`~accordwatch.web._auth.audit`).
Viewers read every page; analysts decide review candidates and record assessments.  Charts
are Vega specs drawn by the Vega bundle this app serves at ``/assets/vega-<version>.js``.

:data:`router` holds every page; :func:`accordwatch.web.create_app` includes it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from ..errors import AccordwatchError, InputError, NotFound
from . import _pages_charts as charts
from . import _pages_data as data
from ._api_common import json_safe
from ._app import cached, read, write
from ._auth import User, audit, csrf_field, require

__all__ = ["router"]

#: every page of the app (HTML); the JSON API lives under /api
router = APIRouter(include_in_schema=False)

_Viewer = Annotated[User, Depends(require("viewer"))]
_Analyst = Annotated[User, Depends(require("analyst"))]

_SCORES = (
    ("0", "not started"),
    ("1", "minimal"),
    ("2", "intermediate"),
    ("3", "complete"),
    ("reversed", "reversed"),
    ("suspended", "suspended"),
)
_SCORE_WORDS = dict(_SCORES)


# -- rendering ------------------------------------------------------------------------------
def _n(value: Any, digits: int = 0) -> str:
    """A number with thousands separators, ``–`` when missing."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(number):
        return "–"
    return f"{number:,.{digits}f}"


def _signed(value: Any) -> str:
    """A change with its sign (``+12``, ``−3``, ``0``), ``–`` when missing."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(number):
        return "–"
    if number > 0:
        return f"+{number:,.0f}"
    return f"−{-number:,.0f}" if number < 0 else "0"


def _updown(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return "up" if number > 0 else "down" if number < 0 else ""


def _score(value: Any) -> str:
    """A Peace Accords Matrix score with its word (``2 intermediate``)."""
    if value is None:
        return ""
    key = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    word = _SCORE_WORDS.get(key)
    return f"{key} {word}" if word and word != key else key


def _safe_url(value: Any) -> str:
    """The URL when it is an http(s) address, else empty (no ``javascript:`` link)."""
    if not isinstance(value, str) or not value.strip():
        return ""
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        n=_n, signed=_signed, updown=_updown, day=data._day, score=_score, safe_url=_safe_url
    )
    env.globals.update(csrf_field=csrf_field)
    return env


@functools.cache
def _vega_version() -> str:
    import vl_convert as vlc

    return f"{vlc.get_vega_version()}-{vlc.get_vega_embed_version()}"


def _chart(cid: str, spec: Mapping[str, Any] | None, alt: str, *, map: bool = False) -> Any:
    if spec is None:
        return None
    return {"id": cid, "json": charts.spec_json(spec), "alt": alt, "map": map}


def _page(
    request: Request,
    name: str,
    user: User | None,
    *,
    status: int = 200,
    nav: str = "",
    title: str = "",
    chart_list: Mapping[str, Any] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``pages/<name>.html.j2``; ``chart_list`` names the charts the template shows
    (``map_chart`` …), whose specs go at the end of the page for the Vega bundle."""
    named = dict(chart_list or {})
    shown = [c for c in named.values() if c is not None]
    html = (
        _environment()
        .get_template(f"pages/{name}.html.j2")
        .render(
            request=request,
            user=user,
            nav=nav,
            title=title,
            charts=shown,
            vega_src=f"/assets/vega-{_vega_version()}.js",
            **named,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _error(request: Request, user: User | None, exc: AccordwatchError, title: str) -> HTMLResponse:
    return _page(
        request,
        "error",
        user,
        status=int(getattr(exc, "http_status", 400)),
        title=title,
        message=str(exc),
    )


def _may_decide(user: User) -> bool:
    """Whether a page shows ``user`` the forms that change data: a logged-in analyst or
    admin (an anonymous reader never, whatever role anonymous reading grants)."""
    return user.can("analyst") and not user.is_anonymous


async def _listing(
    request: Request,
    most: int,
    rows_of: Callable[[Any], list[dict[str, Any]]],
    fn: Callable[..., Any],
    *args: Any,
    **kw: Any,
) -> dict[str, Any]:
    """The rows of a list page and how it answers: ``fn(*args, **kw)`` read (it reads one
    more than ``most``, so the page can say there are more), made rows by ``rows_of``, at
    most ``most`` of them; when ``fn`` refuses the filters, no rows, its message and 400.
    The keys are the :func:`_page` context ``status``, ``rows``, ``more`` and ``error``."""
    try:
        rows = rows_of(await read(request, fn, *args, **kw))
    except AccordwatchError as exc:
        return {"status": 400, "rows": [], "more": False, "error": str(exc)}
    return {"status": 200, "rows": rows[:most], "more": len(rows) > most, "error": None}


def _query(request: Request, *drop: str, **changes: Any) -> str:
    """The request's query string without ``drop`` and with ``changes``."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in drop]
    pairs = [(k, v) for k, v in pairs if k not in changes and v != ""]
    for key, value in changes.items():
        if value is not None:
            pairs.append((key, str(value)))
    return urlencode(pairs)


# -- the Vega bundle -------------------------------------------------------------------------
@router.get("/assets/vega-{version}.js")
async def _vega_bundle(version: str) -> Response:
    """The Vega + Vega-Lite + vega-embed bundle (an ES module), cached by the browser for a
    year (its URL changes with its version)."""
    import asyncio

    from ..brief._html import vega_bundle as bundle

    if version != _vega_version():
        raise NotFound(f"no Vega bundle {version!r}; this server has {_vega_version()}")
    text = await asyncio.to_thread(bundle)
    return Response(
        text,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


# -- the first screen ------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def _overview_page(
    request: Request,
    user: _Viewer,
    country: Annotated[str, Query(max_length=200)] = "Mali",
    months: Annotated[int, Query(ge=1, le=24)] = 3,
    until: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """What changed: deaths by admin-1 region against the previous period, the alerts, the
    accord's status and its latest milestones (an empty ``until``: the last month with
    data)."""
    place, last = country.strip() or "Mali", until.strip() or None

    async def content() -> tuple[str, Markup, Any]:
        ov = await read(request, data.overview, place, months=months, until=last)
        events_qs = data.query_string(
            {"country": ov["country"], "since": ov["period"][0], "until": ov["period"][1]}
        )
        map_chart = (
            None
            if ov["map_json"] is None
            else {
                "id": "change",
                "json": ov["map_json"],
                "alt": "Map of the change in deaths by region",
                "map": True,
            }
        )
        main = Markup(
            _environment()
            .get_template("pages/_overview_main.html.j2")
            .render(ov=ov, until=until, events_qs=events_qs, map_chart=map_chart)
        )
        return str(ov["country"]), main, map_chart

    try:  # the same for every user: kept until the next write
        name, main, map_chart = await cached(
            request,
            ("overview", place.lower(), months, until),
            content,
            size=lambda found: len(found[1]) + len((found[2] or {}).get("json", "")),
        )
    except AccordwatchError as exc:
        return _error(request, user, exc, "What changed")
    return _page(
        request,
        "overview",
        user,
        nav="overview",
        title=f"What changed in {name}",
        chart_list={"map_chart": map_chart},
        main_html=main,
    )


# -- the event explorer ----------------------------------------------------------------------
_FACET_PARAM = {
    "country": "country",
    "type": "type",
    "region": "region",
    "source": "source",
    "actor": "actor",
}


def _form_filters(params: Any) -> dict[str, Any]:
    """The filters of ``/api/events`` (same names) as the explorer's form sends them: a
    field left empty is no filter (a browser sends every field of a GET form).  The values
    are checked by :func:`accordwatch.events`, which says what is wrong with one; lengths
    and counts are bounded here."""

    def one(key: str) -> str | None:
        value = str(params.get(key, "")).strip()
        if len(value) > 200:
            raise InputError(f"{key} is at most 200 characters")
        return value or None

    def many(key: str) -> list[str] | None:
        values = [str(v).strip() for v in params.getlist(key) if str(v).strip()]
        if len(values) > 20 or any(len(v) > 200 for v in values):
            raise InputError(f"{key}: at most 20 values of at most 200 characters each")
        return values or None

    deaths = one("min_deaths")
    if deaths is not None and not deaths.isdigit():
        raise InputError(f"'at least … deaths' must be a whole number ≥ 0, not {deaths!r}")
    lineage = (one("lineage") or "false").lower()
    if lineage not in ("true", "1", "on", "false", "0", "off"):
        raise InputError(f"lineage is true or false, not {lineage!r}")
    return {
        "country": many("country"),
        "region": many("region"),
        "actor": one("actor"),
        "lineage": lineage in ("true", "1", "on"),
        "since": one("since"),
        "until": one("until"),
        "type_of_violence": many("type"),
        "min_deaths": int(deaths) if deaths is not None else None,
        "source": many("source"),
    }


@router.get("/events", response_class=HTMLResponse)
async def _events_page(
    request: Request,
    user: _Viewer,
    after: Annotated[str | None, Query(max_length=1000)] = None,
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
) -> HTMLResponse:
    """The event explorer: filters, facets, a map, a timeline and one page of the table
    (``after``: the cursor of the page before; ``page``: its number, for the heading)."""
    params = request.query_params
    form: dict[str, Any] = {
        key: params.get(key, "")
        for key in ("country", "region", "actor", "since", "until", "min_deaths", "source")
    }
    form["type"] = params.getlist("type")
    form["lineage"] = params.get("lineage", "") in ("true", "1", "on")
    error, status, ex = None, 200, None
    try:
        filters = _form_filters(request.query_params)
        ex = await read(request, data.explorer, filters, after=after)
    except AccordwatchError as exc:
        error, status = str(exc), int(getattr(exc, "http_status", 400))
    chart_list: dict[str, Any] = {}
    facet_links: dict[str, list[str | None]] = {}
    if ex is not None and ex["total"]:
        import pandas as pd

        regions = pd.DataFrame(ex["regions"], columns=["admin1", "deaths", "events"])
        chart_list = {
            "map_chart": _chart(
                "map",
                charts.events_map(
                    ex["points"], ex["geometry"], regions, description="Map of the events"
                ),
                "Map of the events",
                map=True,
            ),
            "timeline_chart": _chart(
                "timeline",
                charts.timeline_chart(ex["timeline"], description="Deaths per month"),
                "Deaths per month by type of violence",
            ),
        }
        for key, values in ex["facets"].items():
            param = _FACET_PARAM.get(key)
            facet_links[key] = [
                None
                if param is None or not f["value"] or f["value"].startswith("(")
                else _query(request, "page", "after", param, **{param: f["value"]})
                for f in values
            ]
    qs = _query(request, "page", "after")
    return _page(
        request,
        "events",
        user,
        status=status,
        nav="events",
        title="Events",
        chart_list=chart_list,
        ex=ex,
        form=form,
        error=error,
        qs=qs,
        qs_all=_query(request, "page", "after", _all="true"),
        facet_links=facet_links,
        page=page,
        first_qs=_query(request, "page", "after"),
        next_qs=_query(request, "page", "after", after=ex["next"], page=page + 1)
        if ex and ex["next"]
        else None,
    )


# -- actors and places -----------------------------------------------------------------------
@router.get("/actors/{name:path}", response_class=HTMLResponse)
async def _actor_page(request: Request, user: _Viewer, name: str) -> HTMLResponse:
    """An actor by any alias: names, lineage, members, dyads and events."""
    if len(name) > 200:
        return _error(request, user, InputError("an actor name is at most 200 characters"), "Actor")
    try:
        ap = await read(request, data.actor_page, name)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Actor")
    return _page(
        request,
        "actor",
        user,
        title=ap["actor"]["name"],
        chart_list={
            "timeline_chart": _chart(
                "timeline",
                charts.timeline_chart(ap["timeline"], description="Deaths per month"),
                "Deaths per month",
            ),
            "dyads_chart": _chart(
                "dyads",
                charts.dyads_chart(ap["dyads"], description="Deaths per dyad")
                if ap["deaths"]
                else None,
                "Deaths per dyad",
            ),
        },
        ap=ap,
    )


@router.get("/places/{name:path}", response_class=HTMLResponse)
async def _place_page(request: Request, user: _Viewer, name: str) -> HTMLResponse:
    """A place by any spelling: the gazetteer's entries, the events near it, its region."""
    if len(name) > 200:
        return _error(request, user, InputError("a place name is at most 200 characters"), "Place")
    try:
        pp = await read(request, data.place_page, name)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Place")
    return _page(request, "place", user, title=pp["query"], pp=pp)


# -- agreements ------------------------------------------------------------------------------
def _agreement_rows(*, db: Any, country: str | None, text: str | None) -> list[dict[str, Any]]:
    import accordwatch.accords as ac

    frame = ac.list_agreements(db, country=country or None, text=text or None)
    frame = frame.sort_values("signed", ascending=False, na_position="last")
    return [{str(k): v for k, v in r.items()} for r in frame.head(301).to_dict(orient="records")]


@router.get("/agreements", response_class=HTMLResponse)
async def _agreements_page(
    request: Request,
    user: _Viewer,
    country: Annotated[str | None, Query(max_length=200)] = None,
    text: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The agreements, the latest first, by country or name."""
    listing = await _listing(request, 300, list, _agreement_rows, country=country, text=text)
    return _page(
        request,
        "agreements",
        user,
        nav="agreements",
        title="Agreements",
        country=country,
        text=text,
        **listing,
    )


def _blank_assessment() -> dict[str, str]:
    return {"provision_id": "", "score": "", "date": "", "evidence": "", "source_url": ""}


async def _agreement_view(
    request: Request,
    user: User,
    agreement_id: int,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: str | None = None,
    recorded: int | None = None,
) -> HTMLResponse:
    try:
        ag = await read(request, data.agreement_page, agreement_id)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Agreement")
    spec = charts.index_chart(ag["index"], description="Implementation index over time")
    return _page(
        request,
        "agreement",
        user,
        status=status,
        nav="agreements",
        title=str(ag["agreement"]["name"]),
        chart_list={"index_chart": _chart("index", spec, "Implementation index over time")},
        ag=ag,
        form=form or _blank_assessment(),
        scores=_SCORES,
        can_assess=_may_decide(user),
        error=error,
        recorded=recorded,
    )


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
async def _agreement_page(
    request: Request,
    user: _Viewer,
    agreement_id: int,
    recorded: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """An agreement: provisions tree, assessment history, implementation index over time
    and, for analysts, the form that records an assessment."""
    return await _agreement_view(request, user, agreement_id, recorded=recorded)


@router.post("/agreements/{agreement_id}/assessments", response_class=HTMLResponse)
async def _record_assessment_page(
    request: Request,
    user: _Analyst,
    agreement_id: int,
    provision_id: Annotated[str, Form(min_length=1, max_length=200)],
    score: Annotated[Literal["0", "1", "2", "3", "reversed", "suspended"], Form()],
    date: Annotated[str, Form(pattern=r"^\d{4}-\d{2}-\d{2}$")],
    evidence: Annotated[str, Form(min_length=1, max_length=4000)],
    source_url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record one assessment by the logged-in analyst (audited); back to the agreement."""
    import accordwatch.accords as ac

    form = {
        "provision_id": provision_id,
        "score": score,
        "date": date,
        "evidence": evidence,
        "source_url": source_url,
    }
    value: int | str = int(score) if score.isdigit() else score
    try:
        row = await write(
            request,
            ac.assess,
            provision_id,
            value,
            date,
            evidence=evidence,
            assessor=user.name,
            source_url=source_url.strip() or None,
        )
    except AccordwatchError as exc:
        return await _agreement_view(
            request, user, agreement_id, status=400, form=form, error=str(exc)
        )
    await audit(request, user, "assessment.add", f"provision:{provision_id}", None, json_safe(row))
    target = f"/agreements/{agreement_id}?recorded={int(row['assessment_id'])}#history"
    return RedirectResponse(target, status_code=303)


# -- the review queue ------------------------------------------------------------------------
@router.get("/review", response_class=HTMLResponse)
async def _review_queue_page(
    request: Request,
    user: _Viewer,
    status: Literal["pending", "accepted", "rejected", "duplicate", "all"] = "pending",
) -> HTMLResponse:
    """The review queue: candidates with one status, oldest first."""
    rq = await read(request, data.review_queue, status)
    return _page(request, "review", user, nav="review", title="Review queue", rq=rq)


async def _candidate_view(
    request: Request,
    user: User,
    candidate_id: int,
    *,
    status: int = 200,
    error: str | None = None,
    done: str | None = None,
    edit_open: bool = False,
) -> HTMLResponse:
    try:
        cp = await read(request, data.candidate_page, candidate_id)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Review")
    return _page(
        request,
        "candidate",
        user,
        status=status,
        nav="review",
        title=f"Candidate {candidate_id}",
        cp=cp,
        can_review=_may_decide(user),
        error=error,
        done=done,
        edit_open=edit_open,
    )


_DONE = {
    "accepted": "Accepted: the event is stored.",
    "duplicate": "Linked to the stored event it duplicates (not stored twice).",
    "rejected": "Rejected.",
    "edited": "Changes saved.",
}


@router.get("/review/{candidate_id}", response_class=HTMLResponse)
async def _candidate_page(
    request: Request,
    user: _Viewer,
    candidate_id: int,
    done: Literal["accepted", "duplicate", "rejected", "edited"] | None = None,
) -> HTMLResponse:
    """One candidate: its evidence marked in the text, the stored event it may duplicate
    beside it, and (for analysts) accept / edit / reject."""
    return await _candidate_view(
        request, user, candidate_id, done=_DONE.get(done) if done else None
    )


async def _decide(
    request: Request, user: User, action: str, candidate_id: int, fn: Any, *args: Any, **kw: Any
) -> Response:
    """Run one review decision through the writer, audit it and go back to the candidate."""
    import accordwatch as aw

    try:
        before = await read(request, aw.review_show, candidate_id)
        after = await write(request, fn, candidate_id, *args, reviewer=user.name, **kw)
    except AccordwatchError as exc:
        return await _candidate_view(
            request, user, candidate_id, status=400, error=str(exc), edit_open=action == "edit"
        )
    data.forget(request.app.state.db)
    await audit(
        request,
        user,
        f"review.{action}",
        f"candidate:{candidate_id}",
        json_safe(before),
        json_safe(after),
    )
    shown = "edited" if action == "edit" else str(after.get("status"))
    return RedirectResponse(f"/review/{candidate_id}?done={quote(shown)}", status_code=303)


@router.post("/review/{candidate_id}/accept", response_class=HTMLResponse)
async def _accept_page(
    request: Request,
    user: _Analyst,
    candidate_id: int,
    not_duplicate: Annotated[bool, Form()] = False,
) -> Response:
    """Accept the candidate (it becomes an event, or is linked to the one it duplicates)."""
    import accordwatch as aw

    return await _decide(
        request, user, "accept", candidate_id, aw.review_accept, not_duplicate=not_duplicate
    )


@router.post("/review/{candidate_id}/reject", response_class=HTMLResponse)
async def _reject_page(
    request: Request,
    user: _Analyst,
    candidate_id: int,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:
    """Reject the candidate with the reason."""
    import accordwatch as aw

    return await _decide(request, user, "reject", candidate_id, aw.review_reject, reason)


@router.post("/review/{candidate_id}/edit", response_class=HTMLResponse)
async def _edit_page(
    request: Request,
    user: _Analyst,
    candidate_id: int,
    event_date: Annotated[str, Form(max_length=40)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
    admin1: Annotated[str, Form(max_length=200)] = "",
    actors: Annotated[str, Form(max_length=1000)] = "",
    event_type: Annotated[str, Form(max_length=40)] = "",
    fatalities: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Save the changed fields of the candidate (those left as they were are not sent)."""
    import accordwatch as aw

    try:
        current = await read(request, aw.review_show, candidate_id)
    except AccordwatchError as exc:
        return _error(request, user, exc, "Review")
    given = {
        "event_date": event_date,
        "place": place,
        "admin1": admin1,
        "actors": actors,
        "event_type": event_type,
    }
    changes: dict[str, Any] = {
        k: v.strip()
        for k, v in given.items()
        if v.strip() and v.strip() != str(current.get(k) or "")
    }
    if fatalities.strip():
        if not fatalities.strip().isdigit():
            return await _candidate_view(
                request,
                user,
                candidate_id,
                status=400,
                error=f"deaths must be a whole number ≥ 0, not {fatalities!r}",
                edit_open=True,
            )
        if int(fatalities) != current.get("fatalities"):
            changes["fatalities"] = int(fatalities)
    return await _decide(request, user, "edit", candidate_id, aw.review_edit, **changes)


# -- briefings and the digest ----------------------------------------------------------------
@router.get("/briefing", response_class=HTMLResponse)
async def _briefing_page(request: Request, user: _Viewer) -> HTMLResponse:
    """The form that builds a briefing (HTML or PDF) and downloads it."""
    return _page(request, "briefing", user, nav="briefing", title="Briefing", error=None)


@router.get("/briefing/download")
async def _briefing_download_page(
    request: Request,
    user: _Viewer,
    country: Annotated[str, Query(min_length=1, max_length=200)],
    since: Annotated[str | None, Query(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")] = None,
    until: Annotated[str | None, Query(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")] = None,
    lang: Literal["en", "fr"] = "en",
    format: Literal["html", "pdf"] = "html",
) -> Response:
    """The briefing built by ``/api/briefings/{country}``, as a download."""
    from urllib.parse import urlencode

    params = {"format": format, "lang": lang, "download": "true"}
    if since:
        params["since"] = since
    if until:
        params["until"] = until
    target = f"/api/briefings/{quote(country.strip(), safe='')}?{urlencode(params)}"
    return RedirectResponse(target, status_code=303)


def _digest(*, db: Any) -> tuple[Any, str]:
    from ..brief import make_digest, to_html

    d = make_digest(db, since="last", limit=50)
    return d, to_html(d, document=False)


@router.get("/digest", response_class=HTMLResponse)
async def _digest_page(request: Request, user: _Viewer) -> HTMLResponse:
    """What changed since the last recorded digest (made without recording one), with the
    links to its Atom feed and its Markdown and JSON forms."""
    d, body = await read(request, _digest)
    return _page(
        request,
        "digest",
        user,
        nav="digest",
        title="Digest",
        digest=d,
        body=Markup(body),  # noqa: S704  (the digest's HTML escapes every value it shows)
    )
