"""Honest backtests on the VIEWS prediction-challenge protocol.

For test year ``Y`` every model sees the panel through October ``Y−1`` (the
*cutoff*) and forecasts January–December ``Y`` — steps 3 to 14. Each
unit-month is scored by CRPS, the Brier score for ≥ 25 deaths, 50 % and 90 %
interval coverage and its PIT (for calibration); the benchmarks ``zero``,
``last`` and ``conflictology`` always run in the same call.

Units scored in year ``Y``: those with data in the cutoff month, enough history
for every model (12 months), and actuals for all twelve months of ``Y``; the
others are listed in :attr:`BacktestResult.excluded`.

Example:
    >>> panel = load_views_cm()
    >>> small = panel[panel.unit.isin(["Mali", "Niger", "Chad"])]
    >>> res = backtest(small, [2019])
    >>> int(res.scores.loc["zero", "n"])
    36
    >>> sorted(res.frame.columns)[:4]
    ['brier_25', 'covered_50', 'covered_90', 'crps']
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from ..errors import InputError
from ._benchmarks import Conflictology, Last, Model, Zero
from ._data import load_views_cm, month_id, month_label, validate_panel
from ._samples import Samples
from ._scores import brier, covered, crps, pit_bounds, pit_histogram

__all__ = [
    "BENCHMARKS",
    "FIRST_STEP",
    "LAST_STEP",
    "MIN_TRAIN_MONTHS",
    "PROTOCOL",
    "BacktestResult",
    "backtest",
    "choose_models",
    "default_models",
    "possible_test_years",
    "protocol_window",
    "score_origin",
    "unit_names",
]

BENCHMARKS = ("zero", "last", "conflictology")
FIRST_STEP, LAST_STEP = 3, 14
MIN_TRAIN_MONTHS = 36

PROTOCOL = {
    "name": "views-challenge-2023-cm",
    "target": "monthly UCDP GED state-based deaths per unit (best estimate)",
    "window": "for test year Y: data through October Y-1, forecast January-December Y (steps 3-14)",
    "scores": {
        "crps": "mean CRPS over unit-months (scoringrules.crps_ensemble, "
        "estimator qd = CRPS of the empirical distribution)",
        "brier_25": "mean Brier score of P(deaths >= 25)",
        "coverage_90": "share of unit-months inside the central 90% interval",
        "coverage_50": "share of unit-months inside the central 50% interval",
        "pit_histogram": "non-randomised PIT histogram, 10 bins (flat = calibrated; each bin 0.1)",
    },
    "benchmarks": list(BENCHMARKS),
}


def protocol_window(year: int) -> tuple[int, list[int]]:
    """The cutoff month and the twelve target months (VIEWS month ids) of test year ``year``.

    >>> cut, months = protocol_window(2018)
    >>> month_label(cut), month_label(months[0]), month_label(months[-1]), months[0] - cut
    ('2017-10', '2018-01', '2018-12', 3)
    """
    cut = month_id(year - 1, 10)
    return cut, [month_id(year, m) for m in range(1, 13)]


def possible_test_years(panel: pd.DataFrame) -> list[int]:
    """Test years the panel allows: actuals for all of Y, ≥ 36 months of data before the cutoff."""
    first, last = int(panel["month_id"].min()), int(panel["month_id"].max())
    years = range(1980 + (first - 1) // 12, 1980 + (last - 1) // 12 + 2)
    return [
        y
        for y in years
        if protocol_window(y)[1][-1] <= last
        and protocol_window(y)[0] - first + 1 >= MIN_TRAIN_MONTHS
    ]


def default_models() -> dict[str, Model]:
    """The benchmarks plus the default learned model."""
    from ._learned import DEFAULT_MODEL, make_model

    models: dict[str, Model] = {"zero": Zero(), "last": Last(), "conflictology": Conflictology()}
    models[DEFAULT_MODEL] = make_model(DEFAULT_MODEL)
    return models


@dataclass
class BacktestResult:
    """Outcome of :func:`backtest`: tidy unit-month scores plus summaries."""

    frame: pd.DataFrame
    """One row per model, unit and target month (like statsforecast's ``cross_validation``)."""
    test_years: list[int]
    default: str
    excluded: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def samples(self) -> pd.DataFrame:
        """Alias of :attr:`frame` (per-unit-month forecasts and scores)."""
        return self.frame

    @property
    def scores(self) -> pd.DataFrame:
        """Mean scores per model over all test years (index: model)."""
        out = _means(self.frame.groupby("model", sort=False))
        ref = out["crps"].get("conflictology", np.nan)
        out["crps_vs_conflictology"] = out["crps"] / ref
        return out

    def by_year(self) -> pd.DataFrame:
        """Mean scores per model and test year."""
        return _means(self.frame.groupby(["model", "year"], sort=False))

    def calibration(
        self, bins: int = 10, by_year: bool = False, min_recent_mean: float | None = None
    ) -> pd.DataFrame:
        """PIT histogram per model (and test year): the share of PIT mass in each bin.

        A calibrated model gives ``1 / bins`` in every bin. Over all country-months the
        many certain zeros (every member 0, actual 0) spread their PIT over [0, 1] and
        flatten the histogram whatever the model, so ``min_recent_mean=1`` keeps only
        the units with at least one death a month on average in the 12 months through
        the cutoff — the wars, where calibration is at stake.
        """
        frame = self.frame
        if min_recent_mean is not None:
            frame = frame[frame["recent_mean"] >= min_recent_mean]
        keys = ["model", "year"] if by_year else ["model"]
        labels = [f"{i / bins:.2f}-{(i + 1) / bins:.2f}" for i in range(bins)]
        rows = {
            key: [*pit_histogram(g["pit_lo"].to_numpy(), g["pit_hi"].to_numpy(), bins), len(g)]
            for key, g in frame.groupby(keys, sort=False)
        }
        out = pd.DataFrame.from_dict(rows, orient="index", columns=[*labels, "n"]).astype(
            {"n": int}
        )
        out.index = (
            pd.MultiIndex.from_tuples(rows, names=keys)
            if by_year
            else pd.Index([k[0] for k in rows], name="model")
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"protocol", "default", "models": {name: {...}}}``.

        Each model's entry has the contract's ``crps``, ``brier_25``, ``coverage_90``, ``n``
        and ``by_year``, plus ``coverage_50`` and ``pit_histogram`` (10 bins).
        """
        scores, years, pit = self.scores, self.by_year(), self.calibration()
        models: dict[str, Any] = {}
        for name, row in scores.iterrows():
            by = cast(pd.DataFrame, years.loc[str(name)])  # this model's rows, by year
            models[str(name)] = {
                "crps": float(row["crps"]),
                "brier_25": float(row["brier_25"]),
                "coverage_90": float(row["coverage_90"]),
                "coverage_50": float(row["coverage_50"]),
                "pit_histogram": [
                    round(float(v), 6) for v in pit.loc[str(name)].drop("n").to_numpy()
                ],
                "n": int(row["n"]),
                "by_year": {
                    str(int(cast(int, y))): {
                        "crps": float(r["crps"]),
                        "brier_25": float(r["brier_25"]),
                        "coverage_90": float(r["coverage_90"]),
                        "coverage_50": float(r["coverage_50"]),
                        "n": int(r["n"]),
                    }
                    for y, r in by.iterrows()
                },
            }
        protocol: dict[str, Any] = dict(
            PROTOCOL, test_years=self.test_years, steps=[FIRST_STEP, LAST_STEP]
        )
        protocol["excluded_units"] = int(len(self.excluded))
        return {"protocol": protocol, "default": self.default, "models": models}

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), **kwargs)


def _means(g: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "crps": g["crps"].mean(),
            "brier_25": g["brier_25"].mean(),
            "coverage_90": g["covered_90"].mean(),
            "coverage_50": g["covered_50"].mean(),
            "n": g.size(),
        }
    )


def _check_years(panel: pd.DataFrame, test_years: Sequence[int]) -> list[int]:
    years = [int(y) for y in test_years]
    if not years:
        raise InputError("no test years given; pass e.g. --test-years 2018 2019 2020 2021.")
    if len(set(years)) != len(years):
        raise InputError(f"test years repeat: {years}; give each year once.")
    ok = possible_test_years(panel)
    bad = [y for y in years if y not in ok]
    if bad:
        first, last = int(panel["month_id"].min()), int(panel["month_id"].max())
        span = f"{ok[0]}–{ok[-1]}" if ok else "none"
        raise InputError(
            f"cannot backtest year(s) {bad}: "
            f"the data run {month_label(first)} to {month_label(last)}; "
            "a test year Y needs actuals for all 12 months of Y and "
            f"{MIN_TRAIN_MONTHS} months of data through October Y-1. "
            f"Possible test years with these data: {span}."
        )
    return sorted(years)


def choose_models(
    models: dict[str, Model] | Sequence[Model] | None,
) -> tuple[dict[str, Model], str]:
    """The models to run by name — ``models`` plus the benchmarks ``zero``, ``last`` and
    ``conflictology`` where missing (``None``: the default learned model too) — and the
    name reported as ``default``: the default learned model if it runs, else conflictology."""
    if models is None:
        chosen = default_models()
    elif isinstance(models, dict):
        chosen = dict(models)
    else:
        chosen = {m.name: m for m in models}
    for name, cls in (("zero", Zero), ("last", Last), ("conflictology", Conflictology)):
        chosen.setdefault(name, cls())
    from ._learned import DEFAULT_MODEL

    return chosen, DEFAULT_MODEL if DEFAULT_MODEL in chosen else "conflictology"


def unit_names(panel: pd.DataFrame) -> pd.Series:
    """Each unit's latest name, by ``unit_id``."""
    return panel.drop_duplicates("unit_id", keep="last").set_index("unit_id")["unit"]


def score_origin(
    panel: pd.DataFrame,
    train: pd.DataFrame,
    cut: int,
    steps: Sequence[int],
    fitted: dict[str, Samples],
    names: pd.Series,
    lead: dict[str, Any],
    extra: dict[str, pd.Series] | None = None,
    only: Collection[int] | None = None,
) -> tuple[list[pd.DataFrame], list[int]]:
    """Score every model's forecast from the origin ``cut`` at the ``steps`` whose months are
    in the panel.

    ``fitted`` holds each model's samples (steps 1..h from ``cut``), ``train`` the panel
    through ``cut``.  A unit is scored when every model forecast it and it has actuals for
    every target month; the others alive at ``cut`` or in the window are returned as
    dropped.  Each model's frame has ``model``, the ``lead`` columns, ``cutoff``, the unit,
    month, step, actual, forecast summaries, scores, ``recent_mean`` (mean deaths in the
    12 months through ``cut``) and the ``extra`` per-unit columns.  ``only`` limits the
    scoring (and the dropped units) to those unit ids — a unit group; the groups of a
    partition of the units give, one after the other, the rows of a run without ``only``.
    """
    last = int(panel["month_id"].max())
    steps = [int(k) for k in steps if cut + int(k) <= last]
    targets = [cut + k for k in steps]
    actual = panel[panel["month_id"].isin(targets)].pivot(
        index="unit_id", columns="month_id", values="y"
    )
    actual = actual.reindex(columns=targets).dropna()
    if only is not None:
        actual = actual[actual.index.isin(list(only))]
    units = set(actual.index)
    for s in fitted.values():
        units &= {int(u) for u in s.unit_id}
    scored = sorted(units)
    alive = set(train.loc[train["month_id"] == cut, "unit_id"]) | set(actual.index)
    if only is not None:
        alive &= {int(u) for u in only}
    dropped = sorted(int(u) for u in alive - units)
    k = len(targets)
    obs = actual.loc[scored].to_numpy()
    last12 = train[train["month_id"] > cut - 12].groupby("unit_id")["y"].mean()
    recent = np.repeat(last12.reindex(scored).to_numpy(), k)
    cols = np.array(steps) - 1
    frames = []
    for name, s in fitted.items():
        sub = s.select(scored).values[:, cols, :]
        o = obs.ravel()
        ens = sub.reshape(len(o), -1)
        lo, med, hi = np.quantile(ens, [0.05, 0.5, 0.95], axis=-1)
        pit_lo, pit_hi = pit_bounds(o, ens)
        frame = pd.DataFrame(
            {
                "model": name,
                **lead,
                "cutoff": cut,
                "unit_id": np.repeat(scored, k),
                "unit": np.repeat([names[u] for u in scored], k),
                "month_id": np.tile(targets, len(scored)),
                "step": np.tile(steps, len(scored)),
                "y": o,
                "mean": ens.mean(axis=-1),
                "median": med,
                "lo-90": lo,
                "hi-90": hi,
                "p_ge_25": (ens >= 25).mean(axis=-1),
                "crps": crps(o, ens),
                "brier_25": brier(o, ens, 25),
                "covered_90": covered(o, ens, 0.9),
                "covered_50": covered(o, ens, 0.5),
                "pit_lo": pit_lo,
                "pit_hi": pit_hi,
                "recent_mean": recent,
            }
        )
        for col, values in (extra or {}).items():
            frame[col] = np.repeat(values.reindex(scored).to_numpy(), k)
        frames.append(frame)
    return frames, dropped


def backtest(
    df: pd.DataFrame | None,
    test_years: Sequence[int],
    models: dict[str, Model] | Sequence[Model] | None = None,
) -> BacktestResult:
    """Run the protocol for each test year and score every model plus the benchmarks.

    ``df`` is a panel (:func:`load_views_cm`; ``None`` loads the bundled file).
    ``models`` adds or replaces models by name; ``zero``, ``last`` and
    ``conflictology`` are always added if missing. With ``models=None`` the
    default learned model runs too and is reported as ``default``.
    """
    panel = load_views_cm() if df is None else validate_panel(df, source="backtest")
    years = _check_years(panel, test_years)
    chosen, default = choose_models(models)
    frames, excluded, seconds = [], [], dict.fromkeys(chosen, 0.0)
    names = unit_names(panel)
    steps = list(range(FIRST_STEP, LAST_STEP + 1))
    for year in years:
        cut, _ = protocol_window(year)
        train = panel[panel["month_id"] <= cut]
        fitted: dict[str, Samples] = {}
        for name, model in chosen.items():
            t0 = time.perf_counter()
            fitted[name] = model.fit(train).predict(LAST_STEP)
            seconds[name] += time.perf_counter() - t0
        scored, dropped = score_origin(panel, train, cut, steps, fitted, names, {"year": year})
        frames += scored
        excluded += [
            {"year": year, "unit_id": int(uid), "unit": names.get(uid, str(uid))} for uid in dropped
        ]
    frame = pd.concat(frames, ignore_index=True)
    return BacktestResult(
        frame=frame,
        test_years=years,
        default=default,
        excluded=pd.DataFrame(excluded, columns=["year", "unit_id", "unit"]),
        seconds=seconds,
    )
