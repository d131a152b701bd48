"""``/api/events`` and ``/api/stats``: the filters of ``accordwatch events``, sorted pages with
an opaque cursor, facets, and downloads (CSV, GeoJSON, Parquet).

A page is ``_size`` events (at most 1,000) in the order of ``_sort`` / ``_sort_desc``
(default: newest first); ``next`` is the cursor of the following page and ``next_url`` the
same request with ``_next`` set — the page after stays the page after when events are added
meanwhile (keyset, never an offset).  ``_facet=country&_facet=type`` adds counts of the
filtered events by those columns, each value with the URL that filters by it, as
datasette's table pages do.

A page shows :data:`LIST_COLUMNS` unless ``_col`` names others (the downloads carry every
column).  A page's JSON is made on a reader thread and kept until the next write
(:func:`accordwatch.web._app.cached`): the same request answers from memory meanwhile.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import datetime as dt
import io
import json
import math
import re
import threading
from collections.abc import AsyncIterator, Awaitable
from typing import Annotated, Any, Literal, TypeVar, get_args
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import _api
from ..errors import InputError, NotFound
from ..export import to_geojson
from ._api_common import CSV_RESPONSE, api_router, csv_text, json_safe, role, table
from ._app import cached, read
from ._auth import current_user
from ._readmodel import MAX_ROWS, ListModel, ListModels

__all__ = [
    "All",
    "Columns",
    "Count",
    "EventFilters",
    "FacetName",
    "FacetQ",
    "FacetSize",
    "Filters",
    "HeldLists",
    "LIST_COLUMNS",
    "Next",
    "Size",
    "SortColumn",
    "SortDescQ",
    "SortQ",
    "StatsBy",
    "ViolenceType",
    "event_filters",
    "events_csv",
    "events_geojson",
    "events_page",
    "events_parquet",
    "list_models",
    "models_of",
    "router",
    "stats",
]

router = api_router("events")
_T = TypeVar("_T")

#: the columns a page can be sorted by (as accordwatch.store.pages.SORTABLE)
SortColumn = Literal[
    "date_start",
    "date_end",
    "best",
    "low",
    "high",
    "deaths_civilians",
    "country",
    "admin1",
    "adm_1",
    "type_of_violence",
    "side_a",
    "side_b",
    "source",
    "source_event_id",
    "year",
    "updated_at",
]
FacetName = Literal["country", "region", "type", "source", "year"]
ViolenceType = Literal[
    "1", "2", "3", "state-based", "state", "sb", "non-state", "ns", "one-sided", "os"
]
StatsBy = Literal["month", "year", "country", "region", "actor", "type", "priogrid", "source"]

_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_TEXT = 200
_DATE_KINDS = {"date_start", "date_end"}
_TEXT_KINDS = {"country", "admin1", "adm_1", "side_a", "side_b", "source", "source_event_id"}
#: a page's size is ``_size`` (the command's ``--limit``); the other words of the library's
#: messages are translated for every API error (web._errors.api_words)
_LIMIT = re.compile(r"--limit\b")
#: events per read while a whole download streams
_CHUNK = 5000
#: the columns a page of the list shows unless ``_col`` names others: what tells events
#: apart and where, when, who and how many (the explorer's); fewer columns read and sent
#: make a page several times cheaper on a large store
LIST_COLUMNS = [
    "source",
    "source_event_id",
    "date_start",
    "date_end",
    "country",
    "admin1",
    "adm_1",
    "where_coordinates",
    "latitude",
    "longitude",
    "side_a",
    "side_b",
    "actors",
    "type_of_violence",
    "event_type",
    "best",
    "low",
    "high",
    "deaths_civilians",
    "source_url",
    "source_title",
    "evidence",
]

#: resolved filters: keyword arguments of accordwatch.events
EventFilters = dict[str, Any]


async def event_filters(
    country: Annotated[
        list[Annotated[str, Query(max_length=_TEXT)]] | None,
        Query(description="Country name, ISO3 code or GW number (repeatable).", max_length=20),
    ] = None,
    region: Annotated[
        list[Annotated[str, Query(max_length=_TEXT)]] | None,
        Query(description="Admin-1 region in any spelling (repeatable).", max_length=20),
    ] = None,
    actor: Annotated[
        str | None,
        Query(description="Actor by any alias (FAMa, CMA, JNIM …).", max_length=_TEXT),
    ] = None,
    lineage: Annotated[
        bool, Query(description="Add the actor's predecessors and successors.")
    ] = False,
    since: Annotated[
        str | None,
        Query(description="From this date: YYYY-MM-DD, YYYY-MM or YYYY.", pattern=_DATE),
    ] = None,
    until: Annotated[
        str | None,
        Query(
            description="Up to and including this date (YYYY-MM-DD, YYYY-MM, YYYY).", pattern=_DATE
        ),
    ] = None,
    type: Annotated[
        list[ViolenceType] | None,
        Query(description="Type of violence: 1/state-based, 2/non-state, 3/one-sided."),
    ] = None,
    min_deaths: Annotated[
        int | None,
        Query(description="At least this many deaths (best estimate).", ge=0, le=10**9),
    ] = None,
    source: Annotated[
        list[Annotated[str, Query(max_length=_TEXT)]] | None,
        Query(
            description="ucdp-ged, ucdp-candidate, acled, text or text:<doc id> (repeatable).",
            max_length=20,
        ),
    ] = None,
) -> EventFilters:
    """The filters of ``accordwatch events`` as query parameters."""
    return {
        "country": country,
        "region": region,
        "actor": actor,
        "lineage": lineage,
        "since": since,
        "until": until,
        "type_of_violence": list(type) if type else None,
        "min_deaths": min_deaths,
        "source": source,
    }


Filters = Annotated[EventFilters, Depends(event_filters)]


# -- cursors ----------------------------------------------------------------------------------
def _encode(sort: str, desc: bool, key: tuple[bool, Any, str, str]) -> str:
    missing, value, source, event_id = key
    shown = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    raw = json.dumps([sort, desc, missing, shown, source, event_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor(why: str) -> InputError:
    return InputError(
        f"_next is not a cursor of this list ({why}); follow the next_url of the previous "
        "page, or leave _next out to start at the first page"
    )


def _decode(token: str, sort: str, desc: bool) -> tuple[bool, Any, str, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        found = json.loads(raw)
    except (binascii.Error, ValueError):
        raise _bad_cursor("it cannot be read") from None
    if not isinstance(found, list) or len(found) != 6:
        raise _bad_cursor("it cannot be read")
    c_sort, c_desc, missing, value, source, event_id = found
    if c_sort != sort or c_desc is not desc:
        raise _bad_cursor("it belongs to another sort order")
    if not isinstance(missing, bool) or not isinstance(source, str):
        raise _bad_cursor("it cannot be read")
    if not isinstance(event_id, str):
        raise _bad_cursor("it cannot be read")
    if not missing:
        value = _cursor_value(sort, value)
    return missing, value, source, event_id


def _cursor_value(sort: str, value: Any) -> Any:
    """The sort value of a cursor, checked against the column's type (a cursor made up by
    hand must not reach the store as something else)."""
    if sort in _DATE_KINDS:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
    elif sort == "updated_at":
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                pass
    elif sort in _TEXT_KINDS:
        if isinstance(value, str):
            return value
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) < 1 << 62:
        return value
    raise _bad_cursor("its position is not a value of the sort column")


def _order(sort: str | None, sort_desc: str | None) -> tuple[str, bool]:
    if sort is not None and sort_desc is not None:
        raise InputError("give _sort or _sort_desc, not both; _sort_desc sorts descending")
    if sort is not None:
        return sort, False
    return (sort_desc or "date_start"), True


# -- the list ---------------------------------------------------------------------------------
Size = Annotated[int, Query(alias="_size", ge=1, le=1000, description="Events per page.")]
Next = Annotated[
    str | None,
    Query(alias="_next", max_length=1000, description="Cursor of the page to show (next)."),
]
SortQ = Annotated[
    SortColumn | None, Query(alias="_sort", description="Sort by this column, ascending.")
]
SortDescQ = Annotated[
    SortColumn | None,
    Query(alias="_sort_desc", description="Sort by this column, descending (default date)."),
]
FacetQ = Annotated[
    list[FacetName] | None,
    Query(alias="_facet", description="Count the filtered events by these (repeatable)."),
]
FacetSize = Annotated[
    int, Query(alias="_facet_size", ge=1, le=100, description="Values shown per facet.")
]
Count = Annotated[
    bool, Query(alias="_count", description="Count every matching event (one more scan).")
]
Columns = Annotated[
    list[Annotated[str, Query(max_length=64)]] | None,
    Query(alias="_col", description="Only these columns (repeatable).", max_length=80),
]
All = Annotated[bool, Query(alias="_all", description="CSV: every matching event, not one page.")]


def _facet_url(request: Request, name: str, value: Any) -> str | None:
    param = {"country": "country", "region": "region", "type": "type", "source": "source"}
    if name not in param or value is None or str(value).startswith("("):
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "_next"]
    params.append((param[name], str(value)))
    return str(request.url.replace(query=urlencode(params)))


def _next_url(request: Request, token: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "_next"]
    params.append(("_next", token))
    return str(request.url.replace(query=urlencode(params)))


def _shape(request: Request, page: dict[str, Any], sort: str, desc: bool) -> dict[str, Any]:
    token = None if page["next"] is None else _encode(sort, desc, page["next"])
    facets = {
        name: {
            "results": [
                {"value": v, "count": n, "url": _facet_url(request, name, v)}
                for v, n in f["values"]
            ],
            "truncated": f["truncated"],
        }
        for name, f in page["facets"].items()
    }
    return {
        "count": page["count"],
        "sort": sort,
        "sort_desc": desc,
        "columns": page["columns"],
        "rows": page["rows"],
        "next": token,
        "next_url": None if token is None else _next_url(request, token),
        "facets": facets,
    }


async def _page(
    request: Request,
    filters: EventFilters,
    sort: str,
    desc: bool,
    after: tuple[bool, Any, str, str] | None,
    size: int,
    columns: list[str] | None,
    count: bool = False,
    facets: list[FacetName] | None = None,
    facet_size: int = 10,
) -> dict[str, Any]:
    return await _named(
        _read_page(request, filters, sort, desc, after, size, columns, count, facets, facet_size)
    )


async def _named(answer: Awaitable[_T]) -> _T:
    """``await answer``, with ``--limit`` in an error message named ``_size``."""
    try:
        return await answer
    except (InputError, NotFound) as exc:
        text = str(exc.args[0]) if exc.args else str(exc)
        exc.args = (_LIMIT.sub("_size", text), *exc.args[1:])
        raise


async def _read_page(
    request: Request,
    filters: EventFilters,
    sort: str,
    desc: bool,
    after: tuple[bool, Any, str, str] | None,
    size: int,
    columns: list[str] | None,
    count: bool,
    facets: list[FacetName] | None,
    facet_size: int,
) -> dict[str, Any]:
    return await read(
        request,
        _api.event_page,
        sort=sort,
        descending=desc,
        after=after,
        size=size,
        columns=columns,
        count=count,
        facets=list(dict.fromkeys(facets or [])),
        facet_size=facet_size,
        **filters,
    )


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _encode_body(body: dict[str, Any]) -> bytes:
    """``body`` as JSON bytes, as JSONResponse writes them (NaN and infinities → null)."""
    body["rows"] = [{c: _finite(v) for c, v in r.items()} for r in body["rows"]]
    return json.dumps(
        body, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=json_safe
    ).encode("utf-8")


def _json_value(value: Any) -> str:
    """One value of a row as :func:`_encode_body` writes it."""
    return json.dumps(
        _finite(value),
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
        default=json_safe,
    )


def _encode_held(request: Request, page: dict[str, Any]) -> bytes:
    """The bytes :func:`_encode_body` writes for a page of the list held in memory whose rows
    are their JSON texts already (``ListModel.page(..., encoded=True)``)."""
    shaped = _shape(request, {**page, "rows": []}, "date_start", True)
    rows = shaped.pop("rows")
    after = {k: shaped.pop(k) for k in list(shaped)[list(shaped).index("columns") + 1 :]}
    assert not rows and after
    head = _encode_body({**shaped, "rows": []})[: -len(b',"rows":[]}')]
    tail = _encode_body({"rows": [], **after})[len(b'{"rows":[]') :]
    return head + b',"rows":[' + ",".join(page["rows"]).encode("utf-8") + b"]" + tail


def list_models(request: Request) -> ListModels:
    """The app's event list held in memory (its build starts when the app starts)."""
    return models_of(request.app.state)


