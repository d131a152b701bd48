"""Alerts: units whose latest month departs from their own history.

Three checks on the panel's last month ``L`` for every unit reporting in ``L``:

* **above forecast** — deaths in ``L`` exceed the upper bound of the central
  ``level`` interval of a forecast made from data through ``L−1`` (one step ahead);
* **surge** — deaths in ``L`` are at least ``surge_ratio`` times the unit's mean
  over the ``baseline`` months before ``L``;
* **onset** — deaths after ``baseline`` months without any.

Only months with at least ``min_deaths`` deaths can raise an alert. Alerts are
ranked by ``score`` = log((deaths + 1) / (reference + 1)), where reference is
the highest of the bound and baseline the month broke; ``reason`` says why in words.

Example:
    >>> import pandas as pd
    >>> hist = [0.0] * 11 + [2.0] + [3.0, 1.0, 2.0, 80.0]
    >>> panel = pd.DataFrame({"unit_id": 1, "unit": "A", "month_id": range(121, 137), "y": hist})
    >>> a = alerts(panel, model="conflictology")
    >>> print(a.loc[0, "unit"], int(a.loc[0, "deaths"]), a.loc[0, "checks"])
    A 80 above_forecast,surge
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ._benchmarks import Model, history_matrix
from ._data import load_views_cm, month_label, validate_panel
from ._learned import as_model

__all__ = ["ALERT_COLUMNS", "alerts"]

ALERT_COLUMNS = [
    "rank",
    "unit_id",
    "unit",
    "month",
    "deaths",
    "forecast_median",
    "forecast_hi",
    "baseline_mean",
    "score",
    "checks",
    "reason",
]


def alerts(
    df: pd.DataFrame | None,
    *,
    model: Model | str | None = None,
    level: float = 0.9,
    baseline: int = 12,
    surge_ratio: float = 3.0,
    min_deaths: float = 10.0,
) -> pd.DataFrame:
    """Ranked alerts for the panel's last month (see module docs); empty frame if none.

    ``model`` forecasts month ``L`` from data through ``L−1`` (default: the
    backtested default model; ``"conflictology"`` is much faster).
    """
    panel = load_views_cm() if df is None else validate_panel(df, source="alerts")
    if not 0.5 <= level < 1.0:
        raise InputError(f"level must be in [0.5, 1) (got {level}).")
    if baseline < 3:
        raise InputError(f"baseline must be at least 3 months (got {baseline}).")
    if not surge_ratio > 1.0 or surge_ratio == float("inf"):  # also refuses NaN
        raise InputError(f"surge ratio must be a number above 1 (got {surge_ratio}).")
    if not min_deaths >= 0 or min_deaths == float("inf"):
        raise InputError(f"min_deaths must be zero or more (got {min_deaths}).")
    last = int(panel["month_id"].max())
    before = panel[panel["month_id"] < last]
    if before.empty:
        raise InputError("alerts need at least two months of data (history plus the latest month).")
    m = as_model(model)
    samples = m.fit(before).predict(1)
    a = (1 - level) / 2
    med, hi = samples.quantile([0.5, 1 - a])[:, :, 0]
    fc = pd.DataFrame({"unit_id": samples.unit_id, "forecast_median": med, "forecast_hi": hi})

    hist = history_matrix(panel)
    latest = hist.values[:, -1]
    prev = hist.values[:, -1 - baseline : -1]
    n_prev = np.isfinite(prev).sum(axis=1)
    sums = np.where(np.isfinite(prev), prev, 0.0).sum(axis=1)
    base_mean = np.where(n_prev >= baseline, sums / np.maximum(n_prev, 1), np.nan)
    frame = pd.DataFrame(
        {"unit_id": hist.unit_id, "unit": hist.unit, "deaths": latest, "baseline_mean": base_mean}
    ).merge(fc, on="unit_id", how="left")
    frame = frame[np.isfinite(frame["deaths"]) & (frame["deaths"] >= min_deaths)]

    pct = f"{level:.0%}"
    records = []
    for r in frame.itertuples(index=False):
        checks, words, refs = [], [], []
        if np.isfinite(r.forecast_hi) and r.deaths > r.forecast_hi:
            checks.append("above_forecast")
            words.append(
                f"{r.deaths:.0f} death{'' if r.deaths == 1 else 's'}, "
                f"above the {pct} forecast bound of {r.forecast_hi:.0f} "
                f"(median {r.forecast_median:.0f})"
            )
            refs.append(r.forecast_hi)
        if np.isfinite(r.baseline_mean):
            if r.baseline_mean == 0:
                checks.append("onset")
                words.append(f"first deaths after {baseline} months without any")
                refs.append(0.0)
            elif r.deaths >= surge_ratio * r.baseline_mean:
                checks.append("surge")
                words.append(
                    f"{r.deaths / r.baseline_mean:.1f}× its {baseline}-month average "
                    f"of {r.baseline_mean:.1f}"
                )
                refs.append(r.baseline_mean)
        if not checks:
            continue
        ref = max(refs)
        records.append(
            {
                "unit_id": int(r.unit_id),
                "unit": r.unit,
                "month": month_label(last),
                "deaths": float(r.deaths),
                "forecast_median": float(r.forecast_median),
                "forecast_hi": float(r.forecast_hi),
                "baseline_mean": float(r.baseline_mean),
                "score": float(np.log((r.deaths + 1) / (ref + 1))),
                "checks": ",".join(checks),
                "reason": "; ".join(words),
            }
        )
    out = pd.DataFrame(records, columns=[c for c in ALERT_COLUMNS if c != "rank"])
    out = out.sort_values(["score", "deaths"], ascending=False, kind="stable").reset_index(
        drop=True
    )
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
