"""Accounts on a real store: passwords hashed (never kept as text), disabled users refused,
API tokens shown once and kept hashed, sessions, the login rate limit, and the audit log
that nothing can change."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from accordwatch._app import users
from accordwatch._app._store import open_store
from accordwatch.errors import InputError, NotFound
from accordwatch.store import Store

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(users.TEST_HASH_VAR, "1")


@pytest.fixture
def store(seeded_db: Path) -> Iterator[Store]:
    """The seeded store, open for the whole test (each function is handed it as ``db``)."""
    with open_store(seeded_db) as opened:
        yield opened


def _raw(store: Store, sql: str) -> list[tuple[object, ...]]:
    """Rows as the table holds them."""
    return [tuple(r) for r in store.query(sql).itertuples(index=False)]


def test_passwords_are_stored_as_argon2_hashes_never_as_text(store: Store) -> None:
    users.add_user("Alice", "analyst", PASSWORD, by="test", db=store)
    ((name, stored),) = _raw(store, "SELECT name, password_hash FROM users")
    assert name == "alice"  # names are lower case
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    dump = repr(_raw(store, "SELECT * FROM users")) + repr(_raw(store, "FROM audit_log"))
    assert PASSWORD not in dump
    assert "password_hash" not in users.get_user("alice", db=store)
    assert all("password_hash" not in u for u in users.list_users(db=store))


def test_authenticate_checks_the_password_and_the_name_in_any_case(store: Store) -> None:
    users.add_user("alice", "analyst", PASSWORD, by="test", db=store)
    found = users.authenticate("ALICE", PASSWORD, db=store)
    assert found is not None and found["role"] == "analyst" and "password_hash" not in found
    assert users.authenticate("alice", PASSWORD + "x", db=store) is None
    assert users.authenticate("nobody", PASSWORD, db=store) is None
    assert users.authenticate("", "", db=store) is None
    assert users.authenticate("alice", "x" * 5000, db=store) is None


def test_test_hashes_verify_with_production_parameters_too(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.add_user("alice", "viewer", PASSWORD, by="test", db=store)
    monkeypatch.delenv(users.TEST_HASH_VAR)
    assert users.authenticate("alice", PASSWORD, db=store) is not None
    assert users.hash_password(PASSWORD).startswith("$argon2id$v=19$m=65536")


def test_disabled_user_cannot_log_in_nor_use_sessions_or_tokens(store: Store) -> None:
    users.add_user("root", "admin", PASSWORD, by="test", db=store)
    user = users.add_user("bob", "viewer", PASSWORD, by="test", db=store)
    session = users.create_session(user["id"], user_agent="pytest", db=store)
    token = users.create_token("bob", "laptop", by="test", db=store)["token"]
    assert users.session_user(session, db=store)["name"] == "bob"
    assert users.token_user(token, db=store)["name"] == "bob"

    after = users.disable_user("bob", by="root", db=store)
    assert after["disabled"] is True
    assert users.authenticate("bob", PASSWORD, db=store) is None
    assert users.session_user(session, db=store) is None
    assert users.token_user(token, db=store) is None

    users.enable_user("bob", by="root", db=store)
    assert users.authenticate("bob", PASSWORD, db=store) is not None
    assert users.token_user(token, db=store) is not None  # the token was kept
    assert users.session_user(session, db=store) is None  # the session was ended


def test_the_last_admin_can_be_neither_disabled_nor_demoted(store: Store) -> None:
    users.add_user("root", "admin", PASSWORD, by="test", db=store)
    with pytest.raises(InputError, match="last active admin"):
        users.disable_user("root", by="test", db=store)
    with pytest.raises(InputError, match="last active admin"):
        users.set_role("root", "analyst", by="test", db=store)
    users.add_user("second", "admin", PASSWORD, by="test", db=store)
    assert users.set_role("root", "analyst", by="test", db=store)["role"] == "analyst"


def test_token_is_shown_once_stored_hashed_and_revocable(store: Store) -> None:
    users.add_user("alice", "analyst", PASSWORD, by="test", db=store)
    made = users.create_token("alice", "notebook", by="cli:tester", db=store)
    token = made["token"]
    assert token.startswith("aw_") and len(token) > 40
    stored = _raw(store, "SELECT token_hash FROM api_tokens")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]
    everything = repr(_raw(store, "FROM api_tokens")) + repr(_raw(store, "FROM audit_log"))
    assert token not in everything
    listed = users.list_tokens("alice", db=store)
    assert [t["name"] for t in listed] == ["notebook"]
    assert all("token" not in t and "token_hash" not in t for t in listed)

    assert users.token_user(token, db=store)["name"] == "alice"
    assert users.token_user(token + "x", db=store) is None
    assert users.token_user("not-a-token", db=store) is None
    revoked = users.revoke_token(made["id"], by="cli:tester", db=store)
    assert revoked["revoked"] is not None
    assert users.token_user(token, db=store) is None
    again = users.revoke_token(made["id"], by="cli:tester", db=store)  # changes nothing
    assert again["revoked"] == revoked["revoked"]
    with pytest.raises(NotFound):
        users.revoke_token(999, by="test", db=store)


def test_a_user_may_revoke_only_their_own_tokens(store: Store) -> None:
    users.add_user("alice", "analyst", PASSWORD, by="test", db=store)
    users.add_user("bob", "analyst", PASSWORD, by="test", db=store)
    alices = users.create_token("alice", by="test", db=store)
    with pytest.raises(NotFound):
        users.revoke_token(alices["id"], by="bob", owner="bob", db=store)
    assert users.token_user(alices["token"], db=store) is not None


def test_session_is_stored_hashed_and_ends(store: Store) -> None:
    user = users.add_user("alice", "viewer", PASSWORD, by="test", db=store)
    session = users.create_session(user["id"], user_agent="pytest", db=store)
    assert _raw(store, "SELECT session_hash FROM sessions") == [
        (hashlib.sha256(session.encode()).hexdigest(),)
    ]
    assert users.session_user(session, db=store)["name"] == "alice"
    users.end_session(session, db=store)
    assert users.session_user(session, db=store) is None


def test_password_reset_ends_every_session(store: Store) -> None:
    user = users.add_user("alice", "viewer", PASSWORD, by="test", db=store)
    session = users.create_session(user["id"], db=store)
    users.reset_password("alice", "a brand new password", by="test", db=store)
    assert users.session_user(session, db=store) is None
    assert users.authenticate("alice", PASSWORD, db=store) is None
    assert users.authenticate("alice", "a brand new password", db=store) is not None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("", "viewer", PASSWORD, "not allowed"),
        ("a b", "viewer", PASSWORD, "not allowed"),
        ("-x", "viewer", PASSWORD, "not allowed"),
        ("alice", "superuser", PASSWORD, "role 'superuser' is unknown"),
        ("alice", "viewer", "short", "too short"),
        ("alice", "viewer", "        ", "too short"),
        ("alice", "viewer", "x" * 2000, "too long"),
    ],
)
def test_bad_accounts_are_refused_with_what_to_do(
    store: Store, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        users.add_user(name, role, password, by="test", db=store)
    assert users.list_users(db=store) == []


def test_a_name_is_taken_once(store: Store) -> None:
    users.add_user("alice", "viewer", PASSWORD, by="test", db=store)
    with pytest.raises(InputError, match="already a user 'alice'"):
        users.add_user("ALICE", "admin", PASSWORD, by="test", db=store)


def test_rate_limit_counts_failures_per_name_and_address(store: Store) -> None:
    t0 = dt.datetime(2024, 5, 1, 12, 0)
    for i in range(users.MAX_FAILURES - 1):
        users.record_login_attempt("alice", "10.0.0.1", False, db=store, now=t0)
        assert users.login_wait("alice", "10.0.0.1", db=store, now=t0) == 0, i
    users.record_login_attempt("Alice", "10.0.0.1", False, db=store, now=t0)
    wait = users.login_wait("alice", "10.0.0.1", db=store, now=t0 + dt.timedelta(minutes=1))
    assert wait == 14 * 60
    # another address, another name: not held back
    assert users.login_wait("alice", "10.0.0.2", db=store, now=t0) == 0
    assert users.login_wait("bob", "10.0.0.1", db=store, now=t0) == 0
    # the window passes
    later = t0 + users.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert users.login_wait("alice", "10.0.0.1", db=store, now=later) == 0


def test_a_successful_login_resets_the_count(store: Store) -> None:
    t0 = dt.datetime(2024, 5, 1, 12, 0)
    for _ in range(users.MAX_FAILURES - 1):
        users.record_login_attempt("alice", "10.0.0.1", False, db=store, now=t0)
    users.record_login_attempt(
        "alice", "10.0.0.1", True, db=store, now=t0 + dt.timedelta(seconds=1)
    )
    users.record_login_attempt(
        "alice", "10.0.0.1", False, db=store, now=t0 + dt.timedelta(seconds=2)
    )
    assert users.login_wait("alice", "10.0.0.1", db=store, now=t0) == 0


def test_many_names_from_one_address_are_held_back_too(store: Store) -> None:
    t0 = dt.datetime(2024, 5, 1, 12, 0)
    for i in range(users.MAX_FAILURES_PER_IP):
        users.record_login_attempt(f"user{i}", "10.0.0.9", False, db=store, now=t0)
    assert users.login_wait("someone-else", "10.0.0.9", db=store, now=t0) > 0


def test_every_change_to_users_and_tokens_is_audited(store: Store) -> None:
    users.add_user("root", "admin", PASSWORD, by="cli:tester", db=store)
    users.add_user("alice", "viewer", PASSWORD, by="root", ip="10.1.1.1", db=store)
    users.set_role("alice", "analyst", by="root", db=store)
    users.reset_password("alice", "another password", by="root", db=store)
    users.disable_user("alice", by="root", db=store)
    users.enable_user("alice", by="root", db=store)
    made = users.create_token("alice", "t", by="alice", db=store)
    users.revoke_token(made["id"], by="alice", db=store)
    log = users.audit_entries(db=store)
    assert [e["action"] for e in reversed(log)] == [
        "user.add",
        "user.add",
        "user.role",
        "user.password",
        "user.disable",
        "user.enable",
        "token.create",
        "token.revoke",
    ]
    role = next(e for e in log if e["action"] == "user.role")
    assert role["user"] == "root" and role["target"] == "user:alice"
    assert (role["before"]["role"], role["after"]["role"]) == ("viewer", "analyst")
    added = next(e for e in log if e["target"] == "user:alice" and e["action"] == "user.add")
    assert added["before"] is None and added["ip"] == "10.1.1.1"
    assert all("password_hash" not in repr(e) for e in log)
    assert log[0]["id"] > log[-1]["id"]  # newest first


def test_audit_entries_filter_and_page(store: Store) -> None:
    for i in range(5):
        users.record_audit("alice", "review.accept", f"candidate:{i}", None, {"i": i}, db=store)
    users.record_audit("bob", "assessment.add", "provision:3", None, {"score": 2}, db=store)
    assert len(users.audit_entries(user="alice", db=store)) == 5
    assert [e["target"] for e in users.audit_entries(action="assessment.", db=store)] == [
        "provision:3"
    ]
    assert len(users.audit_entries(target="candidate:", db=store)) == 5
    first = users.audit_entries(limit=2, db=store)
    rest = users.audit_entries(before=first[-1]["id"], db=store)
    assert len(first) == 2 and len(rest) == 4 and rest[0]["id"] < first[-1]["id"]
    today = dt.datetime.now(dt.UTC).date()
    assert len(users.audit_entries(since=str(today), until=str(today), db=store)) == 6
    assert users.audit_entries(until=str(today - dt.timedelta(days=1)), db=store) == []
    with pytest.raises(InputError, match="not a date"):
        users.audit_entries(since="yesterday", db=store)


def test_audit_values_keep_their_shape_and_dates_become_text(store: Store) -> None:
    before = {"when": dt.date(2024, 1, 2), "tags": ("a", "b"), "n": 3, "text": "<b>é</b>"}
    users.record_audit("alice", "thing.edit", "thing:1", before, None, db=store)
    (entry,) = users.audit_entries(db=store)
    assert entry["before"] == {"when": "2024-01-02", "tags": ["a", "b"], "n": 3, "text": "<b>é</b>"}
    assert entry["after"] is None


def test_audit_export_csv_and_json(store: Store) -> None:
    users.record_audit("alice", "review.accept", "candidate:1", {"s": "pending"}, {"s": "ok"},
                       ip="10.0.0.1", db=store)  # fmt: skip
    entries = users.audit_entries(db=store)
    csv_text = users.export_audit(entries, "csv")
    header, row = csv_text.splitlines()
    assert header == "id,at,user,action,target,before,after,ip"
    assert row.startswith("1,") and "review.accept" in row and '"{""s"": ""ok""}"' in row
    import json

    (obj,) = json.loads(users.export_audit(entries, "json"))
    assert obj["after"] == {"s": "ok"} and obj["ip"] == "10.0.0.1"
    with pytest.raises(InputError):
        users.export_audit(entries, "xml")


def test_audit_log_is_append_only(store: Store) -> None:
    """No Store method can change or remove an audit entry: the only ones that touch the
    table append or read, and no SQL of the store updates or deletes it."""
    touching = sorted(
        name
        for name, member in inspect.getmembers(Store, inspect.isfunction)
        if "audit_log" in inspect.getsource(member)
    )
    assert touching == ["append_audit", "audit_entries"]
    assert not [n for n in dir(Store) if "audit" in n and n not in touching]
    store_src = Path(inspect.getfile(Store)).parent
    for path in store_src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+audit_log", text, re.I
        ), path
    for path in (store_src / "migrations").glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(UPDATE|DELETE\s+FROM|DROP\s+TABLE)\s+audit_log", text, re.I)
    assert not [n for n in dir(users) if re.search(r"(delete|update|edit|clear).*audit", n)]


def test_web_secret_is_made_once(store: Store) -> None:
    first = users.web_secret(db=store)
    assert len(first) >= 32 and users.web_secret(db=store) == first
