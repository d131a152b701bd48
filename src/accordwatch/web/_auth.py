"""Accounts, roles, sessions, API tokens, CSRF and the login rate limit of the web app.

Who is asking (:func:`current_user`):

* ``Authorization: Bearer <token>`` — an API token (``accordwatch users token NAME``, or
  ``POST /api/tokens``).  When the header is there the session cookie is not looked at,
  and a token that is unknown, revoked or belongs to a disabled user is answered with 401.
* else the session cookie :data:`SESSION_COOKIE` set by ``POST /login``: a random id of which
  the store keeps only the SHA-256 hash; HttpOnly, SameSite=Lax, Secure when the request came
  over https or ``app.state.secure`` is true.

What they may do (:func:`require`): the roles :data:`ROLES` are ordered — a viewer reads, an
analyst also reviews events and records assessments, an admin also manages users and runs
ingests.  Without credentials a request counts as a viewer only when
``app.state.anonymous_read`` is true.  A refusal is 401 (not logged in) or 403 (role too low):
JSON under ``/api``; for pages a redirect to ``/login?next=…`` or a 403 page.

CSRF (:func:`install` adds asgi-csrf): every POST, PUT, PATCH or DELETE that carries cookies
must carry the value of the ``csrftoken`` cookie too — a form as the hidden field
``csrftoken`` (``{{ csrf_field(request) }}`` in a template), a script as the header
``x-csrftoken`` (``{{ csrf_token(request) }}``, e.g. in a ``<meta>`` tag).  A request with
``Authorization: Bearer …`` is exempt: it is authenticated by the token, never the cookie.
``POST /login`` is checked even without cookies (no login CSRF).

Logins are rate-limited per name and client address (:data:`MAX_FAILURES` failures in
:data:`FAILURE_WINDOW`, then 429 with ``Retry-After``); the attempts are kept in the store,
so a restart does not reset the count.

Every change made through the web app is written to the append-only audit log with
:func:`audit` (who, when, what, before and after, the client address).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import AfterValidator, BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import InputError, NotFound
from ._audit import _read, _write, audit, audit_query, client_ip, export_response
from ._errors import ERROR_RESPONSES

__all__ = [
    "ANONYMOUS",
    "AuditEntry",
    "Me",
    "NewToken",
    "TokenInfo",
    "TokenRequest",
    "FAILURE_WINDOW",
    "MAX_FAILURES",
    "ROLES",
    "SESSION_COOKIE",
    "LoginRequired",
    "RoleRefused",
    "User",
    "audit",
    "csrf_field",
    "csrf_token",
    "current_user",
    "install",
    "require",
    "router",
    "templates",
]

_log = logging.getLogger("accordwatch.web")

#: the roles, from least to most allowed; each may do what the ones before it may
ROLES = ("viewer", "analyst", "admin")
#: the session cookie's name
SESSION_COOKIE = "accordwatch_session"
#: failed logins per name and client address within :data:`FAILURE_WINDOW` before 429
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: how often a session's or token's "last seen" is written (not on every request)
_TOUCH_EVERY = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class User:
    """Who a request comes from: a stored user, or :data:`ANONYMOUS` (id 0, a viewer) when
    the operator allows anonymous reading."""

    id: int
    name: str
    role: str

    @property
    def is_anonymous(self) -> bool:
        return self.id == 0

    def can(self, role: str) -> bool:
        """True when this user's role includes ``role``."""
        return _rank(self.role) >= _rank(role)


#: the reader without an account (only when ``app.state.anonymous_read``)
ANONYMOUS = User(0, "anonymous", "viewer")


def _rank(role: str) -> int:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return ROLES.index(role)


class LoginRequired(Exception):
    """A page needs a logged-in user: answered with a redirect to the login page."""


class RoleRefused(Exception):
    """A page needs a higher role than the user has: answered with a 403 page."""

    def __init__(self, user: User, role: str) -> None:
        super().__init__(f"{user.name} is {user.role}; this needs {role}")
        self.user = user
        self.role = role


def _users() -> Any:
    from .._app import users

    return users


# -- who is asking ---------------------------------------------------------------------------
def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


