"""Full VIEWS-protocol backtest of the default model beside the same-run benchmarks.

Prints mean CRPS (overall and per test year), the ratio to conflictology (fitted and
scored in the same run: the baseline), Brier(≥25), 90 % and 50 % coverage per year, PIT
histograms (calibration; all unit-months and the units at war), and the fit + predict
time of each model beside conflictology's and the wall time of the whole run.

Usage (from the repository root, venv active)::

    python benchmarks/bench_backtest.py                  # reporting years 2018–2021
    python benchmarks/bench_backtest.py --years 2010 2011 2012 2013 2014 2015 2016 2017
    python benchmarks/bench_backtest.py --years 2010 2011 2012 2013 2014 2015 2016 2017 \
        --qgbm n_bags=1 steps_per_origin=4 seed=1   # a variant (validation years only)
    python benchmarks/bench_backtest.py --data path/to/ged_sb_cm.csv.gz --json out.json

Settings are chosen on validation years ≤ 2017 only; 2018–2021 are for reporting (see
docs/forecast.md, and docs/decisions/ for how each setting was chosen).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pandas as pd

from accordwatch.forecast import QuantileGBM, backtest, load_views_cm

PUBLISHED = {"conflictology": {2018: 14.48, 2019: 9.15, 2020: 21.34, 2021: 76.85, "mean": 30.45}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="VIEWS cm file (default: bundled)")
    parser.add_argument("--years", type=int, nargs="+", default=[2018, 2019, 2020, 2021])
    parser.add_argument("--json", type=Path, default=None, help="also write the JSON contract here")
    parser.add_argument(
        "--qgbm",
        nargs="+",
        default=None,
        metavar="KEY=VALUE",
        help="run qgbm with these settings instead of the defaults, e.g. n_bags=1 seed=2",
    )
    args = parser.parse_args()

    panel = load_views_cm(args.data)
    models = None
    if args.qgbm:
        kwargs = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.qgbm)}
        print(f"qgbm settings changed: {kwargs}")
        models = {"qgbm": QuantileGBM(**kwargs)}
    t0 = time.perf_counter()
    result = backtest(panel, args.years, models)
    wall = time.perf_counter() - t0

    pd.set_option("display.width", 140)
    scores = result.scores
    by_year = result.by_year()
    crps = by_year["crps"].unstack()
    cover = by_year["coverage_90"].unstack()
    brier = by_year["brier_25"].unstack()
    ref = crps.loc["conflictology"]
    print(
        f"VIEWS cm protocol, test years {args.years}; "
        f"{panel['unit_id'].nunique()} units in the file; "
        f"{int(scores['n'].iloc[0])} scored unit-months per model; cpu count {os.cpu_count()}"
    )
    print(f"default model: {result.default}\n")
    print("mean CRPS (lower is better)")
    table = crps.copy()
    table["mean"] = scores["crps"]
    table["x_conflictology"] = scores["crps_vs_conflictology"]
    print(table.round(3).to_string())
    print("\nCRPS ratio to conflictology per year")
    print((crps / ref).round(3).to_string())
    print("\n90 % interval coverage")
    print(cover.round(3).to_string())
    print("\n50 % interval coverage")
    print(by_year["coverage_50"].unstack().round(3).to_string())
    print("\nBrier score, P(deaths >= 25)")
    print(brier.round(4).to_string())
    for title, cal in (
        ("all scored unit-months", result.calibration()),
        (
            "units with >= 1 death a month on average in the 12 months through the cutoff",
            result.calibration(min_recent_mean=1.0),
        ),
    ):
        print(f"\nPIT histogram, 10 bins (calibrated: 0.10 each), {title}")
        print(cal.round(3).to_string())
        dev = cal.drop(columns="n").sub(0.1).abs().sum(axis=1) / 2
        print(
            "distance from flat (share of PIT mass to move): "
            + ", ".join(f"{k} {v:.3f}" for k, v in dev.items())
        )
    pub = PUBLISHED["conflictology"]
    shown = {y: pub[y] for y in args.years if y in pub}
    if shown:
        print(f"\npublished conflictology (191 countries): {shown}, mean 2018-2021 {pub['mean']}")
    base = result.seconds.get("conflictology") or float("nan")
    print(
        "\nfit + predict seconds per model (all years), and x conflictology's: "
        + ", ".join(f"{k} {v:.1f} ({v / base:.0f}x)" for k, v in result.seconds.items())
    )
    print(f"wall time of the whole backtest: {wall:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(result.to_dict(), indent=2))
        print(f"JSON written to {args.json}")


if __name__ == "__main__":
    main()
