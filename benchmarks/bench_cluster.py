"""Speed-up of the Dask runs on a LocalCluster of N workers against one process, the measured
task costs, the workers' memory, and the scheduling model's wall time for more workers.

Two workloads, each run in one process (the baseline, measured in the same run) and on a
``LocalCluster(n_workers=N, threads_per_worker=1)`` (processes):

* **backtest** — rolling October origins on a SYNTHETIC PRIO-GRID-month panel
  (``accordwatch._app.cluster_workload.synthetic_priogrid_panel``: the real VIEWS country
  series spread over each country's cells by a seeded random allocation), the default model
  (qgbm, with ``n_jobs=1`` in both runs so that one process is one core) and the benchmarks;
* **extract** — a folder of recombined documents made from the project's own test texts
  (``tests/data/extract/*.txt``; ``recombined_corpus``).

It checks that the cluster's result equals the single-process one, prints the wall times
(the cluster's start-up apart), the speed-up, each kind of task's measured cost (Dask's task
stream: compute, and transfer + (de)serialisation), the per-task overhead of the scheduler
(a same-run batch of empty tasks), each worker's resident memory, and the model's estimate of
the wall time on more workers (docs/cluster.md explains the model).  It prints and never
asserts.  Usage (repository root, venv active)::

    python benchmarks/bench_cluster.py                        # both workloads, 2 workers
    python benchmarks/bench_cluster.py --skip-extract --countries Mali Niger --years 2018 2021
    python benchmarks/bench_cluster.py --docs 2000 --workers 2 --json cluster.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "tests" / "data" / "extract"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _noop(i: int) -> int:
    return i


def _cpu() -> float:
    """User + system CPU seconds of this process so far (all its threads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _workers_cpu(client: Any) -> float:
    return float(sum(client.run(_cpu).values()))


def _cores(cpu: float, wall: float) -> str:
    return f"{cpu:.0f} CPU s = {cpu / wall:.2f} cores obtained"


def _warm_extractor() -> None:
    """Load what extraction loads once per process (the place and actor finders)."""
    from accordwatch.extract import extract_text

    extract_text("Clashes in Gao killed 3 soldiers.", published="2023-10-05")


def _task_costs(records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per kind of task (its function's name): count, summed and largest compute seconds, and
    the summed seconds of transfer and (de)serialisation."""
    out: dict[str, dict[str, float]] = defaultdict(
        lambda: {"n": 0, "compute": 0.0, "max": 0.0, "other": 0.0}
    )
    for r in records:
        kind = str(r["key"][0] if isinstance(r["key"], tuple) else r["key"]).split("-", 1)[0]
        row = out[kind]
        row["n"] += 1
        for ss in r["startstops"]:
            took = float(ss["stop"] - ss["start"])
            if ss["action"] == "compute":
                row["compute"] += took
                row["max"] = max(row["max"], took)
            else:
                row["other"] += took
    return dict(out)


def _makespan(records: list[dict[str, Any]]) -> float:
    """Seconds from the first task's start to the last task's end on the workers."""
    starts = [ss["start"] for r in records for ss in r["startstops"]]
    stops = [ss["stop"] for r in records for ss in r["startstops"]]
    return float(max(stops) - min(starts)) if starts else 0.0


def _model(
    costs: dict[str, dict[str, float]],
    overhead: float,
    merge: float,
    start: float,
    workers: int,
    warm: float = 0.0,
) -> dict[str, float]:
    """The scheduling model: start + warm-up + max(largest task, (sum of task costs) / W)
    + tasks × scheduler overhead + the single-process merge/load."""
    n = sum(c["n"] for c in costs.values())
    work = sum(c["compute"] + c["other"] for c in costs.values())
    longest = max(c["max"] for c in costs.values())
    return {
        "tasks": n,
        "work_s": work,
        "critical_path_s": longest,
        "wall_s": start + warm + max(longest, work / workers) + n * overhead + merge,
    }


def _scheduler_overhead(client: Any, n: int = 2000) -> float:
    """Seconds per empty task through this client's scheduler (wall / n, same run)."""
    t0 = time.perf_counter()
    futures = client.map(_noop, range(n), pure=False)
    client.gather(futures)
    return (time.perf_counter() - t0) / n


def _print_costs(costs: dict[str, dict[str, float]]) -> None:
    for kind, c in sorted(costs.items(), key=lambda kv: -kv[1]["compute"]):
        print(
            f"    {kind:<16} {int(c['n']):>6} tasks  compute {c['compute']:8.2f} s "
            f"(mean {c['compute'] / max(c['n'], 1):.4f}, largest {c['max']:.2f})  "
            f"transfer+serialisation {c['other']:.2f} s"
        )


def _memory(client: Any) -> str:
    from accordwatch._app.cluster import worker_memory

    mem = worker_memory(client)
    return ", ".join(
        f"{m['rss'] / 2**20:.0f} MB (peak {m['peak_rss'] / 2**20:.0f} MB)" for m in mem.values()
    )


def _estimates(
    costs: dict[str, dict[str, float]],
    overhead: float,
    merge: float,
    start: float,
    warm: float = 0.0,
) -> dict[int, dict[str, float]]:
    rows = {}
    for w in (1, 2, 8, 64):
        rows[w] = _model(costs, overhead, merge, start, w, warm)
        print(
            f"    model, {w:>2} workers: {rows[w]['wall_s']:8.1f} s  ({rows[w]['tasks']:.0f} "
            f"tasks, work {rows[w]['work_s']:.1f} s, critical path "
            f"{rows[w]['critical_path_s']:.1f} s)"
        )
    return rows


def bench_backtest(client: Any, args: argparse.Namespace, start: float) -> dict[str, Any]:
    from distributed import get_task_stream

    from accordwatch._app.cluster import backtest_origins_on
    from accordwatch._app.cluster_workload import synthetic_priogrid_panel
    from accordwatch.forecast import QuantileGBM, backtest_origins, origin_months

    t0 = time.perf_counter()
    panel = synthetic_priogrid_panel(args.countries, seed=0, max_cells=args.max_cells)
    made = time.perf_counter() - t0
    origins = origin_months(panel, "october", args.years[0], args.years[1])
    cells = panel["unit_id"].nunique()
    print(
        f"\nbacktest: SYNTHETIC PRIO-GRID-month panel of {', '.join(args.countries)}: {cells} "
        f"cells, {len(panel):,} rows (made in {made:.1f} s); {len(origins)} October origins "
        f"{args.years[0]}-{args.years[1]}; qgbm (n_jobs=1) + zero, last, conflictology"
    )

    def models() -> dict[str, Any]:
        return {"qgbm": QuantileGBM(n_jobs=1)}

    print(f"  load before: {_load()}")
    t0, c0 = time.perf_counter(), _cpu()
    here = backtest_origins(panel, origins, models=models())
    one, cpu_one = time.perf_counter() - t0, _cpu() - c0
    print(f"  1 process: {one:.1f} s, {_cores(cpu_one, one)} (load {_load()})")
    t0, c0 = time.perf_counter(), _workers_cpu(client)
    with get_task_stream(client) as ts:
        there = backtest_origins_on(
            client, panel, origins, models=models(), group_size=args.group_size
        )
    many, cpu_many = time.perf_counter() - t0, _workers_cpu(client) - c0
    print(f"  {args.workers} workers: {_cores(cpu_many, many)} (the workers' CPU)")
    same = there.frame.equals(here.frame)
    print(
        f"  {args.workers} workers: {many:.1f} s (+ {start:.1f} s cluster start), speed-up "
        f"{one / many:.2f}x ({one / (many + start):.2f}x with the start) (load {_load()}); "
        f"same frame: {same}"
    )
    costs = _task_costs(ts.data)
    merge = max(0.0, many - _makespan(ts.data))
    print("  task costs (measured on the workers):")
    _print_costs(costs)
    print(f"  this process outside the tasks' span (plan, submit, gather, merge): {merge:.1f} s")
    print(f"  workers' memory: {_memory(client)}")
    return {
        "cells": int(cells),
        "rows": len(panel),
        "origins": len(origins),
        "one_process_s": one,
        "cluster_s": many,
        "cpu_one_s": cpu_one,
        "cpu_workers_s": cpu_many,
        "speedup": one / many,
        "same": bool(same),
        "costs": costs,
        "merge_s": merge,
    }


def bench_extract(client: Any, args: argparse.Namespace, start: float) -> dict[str, Any]:
    from distributed import get_task_stream

    from accordwatch._app.cluster import extract_on
    from accordwatch._app.cluster_workload import recombined_corpus
    from accordwatch.extract import extract_path

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        sources = sorted(TEXTS.glob("*.txt"))
        recombined_corpus(sources, folder, args.docs, seed=0)
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(
            f"\nextract: {args.docs:,} documents ({size / 1e6:.1f} MB) recombined from "
            f"{len(sources)} test texts; load before: {_load()}"
        )
        # the gazetteer and the actor registry load once per process: apart from the timings
        t0 = time.perf_counter()
        _warm_extractor()
        warm_here = time.perf_counter() - t0
        t0 = time.perf_counter()
        client.run(_warm_extractor)
        warm_there = time.perf_counter() - t0
        print(
            f"  warm-up (gazetteer, actors): {warm_here:.1f} s in this process, "
            f"{warm_there:.1f} s on the workers at once"
        )
        t0, c0 = time.perf_counter(), _cpu()
        here = extract_path(folder, published="2023-10-05")
        one, cpu_one = time.perf_counter() - t0, _cpu() - c0
        print(
            f"  1 process: {one:.1f} s, {len(here.events):,} events, {_cores(cpu_one, one)} "
            f"(load {_load()})"
        )
        t0, c0 = time.perf_counter(), _workers_cpu(client)
        with get_task_stream(client) as ts:
            there = extract_on(client, folder, published="2023-10-05", batch_size=args.batch)
        many, cpu_many = time.perf_counter() - t0, _workers_cpu(client) - c0
        print(f"  {args.workers} workers: {_cores(cpu_many, many)} (the workers' CPU)")
        same = there.to_dict() == here.to_dict()
    print(
        f"  {args.workers} workers: {many:.1f} s (+ {start:.1f} s cluster start), speed-up "
        f"{one / many:.2f}x ({one / (many + start):.2f}x with the start) (load {_load()}); "
        f"same events: {same}"
    )
    costs = _task_costs(ts.data)
    merge = max(0.0, many - _makespan(ts.data))
    print("  task costs (measured on the workers):")
    _print_costs(costs)
    print(f"  this process outside the tasks' span (list, submit, gather, join): {merge:.1f} s")
    print(f"  workers' memory: {_memory(client)}")
    return {
        "docs": args.docs,
        "one_process_s": one,
        "cluster_s": many,
        "cpu_one_s": cpu_one,
        "cpu_workers_s": cpu_many,
        "speedup": one / many,
        "same": bool(same),
        "costs": costs,
        "merge_s": merge,
        "warm_s": warm_there,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--countries", nargs="+", default=["Mali", "Burkina Faso"])
    ap.add_argument("--max-cells", type=int, default=None, help="cells per country at most")
    ap.add_argument("--years", nargs=2, type=int, default=[2018, 2021], help="origin years")
    ap.add_argument("--group-size", type=int, default=500, help="units per scoring task")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=None, help="documents per extraction task")
    ap.add_argument("--skip-backtest", action="store_true")
    ap.add_argument("--skip-extract", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from accordwatch._app.cluster import open_cluster

    print(f"cpu count {os.cpu_count()}; load average (1, 5, 15 min) {_load()}")
    t0 = time.perf_counter()
    with open_cluster(f"local:{args.workers}") as client:
        start = time.perf_counter() - t0
        overhead = _scheduler_overhead(client)
        print(
            f"LocalCluster of {args.workers} single-threaded worker processes started in "
            f"{start:.1f} s; scheduler overhead {overhead * 1e3:.2f} ms per task (2,000 empty "
            "tasks)"
        )
        out: dict[str, Any] = {"workers": args.workers, "start_s": start, "overhead_s": overhead}
        if not args.skip_backtest:
            out["backtest"] = bench_backtest(client, args, start)
            print("  scheduling model (docs/cluster.md):")
            out["backtest"]["model"] = _estimates(
                out["backtest"]["costs"], overhead, out["backtest"]["merge_s"], start
            )
        if not args.skip_extract:
            out["extract"] = bench_extract(client, args, start)
            print("  scheduling model (docs/cluster.md):")
            ex = out["extract"]
            ex["model"] = _estimates(ex["costs"], overhead, ex["merge_s"], start, ex["warm_s"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"\nthis process's peak memory {peak:.0f} MB; load average at the end {_load()}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=float))
        print(f"JSON written to {args.json}")


if __name__ == "__main__":
    main()
