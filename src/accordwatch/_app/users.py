"""Accounts of the web app — users, roles, passwords, API tokens, browser sessions, the login
rate limit — and the append-only audit log.

* **passwords** are hashed with argon2 (pwdlib; its recommended parameters).  With
  ``$ACCORDWATCH_ARGON2_TEST=1`` the hashes are made with the cheapest parameters argon2
  allows, for test suites; a hash records its parameters, so either kind verifies anywhere.
  :func:`authenticate` takes as long for an unknown or disabled user as for a wrong password.
* **API tokens** and **session ids** are random (32 bytes); the store keeps only their SHA-256.
  A token is returned once, by :func:`create_token`, and never again.  A session lasts
  :data:`SESSION_LIFETIME` at most, and ends after :data:`SESSION_IDLE` without a request;
  disabling a user or resetting their password ends their sessions.
* **rate limit**: after :data:`MAX_FAILURES` failed logins for one name from one address
  (or :data:`MAX_FAILURES_PER_IP` for any names from one address) within
  :data:`FAILURE_WINDOW`, :func:`login_wait` says how many seconds to wait.  The attempts are
  stored, so a restart does not reset the count; a successful login does.
* **audit log**: every change of users and tokens made here is recorded with who made it
  (``by``: a user's name, ``cli:<os user>`` …) in the same transaction; other changes are
  recorded by their caller with :func:`record_audit`.  Nothing changes or removes an entry.

Each function is one unit of work on the store ``db`` (a path, an open Store, or None).

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     _ = add_user("alice", "analyst", "correct horse", by="cli:root", db=st)
...     authenticate("alice", "correct horse", db=st)["role"], authenticate("alice", "x", db=st)
('analyst', None)
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import getpass
import hashlib
import io
import json
import math
import os
import re
import secrets
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NotFound
from ._store import DB, using
from .server import bookkeeping as _bookkeeping

if TYPE_CHECKING:
    from pwdlib import PasswordHash

    from ..store import Store

__all__ = [
    "FAILURE_WINDOW",
    "MAX_FAILURES",
    "MAX_FAILURES_PER_IP",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "ROLES",
    "SESSION_IDLE",
    "SESSION_LIFETIME",
    "TEST_HASH_VAR",
    "add_user",
    "audit_entries",
    "authenticate",
    "cli_actor",
    "create_session",
    "create_token",
    "disable_user",
    "enable_user",
    "end_session",
    "export_audit",
    "get_user",
    "hash_password",
    "list_tokens",
    "list_users",
    "login_wait",
    "record_audit",
    "record_login_attempt",
    "reset_password",
    "revoke_token",
    "session_user",
    "set_role",
    "token_user",
    "touch_session",
    "touch_token",
    "web_secret",
]

#: the roles, from least to most allowed: a viewer reads; an analyst also reviews events and
#: records assessments; an admin also manages users and runs ingests
ROLES = ("viewer", "analyst", "admin")
SESSION_LIFETIME = dt.timedelta(days=7)
SESSION_IDLE = dt.timedelta(hours=24)
MAX_FAILURES = 5
MAX_FAILURES_PER_IP = 50
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: the shortest and longest password accepted
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
#: set to 1 to hash passwords with the cheapest argon2 parameters (tests only)
TEST_HASH_VAR = "ACCORDWATCH_ARGON2_TEST"

_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
_TOKEN_PREFIX = "aw_"
_KEEP_ATTEMPTS = dt.timedelta(days=1)


def _utc_now() -> dt.datetime:
    """Now, UTC, to the second (as every time of the accounts is kept)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- checks ----------------------------------------------------------------------------------
def _name(name: object) -> str:
    """A user name as stored: lower case, 1–64 of a-z 0-9 . _ @ - (not starting with a sign)."""
    if not isinstance(name, str):
        raise InputError(f"a user name is text, not {type(name).__name__}")
    clean = name.strip().lower()
    if not _NAME.fullmatch(clean):
        raise InputError(
            f"the user name {name!r} is not allowed; use 1 to 64 letters, digits and . _ @ - "
            "(starting with a letter or digit)"
        )
    return clean


def _role(role: object) -> str:
    if not isinstance(role, str) or role not in ROLES:
        raise InputError(f"the role {role!r} is unknown; use one of {', '.join(ROLES)}")
    return role