async def current_user(request: Request) -> User | None:
    """The user of this request (API token, else session cookie), or None; remembered on
    ``request.state.user`` for the rest of the request.  A bearer token that is not valid
    is refused with 401 (it is never taken for an anonymous reader)."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    users = _users()
    user: User | None = None
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("the Authorization header must be 'Bearer <token>'")
        found = await _who(request, "token", users.token_user, token.strip())
        if found is None:
            raise _unauthorized(
                "the API token is not valid (unknown, revoked, or its user is disabled); "
                "create a new one with: accordwatch users token NAME"
            )
        user = User(int(found["id"]), str(found["name"]), str(found["role"]))
        if _stale(found.get("last_used")):
            _touch(request, ("token", found["token_id"]), users.touch_token, int(found["token_id"]))
        request.state.auth_via = "token"
    else:
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            found = await _who(request, "session", users.session_user, session)
            if found is not None:
                user = User(int(found["id"]), str(found["name"]), str(found["role"]))
                if _stale(found.get("last_seen")):
                    _touch(request, ("session", found["id"], session), users.touch_session, session)
                request.state.auth_via = "session"
    request.state.user = user
    return user


#: seconds a token's or session's user is kept (also until the next write, which may revoke,
#: disable or log out): a session's idle and absolute limits are checked at least this often
_WHO_SECONDS = 10


async def _who(request: Request, kind: str, fn: Callable[..., Any], secret: str) -> Any:
    """``fn(secret)`` (the user of a token or session, or None), kept by the app's answer
    cache under a hash of the secret for :data:`_WHO_SECONDS` at most, and until the next
    write of any kind (a bookkeeping write notes when it was last used)."""
    from . import _app

    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
    window = int(time.monotonic() // _WHO_SECONDS)
    owner = getattr(request.app.state, "owner", None)
    writes = -1 if owner is None else int(owner.generation)
    return await _app.cached(
        request, ("who", kind, digest, window, writes), lambda: _read(request, fn, secret)
    )


#: writes a request does not wait for (noting when a session or token was last used)
_BACKGROUND: set[asyncio.Task[Any]] = set()
#: the sessions and tokens whose use is being noted (one note at a time each)
_TOUCHING: set[Any] = set()


def _touch(request: Request, what: Any, fn: Callable[..., Any], *args: Any) -> None:
    """:func:`_in_background` ``fn(*args)``, unless the same note is queued already (a long
    write ahead of it would otherwise collect one per request)."""
    if what in _TOUCHING:
        return
    _TOUCHING.add(what)
    _in_background(request, fn, *args, done=lambda: _TOUCHING.discard(what))


def _in_background(
    request: Request,
    fn: Callable[..., Any],
    *args: Any,
    done: Callable[[], Any] | None = None,
) -> None:
    """Queue a small write without waiting for it: a request is never held up behind a long
    write (an ingest) just to note that a session was used; a failure is only logged."""

    async def run() -> None:
        try:
            await _write(request, fn, *args)
        except Exception:  # noqa: BLE001 - bookkeeping; the request has its answer already
            _log.warning("could not note the use of a session or token", exc_info=True)
        finally:
            if done is not None:
                done()

    task = asyncio.create_task(run())
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


def _stale(seen: Any) -> bool:
    if not isinstance(seen, dt.datetime):
        return True
    return _utc_now() - seen >= _TOUCH_EVERY


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def require(role: str) -> Callable[[Request], Awaitable[User]]:
    """A FastAPI dependency giving the request's :class:`User` when their role includes
    ``role``; else 401 (no valid credentials) or 403 (role too low) — JSON under ``/api``, a
    redirect to the login page or a 403 page elsewhere.  Without credentials the request is
    :data:`ANONYMOUS` (a viewer) when ``app.state.anonymous_read`` is true."""
    _rank(role)

    async def dependency(request: Request) -> User:
        user = await current_user(request)
        if user is None:
            if role == "viewer" and getattr(request.app.state, "anonymous_read", False):
                request.state.user = ANONYMOUS
                return ANONYMOUS
            if _is_api(request):
                raise _unauthorized(
                    "log in first: send 'Authorization: Bearer <token>' (accordwatch users "
                    "token NAME makes one)"
                )
            raise LoginRequired()
        if not user.can(role):
            if _is_api(request):
                raise HTTPException(
                    403,
                    f"{user.name} has the role {user.role}; this needs {role} or higher "
                    "(an admin can change it)",
                )
            raise RoleRefused(user, role)
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


# -- CSRF ------------------------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """The CSRF token of this request (the value of the ``csrftoken`` cookie, set on the
    response when missing): send it as the form field or the ``x-csrftoken`` header."""
    get = request.scope.get("csrftoken")
    if get is None:
        raise RuntimeError("CSRF protection is not installed: call accordwatch.web._auth.install")
    return str(get())


def csrf_field(request: Request) -> Markup:
    """The hidden form field every POST form must carry (for jinja2 templates)."""
    return Markup('<input type="hidden" name="csrftoken" value="{}">').format(csrf_token(request))


def _is_secure(scope: Scope, state: Any) -> bool:
    return bool(getattr(state, "secure", None)) or scope.get("scheme") == "https"


async def _csrf_failed(scope: Scope, send: Send, message_id: Any) -> None:
    """The answer to a write without a matching CSRF token: JSON under /api, a page else."""
    path = str(scope.get("path", ""))
    if path == "/api" or path.startswith("/api/"):
        body = json.dumps(
            {
                "error": {
                    "status": 403,
                    "message": "this request carries cookies but no matching CSRF token",
                    "fix": "send the csrftoken cookie's value in the x-csrftoken header, or "
                    "authenticate with 'Authorization: Bearer <token>'",
                }
            }
        ).encode()
        kind = b"application/json"
    else:
        body = _render(
            "auth/message.html",
            title="Form expired",
            message="This form has expired or did not come from this site. Go back, reload "
            "the page and send it again.",
            user=None,
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _CsrfMiddleware:
    """asgi-csrf around the app, with a Secure cookie over https (or ``app.state.secure``)
    and the signing secret kept in the store (so a restart does not expire open forms)."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self._state = state
        self._wrapped: dict[bool, ASGIApp] = {}
        self._lock = threading.Lock()
        self._secret: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = _is_secure(scope, self._state)
        wrapped = self._wrapped.get(secure)
        if wrapped is None:
            secret = self._secret or await self._load_secret(scope)
            wrapped = self._build(secure, secret)
        await wrapped(scope, receive, send)

    async def _load_secret(self, scope: Scope) -> str:
        secret = getattr(self._state, "csrf_secret", None)
        if not secret:
            request = Request(scope)
            secret = await _read(request, _users().web_secret, create=False)
            if not secret:  # the store's first server
                secret = await _write(request, _users().web_secret)
        self._secret = str(secret)
        return self._secret

    def _build(self, secure: bool, secret: str) -> ASGIApp:
        from asgi_csrf import asgi_csrf  # type: ignore[import-untyped]

        with self._lock:
            if secure not in self._wrapped:
                self._wrapped[secure] = asgi_csrf(
                    self.app,
                    signing_secret=secret,
                    always_protect={"/login"},
                    cookie_secure=secure,
                    cookie_samesite="Lax",
                    send_csrf_failed=_csrf_failed,
                )
            return self._wrapped[secure]