def models_of(state: Any) -> ListModels:
    """The event list held in memory of the app whose state is ``state``."""
    found = getattr(state, "list_models", None)
    if found is None or found.owner is not state.owner:
        with _MODELS_LOCK:
            found = getattr(state, "list_models", None)
            if found is None or found.owner is not state.owner:
                rows = getattr(state, "list_model_rows", MAX_ROWS)
                found = state.list_models = ListModels(
                    state.owner, LIST_COLUMNS, max_rows=rows, encode=_json_value
                )
    assert isinstance(found, ListModels)
    return found


_MODELS_LOCK = threading.Lock()


def _filter_key(filters: EventFilters) -> tuple[Any, ...]:
    """The filters but the minimum of deaths, as a key (lists as tuples)."""
    return tuple(
        (k, tuple(v) if isinstance(v, list) else v) for k, v in filters.items() if k != "min_deaths"
    )


def _held_filter(model: ListModel, filters: EventFilters, db: Any) -> tuple[Any, Any]:
    """``filters`` resolved in the store ``db`` (in a snapshot) with the model's look-up
    table of its groups — kept by the model, so resolved once per data version."""
    key = _filter_key(filters)
    found = model.remembered(key)
    if found is None:
        flt = _api.resolve_filter(db, **{**filters, "min_deaths": None})
        found = (flt, model.groups_of(flt))
        model.remember(key, found)
    return _with_deaths(found, filters)


