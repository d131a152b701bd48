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

__all__ = ["FEATURES", "origin_features"]

_LAGS = (0, 1, 2, 3, 6, 12)
_MEAN_WINDOWS = (3, 6, 12, 24, 48)
_MAX_WINDOWS = (12, 48)
_CAP = 240.0
# features also given relative to the last year's mean log level (``mean12``): the pooled
# model's target is relative to a level too (the origin month's, by default), so trend and
# shape features in such units let the trees treat a unit at 5 and one at 5,000 deaths a
# month alike
_RELATIVE = ("lag0", "lag1", "mean3", "mean6", "mean24", "mean48", "max12", "max48")

FEATURES: list[str] = (
    [f"lag{k}" for k in _LAGS]
    + [f"mean{w}" for w in _MEAN_WINDOWS]
    + [f"max{w}" for w in _MAX_WINDOWS]
    + [
        "rawmean12",
        "std12",
        "q25_12",
        "q75_12",
        "nz12",
        "nz48",
        "since_event",
        "since_25",
        "history",
    ]
    + [f"{name}_rel" for name in _RELATIVE]
)


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
