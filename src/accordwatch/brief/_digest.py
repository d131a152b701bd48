"""The digest: what changed in the store since the last digest, as Markdown, an Atom feed and
an e-mail.

:func:`make_digest` gathers a :class:`Digest` (what changed is decided in
:mod:`accordwatch._app.digest`: new and revised events with the fields that changed, loads,
new assessments, milestones, accord status changes, new alerts); :func:`to_markdown`,
:func:`to_html`, :func:`atom_feed` and :func:`email_message` render it; :func:`send_email`
sends a message with the standard library's :mod:`smtplib` (STARTTLS and login when the
server offers them); :func:`run_digest` does all of it and then records the mark, so that the
next digest starts where this one ended — and a second run finds nothing new.

>>> import datetime as dt
>>> d = Digest(store="aw.duckdb", made_at=dt.datetime(2026, 12, 1, 9, 30), window="2026-11-01",
...            number=1, feed_id="tag:accordwatch,2026-11-01:store-0/digest",
...            assessments=[{"date": dt.date(2026, 11, 20), "provision_id": "p1",
...                          "provision": "Cantonment", "agreement": "Algiers", "score": "1",
...                          "label": "minimal", "assessor": "me", "evidence": "Two sites",
...                          "source_url": None}])
>>> d.title
'accordwatch digest 1: 1 new assessment'
>>> print(to_markdown(d).splitlines()[0])
# accordwatch digest 1: 1 new assessment
"""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .._app import digest as _collect
from .._app._store import DB, store_path
from ..errors import InputError, NetworkError
from ..export import check_out, write_atomic

__all__ = [
    "DEFAULT_SENDER",
    "PASSWORD_VAR",
    "SENDER_VAR",
    "USER_VAR",
    "Digest",
    "DigestRun",
    "atom_feed",
    "email_message",
    "make_digest",
    "parse_address",
    "parse_smtp",
    "run_digest",
    "send_email",
    "to_html",
    "to_markdown",
]

#: the environment variables of the SMTP login and the sender (the password is read from the
#: environment only, never shown)
USER_VAR = "ACCORDWATCH_SMTP_USER"
PASSWORD_VAR = "ACCORDWATCH_SMTP_PASSWORD"
SENDER_VAR = "ACCORDWATCH_SMTP_FROM"
#: the sender when neither ``sender``, $ACCORDWATCH_SMTP_FROM nor an e-mail login is given
DEFAULT_SENDER = "accordwatch@localhost"

_ATOM = "http://www.w3.org/2005/Atom"
_SECTIONS = {  # count key → (singular, plural)
    "new_events": ("new event", "new events"),
    "revised_events": ("revised event", "revised events"),
    "assessments": ("new assessment", "new assessments"),
    "milestones": ("milestone", "milestones"),
    "status_changes": ("accord status change", "accord status changes"),
    "alerts": ("new alert", "new alerts"),
}
_VIOLENCE = {1: "state-based", 2: "non-state", 3: "one-sided"}