def _actor(by: str | None) -> str:
    """Who makes a change: ``by``, else ``python:<os user>``."""
    if by is not None:
        if not isinstance(by, str) or not by.strip():
            raise InputError("say who makes the change (by=…)")
        return by.strip()[:200]
    return f"python:{_os_user()}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def cli_actor() -> str:
    """Who makes a change from the command line: ``cli:<os user>``."""
    return f"cli:{_os_user()}"


# -- passwords -------------------------------------------------------------------------------
@functools.cache
def _hasher(cheap: bool) -> PasswordHash:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    if cheap:
        return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
    return PasswordHash.recommended()


def _password_hash() -> PasswordHash:
    return _hasher(os.environ.get(TEST_HASH_VAR, "").strip() not in ("", "0"))


@functools.cache
def _dummy_hash(cheap: bool) -> str:
    """A hash no password is known for: verified against when there is no such user, so
    that a wrong name takes as long as a wrong password."""
    return _hasher(cheap).hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2 hash of a password that is long enough (:data:`MIN_PASSWORD` characters,
    not only spaces) and not absurdly long."""
    if not isinstance(password, str):
        raise InputError(f"a password is text, not {type(password).__name__}")
    if len(password) < MIN_PASSWORD or not password.strip():
        raise InputError(f"the password is too short; use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"the password is too long; use at most {MAX_PASSWORD} characters")
    return _password_hash().hash(password)


def _hash_given(password: str | None, password_hash: str | None) -> str:
    if (password is None) == (password_hash is None):
        raise InputError("give a password or its hash (one of them)")
    if password_hash is not None:
        if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
            raise InputError("a password hash must be an argon2 hash (from hash_password)")
        return password_hash
    assert password is not None
    return hash_password(password)


# -- users -----------------------------------------------------------------------------------
def _shown(user: dict[str, Any]) -> dict[str, Any]:
    """A user as shown and audited: never the password hash."""
    return {k: v for k, v in user.items() if k != "password_hash"}


def _user(store: Store, name: str) -> dict[str, Any]:
    found = store.user_by_name(_name(name))
    if found is None:
        raise NotFound(f"there is no user {name!r}; see the users with: accordwatch users list")
    return found


def _audit(
    store: Store, by: str, action: str, target: str, before: Any, after: Any, ip: str | None
) -> int:
    return store.append_audit(_utc_now(), by, action, target, _json(before), _json(after), _ip(ip))


def add_user(
    name: str,
    role: str,
    password: str | None = None,
    *,
    password_hash: str | None = None,
    by: str | None = None,
    ip: str | None = None,
    db: DB = None,
) -> dict[str, Any]:
    """Add a user with a role and a password (or the ``password_hash`` of
    :func:`hash_password`, made beforehand); audited as ``user.add``.  Returns the user
    (id, name, role, disabled, created, password_changed)."""
    clean, who = _name(name), _actor(by)
    _role(role)
    hashed = _hash_given(password, password_hash)
    with using(db, write=True) as store:
        with store.transaction():
            if store.user_by_name(clean) is not None:
                raise InputError(
                    f"there is already a user {clean!r}; choose another name, or change that "
                    f"user (accordwatch users reset-password {clean})"
                )
            store.insert_user(clean, role, hashed, _utc_now())
            user = _shown(_user(store, clean))
            _audit(store, who, "user.add", f"user:{clean}", None, user, ip)
        return user


def list_users(*, db: DB = None) -> list[dict[str, Any]]:
    """Every user (id, name, role, disabled, created, password_changed, ``tokens``: how many
    of their API tokens are not revoked), by name."""
    with using(db) as store:
        return store.users()


def get_user(name: str, *, db: DB = None) -> dict[str, Any]:
    """One user (id, name, role, disabled, created, password_changed); NotFound if none."""
    with using(db) as store:
        return _shown(_user(store, name))


def _change_user(
    name: str,
    action: str,
    change: Any,
    *,
    by: str | None,
    ip: str | None,
    db: DB,
) -> dict[str, Any]:
    """Apply ``change(store, user)`` to one user in one transaction, audited as ``action``
    with the user before and after; returns the user after."""
    who = _actor(by)
    with using(db, write=True) as store:
        with store.transaction():
            before = _user(store, name)
            change(store, before)
            after = _shown(_user(store, name))
            _audit(store, who, action, f"user:{before['name']}", _shown(before), after, ip)
        return after


def _keep_an_admin(store: Store, user: dict[str, Any], what: str) -> None:
    if user["role"] == "admin" and not user["disabled"] and store.count_admins() <= 1:
        raise InputError(
            f"{user['name']} is the last active admin; {what} would leave nobody to manage "
            "the users. Make another admin first"
        )


def disable_user(
    name: str, *, by: str | None = None, ip: str | None = None, db: DB = None
) -> dict[str, Any]:
    """Disable a user: they can no longer log in, their sessions end and their API tokens
    stop working (kept, to be used again if the user is enabled).  The last active admin
    cannot be disabled."""

    def change(store: Store, user: dict[str, Any]) -> None:
        _keep_an_admin(store, user, "disabling them")
        store.set_user_disabled(user["id"], True)
        store.delete_user_sessions(user["id"])

    return _change_user(name, "user.disable", change, by=by, ip=ip, db=db)


def enable_user(
    name: str, *, by: str | None = None, ip: str | None = None, db: DB = None
) -> dict[str, Any]:
    """Enable a disabled user again."""

    def change(store: Store, user: dict[str, Any]) -> None:
        store.set_user_disabled(user["id"], False)

    return _change_user(name, "user.enable", change, by=by, ip=ip, db=db)


def set_role(
    name: str, role: str, *, by: str | None = None, ip: str | None = None, db: DB = None
) -> dict[str, Any]:
    """Give a user another role (the last active admin keeps theirs)."""
    _role(role)

    def change(store: Store, user: dict[str, Any]) -> None:
        if role != "admin":
            _keep_an_admin(store, user, f"making them {role}")
        store.set_user_role(user["id"], role)

    return _change_user(name, "user.role", change, by=by, ip=ip, db=db)


def reset_password(
    name: str,
    password: str | None = None,
    *,
    password_hash: str | None = None,
    by: str | None = None,
    ip: str | None = None,
    db: DB = None,
) -> dict[str, Any]:
    """Give a user a new password (or its ``password_hash``); every session of theirs ends."""
    hashed = _hash_given(password, password_hash)

    def change(store: Store, user: dict[str, Any]) -> None:
        store.set_user_password(user["id"], hashed, _utc_now())
        store.delete_user_sessions(user["id"])

    return _change_user(name, "user.password", change, by=by, ip=ip, db=db)


def authenticate(name: str, password: str, *, db: DB = None) -> dict[str, Any] | None:
    """The user (id, name, role …) when ``password`` is theirs and they are not disabled;
    else None.  An unknown name, a disabled user and a wrong password take as long."""
    cheap = os.environ.get(TEST_HASH_VAR, "").strip() not in ("", "0")
    found = None
    if isinstance(name, str) and _NAME.fullmatch(name.strip().lower()):
        with using(db) as store:
            found = store.user_by_name(name.strip().lower())
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        password = ""
    stored = found["password_hash"] if found is not None else _dummy_hash(cheap)
    from pwdlib.exceptions import UnknownHashError

    try:
        ok = _hasher(cheap).verify(password, stored)
    except UnknownHashError:
        ok = False
    if found is None or not ok or found["disabled"]:
        return None
    return _shown(found)


# -- the login rate limit --------------------------------------------------------------------
def _attempt_key(name: object, ip: str | None) -> tuple[str, str]:
    clean = name.strip().lower()[:200] if isinstance(name, str) else ""
    return clean, _ip(ip) or ""


def login_wait(name: str, ip: str | None, *, db: DB = None, now: dt.datetime | None = None) -> int:
    """How many seconds a login for ``name`` from ``ip`` must wait (0: it may go ahead):
    after :data:`MAX_FAILURES` failures for the name from the address, or
    :data:`MAX_FAILURES_PER_IP` from the address, within :data:`FAILURE_WINDOW` since the
    last successful login, until the oldest of them is out of the window."""
    clean, address = _attempt_key(name, ip)
    at = now or _utc_now()
    since = at - FAILURE_WINDOW
    with using(db) as store:
        by_name = store.login_failures(since, ip=address, name=clean)
        by_ip = store.login_failures(since, ip=address)
    wait = 0.0
    for failures, most in ((by_name, MAX_FAILURES), (by_ip, MAX_FAILURES_PER_IP)):
        if len(failures) >= most:
            frees = failures[len(failures) - most] + FAILURE_WINDOW
            wait = max(wait, (frees - at).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else 0


def record_login_attempt(
    name: str, ip: str | None, ok: bool, *, db: DB = None, now: dt.datetime | None = None
) -> None:
    """Note a login attempt (and forget those older than a day)."""
    clean, address = _attempt_key(name, ip)
    at = now or _utc_now()
    with using(db, write=True) as store:
        with store.transaction():
            store.insert_login_attempt(clean, address, at, bool(ok))
            store.delete_login_attempts(at - _KEEP_ATTEMPTS)


# -- sessions --------------------------------------------------------------------------------
def create_session(user_id: int, *, user_agent: str | None = None, db: DB = None) -> str:
    """Start a browser session for a user; returns its id (for the cookie — the store keeps
    only its hash).  Expired and idle sessions are forgotten on the way."""
    session = secrets.token_urlsafe(32)
    now = _utc_now()
    with using(db, write=True) as store:
        with store.transaction():
            store.delete_old_sessions(now, now - SESSION_IDLE)
            store.insert_session(
                _sha256(session),
                int(user_id),
                now,
                now + SESSION_LIFETIME,
                (user_agent or "")[:300] or None,
            )
    return session


def session_user(session: str, *, db: DB = None) -> dict[str, Any] | None:
    """The user of a session id that is current (not expired, not idle, the user not
    disabled), with the session's ``last_seen``; else None."""
    if not isinstance(session, str) or not session or len(session) > 200:
        return None
    now = _utc_now()
    with using(db) as store:
        return store.session_user(_sha256(session), now, now - SESSION_IDLE)


