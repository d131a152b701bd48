"""``accordwatch users …`` and ``accordwatch audit`` through Typer's CliRunner: passwords from
stdin or a prompt (never an argument), a token printed once on stdout, every change audited
as ``cli:<os user>``, errors as one line with their exit code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accordwatch._app import users
from accordwatch.cli import app

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(users.TEST_HASH_VAR, "1")


def _run(db: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--db", str(db)], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_add_with_password_stdin_then_log_in(seeded_db: Path) -> None:
    code, out, err = _run(
        seeded_db, "users", "add", "Amina", "--role", "analyst", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert "added amina (analyst)" in err and out == ""
    assert users.authenticate("amina", PASSWORD, db=seeded_db) is not None


def test_add_asks_for_the_password_twice(seeded_db: Path) -> None:
    code, _, err = _run(
        seeded_db, "users", "add", "bo", "--role", "viewer", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, err
    assert users.authenticate("bo", PASSWORD, db=seeded_db) is not None
    code, _, err = _run(
        seeded_db, "users", "add", "cy", "--role", "viewer", stdin=f"{PASSWORD}\nother one\n"
    )
    assert code != 0 and "cy" not in {u["name"] for u in users.list_users(db=seeded_db)}


def test_there_is_no_password_argument(seeded_db: Path) -> None:
    code, _, err = _run(seeded_db, "users", "add", "x", "--role", "viewer", "--password", "p")
    assert code == 2 and "No such option" in err


def test_bad_input_is_one_line_with_exit_code_2(seeded_db: Path) -> None:
    code, _, err = _run(
        seeded_db, "users", "add", "dee", "--role", "viewer", "--password-stdin", stdin="short\n"
    )
    assert code == 2 and "error: the password is too short" in err and "Traceback" not in err
    code, _, err = _run(seeded_db, "users", "add", "dee", "--role", "root", "--password-stdin")
    assert code == 2 and "root" in err
    code, _, err = _run(seeded_db, "users", "disable", "nobody")
    assert code == 3 and "error: there is no user 'nobody'" in err


def test_list_disable_enable_role_and_reset(seeded_db: Path) -> None:
    for name, role in (("root", "admin"), ("amina", "analyst")):
        _run(seeded_db, "users", "add", name, "--role", role, "--password-stdin",
             stdin=PASSWORD + "\n")  # fmt: skip
    code, out, _ = _run(seeded_db, "users", "list", "--format", "json")
    assert code == 0
    assert [(u["name"], u["role"], u["disabled"]) for u in json.loads(out)] == [
        ("amina", "analyst", False),
        ("root", "admin", False),
    ]
    assert "password_hash" not in out
    assert _run(seeded_db, "users", "disable", "amina")[0] == 0
    assert users.authenticate("amina", PASSWORD, db=seeded_db) is None
    assert _run(seeded_db, "users", "enable", "amina")[0] == 0
    assert _run(seeded_db, "users", "role", "amina", "admin")[0] == 0
    code, _, err = _run(
        seeded_db, "users", "reset-password", "amina", "--password-stdin",
        stdin="a new long password\n",
    )  # fmt: skip
    assert code == 0 and "sessions have ended" in err
    assert users.authenticate("amina", "a new long password", db=seeded_db)["role"] == "admin"
    code, _, err = _run(seeded_db, "users", "disable", "root")
    assert code == 0  # amina is an admin too now
    code, _, err = _run(seeded_db, "users", "disable", "amina")
    assert code == 2 and "last active admin" in err


def test_token_is_printed_once_on_stdout_and_revocable(seeded_db: Path) -> None:
    _run(seeded_db, "users", "add", "amina", "--role", "analyst", "--password-stdin",
         stdin=PASSWORD + "\n")  # fmt: skip
    code, out, err = _run(seeded_db, "users", "token", "amina", "--name", "laptop")
    assert code == 0 and "shown this once" in err
    token = out.strip()
    assert token.startswith("aw_") and "\n" not in token
    assert users.token_user(token, db=seeded_db)["name"] == "amina"
    code, out, _ = _run(seeded_db, "users", "tokens", "amina", "--format", "json")
    (listed,) = json.loads(out)
    assert listed["name"] == "laptop" and token not in out
    code, _, err = _run(seeded_db, "users", "revoke-token", str(listed["id"]))
    assert code == 0 and "revoked" in err
    assert users.token_user(token, db=seeded_db) is None
    assert _run(seeded_db, "users", "revoke-token", "999")[0] == 3


def test_every_change_is_audited_as_the_cli_user(seeded_db: Path) -> None:
    _run(seeded_db, "users", "add", "amina", "--role", "analyst", "--password-stdin",
         stdin=PASSWORD + "\n")  # fmt: skip
    _run(seeded_db, "users", "token", "amina")
    _run(seeded_db, "users", "disable", "amina")
    code, out, _ = _run(seeded_db, "audit", "--format", "json")
    assert code == 0
    entries = json.loads(out)
    assert [e["action"] for e in entries] == ["user.disable", "token.create", "user.add"]
    assert {e["user"] for e in entries} == {users.cli_actor()}
    assert users.cli_actor().startswith("cli:")
    assert PASSWORD not in out
    code, out, _ = _run(seeded_db, "audit", "--format", "csv", "--action", "user.")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["action"] for r in rows] == ["user.disable", "user.add"]
    code, out, _ = _run(seeded_db, "audit", "--user", "someone-else")
    assert code == 0
    code, out, _ = _run(seeded_db, "audit", "--limit", "1")
    assert code == 0 and "user.disable" in out and "user.add" not in out
    code, _, err = _run(seeded_db, "audit", "--since", "yesterday")
    assert code == 2 and "YYYY-MM-DD" in err