# -- install ---------------------------------------------------------------------------------
def install(app: FastAPI) -> None:
    """Add CSRF protection and the answers to :class:`LoginRequired` (a redirect to the login
    page) and :class:`RoleRefused` (a 403 page) to ``app``; ``app.state.anonymous_read`` and
    ``app.state.secure`` default to false."""
    if not hasattr(app.state, "anonymous_read"):
        app.state.anonymous_read = False
    if not hasattr(app.state, "secure"):
        app.state.secure = None
    app.add_middleware(_CsrfMiddleware, state=app.state)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(RoleRefused, _role_refused)


async def _login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in ("GET", "HEAD"):
        target = "/"
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


async def _role_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RoleRefused)
    return _page(
        request,
        "auth/message.html",
        status=403,
        title="Not allowed",
        message=f"You are logged in as {exc.user.name} ({exc.user.role}); this needs the role "
        f"{exc.role}. An admin can change your role.",
        user=exc.user,
    )


# -- templates -------------------------------------------------------------------------------
#: the jinja2 environment of the account pages (autoescaped); ``csrf_field`` and
#: ``csrf_token`` are globals taking the request
templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
templates.globals.update(csrf_field=csrf_field, csrf_token=csrf_token, ROLES=ROLES)


def _render(template: str, **context: Any) -> str:
    context.setdefault("request", None)
    return templates.get_template(template).render(**context)


def _page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", getattr(request.state, "user", None))
    html = _render(template, request=request, **context)
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


#: the account pages: never cached, never framed, nothing loaded from anywhere (no scripts)
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
}


# -- login and logout ------------------------------------------------------------------------
router = APIRouter()