@dataclass
class Digest:
    """What changed in a store in one window (see :mod:`accordwatch._app.digest`): plain
    lists of records, every list at most ``limit`` long, every count complete."""

    store: str
    made_at: dt.datetime  # UTC
    window: str  # where the window starts, in words
    number: int  # the number it has (or will have when recorded) in the store
    feed_id: str  # tag: URI of the store's digest feed
    previous: int | None = None  # the digest it follows, if any
    runs: list[dict[str, Any]] = field(default_factory=list)
    new_event_counts: list[dict[str, Any]] = field(default_factory=list)  # by country, source
    new_events_total: int = 0
    new_events: list[dict[str, Any]] = field(default_factory=list)  # deadliest, not from text
    reviewed_events: list[dict[str, Any]] = field(default_factory=list)  # accepted from text
    revised_total: int = 0
    revised_fields: dict[str, int] = field(default_factory=dict)  # field → events it changed in
    revised_events: list[dict[str, Any]] = field(default_factory=list)  # each with "changes"
    assessments: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    limit: int = 50
    last_run_id: int = 0  # where the next digest starts
    last_assessment_id: int = 0
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)  # kept for the next

    @property
    def counts(self) -> dict[str, int]:
        """How many changes each section lists (complete counts, not the shown rows)."""
        return {
            "new_events": self.new_events_total,
            "revised_events": self.revised_total,
            "assessments": len(self.assessments),
            "milestones": len(self.milestones),
            "status_changes": len(self.status_changes),
            "alerts": len(self.alerts),
        }

    @property
    def changes(self) -> int:
        return sum(self.counts.values())

    @property
    def empty(self) -> bool:
        """True when nothing changed in the window."""
        return self.changes == 0

    @property
    def summary(self) -> str:
        """The changes in words: ``39 new events, 3 revised events`` or ``nothing new``."""
        parts = [
            f"{n:,} {_SECTIONS[k][0] if n == 1 else _SECTIONS[k][1]}"
            for k, n in self.counts.items()
            if n
        ]
        return ", ".join(parts) or "nothing new"

    @property
    def title(self) -> str:
        return f"accordwatch digest {self.number}: {self.summary}"

    @property
    def entry_id(self) -> str:
        """The tag: URI of this digest in the store's feed."""
        return f"{self.feed_id}/{self.number}"


@dataclass
class DigestRun:
    """What :func:`run_digest` did."""

    digest: Digest
    nothing_new: bool = False  # nothing changed: nothing written, sent or recorded
    recorded: int | None = None  # the number recorded, None when the mark was not moved
    written: list[str] = field(default_factory=list)
    sent_to: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # recipients the server refused
    markdown: str = ""


def make_digest(
    db: DB = None, *, since: str | dt.date | None = "last", limit: int = 50, alerts: bool = True
) -> Digest:
    """What changed in the store since ``since`` — ``"last"`` (where the last recorded digest
    ended; with none, the last 30 days after the seeding) or a date — as a :class:`Digest`;
    lists hold at most ``limit`` events; ``alerts=False`` skips the alert checks."""
    return Digest(**_collect.collect_digest(db, since=since, limit=limit, alerts=alerts))


# -- words ----------------------------------------------------------------------------------
def _n(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _day(value: Any) -> str:
    if value is None:
        return "undated"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, dt.datetime) else _day(value)


def _dates(e: dict[str, Any]) -> str:
    start, end = _day(e.get("date_start")), _day(e.get("date_end"))
    return start if end in (start, "undated") else f"{start} – {end}"


def _sides(e: dict[str, Any]) -> str:
    sides = [s for s in (e.get("side_a"), e.get("side_b")) if s]
    if sides:
        return " – ".join(sides)
    return str(e.get("actors") or "actors unknown").replace("; ", ", ")


def _kind(e: dict[str, Any]) -> str:
    tov = e.get("type_of_violence")
    return _VIOLENCE.get(int(tov), str(tov)) if tov is not None else str(e.get("event_type") or "")


def _deaths(e: dict[str, Any]) -> str:
    best, low, high = e.get("best"), e.get("low"), e.get("high")
    if low is not None and high is not None and (low, high) != (best, best):
        return f"{_n(best)} ({_n(low)}–{_n(high)})"
    return _n(best)


def _toll(e: dict[str, Any]) -> str:
    """``12 deaths`` or ``deaths unknown`` (an event from text may not say)."""
    if e.get("best") is None:
        return "deaths unknown"
    return f"{_deaths(e)} death{'' if e['best'] == 1 else 's'}"


def _where(e: dict[str, Any]) -> str:
    parts = [p for p in (e.get("place"), e.get("region"), e.get("country")) if p]
    return ", ".join(dict.fromkeys(str(p) for p in parts)) or "place unknown"


def _history_cmd(e: dict[str, Any]) -> str:
    return f"accordwatch history {e['source_event_id']} --source {e['source']}"


