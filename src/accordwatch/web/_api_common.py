"""What every API router shares: the role a route needs, lists with their ``.json`` and
``.csv`` twins, sorting, JSON-safe values.

A list route is registered three times — ``/api/agreements``, ``/api/agreements.json``
(the same JSON) and ``/api/agreements.csv`` — by :func:`list_route`; its endpoint returns
:func:`table` of its rows, which sorts them by ``_sort`` (or ``_sort_desc``, descending;
missing values last either way) and answers in the format the path asks for.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ..errors import InputError
from ..export import plain, records
from ._auth import User, require
from ._errors import ERROR_RESPONSES

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CSV_RESPONSE",
    "Admin",
    "Analyst",
    "Sort",
    "SortDesc",
    "api_router",
    "csv_text",
    "fmt_of",
    "json_safe",
    "list_route",
    "role",
    "sort_rows",
    "table",
]

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The rows (JSON, or CSV at the .csv twin)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}

Sort = Annotated[
    str | None,
    Query(alias="_sort", max_length=64, description="Sort by this column, ascending."),
]
SortDesc = Annotated[
    str | None,
    Query(alias="_sort_desc", max_length=64, description="Sort by this column, descending."),
]


def role(name: str) -> Any:
    """The dependency of a route that needs ``name`` (viewer, analyst, admin): the User, or
    401 / 403 (web._auth.require)."""
    return Depends(require(name))


#: the user of a route only analysts (and admins) may use
Analyst = Annotated[User, Depends(require("analyst"))]
#: the user of a route only admins may use
Admin = Annotated[User, Depends(require("admin"))]


def api_router(tag: str) -> APIRouter:
    """A router under ``/api`` whose routes document the JSON error responses."""
    return APIRouter(prefix="/api", tags=[tag], responses=ERROR_RESPONSES)


def list_route(
    router: APIRouter, path: str, *, summary: str, dependencies: Sequence[Any] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated endpoint at ``path``, ``path.json`` and ``path.csv`` (GET)."""

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        for suffix, what in (("", ""), (".json", " (JSON)"), (".csv", " (CSV)")):
            router.add_api_route(
                path + suffix,
                endpoint,
                methods=["GET"],
                summary=summary + what,
                dependencies=list(dependencies),
                responses=CSV_RESPONSE if suffix == ".csv" else None,
                name=f"{endpoint.__name__}{suffix.replace('.', '_')}",
            )
        return endpoint

    return register


def fmt_of(request: Request) -> str:
    """``csv`` for a path ending in ``.csv``, else ``json``."""
    return "csv" if request.url.path.endswith(".csv") else "json"


def json_safe(value: Any) -> Any:
    """``value`` with every cell JSON-safe: NaN and infinities → None, dates → ISO text,
    numpy → Python, DataFrames → lists of row objects, sets → lists, keys → text."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if hasattr(value, "columns") and hasattr(value, "itertuples"):
        return [json_safe(r) for r in records(value)]
    out = plain(value)
    if isinstance(out, float) and not math.isfinite(out):
        return None
    if isinstance(out, list | dict):
        return json_safe(out)
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower() if isinstance(value, str) else json.dumps(value, default=str))


def _sorted(
    rows: list[dict[str, Any]], columns: list[str], sort: str | None, sort_desc: str | None
) -> list[dict[str, Any]]:
    if sort is not None and sort_desc is not None:
        raise InputError("give _sort or _sort_desc, not both; _sort_desc sorts descending")
    column = sort if sort is not None else sort_desc
    if column is None:
        return rows
    if column not in columns:
        name = "_sort" if sort is not None else "_sort_desc"
        raise InputError(
            f"{name} {column!r} is not a column of this list; use one of {', '.join(columns)}"
        )
    present = [r for r in rows if r.get(column) is not None]
    missing = [r for r in rows if r.get(column) is None]
    present.sort(key=lambda r: _sort_key(r.get(column)), reverse=sort_desc is not None)
    return present + missing


def sort_rows(
    rows: list[dict[str, Any]], columns: list[str], sort: str | None, sort_desc: str | None
) -> list[dict[str, Any]]:
    """``rows`` sorted by the column ``sort`` (ascending) or ``sort_desc`` (descending),
    missing values last either way; unsorted when neither is given.  A column not among
    ``columns`` is an InputError naming the parameter and the columns there are."""
    return _sorted(rows, columns, sort, sort_desc)


def _columns(rows: Iterable[dict[str, Any]], first: Sequence[str] = ()) -> list[str]:
    seen: dict[str, None] = dict.fromkeys(first)
    for r in rows:
        seen.update(dict.fromkeys(r))
    return list(seen)


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """``rows`` as CSV with a header of ``columns``; lists and objects as JSON text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(
            [
                json.dumps(v, ensure_ascii=False)
                if isinstance(v, list | dict)
                else ("" if v is None else v)
                for v in (r.get(c) for c in columns)
            ]
        )
    return buf.getvalue()


def table(
    request: Request,
    rows: pd.DataFrame | list[dict[str, Any]],
    *,
    sort: str | None = None,
    sort_desc: str | None = None,
    columns: Sequence[str] = (),
    extra: dict[str, Any] | None = None,
) -> Response:
    """The answer of a list route: ``{"count", "columns", "rows", …extra}`` as JSON, or the
    rows as CSV at the ``.csv`` twin — sorted by ``sort`` / ``sort_desc``."""
    recs = [json_safe(r) for r in records(rows)]
    cols = _columns(recs, list(columns) or (list(rows.columns) if hasattr(rows, "columns") else []))
    recs = _sorted(recs, cols, sort, sort_desc)
    if fmt_of(request) == "csv":
        return Response(csv_text(recs, cols), media_type="text/csv; charset=utf-8")
    body: dict[str, Any] = {"count": len(recs), "columns": cols, "rows": recs}
    if extra:
        body.update(json_safe(extra))
    return JSONResponse(body)
