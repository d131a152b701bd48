"""Errors of the web app as JSON: ``{"error": {"status", "message", "fix"}}``.

An error of the accordwatch tree answers with its class's HTTP status
(:attr:`~accordwatch.errors.AccordwatchError.http_status`) and its message; a parameter
FastAPI refuses (a word where a number belongs, a value outside a list) answers 422 and
names the parameter and what it takes; an unknown path 404, a wrong method 405.  Anything
else — a bug — answers 500 with "internal error" and nothing more: no stack trace, no
exception text reaches a client (the server's log has it).  A browser asking a page (not
``/api``) gets the same words as a small HTML page.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AccordwatchError

__all__ = [
    "ERROR_RESPONSES",
    "ErrorBody",
    "ErrorDetail",
    "api_words",
    "error_response",
    "install",
    "validation_message",
]

_log = logging.getLogger("accordwatch.web")


class ErrorDetail(BaseModel):
    """What went wrong and what to do about it."""

    status: int
    message: str
    fix: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


#: the error responses every API route may give, for the OpenAPI schema
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": what}
    for code, what in (
        (400, "A parameter cannot be used as given (the message says which and why)"),
        (401, "Log in, or send an API token"),
        (403, "Your role may not do this"),
        (404, "Nothing of that name or id"),
        (409, "The change conflicts with the stored state"),
        (422, "A parameter has the wrong type or is missing"),
        (429, "Too many attempts; wait and try again"),
        (503, "The store is busy"),
    )
}

_DEFAULT_FIX = {
    400: "change the request as the message says",
    401: "log in at /login, or send the header 'Authorization: Bearer <token>'",
    403: "ask an admin for a role that may do this",
    404: "check the name or id (the lists under /api say what there is)",
    405: "use a method this path allows (see /api/docs)",
    409: "reload, then try again",
    422: "see /api/docs for the parameters and their types",
    429: "wait a minute, then try again",
    502: "try again later",
    503: "try again in a moment",
}

#: the commands and options that messages of the library name → what the API calls them,
#: in this order (a command first, then its options)
_API_WORDS = [
    (r"`accordwatch stats --by (\w+)`", r"`/api/stats?by=\1`"),
    (r"`accordwatch stats`", "`/api/stats`"),
    (r"`accordwatch actors NAME`", "`/api/actors/NAME`"),
    (r"`accordwatch accords list --country (\w+)`", r"`/api/agreements?country=\1`"),
    (r"`accordwatch accords list`", "`/api/agreements`"),
    (r"`accordwatch accords provisions (\w+)`", r"`/api/agreements/\1/provisions`"),
    (r"`accordwatch review list --status all`", "`/api/review?status=all`"),
    (r"`accordwatch events`", "`/api/events`"),
    (r"`accordwatch alerts`", "`/api/alerts`"),
    (r"`accordwatch forecast`", "`POST /api/forecasts/COUNTRY`"),
    (r"`accordwatch brief COUNTRY`", "`/api/briefings/COUNTRY`"),
    (r"`accordwatch digest`", "`/api/digest`"),
    (r"`accordwatch ingest ucdp[^`]*`", "`POST /api/ingest`"),
    (r"--country ([A-Z]{3})\b", r"country=\1"),
    (r"--min-deaths\b", "min_deaths"),
    (
        r"(?<![\w`-])--(by|since|until|country|region|actor|source|type|lineage|status|months"
        r"|model|lang|limit|agreement|format)\b",
        r"\1",
    ),
]
_API_PATTERNS = [(re.compile(p), r) for p, r in _API_WORDS]


def api_words(text: str) -> str:
    """``text`` (a message of the library, written for the command line) with the commands
    and options it names replaced by the API's paths and parameters."""
    for pattern, replacement in _API_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_INTERNAL = "internal error"
_INTERNAL_FIX = "this is a bug in accordwatch; report the request you made (the time helps)"


def _split(message: str) -> tuple[str, str | None]:
    """A message's fix: what follows its first ``; `` or ``. `` (messages of the errors
    tree say what is wrong, then what to do), if anything does."""
    text = message.strip()
    cuts = [i for i in (text.find("; "), text.find(". ")) if i > 0]
    if not cuts:
        return text, None
    rest = text[min(cuts) + 2 :].strip()
    return text, rest or None