def _with_deaths(held: tuple[Any, Any], filters: EventFilters) -> tuple[Any, Any]:
    """A kept resolved filter with the minimum of deaths of ``filters``."""
    wanted = filters.get("min_deaths")
    if wanted is not None and wanted < 0:
        raise InputError("--min-deaths must be zero or more")
    flt, groups = held
    return dataclasses.replace(flt, min_deaths=wanted), groups


def _page_json(
    request: Request,
    filters: EventFilters,
    column: str,
    desc: bool,
    key: tuple[bool, Any, str, str] | None,
    size: int,
    columns: list[str] | None,
    count: bool,
    facet: list[FacetName] | None,
    facet_size: int,
    *,
    db: Any,
) -> bytes:
    """One page as the JSON of :func:`events_page` (run on a reader thread): from the list
    held in memory when it can answer (:mod:`accordwatch.web._readmodel`), else the store's."""
    page = None
    if column == "date_start" and desc and not facet and filters.get("actor") is None:
        model = list_models(request).current()
        if model is not None:
            flt, groups = _held_filter(model, filters, db)
            cols = columns or LIST_COLUMNS
            keep = _filter_key(filters)
            page = model.page(flt, key, size, cols, count, groups, encoded=True, keep=keep)
    if page is not None:
        return _encode_held(request, page)
    page = _api.event_page(
        db,
        sort=column,
        descending=desc,
        after=key,
        size=size,
        columns=columns,
        count=count,
        facets=list(dict.fromkeys(facet or [])),
        facet_size=facet_size,
        **filters,
    )
    return _encode_body(_shape(request, page, column, desc))


