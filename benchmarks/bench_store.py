"""Ingest and query figures for the event store (issue #2), printed, never asserted.

    python benchmarks/bench_store.py [--rows 400000] [--query-rows 1000000] [--repeats 3]

1. Ingest: a GED CSV of --rows rows made by repeating the real bundled UCDP GED 23.1
   CAF events with fresh ids.  ``accordwatch ingest ucdp`` (the real command, in a child
   process, into a seeded store) is timed against a plain DuckDB ``read_csv`` of the same
   file into a table (also a child process), alternating, --repeats times each; medians
   and the ratio are printed, with each child's peak memory (ru_maxrss).
2. Query: a store of --query-rows events (the same rows spread over ten countries);
   ``accordwatch.events(country=…, since=…, until=…, actor=…)`` on an open store,
   median latency over 30 calls, plus the cold CLI time for the same query.
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
    (482, "Central African Republic"), (432, "Mali"), (436, "Niger"), (439, "Burkina Faso"),
    (475, "Nigeria"), (483, "Chad"), (625, "Sudan"), (520, "Somalia"), (490, "DR Congo (Zaire)"), (530, "Ethiopia"),
]


def make_csv(rows: int, path: Path, spread_countries: bool = False) -> None:
    src = resources.files("accordwatch") / "data" / "ucdp" / "GEDEvent_v23_1_CAF.csv"
    header = Path(str(src)).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    base = pacsv.read_csv(
        str(src), parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header}, strings_can_be_null=False),
    )
    reps = -(-rows // base.num_rows)
    copies = []
    for k in range(reps):
        t = base
        if spread_countries:
            gw, name = COUNTRIES[k % len(COUNTRIES)]
            t = t.set_column(t.column_names.index("country"), "country", pa.array([name] * t.num_rows))
            t = t.set_column(t.column_names.index("country_id"), "country_id", pa.array([str(gw)] * t.num_rows))
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
        "c.execute(\"CREATE TABLE t AS SELECT * FROM read_csv('\" + sys.argv[2] + \"')\"); c.close()"
    )
    exe = str(Path(sys.executable).with_name("accordwatch"))
    plain, ours = [], []
    for i in range(repeats):
        pdb = work / f"plain{i}.duckdb"
        odb = work / f"ours{i}.duckdb"
        subprocess.run([exe, "init", "--db", str(odb)], check=True, capture_output=True)  # seeded store, not timed
        for which in (("plain", "ours") if i % 2 == 0 else ("ours", "plain")):
            if which == "plain":
                plain.append(timed([sys.executable, "-c", plain_code, str(pdb), str(csv_path)]))
            else:
                ours.append(timed([exe, "ingest", "ucdp", str(csv_path), "--db", str(odb)]))
        pdb.unlink(missing_ok=True)
        odb.unlink(missing_ok=True)
    p_wall = statistics.median(w for w, _ in plain)
    o_wall = statistics.median(w for w, _ in ours)
    print(f"plain DuckDB read_csv → table : median {p_wall:6.2f} s   peak RSS {max(m for _, m in plain):7.0f} MB   runs {[round(w, 2) for w, _ in plain]}")
    print(f"accordwatch ingest ucdp        : median {o_wall:6.2f} s   peak RSS {max(m for _, m in ours):7.0f} MB   runs {[round(w, 2) for w, _ in ours]}")
    print(f"ratio ingest / plain read      : {o_wall / p_wall:.2f}×   (target ≤ 1.5×; peak memory target < 1,500 MB)")
    # the same two loads inside one Python process: no interpreter start, no imports
    import duckdb

    import accordwatch as aw
    from accordwatch.store import Store

    inproc_plain, inproc_ours = [], []
    for i in range(repeats):
        pdb, odb = work / f"ip{i}.duckdb", work / f"io{i}.duckdb"
        with Store.open(odb):
            pass  # seeded, not timed
        t = time.perf_counter()
        con = duckdb.connect(str(pdb))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
        con.close()
        inproc_plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        with Store.open(odb) as store:
            aw.ingest_ucdp(csv_path, db=store)
        inproc_ours.append(time.perf_counter() - t)
        pdb.unlink(missing_ok=True)
        odb.unlink(missing_ok=True)
    ip, io = statistics.median(inproc_plain), statistics.median(inproc_ours)
    print(f"in one process (no start-up)   : plain {ip:.2f} s, ingest_ucdp() {io:.2f} s → {io / ip:.2f}×")


def bench_query(rows: int, work: Path) -> None:
    import accordwatch as aw
    from accordwatch.store import Store

    csv_path = work / f"ged_q_{rows}.csv"
    make_csv(rows, csv_path, spread_countries=True)
    db = work / "query.duckdb"
    t0 = time.perf_counter()
    with Store.open(db) as store:
        aw.ingest_ucdp(csv_path, db=store)
        n = store.count("events")
    print(f"\n== query: store of {n:,} events (built in {time.perf_counter() - t0:.1f} s) ==")
    args = dict(country="Central African Republic", since="2014-01-01", until="2015-12-31", actor="anti-Balaka")
    with Store.open(db) as store:
        first = aw.events(store, **args)
        times = []
        for _ in range(30):
            t = time.perf_counter()
            df = aw.events(store, **args)
            times.append((time.perf_counter() - t) * 1000)
        assert len(df) == len(first)
        print(f"events(country, since, until, actor) → {len(df):,} rows: median {statistics.median(times):.1f} ms, "
              f"p90 {sorted(times)[26]:.1f} ms (target: median < 50 ms)")
        t = time.perf_counter()
        base = store.con.execute("SELECT count(*) FROM events WHERE country = 'Central African Republic'").fetchone()
        print(f"(for scale: a bare count(*) over the country filter: {(time.perf_counter() - t) * 1000:.1f} ms, {base[0]:,} rows)")
    exe = str(Path(sys.executable).with_name("accordwatch"))
    wall, _ = timed([exe, "events", "--db", str(db), "--country", args["country"], "--since", args["since"],
                     "--until", args["until"], "--actor", args["actor"], "--format", "csv"])
    print(f"cold CLI, same query (process start, imports, open, query, print): {wall * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--query-rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--skip-query", action="store_true")
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="aw-bench-") as tmp:
        work = Path(tmp)
        if not a.skip_ingest:
            bench_ingest(a.rows, a.repeats, work)
        if not a.skip_query:
            bench_query(a.query_rows, work)


if __name__ == "__main__":
    main()
