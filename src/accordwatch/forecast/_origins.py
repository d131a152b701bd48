"""Rolling-origin evaluation: the VIEWS protocol's forecast from many origins, stress months
among them.

An *origin* is the last month a model sees (October Y−1 for test year Y in the VIEWS
protocol).  From each origin every model forecasts steps 3 to 14 and each unit-month is
scored as in :func:`~accordwatch.forecast.backtest` (CRPS, Brier ≥ 25, coverage, PIT), with
the benchmarks ``zero``, ``last`` and ``conflictology`` in the same run; a window that runs
past the data's last month is scored on the steps that have actuals.

* **Origin sets** (:func:`origin_months`): ``october`` (the VIEWS origins), ``quarterly``
  (January, April, July, October), ``monthly``; each origin belongs to the year of its
  step-3 month — October Y−1 to the test year Y, as ``--test-years`` — so ``--from 1995
  --to 2021`` selects the origins October 1994 … September 2021 (monthly).
* **Stress origins** (:func:`stress_units`): months in which some unit's latest month is
  unusual and large: at least :data:`STRESS_MIN_DEATHS` deaths and either more than in any
  earlier month of the unit (its record so far) or at least :data:`STRESS_RATIO` × its mean
  over the 12 months before.
* **Fits**: by default (``refit=1``) every model is fitted at every origin on the data
  through it — what a user forecasting in that month gets.  ``refit=k`` (2, 3, 4, 6 or 12)
  fits only at the origins ``k`` months apart counted from October (every October origin
  among them) and forecasts from the later origins until the next fit with
  :meth:`~accordwatch.forecast.Model.refresh`: the same learned model fed the newer months,
  never data after the origin.  It is much faster for monthly origins but not the same
  forecast — a model fitted months earlier has not learned from the latest windows, which
  is exactly what matters after a record month (see docs/forecast.md) — so use it for
  sweeps, not for the stress figures.  Either way an origin's forecast does not depend on
  which other origins are in the run.

Example:
    >>> panel = load_views_cm()
    >>> small = panel[panel.unit.isin(["Mali", "Niger", "Chad"])]
    >>> origins = origin_months(small, "october", 2018, 2019)
    >>> [month_label(m) for m in origins]
    ['2017-10', '2018-10']
    >>> res = backtest_origins(small, origins, models={})
    >>> res.frame.groupby("cutoff").size().tolist()  # 3 models x 3 units x 12 steps
    [108, 108]
    >>> sorted(res.pooled().index)
    ['conflictology', 'last', 'zero']
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import pandas as pd

from ..errors import InputError
from ._backtest import (
    BENCHMARKS,
    FIRST_STEP,
    LAST_STEP,
    MIN_TRAIN_MONTHS,
    PROTOCOL,
    choose_models,
    score_origin,
    unit_names,
)
from ._benchmarks import Model, history_matrix
from ._data import load_views_cm, month_id, month_label, validate_panel
from ._samples import Samples

__all__ = [
    "ORIGINS_PROTOCOL",
    "ORIGIN_SETS",
    "REFIT_CHOICES",
    "STRESS_MIN_DEATHS",
    "STRESS_RATIO",
    "STRESS_RULE",
    "OriginsResult",
    "backtest_origins",
    "fit_month",
    "origin_months",
    "origin_year",
    "possible_origin_years",
    "stress_units",
]

ORIGIN_SETS = ("october", "quarterly", "monthly")
#: calendar months of the origins of each set
_SET_MONTHS = {"october": (10,), "quarterly": (1, 4, 7, 10), "monthly": tuple(range(1, 13))}
STRESS_MIN_DEATHS = 1000
STRESS_RATIO = 5.0
STRESS_RULE = (
    "origin month c of a unit with data in c and the 12 months before it: deaths in c >= "
    "{min_deaths:g} and either greater than in every earlier month of the unit (its record so "
    "far) or >= {ratio:g} x its mean over the 12 months before c"
)
#: months between fits that keep every October a fit month
REFIT_CHOICES = (1, 2, 3, 4, 6, 12)
_OCTOBER = month_id(1990, 10)

ORIGINS_PROTOCOL: dict[str, Any] = {
    "name": "rolling-origin-cm",
    "target": PROTOCOL["target"],
    "window": "from each origin (the last month a model sees) forecast steps 3-14; "
    "October Y-1 is the VIEWS origin of test year Y; a window past the data's end is scored "
    "on the steps with actuals",
    "year": "an origin belongs to the year of its step-3 month (October Y-1 to Y)",
    "scores": {
        **cast(dict[str, str], PROTOCOL["scores"]),
        "ratio": "a model's summed CRPS / conflictology's over the same unit-months",
    },
    "fits": "refit_months 1: every model is fitted at every origin on the data through it; "
    "k > 1: fitted at the origins k months apart from October, and from the later origins "
    "until its next fit the same learned model reads the newer months (never data after "
    "the origin)",
    "worst_unit_window": "the unit and origin whose window's summed CRPS exceeds "
    "conflictology's by the most",
    "benchmarks": list(BENCHMARKS),
}


def origin_year(origin: int) -> int:
    """The year an origin belongs to: that of its step-3 month (October Y−1 → Y).

    >>> origin_year(month_id(2017, 10)), origin_year(month_id(2000, 6))
    (2018, 2000)
    """
    return 1980 + (int(origin) + FIRST_STEP - 1) // 12


def _possible(panel: pd.DataFrame, origin: int, first_step: int = FIRST_STEP) -> bool:
    first, last = int(panel["month_id"].min()), int(panel["month_id"].max())
    return origin - first + 1 >= MIN_TRAIN_MONTHS and origin + first_step <= last


def _set_origins(kind: str, year: int) -> list[int]:
    """The origins of set ``kind`` that belong to ``year``."""
    if kind not in _SET_MONTHS:
        raise InputError(f"unknown origin set {kind!r}; choose one of {', '.join(ORIGIN_SETS)}.")
    start = month_id(year - 1, 10)  # the first origin of the year
    return [m for m in range(start, start + 12) if (m - 1) % 12 + 1 in _SET_MONTHS[kind]]


def possible_origin_years(panel: pd.DataFrame, kind: str = "october") -> list[int]:
    """Years all of whose ``kind`` origins the panel allows: 36 months of data through the
    origin and its step-3 month in the data.

    >>> panel = load_views_cm()
    >>> years = possible_origin_years(panel, "monthly")
    >>> years[0], years[-1]
    (1994, 2022)
    """
    first, last = int(panel["month_id"].min()), int(panel["month_id"].max())
    years = range(origin_year(first), origin_year(last) + 1)
    return [y for y in years if all(_possible(panel, m) for m in _set_origins(kind, y))]


def stress_units(
    df: pd.DataFrame, *, min_deaths: float = STRESS_MIN_DEATHS, ratio: float = STRESS_RATIO
) -> pd.DataFrame:
    """Every unit-month that makes its month a stress origin (rule: :data:`STRESS_RULE`).

    Columns: ``month_id``, ``origin`` (YYYY-MM), ``year`` (:func:`origin_year`),
    ``unit_id``, ``unit``, ``y``, ``previous_max`` (the unit's largest earlier month),
    ``mean12`` (its mean over the 12 months before), ``record`` and ``spike`` (which part
    of the rule holds), sorted by month and unit.

    >>> s = stress_units(load_views_cm())
    >>> s.loc[s.origin == "2021-12", ["unit", "y", "record"]].values.tolist()
    [['Ethiopia', 113554.0, True]]
    """
    panel = validate_panel(df, source="stress_units")
    hist = history_matrix(panel)
    v = hist.values
    filled = np.where(np.isfinite(v), v, -np.inf)
    running = np.maximum.accumulate(filled, axis=1)
    previous_max = np.full_like(v, -np.inf)
    previous_max[:, 1:] = running[:, :-1]
    mean12 = pd.DataFrame(v.T).shift(1).rolling(12, min_periods=12).mean().to_numpy().T
    ok = np.isfinite(v) & np.isfinite(mean12) & (np.nan_to_num(v, nan=0.0) >= min_deaths)
    record = ok & (v > previous_max)
    spike = ok & (v >= ratio * np.nan_to_num(mean12, nan=np.inf))
    i, j = np.nonzero(record | spike)
    order = np.lexsort((hist.unit_id[i], j))
    i, j = i[order], j[order]
    months = hist.months[j]
    return pd.DataFrame(
        {
            "month_id": months.astype("int64"),
            "origin": [month_label(m) for m in months],
            "year": [origin_year(m) for m in months],
            "unit_id": hist.unit_id[i].astype("int64"),
            "unit": hist.unit[i].astype(str),
            "y": v[i, j],
            "previous_max": previous_max[i, j],
            "mean12": mean12[i, j],
            "record": record[i, j],
            "spike": spike[i, j],
        }
    )


def origin_months(
    df: pd.DataFrame,
    kind: str | None = "october",
    first_year: int | None = None,
    last_year: int | None = None,
    *,
    stress: bool = False,
    min_deaths: float = STRESS_MIN_DEATHS,
    ratio: float = STRESS_RATIO,
) -> list[int]:
    """The origins (VIEWS month ids, sorted) of set ``kind`` in the years ``first_year`` …
    ``last_year`` (default: every possible year), plus with ``stress=True`` the stress
    origins among the monthly origins of those years (``kind=None``: those alone).

    Years are those of :func:`origin_year`; a year whose origins the panel does not allow
    is refused, naming the possible years.

    >>> panel = load_views_cm()
    >>> [month_label(m) for m in origin_months(panel, "quarterly", 2000, 2000)]
    ['1999-10', '2000-01', '2000-04', '2000-07']
    >>> [month_label(m) for m in origin_months(panel, None, 2000, 2000, stress=True)]
    ['1999-10', '2000-05', '2000-06']
    """
    if kind is None and not stress:
        raise InputError("no origins asked for: give an origin set (october, …) or stress.")
    panel = validate_panel(df, source="origins")
    sets = [kind] if kind is not None else []
    if stress:
        sets.append("monthly")
    for name in sets:
        if name not in _SET_MONTHS:
            raise InputError(
                f"unknown origin set {name!r}; choose one of {', '.join(ORIGIN_SETS)}."
            )
    possible = sorted(set.intersection(*(set(possible_origin_years(panel, s)) for s in sets)))
    lo = possible[0] if first_year is None and possible else first_year
    hi = possible[-1] if last_year is None and possible else last_year
    if lo is None or hi is None:
        raise InputError(_no_years(panel, sets[0], possible))
    if lo > hi:
        raise InputError(f"--from {lo} is after --to {hi}; give the earlier year first.")
    bad = [y for y in range(lo, hi + 1) if y not in possible]
    if bad:
        shown = f"{bad[0]}" if len(bad) == 1 else f"{bad[0]}–{bad[-1]}"
        raise InputError(
            f"cannot use the origins of {shown}: {_no_years(panel, sets[0], possible)}"
        )
    found: set[int] = set()
    if kind is not None:
        found |= {m for y in range(lo, hi + 1) for m in _set_origins(kind, y)}
    if stress:
        months = set(stress_units(panel, min_deaths=min_deaths, ratio=ratio)["month_id"])
        found |= {m for y in range(lo, hi + 1) for m in _set_origins("monthly", y) if m in months}
        if kind is None and not found:
            raise InputError(
                f"no stress origins in {lo}–{hi} ({STRESS_RULE.format(**_rule(min_deaths, ratio))}"
                "); lower the minimum deaths or widen the years."
            )
    return sorted(found)


def _rule(min_deaths: float, ratio: float) -> dict[str, float]:
    return {"min_deaths": float(min_deaths), "ratio": float(ratio)}


def _no_years(panel: pd.DataFrame, kind: str, possible: list[int]) -> str:
    first, last = int(panel["month_id"].min()), int(panel["month_id"].max())
    span = f"{possible[0]}–{possible[-1]}" if possible else "none"
    return (
        f"the data run {month_label(first)} to {month_label(last)}; an origin needs "
        f"{MIN_TRAIN_MONTHS} months of data through it and its step-{FIRST_STEP} month in the "
        f"data (an origin belongs to the year of its step-{FIRST_STEP} month: October Y-1 to "
        f"Y). Possible years for {kind} origins with these data: {span}."
    )


def fit_month(origin: int, refit: int, first_month: int | None = None) -> int:
    """The month a model is fitted at to forecast from ``origin``: the latest month ≤ origin
    ``refit`` months apart from October — the origin itself when that month has fewer than
    36 months of data after ``first_month`` (the panel's first month).

    >>> [month_label(fit_month(m, 12)) for m in (month_id(2000, 6), month_id(2000, 10))]
    ['1999-10', '2000-10']
    >>> month_label(fit_month(month_id(2000, 6), refit=3))
    '2000-04'
    """
    if refit not in REFIT_CHOICES:
        raise InputError(
            f"refit must be one of {', '.join(map(str, REFIT_CHOICES))} months (got {refit}), "
            "so that every October origin is fitted on its own data."
        )
    at = int(origin) - (int(origin) - _OCTOBER) % refit
    if first_month is not None and at - int(first_month) + 1 < MIN_TRAIN_MONTHS:
        return int(origin)
    return at


@dataclass
class OriginsResult:
    """Outcome of :func:`backtest_origins`: tidy unit-month scores plus per-origin and pooled
    summaries."""

    frame: pd.DataFrame
    """One row per model, origin (``cutoff``), unit and step, as statsforecast's
    ``cross_validation``; ``fitted_at`` is the month the model was fitted at, ``stress``
    whether the origin is a stress origin, ``y_origin`` the unit's deaths in the origin
    month, ``year`` the origin's year."""
    origins: list[int]
    steps: list[int]
    default: str
    refit: int
    stress: pd.DataFrame
    """The stress unit-months (:func:`stress_units`) at the origins of the run."""
    excluded: pd.DataFrame
    min_deaths: float = STRESS_MIN_DEATHS
    ratio: float = STRESS_RATIO
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        """The models scored, in run order."""
        return list(dict.fromkeys(self.frame["model"]))

    @property
    def stress_origins(self) -> list[int]:
        """The origins of the run that are stress origins."""
        return sorted(set(self.stress["month_id"]))

    def subset(
        self,
        *,
        origins: Iterable[int] | None = None,
        first_year: int | None = None,
        last_year: int | None = None,
        stress: bool | None = None,
        october: bool | None = None,
    ) -> OriginsResult:
        """The same result restricted to some origins: those listed, of the years given,
        stress origins or not, October origins or not."""
        keep = set(self.origins if origins is None else (int(o) for o in origins))
        keep &= set(self.origins)
        if first_year is not None:
            keep = {o for o in keep if origin_year(o) >= first_year}
        if last_year is not None:
            keep = {o for o in keep if origin_year(o) <= last_year}
        if stress is not None:
            marked = set(self.stress_origins)
            keep = {o for o in keep if (o in marked) == stress}
        if october is not None:
            keep = {o for o in keep if ((o - 1) % 12 == 9) == october}
        if not keep:
            raise InputError("no origins of this run match; nothing to summarise.")
        return replace(
            self,
            frame=self.frame[self.frame["cutoff"].isin(keep)].reset_index(drop=True),
            origins=sorted(keep),
            stress=self.stress[self.stress["month_id"].isin(keep)].reset_index(drop=True),
            excluded=self.excluded[self.excluded["cutoff"].isin(keep)].reset_index(drop=True),
        )

    def by_origin(self) -> pd.DataFrame:
        """Mean scores per origin and model, with the ratio of summed CRPS to conflictology's
        (``ratio``); columns ``cutoff``, ``origin`` (YYYY-MM), ``year``, ``stress``,
        ``fitted_at``, ``model``, ``crps``, ``ratio``, ``brier_25``, ``coverage_90``,
        ``coverage_50``, ``n``."""
        g = self.frame.groupby(["cutoff", "model"], sort=False)
        out = pd.DataFrame({**_group_scores(g), "fitted_at": g["fitted_at"].first()}).reset_index()
        ref = out[out["model"] == "conflictology"].set_index("cutoff")["crps_sum"]
        out["ratio"] = _ratio(out["crps_sum"].to_numpy(), out["cutoff"].map(ref).to_numpy())
        out["origin"] = [month_label(m) for m in out["cutoff"]]
        out["year"] = [origin_year(m) for m in out["cutoff"]]
        out["stress"] = out["cutoff"].isin(self.stress_origins)
        cols = ["cutoff", "origin", "year", "stress", "fitted_at", "model", "crps", "ratio"]
        cols += ["brier_25", "coverage_90", "coverage_50", "n"]
        return out.sort_values(["cutoff"], kind="stable")[cols].reset_index(drop=True)

    def pooled(self) -> pd.DataFrame:
        """Scores per model over every unit-month of the run (index: model): ``crps``,
        ``ratio`` (summed CRPS / conflictology's), ``brier_25``, coverage, ``n``, the number
        of ``origins``, the ``worst_ratio`` of one origin and the share of origins where the
        model is worse than conflictology (``share_worse``)."""
        g = self.frame.groupby("model", sort=False)
        out = pd.DataFrame({**_group_scores(g), "origins": g["cutoff"].nunique()})
        ref = out["crps_sum"].get("conflictology", np.nan)
        out["ratio"] = _ratio(out["crps_sum"].to_numpy(), np.full(len(out), ref))
        per = self.by_origin()
        out["worst_ratio"] = per.groupby("model")["ratio"].max()
        out["share_worse"] = per.assign(worse=per["ratio"] > 1).groupby("model")["worse"].mean()
        cols = ["crps", "ratio", "brier_25", "coverage_90", "coverage_50", "n", "origins"]
        return out[[*cols, "worst_ratio", "share_worse"]]

    def worst_origin(self, model: str | None = None) -> dict[str, Any]:
        """The origin where ``model`` (default: the run's default) does worst against
        conflictology: its month, year, ratio, mean CRPS of both, and the stress units."""
        name = self._model(model)
        per = self.by_origin()
        mine = per[per["model"] == name].set_index("cutoff")
        ref = per[per["model"] == "conflictology"].set_index("cutoff")["crps"]
        ranked = mine["ratio"].fillna(-np.inf)
        cut = int(cast(int, ranked.idxmax()))
        row = cast(pd.Series, mine.loc[cut])
        return {
            "origin": month_label(cut),
            "month_id": cut,
            "year": origin_year(cut),
            "ratio": _num(row["ratio"]),
            "crps": _num(row["crps"]),
            "crps_conflictology": _num(ref[cut]),
            "n": int(row["n"]),
            "stress_units": self._stress_names(cut),
        }

    def worst_unit_window(self, model: str | None = None) -> dict[str, Any]:
        """The unit and origin whose window costs ``model`` (default: the run's default) the
        most against conflictology: the largest excess of its summed CRPS over the window's
        steps over conflictology's.  With the unit's name, its deaths in the origin month,
        the mean CRPS of both, and ``pooled_ratio_without``: the run's pooled ratio had this
        window scored as conflictology's."""
        name = self._model(model)
        f = self.frame
        keys = ["cutoff", "unit_id"]
        mine = f[f["model"] == name].groupby(keys)
        ref = f[f["model"] == "conflictology"].groupby(keys)["crps"]
        win = pd.DataFrame(
            {
                "crps_sum": mine["crps"].sum(),
                "ref_sum": ref.sum(),
                "crps": mine["crps"].mean(),
                "ref": ref.mean(),
                "months": mine.size(),
                "unit": mine["unit"].first(),
                "y_origin": mine["y_origin"].first(),
                "y_max": mine["y"].max(),
            }
        )
        excess = win["crps_sum"] - win["ref_sum"]
        cut, uid = cast(tuple[int, int], excess.idxmax())
        row = cast(pd.Series, win.loc[(cut, uid)])
        total, total_ref = float(win["crps_sum"].sum()), float(win["ref_sum"].sum())
        return {
            "origin": month_label(int(cut)),
            "month_id": int(cut),
            "year": origin_year(int(cut)),
            "unit": str(row["unit"]),
            "unit_id": int(uid),
            "months": int(row["months"]),
            "deaths_at_origin": float(row["y_origin"]),
            "max_deaths_in_window": float(row["y_max"]),
            "crps": _num(row["crps"]),
            "crps_conflictology": _num(row["ref"]),
            "ratio": _num(_ratio(row["crps_sum"], row["ref_sum"])),
            "excess": _num(excess[(cut, uid)]),
            "pooled_ratio_without": _num(
                _ratio(total - float(row["crps_sum"]) + float(row["ref_sum"]), total_ref)
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``protocol``, ``default``, ``origins`` (one entry per origin:
        month, year, stress units, fit month, steps, n and each model's scores), ``pooled``
        (``all`` origins, and ``stress`` when some are stress origins), ``worst_origin`` and
        ``worst_unit_window`` (per model besides conflictology).  A ratio is null where
        conflictology's CRPS is 0."""
        per = self.by_origin()
        origins = []
        for cut, rows in per.groupby("cutoff", sort=True):
            first = rows.iloc[0]
            steps = self.frame.loc[self.frame["cutoff"] == cut, "step"]
            origins.append(
                {
                    "origin": str(first["origin"]),
                    "month_id": int(cast(int, cut)),
                    "year": int(first["year"]),
                    "stress": bool(first["stress"]),
                    "stress_units": self._stress_names(int(cast(int, cut))),
                    "fitted_at": month_label(int(first["fitted_at"])),
                    "steps": [int(steps.min()), int(steps.max())],
                    "n": int(first["n"]),
                    "models": {
                        str(r["model"]): {
                            "crps": _num(r["crps"]),
                            "ratio": _num(r["ratio"]),
                            "brier_25": _num(r["brier_25"]),
                            "coverage_90": _num(r["coverage_90"]),
                            "coverage_50": _num(r["coverage_50"]),
                        }
                        for _, r in rows.iterrows()
                    },
                }
            )
        pooled = {"all": _pooled_dict(self.pooled())}
        if self.stress_origins:
            pooled["stress"] = _pooled_dict(self.subset(stress=True).pooled())
        others = [m for m in self.models if m != "conflictology"]
        protocol: dict[str, Any] = dict(
            ORIGINS_PROTOCOL,
            stress_rule=STRESS_RULE.format(**_rule(self.min_deaths, self.ratio)),
            origins=len(self.origins),
            first_origin=month_label(self.origins[0]),
            last_origin=month_label(self.origins[-1]),
            years=[origin_year(self.origins[0]), origin_year(self.origins[-1])],
            steps=[min(self.steps), max(self.steps)],
            refit_months=self.refit,
            stress_min_deaths=self.min_deaths,
            stress_ratio=self.ratio,
            excluded_unit_windows=int(len(self.excluded)),
        )
        return {
            "protocol": protocol,
            "default": self.default,
            "origins": origins,
            "pooled": pooled,
            "worst_origin": {m: self.worst_origin(m) for m in others},
            "worst_unit_window": {m: self.worst_unit_window(m) for m in others},
        }

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), **kwargs)

    def _model(self, model: str | None) -> str:
        name = self.default if model is None else model
        if name not in self.models:
            raise InputError(f"no model {name!r} in this run; it has {', '.join(self.models)}.")
        if name == "conflictology":
            raise InputError("conflictology is the reference; ask about another model.")
        return name

    def _stress_names(self, cut: int) -> list[dict[str, Any]]:
        rows = self.stress[self.stress["month_id"] == cut]
        return [
            {"unit": str(u), "deaths": float(y), "record": bool(rec)}
            for u, y, rec in zip(rows["unit"], rows["y"], rows["record"], strict=True)
        ]


def _group_scores(g: Any) -> dict[str, pd.Series]:
    """The scores of each group of a run's frame (a pandas groupby): mean ``crps`` and its
    sum (``crps_sum``, for the ratios), mean ``brier_25``, the coverage of the 90 % and 50 %
    intervals and the number of unit-steps ``n``."""
    return {
        "crps": g["crps"].mean(),
        "crps_sum": g["crps"].sum(),
        "brier_25": g["brier_25"].mean(),
        "coverage_90": g["covered_90"].mean(),
        "coverage_50": g["covered_50"].mean(),
        "n": g.size(),
    }


def _ratio(a: Any, b: Any) -> Any:
    """a / b, NaN where both are 0 and inf where only b is."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(np.asarray(a, float), np.asarray(b, float))


def _num(value: Any) -> float | None:
    """A float for JSON: None for NaN or an infinite ratio."""
    v = float(value)
    return v if math.isfinite(v) else None


def _pooled_dict(table: pd.DataFrame) -> dict[str, Any]:
    return {
        str(name): {
            "crps": _num(r["crps"]),
            "ratio": _num(r["ratio"]),
            "brier_25": _num(r["brier_25"]),
            "coverage_90": _num(r["coverage_90"]),
            "coverage_50": _num(r["coverage_50"]),
            "n": int(r["n"]),
            "origins": int(r["origins"]),
            "worst_ratio": _num(r["worst_ratio"]),
            "share_worse": _num(r["share_worse"]),
        }
        for name, r in table.iterrows()
    }


def _check_steps(steps: Iterable[int]) -> list[int]:
    chosen = sorted({int(s) for s in steps})
    if not chosen or chosen[0] < 1 or chosen[-1] > 36:
        raise InputError(f"steps must be between 1 and 36 (got {list(steps)}).")
    return chosen


def _check_origins(panel: pd.DataFrame, origins: Sequence[int], first_step: int) -> list[int]:
    chosen = sorted({int(o) for o in origins})
    if not chosen:
        raise InputError("no origins given; see origin_months() for the october, … sets.")
    bad = [o for o in chosen if not _possible(panel, o, first_step)]
    if bad:
        first, last = int(panel["month_id"].min()), int(panel["month_id"].max())
        lo, hi = first + MIN_TRAIN_MONTHS - 1, last - first_step
        shown = ", ".join(month_label(o) for o in bad[:5]) + (" …" if len(bad) > 5 else "")
        span = f"{month_label(lo)} to {month_label(hi)}" if lo <= hi else "none"
        raise InputError(
            f"cannot forecast from origin(s) {shown}: the data run {month_label(first)} to "
            f"{month_label(last)}; an origin needs {MIN_TRAIN_MONTHS} months of data through it "
            f"and its step-{first_step} month in the data. Possible origins: {span}."
        )
    return chosen


@dataclass(frozen=True)
class _OriginsRun:
    """The checked arguments of an origins backtest: the panel, the steps, the origins, the
    models by name with the default, the month each origin's models are fitted at, and the
    stress unit-months of the chosen origins."""

    panel: pd.DataFrame
    steps: list[int]
    origins: list[int]
    models: dict[str, Model]
    default: str
    fits: dict[int, int]
    stress: pd.DataFrame


def _origins_run(
    df: pd.DataFrame | None,
    origins: Sequence[int],
    models: dict[str, Model] | Sequence[Model] | None,
    steps: Iterable[int],
    *,
    refit: int,
    min_deaths: float,
    ratio: float,
) -> _OriginsRun:
    """Check the arguments of :func:`backtest_origins` (and of its plan, which must refuse
    the same ones with the same errors) and derive what the run needs from them."""
    panel = load_views_cm() if df is None else validate_panel(df, source="backtest_origins")
    wanted = _check_steps(steps)
    chosen_origins = _check_origins(panel, origins, wanted[0])
    chosen, default = choose_models(models)
    first = int(panel["month_id"].min())
    fits = {o: fit_month(o, refit, first) for o in chosen_origins}
    stress = stress_units(panel, min_deaths=min_deaths, ratio=ratio)
    stress = stress[stress["month_id"].isin(chosen_origins)].reset_index(drop=True)
    return _OriginsRun(panel, wanted, chosen_origins, chosen, default, fits, stress)


def backtest_origins(
    df: pd.DataFrame | None,
    origins: Sequence[int],
    models: dict[str, Model] | Sequence[Model] | None = None,
    steps: Iterable[int] = range(FIRST_STEP, LAST_STEP + 1),
    *,
    refit: int = 1,
    min_deaths: float = STRESS_MIN_DEATHS,
    ratio: float = STRESS_RATIO,
    progress: Callable[[int, int, int], None] | None = None,
) -> OriginsResult:
    """Forecast from every origin (VIEWS month ids, e.g. from :func:`origin_months`) and score
    each model plus the benchmarks at ``steps``.

    ``df`` is a panel (``None``: the bundled file); ``models`` as in
    :func:`~accordwatch.forecast.backtest`.  Each model is fitted at :func:`fit_month` of the
    origins (``refit`` months apart from October; 1: every origin) and refreshed for the later
    ones.
    Origins are marked as stress origins by :func:`stress_units` with ``min_deaths`` and
    ``ratio``.  ``progress(done, total, origin)`` is called after each origin.
    """
    run = _origins_run(df, origins, models, steps, refit=refit, min_deaths=min_deaths, ratio=ratio)
    panel, wanted, chosen_origins, fits = run.panel, run.steps, run.origins, run.fits
    chosen, default, stress = run.models, run.default, run.stress
    marked = set(stress["month_id"])
    names = unit_names(panel)
    wide = panel.pivot(index="unit_id", columns="month_id", values="y")
    h = wanted[-1]
    frames: list[pd.DataFrame] = []
    excluded: list[dict[str, Any]] = []
    seconds = dict.fromkeys(chosen, 0.0)
    done = 0
    for at in sorted(set(fits.values())):
        for name, model in chosen.items():
            t0 = time.perf_counter()
            model.fit(panel[panel["month_id"] <= at])
            seconds[name] += time.perf_counter() - t0
        for cut in [o for o in chosen_origins if fits[o] == at]:
            train = panel[panel["month_id"] <= cut]
            fitted: dict[str, Samples] = {}
            for name, model in chosen.items():
                t0 = time.perf_counter()
                aimed = model if cut == at else model.refresh(train)
                fitted[name] = aimed.predict(h)
                seconds[name] += time.perf_counter() - t0
            lead = {"year": origin_year(cut)}
            extra = {"y_origin": wide[cut]}
            scored, dropped = score_origin(panel, train, cut, wanted, fitted, names, lead, extra)
            for frame in scored:
                frame.insert(3, "fitted_at", at)
                frame.insert(4, "stress", cut in marked)
            frames += scored
            excluded += [
                {"cutoff": cut, "unit_id": u, "unit": str(names.get(u, u))} for u in dropped
            ]
            done += 1
            if progress is not None:
                progress(done, len(chosen_origins), cut)
    frame = pd.concat(frames, ignore_index=True)
    return OriginsResult(
        frame=frame,
        origins=chosen_origins,
        steps=wanted,
        default=default,
        refit=refit,
        stress=stress,
        excluded=pd.DataFrame(excluded, columns=["cutoff", "unit_id", "unit"]),
        min_deaths=float(min_deaths),
        ratio=float(ratio),
        seconds=seconds,
    )
