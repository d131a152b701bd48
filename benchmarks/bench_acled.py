"""ACLED figures, printed with the machine's load average, never asserted.

    python benchmarks/bench_acled.py [--rows 500000] [--changes 2000] [--deletions 200]
                                     [--repeats 3]

1. Ingest: an ACLED-layout CSV of --rows generated events (tests/acled_files.py: Mali's
   actors, places, event types, notes), ``accordwatch.ingest_acled`` into a new empty store
   against a plain DuckDB ``read_csv`` of the same file into a new table of a new database,
   --repeats times each in alternating order; medians and their ratio (target <= 1.5x).
2. Weekly sync: that store of --rows events, its sync state as a first sync would leave it,
   then ``fetch_acled --ingest`` through the API client against a fake of ACLED's API (an
   httpx.MockTransport: the JSON is written and parsed, pages of 5,000) serving --changes
   edited or new events and --deletions deletions (target < 5 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from acled_files import FakeAcled, acled_rows, write_csv  # noqa: E402


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _cpu() -> float:
    """CPU seconds of this process so far, every thread (DuckDB's workers) included."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _plain_read(path: Path, db: Path) -> tuple[float, float]:
    import duckdb

    t0, c0 = time.perf_counter(), _cpu()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true)", [str(path)])
    con.close()
    return time.perf_counter() - t0, _cpu() - c0


def _ingest(path: Path, db: Path) -> tuple[float, float]:
    import accordwatch as aw
    from accordwatch.store import Store

    with Store.open(db) as s:
        s.skip_seed()
    t0, c0 = time.perf_counter(), _cpu()
    aw.ingest_acled(path, db=db)
    return time.perf_counter() - t0, _cpu() - c0


def bench_ingest(rows: int, repeats: int, work: Path) -> Path:
    path = work / "acled.csv"
    t0 = time.perf_counter()
    write_csv(path, acled_rows(rows, seed=1))
    print(f"generated {rows:,} ACLED rows ({path.stat().st_size / 2**20:.0f} MiB) in "
          f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
    plain: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    kept = work / "store.duckdb"
    for i in range(repeats):
        for which in (0, 1) if i % 2 == 0 else (1, 0):
            db = work / f"run{i}-{which}.duckdb"
            if which == 0:
                plain.append(_plain_read(path, db))
            else:
                ours.append(_ingest(path, db))
                if not kept.exists():
                    shutil.copy(db, kept)
            db.unlink(missing_ok=True)
            Path(str(db) + ".wal").unlink(missing_ok=True)
    p, o = statistics.median(w for w, _ in plain), statistics.median(w for w, _ in ours)
    pc, oc = statistics.median(c for _, c in plain), statistics.median(c for _, c in ours)
    print(f"ingest of {rows:,} rows: accordwatch {o:.2f} s, plain DuckDB read_csv {p:.2f} s, "
          f"ratio {o / p:.2f}x (target <= 1.5x); CPU {oc:.2f} s vs {pc:.2f} s, ratio "
          f"{oc / pc:.2f}x; runs {[round(w, 2) for w, _ in ours]} vs "
          f"{[round(w, 2) for w, _ in plain]}; {_load()}")  # fmt: skip
    return kept


def bench_sync(store: Path, rows: int, changes: int, deletions: int) -> None:
    from accordwatch._app.acled import fetch_acled, sync_query
    from accordwatch.sources.acled_api import AcledClient, Credentials
    from accordwatch.store import Store

    base = acled_rows(rows, seed=1)
    newest = max(int(r["timestamp"]) for r in base)
    week = newest + 7 * 86400
    edited = [dict(r, fatalities=str(int(r["fatalities"]) + 1), timestamp=str(week))
              for r in base[: changes // 2]]  # fmt: skip
    added = [dict(r, timestamp=str(week)) for r in acled_rows(changes - len(edited), seed=5,
                                                              prefix="MLN")]  # fmt: skip
    gone = [{"event_id_cnty": r["event_id_cnty"], "deleted_timestamp": week + 60}
            for r in base[changes : changes + deletions]]  # fmt: skip
    server = FakeAcled(edited + added, deleted=gone)
    since = "2023-01-01"
    with Store.open(store) as s:
        s.set_sync_state(
            "acled",
            sync_query("Mali", __import__("datetime").date(2023, 1, 1), None),
            last_timestamp=newest,
            last_deleted_timestamp=newest,
            run_id=None,
        )
    client = AcledClient(
        Credentials(FakeAcled.USER, FakeAcled.PASSWORD),
        transport=server.transport(),
        clock=lambda: server.now,
        sleep=lambda s: None,
    )
    t0 = time.perf_counter()
    report = fetch_acled(country="Mali", since=since, db=store, ingest=True, client=client)
    took = time.perf_counter() - t0
    ing, dele = report.ingest, report.deletions
    assert ing is not None and dele is not None
    print(f"weekly sync into a {rows:,}-event store: {report.events_fetched:,} events "
          f"({ing.updated:,} updated, {ing.inserted:,} new), {dele.deleted:,} deleted, "
          f"{report.requests} requests: {took:.2f} s (target < 5 s); {_load()}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--changes", type=int, default=2_000)
    ap.add_argument("--deletions", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-acled-") as tmp:
        os.environ["ACCORDWATCH_DB"] = str(Path(tmp) / "unused.duckdb")
        store = bench_ingest(args.rows, args.repeats, Path(tmp))
        bench_sync(store, args.rows, args.changes, args.deletions)


if __name__ == "__main__":
    main()
