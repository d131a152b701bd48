"""What changed in the store since the last digest, and the digest marks.

A digest lists what changed in a window that starts where the previous digest ended:

* **loads** — the ingest runs after the last run the previous digest covered;
* **new events** — events none of whose versions a run up to that one loaded (events
  accepted from the review queue among them, shown apart as *reviewed from text*);
* **revised events** — events a later run changed, with every field that differs from the
  version current then (before, after);
* **new assessments** — assessments recorded after the last one the previous digest covered;
* **milestones**, **accord status** and **alerts** — the store records no time for them, so
  each digest keeps what it saw (in ``digest_items``) and the next one lists what differs:
  milestones it did not see, agreements whose status (in force, suspended, terminated, from
  the milestones of kind ``suspension``, ``resumption`` and ``termination``) changed, and
  alerts of the data's latest month it did not list.  Alerts are the rule-based checks of
  :func:`accordwatch.forecast.alerts` (the ``conflictology`` model: no fitting) on the
  stored VIEWS country-month series and on the state-based deaths of the stored events per
  country and month.

Where the window starts (``since``):

* ``"last"`` (the default) — where the last recorded digest ended.  With no digest yet: the
  last :data:`FIRST_DAYS` days, not counting the bundled default the store was seeded with
  (the window starts after the seeding when that is later); milestones dated before the
  window's first day count as seen, and every current alert is new;
* a date — the runs started and assessments recorded on or after that day; milestones and
  alerts are compared with the last digest made before that day (or, with none, as for a
  first digest from that day).

:func:`collect_digest` reads the changes (one consistent snapshot of the store) and
:func:`record_digest` stores the mark once the digest was written and sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ._store import DB, using

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "FIRST_DAYS",
    "STATUS_KINDS",
    "Window",
    "collect_digest",
    "digest_history",
    "parse_since",
    "record_digest",
    "recent_digests",
]

#: with no digest yet, the first one covers this many days (after the seeding, if later)
FIRST_DAYS = 30
#: milestone kinds that change an agreement's status, and the status they leave it in
STATUS_KINDS: dict[str, str] = {
    "suspension": "suspended",
    "resumption": "in force",
    "termination": "terminated",
}
_SERIES = {
    "views": "VIEWS country-month series (UCDP GED state-based deaths)",
    "events": "state-based deaths of the stored events",
}


@dataclass(frozen=True)
class Window:
    """Where a digest's window starts.

    ``label`` says it in words; ``after_run`` and ``after_assessment`` are the last ingest
    run and assessment before it; ``previous`` is the digest whose items (``seen``) the
    milestones, statuses and alerts are compared with — or None, and then milestones dated
    before ``dated_before`` count as seen and no alert does.
    """

    label: str
    after_run: int
    after_assessment: int
    previous: int | None = None
    seen: tuple[tuple[str, str, str | None], ...] = ()
    dated_before: dt.date | None = None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def parse_since(since: str | dt.date | None, *, today: dt.date | None = None) -> str | dt.date:
    """``"last"`` (also for None or ""), or the first day of a date given as YYYY-MM-DD,
    YYYY-MM or YYYY; a date in the future is an input error."""
    if since is None or (isinstance(since, str) and since.strip().lower() in ("", "last")):
        return "last"
    if isinstance(since, dt.datetime):
        day = since.date()
    elif isinstance(since, dt.date):
        day = since
    else:
        text = str(since).strip()
        m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
        try:
            if m is None:
                raise ValueError(text)
            day = dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
        except ValueError:
            raise InputError(
                f"--since {since!r} is neither 'last' nor a date; use last, YYYY-MM-DD, "
                "YYYY-MM or YYYY"
            ) from None
    if day > (today or dt.date.today()):
        raise InputError(f"--since {day.isoformat()} is in the future; give a past date or last")
    return day


def _seeded_at(store: Store) -> dt.datetime | None:
    """When the store was seeded with the bundled default (UTC), or None."""
    value = store.get_meta("seeded_at")
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None  # "never (created empty)" or unset
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def _window(store: Store, since: str | dt.date, now: dt.datetime) -> Window:
    if since == "last":
        prev = store.digest_mark()
        if prev is not None:
            n = int(prev["digest_id"])
            return Window(
                label=f"digest {n} of {prev['created_at']:%Y-%m-%d %H:%M} UTC",
                after_run=int(prev["last_run_id"]),
                after_assessment=int(prev["last_assessment_id"]),
                previous=n,
                seen=tuple(store.digest_items(n)),
            )
        start = now.date() - dt.timedelta(days=FIRST_DAYS)
        run = store.last_run_id(before=start)
        assessment = store.last_assessment_id(before=start)
        seeded, seed_run = _seeded_at(store), store.last_seed_run_id()
        if seeded is not None and seed_run > run:  # seeded since: the bundled data is no news
            return Window(
                label=f"the store's seeding on {seeded:%Y-%m-%d %H:%M} UTC (no digest yet)",
                after_run=seed_run,
                after_assessment=max(assessment, store.last_assessment_id(until=seeded)),
                dated_before=max(start, seeded.date()),
            )
        label = f"{start.isoformat()} (the last {FIRST_DAYS} days; no digest yet)"
        return Window(label, run, assessment, dated_before=start)
    assert isinstance(since, dt.date)
    before = store.digest_mark(before=dt.datetime.combine(since, dt.time()))
    label = since.isoformat()
    run = store.last_run_id(before=since)
    assessment = store.last_assessment_id(before=since)
    if before is None:
        return Window(label, run, assessment, dated_before=since)
    n = int(before["digest_id"])
    return Window(label, run, assessment, previous=n, seen=tuple(store.digest_items(n)))


# -- milestones and status ------------------------------------------------------------------
def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _milestone_key(m: dict[str, Any]) -> str:
    day = _day(m["date"])
    return f"{m['agreement_id']}|{day.isoformat() if day else ''}|{m['kind']}|{m['description']}"


def _statuses(
    milestones: list[dict[str, Any]], *, dated_before: dt.date | None = None
) -> dict[int, dict[str, Any]]:
    """Agreement id → its status and the milestone that set it, for every agreement not in
    force: the last status milestone decides, and a termination is final."""
    found: dict[int, dict[str, Any]] = {}
    for m in milestones:  # by date
        kind = str(m["kind"])
        if kind not in STATUS_KINDS:
            continue
        day = _day(m["date"])
        if dated_before is not None and day is not None and day >= dated_before:
            continue
        aid = int(m["agreement_id"])
        if found.get(aid, {}).get("status") == "terminated":
            continue
        found[aid] = {"status": STATUS_KINDS[kind], "milestone": m}
    return {a: s for a, s in found.items() if s["status"] != "in force"}


def _milestones_and_status(
    store: Store, window: Window
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, str, str | None]]]:
    """The milestones the window's digest did not see, the status changes, and what this
    digest sees of both."""
    every = store.all_milestones()
    for m in every:
        m["date"] = _day(m["date"])
    now_status = _statuses(every)
    if window.previous is not None:
        seen_keys = {k for kind, k, _ in window.seen if kind == "milestone"}
        then = {int(k): str(d) for kind, k, d in window.seen if kind == "status"}
        new = [m for m in every if _milestone_key(m) not in seen_keys]
    else:
        cut = window.dated_before
        new = [m for m in every if cut is None or (m["date"] is not None and m["date"] >= cut)]
        then = {a: s["status"] for a, s in _statuses(every, dated_before=cut).items()}
    names = {int(m["agreement_id"]): m.get("agreement") for m in every}
    changes = []
    for aid in sorted(set(then) | set(now_status)):
        before = then.get(aid, "in force")
        after = now_status.get(aid, {}).get("status", "in force")
        if before == after:
            continue
        m = now_status.get(aid, {}).get("milestone") or {}
        changes.append(
            {
                "agreement_id": aid,
                "agreement": names.get(aid),
                "before": before,
                "after": after,
                "date": m.get("date"),
                "precision": m.get("precision"),
                "by": m.get("actors"),
                "description": m.get("description"),
                "source": m.get("source"),
            }
        )
    items: list[tuple[str, str, str | None]] = [
        ("milestone", _milestone_key(m), None) for m in every
    ]
    items += [("status", str(a), s["status"]) for a, s in now_status.items()]
    return new, changes, items


# -- alerts ---------------------------------------------------------------------------------
def _alerts(store: Store) -> tuple[list[dict[str, Any]], list[str]]:
    """The alerts of the latest month of each stored series, and notes on series that could
    not be checked."""
    from ..forecast import alerts, series_from_events
    from ..forecast._data import views_to_panel

    found: list[dict[str, Any]] = []
    notes: list[str] = []
    views = store.views_country_months()
    events = store.state_based_country_months()
    panels = []
    try:
        if len(views):
            panels.append(("views", views_to_panel(views, source=_SERIES["views"])))
        if len(events):
            panels.append(("events", series_from_events(events, "country", type_of_violence=1)))
    except InputError as exc:
        notes.append(f"alerts not checked: {exc}")
    for series, panel in panels:
        try:
            frame = alerts(panel, model="conflictology")
        except InputError as exc:
            notes.append(f"alerts on the {_SERIES[series]} not checked: {exc}")
            continue
        for r in frame.to_dict(orient="records"):
            found.append(
                {
                    "key": f"{series}:{int(r['unit_id'])}:{r['month']}",
                    "series": _SERIES[series],
                    "unit_id": int(r["unit_id"]),
                    "unit": str(r["unit"]),
                    "month": str(r["month"]),
                    "deaths": float(r["deaths"]),
                    "score": float(r["score"]),
                    "checks": str(r["checks"]),
                    "reason": str(r["reason"]),
                }
            )
    return found, notes


# -- the digest -----------------------------------------------------------------------------
def _feed_id(store: Store) -> str:
    """The tag: URI of the store's digest feed: the day the store was made and a digest of
    that moment (stable when the file is moved or copied)."""
    made = store.store_created()
    day = made.date().isoformat() if made is not None else "2026-01-01"
    digest = hashlib.sha256(str(made).encode()).hexdigest()[:12]
    return f"tag:accordwatch,{day}:store-{digest}/digest"


def collect_digest(
    db: DB = None,
    *,
    since: str | dt.date | None = "last",
    limit: int = 50,
    alerts: bool = True,
) -> dict[str, Any]:
    """What changed in the store since ``since`` (see the module text), as the fields of
    :class:`accordwatch.brief.Digest`: at most ``limit`` events in each list (the counts
    are complete); ``alerts=False`` skips the alert checks (their items are then carried
    over from the previous digest unchanged)."""
    if limit < 1:
        raise InputError(f"--limit must be at least 1 (got {limit})")
    start = parse_since(since)
    now = _utc_now()
    with using(db) as store, store.snapshot():
        window = _window(store, start, now)
        run, assessment = window.after_run, window.after_assessment
        counts = store.new_event_counts(run)
        revised = store.revised_event_counts(run)
        milestones, status_changes, items = _milestones_and_status(store, window)
        if alerts:
            current, notes = _alerts(store)
            seen = {k for kind, k, _ in window.seen if kind == "alert"}
            new_alerts = [a for a in current if a["key"] not in seen]
            items += [("alert", a["key"], a["reason"]) for a in current]
        else:
            new_alerts, notes = [], ["alerts not checked (--no-alerts)"]
            items += [i for i in window.seen if i[0] == "alert"]
        found = {
            "store": store.path,
            "made_at": now,
            "window": window.label,
            "previous": window.previous,
            "number": (store.digest_mark() or {"digest_id": 0})["digest_id"] + 1,
            "feed_id": _feed_id(store),
            "runs": store.runs_after(run),
            "new_event_counts": counts,
            "new_events_total": sum(int(c["events"]) for c in counts),
            "new_events": store.new_events(run, limit=limit, text=False),
            "reviewed_events": store.new_events(run, limit=limit, text=True),
            "revised_total": revised.pop("events", 0),
            "revised_fields": revised,
            "revised_events": store.revised_events(run, limit=limit),
            "assessments": _labelled(store.assessments_after(assessment)),
            "milestones": milestones,
            "status_changes": status_changes,
            "alerts": new_alerts,
            "notes": notes,
            "limit": limit,
            "last_run_id": store.last_run_id(),
            "last_assessment_id": store.last_assessment_id(),
            "seen": items,
        }
    return found


def _labelled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from ..accords._model import SCORE_LABELS

    for r in rows:
        r["label"] = SCORE_LABELS.get(str(r["score"]), str(r["score"]))
    return rows


def record_digest(
    db: DB = None,
    *,
    made_at: dt.datetime,
    window: str,
    last_run_id: int,
    last_assessment_id: int,
    counts: dict[str, int],
    seen: Sequence[tuple[str, str, str | None]],
    title: str,
    markdown: str,
    html: str,
    sent_to: Sequence[str] = (),
    outputs: Sequence[str] = (),
) -> int:
    """Store the mark of a digest that was written or sent — the next digest (``since
    "last"``) starts where it ended — with what it saw; one transaction.  Returns its
    number."""
    mark = {
        "created_at": made_at,
        "window_start": window,
        "last_run_id": int(last_run_id),
        "last_assessment_id": int(last_assessment_id),
        "changes": int(sum(counts.values())),
        "counts": json.dumps(counts, sort_keys=True),
        "sent_to": "; ".join(sent_to) or None,
        "outputs": "; ".join(outputs) or None,
        "title": title,
        "body_markdown": markdown,
        "body_html": html,
    }
    with using(db, write=True) as store:
        return store.record_digest(mark, seen)


def recent_digests(db: DB = None, *, limit: int = 20) -> list[dict[str, Any]]:
    """The last ``limit`` recorded digests, newest first, with their title and bodies (what
    the Atom feed repeats)."""
    with using(db) as store:
        return store.digest_marks(limit)


def digest_history(db: DB = None) -> list[dict[str, Any]]:
    """Every recorded digest, newest first: number, made (UTC), window start, changes (and
    by section), sent to, written to."""
    with using(db) as store:
        marks = store.digest_marks()
    return [
        {
            "digest": int(m["digest_id"]),
            "made": m["created_at"],
            "since": m["window_start"],
            "changes": int(m["changes"]),
            "by_section": json.loads(m["counts"]),
            "sent_to": m["sent_to"],
            "written_to": m["outputs"],
        }
        for m in marks
    ]
