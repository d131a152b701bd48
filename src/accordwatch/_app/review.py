"""The review queue: events extracted from text wait here until a person decides.

* **queue** — the events of an extraction result become pending candidates, each checked
  for duplicates among stored events (:func:`accordwatch.extract.review_rules.find_duplicates`);
* **accept** — the candidate becomes an event (source ``text:<doc id>``, the document's title,
  URL and publication date, the evidence sentence), written with
  :func:`~accordwatch.store.ingest_batches` in the same transaction as the decision.  A
  candidate flagged as a duplicate of a stored event is linked to it instead (status
  ``duplicate``) unless the reviewer says it is a different event;
* **edit** — fields change (checked by :func:`accordwatch.extract.review_rules.check_edits`);
* **reject** — kept, with the reason.

Each function is one unit of work on the store ``db`` (a path, an open Store, or None for
the default): reads open it read-only, every change is one transaction, logged in the
review log with the reviewer who made it (when one is given).

>>> import accordwatch as aw
>>> from accordwatch.extract import extract_text
>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     r = extract_text("In early May, CMA and army units fought each other at Ber.",
...                      published="2023-10-05")
...     ids = aw.queue_extraction(r, db=st)
...     c = aw.review_accept(ids[0], db=st, reviewer="analyst")
...     c["status"], c["event_source"] == f"text:{r.documents[0].doc_id}"
('accepted', True)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NotFound
from ._store import DB, using

if TYPE_CHECKING:  # pandas and the extractor load when a function needs them (fast start-up)
    import pandas as pd

    from ..extract import ExtractionResult
    from ..store import Store

__all__ = [
    "STATUSES",
    "queue_extraction",
    "review_accept",
    "review_edit",
    "review_list",
    "review_reject",
    "review_show",
]

#: the states of a candidate; only ``pending`` ones can be edited, accepted or rejected
STATUSES = ("pending", "accepted", "rejected", "duplicate")
#: how far around a candidate's dates stored events are read for the duplicate check
_BEFORE, _AFTER = dt.timedelta(days=40), dt.timedelta(days=3)


def _by(detail: str | None, reviewer: str | None) -> str | None:
    """A log detail with the reviewer who made the change, if one is named."""
    if reviewer is None:
        return detail
    return f"{detail}; by {reviewer}" if detail else f"by {reviewer}"


def _reviewer(reviewer: str | None) -> str | None:
    if reviewer is None:
        return None
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise InputError("reviewer must be a non-empty name (or None)")
    return reviewer.strip()


def _flag(store: Store, cand: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(source|event id, why)`` of the stored event ``cand`` duplicates, or ``(None, None)``;
    the candidate's own stored event (once accepted) does not count."""
    from ..extract.review_rules import date_range, find_duplicates

    if not cand.get("event_date"):
        return None, None
    first, last, _ = date_range(str(cand["event_date"]))
    others = store.events_starting_between(first - _BEFORE, last + _AFTER)
    own = f"{cand.get('event_source')}|{cand.get('event_id')}"
    dups = [d for d in find_duplicates(cand, others) if f"{d[0]}|{d[1]}" != own]
    if not dups:
        return None, None
    src, eid, why = dups[0]
    return f"{src}|{eid}", why


def _candidate(store: Store, candidate_id: int) -> dict[str, Any]:
    cand = store.review_candidate(candidate_id)
    if cand is None:
        raise NotFound(
            f"no review candidate {candidate_id}; see `accordwatch review list --status all`"
        )
    cand["log"] = store.review_history(candidate_id)
    return cand


def _pending(store: Store, candidate_id: int) -> dict[str, Any]:
    cand = _candidate(store, candidate_id)
    if cand["status"] != "pending":
        raise InputError(
            f"candidate {candidate_id} is already {cand['status']}; only pending "
            "candidates can be edited, accepted or rejected"
        )
    return cand


def queue_extraction(result: ExtractionResult, *, db: DB = None) -> list[int]:
    """Put the events of an :class:`~accordwatch.extract.ExtractionResult` in the review queue.

    Returns the candidate ids, new or already queued (re-queuing the same document adds
    nothing).  Each new candidate is checked for duplicates among stored events.  One
    transaction: a result with an event of a document it does not carry queues nothing.
    """
    docs = {d.doc_id: d for d in result.documents}
    ids: list[int] = []
    with using(db, write=True) as store, store.transaction():
        for d in docs.values():
            store.add_review_document(
                {
                    "doc_id": d.doc_id,
                    "title": d.title,
                    "url": d.url,
                    "published": d.published,
                    "lang": d.lang,
                    "path": d.path,
                    "sha256": d.sha256,
                }
            )
        for ev in result.events:
            if ev.doc_id not in docs:
                raise InputError(f"event of unknown document {ev.doc_id!r}; queue whole results")
            known = store.find_review_candidate(ev.doc_id, ev.evidence_start, ev.type)
            if known is not None:
                ids.append(known)
                continue
            cand: dict[str, Any] = {
                "doc_id": ev.doc_id,
                "event_date": ev.date,
                "date_precision": ev.date_precision,
                "place": ev.place,
                "admin1": ev.admin1,
                "latitude": ev.latitude,
                "longitude": ev.longitude,
                "location_precision": ev.location_precision,
                "actors": "; ".join(ev.actors) or None,
                "actor_ids": "; ".join(ev.actor_ids) or None,
                "event_type": ev.type,
                "fatalities": ev.fatalities,
                "evidence": ev.evidence,
                "evidence_start": ev.evidence_start,
                "evidence_end": ev.evidence_end,
                "confidence": ev.confidence,
            }
            dup, note = _flag(store, cand)
            cid = store.add_review_candidate({**cand, "duplicate_of": dup, "duplicate_note": note})
            store.log_review(
                cid,
                "queued",
                f"confidence {ev.confidence}" + (f"; duplicate of {dup}" if dup else ""),
            )
            ids.append(cid)
        if result.claims:
            from .claims import queue_claims

            ids += queue_claims(store, result, ids)
    return ids


