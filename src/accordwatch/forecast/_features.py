"""Features of a unit's history at a forecast origin, computed for every unit and month at once.

All features use only months up to and including the origin, on the log1p
scale of deaths, so a model trained on them cannot peek at the future.

Example:
    >>> import numpy as np
    >>> vals = np.array([[0.0, 0.0, 5.0, 0.0, 30.0]])
    >>> f = origin_features(vals)
    >>> f.shape[:2], FEATURES[0]
    ((1, 5), 'lag0')
    >>> float(f[0, -1, FEATURES.index("since_event")]), float(f[0, -1, FEATURES.index("since_25")])
    (0.0, 0.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FEATURES", "NEIGHBOUR_FEATURES", "neighbour_features", "origin_features", "seasonal_deviation"]

_LAGS = (0, 1, 2, 3, 6, 12)
_MEAN_WINDOWS = (3, 6, 12, 24, 48)
_MAX_WINDOWS = (12, 48)
_CAP = 240.0
# features also given relative to the last year's mean log level (``mean12``): the pooled
# model's target is relative to that level, so trend and shape features in the same
# units let the trees treat a unit at 5 and one at 5,000 deaths a month alike
_RELATIVE = ("lag0", "lag1", "mean3", "mean6", "mean24", "mean48", "max12", "max48")

FEATURES: list[str] = (
    [f"lag{k}" for k in _LAGS]
    + [f"mean{w}" for w in _MEAN_WINDOWS]
    + [f"max{w}" for w in _MAX_WINDOWS]
    + ["rawmean12", "std12", "q25_12", "q75_12", "nz12", "nz48", "since_event", "since_25", "history"]
    + [f"{name}_rel" for name in _RELATIVE]
)

# the deaths of the bordering countries (summed), as log1p of their 3- and 12-month means, that
# level against the unit's own last-year mean log level, and the neighbours' recent trend
NEIGHBOUR_FEATURES: list[str] = ["nb_mean3", "nb_mean12", "nb_rel12", "nb_trend"]


def _since(mask: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Months since the last True of ``mask`` along axis 1 (capped; NaN where unobserved)."""
    n, t = mask.shape
    idx = np.where(mask, np.arange(t)[None, :], -1)
    last = np.maximum.accumulate(idx, axis=1)
    out = np.where(last >= 0, np.arange(t)[None, :] - last, _CAP).astype(float)
    out = np.minimum(out, _CAP)
    out[~observed] = np.nan
    return out


def origin_features(values: np.ndarray) -> np.ndarray:
    """Feature tensor ``(n_units, n_months, len(FEATURES))`` for raw death counts ``values``.

    ``values`` is units × months with NaN where a unit has no data; features at
    month ``j`` summarise months ``≤ j``.
    """
    values = np.asarray(values, float)
    n, t = values.shape
    observed = np.isfinite(values)
    logv = np.log1p(values)
    frame = pd.DataFrame(logv.T)
    raw = pd.DataFrame(values.T)
    cols: list[np.ndarray] = []
    for k in _LAGS:
        cols.append(frame.shift(k).to_numpy().T)
    for w in _MEAN_WINDOWS:
        cols.append(frame.rolling(w, min_periods=1).mean().to_numpy().T)
    for w in _MAX_WINDOWS:
        cols.append(frame.rolling(w, min_periods=1).max().to_numpy().T)
    roll12 = frame.rolling(12, min_periods=1)
    cols.append(np.log1p(raw.rolling(12, min_periods=1).mean().to_numpy().T))
    cols.append(roll12.std().fillna(0.0).to_numpy().T)
    cols.append(roll12.quantile(0.25).to_numpy().T)
    cols.append(roll12.quantile(0.75).to_numpy().T)
    nz = (frame > 0).astype(float).where(frame.notna())
    cols.append(nz.rolling(12, min_periods=1).mean().to_numpy().T)
    cols.append(nz.rolling(48, min_periods=1).mean().to_numpy().T)
    filled = np.nan_to_num(values, nan=0.0)
    cols.append(_since(filled > 0, observed))
    cols.append(_since(filled >= 25, observed))
    cols.append(np.minimum(np.cumsum(observed, axis=1), _CAP).astype(float))
    base = len(cols)
    names = FEATURES[:base]
    for name in _RELATIVE:
        cols.append(cols[names.index(name)] - cols[names.index("mean12")])
    out = np.stack(cols, axis=-1)
    out[~observed] = np.nan
    return out


