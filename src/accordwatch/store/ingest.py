"""Writing events: one transaction per ingest, updates keep history.

An event is identified by ``(source, source_event_id)``.  Loading a row whose
content equals the stored one changes nothing; a row whose content differs
replaces the stored one and the old version moves to ``events_history`` with
the run that replaced it.  Everything — history, events, the run record — is
written in one transaction: if anything fails, or the process is killed, the
store is left exactly as it was.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import InputError, RowError, RowErrors
from .db import Store
from .schema import CONTENT_COLUMNS, EVENT_COLUMNS, EVENT_KEY, duckdb_type

if TYPE_CHECKING:  # pyarrow loads when a function needs it (fast start-up)
    import pyarrow as pa

__all__ = ["IngestReport", "append_csv", "csv_scan_sql", "ingest_batches", "scan_csv"]

Progress = Callable[[str], None]


@dataclass
class IngestReport:
    """What one ingest did."""

    run_id: int
    files: list[str]
    source: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    duplicates_dropped: int = 0
    quarantine_file: str | None = None
    errors: list[RowError] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["errors"] = [str(e) for e in self.errors]
        return d


def _distinct_expr(a: str, b: str) -> str:
    return " OR ".join(f"{a}.{c} IS DISTINCT FROM {b}.{c}" for c in CONTENT_COLUMNS)


def _write_quarantine(rows: list[dict[str, object]], target: Path) -> Path:
    """Write rejected rows to a temporary file next to ``target`` (renamed on commit)."""
    fields: dict[str, None] = {"line": None, "errors": None}
    for r in rows:
        fields.update(dict.fromkeys(r))
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(fields))
        w.writeheader()
        w.writerows(rows)
    return Path(tmp)


def csv_scan_sql(path: Path, columns: dict[str, str]) -> str:
    """SQL for DuckDB's parallel CSV reader over ``path`` with every column's type fixed."""
    spec = "{" + ", ".join(f"'{_sql_str(k)}': '{v}'" for k, v in columns.items()) + "}"
    compression = "gzip" if path.name.lower().endswith(".gz") else "none"
    return (
        f"read_csv('{_sql_str(str(path))}', header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', compression = '{compression}', columns = {spec})"
    )


def scan_csv(store: Store, path: Path, columns: dict[str, str], pull: list[str]) -> pa.Table | None:
    """The ``pull`` columns of a CSV file, parsed by DuckDB (file order), for validation.

    The other columns are not converted, and nothing is materialised in the store: the
    ingest reads the file again, straight into the events table.  None when a value does
    not fit its type or a row is malformed — the caller then takes the slow path, which
    finds and reports every bad row.
    """
    import duckdb

    try:
        return store._con.sql(
            f"SELECT {', '.join(pull)} FROM {csv_scan_sql(path, columns)}"
        ).to_arrow_table()
    except duckdb.Error:
        return None


#: how many leading rows of a CSV ``append_csv`` looks up before trying a one-pass append
PROBE_ROWS = 10_000


class _NotAppendable(Exception):
    """Raised inside the append transaction to roll it back and take another path."""


def append_csv(
    store: Store,
    path: Path,
    columns: dict[str, str],
    *,
    source: str,
    violations: str,
    geography: Callable[[list[tuple[Any, Any, Any]]], list[str | None]],
    derived: dict[str, str] | None = None,
    sha256: Callable[[], str] | None = None,
    kind: str = "ingest",
    progress: Progress | None = None,
) -> IngestReport | None:
    """Load a CSV file in one pass: DuckDB parses it straight into the events table, then
    counts the rows for which ``violations`` (SQL over the event columns) is true, repeated
    ids and events stored before; only if there are none does the run commit.  Otherwise the
    transaction rolls back — nothing was written — and None tells the caller to take the
    general path, which compares, keeps history and names every bad row.

    ``derived`` gives SQL (over the file's columns, as ``p.<name>``) for event columns the
    file lacks, written with the rows — e.g. the PRIO-GRID cell and a first guess of
    ``admin1``.  ``geography`` (distinct (latitude, longitude, adm_1) → admin-1 names) then
    decides each place's admin-1; rows whose guess it overrules are corrected before the commit.
    Only those are rewritten: an UPDATE of every row would send the whole load through
    the write-ahead log again.
    """
    import duckdb

    say = progress or (lambda _msg: None)
    content = set(CONTENT_COLUMNS)
    exprs = [f"'{_sql_str(source)}'", "CAST(p.id AS VARCHAR)"]
    extra = derived or {}
    for c in CONTENT_COLUMNS:
        kind_sql = duckdb_type(EVENT_COLUMNS[c])
        if c in extra:
            exprs.append(f"CAST({extra[c]} AS {kind_sql})")
        elif c in columns and c in content:
            exprs.append(f"CAST(p.{c} AS {kind_sql})")
        else:
            exprs.append(f"CAST(NULL AS {kind_sql})")
    con = store._con
    # A cheap probe first: if the file's first events are stored already (a reload, a new
    # version of a dataset), go straight to the general path instead of writing and
    # rolling back.  Correctness does not depend on it: the full check below decides.
    probe = f"SELECT CAST(id AS VARCHAR) AS source_event_id FROM {csv_scan_sql(path, columns)} LIMIT {PROBE_ROWS}"
    try:
        seen = store.one(
            f"SELECT count(*) FROM events e SEMI JOIN ({probe}) k USING (source_event_id) WHERE e.source = ?",
            [source],
        )
    except duckdb.Error:
        return None
    if seen and seen[0]:
        return None
    try:
        with store.transaction():
            run_id = store.next_run_id()
            con.execute(
                "INSERT INTO ingest_runs (run_id, started_at, kind, source, file, tool_version)"
                " VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?)",
                [run_id, kind, source, str(path), __version__],
            )
            say("loading rows")
            try:
                con.execute(
                    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) SELECT {', '.join(exprs)}, ?, ?, "
                    f"now()::TIMESTAMP, now()::TIMESTAMP FROM {csv_scan_sql(path, columns)} p",
                    [run_id, str(path)],
                )
            except duckdb.Error as exc:  # a value that does not fit, a malformed row
                raise _NotAppendable from exc
            say("checking rows")
            this_run = f"run_id = {int(run_id)}"
            bad = store.one(
                f"SELECT count(*) FILTER (WHERE {violations}), count(*) - count(DISTINCT source_event_id), "
                f"count(*) FROM events WHERE {this_run}"
            )
            if bad is None or bad[0] or bad[1]:
                raise _NotAppendable  # the general path names every bad row
            n = int(bad[2])
            clash = store.one(
                "SELECT count(*) FROM events e SEMI JOIN (SELECT source, source_event_id FROM events "
                f"WHERE {this_run}) k USING (source, source_event_id) WHERE e.run_id <> ?",
                [run_id],
            )
            if clash and clash[0]:
                raise _NotAppendable  # some events are stored already: compare, keep history
            say("placing events")
            _correct_admin1(store, run_id, has_adm_1="adm_1" in columns, geography=geography)
            con.execute(
                "UPDATE ingest_runs SET finished_at = now()::TIMESTAMP, file_sha256 = ?, rows_read = ?, "
                "inserted = ?, updated = 0, unchanged = 0, rejected = 0 WHERE run_id = ?",
                [sha256() if sha256 else None, n, n, run_id],
            )
    except _NotAppendable:
        return None
    return IngestReport(
        run_id=run_id,
        files=[str(path)],
        source=source,
        rows_read=n,
        inserted=n,
        updated=0,
        unchanged=0,
        rejected=0,
    )


def _correct_admin1(
    store: Store,
    run_id: int,
    *,
    has_adm_1: bool,
    geography: Callable[[list[tuple[Any, Any, Any]]], list[str | None]],
) -> int:
    """Set ``admin1`` of one run's rows to what ``geography`` decides for their place
    (latitude, longitude, adm_1), rewriting only the rows whose stored value differs.
    Returns how many places changed."""
    adm_1 = "adm_1" if has_adm_1 else "NULL::VARCHAR"
    rows = store._con.execute(
        f"SELECT DISTINCT latitude, longitude, {adm_1}, admin1 FROM events WHERE run_id = ?",
        [run_id],
    ).fetchall()
    decided = geography([r[:3] for r in rows])
    fix = [(*r[:3], d) for r, d in zip(rows, decided, strict=True) if d != r[3]]
    if not fix:
        return 0
    # a temporary table inside the run's transaction: gone with it if anything fails
    store._con.execute(
        "CREATE OR REPLACE TEMP TABLE _geo_fix (latitude DOUBLE, longitude DOUBLE, adm_1 VARCHAR, admin1 VARCHAR)"
    )
    store._con.executemany("INSERT INTO _geo_fix VALUES (?, ?, ?, ?)", fix)
    on = "e.latitude IS NOT DISTINCT FROM g.latitude AND e.longitude IS NOT DISTINCT FROM g.longitude"
    if has_adm_1:
        on += " AND e.adm_1 IS NOT DISTINCT FROM g.adm_1"
    store._con.execute(
        f"UPDATE events e SET admin1 = g.admin1 FROM _geo_fix g WHERE e.run_id = ? AND {on}",
        [run_id],
    )
    store._con.execute("DROP TABLE _geo_fix")
    return len(fix)


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _scanned_stage(store: Store, batch: Any, materialise: bool) -> None:
    """``_stage`` for a scanned CSV: its rows read again by DuckDB, with ``admin1`` and a
    missing ``priogrid_gid`` taken from the batch's lookup of distinct (latitude,
    longitude, adm_1).  A view when it is read once (a first load), else a temp table."""
    path, columns = batch.scan
    own = {"admin1", "priogrid_gid"}
    exprs = [f"'{_sql_str(batch.source)}' AS source", "CAST(p.id AS VARCHAR) AS source_event_id"]
    for c in CONTENT_COLUMNS:
        kind = duckdb_type(EVENT_COLUMNS[c])
        if c == "priogrid_gid" and c in columns:
            exprs.append("coalesce(p.priogrid_gid, g.priogrid_gid) AS priogrid_gid")
        elif c in own:
            exprs.append(f"g.{c}")
        elif c in columns:
            exprs.append(f"CAST(p.{c} AS {kind}) AS {c}")
        else:
            exprs.append(f"CAST(NULL AS {kind}) AS {c}")
    store._con.register("_geo", batch.table)
    on = "p.latitude = g.latitude AND p.longitude = g.longitude"
    if "adm_1" in columns:
        on += " AND p.adm_1 IS NOT DISTINCT FROM g.adm_1"
    what = "TABLE" if materialise else "VIEW"
    store._con.execute(
        f"CREATE OR REPLACE TEMP {what} _stage AS SELECT {', '.join(exprs)} "
        f"FROM {csv_scan_sql(path, columns)} p LEFT JOIN _geo g ON {on}"
    )


def ingest_batches(
    store: Store,
    batches: Sequence,
    *,
    on_error: str = "refuse",
    quarantine: str | os.PathLike[str] | None = None,
    kind: str = "ingest",
    progress: Progress | None = None,
) -> IngestReport:
    """Write validated :class:`~accordwatch.sources.Batch` es into the store in one transaction.

    ``on_error="refuse"`` (default) raises :class:`RowErrors` listing every bad row
    and writes nothing; ``"quarantine"`` writes the bad rows to ``quarantine``
    (default: ``<first file>.rejected.csv``) and loads the rest.
    """
    import pyarrow as pa

    if on_error not in ("refuse", "quarantine"):
        raise InputError(f"on_error must be 'refuse' or 'quarantine', not {on_error!r}")
    if not batches:
        raise InputError("nothing to ingest")
    say = progress or (lambda _msg: None)
    errors = [e for b in batches for e in b.errors]
    if errors and on_error == "refuse":
        raise RowErrors(errors)
    sources = sorted({b.source for b in batches})
    files = [b.file for b in batches]
    rejected_rows = [r for b in batches for r in b.rejected]
    q_final: Path | None = None
    q_tmp: Path | None = None
    if rejected_rows:
        base = files[0].split("!", 1)[0]
        q_final = Path(quarantine) if quarantine else Path(base + ".rejected.csv")
        q_final.parent.mkdir(parents=True, exist_ok=True)
        q_tmp = _write_quarantine(rejected_rows, q_final)

    scanned = any(b.scan is not None for b in batches)
    if scanned and len(batches) > 1:
        raise InputError("a scanned CSV is ingested on its own")
    table = pa.concat_tables([b.table for b in batches]) if len(batches) > 1 else batches[0].table
    n_rows = batches[0].rows_read if scanned else table.num_rows  # a scanned CSV keeps every row
    cols = ", ".join(EVENT_COLUMNS)
    content = ", ".join(f"s.{c}" for c in CONTENT_COLUMNS)
    key = ", ".join(EVENT_KEY)
    con = store._con
    try:
        with store.transaction():
            run_id = store.next_run_id()
            con.execute(
                "INSERT INTO ingest_runs (run_id, started_at, kind, source, file, file_sha256, rows_read, tool_version)"
                " VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    kind,
                    ",".join(sources),
                    "; ".join(files),
                    batches[0].sha256,
                    sum(b.rows_read for b in batches),
                    __version__,
                ],
            )
            say(f"staging {n_rows:,} rows")
            # When no incoming event is stored yet (a first load, a new GED version's new
            # events), the load is a pure append: skip the comparison and the anti-join,
            # the costly part of a big load.
            if scanned:
                b = batches[0]
                con.register("_keys", pa.table({"source_event_id": b.ids}))
                found = store.one(
                    "SELECT count(*) FROM events e SEMI JOIN _keys k USING (source_event_id) WHERE e.source = ?",
                    [b.source],
                )
                con.unregister("_keys")
            else:
                con.register("_stage", table)  # Arrow is scanned in place: no copy
                found = store.one(f"SELECT count(*) FROM events e SEMI JOIN _stage s USING ({key})")
            append_only = not (found and found[0])
            if scanned:
                _scanned_stage(store, batches[0], materialise=not append_only)
            clash = (
                len(batches) > 1
                and con.execute(
                    f"SELECT source_event_id FROM _stage GROUP BY {key} HAVING count(*) > 1 LIMIT 5"
                ).fetchall()
            )
            if clash:
                raise InputError(
                    f"the same event id appears in more than one of {', '.join(files)}: "
                    f"{', '.join(str(c[0]) for c in clash)}; load the files one at a time"
                )
            say("comparing with stored events")
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _changed AS SELECT e.* FROM events e JOIN _stage s USING ({key}) "
                f"WHERE {'FALSE' if append_only else _distinct_expr('s', 'e')}"
            )
            updated = store.count("_changed")
            if updated:
                say(f"keeping history of {updated:,} changed events")
                con.execute(
                    "INSERT INTO events_history SELECT *, ?, now()::TIMESTAMP FROM _changed",
                    [run_id],
                )
                con.execute(f"DELETE FROM events WHERE ({key}) IN (SELECT ({key}) FROM _changed)")
                con.execute(
                    f"INSERT INTO events ({cols}) SELECT s.source, s.source_event_id, {content}, ?, ?, "
                    f"c.first_loaded_at, now()::TIMESTAMP FROM _stage s JOIN _changed c USING ({key})",
                    [run_id, "; ".join(files)],
                )
            say("inserting new events")
            before = store.count("events")
            con.execute(
                f"INSERT INTO events ({cols}) SELECT s.source, s.source_event_id, {content}, ?, ?, "
                f"now()::TIMESTAMP, now()::TIMESTAMP FROM _stage s"
                + ("" if append_only else f" ANTI JOIN events e USING ({key})"),
                [run_id, "; ".join(files)],
            )
            inserted = store.count("events") - before
            unchanged = n_rows - inserted - updated
            n_rejected = len(rejected_rows)
            con.execute(
                "UPDATE ingest_runs SET finished_at = now()::TIMESTAMP, inserted = ?, updated = ?, unchanged = ?, "
                "rejected = ?, quarantine_file = ? WHERE run_id = ?",
                [
                    inserted,
                    updated,
                    unchanged,
                    n_rejected,
                    str(q_final) if q_final else None,
                    run_id,
                ],
            )
            con.execute("DROP TABLE _changed")
        if q_tmp and q_final:
            os.replace(q_tmp, q_final)
            q_tmp = None
    finally:
        if scanned:
            kind = store.one(
                "SELECT table_type FROM information_schema.tables WHERE table_name = '_stage'"
            )
            if kind:
                con.execute(f"DROP {'VIEW' if kind[0] == 'VIEW' else 'TABLE'} _stage")
            con.unregister("_geo")
        else:
            con.unregister("_stage")
        if q_tmp is not None:
            q_tmp.unlink(missing_ok=True)
    return IngestReport(
        run_id=run_id,
        files=files,
        source=",".join(sources),
        rows_read=sum(b.rows_read for b in batches),
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=n_rejected,
        duplicates_dropped=sum(b.duplicates_dropped for b in batches),
        quarantine_file=str(q_final) if q_final else None,
        errors=errors,
    )
