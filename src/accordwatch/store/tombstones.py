"""Events their source deleted (tombstones) and where each sync of a source's API stopped:
the SQL, as methods of :class:`~accordwatch.store.Store`.

A deletion moves the event's current version to ``events_history`` (replaced by the
deleting run) and takes it out of ``events`` — so every query, count, briefing and series
leaves it out, while its history stays — and records a tombstone, which keeps a later load
of an older file from bringing the event back (:mod:`.ingest` consults it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, cast

from .schema import EVENT_KEY

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import duckdb

    from .db import Store

__all__ = ["DeletionReport", "SyncState", "Tombstones"]


@dataclass
class DeletionReport:
    """What one recording of deletions did: ``deleted`` events left the store, ``absent``
    were not stored (recorded all the same), ``already`` had been deleted before."""

    run_id: int
    source: str
    deleted: int
    absent: int
    already: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class SyncState:
    """Where the last sync of one query of a source stopped (timestamps: seconds since 1970,
    UTC, as the source writes them)."""

    source: str
    query: str
    last_timestamp: int | None
    last_deleted_timestamp: int | None
    last_run_id: int | None
    synced_at: dt.datetime | None


class Tombstones:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...
        def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None: ...
        def count(self, table: str) -> int: ...

    def delete_events(
        self,
        source: str,
        deletions: Sequence[tuple[str, dt.datetime | None]],
        *,
        file: str | None = None,
        kind: str = "delete",
    ) -> DeletionReport:
        """Record that ``source`` deleted the events ``deletions`` ((source_event_id, when),
        ``when`` in UTC or None), in one run of its own (inside the caller's transaction,
        if any).  An event deleted twice keeps its first tombstone."""
        from .ingest import _finish_run, _start_run

        con = self._con
        key = ", ".join(EVENT_KEY)
        store = cast("Store", self)
        with self.transaction():
            run_id = _start_run(store, kind, source, file or "", None, len(deletions))
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _gone (source VARCHAR, source_event_id VARCHAR, "
                "deleted_at TIMESTAMP)"
            )
            seen: dict[str, dt.datetime | None] = {}
            for event_id, when in deletions:
                seen.setdefault(str(event_id), when)
            con.executemany(
                "INSERT INTO _gone VALUES (?, ?, ?)", [(source, k, w) for k, w in seen.items()]
            )
            row = self.one(
                "SELECT count(*) FROM tombstones t SEMI JOIN _gone g USING (source, "
                "source_event_id) WHERE t.restored_by_run IS NULL"
            )
            already = int(row[0]) if row else 0
            con.execute(
                "DELETE FROM _gone g USING tombstones t WHERE t.restored_by_run IS NULL "
                "AND t.source = g.source AND t.source_event_id = g.source_event_id"
            )
            con.execute(
                "INSERT INTO events_history BY NAME SELECT e.*, ? AS replaced_by_run, "
                f"now()::TIMESTAMP AS replaced_at FROM events e SEMI JOIN _gone g USING ({key})",
                [run_id],
            )
            before = self.count("events")
            con.execute(f"DELETE FROM events WHERE ({key}) IN (SELECT ({key}) FROM _gone)")
            deleted = before - self.count("events")
            con.execute(
                "INSERT INTO tombstones (source, source_event_id, deleted_at, deleted_by_run, "
                "recorded_at) SELECT source, source_event_id, deleted_at, ?, now()::TIMESTAMP "
                "FROM _gone",
                [run_id],
            )
            absent = self.count("_gone") - deleted
            con.execute("DROP TABLE _gone")
            _finish_run(store, run_id, None, len(deletions), 0, 0, 0, 0, None)
            con.execute("UPDATE ingest_runs SET deleted = ? WHERE run_id = ?", [deleted, run_id])
        return DeletionReport(run_id, source, deleted, absent, already)

    def tombstones(self, source: str | None = None) -> list[dict[str, Any]]:
        """The events deleted at their source (restored ones included, with the run that
        restored them), oldest deletion first."""
        cur = self._con.execute(
            "SELECT source, source_event_id, deleted_at, deleted_by_run, recorded_at, "
            "restored_by_run FROM tombstones WHERE ? IS NULL OR source = ? "
            "ORDER BY deleted_by_run, source_event_id",
            [source, source],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def sync_state(self, source: str, query: str) -> SyncState | None:
        """Where the last sync of ``query`` (a canonical text of its filters) stopped."""
        row = self._con.execute(
            "SELECT source, query, last_timestamp, last_deleted_timestamp, last_run_id, "
            "synced_at FROM source_sync WHERE source = ? AND query = ?",
            [source, query],
        ).fetchone()
        return None if row is None else SyncState(*row)

    def set_sync_state(
        self,
        source: str,
        query: str,
        *,
        last_timestamp: int | None,
        last_deleted_timestamp: int | None,
        run_id: int | None,
    ) -> None:
        """Record where a sync of ``query`` stopped (the newest timestamps it saw; a value
        never goes back)."""
        with self.transaction():
            self._con.execute(
                "INSERT INTO source_sync VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP) "
                "ON CONFLICT (source, query) DO UPDATE SET "
                "last_timestamp = greatest(coalesce(excluded.last_timestamp, "
                "source_sync.last_timestamp), coalesce(source_sync.last_timestamp, "
                "excluded.last_timestamp)), "
                "last_deleted_timestamp = greatest(coalesce(excluded.last_deleted_timestamp, "
                "source_sync.last_deleted_timestamp), coalesce(source_sync.last_deleted_timestamp,"
                " excluded.last_deleted_timestamp)), "
                "last_run_id = coalesce(excluded.last_run_id, source_sync.last_run_id), "
                "synced_at = excluded.synced_at",
                [source, query, last_timestamp, last_deleted_timestamp, run_id],
            )

    def latest_source_timestamp(self, source: str) -> dt.datetime | None:
        """The newest ``source_timestamp`` of the stored events of ``source``."""
        row = self._con.execute(
            "SELECT max(source_timestamp) FROM events WHERE source = ?", [source]
        ).fetchone()
        return None if row is None else row[0]
