"""Scores of ensemble forecasts: CRPS (via scoringrules), Brier at a threshold, interval
coverage, and the probability integral transform (PIT) for calibration.

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
    >>> lo, hi = pit_bounds(obs, fct)
    >>> lo.tolist(), hi.tolist()
    ([0.0, 0.5], [0.5, 0.75])
    >>> pit_histogram(lo, hi, bins=4).tolist()
    [0.25, 0.25, 0.5, 0.0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["brier", "covered", "crps", "crps_direct", "pit_bounds", "pit_histogram"]


def crps(obs: np.ndarray, fct: np.ndarray) -> np.ndarray:
    """CRPS of each ensemble forecast (the empirical distribution of its members)."""
    import scoringrules as sr  # loaded on first use: keeps `import accordwatch.cli` light

    return np.asarray(
        sr.crps_ensemble(np.asarray(obs, float), np.asarray(fct, float), estimator="qd")
    )


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


def pit_bounds(obs: np.ndarray, fct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The PIT of each observation as an interval: ``(P(X < y), P(X ≤ y))`` under the ensemble.

    Counts are discrete (most country-months are 0, and so are most members), so the PIT
    is not a single number: it is uniform on this interval (the randomised PIT of Czado,
    Gneiting & Held 2009). For a continuous forecast the two bounds are equal.
    """
    fct = np.asarray(fct, float)
    obs = np.asarray(obs, float)[..., None]
    return (fct < obs).mean(axis=-1), (fct <= obs).mean(axis=-1)


def pit_histogram(lo: np.ndarray, hi: np.ndarray, bins: int = 10) -> np.ndarray:
    """Share of the PIT mass in each of ``bins`` equal bins of [0, 1] (non-randomised PIT).

    Each observation spreads its unit of mass uniformly over ``[lo, hi]`` (a point mass
    when ``lo == hi``), so the histogram is exact and needs no random draws. A calibrated
    forecast gives a flat histogram (each share ``1 / bins``); a U shape means intervals
    too narrow, a hump too wide, a slope a biased centre.
    """
    lo = np.asarray(lo, float).ravel()
    hi = np.asarray(hi, float).ravel()
    if lo.size == 0:
        return np.full(bins, np.nan)
    edges = np.linspace(0.0, 1.0, bins + 1)
    width = hi - lo
    point = width <= 1e-12
    # mass of [lo, hi] below each edge, for observations whose PIT is an interval
    below = np.clip((edges[None, :] - lo[:, None]) / np.where(point, 1.0, width)[:, None], 0.0, 1.0)
    # a point PIT falls in the bin that holds it (1.0 in the last bin)
    idx = np.minimum((lo * bins).astype(int), bins - 1)
    below[point] = (np.arange(bins + 1)[None, :] > idx[point][:, None]).astype(float)
    return np.diff(below, axis=1).mean(axis=0)