@_bookkeeping
def touch_session(session: str, *, db: DB = None) -> None:
    """Note that a session was used now (it stays alive for another :data:`SESSION_IDLE`)."""
    with using(db, write=True) as store:
        store.touch_session(_sha256(session), _utc_now())


def end_session(session: str, *, db: DB = None) -> None:
    """End a session (log out)."""
    with using(db, write=True) as store:
        store.delete_session(_sha256(session))


# -- API tokens ------------------------------------------------------------------------------
def create_token(
    name: str,
    label: str = "api",
    *,
    by: str | None = None,
    ip: str | None = None,
    db: DB = None,
) -> dict[str, Any]:
    """Make an API token for the user ``name``, labelled ``label``; audited as
    ``token.create``.  Returns the token's id, name, created … and ``token``: the value, shown
    this once (the store keeps only its hash)."""
    who = _actor(by)
    if not isinstance(label, str) or not label.strip() or len(label) > 100:
        raise InputError("a token's label is 1 to 100 characters")
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    with using(db, write=True) as store:
        with store.transaction():
            user = _user(store, name)
            if user["disabled"]:
                raise InputError(f"{user['name']} is disabled; enable them first")
            token_id = store.insert_token(user["id"], label.strip(), _sha256(token), _utc_now())
            made = store.token(token_id)
            assert made is not None
            _audit(store, who, "token.create", f"token:{token_id}", None, made, ip)
    return {**made, "token": token}