def _cite(e: dict[str, Any]) -> str:
    """The source of an event from text: title and address."""
    title, url = e.get("source_title"), e.get("source_url")
    return " ".join(p for p in (str(title) if title else "", f"<{url}>" if url else "") if p)


def _intro(d: Digest) -> str:
    return (
        f"What changed in the store {d.store} since {d.window}: {d.summary}. "
        f"Made {_when(d.made_at)} UTC."
    )


def _footer(d: Digest) -> str:
    return (
        f"accordwatch digest {d.number} · the next digest starts after ingest run "
        f"{d.last_run_id} and assessment {d.last_assessment_id} · "
        "`accordwatch digest --since DATE` looks further back"
    )


# -- Markdown -------------------------------------------------------------------------------
def _md_cell(value: Any) -> str:
    text = value if isinstance(value, str) else _n(value) if value is not None else ""
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def _md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _more(shown: int, total: int, what: str) -> list[str]:
    if total <= shown:
        return []
    return [f"… and {total - shown:,} more {what} (`accordwatch digest --limit N` shows more).", ""]


def to_markdown(d: Digest) -> str:
    """The digest as Markdown (also the e-mail's text part)."""
    out = [f"# {d.title}", "", _intro(d), ""]
    if d.empty:
        out += [f"Nothing new since {d.window}.", ""]
    if d.runs:
        out += ["## Loads", ""]
        out += _md_table(
            ["run", "started", "kind", "file", "new", "updated", "unchanged", "rejected"],
            [
                [r["run_id"], _when(r["started_at"]), r["kind"], r["file"] or r["source"]]
                + [r["inserted"], r["updated"], r["unchanged"], r["rejected"]]
                for r in d.runs
            ],
        )
    if d.new_events_total:
        out += [f"## New events ({d.new_events_total:,})", ""]
        out += _md_table(
            ["country", "source", "events", "deaths (best)"],
            [[c["country"], c["source"], c["events"], c["deaths"]] for c in d.new_event_counts],
        )
        if d.new_events:
            out += ["Deadliest:", ""]
            out += _md_table(
                ["date", "where", "who", "type", "deaths", "event"],
                [
                    [_dates(e), _where(e), _sides(e), _kind(e), _deaths(e)]
                    + [f"{e['source']} {e['source_event_id']}"]
                    for e in d.new_events
                ],
            )
            shown = len(d.new_events) + len(d.reviewed_events)
            out += _more(shown, d.new_events_total, "new events")
    if d.reviewed_events:
        out += [f"## Reviewed events from text ({len(d.reviewed_events):,})", ""]
        for e in d.reviewed_events:
            cite = _cite(e)
            out.append(
                f"- {_dates(e)}, {_where(e)}: {_sides(e)}, {_kind(e)}, {_toll(e)}"
                + (f" — {cite}" if cite else "")
            )
        out.append("")
    if d.revised_total:
        out += [f"## Revised events ({d.revised_total:,})", ""]
        fields = ", ".join(f"{f} ({n:,})" for f, n in d.revised_fields.items())
        out += [f"Fields changed (events): {fields}.", ""]
        for e in d.revised_events:
            out += [
                f"### {e['source']} {e['source_event_id']}: {_dates(e)}, {_where(e)}, {_sides(e)}",
                "",
            ]
            out += _md_table(
                ["field", "before", "after"],
                [
                    [c["field"], c["before"] or "(empty)", c["after"] or "(empty)"]
                    for c in e["changes"]
                ],
            )
            out += [f"Every version: `{_history_cmd(e)}`", ""]
        out += _more(len(d.revised_events), d.revised_total, "revised events")
    if d.assessments:
        out += [f"## New assessments ({len(d.assessments):,})", ""]
        for a in d.assessments:
            src = f" <{a['source_url']}>" if a.get("source_url") else ""
            out.append(
                f"- {_day(a['date'])} · {a['provision_id']} ({a.get('provision') or '?'}, "
                f"{a.get('agreement') or '?'}): score {a['score']} ({a['label']}) by "
                f"{a['assessor']} — {a['evidence']}{src}"
            )
        out.append("")
    if d.status_changes:
        out += ["## Accord status changes", ""]
        for s in d.status_changes:
            out.append(_status_line(s))
        out.append("")
    if d.milestones:
        out += [f"## Milestones ({len(d.milestones):,})", ""]
        for m in d.milestones:
            out.append(_milestone_line(m))
        out.append("")
    if d.alerts:
        out += [f"## New alerts ({len(d.alerts):,})", ""]
        out += _md_table(
            ["unit", "month", "deaths", "checks", "reason", "series"],
            [
                [a["unit"], a["month"], a["deaths"], a["checks"], a["reason"], a["series"]]
                for a in d.alerts
            ],
        )
    if d.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in d.notes] + [""]
    out += ["---", "", _footer(d), ""]
    return "\n".join(out)


