"""Concurrency figures for the store (issue #11), printed, never asserted.

    python benchmarks/bench_concurrency.py [--rows 400000] [--repeats 30]

The query is ``accordwatch events --country CAF --limit 5 --format json`` through the Python
API (``accordwatch.events`` and the JSON of its rows), each call opening and closing the
store read-only as a command does.  Stores and inputs live in a temporary folder: a seeded
store, and a GED CSV of --rows rows made by repeating the bundled CAF GED 23.1 events with
fresh ids (as in bench_store.py).

a. Two reader processes at once against one reader alone (same run): median latency of
   --repeats calls in each reader, started together once both have imported accordwatch.
b. A reader while --rows rows are ingested:
   1. across processes: an ingest runs in a child process; a reader in this process asks
      once the child holds the store, with ACCORDWATCH_LOCK_WAIT 5 (the default) and 600.
      Printed: how long the reader waited and what it got, against the ingest's wall time.
   2. one owner: a StoreOwner holds the store; four reader threads query on its cursors
      while its writer thread ingests the same rows.  Printed: reader latency during the
      load against the same readers idle, and the load's time against the same load in an
      owner with no readers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_store import make_csv  # noqa: E402 (the benchmark's shared input maker)

import accordwatch as aw  # noqa: E402
from accordwatch.errors import StoreBusy  # noqa: E402
from accordwatch.export import records  # noqa: E402
from accordwatch.store.owner import StoreOwner  # noqa: E402


def query(db: object) -> int:
    """The `events --country CAF --limit 5 --format json` equivalent; bytes of JSON."""
    df = aw.events(db, country="CAF", limit=5)  # type: ignore[arg-type]
    return len(json.dumps(records(df), ensure_ascii=False))


# A reader process: imports, says "ready", waits for "go", then times --repeats queries.
READER = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from bench_concurrency import query
db, repeats = sys.argv[1], int(sys.argv[2])
query(db)  # warm: imports and first open
print("ready", flush=True)
sys.stdin.readline()
out = []
for _ in range(repeats):
    t0 = time.perf_counter()
    query(db)
    out.append(time.perf_counter() - t0)
print(json.dumps(out), flush=True)
"""

# An ingest process: says "holding" once it has the store open for writing, then loads.
INGEST = """
import sys, time
import accordwatch as aw
db, csv = sys.argv[1], sys.argv[2]
sys.argv = ["accordwatch", "ingest", "ucdp", csv, "--db", db]  # as the command would show
store = aw.open_store(db)
print("holding", flush=True)
t0 = time.perf_counter()
aw.ingest_ucdp(csv, db=store)
store.close()
print(time.perf_counter() - t0, flush=True)
"""


def readers_at_once(db: Path, n: int, repeats: int) -> list[float]:
    """Latencies of ``n`` reader processes started together (all their calls, pooled)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(db), str(repeats), str(Path(__file__).parent)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    latencies: list[float] = []
    for p in procs:
        out, _ = p.communicate()
        latencies += json.loads(out)
    return latencies


def bench_readers(db: Path, repeats: int) -> None:
    print("a. reader processes (median ms per call)")
    alone = readers_at_once(db, 1, repeats)
    two = readers_at_once(db, 2, repeats)
    alone2 = readers_at_once(db, 1, repeats)  # again, so drift shows
    base = statistics.median(alone + alone2)
    print(f"   one reader alone        {base * 1e3:8.1f}")
    print(
        f"   two readers at once     {statistics.median(two) * 1e3:8.1f}  "
        f"({statistics.median(two) / base:.2f}x alone)"
    )


def bench_cross_process(seeded: Path, csv: Path, work: Path) -> None:
    print("b1. a reader while another process ingests")
    for wait in ("5", "600"):
        db = Path(shutil.copy(seeded, work / f"cross-{wait}.duckdb"))
        child = subprocess.Popen(
            [sys.executable, "-c", INGEST, str(db), str(csv)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "holding"
        os.environ["ACCORDWATCH_LOCK_WAIT"] = wait
        t0 = time.perf_counter()
        try:
            query(db)
            got = "the rows"
        except StoreBusy as exc:
            got = f"StoreBusy:\n     {exc}"
        waited = time.perf_counter() - t0
        ingest = float(child.communicate()[0].strip())
        print(
            f"   ACCORDWATCH_LOCK_WAIT={wait:>3}: reader waited {waited:6.2f} s "
            f"(ingest {ingest:6.2f} s) and got {got}"
        )
    os.environ.pop("ACCORDWATCH_LOCK_WAIT", None)


def bench_owner(seeded: Path, csv: Path, work: Path, repeats: int) -> None:
    print("b2. one owner: reader threads while its writer thread ingests (ms per call)")
    db = Path(shutil.copy(seeded, work / "owner.duckdb"))
    with StoreOwner(db, url="http://127.0.0.1:8000") as owner:
        owner.read(query)  # warm

        def readers(stop: threading.Event | None, count: int) -> list[float]:
            out: list[float] = []
            lock = threading.Lock()

            def run() -> None:
                done = 0
                while (stop is None and done < count) or (stop is not None and not stop.is_set()):
                    t0 = time.perf_counter()
                    owner.read(query)
                    with lock:
                        out.append(time.perf_counter() - t0)
                    done += 1

            threads = [threading.Thread(target=run) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return out

        idle = readers(None, repeats)
        stop = threading.Event()
        collected: list[float] = []
        reading = threading.Thread(target=lambda: collected.extend(readers(stop, 0)))
        t0 = time.perf_counter()
        loading = owner.execute_write(lambda s: aw.ingest_ucdp(csv, db=s), block=False)
        reading.start()
        report = loading.result()
        load = time.perf_counter() - t0
        stop.set()
        reading.join()
        idle_after = readers(None, repeats)
        base = statistics.median(idle + idle_after)
        during = statistics.median(collected)
        p95 = sorted(collected)[int(0.95 * (len(collected) - 1))]
        print(f"   idle, 4 readers          {base * 1e3:8.1f}")
        print(
            f"   during the load          {during * 1e3:8.1f}  ({during / base:.2f}x idle; "
            f"p95 {p95 * 1e3:.1f}; {len(collected)} calls)"
        )
        seen = owner.read(lambda s: s.count("events"))
    alone_db = Path(shutil.copy(seeded, work / "owner-alone.duckdb"))
    with StoreOwner(alone_db) as owner:
        t0 = time.perf_counter()
        owner.execute_write(lambda s: aw.ingest_ucdp(csv, db=s))
        load_alone = time.perf_counter() - t0
    print(
        f"   load in the owner        {load:8.2f} s for {report.inserted:,} new rows "
        f"({load / load_alone:.2f}x the same load with no readers, {load_alone:.2f} s); "
        f"readers saw {seen:,} events after it"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="aw-bench-concurrency-") as tmp:
        work = Path(tmp)
        seeded = work / "seeded.duckdb"
        aw.open_store(seeded).close()
        csv = work / "ged_big.csv"
        make_csv(args.rows, csv)
        print(
            f"store: seeded default; input: {args.rows:,} GED rows "
            f"({csv.stat().st_size / 1e6:.0f} MB); {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f} (figures are CPU-bound: read them against it)"
        )
        bench_readers(seeded, args.repeats)
        bench_cross_process(seeded, csv, work)
        bench_owner(seeded, csv, work, args.repeats)


if __name__ == "__main__":
    main()