def list_tokens(name: str | None = None, *, db: DB = None) -> list[dict[str, Any]]:
    """The API tokens of the user ``name`` (or of everyone), newest first: id, user_id,
    user, name, created, last_used, revoked — never their values."""
    with using(db) as store:
        user_id = _user(store, name)["id"] if name is not None else None
        return store.tokens(user_id)


def revoke_token(
    token_id: int,
    *,
    by: str | None = None,
    ip: str | None = None,
    owner: str | None = None,
    db: DB = None,
) -> dict[str, Any]:
    """Revoke an API token (when ``owner`` is given, only one of that user's); audited as
    ``token.revoke``.  Revoking a revoked token changes nothing.  Returns the token."""
    who = _actor(by)
    if isinstance(token_id, bool) or not isinstance(token_id, int):
        raise InputError(f"a token id is a whole number, not {token_id!r}")
    with using(db, write=True) as store:
        with store.transaction():
            before = store.token(token_id)
            if before is None or (owner is not None and before["user"] != _name(owner)):
                raise NotFound(
                    f"there is no API token {token_id}"
                    + (f" of {owner}" if owner is not None else "")
                    + "; see the tokens with: accordwatch users tokens NAME"
                )
            if before["revoked"] is None:
                store.revoke_token(token_id, _utc_now())
            after = store.token(token_id)
            if before["revoked"] is None:
                _audit(store, who, "token.revoke", f"token:{token_id}", before, after, ip)
    assert after is not None
    return after


def token_user(token: str, *, db: DB = None) -> dict[str, Any] | None:
    """The user of an API token that is valid (not revoked, the user not disabled), with
    ``token_id`` and the token's ``last_used``; else None."""
    if not isinstance(token, str) or not token.startswith(_TOKEN_PREFIX) or len(token) > 200:
        return None
    with using(db) as store:
        return store.token_user(_sha256(token))


