"""Writing events: the one ingest engine.

An event is identified by ``(source, source_event_id)``.  Loading a row whose content equals
the stored one changes nothing; a row whose content differs replaces the stored one and the
old version moves to ``events_history`` with the run that replaced it.  Everything — history,
events, the run record — is written in one transaction: if anything fails, or the process is
killed, the store is left exactly as it was.

A source format (:mod:`accordwatch.sources`) describes itself to the engine as data — a
:class:`CsvLayout` (column types, row rules, derived columns) for files DuckDB can read, and a
reader that turns any of its files into Arrow :class:`~accordwatch.store.contract.Batch` es.
:func:`ingest_file` takes such a description and a path and picks the route by itself:

1. **one pass** — DuckDB parses the CSV straight into the events table; the run commits if no
   row breaks a rule, no id repeats and no event was stored before (a first load);
2. **compare** — the same parse into a staging table, compared with the stored events, changed
   ones updated with history (a reload, a new release of a dataset);
3. **reader** — the format's own reader, which names every bad row with its line and field
   (and is the route for zip, JSON and GeoJSON files).

DuckDB reads exactly the file named, whatever characters its name has
(:func:`._paths.literal_path`).  Numbers are what the file says they are: the layout's number
columns are read as text and must match its patterns before they are cast (DuckDB alone would
read ``2.5`` as the integer 3); a stored float is finite.  Values the layout's contradictions
name are kept as written and reported as :class:`~.contract.RowFlag` s with their lines.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import gzip
import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, RowError, RowErrors
from ._paths import literal_path
from .contract import CsvLayout, PlaceAdmin1, RowFlag, SourceFormat
from .schema import CONTENT_COLUMNS, EVENT_COLUMNS, EVENT_KEY, PROVENANCE_COLUMNS, duckdb_type

if TYPE_CHECKING:  # pyarrow loads when a function needs it (fast start-up)
    from .contract import Batch
    from .db import Store

__all__ = [
    "PROBE_ROWS",
    "CsvLayout",
    "IngestReport",
    "Progress",
    "RowFlag",
    "SourceFormat",
    "append_csv",
    "file_sha256",
    "ingest_batches",
    "ingest_file",
    "violations_sql",
]

Progress = Callable[[str], None]

#: how many leading rows of a CSV the engine looks up before trying a one-pass append
PROBE_ROWS = 10_000

#: the columns an insert into ``events`` names, in the order its values come
_INSERT_COLUMNS = ", ".join(("source", "source_event_id", *CONTENT_COLUMNS, *PROVENANCE_COLUMNS))


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
    #: values kept as the file wrote them though the row's other values contradict them
    flags: list[RowFlag] = field(default_factory=list)
    #: rows whose values differ from the stored version of their event but whose source
    #: timestamp is not newer (an older export, or another layout of the same version):
    #: the stored version was kept (counted in ``unchanged``)
    stale: int = 0
    #: rows of events their source deleted, the deletion newer than the row: left out
    #: (counted in ``unchanged``)
    deleted: int = 0
    #: events deleted before that a newer version from the source brought back
    restored: int = 0
    #: stored events this run removed because their source deleted them (a deletions file)
    removed: int = 0

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["errors"] = [str(e) for e in self.errors]
        d["flags"] = [f.to_dict() for f in self.flags]
        return d


# -- the engine ----------------------------------------------------------------------------------
def ingest_file(
    store: Store,
    fmt: SourceFormat,
    path: str | os.PathLike[str],
    *,
    on_error: str = "refuse",
    quarantine: str | os.PathLike[str] | None = None,
    kind: str = "ingest",
    progress: Progress | None = None,
) -> IngestReport:
    """Load one file of format ``fmt`` into the store, in one transaction, by the cheapest
    route that is correct (see the module docstring).

    ``on_error="refuse"`` (default) raises :class:`~accordwatch.errors.RowErrors` listing every
    bad row and writes nothing; ``"quarantine"`` writes the bad rows to ``quarantine``
    (default: ``<file>.rejected.csv``) and loads the rest.
    """
    if on_error not in ("refuse", "quarantine"):
        raise InputError(f"on_error must be 'refuse' or 'quarantine', not {on_error!r}")
    say = progress or (lambda _msg: None)
    p = Path(path)
    # DuckDB has no savepoints: inside a caller's transaction a failed one-pass attempt could
    # not be rolled back on its own, so a nested load takes the reader's route
    layout = fmt.csv_layout(p) if not store._depth else None
    with ThreadPoolExecutor(max_workers=1) as pool:
        # while DuckDB parses the file (without the GIL): its checksum, then what placing needs
        sha: Future[str] = pool.submit(file_sha256, p)
        if layout is not None:
            if layout.prepare is not None:
                ready = pool.submit(layout.prepare)
                if layout.place_admin1 is not None:  # placing waits for it, not loads again
                    layout = dataclasses.replace(
                        layout, place_admin1=_after(ready, layout.place_admin1)
                    )
            outcome = append_csv(store, p, layout, sha256=sha.result, kind=kind, progress=say)
            if isinstance(outcome, IngestReport):
                return outcome
            if outcome == "stored":
                report = _compare_csv(store, p, layout, sha.result(), kind=kind, progress=say)
                if report is not None:
                    return report
        say(f"reading {p}")
        batches = fmt.read(p)
        return ingest_batches(
            store,
            batches,
            on_error=on_error,
            quarantine=quarantine,
            kind=kind,
            progress=say,
            sha256=sha.result(),
        )


def file_sha256(p: Path) -> str:
    """SHA-256 of a file; remembered per (path, size, mtime), so that a second route through
    the engine does not read a large file twice."""
    st = p.stat()
    return _sha256_of(str(p.resolve()), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _sha256_of(path: str, _size: int, _mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


# -- SQL built from a layout ------------------------------------------------------------------
def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _checked_number(name: str, pattern: str, kind_sql: str) -> str:
    """SQL for a number column read as text: its value cast to ``kind_sql`` when the text
    matches ``pattern``, missing when blank, else an error (the reader then names the row).

    An integer already written as DuckDB writes it (``12``, ``-3``: the text of its own
    value) needs no pattern: the cast and print back cost less than matching it.  A float
    is matched at once (printing a float back costs twice the match)."""
    col = f"r.{_quoted(name)}"
    value = f"TRY_CAST({col} AS {kind_sql})"
    matched = f"regexp_full_match({col}, '{_sql_str(pattern)}')"
    fast = "" if kind_sql == "DOUBLE" else f"WHEN CAST({value} AS VARCHAR) = {col} THEN {value} "
    return (
        f"CASE {fast}WHEN {matched} THEN CAST({col} AS {kind_sql}) "
        f"WHEN trim({col}) <> '' THEN error('{_sql_str(name)}: not a number of its kind') "
        f"END AS {_quoted(name)}"
    )


def _csv_scan_sql(path: str, layout: CsvLayout) -> str:
    """SQL for DuckDB's parallel CSV reader over the file ``path`` (a name from
    :func:`literal_path`) with every column's type fixed; the number columns of
    ``layout.text_patterns`` are read as text and checked before they are cast, and the
    values of ``layout.shared`` added to each row."""
    read = {c: "VARCHAR" if c in layout.text_patterns else t for c, t in layout.columns.items()}
    spec = "{" + ", ".join(f"'{_sql_str(k)}': '{v}'" for k, v in read.items()) + "}"
    compression = "gzip" if path.lower().endswith(".gz") else "none"
    scan = (
        f"read_csv('{_sql_str(path)}', header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', compression = '{compression}', columns = {spec})"
    )
    if layout.text_patterns:
        cols = [
            _checked_number(c, layout.text_patterns[c], t)
            if c in layout.text_patterns
            else f"r.{_quoted(c)}"
            for c, t in layout.columns.items()
        ]
        scan = f"(SELECT {', '.join(cols)} FROM {scan} r)"
    if layout.shared:  # computed once here, named by the derived columns above this level
        values = ", ".join(f"{sql} AS {_quoted(name)}" for name, sql in layout.shared.items())
        scan = f"(SELECT *, {values} FROM {scan} p)"
    return scan


def _sql_value(value: float | dt.date) -> str:
    return f"DATE '{value.isoformat()}'" if isinstance(value, dt.date) else str(value)


def violations_sql(layout: CsvLayout, id_column: str = "source_event_id") -> str:
    """SQL over the event columns that is true for a row breaking any of the layout's rules
    or holding a float that is not finite (NaN, infinity)."""
    present = set(layout.columns) | set(layout.derived)
    parts = [f"NOT isfinite({c})" for c in layout.columns if EVENT_COLUMNS.get(c) == "float"]
    for name, lo, hi, _ in layout.rules:
        if name in present:
            parts += [f"{name} < {_sql_value(lo)}"] if lo is not None else []
            parts += [f"{name} > {_sql_value(hi)}"] if hi is not None else []
    for later, earlier in layout.not_before:
        if {later, earlier} <= present:
            parts.append(f"{later} < {earlier}")
    parts += [f"{id_column if n == layout.id_column else n} IS NULL" for n in layout.required]
    return " OR ".join(f"({p})" for p in parts) or "FALSE"


def _event_exprs(layout: CsvLayout, *, filled_only: bool = False) -> list[str]:
    """SELECT expressions turning the file's columns (``p.<name>``) into the event columns;
    ``filled_only`` leaves out the columns the layout does not fill (an insert that does not
    name them stores their default, NULL, for less work than NULL values given per row)."""
    exprs = [
        f"'{_sql_str(layout.source)}' AS source",
        f"CAST(p.{layout.id_column} AS VARCHAR) AS source_event_id",
    ]
    for c in CONTENT_COLUMNS:
        kind_sql = duckdb_type(EVENT_COLUMNS[c])
        if c == "admin1" and _places_as_read(layout):
            args = ", ".join(
                f"CAST({_source_sql(layout, a)} AS {t})"
                for a, t in (("latitude", "DOUBLE"), ("longitude", "DOUBLE"), ("adm_1", "VARCHAR"))
            )
            exprs.append(f"{_PLACE_FUNCTION}({args}) AS {c}")
        elif c in layout.derived:
            exprs.append(f"CAST({layout.derived[c]} AS {kind_sql}) AS {c}")
        elif c in layout.columns:
            exprs.append(f"CAST(p.{c} AS {kind_sql}) AS {c}")
        elif not filled_only:
            exprs.append(f"CAST(NULL AS {kind_sql}) AS {c}")
    return exprs


def _source_sql(layout: CsvLayout, column: str) -> str:
    """SQL for the value of the event column ``column`` (derived, the file's, or NULL)."""
    if column in layout.derived:
        return layout.derived[column]
    return f"p.{column}" if column in layout.columns else "NULL"


def _insert_sql(layout: CsvLayout, scan: str) -> str:
    """The one-pass INSERT of every row of ``scan`` into the events table (parameters: the
    run and the file); the columns the layout does not fill are not named."""
    exprs = _event_exprs(layout, filled_only=True)
    names = ", ".join((*(e.rsplit(" AS ", 1)[1] for e in exprs), *PROVENANCE_COLUMNS))
    provenance = "?, ?, now()::TIMESTAMP, now()::TIMESTAMP"
    return f"INSERT INTO events ({names}) SELECT {', '.join(exprs)}, {provenance} FROM {scan} p"


class _Fallback(Exception):
    """Raised inside a transaction to roll it back and take another route."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


# -- route 1: one pass ------------------------------------------------------------------------
def append_csv(
    store: Store,
    path: Path,
    layout: CsvLayout,
    *,
    sha256: Callable[[], str] | None = None,
    kind: str = "ingest",
    progress: Progress | None = None,
) -> IngestReport | str:
    """Load a CSV file in one pass: DuckDB parses it straight into the events table, then
    counts the rows that break a rule, repeated ids and events stored before; only if there
    are none does the run commit.  Otherwise the transaction rolls back — nothing was
    written — and the reason comes back: ``"stored"`` (a clean file with events stored
    before: compare them) or ``"bad"`` (a value that does not fit, a rule broken, an id
    repeated: the format's reader names every bad row).

    A layout without a guess of ``admin1`` has each row placed as it is read (no rewrite: an
    UPDATE of rows the load wrote makes DuckDB write them again at commit); with a guess,
    only the rows whose guess the layout's ``place_admin1`` overrules are rewritten.
    """
    with literal_path(path) as name:
        return _append_csv(store, path, name, layout, sha256=sha256, kind=kind, progress=progress)


def _append_csv(
    store: Store,
    path: Path,
    name: str,
    layout: CsvLayout,
    *,
    sha256: Callable[[], str] | None,
    kind: str,
    progress: Progress | None,
) -> IngestReport | str:
    import duckdb

    say = progress or (lambda _msg: None)
    con = store._con
    scan = _csv_scan_sql(name, layout)
    # A cheap probe first: if the file's first events are stored already (a reload, a new
    # version of a dataset), compare straight away instead of writing and rolling back.
    # Correctness does not depend on it: the full check below decides.
    # (every column as text: the probe needs only the ids, and the load checks the values)
    # A store without events of the source (a first load) needs neither.
    as_text = dataclasses.replace(
        layout, columns=dict.fromkeys(layout.columns, "VARCHAR"), text_patterns={}, shared={}
    )
    probe = (
        f"SELECT {layout.id_column} AS source_event_id FROM {_csv_scan_sql(name, as_text)} "
        f"LIMIT {PROBE_ROWS}"
    )
    stored_before = store.one("SELECT 1 FROM events WHERE source = ? LIMIT 1", [layout.source])
    if stored_before:
        try:
            seen = store.one(
                f"SELECT count(*) FROM events e SEMI JOIN ({probe}) k USING (source_event_id) "
                "WHERE e.source = ?",
                [layout.source],
            )
        except duckdb.Error:
            return "bad"
        if seen and seen[0]:
            return "stored"
    try:
        with _placing(store, layout) as failed, store.transaction():
            run_id = _start_run(store, kind, layout.source, str(path), None, None)
            say("loading rows")
            try:
                con.execute(_insert_sql(layout, scan), [run_id, str(path)])
            except duckdb.Error as exc:  # a value that does not fit, a malformed row
                _placing_failed(failed)
                raise _Fallback("bad") from exc
            say("checking rows")
            this_run = f"run_id = {int(run_id)}"
            bad = store.one(
                f"SELECT count(*) FILTER (WHERE {violations_sql(layout)}), "
                f"count(*) - count(DISTINCT source_event_id), count(*) FROM events WHERE {this_run}"
            )
            if bad is None or bad[0] or bad[1]:
                raise _Fallback("bad")
            n = int(bad[2])
            clash = stored_before and store.one(
                "SELECT count(*) FROM events e SEMI JOIN (SELECT source, source_event_id "
                f"FROM events WHERE {this_run}) k USING (source, source_event_id) "
                "WHERE e.run_id <> ?",
                [run_id],
            )
            if clash and clash[0]:
                raise _Fallback("stored")
            if _tombstoned(store, f"(SELECT source, source_event_id FROM events WHERE {this_run})"):
                raise _Fallback("stored")  # the compare route keeps deleted events deleted
            if _places_after(layout):
                say("placing events")
                _correct_admin1(store, layout, "events", f"WHERE {this_run}")
            flags = _flags(store, layout, "events", this_run, path)
            _put_few_behind(store, run_id, n)
            _finish_run(store, run_id, sha256() if sha256 else None, n, n, 0, 0, 0, None)
    except _Fallback as fb:
        return fb.why
    return IngestReport(
        run_id=run_id,
        files=[str(path)],
        source=layout.source,
        rows_read=n,
        inserted=n,
        updated=0,
        unchanged=0,
        rejected=0,
        flags=flags,
    )


#: rows in one DuckDB row group (its storage unit)
_ROW_GROUP_ROWS = 122_880


def _put_few_behind(store: Store, run_id: int, n_new: int) -> None:
    """When a large append lands behind a few stored events (the bundled sample of a newly
    seeded store), move those few behind the new rows, in the same transaction.  Left in
    front, their small row group makes DuckDB repack every row group behind it at the next
    checkpoint (the whole load written twice); moved, it is dropped, and the new rows'
    row groups stay as they were written.  Content and provenance are copied unchanged."""
    con = store._con
    row = store.one("SELECT count(*) FROM events WHERE run_id <> ?", [run_id])
    rest = int(row[0]) if row else 0
    if not rest or rest >= _ROW_GROUP_ROWS or n_new <= rest:
        return
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _kept AS SELECT * FROM events WHERE run_id <> ?", [run_id]
    )
    con.execute("DELETE FROM events WHERE run_id <> ?", [run_id])
    con.execute("INSERT INTO events SELECT * FROM _kept")
    con.execute("DROP TABLE _kept")


def _correct_admin1(store: Store, layout: CsvLayout, table: str, where: str) -> int:
    """Set ``admin1`` of ``table``'s rows (``where``) to what the layout's ``place_admin1``
    decides for their place (latitude, longitude, adm_1), rewriting only the rows whose
    guessed value differs (a layout whose ``derived`` guesses ``admin1``; without a guess
    the rows were placed as they were read).  Returns how many places changed."""
    if layout.place_admin1 is None or not _places_after(layout):
        return 0
    has_adm_1 = "adm_1" in layout.columns or "adm_1" in layout.derived
    adm_1 = "adm_1" if has_adm_1 else "NULL::VARCHAR"
    con = store._con
    rows = con.execute(
        f"SELECT DISTINCT latitude, longitude, {adm_1}, admin1 FROM {table} {where}"
    ).fetchall()
    decided = layout.place_admin1([r[:3] for r in rows])
    fix = [(*r[:3], d) for r, d in zip(rows, decided, strict=True) if d != r[3]]
    if not fix:
        return 0
    import pyarrow as pa

    # a temporary table inside the run's transaction: gone with it if anything fails (filled
    # from Arrow: thousands of places row by row would cost more than the load)
    columns = list(zip(*fix, strict=True))
    con.register(
        "_geo_fix_rows",
        pa.table(
            {
                "latitude": pa.array(columns[0], pa.float64()),
                "longitude": pa.array(columns[1], pa.float64()),
                "adm_1": pa.array(columns[2], pa.string()),
                "admin1": pa.array(columns[3], pa.string()),
            }
        ),
    )
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _geo_fix AS SELECT * FROM _geo_fix_rows")
    finally:
        con.unregister("_geo_fix_rows")
    on = (
        "e.latitude IS NOT DISTINCT FROM g.latitude "
        "AND e.longitude IS NOT DISTINCT FROM g.longitude"
    )
    if has_adm_1:
        on += " AND e.adm_1 IS NOT DISTINCT FROM g.adm_1"
    cond = f"{where.replace('WHERE ', 'e.', 1)} AND " if where else ""
    con.execute(f"UPDATE {table} e SET admin1 = g.admin1 FROM _geo_fix g WHERE {cond}{on}")
    con.execute("DROP TABLE _geo_fix")
    return len(fix)


def _places_as_read(layout: CsvLayout) -> bool:
    """The layout's places are decided as the rows are read: it names no guess of admin1."""
    return layout.place_admin1 is not None and "admin1" not in layout.derived


def _places_after(layout: CsvLayout) -> bool:
    """The layout's guess of admin1 is written first and corrected place by place after (a
    good guess leaves few rows to rewrite, and each distinct place is decided once)."""
    return layout.place_admin1 is not None and "admin1" in layout.derived


#: the SQL function through which a load asks the layout's ``place_admin1`` for each row
_PLACE_FUNCTION = "_accordwatch_place_admin1"


def _after(ready: Future[object], decide: PlaceAdmin1) -> PlaceAdmin1:
    """``decide`` once ``ready`` is done (what it needs is being loaded by a worker)."""

    def placed(places: list[tuple[Any, Any, Any]]) -> list[str | None]:
        ready.result()
        return decide(places)

    return placed


def _place_hash(y: Any, x: Any, code: Any) -> Any:
    """A 64-bit hash (numpy ``uint64``) of places given as the bits of their latitudes and
    longitudes (``int64``) and the numbers of their adm_1 names; two places may share one."""
    import numpy as np

    h = y.view("uint64") * np.uint64(0x9E3779B97F4A7C15)
    h ^= x.view("uint64") * np.uint64(0xC2B2AE3D27D4EB4F)
    h ^= code.astype("uint64") * np.uint64(0x165667B19E3779F9)
    return h


def _place_rows(decide: PlaceAdmin1, failed: list[BaseException]) -> Callable[..., Any]:
    """An Arrow function of (latitude, longitude, adm_1) columns giving each row's canonical
    admin-1 by ``decide``, asked once per distinct place of the whole load (remembered); an
    exception of ``decide`` is kept in ``failed``.

    A row is looked up among the places decided so far by numpy alone (a sorted array of
    the places' hashes, each hit checked against the place itself), so that a chunk of rows
    costs no Python work per row or per place; only places not seen before are turned into
    Python values and given to ``decide``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    spelling: dict[str, int] = {}  # an adm_1 as written -> its number in this load
    spelt: list[str] = []
    names: list[str | None] = []  # the decided names, each once
    number: dict[str | None, int] = {}  # a decided name -> its number in ``names``
    exact: dict[tuple[Any, Any, Any], int] = {}  # every decided place -> its name's number
    # the decided places sorted by hash: hash, latitude and longitude bits, adm_1, name
    known = [np.empty(0, dtype="uint64")] + [np.empty(0, dtype="int64")] * 4
    as_arrow: list[pa.Array] = [pa.array([], pa.string())]
    one_at_a_time = threading.Lock()  # DuckDB's threads may call it at once

    def whole(a: Any) -> Any:
        return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a

    def place(lat: Any, lon: Any, adm_1: Any) -> Any:
        with one_at_a_time:
            return placed(lat, lon, adm_1)

    def numbered(text: str) -> int:
        if text not in spelling:
            spelling[text] = len(spelt)
            spelt.append(text)
        return spelling[text]

    def as_place(y: Any, x: Any, code: int) -> tuple[Any, Any, Any]:
        """The place (latitude, longitude, adm_1) of coordinate bits and an adm_1 number."""
        b, c = float(np.int64(y).view("float64")), float(np.int64(x).view("float64"))
        return (None if b != b else b, None if c != c else c, None if code < 0 else spelt[code])

    def learn(y: Any, x: Any, code: Any, at: Any) -> None:
        """Decide the places of rows ``at`` not decided before, and add them to ``known``."""
        order = np.lexsort((code[at], x[at], y[at]))
        rows = at[order]
        starts = np.ones(len(rows), dtype=bool)
        starts[1:] = (np.diff(y[rows]) != 0) | (np.diff(x[rows]) != 0)
        starts[1:] |= np.diff(code[rows]) != 0
        first = rows[starts]
        fy, fx, fc = y[first], x[first], code[first]
        places = [as_place(*q) for q in zip(fy.tolist(), fx.tolist(), fc.tolist(), strict=True)]
        fresh = [i for i, q in enumerate(places) if q not in exact]
        if not fresh:
            return
        try:
            decided = decide([places[i] for i in fresh])
        except BaseException as exc:
            failed.append(exc)
            raise
        named = len(names)
        for i, name in zip(fresh, decided, strict=True):
            if name not in number:
                number[name] = len(names)
                names.append(name)
            exact[places[i]] = number[name]
        if len(names) > named:  # new names: the Arrow array of them made once
            as_arrow[0] = pa.array(names, pa.string())
        add = np.array(fresh)
        n = np.array([exact[places[i]] for i in fresh], dtype="int64")
        parts = (_place_hash(fy[add], fx[add], fc[add]), fy[add], fx[add], fc[add], n)
        merged = [np.concatenate((k, p)) for k, p in zip(known, parts, strict=True)]
        by_hash = np.argsort(merged[0], kind="stable")
        known[:] = [m[by_hash] for m in merged]

    def placed(lat: Any, lon: Any, adm_1: Any) -> Any:
        n = len(lat)
        if n == 0:
            return pa.array([], pa.string())
        # a place is the bits of both coordinates (NaN for none) and the number of its adm_1
        y = whole(lat).to_numpy(zero_copy_only=False).astype("float64").view("int64")
        x = whole(lon).to_numpy(zero_copy_only=False).astype("float64").view("int64")
        encoded = whole(pc.dictionary_encode(whole(adm_1)))
        codes = np.array([*map(numbered, encoded.dictionary.to_pylist()), -1], dtype="int64")
        code = codes[encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)]
        h = _place_hash(y, x, code)

        def found() -> tuple[Any, Any]:
            keys = known[0]
            at = np.minimum(np.searchsorted(keys, h), max(len(keys) - 1, 0))
            if not len(keys):
                return at, np.zeros(n, dtype=bool)
            hit = (keys[at] == h) & (known[1][at] == y) & (known[2][at] == x)
            return at, hit & (known[3][at] == code)

        at, hit = found()
        if not hit.all():
            learn(y, x, code, np.flatnonzero(~hit))
            at, hit = found()
        ids = known[4][at]
        if not hit.all():  # places whose hash another place has too: by the place itself
            for i in np.flatnonzero(~hit).tolist():
                ids[i] = exact[as_place(y[i], x[i], int(code[i]))]
        return pc.take(as_arrow[0], pa.array(ids.astype("int32")))

    return place


@contextmanager
def _placing(store: Store, layout: CsvLayout) -> Iterator[list[BaseException]]:
    """Around a load's transaction (DuckDB adds and drops functions outside a failed one):
    the function through which :func:`_event_exprs` places the rows; yields the list of
    placing's failures, for :func:`_placing_failed`."""
    failed: list[BaseException] = []
    if layout.place_admin1 is None or not _places_as_read(layout):
        yield failed
        return
    from duckdb.func import ARROW, SPECIAL

    con = store._con
    con.create_function(
        _PLACE_FUNCTION,
        _place_rows(layout.place_admin1, failed),
        ["DOUBLE", "DOUBLE", "VARCHAR"],
        "VARCHAR",
        type=ARROW,
        null_handling=SPECIAL,
        side_effects=False,
    )
    try:
        yield failed
    finally:
        con.remove_function(_PLACE_FUNCTION)


def _placing_failed(failed: list[BaseException]) -> None:
    """After a statement failed: raise placing's own failure, unless it was a refused value
    (InputError: a coordinate out of range), which is a bad row as any other."""
    if failed and not isinstance(failed[0], InputError):
        raise failed[0]


# -- route 2: compare a clean CSV with the stored events ----------------------------------------
def _compare_csv(
    store: Store, path: Path, layout: CsvLayout, sha: str, *, kind: str, progress: Progress
) -> IngestReport | None:
    """Stage a CSV file with DuckDB and merge it (history kept); None when a row breaks a rule
    or does not parse — the format's reader then names every bad row."""
    import duckdb

    con = store._con
    try:
        with _placing(store, layout) as failed, store.transaction(), literal_path(path) as name:
            progress("staging rows")
            try:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE _stage AS "
                    f"SELECT {', '.join(_event_exprs(layout))} "
                    f"FROM {_csv_scan_sql(name, layout)} p"
                )
            except duckdb.Error as exc:
                _placing_failed(failed)
                raise _Fallback("bad") from exc
            bad = store.one(
                f"SELECT count(*) FILTER (WHERE {violations_sql(layout)}), "
                "count(*) - count(DISTINCT source_event_id), count(*) FROM _stage"
            )
            if bad is None or bad[0] or bad[1]:
                raise _Fallback("bad")
            _correct_admin1(store, layout, "_stage", "")
            flags = _flags(store, layout, "_stage", "TRUE", path)
            report = _merge(
                store,
                n_rows=int(bad[2]),
                files=[str(path)],
                sources=[layout.source],
                sha=sha,
                rows_read=int(bad[2]),
                rejected=0,
                quarantine=None,
                kind=kind,
                say=progress,
            )
            report.flags = flags
            return report
    except _Fallback:
        return None
    finally:
        con.execute("DROP TABLE IF EXISTS _stage")


# -- contradictions: kept, and reported with their lines ---------------------------------------
def _flags(store: Store, layout: CsvLayout, table: str, where: str, path: Path) -> list[RowFlag]:
    """The rows of ``table`` (``where``) whose derived columns of ``layout.contradictions``
    hold a value — each a contradiction — as flags with their lines in ``path``."""
    parts = [
        f"SELECT source_event_id, {i}, CAST({name} AS VARCHAR), CAST({column} AS VARCHAR) "
        f"FROM {table} WHERE ({where}) AND {column} IS NOT NULL"
        for i, (name, column, _) in enumerate(layout.contradictions)
        if column in EVENT_COLUMNS
    ]
    if not parts:
        return []
    found = store._con.execute(" UNION ALL ".join(parts)).fetchall()
    if not found:
        return []
    lines = _lines_of(path, layout.id_column, {str(r[0]) for r in found})
    flags = [
        RowFlag(
            file=str(path),
            line=lines.get(str(event_id)),
            field=layout.contradictions[i][0],
            value=value,
            what="contradicts " + layout.contradictions[i][2].format(derived),
            derived=derived,
            column=layout.contradictions[i][1],
        )
        for event_id, i, value, derived in found
    ]
    order = {c[0]: i for i, c in enumerate(layout.contradictions)}
    return sorted(flags, key=lambda f: (f.line or 0, order[f.field]))


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every record of a CSV file (plain or .gz), as DuckDB reads
    it (double quotes, fields may span lines), the header included."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        end = 0
        for rec in reader:
            yield end + 1, rec
            end = reader.line_num


def _lines_of(path: Path, id_column: str, ids: set[str]) -> dict[str, int]:
    """The line on which the record of each id in ``ids`` starts (only files with
    contradictions pay for this pass)."""
    records = _records(path)
    _, header = next(records, (0, []))
    names = [h.strip().lower() for h in header]
    if id_column not in names:
        return {}
    at = names.index(id_column)
    out: dict[str, int] = {}
    for line, rec in records:
        if len(rec) > at and rec[at] in ids and rec[at] not in out:
            out[rec[at]] = line
            if len(out) == len(ids):
                break
    return out


# -- route 3: Arrow batches from a reader --------------------------------------------------------
def _write_quarantine(rows: list[dict[str, object]], target: Path) -> Path:
    """Write rejected rows to a temporary file next to ``target`` (renamed on commit)."""
    fields: dict[str, None] = {"line": None, "errors": None}
    for r in rows:
        fields.update(dict.fromkeys(r))
    if target.is_dir():
        raise InputError(f"the quarantine file {target} is a folder; give --quarantine a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        why = (
            "a file is in the way of its folder"
            if isinstance(exc, FileExistsError | NotADirectoryError)
            else (exc.strerror or str(exc)).lower()
        )
        raise InputError(
            f"cannot write the quarantine file {target} ({why}); give --quarantine a path in "
            "a folder you may write to (nothing was loaded)"
        ) from None
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(fields))
        w.writeheader()
        w.writerows(rows)
    return Path(tmp)


