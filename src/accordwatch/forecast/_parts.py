"""A backtest cut into independent parts, for running them apart (other processes, a cluster).

:func:`~accordwatch.forecast.backtest` and :func:`~accordwatch.forecast.backtest_origins`
run every step in one loop.  The same run, in parts that need nothing from each other but
their inputs:

1. :func:`plan_years` / :func:`plan_origins` check the arguments as the backtests do and
   list the windows (origins), their fit months and the models: a :class:`BacktestPlan`;
2. :func:`fit_and_predict` — one model at one fit month: fitted on the data through it and
   forecasting from each origin of that fit (refreshed for the later ones, as with
   ``refit``); :meth:`BacktestPlan.fit_jobs` lists them (origins × models);
3. :func:`samples_part` and :func:`score_part` — one origin's forecasts of one group of
   units (:func:`unit_groups`), scored;
4. :func:`merge_parts` — the parts back into the backtest's result, in the run's order.

The parts compute what the loops compute, so the result is the same, row for row, whatever
runs them and in whatever order (a test compares them).

Example:
    >>> from accordwatch.forecast import load_views_cm, backtest_origins, origin_months
    >>> panel = load_views_cm()
    >>> small = panel[panel.unit.isin(["Mali", "Niger", "Chad"])]
    >>> plan = plan_origins(small, origin_months(small, "october", 2018, 2019), models={})
    >>> groups = unit_groups(plan.panel, 2)
    >>> fits = {(m, at): fit_and_predict(plan.panel, plan.models[m], at, cuts, plan.h)
    ...         for m, at, cuts in plan.fit_jobs()}
    >>> parts = {}
    >>> for cut in plan.cuts:
    ...     for g, units in enumerate(groups):
    ...         mine = {m: samples_part(fits[(m, plan.fits[cut])], cut, units)
    ...                 for m in plan.models}
    ...         parts[(cut, g)] = score_part(plan, cut, mine, units)
    >>> res = merge_parts(plan, parts, fits)
    >>> whole = backtest_origins(small, plan.cuts, models={})
    >>> res.frame.equals(whole.frame)
    True
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ._backtest import (
    FIRST_STEP,
    LAST_STEP,
    BacktestResult,
    _check_years,
    choose_models,
    protocol_window,
    score_origin,
    unit_names,
)
from ._benchmarks import Model
from ._data import load_views_cm, validate_panel
from ._origins import (
    STRESS_MIN_DEATHS,
    STRESS_RATIO,
    OriginsResult,
    _origins_run,
    origin_year,
)
from ._samples import Samples

__all__ = [
    "BacktestPlan",
    "FitOutcome",
    "ScoredPart",
    "fit_and_predict",
    "merge_parts",
    "plan_origins",
    "plan_years",
    "samples_part",
    "score_part",
    "unit_groups",
]


@dataclass(frozen=True)
class BacktestPlan:
    """What a backtest will run: the validated panel, its windows and models.

    ``kind`` is ``"years"`` (:func:`~accordwatch.forecast.backtest`) or ``"origins"``
    (:func:`~accordwatch.forecast.backtest_origins`); ``cuts`` the origins in the run's
    order, ``fits`` the fit month of each.
    """

    kind: str
    panel: pd.DataFrame
    names: pd.Series
    cuts: list[int]
    fits: dict[int, int]
    steps: list[int]
    models: dict[str, Model]
    default: str
    test_years: list[int] = field(default_factory=list)
    refit: int = 1
    stress: pd.DataFrame | None = None
    min_deaths: float = STRESS_MIN_DEATHS
    ratio: float = STRESS_RATIO

    @property
    def h(self) -> int:
        """Months each model forecasts from an origin."""
        return self.steps[-1]

    def fit_jobs(self) -> list[tuple[str, int, list[int]]]:
        """``(model name, fit month, origins forecast from that fit)``, one per fit."""
        months = sorted(set(self.fits.values()))
        return [
            (name, at, [c for c in self.cuts if self.fits[c] == at])
            for at in months
            for name in self.models
        ]

    def marked(self) -> set[int]:
        """The stress origins among the cuts."""
        return set() if self.stress is None else {int(m) for m in self.stress["month_id"]}


@dataclass(frozen=True)
class FitOutcome:
    """One model's forecasts from the origins of one fit, and the seconds they took."""

    samples: dict[int, Samples]
    seconds: float


@dataclass(frozen=True)
class ScoredPart:
    """One origin's scored rows of one unit group: a frame per model, and the dropped units."""

    frames: list[pd.DataFrame]
    dropped: list[int]


def plan_years(
    df: pd.DataFrame | None,
    test_years: Sequence[int],
    models: dict[str, Model] | Sequence[Model] | None = None,
) -> BacktestPlan:
    """The plan of ``backtest(df, test_years, models)``: one origin (October Y−1) per year."""
    panel = load_views_cm() if df is None else validate_panel(df, source="backtest")
    years = _check_years(panel, test_years)
    chosen, default = choose_models(models)
    cuts = [protocol_window(y)[0] for y in years]
    return BacktestPlan(
        kind="years",
        panel=panel,
        names=unit_names(panel),
        cuts=cuts,
        fits={c: c for c in cuts},
        steps=list(range(FIRST_STEP, LAST_STEP + 1)),
        models=chosen,
        default=default,
        test_years=years,
    )


