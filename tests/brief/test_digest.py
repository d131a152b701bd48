"""The digest: what changed since the last one, on real data — a GED slice loaded, revised and
loaded again, an assessment recorded, milestones added — as Markdown, an Atom feed (parsed
by feedparser) and an e-mail sent to a real SMTP server started here on 127.0.0.1
(aiosmtpd), with and without STARTTLS and login."""

from __future__ import annotations

import datetime as dt
import doctest
import email
import email.policy
import importlib
import logging
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import pytest

import accordwatch as aw
import accordwatch.accords as ac
from accordwatch._app.digest import digest_history
from accordwatch.brief._digest import (
    Digest,
    atom_feed,
    email_message,
    make_digest,
    parse_address,
    parse_smtp,
    run_digest,
    to_markdown,
)
from accordwatch.errors import InputError, NetworkError
from accordwatch.store import Store
from csvrows import read_rows, write_rows

ATOM = "{http://www.w3.org/2005/Atom}"
TAG_URI = re.compile(r"^tag:[A-Za-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:\S+$")
USER, PASSWORD = "analyst", "s3cret-Passw0rd-never-shown"
REVISED = 3  # rows of the slice whose deaths the revised copy changes


# -- data -------------------------------------------------------------------------------------
@pytest.fixture
def sliced(empty_db: Path, ged_slice: Path) -> Path:
    """A store holding the bundled GED slice and nothing else."""
    aw.ingest_ucdp(ged_slice, db=empty_db)
    return empty_db


