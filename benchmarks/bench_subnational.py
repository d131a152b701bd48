"""Sub-national robustness: admin-1 and PRIO-GRID forecasts from the bundled CAF events, scored
on rolling October origins and stress origins beside the same-run benchmarks.

The series are built as ``accordwatch forecast --from-store`` builds them (state-based
deaths of the store's dataset events per unit and month) from a throw-away store seeded with
the bundled data (UCDP GED 23.1, Central African Republic, 1,848 events, 1990s–2022).
A stress origin here is a month when some unit had at least ``--stress-min-deaths`` deaths
(default 25: sub-national units rarely reach the country threshold of 1,000) and its record so
far or ≥ 5 × its mean of the 12 months before.

Printed per level, for the default ``qgbm``, ``qgbm`` with its spike guard at the stress
threshold (``guard_min`` = that threshold) and without the guard: the pooled CRPS ratio to
conflictology over the October origins and over the stress origins, for years ≤ 2017 (dev)
and 2018–2022 (reporting), the worst origin and the worst unit-window. It prints and never
asserts. Usage (repository root, venv active)::

    python benchmarks/bench_subnational.py                 # both levels, origins 2010-2022
    python benchmarks/bench_subnational.py --level admin1 --json sub.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import accordwatch as aw
from accordwatch.forecast import (
    QuantileGBM,
    backtest_origins,
    origin_months,
    possible_origin_years,
    series_from_events,
)


def _panel(level: str) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.duckdb"
        aw.init_store(db)
        events = aw.events(db, type_of_violence=1)
    return series_from_events(events, level, type_of_violence=1)  # type: ignore[arg-type]


def _summary(res: Any, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, part in (("dev", (None, 2017)), ("report", (2018, 2022))):
        sub = res.subset(first_year=part[0], last_year=part[1])
        for kind, sel in (
            ("october", sub.subset(october=True)),
            ("stress", sub.subset(stress=True)),
        ):
            if not sel.origins:
                continue
            pooled = sel.pooled()
            worst = sel.worst_origin(name)
            window = sel.worst_unit_window(name)
            out[f"{label}_{kind}"] = {
                "origins": len(sel.origins),
                "ratio": round(float(pooled.loc[name, "ratio"]), 3),
                "worst_origin": f"{worst['origin']}: {worst['ratio']:.3f}",
                "worst_window": f"{window['unit']} from {window['origin']}: {window['ratio']:.3f}",
                "coverage_90": round(float(pooled.loc[name, "coverage_90"]), 3),
            }
    return out


def run(level: str, min_deaths: float, first_year: int) -> dict[str, Any]:
    panel = _panel(level)
    years = possible_origin_years(panel, "october")
    first, last = max(years[0], first_year), years[-1]
    origins = origin_months(panel, "october", first, last, stress=True, min_deaths=min_deaths)
    models = {
        "qgbm": QuantileGBM(),
        "qgbm_guard_at_threshold": QuantileGBM(guard_min=min_deaths),
        "qgbm_no_guard": QuantileGBM(guard_ratio=None),
    }
    for name, m in models.items():
        m.name = name  # type: ignore[misc]
    t0 = time.perf_counter()
    res = backtest_origins(
        panel,
        origins,
        models,
        min_deaths=min_deaths,
        progress=lambda d, n, o: print(f"  {level}: {d}/{n}", file=sys.stderr, flush=True),
    )
    seconds = time.perf_counter() - t0
    return {
        "level": level,
        "units": int(panel["unit_id"].nunique()),
        "years": [first, last],
        "origins": len(origins),
        "stress_min_deaths": min_deaths,
        "seconds": round(seconds, 1),
        "models": {name: _summary(res, name) for name in models},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--level", choices=["admin1", "priogrid"], action="append")
    ap.add_argument("--stress-min-deaths", type=float, default=25.0)
    ap.add_argument(
        "--from",
        dest="first",
        type=int,
        default=2010,
        help="first origin year (earlier CAF years hold too few events for the pooled model)",
    )
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    levels = a.level or ["admin1", "priogrid"]
    results = [run(level, a.stress_min_deaths, a.first) for level in levels]
    for r in results:
        print(
            f"\n{r['level']}: {r['units']} units, origins of {r['years'][0]}–{r['years'][1]} "
            f"({r['origins']}), stress ≥ {r['stress_min_deaths']:g} deaths, {r['seconds']} s"
        )
        for name, parts in r["models"].items():
            for part, s in parts.items():
                print(
                    f"  {name:24s} {part:15s} n={s['origins']:3d} ratio {s['ratio']:.3f}  "
                    f"cov90 {s['coverage_90']:.3f}  worst {s['worst_origin']}  "
                    f"window {s['worst_window']}"
                )
    if a.json:
        a.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
