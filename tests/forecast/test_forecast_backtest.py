"""The challenge protocol: windows, hand-checkable scores, CRPS cross-check, refusals,
published benchmarks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from accordwatch.errors import InputError
from accordwatch.forecast import (
    Conflictology,
    Last,
    Model,
    Zero,
    backtest,
    crps,
    month_id,
    month_label,
    possible_test_years,
    protocol_window,
)
from accordwatch.forecast._scores import brier, covered, crps_direct, pit_bounds, pit_histogram


class Spy(Conflictology):
    """Conflictology that records the last month it was fitted on."""

    name = "spy"

    def fit(self, df: pd.DataFrame) -> Model:
        self.seen = getattr(self, "seen", []) + [int(df["month_id"].max())]
        return super().fit(df)


def test_protocol_window() -> None:
    cut, months = protocol_window(2021)
    assert month_label(cut) == "2020-10"
    assert [month_label(m) for m in (months[0], months[-1])] == ["2021-01", "2021-12"]
    assert [m - cut for m in months] == list(range(3, 15))


def test_models_see_data_only_through_october(sahel: pd.DataFrame) -> None:
    spy = Spy()
    res = backtest(sahel, [2012, 2019], models=[spy])
    assert spy.seen == [protocol_window(2012)[0], protocol_window(2019)[0]]
    f = res.frame[res.frame.model == "spy"]
    assert sorted(f["step"].unique()) == list(range(3, 15))
    assert (f["month_id"] - f["cutoff"] == f["step"]).all()
    assert set(f.groupby("year")["month_id"].min().map(month_label)) == {"2012-01", "2019-01"}


def _toy() -> pd.DataFrame:
    months = np.arange(121, 121 + 60)  # 1990-01 .. 1994-12
    quiet = pd.DataFrame({"unit_id": 1, "unit": "Quiet", "month_id": months, "y": 0.0})
    steady = pd.DataFrame({"unit_id": 2, "unit": "Steady", "month_id": months, "y": 10.0})
    return pd.concat([quiet, steady], ignore_index=True)


def test_benchmark_scores_by_hand() -> None:
    res = backtest(_toy(), [1994], models={})
    s = res.scores
    assert s.loc[:, "n"].tolist() == [24, 24, 24]
    # zero: CRPS = |0 - y|, i.e. 0 for Quiet and 10 for Steady; never covers 10
    assert s.loc["zero", "crps"] == pytest.approx(5.0)
    assert s.loc["zero", "coverage_90"] == pytest.approx(0.5)
    assert s.loc["zero", "brier_25"] == 0.0
    # conflictology: the last 12 months were exactly the truth → perfect
    assert s.loc["conflictology", "crps"] == 0.0
    assert s.loc["conflictology", "coverage_90"] == 1.0
    # last: Poisson(10) around a truth of 10; exact CRPS = sum_k (F(k) - 1{k >= 10})^2
    k = np.arange(0, 200)
    exact = ((poisson.cdf(k, 10) - (k >= 10)) ** 2).sum()
    assert s.loc["last", "crps"] == pytest.approx(
        exact / 2, rel=0.05
    )  # half the units are Quiet (0)
    assert s.loc["last", "brier_25"] < 1e-4


def test_crps_matches_direct_formula() -> None:
    rng = np.random.default_rng(3)
    fct = rng.negative_binomial(1, 0.05, size=(40, 300)).astype(float)
    obs = rng.negative_binomial(1, 0.05, size=40).astype(float)
    assert np.allclose(crps(obs, fct), crps_direct(obs, fct))
    # point forecast: CRPS is the absolute error
    assert crps(np.array([3.0]), np.array([[7.0]]))[0] == 4.0
    assert brier(np.array([30.0]), np.array([[0.0, 30.0]]), 25)[0] == 0.25
    assert covered(np.array([5.0, 50.0]), np.tile(np.arange(11.0), (2, 1)), 0.9).tolist() == [
        True,
        False,
    ]


def test_conflictology_is_a_bootstrap_of_the_last_12_months(sahel: pd.DataFrame) -> None:
    cut = protocol_window(2015)[0]
    train = sahel[sahel.month_id <= cut]
    s = Conflictology(n_samples=20000).fit(train).predict(14)
    mali = s.select([int(sahel.loc[sahel.unit == "Mali", "unit_id"].iloc[0])]).values[0]
    last12 = train[train.unit == "Mali"]["y"].to_numpy()[-12:]
    assert set(np.unique(mali)) <= set(last12)
    assert mali.mean() == pytest.approx(last12.mean(), rel=0.05)
    assert Zero().fit(train).predict(3).values.max() == 0
    assert Last().fit(train).predict(3).values.shape[-1] == 1000


@pytest.mark.parametrize("years", [[2023], [2005], [2018, 2018], []])
def test_impossible_test_years_are_refused(sahel: pd.DataFrame, years: list[int]) -> None:
    with pytest.raises(InputError, match="test year|repeat|cannot backtest"):
        backtest(sahel, years, models={})


def test_refusal_names_possible_years(sahel: pd.DataFrame) -> None:
    assert possible_test_years(sahel)[0] == 2009 and possible_test_years(sahel)[-1] == 2022
    with pytest.raises(InputError, match="Possible test years with these data: 2009–2022"):
        backtest(sahel, [2023], models={})


def test_reproduces_published_benchmarks(full: pd.DataFrame) -> None:
    """Published (191 countries): conflictology 14.48 (2018) and 9.15 (2019)."""
    res = backtest(full, [2018, 2019], models={})
    by = res.by_year()["crps"]
    assert by[("conflictology", 2018)] == pytest.approx(14.48, rel=0.01)
    assert by[("conflictology", 2019)] == pytest.approx(9.15, rel=0.01)
    assert res.scores.loc["conflictology", "n"] == 2 * 191 * 12


def test_json_contract(sahel: pd.DataFrame) -> None:
    res = backtest(sahel, [2019, 2020], models={})
    doc = json.loads(res.to_json())
    assert set(doc) == {"protocol", "default", "models"}
    assert doc["default"] == "conflictology"
    assert set(doc["models"]) == {"zero", "last", "conflictology"}
    m = doc["models"]["last"]
    # the contract's keys, plus calibration beside them
    assert set(m) == {
        "crps",
        "brier_25",
        "coverage_90",
        "n",
        "by_year",
        "coverage_50",
        "pit_histogram",
    }
    assert len(m["pit_histogram"]) == 10 and abs(sum(m["pit_histogram"]) - 1) < 1e-5
    assert 0 <= m["coverage_50"] <= m["coverage_90"] <= 1
    assert set(m["by_year"]) == {"2019", "2020"}
    assert m["n"] == sum(y["n"] for y in m["by_year"].values()) == 2 * 12 * 12


def _pit(obs: np.ndarray, fct: np.ndarray) -> np.ndarray:
    return pit_histogram(*pit_bounds(obs, fct), bins=10)


def test_pit_is_flat_for_a_calibrated_count_forecast() -> None:
    rng = np.random.default_rng(3)
    lam = rng.gamma(
        0.5, 20.0, size=4000
    )  # many near-zero units and a few large ones, like the panel
    obs = rng.poisson(lam)
    right = rng.poisson(lam[:, None], size=(4000, 500))
    hist = _pit(obs, right)
    assert np.allclose(hist, 0.1, atol=0.015), hist
    # too high a centre piles the PIT up at the low end; too narrow a forecast makes a U
    high = _pit(obs, rng.poisson(2 * lam[:, None], size=(4000, 500)))
    assert high[:3].sum() > 0.45 and high[-3:].sum() < 0.2, high
    narrow = _pit(obs, np.repeat(np.round(lam)[:, None], 500, axis=1))
    assert narrow[0] > 0.2 and narrow[-1] > 0.2 and narrow[3:7].sum() < 0.2, narrow


def test_pit_of_ties_spreads_over_the_tied_mass() -> None:
    fct = np.array([[0.0] * 4, [0.0] * 4, [0.0, 0.0, 0.0, 8.0]])
    lo, hi = pit_bounds(np.array([0.0, 5.0, 0.0]), fct)
    assert lo.tolist() == [0.0, 1.0, 0.0] and hi.tolist() == [1.0, 1.0, 0.75]
    # a certain zero that comes true is uniform over [0, 1];
    # 5 above an all-zero forecast is a point at 1
    assert pit_histogram(lo[:1], hi[:1], bins=4).tolist() == [0.25] * 4
    assert pit_histogram(lo[1:2], hi[1:2], bins=4).tolist() == [0.0, 0.0, 0.0, 1.0]


def test_backtest_reports_calibration(sahel: pd.DataFrame) -> None:
    res = backtest(sahel, [2019, 2020], models={})
    f = res.frame
    assert ((f["pit_lo"] >= 0) & (f["pit_lo"] <= f["pit_hi"]) & (f["pit_hi"] <= 1)).all()
    assert (~f["covered_50"] | f["covered_90"]).all()  # the 50 % interval lies inside the 90 % one
    # recent_mean is the unit's mean over the 12 months through the cutoff (October of Y-1)
    mali = sahel[
        (sahel.unit == "Mali") & sahel.month_id.between(month_id(2018, 11), month_id(2019, 10))
    ]
    row = f[(f.model == "zero") & (f.unit == "Mali") & (f.year == 2020)].iloc[0]
    assert row["recent_mean"] == pytest.approx(mali["y"].mean())
    cal = res.calibration()
    assert set(cal.index) == {"zero", "last", "conflictology"}
    shares = cal.drop(columns="n")
    assert np.allclose(shares.sum(axis=1), 1.0)
    # zero forecasts everything at 0: any death puts the PIT at 1, so its top bin holds every
    # unit-month with deaths and the rest spreads evenly
    with_deaths = (f[f.model == "zero"]["y"] > 0).mean()
    assert shares.loc["zero", "0.90-1.00"] == pytest.approx(with_deaths + (1 - with_deaths) / 10)
    active = res.calibration(min_recent_mean=1.0)
    assert (active["n"] < cal["n"]).all() and (active["n"] > 0).all()
    yearly = res.calibration(by_year=True)
    assert yearly.loc[("conflictology", 2019), "n"] == 12 * 12
