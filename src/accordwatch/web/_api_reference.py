"""``/api/actors`` and ``/api/places``: who a name stands for, where a place is."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse, Response

from .. import _api
from ..errors import NotFound
from ._api_common import Sort, SortDesc, api_router, json_safe, list_route, role, table
from ._app import read

__all__ = [
    "actor",
    "actors",
    "place",
    "router",
]

router = api_router("actors and places")

_NAME = Annotated[str, Path(max_length=200, description="Any name, acronym or UCDP id.")]


def _registry() -> Any:
    from ..actors import ActorRegistry

    return ActorRegistry.default()


@list_route(router, "/actors", summary="Actors of the registry", dependencies=[role("viewer")])
async def actors(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=200, description="Names or aliases like this text.")
    ] = None,
    country: Annotated[
        str | None, Query(max_length=200, description="Only actors of this country.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10000, description="At most this many.")] = 200,
    sort: Sort = None,
    sort_desc: SortDesc = None,
) -> Response:
    """Actors (UCDP and curated): id, name, kind, countries, UCDP ids, years, lineage,
    aliases.  ``q`` searches names and aliases (best first)."""
    reg = _registry()
    frame = reg.to_frame()
    if q:
        order = [a.actor_id for a in reg.search(q, limit=limit)]
        frame = frame.set_index("actor_id").loc[order].reset_index()
    if country:
        low = country.strip().lower()
        keep = [
            low == str(c or "").lower() or low in [str(x).lower() for x in cs]
            for c, cs in zip(frame["country"], frame["countries"], strict=True)
        ]
        frame = frame[keep]
    return table(request, frame.head(limit), sort=sort, sort_desc=sort_desc)


@router.get(
    "/actors/{name}", summary="One actor, its lineage and its events", dependencies=[role("viewer")]
)
async def actor(
    request: Request,
    name: _NAME,
    on: Annotated[
        str | None,
        Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="The name valid on this date."),
    ] = None,
    country: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    """Who ``name`` stands for: the actor, UCDP ids, aliases, lineage (CMA → CSP → FLA), the
    events of the store by side and type, and its latest events."""
    reg = _registry()
    found = reg.resolve(name, on=on, country=country)
    lineage = reg.lineage(found.actor_id)
    info: dict[str, Any] = {
        "actor_id": found.actor_id,
        "name": found.name,
        "kind": found.kind,
        "country": found.country,
        "ucdp_ids": list(found.ucdp_ids),
        "valid_from": found.valid_from,
        "valid_to": found.valid_to,
        "aliases": [getattr(a, "text", a) for a in found.aliases],
        "lineage": [{"actor_id": a.actor_id, "name": a.name} for a in lineage],
        "source": found.source,
    }
    try:
        by_type = await read(request, _api.stats, by=["type"], actor=found.name)
        latest = await read(request, _api.event_page, size=20, actor=found.name)
    except NotFound:  # an actor of the registry the store has no event of
        info["events"] = {"by_type": [], "latest": []}
    else:
        info["events"] = {"by_type": by_type, "latest": latest["rows"]}
    return JSONResponse(json_safe(info))


@router.get("/places/{name}", summary="Where a place is", dependencies=[role("viewer")])
async def place(
    request: Request,
    name: Annotated[str, Path(max_length=200, description="A place name, any spelling.")],
    fuzzy: Annotated[bool, Query(description="Allow misspellings.")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> JSONResponse:
    """Gazetteer matches: coordinates, admin-1 region, PRIO-GRID cell, population; the
    events of the store in each match's region, by year."""
    from ..geo import Gazetteer

    found = Gazetteer.default().lookup(name, fuzzy=fuzzy, limit=limit)
    if not found:
        raise NotFound(
            f"no place {name!r} in the gazetteer" + ("" if fuzzy else "; try ?fuzzy=true")
        )
    places = [p.record() for p in found]
    regions = sorted({str(p["admin1"]) for p in places if p["admin1"]})
    by_year: dict[str, Any] = {}
    for region in regions:
        try:
            by_year[region] = await read(request, _api.stats, by=["year"], region=region)
        except NotFound:
            by_year[region] = []
    return JSONResponse(json_safe({"places": places, "events_by_year": by_year}))