def ingest_batches(
    store: Store,
    batches: Sequence[Batch],
    *,
    on_error: str = "refuse",
    quarantine: str | os.PathLike[str] | None = None,
    kind: str = "ingest",
    progress: Progress | None = None,
    sha256: str | None = None,
) -> IngestReport:
    """Write validated :class:`~accordwatch.store.contract.Batch` es into the store in one
    transaction (``on_error`` and ``quarantine`` as for :func:`ingest_file`)."""
    import pyarrow as pa

    if on_error not in ("refuse", "quarantine"):
        raise InputError(f"on_error must be 'refuse' or 'quarantine', not {on_error!r}")
    if not batches:
        raise InputError("nothing to ingest")
    say = progress or (lambda _msg: None)
    errors = [e for b in batches for e in b.errors]
    if errors and on_error == "refuse":
        raise RowErrors(errors)
    files = [b.file for b in batches]
    rejected_rows = [r for b in batches for r in b.rejected]
    q_final: Path | None = None
    q_tmp: Path | None = None
    if rejected_rows:
        base = files[0].split("!", 1)[0]
        q_final = Path(quarantine) if quarantine else Path(base + ".rejected.csv")
        q_tmp = _write_quarantine(rejected_rows, q_final)
    table = pa.concat_tables([b.table for b in batches]) if len(batches) > 1 else batches[0].table
    con = store._con
    con.register("_stage", table)  # Arrow is scanned in place: no copy
    try:
        with store.transaction():
            report = _merge(
                store,
                n_rows=table.num_rows,
                files=files,
                sources=sorted({b.source for b in batches}),
                sha=sha256,
                rows_read=sum(b.rows_read for b in batches),
                rejected=len(rejected_rows),
                quarantine=q_final,
                kind=kind,
                say=say,
            )
        if q_tmp and q_final:
            os.replace(q_tmp, q_final)
            q_tmp = None
    finally:
        con.unregister("_stage")
        if q_tmp is not None:
            q_tmp.unlink(missing_ok=True)
    report.errors = errors
    report.flags = [f for b in batches for f in b.flags]
    report.duplicates_dropped = sum(b.duplicates_dropped for b in batches)
    return report