def review_list(
    *,
    db: DB = None,
    status: str | None = "pending",
    doc_id: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Review candidates with ``status`` (``None`` or ``"all"`` for every status), optionally
    from one document, oldest first, at most ``limit`` of them.  Opens the store read-only."""
    if status == "all":
        status = None
    if status is not None and status not in STATUSES:
        raise InputError(f"status {status!r} unknown; use one of {', '.join(STATUSES)} or all")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InputError(f"limit must be a whole number ≥ 0, not {limit!r}")
    with using(db) as store:
        return store.review_candidates(status=status, doc_id=doc_id, limit=limit)


def review_show(candidate_id: int, *, db: DB = None) -> dict[str, Any]:
    """One candidate with its document (title, url, published, lang, path) and its review
    ``log`` (``logged_at``, ``action``, ``detail`` of each change), as a dict; NotFound if there
    is none.  Opens the store read-only."""
    with using(db) as store:
        return _candidate(store, candidate_id)


def review_accept(
    candidate_id: int,
    *,
    db: DB = None,
    reviewer: str | None = None,
    not_duplicate: bool = False,
) -> dict[str, Any]:
    """Accept a pending candidate: it becomes an event, or — when it looks like a stored
    event and ``not_duplicate`` is false — is linked to that event (status ``duplicate``).

    One transaction: the event and the decision are written together or not at all.  A
    candidate without a date cannot enter the store: edit it first.  Returns the candidate
    as :func:`review_show` does.
    """
    from ..extract.review_rules import event_row
    from ..sources import Batch
    from ..store import ingest_batches
    from ..store.schema import rows_to_table

    who = _reviewer(reviewer)
    with using(db, write=True) as store:
        with store.transaction():
            cand = _pending(store, candidate_id)
            if cand.get("event_type") == "claim":
                from .claims import accept_claim

                accept_claim(store, cand, who)
                return _candidate(store, candidate_id)
            dup, note = (None, None) if not_duplicate else _flag(store, cand)
            if dup:
                store.update_review_candidate(
                    candidate_id,
                    {"status": "duplicate", "duplicate_of": dup, "duplicate_note": note},
                    decided=True,
                )
                store.log_review(
                    candidate_id, "duplicate", _by(f"linked to {dup}; not stored twice", who)
                )
                store.link_claims_of_candidate(candidate_id, *dup.split("|", 1))
            else:
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
                    file=row["source"],
                    source=row["source"],
                    table=rows_to_table([row]),
                    rows_read=1,
                )
                ingest_batches(store, [batch], kind="review")
                store.update_review_candidate(
                    candidate_id,
                    {
                        "status": "accepted",
                        "event_source": row["source"],
                        "event_id": row["source_event_id"],
                        "duplicate_of": None,
                    },
                    decided=True,
                )
                store.log_review(
                    candidate_id,
                    "accepted",
                    _by(f"{row['source']}|{row['source_event_id']}", who),
                )
                store.link_claims_of_candidate(candidate_id, row["source"], row["source_event_id"])
        return _candidate(store, candidate_id)


def review_edit(
    candidate_id: int, *, db: DB = None, reviewer: str | None = None, **changes: Any
) -> dict[str, Any]:
    """Change fields of a pending candidate (``event_date``, ``place``, ``admin1``,
    ``actors``, ``event_type``, ``fatalities``, ``evidence``; None leaves a field as it is),
    checked and normalised by :func:`~accordwatch.extract.review_rules.check_edits`; the
    candidate is checked for duplicates again.  One transaction.  Returns the candidate."""
    from ..extract.review_rules import check_edits

    who = _reviewer(reviewer)
    clean = check_edits(changes)
    if not clean:
        raise InputError("nothing to change; give at least one field to edit")
    with using(db, write=True) as store:
        with store.transaction():
            cand = _pending(store, candidate_id)
            if cand.get("event_type") == "claim":
                from .claims import edit_claim_candidate

                edit_claim_candidate(store, cand, clean)
                store.log_review(candidate_id, "edited", _by(_changes(clean), who))
                return _candidate(store, candidate_id)
            cand.update(clean)
            dup, note = _flag(store, cand)
            clean.update(duplicate_of=dup, duplicate_note=note)
            store.update_review_candidate(candidate_id, clean)
            store.log_review(
                candidate_id,
                "edited",
                _by(_changes(clean), who),
            )
        return _candidate(store, candidate_id)


def _changes(clean: dict[str, Any]) -> str:
    return "; ".join(f"{k}={v}" for k, v in clean.items())


def review_reject(
    candidate_id: int, reason: str, *, db: DB = None, reviewer: str | None = None
) -> dict[str, Any]:
    """Reject a pending candidate; it stays in the queue with ``reason``.  One transaction.
    Returns the candidate."""
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("say why the candidate is rejected (--reason 'background, not news')")
    why = reason.strip()
    who = _reviewer(reviewer)
    with using(db, write=True) as store:
        with store.transaction():
            _pending(store, candidate_id)
            store.update_review_candidate(
                candidate_id, {"status": "rejected", "reason": why}, decided=True
            )
            store.log_review(candidate_id, "rejected", _by(why, who))
        return _candidate(store, candidate_id)