def error_response(request: Request, status: int, message: str, fix: str | None = None) -> Response:
    """The error ``status`` with ``message`` and ``fix``: JSON, or a small HTML page for a
    browser asking a page outside ``/api``."""
    fix = fix or _DEFAULT_FIX.get(status, "try again later")
    body = {"error": {"status": status, "message": message, "fix": fix}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if _wants_html(request):
        page = (
            "<!doctype html><html lang='en'><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{status} — accordwatch</title>"
            "<body style='font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;"
            f"padding:0 1em'><h1>{status}</h1><p>{html.escape(message)}</p>"
            f"<p>{html.escape(fix)}</p><p><a href='/'>accordwatch</a></p></body></html>"
        )
        return HTMLResponse(page, status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


# -- validation errors ------------------------------------------------------------------------
_WHAT = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "json_invalid": "valid JSON",
    "model_attributes_type": "a JSON object",
    "dict_type": "a JSON object",
    "list_type": "a list",
}


def _param(loc: Sequence[Any]) -> tuple[str, str]:
    """(where, name) of a validation error's location: ``("query", "min_deaths")``."""
    # "type", not "type.0"; "score", not "score.constrained-int" (a member of a union)
    parts = [str(p) for p in loc if isinstance(p, str) and p.isidentifier()]
    where = parts[0] if parts else "request"
    name = ".".join(parts[1:]) or where
    return where, name


def _what(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        return f"one of {ctx.get('expected', 'the documented values')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {
            "greater_than_equal": "≥",
            "greater_than": ">",
            "less_than_equal": "≤",
            "less_than": "<",
        }[kind]
        bound = next(iter(ctx.values()), "?")
        return f"a number {sign} {bound}"
    if kind == "string_pattern_mismatch":
        return f"text matching {ctx.get('pattern', 'the documented form')}"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length', '?')} characters"
    if kind == "string_too_short":
        return f"at least {ctx.get('min_length', '?')} characters"
    if kind in ("too_long", "too_short"):
        return f"{ctx.get('max_length', ctx.get('min_length', '?'))} items at most/least"
    if kind == "missing":
        return "a value (it is required)"
    if kind == "extra_forbidden":
        return "nothing: leave it out (it is not a field of this request)"
    return _WHAT.get(kind, "a value of the documented type")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def validation_message(errors: Sequence[Any]) -> tuple[str, str]:
    """(message, fix) for FastAPI's validation errors: each parameter named with what was
    wrong and what it takes."""
    problems, fixes = [], []
    for err in list(errors)[:5]:
        where, name = _param(err.get("loc", ()))
        kind = str(err.get("type", ""))
        got = "" if kind == "missing" or "input" not in err else f" (got {_shown(err['input'])})"
        label = {"query": "query parameter", "path": "path parameter", "body": "field"}.get(
            where, where
        )
        problems.append(f"{label} {name!r}: {err.get('msg', 'invalid')}{got}")
        fixes.append(f"give {name} {_what(err)}")
    more = len(errors) - 5
    message = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
    return message, "; ".join(dict.fromkeys(fixes))


# -- installing -------------------------------------------------------------------------------
def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as JSON (see the module text)."""

    async def on_library_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AccordwatchError)
        status = int(getattr(exc, "http_status", 500))
        if status >= 500 and status not in (502, 503):
            _log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
            return error_response(request, 500, _INTERNAL, _INTERNAL_FIX)
        message, fix = _split(api_words(str(exc)))
        return error_response(request, status, message, fix)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        message, fix = validation_message(exc.errors())
        return error_response(request, 422, message, fix)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        if status == 404 and exc.detail in (None, "Not Found"):
            message = f"no page or API route {request.url.path}"
            fix = "see /api/docs for the API, / for the pages"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
            fix = None
        else:
            message, fix = _split(str(exc.detail))
        response = error_response(request, status, message, fix)
        for key, value in (exc.headers or {}).items():
            response.headers.setdefault(key, value)
        return response

    async def on_anything(request: Request, exc: Exception) -> Response:
        _log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, 500, _INTERNAL, _INTERNAL_FIX)

    app.add_exception_handler(AccordwatchError, on_library_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)
