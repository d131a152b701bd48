"""Predictive samples: what every model's ``predict`` returns.

A :class:`Samples` holds, for each unit and forecast step, an ensemble of draws
from the predictive distribution of monthly deaths. Step ``s`` is the month
``cutoff + s`` (step 1 = the month after the last observed one).

Example:
    >>> import numpy as np
    >>> s = Samples(unit_id=np.array([7]), unit=np.array(["X"]), cutoff=502,
    ...             values=np.array([[[0.0, 10.0, 30.0, 50.0]]]))
    >>> s.month_ids.tolist()
    [503]
    >>> float(s.prob_at_least(25)[0, 0])
    0.5
    >>> # P(0) = 0.65, P(1) = 0.1, P(2) = P(3) = 0.125
    >>> whole_deaths(np.array([0.0, 0.0, 0.4, 2.5])).tolist()
    [0.0, 0.0, 0.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ._data import month_label

__all__ = ["Samples", "whole_deaths"]


@dataclass(frozen=True)
class Samples:
    """Ensemble forecasts: ``values[i, s-1, :]`` are draws for unit ``unit_id[i]`` at step ``s``."""

    unit_id: np.ndarray
    unit: np.ndarray
    cutoff: int
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.values.ndim != 3 or self.values.shape[0] != len(self.unit_id):
            raise InputError("Samples.values must have shape (n_units, h, n_samples).")

    @property
    def h(self) -> int:
        """Number of forecast steps."""
        return int(self.values.shape[1])

    @property
    def steps(self) -> np.ndarray:
        """Steps 1..h."""
        return np.arange(1, self.h + 1)

    @property
    def month_ids(self) -> np.ndarray:
        """VIEWS month numbers of the steps."""
        return self.cutoff + self.steps

    def quantile(self, q: float | Sequence[float]) -> np.ndarray:
        """Quantile(s) per unit and step; shape ``(n_units, h)`` or ``(len(q), n_units, h)``.

        The quantile is the smallest ensemble value ``v`` with ``P(X ≤ v) ≥ q`` (no
        interpolation between members), so a forecast of deaths has whole-number
        quantiles and a central interval holds at least its nominal probability.
        """
        return np.quantile(self.values, q, axis=-1, method="inverted_cdf")

    def prob_at_least(self, threshold: float) -> np.ndarray:
        """Probability of at least ``threshold`` deaths, per unit and step."""
        return (self.values >= threshold).mean(axis=-1)

    def select(self, unit_ids: Sequence[int] | np.ndarray) -> Samples:
        """The same forecasts for a subset of units, in the order given."""
        pos = {int(u): i for i, u in enumerate(self.unit_id)}
        missing = [int(u) for u in unit_ids if int(u) not in pos]
        if missing:
            raise InputError(
                f"no forecast for unit(s) {missing[:5]}; they had no data at the cutoff."
            )
        idx = np.array([pos[int(u)] for u in unit_ids], dtype=int)
        return Samples(self.unit_id[idx], self.unit[idx], self.cutoff, self.values[idx])

    def summary(
        self,
        *,
        levels: Sequence[int] = (50, 90),
        thresholds: Sequence[float] = (25, 100),
    ) -> pd.DataFrame:
        """Tidy frame: one row per unit and step: mean, median, intervals, exceedance probabilities.

        Interval columns follow statsforecast's naming: ``lo-90`` / ``hi-90``.
        """
        qs: list[float] = [0.5]
        for lv in levels:
            a = (100 - lv) / 200
            qs += [a, 1 - a]
        qv = self.quantile(qs)
        n, h = len(self.unit_id), self.h
        frame = pd.DataFrame(
            {
                "unit_id": np.repeat(self.unit_id, h),
                "unit": np.repeat(self.unit, h),
                "cutoff": self.cutoff,
                "step": np.tile(self.steps, n),
                "month_id": np.tile(self.month_ids, n),
            }
        )
        frame["month"] = [month_label(m) for m in frame["month_id"]]
        frame["mean"] = self.values.mean(axis=-1).ravel()
        frame["median"] = qv[0].ravel()
        for i, lv in enumerate(levels):
            frame[f"lo-{lv}"] = qv[1 + 2 * i].ravel()
            frame[f"hi-{lv}"] = qv[2 + 2 * i].ravel()
        for t in thresholds:
            frame[f"p_ge_{t:g}"] = self.prob_at_least(t).ravel()
        return frame


def whole_deaths(values: np.ndarray) -> np.ndarray:
    """Project ensembles (last axis) of a continuous quantity onto whole numbers.

    Deaths are counts, but an ensemble interpolated between quantiles holds members
    such as 0.3 deaths. The projection gives every whole number ``k`` the CDF value
    ``G(k) = ∫ₖᵏ⁺¹ F(x) dx`` — the average of the ensemble's CDF ``F`` over
    ``[k, k + 1)``; a member ``x = k + r`` becomes ``k`` with probability ``1 − r`` and
    ``k + 1`` with probability ``r``, so the mean is kept. For a whole-number outcome
    ``y`` the CRPS of ``G`` is never larger than that of ``F`` (on each ``[k, k + 1)``
    the indicator ``1{x ≥ y}`` is constant, and the square of an average is at most the
    average of the squares). It also keeps the PIT of zeros honest: a member of 0.3
    deaths, which would count as a chance of deaths, becomes 0 or 1.

    ``G`` is returned as an equal-weight ensemble of the same size (its quantiles at
    ``(j + ½) / n``), sorted along the last axis; non-negative values are expected.
    """
    values = np.asarray(values, float)
    n = values.shape[-1]
    flat = values.reshape(-1, n)
    low = np.floor(flat)
    frac = flat - low
    points = np.concatenate([low, low + 1.0], axis=1)
    weights = np.concatenate([1.0 - frac, frac], axis=1) / n
    order = np.argsort(points, axis=1, kind="stable")
    points = np.take_along_axis(points, order, axis=1)
    cum = np.cumsum(np.take_along_axis(weights, order, axis=1), axis=1)
    # one searchsorted over all rows: row r's cumulative weights are shifted to [r, r + 1]
    rows = np.arange(flat.shape[0])[:, None]
    probs = (np.arange(n) + 0.5) / n
    idx = (
        np.searchsorted((cum + rows).ravel(), (probs + rows).ravel())
        - rows.ravel().repeat(n) * 2 * n
    )
    idx = np.minimum(idx.reshape(flat.shape), 2 * n - 1)
    return np.take_along_axis(points, idx, axis=1).reshape(values.shape)
