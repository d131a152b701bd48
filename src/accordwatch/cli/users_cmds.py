"""Commands over the web app's accounts and the audit log: ``users …`` and ``audit``.

A password is never an argument (it would stay in the shell's history and show in the
process list): it is asked for twice at a prompt, or read from the first line of stdin
with ``--password-stdin``.  Every change is written to the audit log as made by
``cli:<os user>``.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from ._common import DbOption, Format, FormatOption, err, lazy_module, out, print_frame

__all__ = ["register"]

_users = lazy_module("accordwatch._app.users")

_users_app = typer.Typer(
    help="Accounts of the web app: add, list, disable, reset passwords, API tokens.",
    no_args_is_help=True,
)


class _Role(str, Enum):
    viewer = "viewer"
    analyst = "analyst"
    admin = "admin"


_Name = Annotated[str, typer.Argument(help="The user's name (lower case; a-z 0-9 . _ @ -).")]
_PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of stdin instead of a prompt.",
    ),
]


def _password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _add_cmd(
    name: _Name,
    role: Annotated[_Role, typer.Option("--role", help="What the user may do.")],
    password_stdin: _PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Add a user who logs in to the web app with a password.

    Roles: a viewer reads; an analyst also reviews events and records assessments; an
    admin also manages users and runs ingests.

    Example: accordwatch users add amina --role analyst
    """
    password = _password(password_stdin)
    user = _users.add_user(name, role.value, password, by=_users.cli_actor(), db=db)
    err.print(f"added {user['name']} ({user['role']})")


def _list_cmd(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List the users: role, whether disabled, when made, when the password was set."""
    rows = _users.list_users(db=db)
    if not rows and fmt is Format.table:
        err.print("no users yet; add one with: accordwatch users add NAME --role admin")
        return
    print_frame(rows, fmt)


def _disable_cmd(name: _Name, db: DbOption = None) -> None:
    """Disable a user: no more logins; their sessions end and their API tokens stop working."""
    user = _users.disable_user(name, by=_users.cli_actor(), db=db)
    err.print(f"{user['name']} is disabled")


def _enable_cmd(name: _Name, db: DbOption = None) -> None:
    """Enable a disabled user again (their API tokens work again)."""
    user = _users.enable_user(name, by=_users.cli_actor(), db=db)
    err.print(f"{user['name']} is enabled")


def _role_cmd(
    name: _Name,
    role: Annotated[_Role, typer.Argument(help="The new role.")],
    db: DbOption = None,
) -> None:
    """Give a user another role (the last active admin keeps theirs)."""
    user = _users.set_role(name, role.value, by=_users.cli_actor(), db=db)
    err.print(f"{user['name']} is now {user['role']}")


def _reset_cmd(name: _Name, password_stdin: _PasswordStdin = False, db: DbOption = None) -> None:
    """Give a user a new password; every session of theirs ends."""
    password = _password(password_stdin)
    user = _users.reset_password(name, password, by=_users.cli_actor(), db=db)
    err.print(f"{user['name']} has a new password; their sessions have ended")


def _token_cmd(
    name: _Name,
    label: Annotated[
        str, typer.Option("--name", help="A label to recognise the token by.")
    ] = "api",
    db: DbOption = None,
) -> None:
    """Make an API token for a user and print it — once: the store keeps only its hash.

    Send it as the header 'Authorization: Bearer <token>'.

    Example: accordwatch users token amina --name laptop
    """
    made = _users.create_token(name, label, by=_users.cli_actor(), db=db)
    err.print(
        f"token {made['id']} ({made['name']}) for {made['user']}; it is shown this once, "
        "store it now:"
    )
    out.print(made["token"], soft_wrap=True)


def _tokens_cmd(
    name: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List API tokens (never their values): id, user, label, created, last used, revoked."""
    rows = _users.list_tokens(name, db=db)
    if not rows and fmt is Format.table:
        err.print("no API tokens; make one with: accordwatch users token NAME")
        return
    print_frame(rows, fmt)


def _revoke_cmd(
    token_id: Annotated[int, typer.Argument(help="The token's id (accordwatch users tokens).")],
    db: DbOption = None,
) -> None:
    """Revoke an API token: it stops working at once."""
    row = _users.revoke_token(token_id, by=_users.cli_actor(), db=db)
    err.print(f"token {row['id']} ({row['name']}) of {row['user']} is revoked")


class _AuditFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _audit_cmd(
    since: Annotated[
        str | None, typer.Option("--since", help="From this day (YYYY-MM-DD) or time (UTC).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Up to and including this day (YYYY-MM-DD), or a time."),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Only changes by this user (or cli:NAME).")
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="Only this action (user.add), or all under 'user.'."),
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Only targets containing this text.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, help="At most this many entries.")
    ] = None,
    db: DbOption = None,
    fmt: Annotated[
        _AuditFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = _AuditFormat.table,
) -> None:
    """Show the audit log, newest first: who changed what, when, before and after.

    Example: accordwatch audit --since 2024-05-01 --format csv > audit.csv
    """
    rows = _users.audit_entries(
        since=since, until=until, user=user, action=action, target=target, limit=limit, db=db
    )
    if fmt is not _AuditFormat.table:
        from ..export import data_stdout

        with data_stdout() as fh:
            fh.write(_users.export_audit(rows, fmt.value))
        return
    if not rows:
        err.print("no audit entries match")
        return
    print_frame(
        [
            {
                "id": r["id"],
                "at": r["at"].strftime("%Y-%m-%d %H:%M:%S"),
                "user": r["user"],
                "action": r["action"],
                "target": r["target"],
                "ip": r["ip"] or "",
            }
            for r in rows
        ],
        Format.table,
    )


def register(app: typer.Typer) -> None:
    """Add ``users …`` and ``audit`` to the app."""
    _users_app.command("add")(_add_cmd)
    _users_app.command("list")(_list_cmd)
    _users_app.command("disable")(_disable_cmd)
    _users_app.command("enable")(_enable_cmd)
    _users_app.command("role")(_role_cmd)
    _users_app.command("reset-password")(_reset_cmd)
    _users_app.command("token")(_token_cmd)
    _users_app.command("tokens")(_tokens_cmd)
    _users_app.command("revoke-token")(_revoke_cmd)
    app.add_typer(_users_app, name="users")
    app.command("audit")(_audit_cmd)