def _status_line(s: dict[str, Any]) -> str:
    when = f" on {_day(s['date'])}" if s.get("date") else ""
    by = f" by {s['by']}" if s.get("by") else ""
    src = f" (source: {s['source']})" if s.get("source") else ""
    return (
        f"- {s.get('agreement') or s['agreement_id']}: {s['before']} → {s['after']}{when}{by}{src}"
    )


def _milestone_line(m: dict[str, Any]) -> str:
    day = _day(m["date"])
    precision = m.get("precision")
    day = day[:7] if precision == "month" else day[:4] if precision == "year" else day
    actors = f" ({m['actors']})" if m.get("actors") else ""
    src = f" — {m['source']}" if m.get("source") else ""
    return (
        f"- {day} · {m.get('agreement') or m['agreement_id']}: {m['kind']}{actors}: "
        f"{m['description']}{src}"
    )


# -- HTML -----------------------------------------------------------------------------------
_STYLE = (
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60em;"
    "margin:1em auto;padding:0 1em;color:#222;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5em 0 1em}"
    "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{background:#f3f3f3;padding:0 .2em}"
    "footer{color:#666;font-size:.9em;border-top:1px solid #ccc;margin-top:2em}"
)


def _h(value: Any) -> str:
    text = value if isinstance(value, str) else _n(value) if value is not None else ""
    return html.escape(text)


def _link(url: Any, text: Any = None) -> str:
    if not url:
        return _h(text) if text else ""
    return f'<a href="{html.escape(str(url), quote=True)}">{_h(text or url)}</a>'