# -- events their source deleted ---------------------------------------------------------------
def _tombstoned(store: Store, keys: str) -> int:
    """How many of the events ``keys`` (a relation of source, source_event_id) their source
    deleted (an active tombstone).  A store without active tombstones answers at once."""
    if store.one("SELECT 1 FROM tombstones WHERE restored_by_run IS NULL LIMIT 1") is None:
        return 0
    row = store.one(
        f"SELECT count(*) FROM tombstones t SEMI JOIN {keys} k USING (source, source_event_id) "
        "WHERE t.restored_by_run IS NULL"
    )
    return int(row[0]) if row else 0


def _keep_deleted(store: Store, run_id: int) -> tuple[int, int]:
    """Set aside in ``_dead`` the staged events their source deleted after the staged version
    (or without saying when the version is from), and mark restored the tombstones of those
    whose staged version is newer than the deletion.  Returns (kept deleted, restored)."""
    con = store._con
    key = ", ".join(EVENT_KEY)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _dead AS SELECT {key}, "
        "coalesce(s.source_timestamp > t.deleted_at, FALSE) AS newer FROM _stage s "
        f"JOIN tombstones t USING ({key}) WHERE t.restored_by_run IS NULL"
    )
    row = store.one(
        "SELECT count(*) FILTER (WHERE NOT newer), count(*) FILTER (WHERE newer) FROM _dead"
    )
    kept, restored = (int(row[0]), int(row[1])) if row else (0, 0)
    if restored:
        con.execute(
            "UPDATE tombstones t SET restored_by_run = ? FROM _dead d "
            "WHERE d.newer AND t.source = d.source AND t.source_event_id = d.source_event_id "
            "AND t.restored_by_run IS NULL",
            [run_id],
        )
    con.execute("DELETE FROM _dead WHERE newer")
    return kept, restored