def _safe_next(target: str | None) -> str:
    """A place on this site to go after logging in (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _set_session_cookie(request: Request, response: Response, session: str) -> None:
    from .._app.users import SESSION_LIFETIME

    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_is_secure(request.scope, request.app.state),
    )


@router.get("/login", include_in_schema=False)
async def _login_page(request: Request, next: str = "/") -> HTMLResponse:
    user = await current_user(request)
    return _page(request, "auth/login.html", user=user, next=_safe_next(next), error=None)


@router.post("/login", include_in_schema=False)
async def _login(
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    users = _users()
    ip = client_ip(request)
    target = _safe_next(next)
    wait = await _read(request, users.login_wait, name, ip)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        response = _page(
            request,
            "auth/login.html",
            status=429,
            user=None,
            next=target,
            name=name,
            error=f"Too many failed logins. Try again in about {minutes} minute"
            f"{'s' if minutes != 1 else ''}.",
        )
        response.headers["Retry-After"] = str(int(wait))
        return response
    found = await _read(request, users.authenticate, name, password)
    if found is None:
        await _write(request, users.record_login_attempt, name, ip, False)
        return _page(
            request,
            "auth/login.html",
            status=401,
            user=None,
            next=target,
            name=name,
            error="Wrong name or password, or the account is disabled.",
        )
    user = User(int(found["id"]), str(found["name"]), str(found["role"]))
    agent = request.headers.get("user-agent", "")[:300]
    await _write(request, users.record_login_attempt, name, ip, True)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # a new session for every login: an id known before it is worth nothing
        await _write(request, users.end_session, previous)
    session = await _write(request, users.create_session, user.id, user_agent=agent)
    request.state.user = user
    await audit(request, user, "login", f"user:{user.name}", None, {"user_agent": agent})
    done = RedirectResponse(target, status_code=303)
    _set_session_cookie(request, done, session)
    return done


@router.post("/logout", include_in_schema=False)
async def _logout(request: Request) -> Response:
    user = await current_user(request)
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await _write(request, _users().end_session, session)
    if user is not None:
        await audit(request, user, "logout", f"user:{user.name}", None, None)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


# -- API: who am I, tokens -------------------------------------------------------------------
class Me(BaseModel):
    """The user a request comes from."""

    id: int
    name: str
    role: str
    anonymous: bool


class TokenRequest(BaseModel):
    """A new API token: a label to recognise it by."""

    name: str = Field("api", min_length=1, max_length=100)


def _as_utc(value: dt.datetime) -> dt.datetime:
    """The store keeps times in UTC without a zone; the API says so (``…Z``)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


_UtcTime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class TokenInfo(BaseModel):
    """An API token as listed (never the token itself); times in UTC."""

    id: int
    name: str
    created: _UtcTime
    last_used: _UtcTime | None
    revoked: _UtcTime | None


class NewToken(TokenInfo):
    """A new API token: ``token`` is shown this once and never again."""

    token: str


@router.get(
    "/api/me", operation_id="me", response_model=Me, tags=["accounts"], responses=ERROR_RESPONSES
)
async def _api_me(user: Annotated[User, Depends(require("viewer"))]) -> Me:
    """The user the request comes from (anonymous when the operator allows anonymous reads)."""
    return Me(id=user.id, name=user.name, role=user.role, anonymous=user.is_anonymous)


def _logged_in(user: User) -> User:
    if user.is_anonymous:
        raise _unauthorized("log in first: tokens belong to a user")
    return user


def _listed(
    request: Request,
    rows: list[dict[str, Any]],
    columns: list[str],
    sort: str | None,
    sort_desc: str | None,
) -> list[dict[str, Any]] | Response:
    """The rows of an account list sorted by ``_sort`` / ``_sort_desc``: as they are for
    JSON, or a CSV answer at the ``.csv`` twin."""
    from ._api_common import csv_text, fmt_of, json_safe, sort_rows

    try:
        ordered = sort_rows([json_safe(r) for r in rows], columns, sort, sort_desc)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from exc
    if fmt_of(request) == "csv":
        return Response(csv_text(ordered, columns), media_type="text/csv; charset=utf-8")
    return ordered


_SortQ = Annotated[str | None, Query(alias="_sort", max_length=64, description="Ascending.")]
_SortDescQ = Annotated[
    str | None, Query(alias="_sort_desc", max_length=64, description="Descending.")
]
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"description": "The rows as CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
}
_TOKEN_COLUMNS = ["id", "name", "created", "last_used", "revoked"]


