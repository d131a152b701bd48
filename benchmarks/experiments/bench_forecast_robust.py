"""Dev-origin harness for robust variants of ``QuantileGBM`` (origins of years <= 2017 only).

Issue 13: the default must hold at record-spike origins, chosen on dev origins only. This
fits each *base* (a ``QuantileGBM`` setting that needs its own fit, e.g. another anchor) once
per dev origin, caches its quantile curves and origin features, and scores *variants* —
post-fit rules applied to the cached curves (a guard for units at a spike, tail caps, another
history share, a base swapped in for spike units) — through ``backtest_origins`` itself, so
every figure is the library's own scorer beside conflictology of the same run.

Dev origins: the October origins of 1995–2017 and the stress origins of 1995–2017. It never
scores a year after 2017.

Usage (repository root, venv active)::

    python benchmarks/experiments/bench_forecast_robust.py fit lag0            # cache a base
    python benchmarks/experiments/bench_forecast_robust.py fit mean12 anchor='"mean12"'
    python benchmarks/experiments/bench_forecast_robust.py score               # the variants

Cache: ``--cache DIR``, else ``$ACCORDWATCH_ROBUST``, else ``accordwatch-robust`` in the
system's temporary folder. Delete it after changing the model code.
What it was used for: docs/decisions/2026-12-01-forecast-robust-default.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from accordwatch.forecast import QuantileGBM, load_views_cm
from accordwatch.forecast._benchmarks import History
from accordwatch.forecast._features import FEATURES
from accordwatch.forecast._learned import ensemble
from accordwatch.forecast._origins import backtest_origins, origin_months

CACHE = Path(
    os.environ.get("ACCORDWATCH_ROBUST") or Path(tempfile.gettempdir()) / "accordwatch-robust"
)
H = 14


class Cached(QuantileGBM):
    """A ``QuantileGBM`` whose fitted curves are cached per base and cutoff, with post-fit rules.

    ``rules``: ``guard`` (ratio r: a unit is at a spike when its origin month has at least
    ``guard_min`` deaths and is its record or >= r x its previous 12-month mean), ``guard_mix``
    (history share for guarded units), ``guard_base`` (another cached base used for guarded
    units), ``guard_shift`` (move guarded units' log curve down by this share of the gap between
    the origin month and the last year's mean log level), ``cap_unit`` (no quantile above this
    multiple of the unit's largest month so far), ``cap_world`` (same, the largest month of any
    unit so far), ``mix`` (the history share of the others).
    """

    def __init__(self, base: str, rules: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base
        self.rules = dict(rules or {})

    def _load(self, base: str, hist: History) -> tuple[np.ndarray, np.ndarray]:
        path = CACHE / base / f"{hist.cutoff}.npz"
        data = np.load(path)
        if not np.array_equal(data["unit_id"], hist.unit_id):
            raise SystemExit(f"{path}: units differ; delete the cache")
        return data["curve"], data["origin"]

    def _fit(self, hist: History) -> None:
        path = CACHE / self.base / f"{hist.cutoff}.npz"
        if not path.exists():
            super()._fit(hist)
            curve = self._curve(self.boosters_, self._design(H))
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, curve=curve, origin=self.origin_, unit_id=hist.unit_id)
        self.curve_, self.origin_ = self._load(self.base, hist)
        self.anchor_of_ = {self.base: self.anchor}

    def _quantiles_of(self, curve: np.ndarray, origin: np.ndarray, anchor: str) -> np.ndarray:
        q = curve.reshape(-1, H, len(self.quantiles))
        if self.relative:
            q = q + origin[:, FEATURES.index(anchor)][:, None, None]
        return q  # log1p scale

    def _predict(self, hist: History, h: int) -> np.ndarray:
        r = self.rules
        v = hist.values
        y0 = v[:, -1]
        prev = v[:, :-1]
        prev_max = np.nanmax(np.where(np.isfinite(prev), prev, -1.0), axis=1)
        mean12 = np.nanmean(v[:, -13:-1], axis=1)
        q = self._quantiles_of(self.curve_, self.origin_, self.anchor)
        guard = np.zeros(len(y0), bool)
        if "guard" in r:
            guard = (y0 >= r.get("guard_min", 25)) & (
                (y0 > prev_max) | (y0 >= r["guard"] * np.nan_to_num(mean12))
            )
        if guard.any() and "guard_base" in r:
            base, anchor = r["guard_base"]
            curve, origin = self._load(base, hist)
            other = self._quantiles_of(curve, origin, anchor)
            w = r.get("guard_weight", 1.0)
            q[guard] = w * other[guard] + (1 - w) * q[guard]
        if guard.any() and "guard_resample" in r:
            shift, jitter, w = r["guard_resample"]
            z = np.sqrt(2) * _erfinv(2 * (np.arange(21) + 0.5) / 21 - 1)
            logs = np.log1p(v[guard][:, -self.window :])
            cloud = (logs[:, :, None] + jitter * z[None, None, :] - shift).reshape(len(logs), -1)
            res = np.quantile(np.maximum(cloud, 0), self.quantiles, axis=1).T
            q[guard] = w * res[:, None, :] + (1 - w) * q[guard]
        if guard.any() and "guard_shift" in r:
            lag0 = self.origin_[:, FEATURES.index("lag0")]
            m12 = self.origin_[:, FEATURES.index("mean12")]
            q[guard] -= r["guard_shift"] * np.maximum(lag0 - m12, 0)[guard, None, None]
        if "cap_unit" in r:
            top = np.log1p(r["cap_unit"] * np.nanmax(v, axis=1))
            q = np.minimum(q, top[:, None, None])
        if "cap_world" in r:
            q = np.minimum(q, np.log1p(r["cap_world"] * np.nanmax(v)))
        q = np.expm1(np.maximum(q, 0.0))[:, :h]
        recent = v[:, -self.window :]
        mix = r.get("mix", self.mix)
        out = ensemble(q, self.quantiles, recent, mix, self.n_samples, whole=self.whole)
        if guard.any() and "guard_mix" in r:
            g = ensemble(q[guard], self.quantiles, recent[guard], r["guard_mix"], self.n_samples)
            out[guard] = g
        return out


def _erfinv(x: np.ndarray) -> np.ndarray:
    from scipy.special import erfinv

    return np.asarray(erfinv(x))


def dev_origins(panel: pd.DataFrame) -> list[int]:
    return origin_months(panel, "october", 1995, 2017, stress=True)


def fit(base: str, settings: dict[str, Any]) -> None:
    panel = load_views_cm()
    origins = dev_origins(panel)
    (CACHE / base).mkdir(parents=True, exist_ok=True)
    (CACHE / base / "settings.json").write_text(json.dumps(settings))
    t0 = time.perf_counter()
    for i, o in enumerate(origins):
        if (CACHE / base / f"{o}.npz").exists():
            continue
        Cached(base, **settings).fit(panel[panel["month_id"] <= o])
        print(
            f"{base}: {i + 1}/{len(origins)} origin {o} {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
            flush=True,
        )


VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "default": ("lag0", {}),
    "cap1": ("lag0", {"cap_unit": 1.0}),
    "cap2": ("lag0", {"cap_unit": 2.0}),
    "g5mix1": ("lag0", {"guard": 5, "guard_min": 25, "guard_mix": 1.0}),
    "g5mix.5": ("lag0", {"guard": 5, "guard_min": 25, "guard_mix": 0.5}),
    "g5mix1k": ("lag0", {"guard": 5, "guard_min": 1000, "guard_mix": 1.0}),
    "g5sh.5": ("lag0", {"guard": 5, "guard_min": 25, "guard_shift": 0.5}),
    "g5sh1": ("lag0", {"guard": 5, "guard_min": 25, "guard_shift": 1.0}),
    "g3sh1": ("lag0", {"guard": 3, "guard_min": 25, "guard_shift": 1.0}),
    "g5res": ("lag0", {"guard": 5, "guard_min": 25, "guard_resample": (0.3, 0.3, 1.0)}),
    "g5res.5": ("lag0", {"guard": 5, "guard_min": 25, "guard_resample": (0.3, 0.3, 0.5)}),
    "g5mix1k+cap1": ("lag0", {"guard": 5, "guard_min": 1000, "guard_mix": 1.0, "cap_unit": 1.0}),
    "g5mix1k+cap2": ("lag0", {"guard": 5, "guard_min": 1000, "guard_mix": 1.0, "cap_unit": 2.0}),
    "g3mix1k": ("lag0", {"guard": 3, "guard_min": 1000, "guard_mix": 1.0}),
    "g5mix100": ("lag0", {"guard": 5, "guard_min": 100, "guard_mix": 1.0}),
    "g5mix.75k": ("lag0", {"guard": 5, "guard_min": 1000, "guard_mix": 0.75}),
    "g10mix1k": ("lag0", {"guard": 10, "guard_min": 1000, "guard_mix": 1.0}),
    "m12": ("mean12", {}),
    "g5m12": ("lag0", {"guard": 5, "guard_min": 25, "guard_base": ("mean12", "mean12")}),
    "g5m12.5": (
        "lag0",
        {"guard": 5, "guard_min": 25, "guard_base": ("mean12", "mean12"), "guard_weight": 0.5},
    ),
}


def score(names: list[str], out: Path | None) -> pd.DataFrame:
    panel = load_views_cm()
    origins = dev_origins(panel)
    models = {}
    for name in names:
        base, rules = VARIANTS[name]
        settings = json.loads((CACHE / base / "settings.json").read_text())
        m = Cached(base, rules, **settings)
        m.name = name  # type: ignore[misc]
        models[name] = m
    res = backtest_origins(panel, origins, models)
    per = res.by_origin()
    rows = []
    for name in names:
        mine = per[per["model"] == name]
        sub = {}
        for label, part in (
            (
                "october",
                ~mine["stress"] | mine["cutoff"].isin(origin_months(panel, "october", 1995, 2017)),
            ),
            ("stress", mine["stress"]),
        ):
            part_rows = mine[part]
            ref = per[(per["model"] == "conflictology") & per["cutoff"].isin(part_rows["cutoff"])]
            num = (part_rows["crps"] * part_rows["n"]).sum()
            den = (ref["crps"] * ref["n"]).sum()
            sub[label] = (
                num / den,
                part_rows["ratio"].max(),
                part_rows.loc[part_rows["ratio"].idxmax(), "origin"],
            )
        rows.append(
            {
                "variant": name,
                "october": round(sub["october"][0], 4),
                "oct_worst": round(sub["october"][1], 3),
                "oct_worst_at": sub["october"][2],
                "stress": round(sub["stress"][0], 4),
                "stress_worst": round(sub["stress"][1], 3),
                "stress_worst_at": sub["stress"][2],
                "share_worse": round(float((mine["ratio"] > 1).mean()), 3),
            }
        )
    table = pd.DataFrame(rows)
    if out is not None:
        per.to_csv(out, index=False)
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["fit", "score"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--per-origin", type=Path, help="write the per-origin table (CSV)")
    a = ap.parse_args()
    global CACHE
    if a.cache:
        CACHE = a.cache
    if a.what == "fit":
        base, *kv = a.args
        settings = {k: json.loads(v) for k, v in (x.split("=", 1) for x in kv)}
        fit(base, settings)
    else:
        names = a.args or list(VARIANTS)
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(score(names, a.per_origin).to_string(index=False))


if __name__ == "__main__":
    main()
