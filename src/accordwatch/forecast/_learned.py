"""The learned model: pooled LightGBM quantile regression, mixed with each unit's recent history.

:class:`QuantileGBM` pools every unit's history into one training set of
(origin month, step) pairs with the features of :mod:`._features`, and fits one
LightGBM model per quantile of ``log1p(deaths)`` at ``step`` months ahead
(quantiles are equivariant under the monotone log1p, so they are quantiles of
deaths too), in several bags with different seeds whose quantile curves are
averaged. The quantile curve of each unit-month becomes an ensemble by
inverse-CDF interpolation, projected onto whole deaths (:func:`._samples.whole_deaths`);
a share ``mix`` of the ensemble is the unit's own last ``window`` months (the
conflictology benchmark's distribution), which keeps the forecast close to history
where the trees are unsure.

**The spike guard.** A unit whose origin month is a spike — at least ``guard_min`` deaths,
and its record so far or at least ``guard_ratio`` × its mean over the 12 months before — is
forecast from its own last ``window`` months alone (the conflictology distribution), not by
the trees: the training rows hold few units in that state, and the trees, which forecast
relative to the origin month, carry the spike forward (a record month is usually followed
by a fall). :attr:`QuantileGBM.guarded_` lists the units guarded at the last prediction.

Example:
    >>> from accordwatch.forecast import load_views_cm
    >>> panel = load_views_cm()
    >>> train = panel[(panel.month_id <= 454) & panel.unit.isin(["Mali", "Niger", "Chad", "Sudan"])]
    >>> s = QuantileGBM(n_estimators=30).fit(train).predict(14)
    >>> s.values.shape
    (4, 14, 1000)
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import InputError
from ._benchmarks import History, Model
from ._features import FEATURES, origin_features
from ._samples import whole_deaths

if TYPE_CHECKING:  # lightgbm loads only when a model is fitted (the CLI starts fast)
    import lightgbm as lgb

__all__ = [
    "DEFAULT_MODEL",
    "QUANTILES",
    "SUBNATIONAL_DEFAULT",
    "QuantileGBM",
    "as_model",
    "ensemble",
    "make_model",
]

QUANTILES: tuple[float, ...] = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
DEFAULT_MODEL = "qgbm"
#: the default for admin-1 and PRIO-GRID series built from one store's events: on the CAF
#: events the pooled model, trained on a few dozen units, did no better than conflictology on
#: October origins and far worse at spikes (benchmarks/bench_subnational.py; decision record
#: 2026-12-01-forecast-robust-default.md)
SUBNATIONAL_DEFAULT = "conflictology"


class QuantileGBM(Model):
    """Pooled LightGBM quantile regression on log1p deaths, step as a feature, mixed with history.

    Parameters (the defaults are chosen on validation years ≤ 2017 only; why each one:
    ``docs/decisions/``):

    * ``quantiles`` — one booster each; the ensemble interpolates between them;
    * ``mix`` — share of the ensemble drawn from the unit's last ``window`` months;
    * ``train_months`` — how many months of forecast origins before the cutoff are used;
    * ``max_step`` — longest step trained (longer horizons reuse it);
    * ``steps_per_origin`` — steps sampled per unit and origin (row subsampling);
    * ``quiet_keep`` — share kept of rows whose last 48 months were all zero (re-weighted);
    * ``relative`` — learn ``log1p(y)`` minus the log1p level of the feature ``anchor``
      (default ``lag0``, the origin month; ``mean12`` is the last year's mean log level),
      so trees extrapolate to units far above the training range and start from the
      latest level;
    * ``level_weight`` — weight rows by ``(1 + recent mean deaths) ** level_weight``,
      bringing the log-scale pinball loss closer to CRPS on the count scale;
    * ``spread`` — scale the quantiles about the median on the log scale (1 = as fitted);
    * ``whole`` — project the interpolated distribution onto whole deaths (mean kept;
      never a larger CRPS at a whole-number outcome, up to the 1/n_samples grid; no
      fractional members, so quiet units are not given a chance of deaths that cannot
      happen and their PIT stays calibrated);
    * ``n_bags`` — independent fits (bag ``b`` draws its training rows and tree
      subsamples with seed ``seed + b``) whose quantile curves are averaged
      (quantile averaging: smoother, less seed-dependent quantiles);
    * ``n_jobs`` — boosters fitted at once (each single-threaded);
    * ``guard_ratio`` / ``guard_min`` — the spike guard (module docs); ``guard_ratio=None``
      turns it off.
    """

    name: ClassVar[str] = "qgbm"

    def __init__(
        self,
        *,
        quantiles: tuple[float, ...] = QUANTILES,
        mix: float = 0.25,
        window: int = 12,
        train_months: int = 360,
        max_step: int = 14,
        steps_per_origin: int = 1,
        quiet_keep: float = 0.2,
        relative: bool = True,
        level_weight: float = 0.3,
        anchor: str = "lag0",
        spread: float = 1.0,
        whole: bool = True,
        n_bags: int = 4,
        n_estimators: int = 100,
        learning_rate: float = 0.08,
        num_leaves: int = 15,
        min_child_samples: int = 100,
        n_jobs: int = 2,
        guard_ratio: float | None = 5.0,
        guard_min: float = 1000.0,
        n_samples: int = 1000,
        seed: int = 0,
    ) -> None:
        super().__init__(n_samples=n_samples, seed=seed)
        if guard_ratio is not None and not guard_ratio > 1:
            raise InputError(f"guard_ratio must be above 1, or None (got {guard_ratio}).")
        self.guard_ratio = None if guard_ratio is None else float(guard_ratio)
        self.guard_min = float(guard_min)
        if not 0.0 <= mix <= 1.0:
            raise InputError(f"mix must be between 0 and 1 (got {mix}).")
        self.quantiles = tuple(sorted(quantiles))
        self.mix = float(mix)
        self.window = int(window)
        self.min_history = self.window
        self.train_months = int(train_months)
        self.max_step = int(max_step)
        self.steps_per_origin = int(steps_per_origin)
        self.quiet_keep = float(quiet_keep)
        self.relative = bool(relative)
        self.n_jobs = max(1, int(n_jobs))
        self.level_weight = float(level_weight)
        if anchor not in FEATURES:
            raise InputError(
                f"anchor must be one of the features, e.g. 'lag0' or 'mean12' (got {anchor!r})."
            )
        self.anchor = anchor
        self.spread = float(spread)
        self.whole = bool(whole)
        if int(n_bags) < 1:
            raise InputError(f"n_bags must be at least 1 (got {n_bags}).")
        self.n_bags = int(n_bags)
        self.params: dict[str, Any] = {
            "n_estimators": n_estimators,
            "learning_rate": learning_rate,
            "num_leaves": num_leaves,
            "min_child_samples": min_child_samples,
            "subsample": 0.8,
            "subsample_freq": 1,
            "colsample_bytree": 0.8,
            "max_bin": 63,
            "n_jobs": 1,
            "verbose": -1,
        }

    def __repr__(self) -> str:
        return f"QuantileGBM(mix={self.mix}, window={self.window}, quantiles={len(self.quantiles)})"

    def _training_rows(
        self, feats: np.ndarray, values: np.ndarray, seed: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        n, t, _ = feats.shape
        hist_col = FEATURES.index("history")
        max48 = FEATURES.index("max48")
        first = max(0, t - 1 - self.train_months)
        xs, ys, ws = [], [], []
        for j in range(first, t - 1):
            f = feats[:, j, :]
            ok = np.isfinite(f[:, 0]) & (f[:, hist_col] >= self.window)
            if not ok.any():
                continue
            smax = min(self.max_step, t - 1 - j)
            k = min(self.steps_per_origin, smax)
            quiet = f[:, max48] == 0
            keep = ok & (~quiet | (rng.random(n) < self.quiet_keep))
            idx = np.flatnonzero(keep)
            if idx.size == 0:
                continue
            steps = np.argsort(rng.random((idx.size, smax)), axis=1)[:, :k] + 1
            rows = np.repeat(idx, k)
            s = steps.ravel()
            target = values[rows, j + s]
            good = np.isfinite(target)
            rows, s, target = rows[good], s[good], target[good]
            xs.append(np.column_stack([f[rows], s]))
            ys.append(np.log1p(target) - (f[rows, self._anchor] if self.relative else 0.0))
            level = np.expm1(f[rows, FEATURES.index("rawmean12")])
            ws.append(
                np.where(quiet[rows], 1.0 / self.quiet_keep, 1.0)
                * (1.0 + level) ** self.level_weight
            )
        n_rows = sum(len(a) for a in ys)
        if n_rows < 200:
            raise InputError(
                f"{self.name}: only {n_rows} training rows; the pooled model needs more units or "
                "more months of history (use the conflictology benchmark for short series)."
            )
        return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)

    @property
    def _anchor(self) -> int:
        return FEATURES.index(self.anchor)

    def _features(self, hist: History) -> np.ndarray:
        """Feature tensor ``(units, months, features)`` of the panel.

        A subclass may add columns.
        """
        return origin_features(hist.values)

    def _fit(self, hist: History) -> None:
        feats = self._features(hist)
        seeds = [self.seed + b for b in range(self.n_bags)]
        self.boosters_ = self._fit_bags(
            {s: self._training_rows(feats, hist.values, s) for s in seeds}
        )
        self.origin_ = feats[:, -1, :]

    def _refresh(self, hist: History) -> None:
        """Keep the boosters; forecast from the origin features of the newer history."""
        self.origin_ = self._features(hist)[:, -1, :]

    def _fit_bags(
        self, rows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]
    ) -> list[list[lgb.LGBMRegressor]]:
        """One booster per quantile for each bag, given as ``seed -> (x, y, weight)``."""
        import lightgbm as lgb

        def one(job: tuple[int, float]) -> lgb.LGBMRegressor:
            s, q = job
            x, y, w = rows[s]
            model = lgb.LGBMRegressor(objective="quantile", alpha=q, random_state=s, **self.params)
            return model.fit(x, y, sample_weight=w)

        # one single-threaded booster per bag and quantile, n_jobs at a time: OpenMP threads
        # inside LightGBM spin badly on a busy 2-core machine, independent boosters do not
        jobs = [(s, q) for s in rows for q in self.quantiles]
        with ThreadPoolExecutor(max_workers=self.n_jobs) as pool:
            fitted = list(pool.map(one, jobs))
        k = len(self.quantiles)
        return [fitted[i : i + k] for i in range(0, len(fitted), k)]

    def _design(self, h: int) -> np.ndarray:
        """Prediction rows: every unit's origin features with steps 1..h (unit-major)."""
        n = self.origin_.shape[0]
        steps = np.minimum(np.arange(1, h + 1), self.max_step)
        return np.concatenate(
            [np.repeat(self.origin_, h, axis=0), np.tile(steps, n)[:, None]], axis=1
        )

    @staticmethod
    def _curve(bags: list[list[lgb.LGBMRegressor]], x: np.ndarray) -> np.ndarray:
        """The bags' quantile curves for rows ``x``, each sorted (no crossing), then averaged."""
        return np.mean(
            [np.sort(np.stack([b.predict(x) for b in bag], axis=-1), axis=-1) for bag in bags],
            axis=0,
        )

    def _deaths(self, q: np.ndarray, x: np.ndarray, h: int) -> np.ndarray:
        """Curves on the model's scale → quantiles of deaths, shape ``(n_units, h, quantiles)``."""
        if self.relative:
            q = q + x[:, self._anchor][:, None]
        if self.spread != 1.0:
            med = np.median(q, axis=-1, keepdims=True)
            q = med + self.spread * (q - med)
        q = np.maximum(q, 0.0)
        return np.expm1(q).reshape(-1, h, len(self.quantiles))

    def predict_quantiles(self, h: int) -> np.ndarray:
        """Predicted quantiles of deaths, shape ``(n_units, h, len(quantiles))``, non-crossing."""
        x = self._design(h)
        return self._deaths(self._curve(self.boosters_, x), x, h)

    def spiking(self, values: np.ndarray) -> np.ndarray:
        """Which units (rows of ``values``, units × months, the origin last) the spike guard
        takes: origin month ≥ ``guard_min`` deaths and above every earlier month or ≥
        ``guard_ratio`` × the mean of the 12 months before."""
        values = np.asarray(values, float)
        if self.guard_ratio is None or values.shape[1] < 2:
            return np.zeros(values.shape[0], bool)
        last, before = values[:, -1], values[:, :-1]
        record = last > np.max(np.where(np.isfinite(before), before, -1.0), axis=1)
        seen = np.isfinite(before[:, -12:])
        total = np.where(seen, before[:, -12:], 0.0).sum(axis=1)
        mean12 = np.divide(
            total, seen.sum(axis=1), out=np.zeros_like(total), where=seen.any(axis=1)
        )
        return (last >= self.guard_min) & (record | (last >= self.guard_ratio * mean12))

    def _predict(self, hist: History, h: int) -> np.ndarray:
        recent = hist.values[:, -self.window :]
        out = ensemble(
            self.predict_quantiles(h),
            self.quantiles,
            recent,
            self.mix,
            self.n_samples,
            whole=self.whole,
        )
        guard = self.spiking(hist.values)
        self.guarded_ = [str(u) for u in hist.unit[guard]]
        if guard.any():  # the unit's own last months alone (the guard: module docs)
            n_units = int(guard.sum())
            reps = np.resize(np.arange(recent.shape[1]), self.n_samples)
            out[guard] = np.broadcast_to(recent[guard][:, None, reps], (n_units, h, self.n_samples))
        return out


def ensemble(
    qv: np.ndarray,
    qs: Sequence[float],
    recent: np.ndarray,
    mix: float,
    n: int = 1000,
    *,
    whole: bool = True,
) -> np.ndarray:
    """The ensemble ``(units, steps, n)`` of quantiles ``qv`` (at levels ``qs``) mixed with history.

    ``n − round(n·mix)`` members come from inverse-CDF interpolation between the quantiles
    (projected onto whole deaths with :func:`._samples.whole_deaths` unless ``whole=False``),
    the rest repeat each unit's ``recent`` months in turn (the conflictology distribution).
    """
    n_units, h, _ = qv.shape
    n_hist = int(round(n * mix))
    n_model = n - n_hist
    probs = (np.arange(n_model) + 0.5) / max(n_model, 1)
    flat = qv.reshape(-1, qv.shape[-1])
    model_part = np.stack([np.interp(probs, qs, row) for row in flat]).reshape(n_units, h, n_model)
    if whole and n_model:
        model_part = whole_deaths(model_part)
    if n_hist == 0:
        return model_part
    reps = np.resize(np.arange(recent.shape[1]), n_hist)
    hist_part = np.broadcast_to(recent[:, None, reps], (n_units, h, n_hist))
    return np.concatenate([model_part, hist_part], axis=-1)


def as_model(model: Model | str | None) -> Model:
    """A model object from an object, a name, or ``None`` (the backtested default)."""
    if model is None:
        return make_model(DEFAULT_MODEL)
    return make_model(model) if isinstance(model, str) else model


def make_model(name: str, **kwargs: Any) -> Model:
    """A model by name: ``zero``, ``last``, ``conflictology`` or ``qgbm``."""
    from ._benchmarks import Conflictology, Last, Zero

    table: dict[str, type[Model]] = {
        "zero": Zero,
        "last": Last,
        "conflictology": Conflictology,
        "qgbm": QuantileGBM,
    }
    if name not in table:
        raise InputError(f"unknown model {name!r}; choose one of {', '.join(table)}.")
    return table[name](**kwargs)