@router.get(
    "/api/tokens.csv",
    operation_id="list_tokens_csv",
    response_model=None,
    tags=["accounts"],
    responses={**ERROR_RESPONSES, **_CSV},
)
@router.get(
    "/api/tokens.json",
    operation_id="list_tokens_json",
    response_model=list[TokenInfo],
    tags=["accounts"],
    responses=ERROR_RESPONSES,
)
@router.get(
    "/api/tokens",
    operation_id="list_tokens",
    response_model=list[TokenInfo],
    tags=["accounts"],
    responses=ERROR_RESPONSES,
)
async def _api_tokens(
    request: Request,
    user: Annotated[User, Depends(require("viewer"))],
    sort: _SortQ = None,
    sort_desc: _SortDescQ = None,
) -> Any:
    """Your API tokens (never their values), sortable; ``.json`` and ``.csv`` twins."""
    _logged_in(user)
    rows = await _read(request, _users().list_tokens, user.name)
    found = [TokenInfo(**_token_fields(r)).model_dump() for r in rows]
    return _listed(request, found, _TOKEN_COLUMNS, sort, sort_desc)


@router.post(
    "/api/tokens",
    operation_id="create_token",
    response_model=NewToken,
    status_code=201,
    tags=["accounts"],
    responses=ERROR_RESPONSES,
)
async def _api_create_token(
    request: Request, body: TokenRequest, user: Annotated[User, Depends(require("viewer"))]
) -> NewToken:
    """Make an API token for yourself; its value is in this answer only (store it now)."""
    _logged_in(user)
    made = await _write(
        request,
        _users().create_token,
        user.name,
        body.name,
        by=user.name,
        ip=client_ip(request),
    )
    return NewToken(**_token_fields(made), token=made["token"])


@router.delete(
    "/api/tokens/{token_id}",
    operation_id="revoke_token",
    response_model=TokenInfo,
    tags=["accounts"],
    responses=ERROR_RESPONSES,
)
async def _api_revoke_token(
    request: Request, token_id: int, user: Annotated[User, Depends(require("viewer"))]
) -> TokenInfo:
    """Revoke one of your API tokens (an admin may revoke anyone's)."""
    _logged_in(user)
    owner = None if user.can("admin") else user.name
    try:
        row = await _write(
            request,
            _users().revoke_token,
            token_id,
            by=user.name,
            ip=client_ip(request),
            owner=owner,
        )
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    return TokenInfo(**_token_fields(row))


def _token_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("id", "name", "created", "last_used", "revoked")}


# -- admin: users ----------------------------------------------------------------------------
_DONE = {
    "added": "added",
    "disabled": "disabled",
    "enabled": "enabled",
    "password": "given a new password (logged out everywhere)",
    "role": "given a new role",
}


@router.get("/admin/users", include_in_schema=False)
async def _users_page(
    request: Request,
    user: Annotated[User, Depends(require("admin"))],
    done: str | None = None,
    who: str | None = None,
) -> HTMLResponse:
    rows = await _read(request, _users().list_users)
    message = f"{who} was {_DONE[done]}." if done in _DONE and who else None
    return _page(request, "auth/users.html", user=user, users=rows, message=message, error=None)


async def _user_change(
    request: Request,
    user: User,
    fn: Callable[..., Any],
    *args: Any,
    done: str,
    who: str,
    **kw: Any,
) -> Response:
    """Run one change to the users; back to the users page (the error shown when it fails)."""
    try:
        changed = await _write(request, fn, *args, by=user.name, ip=client_ip(request), **kw)
    except (InputError, NotFound) as exc:
        return await _users_error(request, user, exc)
    who = str(changed.get("name", who)) if isinstance(changed, dict) else who
    return RedirectResponse(f"/admin/users?done={done}&who={quote(who)}", status_code=303)


async def _users_error(request: Request, user: User, exc: InputError | NotFound) -> HTMLResponse:
    rows = await _read(request, _users().list_users)
    return _page(
        request,
        "auth/users.html",
        status=exc.http_status,
        user=user,
        users=rows,
        message=None,
        error=str(exc),
    )