def neighbour_features(values: np.ndarray, adjacency: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Features of the neighbours' deaths, ``(n_units, n_months, len(NEIGHBOUR_FEATURES))``.

    ``adjacency[i, j] = 1`` when unit ``j`` borders unit ``i``; ``own`` is the
    unit's :func:`origin_features` tensor (for its own level). A neighbour without
    data in a month counts as 0 deaths; a unit without neighbours gets 0.

    >>> vals = np.array([[0.0, 0.0, 0.0], [9.0, 9.0, 99.0]])
    >>> adj = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> nb = neighbour_features(vals, adj, origin_features(vals))
    >>> round(float(nb[0, -1, 0]), 3), float(nb[1, -1, 1])  # log1p(mean 39), no deaths around unit 1
    (3.689, 0.0)
    """
    values = np.asarray(values, float)
    observed = np.isfinite(values)
    around = adjacency @ np.nan_to_num(values, nan=0.0)
    frame = pd.DataFrame(around.T)
    mean3 = np.log1p(frame.rolling(3, min_periods=1).mean().to_numpy().T)
    mean12 = np.log1p(frame.rolling(12, min_periods=1).mean().to_numpy().T)
    rel = mean12 - own[:, :, FEATURES.index("mean12")]
    out = np.stack([mean3, mean12, rel, mean3 - mean12], axis=-1)
    out[~observed] = np.nan
    return out


def seasonal_deviation(
    values: np.ndarray, units: np.ndarray, origins: np.ndarray, steps: np.ndarray, years: int = 3
) -> np.ndarray:
    """How the target's calendar month usually compares with the unit's level (log1p scale).

    For unit ``units[r]``, forecast origin ``origins[r]`` (a column of ``values``) and step
    ``steps[r]``: the mean log1p deaths in the same calendar month of the last ``years``
    years seen at the origin, minus the mean log1p deaths of the 36 months up to the
    origin. Fighting seasons (Afghanistan's summers, say) show up as positive values in
    the season and negative ones outside it. Only months up to the origin are used;
    months before the unit's data are skipped (NaN if none is left).

    >>> vals = np.tile([0.0, 0, 0, 0, 0, 0, 99, 99, 99, 0, 0, 0], 4)[None, :]   # deaths in Jul-Sep
    >>> dev = seasonal_deviation(vals, np.zeros(2, int), np.array([47, 47]), np.array([7, 10]))
    >>> [round(float(d), 2) for d in dev]   # step 7 after a December is July; step 10 is October
    [3.45, -1.15]
    """
    logv = np.log1p(np.asarray(values, float))
    n, t = logv.shape
    observed = np.isfinite(logv)
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(np.where(observed, logv, 0.0), axis=1)], axis=1)
    ccnt = np.concatenate([np.zeros((n, 1)), np.cumsum(observed, axis=1)], axis=1)
    start = np.maximum(origins - 35, 0)
    cnt = ccnt[units, origins + 1] - ccnt[units, start]
    level = (csum[units, origins + 1] - csum[units, start]) / np.maximum(cnt, 1)
    first = (steps + 11) // 12  # the most recent year in which the target's calendar month was seen
    same = np.full((len(units), years), np.nan)
    for k in range(years):
        month = origins + steps - 12 * (first + k)
        ok = month >= 0
        same[ok, k] = logv[units[ok], month[ok]]
    have = np.isfinite(same).any(axis=1) & (cnt > 0)
    out = np.full(len(units), np.nan)
    out[have] = np.nanmean(same[have], axis=1) - level[have]
    return out
