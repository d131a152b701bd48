"""Validation-only harness for variants of ``QuantileGBM`` (years 2010–2017).

Fits a variant once per validation year, caches its predicted quantiles (steps 3–14 of
the scored units) in a scratch folder, and scores it — alone, with another history
share, or quantile-averaged with other cached variants — as CRPS relative to the
conflictology benchmark of the same run (total CRPS over the eight years / total
conflictology CRPS, and the worst single year). It never runs the reporting years
2018–2021.

Usage (from the repository root, venv active)::

    python benchmarks/experiments/bench_forecast_variants.py default             # the default
    python benchmarks/experiments/bench_forecast_variants.py m12 anchor='"mean12"'   # a variant
    python benchmarks/experiments/bench_forecast_variants.py anch3 anchor='"mean3"' \
        --combine default                                       # + quantile averaging

The name only labels the cache: delete the cache folder after changing the code.
Options that exist only at commit ada6604 (ratio target, recency half-life, neighbour
features, linear trees, seasonal feature) need that commit checked out.
What it was used for: docs/decisions/2026-11-27-forecast-round-3-target-anchor.md.

Cache: ``--cache DIR``, else ``$ACCORDWATCH_VARIANTS``, else ``accordwatch-variants`` in
the system's temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from accordwatch.forecast import Conflictology, QuantileGBM, load_views_cm, protocol_window
from accordwatch.forecast._learned import ensemble  # the ensemble QuantileGBM builds
from accordwatch.forecast._scores import covered, crps

CACHE = Path(
    os.environ.get("ACCORDWATCH_VARIANTS") or Path(tempfile.gettempdir()) / "accordwatch-variants"
)
YEARS = list(range(2010, 2018))
_panel = None


def _data():
    global _panel
    if _panel is None:
        _panel = load_views_cm()
    return _panel


def base(year: int) -> dict[str, np.ndarray]:
    """Scored units, actuals, conflictology CRPS and the last 12 months, for one validation year."""
    f = CACHE / f"base_{year}.npz"
    if f.exists():
        return dict(np.load(f))
    panel = _data()
    cut, targets = protocol_window(year)
    train = panel[panel.month_id <= cut]
    actual = panel[panel.month_id.isin(targets)].pivot(
        index="unit_id", columns="month_id", values="y"
    )
    actual = actual.reindex(columns=targets).dropna()
    c = Conflictology().fit(train).predict(14)
    units = sorted(set(actual.index) & {int(u) for u in c.unit_id})
    obs = actual.loc[units].to_numpy()
    ens = c.select(units).values[:, 2:14, :]
    cc = crps(obs.ravel(), ens.reshape(obs.size, -1)).reshape(obs.shape)
    recent = (
        train.pivot(index="unit_id", columns="month_id", values="y")
        .loc[units]
        .iloc[:, -12:]
        .to_numpy()
    )
    out = {"units": np.array(units), "obs": obs, "ccrps": cc, "recent": recent}
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(f, **out)
    return out


def fit_variant(name: str, kw: dict) -> None:
    """Fit and cache the variant's quantiles for every validation year not cached yet."""
    panel = _data()
    for year in YEARS:
        f = CACHE / f"{name}_{year}.npz"
        if f.exists():
            continue
        base(year)
        train = panel[panel.month_id <= protocol_window(year)[0]]
        t0 = time.perf_counter()
        m = QuantileGBM(**kw).fit(train)
        np.savez(f, qv=m.predict_quantiles(14), ids=m.history_.unit_id, qs=np.array(m.quantiles))
        print(f"  fitted {name} {year} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def _quantiles(name: str, year: int, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.load(CACHE / f"{name}_{year}.npz")
    pos = {int(u): i for i, u in enumerate(z["ids"])}
    return z["qv"][[pos[int(u)] for u in units]][:, 2:14, :], z["qs"]


def score(
    parts: list[tuple[str, float]], mix: float = 0.25, label: str = ""
) -> tuple[float, float]:
    """Mean and worst-year CRPS ratio to conflictology of a weighted log-scale quantile average."""
    ratios, covers, tot, totc = [], [], 0.0, 0.0
    for year in YEARS:
        b = base(year)
        logq, qs = 0.0, None
        for name, weight in parts:
            q, qs = _quantiles(name, year, b["units"])
            logq = logq + weight * np.log1p(q)
        ens = ensemble(np.expm1(logq), qs, b["recent"], mix)
        o = b["obs"].ravel()
        c = crps(o, ens.reshape(len(o), -1))
        ratios.append(c.sum() / b["ccrps"].sum())
        covers.append(covered(o, ens.reshape(len(o), -1)).mean())
        tot, totc = tot + c.sum(), totc + b["ccrps"].sum()
    label = label or " + ".join(f"{w:g}·{n}" for n, w in parts) + f", history share {mix}"
    print(
        f"{label}: mean {tot / totc:.3f} x conflictology, worst year {max(ratios):.3f} | "
        + " ".join(f"{y}:{r:.3f}" for y, r in zip(YEARS, ratios, strict=True))
        + " | coverage90 "
        + " ".join(f"{c:.2f}" for c in covers)
    )
    return tot / totc, max(ratios)


def main() -> None:
    global CACHE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="cache name of the variant")
    parser.add_argument(
        "settings", nargs="*", metavar="KEY=VALUE", help="QuantileGBM settings (JSON values)"
    )
    parser.add_argument("--mix", type=float, default=None, help="history share used in scoring")
    parser.add_argument("--cache", type=Path, default=None, help=f"cache folder (default {CACHE})")
    parser.add_argument(
        "--combine",
        nargs="+",
        default=None,
        metavar="NAME",
        help="also score the equal-weight quantile average of these cached variants",
    )
    args = parser.parse_args()
    if args.cache is not None:
        CACHE = args.cache
    kw = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.settings)}
    mix = args.mix if args.mix is not None else kw.get("mix", 0.25)
    t0 = time.perf_counter()
    fit_variant(args.name, kw)
    print(f"{args.name} {kw}: fitted in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    score([(args.name, 1.0)], mix=mix, label=f"{args.name} {kw}")
    if args.combine:
        names = [args.name, *args.combine]
        score([(n, 1 / len(names)) for n in names], mix=mix)


if __name__ == "__main__":
    main()
