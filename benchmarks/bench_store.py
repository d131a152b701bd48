"""Ingest and query figures for the event store, printed, never asserted.

    python benchmarks/bench_store.py [--rows 400000] [--query-rows 1000000] [--repeats 5]

1. Ingest: a GED CSV of --rows rows made by repeating the real bundled UCDP GED 23.1
   CAF events with fresh ids.  ``accordwatch ingest ucdp`` (the real command, in a child
   process) is timed against a plain DuckDB ``read_csv`` of the same file into a new table
   (also a child process), --repeats times each in rotating order, into a new empty store
   (``init --empty``) and into a new seeded one (``init``, what a new user's first ingest
   meets); medians and ratios are printed, with each child's peak memory (ru_maxrss).
2. Update: the same file loaded again with half its rows revised (``best`` + 1), so the
   engine compares every row and keeps the history of --rows / 2 changed events: its time
   against the plain read of the same file, and its peak memory.
3. Query: a store of --query-rows events (the same rows spread over ten countries);
   ``accordwatch.events(country=…, since=…, until=…, actor=…)`` on an open store,
   median latency over 30 calls; the cold CLI time for the same query; and the cold CLI
   read ``accordwatch events --country CAF --limit 5 --format json`` (process start to
   exit) beside ``accordwatch --help`` and a bare ``python -c pass`` in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

COUNTRIES = [
    (482, "Central African Republic"),
    (432, "Mali"),
    (436, "Niger"),
    (439, "Burkina Faso"),
    (475, "Nigeria"),
    (483, "Chad"),
    (625, "Sudan"),
    (520, "Somalia"),
    (490, "DR Congo (Zaire)"),
    (530, "Ethiopia"),
]


def make_csv(rows: int, path: Path, spread_countries: bool = False) -> None:
    src = resources.files("accordwatch") / "data" / "ucdp" / "GEDEvent_v23_1_CAF.csv"
    header = Path(str(src)).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    base = pacsv.read_csv(
        str(src),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False
        ),
    )
    reps = -(-rows // base.num_rows)
    copies = []
    for k in range(reps):
        t = base
        if spread_countries:
            gw, name = COUNTRIES[k % len(COUNTRIES)]
            t = t.set_column(
                t.column_names.index("country"), "country", pa.array([name] * t.num_rows)
            )
            t = t.set_column(
                t.column_names.index("country_id"), "country_id", pa.array([str(gw)] * t.num_rows)
            )
        copies.append(t)
    big = pa.concat_tables(copies).slice(0, rows)
    # fresh ids, far above GED's, so nothing collides with the seeded CAF events
    big = big.set_column(0, "id", pc.cast(pa.array(np.arange(1, rows + 1) + 10**9), pa.string()))
    pacsv.write_csv(big, str(path), write_options=pacsv.WriteOptions(quoting_style="needed"))


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr}")
    return wall, usage.ru_maxrss / 1024


def bench_ingest(rows: int, repeats: int, work: Path) -> None:
    csv_path = work / f"ged_{rows}.csv"
    make_csv(rows, csv_path)
    size = csv_path.stat().st_size / 1e6
    print(f"\n== ingest: {rows:,} GED rows, {size:.0f} MB CSV ==")
    plain_code = (
        "import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
        'c.execute("CREATE TABLE t AS SELECT * FROM read_csv(\'" + sys.argv[2] + "\')"); c.close()'
    )
    exe = str(Path(sys.executable).with_name("accordwatch"))
    # Two kinds of store: a new empty one (`init --empty`, like the plain read's new table) and a
    # new seeded one (the bundled sample's 1,848 CAF events: DuckDB compacts their small row group
    # with the first rows loaded, once, when the store is closed).
    runs: dict[str, list[tuple[float, float]]] = {"plain": [], "empty": [], "seeded": []}
    for i in range(repeats):
        order = ["plain", "empty", "seeded"]
        order = order[i % 3 :] + order[: i % 3]  # rotate, so no kind always runs first
        for which in order:
            db = work / f"{which}{i}.duckdb"
            if which == "plain":
                runs[which].append(
                    timed([sys.executable, "-c", plain_code, str(db), str(csv_path)])
                )
            else:
                init = [exe, "init", "--db", str(db)] + (["--empty"] if which == "empty" else [])
                subprocess.run(init, check=True, capture_output=True)  # not timed
                runs[which].append(timed([exe, "ingest", "ucdp", str(csv_path), "--db", str(db)]))
            db.unlink(missing_ok=True)
    med = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
    labels = {
        "plain": "plain DuckDB read_csv → table ",
        "empty": "ingest ucdp, empty store      ",
        "seeded": "ingest ucdp, seeded store     ",
    }
    for k, v in runs.items():
        print(
            f"{labels[k]}: median {med[k]:6.2f} s   "
            f"peak RSS {max(m for _, m in v):7.0f} MB   "
            f"runs {[round(w, 2) for w, _ in v]}"
        )
    # The machine's speed drifts between rounds (shared host), so besides the ratio of the
    # medians, each round's own ratio (its three runs are back to back) and the ratio of the
    # fastest runs are printed.
    for k in ("empty", "seeded"):
        rounds = [o / p for (o, _), (p, _) in zip(runs[k], runs["plain"], strict=True)]
        fastest = min(w for w, _ in runs[k]) / min(w for w, _ in runs["plain"])
        print(
            f"ratio, {k:6s} store / plain    : {med[k] / med['plain']:.2f}× of medians, "
            f"{statistics.median(rounds):.2f}× median of rounds {[round(r, 2) for r in rounds]}, "
            f"{fastest:.2f}× of the fastest runs"
        )
    print("(target ≤ 1.5×; peak memory target < 1,500 MB)")
    # the same two loads inside one Python process: no interpreter start, no imports
    import duckdb

    import accordwatch as aw

    inproc_plain, inproc_ours = [], []
    for i in range(repeats):
        pdb, odb = work / f"ip{i}.duckdb", work / f"io{i}.duckdb"
        aw.init_store(odb)  # seeded, not timed
        t = time.perf_counter()
        con = duckdb.connect(str(pdb))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
        con.close()
        inproc_plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        aw.ingest_ucdp(csv_path, db=odb)
        inproc_ours.append(time.perf_counter() - t)
        pdb.unlink(missing_ok=True)
        odb.unlink(missing_ok=True)
    ip, io = statistics.median(inproc_plain), statistics.median(inproc_ours)
    print(
        f"in one process (no start-up)   : plain {ip:.2f} s, "
        f"ingest_ucdp() {io:.2f} s → {io / ip:.2f}×"
    )


def bench_update(rows: int, repeats: int, work: Path) -> None:
    """A reload of a file with half its rows revised: compare, history, updates."""
    csv_path = work / f"ged_{rows}.csv"
    if not csv_path.exists():
        make_csv(rows, csv_path)
    revised = work / f"ged_{rows}_revised.csv"
    table = pacsv.read_csv(
        str(csv_path),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=False),
    )
    best = table.column("best").to_numpy().copy()
    best[::2] += 1  # every second row revised
    table = table.set_column(table.column_names.index("best"), "best", pa.array(best))
    high = np.maximum(table.column("high").to_numpy(), best)
    table = table.set_column(table.column_names.index("high"), "high", pa.array(high))
    pacsv.write_csv(table, str(revised), write_options=pacsv.WriteOptions(quoting_style="needed"))
    changed = (rows + 1) // 2
    print(f"\n== update: {rows:,} rows loaded again, {changed:,} of them revised ==")
    exe = str(Path(sys.executable).with_name("accordwatch"))
    plain_code = (
        "import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
        'c.execute("CREATE TABLE t AS SELECT * FROM read_csv(\'" + sys.argv[2] + "\')"); c.close()'
    )
    ours, plain = [], []
    for i in range(repeats):
        db = work / f"update{i}.duckdb"
        subprocess.run([exe, "init", "--empty", "--db", str(db)], check=True, capture_output=True)
        subprocess.run([exe, "ingest", "ucdp", str(csv_path), "--db", str(db)], check=True,
                       capture_output=True)  # fmt: skip
        ours.append(timed([exe, "ingest", "ucdp", str(revised), "--db", str(db)]))
        pdb = work / f"uplain{i}.duckdb"
        plain.append(timed([sys.executable, "-c", plain_code, str(pdb), str(revised)]))
        for f in (db, pdb):
            f.unlink(missing_ok=True)
    o, p = statistics.median(w for w, _ in ours), statistics.median(w for w, _ in plain)
    print(
        f"ingest ucdp of the revision: median {o:.2f} s, peak RSS {max(m for _, m in ours):.0f} MB"
        f"; plain read_csv of it {p:.2f} s → {o / p:.2f}× (peak memory target < 1,500 MB)"
    )


def bench_cold(work: Path, repeats: int) -> None:
    """Process start to exit of a short read from the shell, beside what any command costs."""
    exe = str(Path(sys.executable).with_name("accordwatch"))
    db = work / "cold.duckdb"
    subprocess.run([exe, "init", "--db", str(db)], check=True, capture_output=True)
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "accordwatch --help": [exe, "--help"],
        "events --country CAF --limit 5 --format json": [
            exe, "events", "--db", str(db), "--country", "CAF", "--limit", "5", "--format", "json"
        ],
    }  # fmt: skip
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(max(repeats, 5)):
        for k, cmd in cmds.items():
            times[k].append(timed(cmd)[0])
    print("\n== cold read from the shell (median of runs, same run) ==")
    help_s = statistics.median(times["accordwatch --help"])
    for k, v in times.items():
        med = statistics.median(v)
        print(f"{k:46s}: {med * 1000:5.0f} ms  ({med / help_s:.2f}× --help)")
    print("(target: the events read under 500 ms)")


def bench_query(rows: int, work: Path) -> None:
    import accordwatch as aw

    csv_path = work / f"ged_q_{rows}.csv"
    make_csv(rows, csv_path, spread_countries=True)
    db = work / "query.duckdb"
    t0 = time.perf_counter()
    with aw.open_store(db) as store:
        aw.ingest_ucdp(csv_path, db=store)
        n = store.count("events")
    print(f"\n== query: store of {n:,} events (built in {time.perf_counter() - t0:.1f} s) ==")
    args = dict(
        country="Central African Republic",
        since="2014-01-01",
        until="2015-12-31",
        actor="anti-Balaka",
    )
    with aw.open_store(db, read_only=True) as store:
        first = aw.events(store, **args)
        times = []
        for _ in range(30):
            t = time.perf_counter()
            df = aw.events(store, **args)
            times.append((time.perf_counter() - t) * 1000)
        assert len(df) == len(first)
        print(
            f"events(country, since, until, actor) → {len(df):,} rows: "
            f"median {statistics.median(times):.1f} ms, "
            f"p90 {sorted(times)[26]:.1f} ms (target: median < 50 ms)"
        )
        t = time.perf_counter()
        base = (
            store.query(
                "SELECT count(*) AS n FROM events WHERE country = 'Central African Republic'"
            )
            .iloc[0]
            .tolist()
        )
        print(
            "(for scale: a bare count(*) over the country filter: "
            f"{(time.perf_counter() - t) * 1000:.1f} ms, {base[0]:,} rows)"
        )
    exe = str(Path(sys.executable).with_name("accordwatch"))
    wall, _ = timed(
        [
            exe,
            "events",
            "--db",
            str(db),
            "--country",
            args["country"],
            "--since",
            args["since"],
            "--until",
            args["until"],
            "--actor",
            args["actor"],
            "--format",
            "csv",
        ]
    )
    print(
        f"cold CLI, same query (process start, imports, open, query, print): {wall * 1000:.0f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--query-rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--skip-update", action="store_true")
    ap.add_argument("--skip-query", action="store_true")
    ap.add_argument("--skip-cold", action="store_true")
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="aw-bench-") as tmp:
        work = Path(tmp)
        if not a.skip_ingest:
            bench_ingest(a.rows, a.repeats, work)
        if not a.skip_update:
            bench_update(a.rows, max(1, a.repeats // 2), work)
        if not a.skip_cold:
            bench_cold(work, a.repeats)
        if not a.skip_query:
            bench_query(a.query_rows, work)


if __name__ == "__main__":
    main()