# -- first-time lists answered in front of the app -------------------------------------------
#: what HeldLists answers: the event list's two paths
_HELD_PATHS = frozenset({"/api/events", "/api/events.json"})
#: repeatable parameters, with how many values and characters each may have
_HELD_LISTS = {"country": (20, _TEXT), "region": (20, _TEXT), "source": (20, _TEXT)}
_HELD_ONE = {"since", "until", "min_deaths", "lineage", "_size", "_count", "_next"}
_HELD_ONE |= {"_sort_desc", "_facet_size"}
#: parameters HeldLists leaves to the app (an actor, facets, an ascending sort)
_HELD_NOT = frozenset({"actor", "_sort", "_facet"})
_ASCII_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
_PLAIN_NUMBER = re.compile(r"0|[1-9][0-9]{0,9}")
_VIOLENCE_TYPES = frozenset(get_args(ViolenceType))
_JSON_HEADERS = [(b"content-type", b"application/json")]


class _NotHeld(Exception):
    """The list held in memory cannot answer this request: the app will."""


def _number(text: str, lo: int, hi: int) -> int | None:
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if lo <= value <= hi else None


def _held_query(
    items: list[tuple[str, str]],
) -> tuple[EventFilters, tuple[bool, Any, str, str] | None, int, list[str], bool] | None:
    """The filters, cursor, page size, columns and count of a query the list held in memory
    can answer — only values the route would take as they are (plain numbers, ``true`` /
    ``false``, ASCII dates, known types); anything else is None (the app answers it, with
    its own checks and errors).  Unknown parameters are ignored, as the route does."""
    many: dict[str, list[str]] = {}
    for k, v in items:
        many.setdefault(k, []).append(v)
    if any(k in many for k in _HELD_NOT):
        return None
    one: dict[str, str] = {}
    for k in _HELD_ONE & many.keys():
        if len(many[k]) != 1:
            return None
        one[k] = many[k][0]
    for name, (most, chars) in _HELD_LISTS.items():
        values = many.get(name, [])
        if len(values) > most or any(len(v) > chars for v in values):
            return None
    kinds = many.get("type", [])
    cols = many.get("_col", [])
    if any(t not in _VIOLENCE_TYPES for t in kinds):
        return None
    if len(cols) > 80 or any(len(c) > 64 for c in cols):
        return None
    if any(not _ASCII_DATE.fullmatch(one[k]) for k in ("since", "until") if k in one):
        return None
    if any(one.get(k, "false") not in ("true", "false") for k in ("lineage", "_count")):
        return None
    if one.get("_sort_desc", "date_start") != "date_start":
        return None
    min_deaths = None if "min_deaths" not in one else _number(one["min_deaths"], 0, 10**9)
    size = _number(one.get("_size", "100"), 1, 1000)
    if size is None or (min_deaths is None and "min_deaths" in one):
        return None
    if "_facet_size" in one and _number(one["_facet_size"], 1, 100) is None:
        return None
    after = None
    if "_next" in one:
        if len(one["_next"]) > 1000:
            return None
        try:
            after = _decode(one["_next"], "date_start", True)
        except InputError:
            return None
    filters: EventFilters = {
        "country": many.get("country"),
        "region": many.get("region"),
        "actor": None,
        "lineage": one.get("lineage") == "true",
        "since": one.get("since"),
        "until": one.get("until"),
        "type_of_violence": kinds or None,
        "min_deaths": min_deaths,
        "source": many.get("source"),
    }
    return filters, after, size, cols or LIST_COLUMNS, one.get("_count", "true") == "true"


