"""The review queue's tables (``review_documents``, ``review_candidates``, ``review_log``): the
SQL behind them, as methods of :class:`~accordwatch.store.Store`.

These methods read and write rows only; the decisions (what a candidate becomes, which stored
event it duplicates, who may change what) are made in :mod:`accordwatch._app.review`, which
also wraps each decision in one :meth:`~accordwatch.store.Store.transaction`.

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as st:
...     st.add_review_document({"doc_id": "doc-1", "title": "Briefing"})
...     cid = st.add_review_candidate(
...         {"doc_id": "doc-1", "event_type": "clash", "evidence": "Clashes erupted in Ber."}
...     )
...     st.update_review_candidate(cid, {"status": "rejected", "reason": "old news"},
...                                decided=True)
...     st.log_review(cid, "rejected", "old news")
...     c = st.review_candidate(cid)
...     c["status"], c["title"], [e["action"] for e in st.review_history(cid)]
('rejected', 'Briefing', ['rejected'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["ReviewQueue"]

_DOCUMENT_COLUMNS = ("doc_id", "title", "url", "published", "lang", "path", "sha256")
#: the columns of ``review_candidates`` a caller may set (the id and created_at are the store's)
_CANDIDATE_COLUMNS = frozenset(
    {
        "doc_id",
        "status",
        "event_date",
        "date_precision",
        "place",
        "admin1",
        "latitude",
        "longitude",
        "location_precision",
        "actors",
        "actor_ids",
        "event_type",
        "fatalities",
        "evidence",
        "evidence_start",
        "evidence_end",
        "confidence",
        "duplicate_of",
        "duplicate_note",
        "reason",
        "event_source",
        "event_id",
        "claim_json",  # a claim candidate (event_type "claim"): its fields, JSON
        "claim_id",  # the stored claim once accepted
    }
)
#: what a candidate list shows, in order
_LIST_COLUMNS = (
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
)
#: the event columns a duplicate check compares
_NEARBY_COLUMNS = (
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
)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _columns(fields: Mapping[str, Any]) -> list[str]:
    unknown = sorted(set(fields) - _CANDIDATE_COLUMNS)
    if unknown:
        raise ValueError(f"review_candidates has no settable column(s) {unknown}")
    return list(fields)


class ReviewQueue:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame: ...

    def _run(self, sql: str, params: list[Any]) -> None:
        """Execute a write and drain its result (DuckDB refuses new work on an unfinished one)."""
        self._con.execute(sql, params).fetchall()

    # -- writes ----------------------------------------------------------------------------
    def add_review_document(self, doc: Mapping[str, Any]) -> None:
        """Record the document candidates come from (``doc_id`` required; the other columns of
        ``review_documents`` optional); a document already recorded is left as it is."""
        self._run(
            "INSERT INTO review_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [doc["doc_id"], *(doc.get(c) for c in _DOCUMENT_COLUMNS[1:]), _now()],
        )

    def add_review_candidate(self, fields: Mapping[str, Any]) -> int:
        """Insert a candidate (status ``pending`` unless ``fields`` say otherwise) under the
        next free id, and return that id."""
        values = {"status": "pending", **fields}
        cols = _columns(values)
        row = self._con.execute(
            "SELECT coalesce(max(candidate_id), 0) + 1 FROM review_candidates"
        ).fetchall()
        cid = int(row[0][0])
        names = ", ".join(["candidate_id", *cols, "created_at"])
        marks = ", ".join("?" * (len(cols) + 2))
        self._run(
            f"INSERT INTO review_candidates ({names}) VALUES ({marks})",  # noqa: S608
            [cid, *(values[c] for c in cols), _now()],
        )
        return cid

    def update_review_candidate(
        self, candidate_id: int, fields: Mapping[str, Any], *, decided: bool = False
    ) -> None:
        """Set columns of a candidate; ``decided`` also stamps ``decided_at`` with now."""
        cols = _columns(fields)
        sets = [f"{c} = ?" for c in cols]
        params = [fields[c] for c in cols]
        if decided:
            sets.append("decided_at = ?")
            params.append(_now())
        if not sets:
            return
        self._run(
            f"UPDATE review_candidates SET {', '.join(sets)} WHERE candidate_id = ?",  # noqa: S608
            [*params, candidate_id],
        )

    def log_review(self, candidate_id: int, action: str, detail: str | None = None) -> None:
        """Append an entry to the review log (``queued``, ``edited``, ``accepted`` …)."""
        self._run(
            "INSERT INTO review_log VALUES (?, ?, ?, ?)", [candidate_id, _now(), action, detail]
        )

    # -- reads -----------------------------------------------------------------------------
    def find_review_candidate(
        self, doc_id: str, evidence_start: int | None, event_type: str
    ) -> int | None:
        """The id of the candidate already queued for this document, evidence offset and type."""
        rows = self._con.execute(
            "SELECT candidate_id FROM review_candidates WHERE doc_id = ? AND evidence_start "
            "IS NOT DISTINCT FROM ? AND event_type = ? ORDER BY candidate_id LIMIT 1",
            [doc_id, evidence_start, event_type],
        ).fetchall()
        return int(rows[0][0]) if rows else None

    def review_candidates(
        self,
        *,
        status: str | None = None,
        doc_id: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Candidates with ``status`` and from ``doc_id`` (None: any), oldest first, at most
        ``limit`` of them."""
        sql = f"SELECT {', '.join(_LIST_COLUMNS)} FROM review_candidates WHERE TRUE"  # noqa: S608
        params: list[Any] = []
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        if doc_id is not None:
            sql += " AND doc_id = ?"
            params.append(doc_id)
        sql += " ORDER BY candidate_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def review_candidate(self, candidate_id: int) -> dict[str, Any] | None:
        """One candidate with its document's title, url, published, lang and path (missing
        values as None), or None if there is no such candidate."""
        import pandas as pd

        df = self.query(
            "SELECT c.*, d.title, d.url, d.published, d.lang, d.path FROM review_candidates c "
            "LEFT JOIN review_documents d USING (doc_id) WHERE candidate_id = ?",
            [candidate_id],
        )
        if df.empty:
            return None
        rec = df.astype(object).where(pd.notna(df), None).iloc[0]
        return {str(k): v for k, v in rec.items()}

    def review_history(self, candidate_id: int) -> list[dict[str, Any]]:
        """The review log of a candidate, oldest first: ``logged_at``, ``action``, ``detail``."""
        rows = self._con.execute(
            "SELECT logged_at, action, detail FROM review_log WHERE candidate_id = ? "
            "ORDER BY logged_at, rowid",
            [candidate_id],
        ).fetchall()
        return [{"logged_at": t, "action": a, "detail": d} for t, a, d in rows]

    def events_starting_between(self, first: dt.date, last: dt.date) -> pd.DataFrame:
        """Stored events starting from ``first`` through ``last`` with the columns a duplicate
        check compares (source, ids, dates, coordinates, place, sides, actors), newest first."""
        return self.query(
            f"SELECT {', '.join(_NEARBY_COLUMNS)} FROM events "  # noqa: S608
            "WHERE date_start >= ? AND date_start <= ? "
            "ORDER BY date_start DESC, source, source_event_id",
            [first, last],
        )