# -- the merge both compare routes share ---------------------------------------------------------
def _start_run(
    store: Store, kind: str, source: str, file: str, sha: str | None, rows_read: int | None
) -> int:
    run_id = store.next_run_id()
    store._con.execute(
        "INSERT INTO ingest_runs (run_id, started_at, kind, source, file, file_sha256, rows_read, "
        "tool_version) VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
        [run_id, kind, source, file, sha, rows_read, _tool_version()],
    )
    return run_id


def _finish_run(
    store: Store,
    run_id: int,
    sha: str | None,
    rows_read: int,
    inserted: int,
    updated: int,
    unchanged: int,
    rejected: int,
    quarantine: str | None,
) -> None:
    store._con.execute(
        "UPDATE ingest_runs SET finished_at = now()::TIMESTAMP, file_sha256 = coalesce(?, "
        "file_sha256), rows_read = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?, "
        "quarantine_file = ? WHERE run_id = ?",
        [sha, rows_read, inserted, updated, unchanged, rejected, quarantine, run_id],
    )


def _tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("accordwatch")
    except PackageNotFoundError:  # running from a source tree
        return "unknown"


def _distinct_expr(a: str, b: str) -> str:
    return " OR ".join(f"{a}.{c} IS DISTINCT FROM {b}.{c}" for c in CONTENT_COLUMNS)


