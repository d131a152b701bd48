"""Rolling-origin figures of the default model beside the same-run benchmarks, and the speed of
a stored forecast against a fresh fit.

In one run it prints

* the wall time of the October rolling-origin run (test years 1995–2022: origins October
  1994 … October 2021) and, as its same-run baseline, of the 4-year VIEWS backtest
  (2018–2021);
* the pooled CRPS ratio to conflictology over the October origins and over the stress
  origins (a fit at every origin), for the years ≤ 2017 (dev: the only ones to choose
  settings on) and ≤ 2021, with the worst origin and the worst unit-window of each, and the
  ratio of every October origin and every stress origin;
* the time of ``accordwatch forecast --country Mali`` from a stored forecast beside a fresh
  fit of the same data (both in a throw-away store), and whether their output is the same.

It prints and never asserts.  Usage (from the repository root, venv active)::

    python benchmarks/bench_origins.py                       # everything (about 30 min)
    python benchmarks/bench_origins.py --skip-origins        # only the forecast timing
    python benchmarks/bench_origins.py --first 2010 --last 2017 --json dev.json

Settings are chosen on dev origins (years ≤ 2017) only; later origins are for reporting.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from accordwatch.forecast import (
    OriginsResult,
    backtest,
    backtest_origins,
    load_views_cm,
    month_label,
    origin_months,
)

DEV_LAST, REPORT_LAST = 2017, 2021


def _progress(label: str, t0: float) -> Any:
    def show(done: int, total: int, origin: int) -> None:
        elapsed = time.perf_counter() - t0
        print(f"  {label}: {done}/{total} ({month_label(origin)}) {elapsed:.0f} s", flush=True)

    return show


def _summary(name: str, res: OriginsResult, last_year: int) -> None:
    try:
        part = res.subset(last_year=last_year)
    except Exception as exc:  # no origin of these years in the run
        print(f"{name} <= {last_year}: {exc}")
        return
    pooled = part.pooled()
    model = part.default
    wo, wu = part.worst_origin(model), part.worst_unit_window(model)
    ratios = ", ".join(f"{m} {r:.3f}" for m, r in pooled["ratio"].items())
    print(
        f"{name} origins, years <= {last_year} ({len(part.origins)} origins): pooled ratio {ratios}"
    )
    print(
        f"  {model}: worst origin {wo['origin']} {wo['ratio']:.3f}x; share of origins worse "
        f"than conflictology {pooled['share_worse'].to_dict()[model]:.2f}; worst unit-window "
        f"{wu['unit']} from {wu['origin']} (deaths at origin {wu['deaths_at_origin']:,.0f}, "
        f"window CRPS {wu['crps']:.1f} vs {wu['crps_conflictology']:.1f}; pooled ratio "
        f"without it {wu['pooled_ratio_without']:.3f})"
    )


def _per_origin(res: OriginsResult, stress: bool) -> None:
    per = res.by_origin()
    table = per.pivot(index="origin", columns="model", values="ratio")
    table.insert(0, "year", per.drop_duplicates("origin").set_index("origin")["year"])
    if stress:
        names = res.stress.groupby("origin")["unit"].agg(", ".join)
        table["stress_units"] = names
    print(table.drop(columns="conflictology").round(3).to_string())


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - t0, out.stdout, out.stderr


def _forecast_timing(data: Path | None) -> None:
    print("\naccordwatch forecast --country Mali (JSON), a throw-away store")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, ACCORDWATCH_DB=str(Path(tmp) / "bench.duckdb"))
        exe = [sys.executable, "-m", "accordwatch"]
        subprocess.run([*exe, "init", "--empty"], capture_output=True, env=env, check=True)
        cmd = [*exe, "forecast", "--country", "Mali", "-f", "json"]
        if data is not None:
            cmd += ["--data", str(data)]
        fresh, out_fresh, err_fresh = _timed(cmd, env)
        stored, out_stored, err_stored = _timed(cmd, env)
        again, out_again, _ = _timed(cmd, env)
        refit, out_refit, _ = _timed([*cmd, "--refit"], env)
    print(f"  fresh fit + store: {fresh:.2f} s ({err_fresh.splitlines()[0] if err_fresh else ''})")
    print(
        f"  from the store:    {stored:.2f} s, again {again:.2f} s ({err_stored.splitlines()[0]})"
    )
    print(f"  --refit:           {refit:.2f} s")
    print(f"  stored / fresh: {stored / fresh:.3f}; under 2 s: {stored < 2.0}")
    print(f"  same output (stored == fresh == refit): {out_fresh == out_stored == out_refit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="VIEWS cm file (default: bundled)")
    parser.add_argument("--first", type=int, default=1995, help="first origin year")
    parser.add_argument("--last", type=int, default=2022, help="last origin year")
    parser.add_argument("--refit", type=int, default=1, help="months between fits (default 1)")
    parser.add_argument("--json", type=Path, default=None, help="write both runs' JSON here")
    parser.add_argument("--skip-origins", action="store_true", help="only the forecast timing")
    args = parser.parse_args()

    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 200)
    print(f"cpu count {os.cpu_count()}")
    if not args.skip_origins:
        panel = load_views_cm(args.data)
        october = origin_months(panel, "october", args.first, args.last)
        stress = origin_months(panel, None, args.first, args.last, stress=True)
        print(
            f"{len(october)} October origins {month_label(october[0])}–{month_label(october[-1])}, "
            f"{len(stress)} stress origins; refit every {args.refit} month(s)"
        )
        t0 = time.perf_counter()
        oct_run = backtest_origins(
            panel, october, refit=args.refit, progress=_progress("october", t0)
        )
        oct_wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        four = backtest(panel, [2018, 2019, 2020, 2021])
        four_wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        stress_run = backtest_origins(
            panel, stress, refit=args.refit, progress=_progress("stress", t0)
        )
        stress_wall = time.perf_counter() - t0

        print(
            f"\nwall time: October {args.first}-{args.last} rolling origins {oct_wall:.0f} s "
            f"({len(october)} origins); 4-year backtest 2018-2021 {four_wall:.0f} s "
            f"(x{oct_wall / four_wall:.1f}); stress origins {stress_wall:.0f} s "
            f"({len(stress)} origins)"
        )
        print(
            "fit + predict seconds per model, October run: "
            + ", ".join(f"{k} {v:.0f}" for k, v in oct_run.seconds.items())
        )
        qgbm4 = four.scores["crps_vs_conflictology"].to_dict()[four.default]
        print(f"4-year backtest: {four.default} {qgbm4:.3f}x conflictology\n")
        for last in (DEV_LAST, REPORT_LAST, args.last):
            _summary("October", oct_run, last)
        for last in (DEV_LAST, REPORT_LAST, args.last):
            _summary("stress", stress_run, last)
        print("\nCRPS ratio to conflictology per October origin")
        _per_origin(oct_run, stress=False)
        print("\nCRPS ratio to conflictology per stress origin")
        _per_origin(stress_run, stress=True)
        if args.json:
            args.json.write_text(
                json.dumps({"october": oct_run.to_dict(), "stress": stress_run.to_dict()})
            )
            print(f"JSON written to {args.json}")
    _forecast_timing(args.data)


if __name__ == "__main__":
    main()