def _revised_copy(ged_slice: Path, folder: Path) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The slice with ``best`` and ``high`` of its first rows raised by 5: the copy and the
    changed event ids → (best before, best after)."""
    header, rows = read_rows(ged_slice)
    best, high, ident = header.index("best"), header.index("high"), header.index("id")
    changed = {}
    for row in rows[:REVISED]:
        before = row[best]
        row[best] = str(int(row[best]) + 5)
        row[high] = str(int(row[high]) + 5)
        changed[row[ident]] = (before, row[best])
    return write_rows(folder / "ged_caf_slice_revised.csv", header, rows), changed


# -- what changed -----------------------------------------------------------------------------
def test_a_revised_load_lists_exactly_the_revised_events_with_before_and_after(
    sliced: Path, ged_slice: Path, tmp_path: Path
) -> None:
    first = run_digest(sliced, out=tmp_path / "first.md")
    assert first.recorded == 1 and first.digest.new_events_total == 39
    assert first.digest.revised_total == 0

    revised, changed = _revised_copy(ged_slice, tmp_path)
    report = aw.ingest_ucdp(revised, db=sliced)
    assert report.updated == REVISED

    d = make_digest(sliced)
    assert d.new_events_total == 0 and d.revised_total == REVISED
    assert {e["source_event_id"] for e in d.revised_events} == set(changed)
    assert d.revised_fields == {"best": REVISED, "high": REVISED}
    for e in d.revised_events:
        changes = {c["field"]: (c["before"], c["after"]) for c in e["changes"]}
        assert set(changes) == {"best", "high"}
        assert changes["best"] == changed[e["source_event_id"]]
    assert [r["run_id"] for r in d.runs] == [report.run_id]
    md = to_markdown(d)
    for ident, (before, after) in changed.items():
        assert f"ucdp-ged {ident}" in md and f"| best | {before} | {after} |" in md
        assert f"accordwatch history {ident} --source ucdp-ged" in md


def test_a_second_run_finds_nothing_new_and_writes_nothing(sliced: Path, tmp_path: Path) -> None:
    assert run_digest(sliced, out=tmp_path / "one.md").recorded == 1
    again = run_digest(sliced, out=tmp_path / "two.md", atom=tmp_path / "feed.xml")
    assert again.nothing_new and again.recorded is None and again.digest.empty
    assert not (tmp_path / "two.md").exists() and not (tmp_path / "feed.xml").exists()
    assert len(digest_history(sliced)) == 1
    forced = run_digest(sliced, out=tmp_path / "two.md", empty=True)
    assert forced.recorded == 2 and "Nothing new since digest 1" in forced.markdown


def test_a_recorded_assessment_is_listed_once(seeded_db: Path) -> None:
    run_digest(seeded_db)
    ac.assess(
        "mali2015.t3.c8.cantonment",
        1,
        "2017-12-31",
        evidence="Eight cantonment sites prepared, none in use",
        assessor="digest test",
        source_url="https://example.org/report",
        db=seeded_db,
    )
    d = make_digest(seeded_db)
    assert d.counts == {
        "new_events": 0,
        "revised_events": 0,
        "assessments": 1,
        "milestones": 0,
        "status_changes": 0,
        "alerts": 0,
    }
    (a,) = d.assessments
    assert a["provision_id"] == "mali2015.t3.c8.cantonment" and a["label"] == "minimal"
    md = to_markdown(d)
    assert "Eight cantonment sites prepared" in md and "<https://example.org/report>" in md
    run_digest(seeded_db)
    assert make_digest(seeded_db).empty


def test_an_event_accepted_from_review_is_listed_as_reviewed(sliced: Path) -> None:
    from accordwatch.extract import extract_text

    run_digest(sliced)
    text = "On Tuesday, clashes between the army and the CSP erupted near Ber, killing 9 soldiers."
    cid = aw.queue_extraction(extract_text(text, published="2024-03-14"), db=sliced)[0]
    aw.review_accept(cid, db=sliced, reviewer="digest test")
    d = make_digest(sliced)
    assert d.new_events_total == 1 and d.new_events == [] and d.revised_total == 0
    (e,) = d.reviewed_events
    assert e["source"].startswith("text:") and e["best"] == 9 and e["place"] == "Ber"
    assert [r["kind"] for r in d.runs] == ["review"]
    assert "## Reviewed events from text (1)" in to_markdown(d)


def test_the_first_digest_of_a_seeded_store_leaves_out_the_bundled_data(seeded_db: Path) -> None:
    d = make_digest(seeded_db)
    assert d.previous is None and "seeding" in d.window
    assert d.new_events_total == 0 and d.revised_total == 0 and not d.runs
    assert d.milestones == [] and d.status_changes == []
    # the latest month of the bundled VIEWS series raises these alerts, all new the first time
    assert {a["unit"] for a in d.alerts} >= {"Angola", "Uganda", "Syria", "Pakistan"}
    assert {a["month"] for a in d.alerts} == {"2022-12"}
    run_digest(seeded_db)
    assert make_digest(seeded_db).alerts == []


def test_since_a_date_looks_back_past_the_mark(seeded_db: Path) -> None:
    run_digest(seeded_db)
    d = make_digest(seeded_db, since="2000")
    total = aw.store_info(seeded_db)["events"]
    assert d.window == "2000-01-01" and d.new_events_total == total
    texts = [e for e in d.reviewed_events if e["source"].startswith("text:")]
    assert texts and all(e["source_title"] for e in texts)
    (change,) = [s for s in d.status_changes if s["agreement_id"] == 30]
    assert (change["before"], change["after"], change["date"]) == (
        "in force",
        "terminated",
        dt.date(2024, 1, 25),
    )
    assert any(m["kind"] == "termination" for m in d.milestones)
    assert all(m["date"] >= dt.date(2000, 1, 1) for m in d.milestones)


def test_a_new_milestone_and_the_status_it_sets_are_listed(seeded_db: Path) -> None:
    run_digest(seeded_db)
    with Store.open(seeded_db) as store:
        store._con.execute(
            "INSERT INTO accord_milestones VALUES (1039, DATE '2024-06-01', 'day', 'CMA', "
            "'suspension', 'The CMA suspends its participation (digest test)', 'digest test')"
        )
    d = make_digest(seeded_db)
    (m,) = d.milestones
    assert m["kind"] == "suspension" and m["agreement_id"] == 1039
    (s,) = d.status_changes
    assert (s["agreement_id"], s["before"], s["after"], s["by"]) == (
        1039,
        "in force",
        "suspended",
        "CMA",
    )
    run_digest(seeded_db)
    after = make_digest(seeded_db)
    assert after.milestones == [] and after.status_changes == []


def test_lists_are_limited_and_say_how_many_more(sliced: Path) -> None:
    d = make_digest(sliced, limit=2)
    assert len(d.new_events) == 2 and d.new_events_total == 39
    assert d.new_events[0]["best"] >= d.new_events[1]["best"]
    assert "… and 37 more new events" in to_markdown(d)


def test_bad_since_and_limit_are_input_errors(sliced: Path) -> None:
    with pytest.raises(InputError, match="neither 'last' nor a date"):
        make_digest(sliced, since="yesterday")
    with pytest.raises(InputError, match="in the future"):
        make_digest(sliced, since=(dt.date.today() + dt.timedelta(days=2)).isoformat())
    with pytest.raises(InputError, match="at least 1"):
        make_digest(sliced, limit=0)


def test_a_store_made_before_migration_6_gets_the_digest_tables(
    tmp_path: Path, ged_slice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accordwatch.store import db as db_module

    shipped = db_module._migrations()
    assert "0006_digest" in [name for _, name, _ in shipped]
    path = tmp_path / "old.duckdb"
    with monkeypatch.context() as m:
        m.setattr(db_module, "_migrations", lambda: [s for s in shipped if s[0] < 6])
        with Store.open(path) as store:
            store.skip_seed()
            assert store.schema_version() == 5
    aw.ingest_ucdp(ged_slice, db=path)
    assert run_digest(path).recorded == 1
    with Store.open(path, read_only=True) as store:
        assert store.schema_version() == shipped[-1][0]
        assert store.digest_mark()["changes"] >= 39


# -- Atom -------------------------------------------------------------------------------------
def test_the_atom_feed_is_valid_with_one_entry_per_digest_and_stable_ids(
    sliced: Path, ged_slice: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.xml"
    run_digest(sliced, atom=feed)
    first = feedparser.parse(feed.read_bytes())
    assert not first.bozo, first.get("bozo_exception")
    assert len(first.entries) == 1

    aw.ingest_ucdp(_revised_copy(ged_slice, tmp_path)[0], db=sliced)
    run_digest(sliced, atom=feed)
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert TAG_URI.match(parsed.feed.id) and parsed.feed.title and parsed.feed.updated
    assert [e.title for e in parsed.entries] == [
        f"accordwatch digest 2: {REVISED} revised events",
        "accordwatch digest 1: 39 new events, 1 new alert",
    ]
    assert parsed.entries[1].id == first.entries[0].id  # the same digest keeps its id
    assert parsed.entries[0].id != parsed.entries[1].id
    assert all(TAG_URI.match(e.id) and e.updated_parsed for e in parsed.entries)
    assert "best" in parsed.entries[0].content[0].value  # its changes, as HTML

    root = ET.fromstring(feed.read_bytes())  # the elements RFC 4287 requires
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "content"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name


def test_an_atom_feed_of_an_empty_digest_still_parses() -> None:
    d = Digest(
        store="x.duckdb",
        made_at=dt.datetime(2026, 1, 2, 3, 4, 5),
        window="2026-01-01",
        number=1,
        feed_id="tag:accordwatch,2026-01-01:store-0/digest",
    )
    parsed = feedparser.parse(atom_feed(d, feed_url="https://example.org/feed.xml"))
    assert not parsed.bozo and parsed.entries[0].title == "accordwatch digest 1: nothing new"
    assert parsed.feed.links[0].href == "https://example.org/feed.xml"


# -- e-mail -----------------------------------------------------------------------------------
class _Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


class _Login:
    """An aiosmtpd authenticator that accepts one user and password, and notes each try."""

    def __init__(self) -> None:
        self.tries: list[tuple[str, bytes]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        self.tries.append((mechanism, getattr(data, "login", b"")))
        return AuthResult(success=ok, handled=False)  # the server answers 235 or 535


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[str, _Inbox]]]:
    """Start an SMTP server on 127.0.0.1 (``start(**aiosmtpd options)`` → host:port, inbox);
    stopped after the test."""
    from aiosmtpd.controller import Controller

    started: list[Any] = []

    def start(**options: Any) -> tuple[str, _Inbox]:
        inbox = _Inbox()
        port = _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return f"127.0.0.1:{port}", inbox

    yield start
    for controller in started:
        controller.stop()


def _received(inbox: _Inbox) -> email.message.EmailMessage:
    ((_, _, content),) = inbox.messages
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_the_digest_arrives_as_an_email_with_a_text_and_an_html_part(
    sliced: Path, smtp_server: Callable[..., tuple[str, _Inbox]]
) -> None:
    where, inbox = smtp_server()
    run = run_digest(
        sliced,
        smtp=where,
        to=["analyst@example.org", "Desk <desk@example.org>"],
        sender="Accordwatch <watch@example.org>",
    )
    assert run.sent_to == ["analyst@example.org", "Desk <desk@example.org>"]
    assert run.recorded == 1
    ((mail_from, rcpt, _),) = inbox.messages
    assert mail_from == "watch@example.org"
    assert sorted(rcpt) == ["analyst@example.org", "desk@example.org"]
    msg = _received(inbox)
    assert msg["Subject"] == run.digest.title == "accordwatch digest 1: 39 new events, 1 new alert"
    assert msg["From"] == "Accordwatch <watch@example.org>"
    assert msg["To"] == "analyst@example.org, Desk <desk@example.org>"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(preferencelist=("plain",))
    page = msg.get_body(preferencelist=("html",))
    assert text is not None and page is not None
    assert "## New events (39)" in text.get_content()
    assert "<h2>New events (39)</h2>" in page.get_content()
    # sent once: the next run has nothing new and sends nothing
    again = run_digest(sliced, smtp=where, to=["analyst@example.org"])
    assert again.nothing_new and len(inbox.messages) == 1


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command (no Python
    dependency)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed: no certificate for the STARTTLS test")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def _no_secret(text: str) -> None:
    import base64

    assert PASSWORD not in text
    assert base64.b64encode(PASSWORD.encode()).decode() not in text


def test_starttls_and_login_when_the_server_offers_them_and_the_password_never_shows(
    sliced: Path,
    smtp_server: Callable[..., tuple[str, _Inbox]],
    tmp_path: Path,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    login = _Login()
    where, inbox = smtp_server(
        tls_context=context,
        require_starttls=True,
        authenticator=login,
        auth_required=True,
        auth_require_tls=True,
    )
    monkeypatch.setenv("ACCORDWATCH_SMTP_USER", USER)
    monkeypatch.setenv("ACCORDWATCH_SMTP_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)
    code, out, err = cli(
        "digest",
        "--db",
        str(sliced),
        "--smtp",
        where,
        "--to",
        "analyst@example.org",
        "--from",
        "watch@example.org",
        "--smtp-cafile",
        str(cert),
    )
    assert code == 0, err
    assert f"sent to analyst@example.org through {where}" in err and "recorded as digest 1" in err
    assert len(inbox.messages) == 1 and login.tries and login.tries[-1][1] == USER.encode()
    assert _received(inbox)["Subject"].startswith("accordwatch digest 1:")
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    _no_secret(out + err + ours)


def test_without_the_servers_certificate_starttls_fails_clearly(
    sliced: Path,
    smtp_server: Callable[..., tuple[str, _Inbox]],
    tmp_path: Path,
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    where, inbox = smtp_server(tls_context=context, require_starttls=True)
    code, _, err = cli("digest", "--db", str(sliced), "--smtp", where, "--to", "a@example.org")
    assert code == NetworkError.exit_code and "TLS connection" in err and "--smtp-cafile" in err
    assert "Traceback" not in err and not inbox.messages and digest_history(sliced) == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_login_is_a_clear_error_and_the_mark_stays(
    sliced: Path,
    smtp_server: Callable[..., tuple[str, _Inbox]],
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """AUTH LOGIN over plain 127.0.0.1 (the server allows it there: auth_require_tls off)."""
    login = _Login()
    where, inbox = smtp_server(authenticator=login, auth_required=True, auth_require_tls=False)
    monkeypatch.setenv("ACCORDWATCH_SMTP_USER", USER)
    monkeypatch.setenv("ACCORDWATCH_SMTP_PASSWORD", PASSWORD + "-wrong")
    caplog.set_level(logging.DEBUG)
    code, out, err = cli("digest", "--db", str(sliced), "--smtp", where, "--to", "a@example.org")
    assert code == InputError.exit_code, err
    assert "refused the login of analyst" in err and "ACCORDWATCH_SMTP_PASSWORD" in err
    assert "Traceback" not in err and not inbox.messages
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    _no_secret(out + err + ours)
    assert PASSWORD + "-wrong" not in out + err + ours
    assert digest_history(sliced) == []  # not sent: not recorded

    monkeypatch.setenv("ACCORDWATCH_SMTP_PASSWORD", PASSWORD)
    code, out, err = cli("digest", "--db", str(sliced), "--smtp", where, "--to", "a@example.org")
    assert code == 0 and len(inbox.messages) == 1 and "39 new events" in err
    _no_secret(out + err)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_no_login_over_plain_smtp_to_another_machine(
    sliced: Path,
    smtp_server: Callable[..., tuple[str, _Inbox]],
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server offers AUTH but no STARTTLS; were it another machine, the password would
    cross the network in clear: accordwatch refuses to log in (127.0.0.1 stands in for that
    machine here)."""
    import accordwatch.brief._digest as digest_module

    login = _Login()
    where, inbox = smtp_server(authenticator=login, auth_required=True, auth_require_tls=False)
    monkeypatch.setattr(digest_module, "_loopback", lambda host: False)
    monkeypatch.setenv("ACCORDWATCH_SMTP_USER", USER)
    monkeypatch.setenv("ACCORDWATCH_SMTP_PASSWORD", PASSWORD)
    code, out, err = cli("digest", "--db", str(sliced), "--smtp", where, "--to", "a@example.org")
    assert code == InputError.exit_code and "offers no STARTTLS" in err
    assert not login.tries and not inbox.messages and digest_history(sliced) == []
    _no_secret(out + err)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_server_that_wants_a_login_we_lack_says_what_to_set(
    sliced: Path,
    smtp_server: Callable[..., tuple[str, _Inbox]],
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    where, inbox = smtp_server(authenticator=_Login(), auth_required=True, auth_require_tls=False)
    code, _, err = cli("digest", "--db", str(sliced), "--smtp", where, "--to", "a@example.org")
    assert code != 0 and "ACCORDWATCH_SMTP_USER" in err and "Traceback" not in err
    assert not inbox.messages and digest_history(sliced) == []


def test_an_unreachable_server_is_a_network_error_and_the_mark_stays(
    sliced: Path, cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    where = f"127.0.0.1:{_free_port()}"  # nothing listens there
    out = tmp_path / "digest.md"
    code, _, err = cli(
        "digest", "--db", str(sliced), "--smtp", where, "--to", "a@example.org", "--out", str(out)
    )
    assert code == NetworkError.exit_code
    assert f"cannot reach the mail server {where}" in err and "Traceback" not in err
    assert digest_history(sliced) == []
    # the next run makes the same digest again
    assert make_digest(sliced).new_events_total == 39


@pytest.mark.parametrize(
    "args, says",
    [
        (["--smtp", "mail server:25", "--to", "a@example.org"], "is not host:port"),
        (["--smtp", "mail.example.org:0", "--to", "a@example.org"], "port 1-65535"),
        (["--smtp", "mail.example.org:smtp", "--to", "a@example.org"], "is not host:port"),
        (["--smtp", "mail.example.org:587"], "needs at least one --to"),
        (["--to", "a@example.org"], "give --smtp host:port"),
        (["--smtp", "127.0.0.1:25", "--to", "not an address"], "is not an e-mail address"),
        (["--smtp", "127.0.0.1:25", "--to", "a@example.org", "--from", "x"], "--from 'x'"),
        (["--since", "last week"], "neither 'last' nor a date"),
    ],
)
def test_bad_options_are_clear_errors_before_anything_happens(
    sliced: Path, cli: Callable[..., tuple[int, str, str]], args: list[str], says: str
) -> None:
    code, out, err = cli("digest", "--db", str(sliced), *args)
    assert code == InputError.exit_code and says in err and "Traceback" not in err
    assert out == "" and digest_history(sliced) == []


def test_parse_smtp_and_addresses() -> None:
    assert parse_smtp("smtp.example.org:587") == ("smtp.example.org", 587)
    assert parse_smtp("[::1]:2525") == ("::1", 2525)
    assert parse_smtp("localhost") == ("localhost", 25)
    assert parse_address(" Ana <ana@example.org> ") == "Ana <ana@example.org>"
    for bad in ("ana", "ana@", "a@b\nBcc: c@d", ""):
        with pytest.raises(InputError):
            parse_address(bad)


def test_an_email_message_has_both_parts() -> None:
    d = Digest(
        store="x.duckdb",
        made_at=dt.datetime(2026, 1, 2, 3, 4, 5),
        window="2026-01-01",
        number=4,
        feed_id="tag:accordwatch,2026-01-01:store-0/digest",
        alerts=[
            {
                "unit": "Mali",
                "month": "2023-08",
                "deaths": 120.0,
                "checks": "surge",
                "reason": "4.0× its 12-month average of 30.0",
                "series": "test",
            }
        ],
    )
    msg = email_message(d, sender="w@example.org", to=["a@example.org"])
    assert msg["Subject"] == "accordwatch digest 4: 1 new alert"
    kinds = [p.get_content_type() for p in msg.iter_parts()]
    assert kinds == ["text/plain", "text/html"]


# -- the command ------------------------------------------------------------------------------
def test_the_command_prints_the_digest_then_finds_nothing_new(
    sliced: Path, cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    code, out, err = cli("digest", "--db", str(sliced), "--no-mark")
    assert code == 0 and out.startswith("# accordwatch digest 1: 39 new events")
    assert "not recorded (--no-mark)" in err
    code, out, err = cli("digest", "--db", str(sliced), "--out", str(tmp_path / "d.md"))
    assert code == 0 and out == "" and (tmp_path / "d.md").read_text().startswith("# accordwatch")
    assert "recorded as digest 1" in err
    code, out, err = cli("digest", "--db", str(sliced))
    assert code == 0 and out == "" and "nothing new since digest 1 of" in err
    code, out, err = cli("digest", "--db", str(sliced), "--list")
    assert code == 0 and "recorded digests" in out and str(tmp_path / "d.md") in out


def test_the_modules_examples_run() -> None:
    for name in ("accordwatch.store.digest", "accordwatch.brief._digest"):
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, name
