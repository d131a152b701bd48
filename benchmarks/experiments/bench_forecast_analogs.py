"""Validation-only harness (years 2010-2017): analogue forecasts.

A different model class from the pooled trees: for every unit, find the K windows of the
past (any unit, any month whose 14 following months are known at the cutoff) whose last
W months of log1p(deaths) are closest to the unit's own last W months, and take what
followed them (steps 3-14) as ensemble members — re-anchored to the unit's level
(``anchor="last"``: the member's change since its window's last month is added to the
unit's last month, on the log scale; ``"mean"``: against the window means; ``"none"``:
the analogue's own values). The analogue members are scored alone and mixed into the
default model's ensemble (the cached quantiles of ``bench_forecast_variants.py``), as
CRPS relative to the conflictology benchmark of the same run.

Usage (repository root, venv active)::

    python benchmarks/experiments/bench_forecast_analogs.py --k 50 --anchor last mean none
    python benchmarks/experiments/bench_forecast_analogs.py --k 20 200 --w 6 24 --decay 0 0.2
    python benchmarks/experiments/bench_forecast_analogs.py --k 20 200 --w 24 --model default_s10

Needs the default's cached quantiles: run ``bench_forecast_variants.py default`` (and
``bench_forecast_variants.py default_s10 seed=10``) first, with the same
``$ACCORDWATCH_VARIANTS``. What it showed:
docs/decisions/2026-11-27-forecast-round-5-analogues.md.

It never runs the reporting years 2018-2021.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import bench_forecast_variants as bv

from accordwatch.forecast import protocol_window
from accordwatch.forecast._scores import crps

STEPS = np.arange(3, 15)


def _matrix(cut: int):
    panel = bv._data()
    wide = panel[panel.month_id <= cut].pivot(index="unit_id", columns="month_id", values="y")
    wide = wide.reindex(columns=range(int(wide.columns.min()), cut + 1))
    return wide.index.to_numpy(), np.log1p(wide.to_numpy(dtype=float))


def analogue_members(
    year: int, units: np.ndarray, k: int, w: int, anchor: str, decay: float = 0.0
) -> np.ndarray:
    """Log1p ensemble members ``[unit, step 3..14, k]`` of one validation year."""
    cut, _ = protocol_window(year)
    ids, lg = _matrix(cut)
    n_u, n_m = lg.shape
    # library: windows ending at column e with e + 14 <= last column, all known
    ends = np.arange(w - 1, n_m - 1 - 14 + 1)
    win = np.stack([lg[:, e - w + 1 : e + 1] for e in ends], axis=1)  # unit, end, w
    fut = np.stack([lg[:, e + STEPS] for e in ends], axis=1)  # unit, end, 12
    ok = ~(np.isnan(win).any(-1) | np.isnan(fut).any(-1))
    win, fut = win[ok], fut[ok]
    wts = np.exp(-decay * np.arange(w)[::-1])  # recent months count more
    wts = np.sqrt(wts / wts.mean())
    pos = {int(u): i for i, u in enumerate(ids)}
    q = lg[[pos[int(u)] for u in units], n_m - w :]
    a, b = q * wts, win * wts
    d = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    nn = np.argpartition(d, k, axis=1)[:, :k]
    f = fut[nn]  # unit, k, 12
    if anchor == "last":
        f = q[:, -1][:, None, None] + (f - win[nn][..., -1:])
    elif anchor == "mean":
        f = q.mean(1)[:, None, None] + (f - win[nn].mean(-1, keepdims=True))
    return np.clip(f, 0, None).transpose(0, 2, 1)


def score(
    k: int,
    w: int,
    anchor: str,
    shares: list[tuple[float, float]],
    decay: float = 0.0,
    model: str = "default",
) -> None:
    res = {s: ([], 0.0, 0.0) for s in shares}
    alone, tot_a, tot_c = [], 0.0, 0.0
    for year in bv.YEARS:
        b = bv.base(year)
        an = np.expm1(analogue_members(year, b["units"], k, w, anchor, decay))
        o = b["obs"].ravel()
        ca = crps(o, an.reshape(len(o), -1))
        alone.append(ca.sum() / b["ccrps"].sum())
        tot_a, tot_c = tot_a + ca.sum(), tot_c + b["ccrps"].sum()
        qv, qs = bv._quantiles(model, year, b["units"])
        for hist, share in shares:
            n_an = int(round(1000 * share))
            ens = bv.ensemble(qv, qs, b["recent"], hist, n=1000 - n_an)
            if n_an:
                ens = np.concatenate([ens, an[..., np.resize(np.arange(k), n_an)]], axis=-1)
            c = crps(o, ens.reshape(len(o), -1))
            r, t, tc = res[(hist, share)]
            res[(hist, share)] = (
                r + [c.sum() / b["ccrps"].sum()],
                t + c.sum(),
                tc + b["ccrps"].sum(),
            )
    tag = f"k={k} w={w} anchor={anchor} decay={decay}"
    print(
        f"{tag} analogues alone: mean {tot_a / tot_c:.3f} worst {max(alone):.3f} | "
        + " ".join(f"{r:.3f}" for r in alone)
    )
    for (hist, share), (r, t, tc) in res.items():
        print(
            f"{tag} {model} history {hist:.2f}·(1-a) analogues {share:.2f}: mean {t / tc:.3f} "
            f"worst {max(r):.3f} | " + " ".join(f"{x:.3f}" for x in r)
        )
    sys.stdout.flush()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, nargs="+", default=[50])
    p.add_argument("--w", type=int, nargs="+", default=[12])
    p.add_argument("--anchor", nargs="+", default=["last"])
    p.add_argument("--decay", type=float, nargs="+", default=[0.0])
    p.add_argument("--model", default="default")
    args = p.parse_args()
    shares = [(0.25, 0.0), (0.25, 0.1), (0.25, 0.2), (0.0, 0.25), (0.15, 0.15)]
    for k in args.k:
        for w in args.w:
            for anchor in args.anchor:
                for decay in args.decay:
                    t0 = time.perf_counter()
                    score(k, w, anchor, shares, decay, args.model)
                    print(f"  ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