def plan_origins(
    df: pd.DataFrame | None,
    origins: Sequence[int],
    models: dict[str, Model] | Sequence[Model] | None = None,
    steps: Iterable[int] = range(FIRST_STEP, LAST_STEP + 1),
    *,
    refit: int = 1,
    min_deaths: float = STRESS_MIN_DEATHS,
    ratio: float = STRESS_RATIO,
) -> BacktestPlan:
    """The plan of ``backtest_origins(df, origins, models, steps, refit=, min_deaths=,
    ratio=)`` (the same checks and the same errors)."""
    run = _origins_run(df, origins, models, steps, refit=refit, min_deaths=min_deaths, ratio=ratio)
    fits = run.fits
    order = [c for at in sorted(set(fits.values())) for c in run.origins if fits[c] == at]
    return BacktestPlan(
        kind="origins",
        panel=run.panel,
        names=unit_names(run.panel),
        cuts=order,
        fits=fits,
        steps=run.steps,
        models=run.models,
        default=run.default,
        refit=refit,
        stress=run.stress,
        min_deaths=float(min_deaths),
        ratio=float(ratio),
    )


def unit_groups(panel: pd.DataFrame, size: int) -> list[list[int]]:
    """The panel's unit ids, sorted, in groups of at most ``size``.

    >>> unit_groups(pd.DataFrame({"unit_id": [5, 1, 3, 1]}), 2)
    [[1, 3], [5]]
    """
    ids = sorted(int(u) for u in pd.unique(panel["unit_id"]))
    size = max(1, int(size))
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def fit_and_predict(
    panel: pd.DataFrame, model: Model, at: int, cuts: Sequence[int], h: int
) -> FitOutcome:
    """Fit a copy of ``model`` on ``panel`` through month ``at`` and forecast ``h`` months
    from each origin of ``cuts`` (``at`` itself, or a later origin through
    :meth:`~accordwatch.forecast.Model.refresh`), as the backtests do.  ``model`` itself is
    left as it was."""
    mine = copy.deepcopy(model)
    t0 = time.perf_counter()
    mine.fit(panel[panel["month_id"] <= at])
    seconds = time.perf_counter() - t0
    out: dict[int, Samples] = {}
    for cut in cuts:
        t0 = time.perf_counter()
        aimed = mine if cut == at else mine.refresh(panel[panel["month_id"] <= cut])
        out[int(cut)] = aimed.predict(h)
        seconds += time.perf_counter() - t0
    return FitOutcome(out, seconds)


def samples_part(outcome: FitOutcome, cut: int, units: Sequence[int]) -> Samples:
    """The forecasts from origin ``cut`` of those ``units`` that the model forecast."""
    s = outcome.samples[int(cut)]
    have = {int(u) for u in s.unit_id}
    return s.select([u for u in units if int(u) in have])


def score_part(
    plan: BacktestPlan, cut: int, fitted: Mapping[str, Samples], units: Sequence[int]
) -> ScoredPart:
    """Score the forecasts ``fitted`` (one per model of the plan, from origin ``cut``) of the
    unit group ``units``, with the columns of the plan's backtest."""
    panel = plan.panel
    train = panel[panel["month_id"] <= cut]
    extra: dict[str, pd.Series] | None = None
    if plan.kind == "years":
        lead: dict[str, Any] = {"year": plan.test_years[plan.cuts.index(cut)]}
    else:
        lead = {"year": origin_year(cut)}
        extra = {"y_origin": train.loc[train["month_id"] == cut].set_index("unit_id")["y"]}
    frames, dropped = score_origin(
        panel, train, cut, plan.steps, dict(fitted), plan.names, lead, extra, only=units
    )
    if plan.kind == "origins":
        stressed = cut in plan.marked()
        for frame in frames:
            frame.insert(3, "fitted_at", plan.fits[cut])
            frame.insert(4, "stress", stressed)
    return ScoredPart(frames, dropped)


def merge_parts(
    plan: BacktestPlan,
    parts: Mapping[tuple[int, int], ScoredPart],
    fits: Mapping[tuple[str, int], FitOutcome],
) -> BacktestResult | OriginsResult:
    """The backtest's result from the scored parts (keyed by origin and unit-group index) and
    the fits (keyed by model name and fit month, for the seconds per model)."""
    frames: list[pd.DataFrame] = []
    excluded: list[dict[str, Any]] = []
    for cut in plan.cuts:
        groups = sorted(g for c, g in parts if c == cut)
        mine = [parts[(cut, g)] for g in groups]
        for m in range(len(plan.models)):
            pieces = [p.frames[m] for p in mine]
            kept = [f for f in pieces if len(f)] or pieces[:1]
            frames.append(kept[0] if len(kept) == 1 else pd.concat(kept, ignore_index=True))
        for p in mine:
            for u in p.dropped:
                if plan.kind == "years":
                    year = plan.test_years[plan.cuts.index(cut)]
                    excluded.append(
                        {"year": year, "unit_id": int(u), "unit": plan.names.get(u, str(u))}
                    )
                else:
                    excluded.append(
                        {"cutoff": cut, "unit_id": u, "unit": str(plan.names.get(u, u))}
                    )
    seconds = dict.fromkeys(plan.models, 0.0)
    for (name, _), outcome in fits.items():
        seconds[name] += outcome.seconds
    frame = pd.concat(frames, ignore_index=True)
    if plan.kind == "years":
        return BacktestResult(
            frame=frame,
            test_years=plan.test_years,
            default=plan.default,
            excluded=pd.DataFrame(excluded, columns=["year", "unit_id", "unit"]),
            seconds=seconds,
        )
    assert plan.stress is not None
    return OriginsResult(
        frame=frame,
        origins=sorted(plan.cuts),
        steps=plan.steps,
        default=plan.default,
        refit=plan.refit,
        stress=plan.stress,
        excluded=pd.DataFrame(excluded, columns=["cutoff", "unit_id", "unit"]),
        min_deaths=plan.min_deaths,
        ratio=plan.ratio,
        seconds=seconds,
    )
