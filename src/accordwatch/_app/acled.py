"""Syncing the store with ACLED's API: new and edited events by their timestamp, deleted
events as tombstones, where each query's sync stopped kept in the store.

One sync of a query (a country and a date range) asks the API for the events changed at or
after the newest timestamp the previous sync of the same query saw (the first sync: every
event of the range), and for the deletions at or after the newest deletion it saw (the first
sync: since the range's first day — an event of the range cannot have been deleted before
it happened).  In one transaction it then records the deletions (the events leave every
query; their history stays), loads the events (an event ACLED restored with a version newer
than its deletion comes back) and notes where it stopped.  ``out`` keeps the answers as
JSON files that ``accordwatch ingest acled`` reads.

>>> report = fetch_acled(country="Mali", since="2024-01-01", ingest=True)   # doctest: +SKIP
>>> report.ingest.inserted, report.deletions.deleted                        # doctest: +SKIP
(4210, 3)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..sources.acled import records_to_acled_batch
from ..sources.acled_api import AcledClient, TokenCache
from ..store import IngestReport, ingest_batches
from ..store.tombstones import DeletionReport
from ._store import DB, using

__all__ = ["SyncReport", "fetch_acled", "sync_query"]

_SOURCE = "acled"


@dataclass
class SyncReport:
    """What one fetch did: the query, what the API gave, what the store did with it."""

    query: str
    events_fetched: int
    deletions_fetched: int
    timestamp_since: int | None
    deleted_since: int | None
    ingest: IngestReport | None = None
    deletions: DeletionReport | None = None
    files: list[str] = field(default_factory=list)
    requests: int = 0

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["ingest"] = self.ingest.to_dict() if self.ingest else None
        d["deletions"] = self.deletions.to_dict() if self.deletions else None
        return d


def _day(value: str | dt.date | None, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"--{what} must be a date YYYY-MM-DD, not {value!r}") from None


def sync_query(country: str, since: dt.date, until: dt.date | None) -> str:
    """The canonical text of a query, under which its sync state is kept."""
    return f"country={country.strip().lower()};since={since};until={until or ''}"


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _utc(seconds: int | None) -> dt.datetime | None:
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _save(path: Path, rows: list[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(
            json.dumps({"count": len(rows), "data": rows}, ensure_ascii=False), encoding="utf-8"
        )
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"cannot write {path} ({(exc.strerror or str(exc)).lower()}); give --out a folder "
            "you may write to"
        ) from None


def fetch_acled(
    *,
    country: str,
    since: str | dt.date,
    until: str | dt.date | None = None,
    db: DB = None,
    out: str | os.PathLike[str] | None = None,
    ingest: bool = False,
    full: bool = False,
    on_error: str = "refuse",
    client: AcledClient | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    """Fetch ``country``'s ACLED events dated ``since``..``until`` and the deletions (see the
    module docstring); save them under ``out`` and/or sync the store (``ingest``).  ``full``
    asks for every event of the range again, whatever the last sync saw.  ``client``
    defaults to an :class:`AcledClient` with the user's token cache."""
    if not country or not country.strip():
        raise InputError("--country is required (an ACLED country name, e.g. Mali)")
    start = _day(since, "since")
    end = _day(until, "until")
    if start is None:
        raise InputError("--since is required (YYYY-MM-DD)")
    if end is not None and end < start:
        raise InputError(f"--until {end} is before --since {start}")
    if not ingest and out is None:
        raise InputError("give --out DIR to save the events, --ingest to load them, or both")
    say = progress or (lambda _m: None)
    query = sync_query(country, start, end)
    state = None
    if ingest:
        with using(db) as store:
            state = store.sync_state(_SOURCE, query)
    ts_since = None if full or state is None else state.last_timestamp
    del_since = (
        state.last_deleted_timestamp
        if state is not None and state.last_deleted_timestamp is not None
        else _epoch(start)
    )
    api = client or AcledClient(cache=TokenCache())
    try:
        say("asking ACLED for events" + (" changed since the last sync" if ts_since else ""))
        events = api.events(
            country=country.strip(),
            since=start,
            until=end,
            timestamp_since=ts_since,
            progress=lambda n, total: say(f"{n:,} of {total if total is not None else '?'} events"),
        )
        say("asking ACLED for deleted events")
        deleted = api.deleted(since_timestamp=del_since)
    finally:
        if client is None:
            api.close()
    report = SyncReport(query, len(events), len(deleted), ts_since, del_since)
    report.requests = api.requests
    if out is not None:
        folder = Path(out)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        name = f"acled-{country.strip().lower().replace(' ', '-')}-{start}-{end or 'now'}"
        for rows, path in (
            (events, folder / f"{name}-{stamp}.json"),
            (deleted, folder / f"acled-deleted-{stamp}.json"),
        ):
            _save(path, rows)
            report.files.append(str(path))
    if ingest:
        rejected = Path(out if out is not None else ".") / "acled-api.rejected.csv"
        _sync(db, report, events, deleted, query, on_error, rejected, today, say)
    return report


def _sync(
    db: DB,
    report: SyncReport,
    events: list[dict[str, Any]],
    deleted: list[dict[str, Any]],
    query: str,
    on_error: str,
    rejected: Path,
    today: dt.date | None,
    say: Callable[[str], None],
) -> None:
    """Deletions, then events, then the sync state — one transaction."""
    gone = [
        (str(d.get("event_id_cnty")), _utc(_int(d.get("deleted_timestamp"))))
        for d in deleted
        if d.get("event_id_cnty")
    ]
    label = f"ACLED API ({query})"
    batch = records_to_acled_batch(events, label, today=today) if events else None
    stamps = [s for s in (_int(e.get("timestamp")) for e in events) if s is not None]
    deleted_stamps = [s for s in (_int(d.get("deleted_timestamp")) for d in deleted) if s]
    with using(db, write=True) as store, store.transaction():
        if gone:
            say(f"recording {len(gone):,} deletions")
            report.deletions = store.delete_events(_SOURCE, gone, file=label, kind="delete-acled")
        if batch is not None:
            say(f"loading {batch.table.num_rows:,} events")
            report.ingest = ingest_batches(
                store,
                [batch],
                on_error=on_error,
                quarantine=rejected,
                kind="fetch-acled",
                progress=say,
            )
        run = report.ingest.run_id if report.ingest else None
        if run is None and report.deletions is not None:
            run = report.deletions.run_id
        store.set_sync_state(
            _SOURCE,
            query,
            last_timestamp=max(stamps) if stamps else None,
            last_deleted_timestamp=max(deleted_stamps) if deleted_stamps else report.deleted_since,
            run_id=run,
        )