class HeldLists:
    """ASGI middleware: a GET of the event list (``/api/events``, ``/api/events.json``) that
    the list held in memory can answer — the default order, no actor, no facets, plain
    parameter values (:func:`_held_query`), a valid token or session (or anonymous reading)
    — is answered here, with the bytes :func:`events_page` would send, kept under the same
    key, without the app's routing, parameter checks or a store snapshot (its filters are
    resolved once per data version).  Everything else goes to the app."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = None
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"] in _HELD_PATHS
            and getattr(self.state, "held_lists", True)
        ):
            body = await self._answer(scope)
        if body is None:
            await self.app(scope, receive, send)
            return
        length = [(b"content-length", str(len(body)).encode("latin-1"))]
        await send(
            {"type": "http.response.start", "status": 200, "headers": length + _JSON_HEADERS}
        )
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: Scope) -> bytes | None:
        owner = getattr(self.state, "owner", None)
        if owner is None or owner.closed:
            return None
        request = Request({**scope, "state": dict(scope.get("state") or {})})
        asked = _held_query(request.query_params.multi_items())
        if asked is None:
            return None
        try:
            user = await current_user(request)
        except HTTPException:
            return None  # the app refuses it
        if user is None and not getattr(self.state, "anonymous_read", False):
            return None
        filters, after, size, cols, count = asked
        models = models_of(self.state)

        async def make() -> bytes:
            model = models.current()
            if model is None:
                raise _NotHeld
            try:
                kept = model.remembered(_filter_key(filters))
                if kept is None:
                    held = await asyncio.wrap_future(
                        owner.submit_read(lambda store: _held_filter(model, filters, store))
                    )
                else:
                    held = _with_deaths(kept, filters)
            except (InputError, NotFound):
                raise _NotHeld from None  # the app answers with the error
            if models.version != model.generation:
                raise _NotHeld
            flt, groups = held
            if not model.accepts(flt, after, size, cols):
                raise _NotHeld

            def answer() -> bytes:
                page = model.page(
                    flt, after, size, cols, count, groups, encoded=True, keep=_filter_key(filters)
                )
                if page is None:
                    raise _NotHeld
                return _encode_held(request, page)

            return await asyncio.wrap_future(models.submit(answer))

        try:
            return await cached(request, ("events.json", str(request.url)), make, size=len)
        except _NotHeld:
            return None


@router.get(
    "/events", summary="Events: one page, filtered and sorted", dependencies=[role("viewer")]
)
@router.get("/events.json", summary="Events: one page (JSON)", dependencies=[role("viewer")])
async def events_page(
    request: Request,
    filters: Filters,
    sort: SortQ = None,
    sort_desc: SortDescQ = None,
    size: Size = 100,
    after: Next = None,
    facet: FacetQ = None,
    facet_size: FacetSize = 10,
    count: Count = True,
    columns: Columns = None,
) -> Response:
    """Events matching every filter, one page at a time: ``rows`` (the columns of
    ``LIST_COLUMNS`` unless ``_col`` names others), ``count`` (all matching events),
    ``next`` / ``next_url`` (the following page; null on the last) and ``facets``."""
    column, desc = _order(sort, sort_desc)
    key = None if after is None else _decode(after, column, desc)
    cols = columns or LIST_COLUMNS

    async def make() -> bytes:
        return await _named(
            read(
                request,
                _page_json,
                request,
                filters,
                column,
                desc,
                key,
                size,
                cols,
                count,
                facet,
                facet_size,
            )
        )

    body = await cached(request, ("events.json", str(request.url)), make, size=len)
    return Response(body, media_type="application/json")


@router.get(
    "/events.csv",
    summary="Events: one page as CSV, or every matching event with _all",
    responses=CSV_RESPONSE,
    dependencies=[role("viewer")],
)
async def events_csv(
    request: Request,
    filters: Filters,
    sort: SortQ = None,
    sort_desc: SortDescQ = None,
    size: Size = 100,
    after: Next = None,
    columns: Columns = None,
    every: All = False,
) -> Response:
    """The page as CSV (the next page's URL in the ``Link`` header), or with ``_all=true``
    every matching event, streamed."""
    column, desc = _order(sort, sort_desc)
    key = None if after is None else _decode(after, column, desc)
    if every:
        first = await _page(request, filters, column, desc, key, _CHUNK, columns)

        async def chunks() -> AsyncIterator[str]:
            page = first
            yield csv_text(page["rows"], page["columns"])
            while page["next"] is not None:
                page = await _page(request, filters, column, desc, page["next"], _CHUNK, columns)
                yield csv_text(page["rows"], page["columns"]).split("\n", 1)[1]

        return StreamingResponse(
            chunks(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="events.csv"'},
        )
    page = await _page(request, filters, column, desc, key, size, columns or LIST_COLUMNS)
    shaped = _shape(request, page, column, desc)
    headers = {}
    if shaped["next_url"]:
        headers["Link"] = f'<{shaped["next_url"]}>; rel="next"'
    return Response(
        csv_text(page["rows"], page["columns"]),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


@router.get(
    "/events.geojson",
    summary="Every matching event as GeoJSON points (a download)",
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
    dependencies=[role("viewer")],
)
async def events_geojson(
    request: Request,
    filters: Filters,
    sort: SortQ = None,
    sort_desc: SortDescQ = None,
    columns: Columns = None,
) -> StreamingResponse:
    """A FeatureCollection of every matching event (no coordinates: null geometry)."""
    column, desc = _order(sort, sort_desc)
    first = await _page(request, filters, column, desc, None, _CHUNK, columns)

    async def chunks() -> AsyncIterator[str]:
        page = first
        yield '{"type":"FeatureCollection","features":['
        sep = ""
        while True:
            for feature in to_geojson(page["rows"])["features"]:
                yield sep + json.dumps(json_safe(feature), ensure_ascii=False)
                sep = ","
            if page["next"] is None:
                break
            page = await _page(request, filters, column, desc, page["next"], _CHUNK, columns)
        yield "]}\n"

    return StreamingResponse(
        chunks(),
        media_type="application/geo+json",
        headers={"Content-Disposition": 'attachment; filename="events.geojson"'},
    )


@router.get(
    "/events.parquet",
    summary="Every matching event as a Parquet file (a download)",
    responses={200: {"content": {"application/vnd.apache.parquet": {}}}},
    dependencies=[role("viewer")],
)
async def events_parquet(
    request: Request,
    filters: Filters,
    sort: SortQ = None,
    sort_desc: SortDescQ = None,
    columns: Columns = None,
) -> Response:
    """Every matching event, newest first unless sorted otherwise (missing values last)."""
    column, desc = _order(sort, sort_desc)
    df = await read(request, _api.events, columns=columns, **filters)
    if (column != "date_start" or not desc) and column in df.columns:
        ties = [c for c in ("source", "source_event_id") if c in df.columns and c != column]
        df = df.sort_values(
            [column, *ties], ascending=[not desc, *[True] * len(ties)], na_position="last"
        )
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return Response(
        buf.getvalue(),
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": 'attachment; filename="events.parquet"'},
    )


# -- stats ------------------------------------------------------------------------------------
@router.get("/stats", summary="Event counts and deaths grouped by …", dependencies=[role("viewer")])
@router.get("/stats.json", summary="Event counts (JSON)", dependencies=[role("viewer")])
@router.get(
    "/stats.csv",
    summary="Event counts (CSV)",
    responses=CSV_RESPONSE,
    dependencies=[role("viewer")],
)
async def stats(
    request: Request,
    filters: Filters,
    by: Annotated[
        list[StatsBy] | None, Query(description="Group by these (repeatable; default month).")
    ] = None,
    sort: Annotated[str | None, Query(alias="_sort", max_length=64)] = None,
    sort_desc: Annotated[str | None, Query(alias="_sort_desc", max_length=64)] = None,
) -> Response:
    """Counts of events and deaths (best, low, high) of the filtered events, grouped ``by``
    month, year, country, region, actor, type, priogrid or source."""
    groups = list(dict.fromkeys(by or ["month"]))
    frame = await _named(read(request, _api.stats, by=groups, **filters))
    return table(request, frame, sort=sort, sort_desc=sort_desc)
