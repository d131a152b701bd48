"""Scores of ensemble forecasts: CRPS (via scoringrules), Brier at a threshold, interval coverage.

All functions take the observations first and an ensemble array whose last axis
holds the members, like ``scoringrules.crps_ensemble(obs, fct)``.

Example:
    >>> import numpy as np
    >>> obs = np.array([0.0, 30.0])
    >>> fct = np.array([[0.0, 0.0, 10.0, 50.0], [0.0, 20.0, 30.0, 40.0]])
    >>> crps(obs, fct).round(3).tolist()
    [5.0, 4.375]
    >>> brier(obs, fct, 25).tolist()
    [0.0625, 0.25]
    >>> covered(obs, fct, 0.5).tolist()
    [True, True]
"""

from __future__ import annotations

import numpy as np

__all__ = ["brier", "covered", "crps", "crps_direct"]


def crps(obs: np.ndarray, fct: np.ndarray) -> np.ndarray:
    """CRPS of each ensemble forecast (the empirical distribution of its members)."""
    import scoringrules as sr  # loaded on first use: keeps `import accordwatch.cli` light

    return np.asarray(sr.crps_ensemble(np.asarray(obs, float), np.asarray(fct, float), estimator="qd"))


def crps_direct(obs: np.ndarray, fct: np.ndarray) -> np.ndarray:
    """CRPS by the textbook formula E|X − y| − ½ E|X − X′| (slow; for cross-checks)."""
    fct = np.asarray(fct, float)
    obs = np.asarray(obs, float)
    first = np.abs(fct - obs[..., None]).mean(axis=-1)
    second = np.abs(fct[..., :, None] - fct[..., None, :]).mean(axis=(-1, -2))
    return first - 0.5 * second


def brier(obs: np.ndarray, fct: np.ndarray, threshold: float) -> np.ndarray:
    """Brier score of the event "at least ``threshold`` deaths"."""
    p = (np.asarray(fct) >= threshold).mean(axis=-1)
    return (p - (np.asarray(obs) >= threshold)) ** 2


def covered(obs: np.ndarray, fct: np.ndarray, level: float = 0.9) -> np.ndarray:
    """Whether each observation lies in the central ``level`` interval (bounds included)."""
    a = (1 - level) / 2
    lo, hi = np.quantile(np.asarray(fct, float), [a, 1 - a], axis=-1)
    obs = np.asarray(obs)
    return (obs >= lo) & (obs <= hi)