@router.post("/admin/users", include_in_schema=False)
async def _add_user_form(
    request: Request,
    user: Annotated[User, Depends(require("admin"))],
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    users = _users()
    try:
        hashed = await asyncio.to_thread(users.hash_password, password)
    except InputError as exc:
        return await _users_error(request, user, exc)
    return await _user_change(
        request, user, users.add_user, name, role, password_hash=hashed, done="added", who=name
    )


@router.post("/admin/users/{name}/disable", include_in_schema=False)
async def _disable_user_form(
    request: Request, name: str, user: Annotated[User, Depends(require("admin"))]
) -> Response:
    return await _user_change(request, user, _users().disable_user, name, done="disabled", who=name)


@router.post("/admin/users/{name}/enable", include_in_schema=False)
async def _enable_user_form(
    request: Request, name: str, user: Annotated[User, Depends(require("admin"))]
) -> Response:
    return await _user_change(request, user, _users().enable_user, name, done="enabled", who=name)


@router.post("/admin/users/{name}/role", include_in_schema=False)
async def _role_form(
    request: Request,
    name: str,
    user: Annotated[User, Depends(require("admin"))],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    return await _user_change(request, user, _users().set_role, name, role, done="role", who=name)


@router.post("/admin/users/{name}/password", include_in_schema=False)
async def _password_form(
    request: Request,
    name: str,
    user: Annotated[User, Depends(require("admin"))],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    users = _users()
    try:
        hashed = await asyncio.to_thread(users.hash_password, password)
    except InputError as exc:
        return await _users_error(request, user, exc)
    return await _user_change(
        request, user, users.reset_password, name, password_hash=hashed, done="password", who=name
    )


# -- admin: the audit log --------------------------------------------------------------------
@router.get("/admin/audit", include_in_schema=False)
async def _audit_page(
    request: Request,
    user: Annotated[User, Depends(require("admin"))],
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    who: Annotated[str | None, Query(alias="user", max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> HTMLResponse:
    filters = {"since": since, "until": until, "user": who, "action": action, "target": target}
    try:
        rows = await audit_query(request, filters, before=before, limit=limit + 1)
    except InputError as exc:
        return _page(
            request,
            "auth/audit.html",
            status=400,
            user=user,
            rows=[],
            filters=filters,
            error=str(exc),
            more=None,
            query="",
        )
    shown = rows[:limit]
    query = "&".join(f"{k}={quote(str(v))}" for k, v in filters.items() if v)
    return _page(
        request,
        "auth/audit.html",
        user=user,
        rows=shown,
        filters=filters,
        error=None,
        more=shown[-1]["id"] if len(rows) > limit else None,
        query=query,
    )


@router.get("/admin/audit.{fmt}", include_in_schema=False)
async def _audit_export(
    request: Request,
    fmt: str,
    user: Annotated[User, Depends(require("admin"))],
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    who: Annotated[str | None, Query(alias="user", max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if fmt not in ("csv", "json"):
        raise HTTPException(404, "the audit log exports as audit.csv or audit.json")
    filters = {"since": since, "until": until, "user": who, "action": action, "target": target}
    try:
        rows = await audit_query(request, filters)
    except InputError as exc:
        return JSONResponse({"status": 400, "message": str(exc)}, status_code=400)
    return export_response(rows, fmt)


class AuditEntry(BaseModel):
    """One entry of the audit log (``at`` in UTC)."""

    id: int
    at: _UtcTime
    user: str
    action: str
    target: str
    before: Any = None
    after: Any = None
    ip: str | None = None


@router.get(
    "/api/audit.csv",
    operation_id="audit_log_csv",
    response_model=None,
    tags=["accounts"],
    responses={**ERROR_RESPONSES, **_CSV},
)
@router.get(
    "/api/audit.json",
    operation_id="audit_log_json",
    response_model=list[AuditEntry],
    tags=["accounts"],
    responses=ERROR_RESPONSES,
)
@router.get(
    "/api/audit",
    operation_id="audit_log",
    response_model=list[AuditEntry],
    tags=["accounts"],
    responses=ERROR_RESPONSES,
)
async def _api_audit(
    request: Request,
    user: Annotated[User, Depends(require("admin"))],
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    who: Annotated[str | None, Query(alias="user", max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    sort: _SortQ = None,
    sort_desc: _SortDescQ = None,
) -> Any:
    """The audit log, newest first (admins only): every change, who made it, when, before
    and after.  ``before`` pages back: the smallest ``id`` of the previous page.  The page
    can be sorted by another column; ``.json`` and ``.csv`` twins."""
    filters = {"since": since, "until": until, "user": who, "action": action, "target": target}
    try:
        rows = await audit_query(request, filters, before=before, limit=limit)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from exc
    found = [AuditEntry(**r).model_dump() for r in rows]
    return _listed(request, found, list(AuditEntry.model_fields), sort, sort_desc)