def _html_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{_h(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_more(shown: int, total: int, what: str) -> str:
    if total <= shown:
        return ""
    return f"<p>… and {total - shown:,} more {_h(what)} (<code>--limit N</code> shows more).</p>"


def to_html(d: Digest, *, document: bool = True) -> str:
    """The digest as HTML: a whole page (the e-mail's HTML part), or with ``document=False``
    the body alone (an Atom entry's content).  No script, no remote resource."""
    parts = [f"<h1>{_h(d.title)}</h1>", f"<p>{_h(_intro(d))}</p>"]
    if d.empty:
        parts.append(f"<p>Nothing new since {_h(d.window)}.</p>")
    if d.runs:
        parts.append("<h2>Loads</h2>")
        parts.append(
            _html_table(
                ["run", "started", "kind", "file", "new", "updated", "unchanged", "rejected"],
                [
                    [_h(r["run_id"]), _h(_when(r["started_at"])), _h(r["kind"])]
                    + [_h(r["file"] or r["source"])]
                    + [_h(r[k]) for k in ("inserted", "updated", "unchanged", "rejected")]
                    for r in d.runs
                ],
            )
        )
    if d.new_events_total:
        parts.append(f"<h2>New events ({d.new_events_total:,})</h2>")
        parts.append(
            _html_table(
                ["country", "source", "events", "deaths (best)"],
                [
                    [_h(c["country"]), _h(c["source"]), _h(c["events"]), _h(c["deaths"])]
                    for c in d.new_event_counts
                ],
            )
        )
        if d.new_events:
            parts.append("<p>Deadliest:</p>")
            parts.append(
                _html_table(
                    ["date", "where", "who", "type", "deaths", "event"],
                    [
                        [_h(_dates(e)), _h(_where(e)), _h(_sides(e)), _h(_kind(e))]
                        + [_h(_deaths(e)), _h(f"{e['source']} {e['source_event_id']}")]
                        for e in d.new_events
                    ],
                )
            )
            shown = len(d.new_events) + len(d.reviewed_events)
            parts.append(_html_more(shown, d.new_events_total, "new events"))
    if d.reviewed_events:
        parts.append(f"<h2>Reviewed events from text ({len(d.reviewed_events):,})</h2><ul>")
        for e in d.reviewed_events:
            cite = _link(e.get("source_url"), e.get("source_title") or e.get("source_url"))
            parts.append(
                f"<li>{_h(_dates(e))}, {_h(_where(e))}: {_h(_sides(e))}, {_h(_kind(e))}, "
                + _h(_toll(e))
                + (f" — {cite}" if cite else "")
                + "</li>"
            )
        parts.append("</ul>")
    if d.revised_total:
        parts.append(f"<h2>Revised events ({d.revised_total:,})</h2>")
        fields = ", ".join(f"{f} ({n:,})" for f, n in d.revised_fields.items())
        parts.append(f"<p>Fields changed (events): {_h(fields)}.</p>")
        for e in d.revised_events:
            parts.append(
                f"<h3>{_h(e['source'])} {_h(e['source_event_id'])}: {_h(_dates(e))}, "
                f"{_h(_where(e))}, {_h(_sides(e))}</h3>"
            )
            parts.append(
                _html_table(
                    ["field", "before", "after"],
                    [
                        [_h(c["field"]), _h(c["before"] or "(empty)"), _h(c["after"] or "(empty)")]
                        for c in e["changes"]
                    ],
                )
            )
            parts.append(f"<p>Every version: <code>{_h(_history_cmd(e))}</code></p>")
        parts.append(_html_more(len(d.revised_events), d.revised_total, "revised events"))
    if d.assessments:
        parts.append(f"<h2>New assessments ({len(d.assessments):,})</h2><ul>")
        for a in d.assessments:
            src = f" {_link(a['source_url'], 'source')}" if a.get("source_url") else ""
            parts.append(
                f"<li>{_h(_day(a['date']))} · <code>{_h(a['provision_id'])}</code> "
                f"({_h(a.get('provision') or '?')}, {_h(a.get('agreement') or '?')}): score "
                f"{_h(a['score'])} ({_h(a['label'])}) by {_h(a['assessor'])} — "
                f"{_h(a['evidence'])}{src}</li>"
            )
        parts.append("</ul>")
    if d.status_changes:
        parts.append("<h2>Accord status changes</h2><ul>")
        parts += [f"<li>{_h(_status_line(s)[2:])}</li>" for s in d.status_changes]
        parts.append("</ul>")
    if d.milestones:
        parts.append(f"<h2>Milestones ({len(d.milestones):,})</h2><ul>")
        parts += [f"<li>{_h(_milestone_line(m)[2:])}</li>" for m in d.milestones]
        parts.append("</ul>")
    if d.alerts:
        parts.append(f"<h2>New alerts ({len(d.alerts):,})</h2>")
        parts.append(
            _html_table(
                ["unit", "month", "deaths", "checks", "reason", "series"],
                [
                    [_h(a[k]) for k in ("unit", "month", "deaths", "checks", "reason", "series")]
                    for a in d.alerts
                ],
            )
        )
    if d.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_h(n)}</li>" for n in d.notes))
        parts.append("</ul>")
    parts.append(f"<footer><p>{_h(_footer(d).replace('`', ''))}</p></footer>")
    body = "\n".join(p for p in parts if p)
    if not document:
        return body
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_h(d.title)}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n"
        "</body></html>\n"
    )