@_bookkeeping
def touch_token(token_id: int, *, db: DB = None) -> None:
    """Note that a token was used now."""
    with using(db, write=True) as store:
        store.touch_token(int(token_id), _utc_now())


# -- the audit log ---------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """What JSON shows of a value it does not know."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return str(value)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=True)


def _ip(ip: str | None) -> str | None:
    return None if ip is None else str(ip)[:100]


def record_audit(
    user: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    *,
    ip: str | None = None,
    db: DB = None,
) -> int:
    """Append an entry to the audit log: ``user`` did ``action`` to ``target``, which was
    ``before`` and is ``after`` (anything JSON can show; dates as ISO text).  Returns the
    entry's id."""
    for label, value in (("user", user), ("action", action), ("target", target)):
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise InputError(f"an audit entry's {label} is 1 to 200 characters, not {value!r}")
    before_json, after_json = _json(before), _json(after)
    with using(db, write=True) as store:
        return store.append_audit(
            _utc_now(),
            user.strip(),
            action.strip(),
            target.strip(),
            before_json,
            after_json,
            _ip(ip),
        )


def _moment(value: str | dt.date | None, label: str, *, end: bool) -> dt.datetime | None:
    """A time from YYYY-MM-DD[THH:MM[:SS]] (UTC); a day alone as an end means the day after
    it starts (the whole day is included)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        day = dt.datetime(value.year, value.month, value.day)
        return day + dt.timedelta(days=1) if end else day
    if not isinstance(value, str):
        raise InputError(f"{label} is a date (YYYY-MM-DD) or a time, not {value!r}")
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.datetime.fromisoformat(text)
            return day + dt.timedelta(days=1) if end else day
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise InputError(
            f"{label} {value!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def audit_entries(
    *,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    user: str | None = None,
    action: str | None = None,
    target: str | None = None,
    before: int | None = None,
    limit: int | None = None,
    db: DB = None,
) -> list[dict[str, Any]]:
    """Entries of the audit log, newest first: id, at (UTC), user, action, target, before,
    after (as they were recorded), ip.  Filters: ``since`` and ``until`` (days, both
    included, or times), ``user`` (exactly), ``action`` (exactly, or all under ``"user."``),
    ``target`` (part of it), ``before`` (ids below it: the next page); at most ``limit``."""
    start = _moment(since, "since", end=False)
    stop = _moment(until, "until", end=True)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InputError(f"limit must be a whole number ≥ 0, not {limit!r}")
    if before is not None and (isinstance(before, bool) or not isinstance(before, int)):
        raise InputError(f"before must be an entry id, not {before!r}")
    with using(db) as store:
        rows = store.audit_entries(
            since=start,
            until=stop,
            user=user or None,
            action=action or None,
            target=target or None,
            before=before,
            limit=limit,
        )
    for row in rows:
        row["before"] = _loads(row.pop("before_json"))
        row["after"] = _loads(row.pop("after_json"))
    return rows


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text (one that would start a formula gets a ')."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


#: the columns of an exported audit log, in order
_EXPORT_COLUMNS = ("id", "at", "user", "action", "target", "before", "after", "ip")


def export_audit(entries: list[dict[str, Any]], fmt: str) -> str:
    """Entries of :func:`audit_entries` as CSV (before and after as JSON text) or JSON."""
    if fmt == "json":
        shown = [{c: e.get(c) for c in _EXPORT_COLUMNS} for e in entries]
        return json.dumps(shown, default=_plain, ensure_ascii=False, indent=2) + "\n"
    if fmt != "csv":
        raise InputError(f"the audit log exports as csv or json, not {fmt!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_EXPORT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.get("id"),
                e["at"].isoformat() if isinstance(e.get("at"), dt.datetime) else e.get("at"),
                _cell(e.get("user")),
                _cell(e.get("action")),
                _cell(e.get("target")),
                _json(e.get("before")) or "",
                _json(e.get("after")) or "",
                _cell(e.get("ip")),
            ]
        )
    return buffer.getvalue()


# -- the web app's signing secret ------------------------------------------------------------
def web_secret(*, create: bool = True, db: DB = None) -> str | None:
    """The secret the web app signs its CSRF cookies with: made once (unless not
    ``create``: None while there is none yet), kept in the store."""
    with using(db, write=create) as store:
        secret = store.get_meta("web_secret")
        if secret is None and create:
            secret = secrets.token_urlsafe(32)
            with store.transaction():
                store.set_meta("web_secret", secret)
        return secret