def _merge(
    store: Store,
    *,
    n_rows: int,
    files: list[str],
    sources: list[str],
    sha: str | None,
    rows_read: int,
    rejected: int,
    quarantine: Path | None,
    kind: str,
    say: Progress,
) -> IngestReport:
    """Merge the relation ``_stage`` (event columns without provenance) into the events:
    changed events keep their old version in history, new ones are inserted, the rest left
    untouched.  Runs inside the caller's transaction."""
    con = store._con
    cols = _INSERT_COLUMNS
    content = ", ".join(f"s.{c}" for c in CONTENT_COLUMNS)
    key = ", ".join(EVENT_KEY)
    joined = "; ".join(files)
    run_id = _start_run(store, kind, ",".join(sources), joined, sha, rows_read)
    say(f"staging {n_rows:,} rows")
    clash = (
        len(files) > 1
        and con.execute(
            f"SELECT source_event_id FROM _stage GROUP BY {key} HAVING count(*) > 1 LIMIT 5"
        ).fetchall()
    )
    if clash:
        raise InputError(
            f"the same event id appears in more than one of {', '.join(files)}: "
            f"{', '.join(str(c[0]) for c in clash)}; load the files one at a time"
        )
    # When no incoming event is stored yet, the load is a pure append: skip the comparison
    # and the anti-join, the costly part of a big load.
    found = store.one(f"SELECT count(*) FROM events e SEMI JOIN _stage s USING ({key})")
    append_only = not (found and found[0])
    kept_deleted = restored = 0
    dead = _tombstoned(store, "_stage")
    if dead:
        kept_deleted, restored = _keep_deleted(store, run_id)
    say("comparing with stored events")
    # only the keys of the changed events are kept aside (not whole rows): the old versions
    # go from the events table to history, and the new ones from the stage, by key; a
    # version not newer than the stored one (by the source's own timestamp) is no change
    differs = "FALSE" if append_only else f"({_distinct_expr('s', 'e')})"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _changed AS SELECT {key}, e.first_loaded_at, "
        "coalesce(s.source_timestamp <= e.source_timestamp, FALSE) AS stale FROM events e "
        f"JOIN _stage s USING ({key}) WHERE {differs}"
    )
    stale = store.one("SELECT count(*) FILTER (WHERE stale) FROM _changed")
    n_stale = int(stale[0]) if stale else 0
    if n_stale:
        con.execute("DELETE FROM _changed WHERE stale")
    updated = store.count("_changed")
    if updated:
        say(f"keeping history of {updated:,} changed events")
        con.execute(  # by name: a store migrated from an older schema orders them otherwise
            "INSERT INTO events_history BY NAME SELECT e.*, ? AS replaced_by_run, "
            f"now()::TIMESTAMP AS replaced_at FROM events e SEMI JOIN _changed c USING ({key})",
            [run_id],
        )
        con.execute(f"DELETE FROM events WHERE ({key}) IN (SELECT ({key}) FROM _changed)")
        con.execute(
            f"INSERT INTO events ({cols}) SELECT s.source, s.source_event_id, {content}, ?, ?, "
            f"c.first_loaded_at, now()::TIMESTAMP FROM _stage s JOIN _changed c USING ({key})",
            [run_id, joined],
        )
    say("inserting new events")
    before = store.count("events")
    con.execute(
        f"INSERT INTO events ({cols}) SELECT s.source, s.source_event_id, {content}, ?, ?, "
        "now()::TIMESTAMP, now()::TIMESTAMP FROM _stage s"
        + ("" if append_only else f" ANTI JOIN events e USING ({key})")
        + (f" ANTI JOIN _dead d USING ({key})" if dead else ""),
        [run_id, joined],
    )
    inserted = store.count("events") - before
    unchanged = n_rows - inserted - updated
    con.execute("DROP TABLE _changed")
    con.execute("DROP TABLE IF EXISTS _dead")
    _finish_run(
        store,
        run_id,
        sha,
        rows_read,
        inserted,
        updated,
        unchanged,
        rejected,
        str(quarantine) if quarantine else None,
    )
    return IngestReport(
        run_id=run_id,
        files=files,
        source=",".join(sources),
        rows_read=rows_read,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=rejected,
        quarantine_file=str(quarantine) if quarantine else None,
        stale=n_stale,
        deleted=kept_deleted,
        restored=restored,
    )
