"""The model interface and the three protocol benchmarks: ``zero``, ``last``, ``conflictology``.

Every model follows one API (after Nixtla's statsforecast)::

    model.fit(panel) -> model        # panel through the cutoff (its last month)
    model.predict(h) -> Samples      # draws for steps 1..h after the cutoff

Units forecast are those with an observation in the cutoff month (units that
stopped existing earlier are not forecast) and at least ``min_history`` months
of data; :attr:`Model.skipped_` lists the others with the reason.

Example:
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"unit_id": 1, "unit": "A", "month_id": range(121, 133),
    ...                       "y": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 8]})
    >>> Conflictology(n_samples=2000).fit(panel).predict(3).values.shape
    (1, 3, 2000)
    >>> float(Last().fit(panel).predict(1).values.mean().round(0))
    8.0
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
import pandas as pd

from ..errors import InputError
from ._data import month_label, validate_panel
from ._samples import Samples

__all__ = ["Conflictology", "History", "Last", "Model", "Zero", "history_matrix"]


class History:
    """A panel as a dense matrix: ``values[i, j]`` = deaths of unit i in month ``months[j]``.

    NaN marks no data.
    """

    def __init__(
        self, unit_id: np.ndarray, unit: np.ndarray, months: np.ndarray, values: np.ndarray
    ) -> None:
        self.unit_id = unit_id
        self.unit = unit
        self.months = months
        self.values = values

    @property
    def cutoff(self) -> int:
        """The last month of the panel."""
        return int(self.months[-1])

    def n_obs(self) -> np.ndarray:
        """Number of observed months per unit."""
        return np.isfinite(self.values).sum(axis=1)


def history_matrix(panel: pd.DataFrame) -> History:
    """Pivot a validated panel into a :class:`History` (units × months)."""
    months = np.arange(int(panel["month_id"].min()), int(panel["month_id"].max()) + 1)
    ids, inv = np.unique(panel["unit_id"].to_numpy(), return_inverse=True)
    names = panel.groupby("unit_id")["unit"].last().reindex(ids).to_numpy().astype(str)
    values = np.full((len(ids), len(months)), np.nan)
    values[inv, panel["month_id"].to_numpy() - months[0]] = panel["y"].to_numpy()
    return History(ids, names, months, values)


class Model(ABC):
    """Base class: validation, unit selection at the cutoff, the ``fit``/``predict`` contract."""

    name: ClassVar[str] = "model"
    min_history: int = 12

    def __init__(self, *, n_samples: int = 1000, seed: int = 0) -> None:
        self.n_samples = int(n_samples)
        self.seed = int(seed)

    def fit(self, df: pd.DataFrame) -> Model:
        """Learn from a panel whose last month is the cutoff; returns ``self``."""
        self._fit(self._select(df))
        return self

    def refresh(self, df: pd.DataFrame) -> Model:
        """A copy of this fitted model aimed at ``df``, a panel whose last month is a later
        origin: it keeps what it learned at its fit and reads ``df`` only as the history it
        forecasts from (the units forecast are ``df``'s), so nothing after ``df``'s last month
        is used.  A model that learns nothing from the panel (the benchmarks) fits again."""
        if not hasattr(self, "history_"):
            raise InputError(f"{self.name}: call fit(panel) before refresh(panel).")
        new = copy.copy(self)
        new._refresh(new._select(df))
        return new

    def _select(self, df: pd.DataFrame) -> History:
        """Validate ``df``, keep the units that can be forecast (``skipped_`` lists the
        others) and set ``history_``."""
        panel = validate_panel(df, source=f"{self.name}.fit")
        hist = history_matrix(panel)
        alive = np.isfinite(hist.values[:, -1])
        long_enough = hist.n_obs() >= self.min_history
        keep = alive & long_enough
        skipped = []
        for i in np.flatnonzero(~keep):
            why = (
                f"no data in the cutoff month {month_label(hist.cutoff)}"
                if not alive[i]
                else f"only {int(hist.n_obs()[i])} months of history; {self.min_history} needed"
            )
            skipped.append(
                {"unit_id": int(hist.unit_id[i]), "unit": str(hist.unit[i]), "reason": why}
            )
        self.skipped_ = pd.DataFrame(skipped, columns=["unit_id", "unit", "reason"])
        if not keep.any():
            raise InputError(
                f"{self.name}: no unit has {self.min_history} months of history ending in "
                f"{month_label(hist.cutoff)}; give more history."
            )
        self.history_ = History(hist.unit_id[keep], hist.unit[keep], hist.months, hist.values[keep])
        return self.history_

    def predict(self, h: int = 14) -> Samples:
        """Draws from the predictive distribution for steps 1..h after the cutoff."""
        if not hasattr(self, "history_"):
            raise InputError(f"{self.name}: call fit(panel) before predict(h).")
        if h < 1:
            raise InputError(f"{self.name}: horizon h must be at least 1 (got {h}).")
        values = self._predict(self.history_, int(h))
        return Samples(self.history_.unit_id, self.history_.unit, self.history_.cutoff, values)

    # subclasses implement these two
    def _fit(self, hist: History) -> None:  # pragma: no cover - trivial default
        return None

    def _refresh(self, hist: History) -> None:
        """Aim the fitted model at ``hist`` (a later origin); by default, fit again."""
        self._fit(hist)

    @abstractmethod
    def _predict(self, hist: History, h: int) -> np.ndarray:
        """Draws ``values[unit, step - 1, draw]`` for steps 1..h."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Zero(Model):
    """Benchmark: a point mass at zero deaths for every unit and month."""

    name: ClassVar[str] = "zero"
    min_history = 1

    def _predict(self, hist: History, h: int) -> np.ndarray:
        return np.zeros((len(hist.unit_id), h, 1))


class Last(Model):
    """Benchmark: Poisson draws around the last observed month's deaths."""

    name: ClassVar[str] = "last"
    min_history = 1

    def _predict(self, hist: History, h: int) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        lam = hist.values[:, -1]
        return rng.poisson(lam[:, None, None], size=(len(lam), h, self.n_samples)).astype(float)


class Conflictology(Model):
    """Benchmark: bootstrap draws from the unit's last ``window`` observed months (default 12)."""

    name: ClassVar[str] = "conflictology"

    def __init__(self, *, window: int = 12, n_samples: int = 1000, seed: int = 0) -> None:
        super().__init__(n_samples=n_samples, seed=seed)
        self.window = int(window)
        self.min_history = self.window

    def _predict(self, hist: History, h: int) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        recent = hist.values[:, -self.window :]
        pick = rng.integers(0, self.window, size=(len(recent), h, self.n_samples))
        return np.take_along_axis(
            recent[:, None, :], pick.reshape(len(recent), -1)[:, None, :], axis=2
        ).reshape(len(recent), h, self.n_samples)
