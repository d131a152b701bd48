"""The review queue: every SQL statement behind ``accordwatch review``.

Extracted events wait in ``review_candidates`` until a person decides:

* **accept** — the candidate becomes an event (source ``text:<doc id>``, the
  document's title, URL and publication date, the evidence sentence), written with
  :func:`~accordwatch.store.ingest_batches` in the same transaction as the decision.
  A candidate flagged as a duplicate of a stored event is linked to it instead
  (status ``duplicate``) unless the reviewer says it is a different event.
* **edit** — fields change (checked by :func:`accordwatch.extract.review_rules.check_edits`);
* **reject** — kept, with the reason.

Every change is one transaction and is logged in ``review_log``.

>>> import accordwatch.extract as ex
>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     r = ex.extract_text("In early May, CMA and army units fought each other at Ber.",
...                         published="2023-10-05")
...     ids = queue_result(st, r)
...     accept_candidate(st, ids[0])["status"]
'accepted'
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NotFound
from .db import Store
from .ingest import ingest_batches
from .queries import EventFilter, select_events
from .schema import rows_to_table

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "STATUSES",
    "accept_candidate",
    "edit_candidate",
    "get_candidate",
    "list_candidates",
    "queue_result",
    "reject_candidate",
]

STATUSES = ("pending", "accepted", "rejected", "duplicate")
_LIST_COLUMNS = [
    "candidate_id",
    "status",
    "doc_id",
    "event_date",
    "place",
    "admin1",
    "event_type",
    "actors",
    "fatalities",
    "confidence",
    "duplicate_of",
    "reason",
    "evidence",
]


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _run(store: Store, sql: str, params: list[Any]) -> None:
    """Execute a write and drain its result (DuckDB refuses new work on an unfinished one)."""
    store._con.execute(sql, params).fetchall()


def _log(store: Store, cid: int, action: str, detail: str | None) -> None:
    _run(store, "INSERT INTO review_log VALUES (?, ?, ?, ?)", [cid, _now(), action, detail])


def _nearby_events(store: Store, event_date: str | None) -> pd.DataFrame:
    import pandas as pd

    from ..extract.review_rules import date_range

    if not event_date:
        return pd.DataFrame()
    first, last, _ = date_range(event_date)
    flt = EventFilter(since=first - dt.timedelta(days=40), until=last + dt.timedelta(days=3))
    return select_events(
        store,
        flt,
        columns=[
            "source",
            "source_event_id",
            "date_start",
            "date_end",
            "latitude",
            "longitude",
            "where_description",
            "side_a",
            "side_b",
            "actors",
        ],
    )


def _flag(store: Store, cand: dict[str, Any]) -> tuple[str | None, str | None]:
    from ..extract.review_rules import find_duplicates

    others = _nearby_events(store, cand.get("event_date"))
    own = f"{cand.get('event_source')}|{cand.get('event_id')}"
    dups = [d for d in find_duplicates(cand, others) if f"{d[0]}|{d[1]}" != own]
    if not dups:
        return None, None
    src, eid, why = dups[0]
    return f"{src}|{eid}", why


def queue_result(store: Store, result: Any) -> list[int]:
    """Put the events of an :class:`~accordwatch.extract.ExtractionResult` in the queue.

    Returns the candidate ids, new or already queued (re-queuing the same document
    adds nothing).  Each candidate is checked for duplicates among stored events.
    """
    docs = {d.doc_id: d for d in result.documents}
    ids: list[int] = []
    with store.transaction() as con:
        for d in docs.values():
            _run(
                store,
                "INSERT INTO review_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [d.doc_id, d.title, d.url, d.published, d.lang, d.path, d.sha256, _now()],
            )
        for ev in result.events:
            if ev.doc_id not in docs:
                raise InputError(f"event of unknown document {ev.doc_id!r}; queue whole results")
            row = con.execute(
                "SELECT candidate_id FROM review_candidates WHERE doc_id = ? AND evidence_start "
                "IS NOT DISTINCT FROM ? AND event_type = ?",
                [ev.doc_id, ev.evidence_start, ev.type],
            ).fetchall()
            if row:
                ids.append(int(row[0][0]))
                continue
            nxt = con.execute(
                "SELECT coalesce(max(candidate_id), 0) + 1 FROM review_candidates"
            ).fetchall()
            cid = int(nxt[0][0])
            cand = {
                "event_date": ev.date,
                "place": ev.place,
                "latitude": ev.latitude,
                "longitude": ev.longitude,
                "actors": "; ".join(ev.actors),
                "actor_ids": "; ".join(ev.actor_ids),
            }
            dup, note = _flag(store, cand)
            _run(
                store,
                "INSERT INTO review_candidates (candidate_id, doc_id, status, event_date, date_precision, "
                "place, admin1, latitude, longitude, location_precision, actors, actor_ids, event_type, "
                "fatalities, evidence, evidence_start, evidence_end, confidence, duplicate_of, "
                "duplicate_note, created_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?)",
                [
                    cid,
                    ev.doc_id,
                    ev.date,
                    ev.date_precision,
                    ev.place,
                    ev.admin1,
                    ev.latitude,
                    ev.longitude,
                    ev.location_precision,
                    cand["actors"] or None,
                    cand["actor_ids"] or None,
                    ev.type,
                    ev.fatalities,
                    ev.evidence,
                    ev.evidence_start,
                    ev.evidence_end,
                    ev.confidence,
                    dup,
                    note,
                    _now(),
                ],
            )
            _log(
                store,
                cid,
                "queued",
                f"confidence {ev.confidence}" + (f"; duplicate of {dup}" if dup else ""),
            )
            ids.append(cid)
    return ids


def list_candidates(
    store: Store, *, status: str | None = "pending", doc_id: str | None = None
) -> pd.DataFrame:
    """Candidates (``status=None`` for all), oldest first."""
    if status is not None and status not in STATUSES:
        raise InputError(f"status {status!r} unknown; use one of {', '.join(STATUSES)} or all")
    sql = f"SELECT {', '.join(_LIST_COLUMNS)} FROM review_candidates WHERE TRUE"  # noqa: S608
    params: list[Any] = []
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    if doc_id is not None:
        sql += " AND doc_id = ?"
        params.append(doc_id)
    return store.query(sql + " ORDER BY candidate_id", params)


def get_candidate(store: Store, candidate_id: int) -> dict[str, Any]:
    """One candidate with its document, as a dict; NotFound if there is none."""
    import pandas as pd

    df = store.query(
        "SELECT c.*, d.title, d.url, d.published, d.lang, d.path FROM review_candidates c "
        "LEFT JOIN review_documents d USING (doc_id) WHERE candidate_id = ?",
        [candidate_id],
    )
    if df.empty:
        raise NotFound(
            f"no review candidate {candidate_id}; see `accordwatch review list --status all`"
        )
    rec = df.astype(object).where(pd.notna(df), None).iloc[0].to_dict()
    return rec


def _pending(store: Store, candidate_id: int) -> dict[str, Any]:
    cand = get_candidate(store, candidate_id)
    if cand["status"] != "pending":
        raise InputError(
            f"candidate {candidate_id} is already {cand['status']}; only pending "
            "candidates can be edited, accepted or rejected"
        )
    return cand


def edit_candidate(store: Store, candidate_id: int, **changes: Any) -> dict[str, Any]:
    """Change fields of a pending candidate; re-checks it for duplicates."""
    from ..extract.review_rules import check_edits

    clean = check_edits(changes)
    if not clean:
        raise InputError("nothing to change; give at least one field to edit")
    with store.transaction():
        cand = _pending(store, candidate_id)
        cand.update(clean)
        dup, note = _flag(store, cand)
        clean.update(duplicate_of=dup, duplicate_note=note)
        sets = ", ".join(f"{k} = ?" for k in clean)
        _run(
            store,
            f"UPDATE review_candidates SET {sets} WHERE candidate_id = ?",  # noqa: S608
            [*clean.values(), candidate_id],
        )
        _log(store, candidate_id, "edited", "; ".join(f"{k}={v}" for k, v in clean.items()))
    return get_candidate(store, candidate_id)


def reject_candidate(store: Store, candidate_id: int, reason: str) -> dict[str, Any]:
    """Reject a pending candidate; it stays in the queue with ``reason``."""
    if not reason or not reason.strip():
        raise InputError("say why the candidate is rejected (--reason 'background, not news')")
    with store.transaction():
        _pending(store, candidate_id)
        _run(
            store,
            "UPDATE review_candidates SET status = 'rejected', reason = ?, decided_at = ? "
            "WHERE candidate_id = ?",
            [reason.strip(), _now(), candidate_id],
        )
        _log(store, candidate_id, "rejected", reason.strip())
    return get_candidate(store, candidate_id)


def accept_candidate(
    store: Store, candidate_id: int, *, not_duplicate: bool = False
) -> dict[str, Any]:
    """Accept a pending candidate: it becomes an event, or is linked to its duplicate.

    A candidate without a date cannot enter the store: edit it first.
    """
    from ..extract.review_rules import event_row
    from ..sources import Batch

    with store.transaction():
        cand = _pending(store, candidate_id)
        dup, note = (None, None) if not_duplicate else _flag(store, cand)
        if dup:
            _run(
                store,
                "UPDATE review_candidates SET status = 'duplicate', duplicate_of = ?, "
                "duplicate_note = ?, decided_at = ? WHERE candidate_id = ?",
                [dup, note, _now(), candidate_id],
            )
            _log(store, candidate_id, "duplicate", f"linked to {dup}; not stored twice")
            return get_candidate(store, candidate_id)
        if not cand.get("event_date"):
            raise InputError(
                f"candidate {candidate_id} has no date; set one first "
                f"(accordwatch review edit {candidate_id} --date YYYY-MM)"
            )
        doc = {
            "doc_id": cand["doc_id"],
            "title": cand.get("title"),
            "url": cand.get("url"),
            "published": cand.get("published"),
        }
        row = event_row(cand, doc)
        batch = Batch(
            file=row["source"], source=row["source"], table=rows_to_table([row]), rows_read=1
        )
        ingest_batches(store, [batch], kind="review")
        _run(
            store,
            "UPDATE review_candidates SET status = 'accepted', event_source = ?, event_id = ?, "
            "duplicate_of = NULL, decided_at = ? WHERE candidate_id = ?",
            [row["source"], row["source_event_id"], _now(), candidate_id],
        )
        _log(store, candidate_id, "accepted", f"{row['source']}|{row['source_event_id']}")
    return get_candidate(store, candidate_id)