# -- Atom -----------------------------------------------------------------------------------
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("accordwatch")
    except PackageNotFoundError:  # running from a source tree
        return "unknown"


def _rfc3339(when: dt.datetime) -> str:
    utc = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    return utc.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def atom_feed(
    d: Digest, earlier: Sequence[dict[str, Any]] = (), *, feed_url: str | None = None
) -> str:
    """An Atom feed (RFC 4287) of the digest and the ``earlier`` recorded ones (rows of
    :func:`accordwatch._app.digest.recent_digests`, newest first): one entry per digest,
    its HTML as the content; ids are stable ``tag:`` URIs."""
    ET.register_namespace("", _ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{_ATOM}}}feed")
    sub(feed, "id", d.feed_id)
    sub(feed, "title", f"accordwatch digest of {Path(d.store).name}")
    sub(feed, "subtitle", "What changed in the store: events, assessments, milestones, alerts")
    sub(feed, "updated", _rfc3339(d.made_at))
    author = sub(feed, "author")
    sub(author, "name", "accordwatch")
    sub(feed, "generator", "accordwatch", version=_version())
    if feed_url:
        sub(feed, "link", rel="self", href=feed_url)
    entries = [(d.entry_id, d.title, d.made_at, d.summary, to_html(d, document=False))]
    for m in earlier:
        if int(m["digest_id"]) == d.number:
            continue
        title = str(m["title"])
        entries.append(
            (
                f"{d.feed_id}/{int(m['digest_id'])}",
                title,
                m["created_at"],
                title.split(": ", 1)[-1],
                str(m["body_html"]),
            )
        )
    for entry_id, title, when, summary, body in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id)
        sub(entry, "title", title)
        sub(entry, "updated", _rfc3339(when))
        sub(entry, "published", _rfc3339(when))
        sub(entry, "summary", summary)
        sub(entry, "content", body, type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


# -- e-mail ---------------------------------------------------------------------------------
def parse_address(value: str, *, option: str = "--to") -> str:
    """An e-mail address (``ana@example.org`` or ``Ana <ana@example.org>``), formatted for a
    header; anything else is an input error that says what was given."""
    text = str(value).strip()
    name, addr = parseaddr(text)
    ok = bool(addr) and not re.search(r"[\r\n]", text)
    if ok:
        try:
            ok = bool(Address(addr_spec=addr).domain)
        except (ValueError, IndexError):
            ok = False
    if not ok:
        raise InputError(
            f"{option} {value!r} is not an e-mail address; give one such as ana@example.org"
        )
    return formataddr((name, addr))


def email_message(d: Digest, *, sender: str, to: Sequence[str]) -> EmailMessage:
    """The digest as an e-mail: the Markdown as the text part, the HTML page as the
    alternative; subject the digest's title."""
    msg = EmailMessage()
    msg["Subject"] = d.title
    msg["From"] = parse_address(sender, option="--from")
    msg["To"] = ", ".join(parse_address(t) for t in to)
    msg["Date"] = format_datetime(d.made_at.replace(tzinfo=dt.UTC))
    msg["Message-ID"] = make_msgid("accordwatch-digest", domain="accordwatch.invalid")
    msg.set_content(to_markdown(d))
    msg.add_alternative(to_html(d), subtype="html")
    return msg


def parse_smtp(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:25`` for an IPv6 address; a bare host means port 25) as the
    host and the port; anything else is an input error."""
    text = str(value).strip()
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^\s:/\[\]@]+)(?::(\d+))?", text)
    port_text = (m[2] or m[4]) if m else None
    port = int(port_text) if port_text else 25
    if m is None or not 0 < port < 65536:
        raise InputError(
            f"--smtp {value!r} is not host:port; give the mail server as e.g. "
            "smtp.example.org:587 (port 1-65535)"
        )
    return str(m[1] or m[3]), port


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text}".strip()


def send_email(
    message: EmailMessage,
    host: str,
    port: int,
    *,
    user: str | None = None,
    password: str | None = None,
    cafile: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
) -> list[str]:
    """Send ``message`` through the SMTP server ``host:port`` and return the recipients it
    refused (the others got it).

    Port 465 speaks TLS from the start; on any other port the connection is upgraded with
    STARTTLS when the server offers it (certificates checked against the system's CAs, or
    ``cafile``).  The client logs in when the server offers AUTH and ``user`` and
    ``password`` are given — never over an unencrypted connection to another machine.
    Nothing is logged; an error says what failed and never contains the password:
    :class:`~accordwatch.errors.NetworkError` when the server cannot be reached or
    answers with an error, :class:`~accordwatch.errors.InputError` when it refuses the
    login, the sender or every recipient.
    """
    where = f"{host}:{port}"
    try:
        context = ssl.create_default_context(cafile=None if cafile is None else str(cafile))
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"cannot read the CA file {cafile} ({exc})") from None
    try:
        server = (
            smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            if port == 465
            else smtplib.SMTP(host, port, timeout=timeout)
        )
    except ssl.SSLError as exc:  # port 465: TLS from the start
        raise _tls_failed(where, exc) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NetworkError(
            f"cannot reach the mail server {where} ({_os_reason(exc)}); check --smtp and that "
            "the server runs (nothing was sent)"
        ) from None
    try:
        with server:
            server.set_debuglevel(0)  # never echo the dialogue (it carries the login)
            server.ehlo()
            secure = port == 465
            if not secure and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
                secure = True
            if server.has_extn("auth") and (user or password):
                if not (user and password):
                    missing = PASSWORD_VAR if user else USER_VAR
                    raise InputError(
                        f"the mail server {where} asks for a login but ${missing} is not set; "
                        f"set both ${USER_VAR} and ${PASSWORD_VAR} (nothing was sent)"
                    )
                if not secure and not _loopback(host):
                    raise InputError(
                        f"the mail server {where} offers no STARTTLS: the password would cross "
                        "the network unencrypted, so accordwatch does not log in (nothing was "
                        "sent); use the server's TLS port (465 or 587)"
                    )
                try:
                    server.login(user, password)
                except smtplib.SMTPAuthenticationError as exc:
                    raise InputError(
                        f"the mail server {where} refused the login of {user} ({_reply(exc)}); "
                        f"check ${USER_VAR} and ${PASSWORD_VAR} (nothing was sent)"
                    ) from None
            refused = server.send_message(message)
    except InputError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        raise InputError(
            f"the mail server {where} refused every recipient "
            f"({', '.join(sorted(exc.recipients))}); check --to (nothing was sent)"
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        hint = (
            f"it asks for a login: set ${USER_VAR} and ${PASSWORD_VAR}"
            if exc.smtp_code == 530
            else "check --from"
        )
        raise InputError(
            f"the mail server {where} refused the sender {exc.sender} ({_reply(exc)}); "
            f"{hint} (nothing was sent)"
        ) from None
    except smtplib.SMTPResponseException as exc:
        hint = (
            f"; it asks for a login: set ${USER_VAR} and ${PASSWORD_VAR}"
            if exc.smtp_code == 530
            else ""
        )
        raise NetworkError(
            f"the mail server {where} answered {_reply(exc)}{hint} (nothing was sent)"
        ) from None
    except ssl.SSLError as exc:
        raise _tls_failed(where, exc) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NetworkError(
            f"the mail server {where} failed ({_os_reason(exc)}); nothing was sent"
        ) from None
    return sorted(refused)


def _tls_failed(where: str, exc: ssl.SSLError) -> NetworkError:
    return NetworkError(
        f"the TLS connection to the mail server {where} failed ({exc.reason or exc}); for a "
        "server with its own certificate authority give --smtp-cafile (nothing was sent)"
    )


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__


# -- the whole run --------------------------------------------------------------------------
def _sender(sender: str | None, user: str | None) -> str:
    if sender:
        return sender
    env = os.environ.get(SENDER_VAR, "").strip()
    if env:
        return env
    if user and "@" in user:
        return user
    return DEFAULT_SENDER


def run_digest(
    db: DB = None,
    *,
    since: str | dt.date | None = "last",
    out: str | os.PathLike[str] | None = None,
    atom: str | os.PathLike[str] | None = None,
    smtp: str | None = None,
    to: Sequence[str] = (),
    sender: str | None = None,
    user: str | None = None,
    password: str | None = None,
    cafile: str | os.PathLike[str] | None = None,
    feed_url: str | None = None,
    empty: bool = False,
    mark: bool = True,
    limit: int = 50,
    alerts: bool = True,
) -> DigestRun:
    """Make the digest since ``since``, write it (``out``: Markdown, ``atom``: the feed),
    mail it (``smtp`` ``host:port`` to the addresses ``to``, from ``sender``), then record
    the mark (unless ``mark=False``) so that the next digest starts where this one ended.

    When nothing changed, nothing is written, sent or recorded (``nothing_new``) unless
    ``empty``.  ``user`` and ``password`` default to $ACCORDWATCH_SMTP_USER and
    $ACCORDWATCH_SMTP_PASSWORD, ``sender`` to $ACCORDWATCH_SMTP_FROM.  Files are written
    atomically before the mail goes out; if sending fails, the error says why and the mark
    stays where it was (the next run makes the same digest, and more).
    """
    recipients = [a.strip() for t in to for a in str(t).split(",") if a.strip()]
    server = parse_smtp(smtp) if smtp is not None else None
    if server is not None and not recipients:
        raise InputError("--smtp needs at least one --to address")
    if recipients and server is None:
        raise InputError("--to needs the mail server: give --smtp host:port")
    for r in recipients:
        parse_address(r)
    user = user if user is not None else (os.environ.get(USER_VAR) or None)
    password = password if password is not None else (os.environ.get(PASSWORD_VAR) or None)
    from_addr = parse_address(_sender(sender, user), option="--from") if server else ""
    store = store_path(db)
    targets = [(Path(p), opt) for p, opt in ((out, "--out"), (atom, "--atom")) if p is not None]
    for path, option in targets:
        check_out(path, store=store, option=option)
    if out is not None and atom is not None and Path(out).resolve() == Path(atom).resolve():
        raise InputError(f"--out and --atom are the same file {out}; give two names")

    d = make_digest(db, since=since, limit=limit, alerts=alerts)
    if d.empty and not empty:
        return DigestRun(digest=d, nothing_new=True)
    markdown = to_markdown(d)
    run = DigestRun(digest=d, markdown=markdown)
    if out is not None:
        run.written.append(str(write_atomic(out, markdown)))
    if atom is not None:
        earlier = _collect.recent_digests(db)
        run.written.append(str(write_atomic(atom, atom_feed(d, earlier, feed_url=feed_url))))
    if server is not None:
        msg = email_message(d, sender=from_addr, to=recipients)
        run.refused = send_email(
            msg, server[0], server[1], user=user, password=password, cafile=cafile
        )
        run.sent_to = [r for r in recipients if parseaddr(r)[1] not in run.refused]
    if mark:
        run.recorded = _collect.record_digest(
            db,
            made_at=d.made_at,
            window=d.window,
            last_run_id=d.last_run_id,
            last_assessment_id=d.last_assessment_id,
            counts=d.counts,
            seen=d.seen,
            title=d.title,
            markdown=markdown,
            html=to_html(d, document=False),
            sent_to=run.sent_to,
            outputs=run.written,
        )
    return run
