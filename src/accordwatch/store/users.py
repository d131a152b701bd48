"""The SQL of the web app's accounts (``users``, ``api_tokens``, ``sessions``,
``login_attempts``) and of the append-only ``audit_log``, as methods of
:class:`~accordwatch.store.Store`.

These methods read and write rows only: hashing, validation, expiry rules and rate limits
are decided in :mod:`accordwatch._app.users`.  Tokens and session ids arrive here already
hashed.  The audit log has :meth:`UserTables.append_audit` and
:meth:`UserTables.audit_entries` and nothing else: no method changes or removes an entry.

>>> import datetime as dt
>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     st.skip_seed()
...     now = dt.datetime(2024, 1, 1)
...     uid = st.insert_user("alice", "admin", "$argon2id$…", now)
...     st.user_by_name("alice")["role"], st.append_audit(now, "cli:root", "user.add",
...                                                        "user:alice", None, '{}', None)
('admin', 1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import duckdb

__all__ = ["USER_COLUMNS", "UserTables"]

#: what of a user is shown (never the password hash)
USER_COLUMNS = ("user_id", "name", "role", "disabled", "created", "password_changed")
_USER = "u.user_id AS id, u.name, u.role, u.disabled, u.created, u.password_changed"
_TOKEN = "t.token_id AS id, t.user_id, u.name AS user, t.name, t.created, t.last_used, t.revoked"
_AUDIT = (
    'entry_id AS id, logged_at AS "at", user_name AS "user", action, target, before_json, '
    "after_json, ip"
)


class UserTables:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

    def _user_records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self._con.execute(sql, list(params))
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _next_id(self, table: str, column: str) -> int:
        rows = self._con.execute(
            f"SELECT coalesce(max({column}), 0) + 1 FROM {table}"  # noqa: S608 (internal names)
        ).fetchall()
        return int(rows[0][0])

    # -- users -------------------------------------------------------------------------------
    def insert_user(self, name: str, role: str, password_hash: str, at: dt.datetime) -> int:
        """Add a user (``name`` already checked and lower case); returns its id."""
        with self.transaction() as con:
            user_id = self._next_id("users", "user_id")
            con.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, false, ?, ?)",
                [user_id, name, role, password_hash, at, at],
            )
        return user_id

    def user_by_name(self, name: str) -> dict[str, Any] | None:
        """One user with its ``password_hash``, or None."""
        found = self._user_records(
            f"SELECT {_USER}, u.password_hash FROM users u WHERE u.name = ?", [name]
        )
        return found[0] if found else None

    def users(self) -> list[dict[str, Any]]:
        """Every user (id, name, role, disabled, created, password_changed) with how many
        of its tokens are not revoked (``tokens``), by name."""
        return self._user_records(
            f"SELECT {_USER}, (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.user_id "
            "AND t.revoked IS NULL) AS tokens FROM users u ORDER BY u.name"
        )

    def set_user_disabled(self, user_id: int, disabled: bool) -> None:
        self._con.execute(
            "UPDATE users SET disabled = ? WHERE user_id = ?", [bool(disabled), int(user_id)]
        )

    def set_user_role(self, user_id: int, role: str) -> None:
        self._con.execute("UPDATE users SET role = ? WHERE user_id = ?", [role, int(user_id)])

    def set_user_password(self, user_id: int, password_hash: str, at: dt.datetime) -> None:
        self._con.execute(
            "UPDATE users SET password_hash = ?, password_changed = ? WHERE user_id = ?",
            [password_hash, at, int(user_id)],
        )

    def count_admins(self) -> int:
        """How many users are admins and not disabled."""
        rows = self._con.execute(
            "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled"
        ).fetchall()
        return int(rows[0][0])

    # -- API tokens ----------------------------------------------------------------------------
    def insert_token(self, user_id: int, name: str, token_hash: str, at: dt.datetime) -> int:
        """Add an API token (its hash); returns its id."""
        with self.transaction() as con:
            token_id = self._next_id("api_tokens", "token_id")
            con.execute(
                "INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                [token_id, int(user_id), name, token_hash, at],
            )
        return token_id

    def token(self, token_id: int) -> dict[str, Any] | None:
        """One API token (id, user_id, user, name, created, last_used, revoked), or None."""
        found = self._user_records(
            f"SELECT {_TOKEN} FROM api_tokens t JOIN users u USING (user_id) WHERE t.token_id = ?",
            [int(token_id)],
        )
        return found[0] if found else None

    def tokens(self, user_id: int | None = None) -> list[dict[str, Any]]:
        """The API tokens of one user, or of everyone, newest first (never their hashes)."""
        where, params = ("WHERE t.user_id = ?", [int(user_id)]) if user_id is not None else ("", [])
        return self._user_records(
            f"SELECT {_TOKEN} FROM api_tokens t JOIN users u USING (user_id) {where} "
            "ORDER BY t.token_id DESC",
            params,
        )

    def token_user(self, token_hash: str) -> dict[str, Any] | None:
        """The user of a token that is not revoked, whose user is not disabled (the user's
        fields, with ``token_id`` and the token's ``last_used``), or None."""
        found = self._user_records(
            f"SELECT {_USER}, t.token_id, t.last_used FROM api_tokens t "
            "JOIN users u USING (user_id) "
            "WHERE t.token_hash = ? AND t.revoked IS NULL AND NOT u.disabled",
            [token_hash],
        )
        return found[0] if found else None

    def revoke_token(self, token_id: int, at: dt.datetime) -> None:
        self._con.execute(
            "UPDATE api_tokens SET revoked = ? WHERE token_id = ? AND revoked IS NULL",
            [at, int(token_id)],
        )

    def touch_token(self, token_id: int, at: dt.datetime) -> None:
        self._con.execute(
            "UPDATE api_tokens SET last_used = ? WHERE token_id = ?", [at, int(token_id)]
        )

    # -- sessions ------------------------------------------------------------------------------
    def insert_session(
        self,
        session_hash: str,
        user_id: int,
        at: dt.datetime,
        expires: dt.datetime,
        user_agent: str | None,
    ) -> None:
        self._con.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
            [session_hash, int(user_id), at, expires, at, user_agent],
        )

    def session_user(
        self, session_hash: str, now: dt.datetime, idle_since: dt.datetime
    ) -> dict[str, Any] | None:
        """The user of a session that has not expired, was seen after ``idle_since`` and whose
        user is not disabled (the user's fields with the session's ``last_seen``), or None."""
        found = self._user_records(
            f"SELECT {_USER}, s.last_seen FROM sessions s JOIN users u USING (user_id) "
            "WHERE s.session_hash = ? AND s.expires > ? AND s.last_seen > ? AND NOT u.disabled",
            [session_hash, now, idle_since],
        )
        return found[0] if found else None

    def touch_session(self, session_hash: str, at: dt.datetime) -> None:
        self._con.execute(
            "UPDATE sessions SET last_seen = ? WHERE session_hash = ?", [at, session_hash]
        )

    def delete_session(self, session_hash: str) -> None:
        self._con.execute("DELETE FROM sessions WHERE session_hash = ?", [session_hash])

    def delete_user_sessions(self, user_id: int) -> int:
        """End every session of a user; returns how many there were."""
        rows = self._con.execute(
            "DELETE FROM sessions WHERE user_id = ? RETURNING 1", [int(user_id)]
        ).fetchall()
        return len(rows)

    def delete_old_sessions(self, now: dt.datetime, idle_since: dt.datetime) -> None:
        """Forget sessions that expired or were idle since before ``idle_since``."""
        self._con.execute(
            "DELETE FROM sessions WHERE expires <= ? OR last_seen <= ?", [now, idle_since]
        )

    # -- login attempts ------------------------------------------------------------------------
    def insert_login_attempt(self, name: str, ip: str, at: dt.datetime, ok: bool) -> None:
        self._con.execute(
            "INSERT INTO login_attempts VALUES (?, ?, ?, ?)", [name, ip, at, bool(ok)]
        )

    def login_failures(
        self, since: dt.datetime, *, ip: str, name: str | None = None
    ) -> list[dt.datetime]:
        """When the failed logins from ``ip`` (for ``name``, when given) after ``since`` and
        after the last successful one were, oldest first."""
        key = "ip = ?" + (" AND name = ?" if name is not None else "")
        keys = [ip] + ([name] if name is not None else [])
        rows = self._con.execute(
            f"SELECT attempted_at FROM login_attempts WHERE {key} AND NOT ok "
            "AND attempted_at > ? AND attempted_at > coalesce((SELECT max(attempted_at) "
            f"FROM login_attempts WHERE {key} AND ok), ?) ORDER BY attempted_at",
            [*keys, since, *keys, since],
        ).fetchall()
        return [r[0] for r in rows]

    def delete_login_attempts(self, before: dt.datetime) -> None:
        """Forget login attempts made before ``before``."""
        self._con.execute("DELETE FROM login_attempts WHERE attempted_at < ?", [before])

    # -- the audit log (append-only) -----------------------------------------------------------
    def append_audit(
        self,
        at: dt.datetime,
        user: str,
        action: str,
        target: str,
        before_json: str | None,
        after_json: str | None,
        ip: str | None,
    ) -> int:
        """Append one entry to the audit log; returns its id."""
        with self.transaction() as con:
            entry_id = self._next_id("audit_log", "entry_id")
            con.execute(
                "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [entry_id, at, user, action, target, before_json, after_json, ip],
            )
        return entry_id

    def audit_entries(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        user: str | None = None,
        action: str | None = None,
        target: str | None = None,
        before: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Entries of the audit log, newest first: made at or after ``since`` and before
        ``until``, by ``user``, with ``action`` (exactly, or every action under ``x.`` when
        it ends with a dot), with ``target`` in their target, with an id below ``before``;
        at most ``limit``.  Columns: id, at, user, action, target, before_json, after_json,
        ip."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("logged_at >= ?")
            params.append(since)
        if until is not None:
            where.append("logged_at < ?")
            params.append(until)
        if user is not None:
            where.append("user_name = ?")
            params.append(user)
        if action is not None:
            if action.endswith("."):
                where.append("starts_with(action, ?)")
            else:
                where.append("action = ?")
            params.append(action)
        if target is not None:
            where.append("contains(target, ?)")
            params.append(target)
        if before is not None:
            where.append("entry_id < ?")
            params.append(int(before))
        sql = f"SELECT {_AUDIT} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY entry_id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return self._user_records(sql, params)
