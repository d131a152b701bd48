"""The learned model, single-unit forecasts, fan charts and alerts on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import accordwatch.forecast as fc_pkg
from accordwatch.errors import InputError, NotFound
from accordwatch.forecast import Conflictology, QuantileGBM, find_unit, protocol_window
from accordwatch.forecast._alerts import alerts
from accordwatch.forecast._forecast import fan_chart, forecast
from accordwatch.forecast._samples import whole_deaths
from accordwatch.forecast._scores import crps

FAST = {"n_estimators": 30, "quantiles": (0.05, 0.25, 0.5, 0.75, 0.95)}


@pytest.fixture(scope="module")
def fitted(sahel: pd.DataFrame) -> tuple[QuantileGBM, pd.DataFrame]:
    train = sahel[sahel.month_id <= protocol_window(2016)[0]]
    return QuantileGBM(mix=0.0, **FAST).fit(train), train


def test_public_api_is_honest() -> None:
    for name in fc_pkg.__all__:
        assert hasattr(fc_pkg, name), name
    assert callable(fc_pkg.forecast) and callable(fc_pkg.alerts) and callable(fc_pkg.backtest)
    assert fc_pkg.forecast is forecast and fc_pkg.alerts is alerts


def test_learned_model_quantiles_are_ordered_and_sensible(fitted, sahel: pd.DataFrame) -> None:
    model, train = fitted
    q = model.predict_quantiles(14)
    assert q.shape == (12, 14, 5)
    assert (np.diff(q, axis=-1) >= 0).all() and (q >= 0).all()
    ids = list(model.history_.unit_id)
    ghana, nigeria = ids.index(find_unit(sahel, "Ghana")), ids.index(find_unit(sahel, "Nigeria"))
    # a country without state-based deaths for years vs one at war
    assert q[ghana, :, 2].max() < 1 and q[nigeria, :, 2].min() > 10


def test_learned_model_is_reproducible_and_mixes_history(sahel: pd.DataFrame, fitted) -> None:
    model, train = fitted
    again = QuantileGBM(mix=0.0, **FAST).fit(train)
    assert np.array_equal(model.predict(3).values, again.predict(3).values)
    pure_history = QuantileGBM(mix=1.0, **FAST).fit(train).predict(2)
    mali = find_unit(sahel, "Mali")
    draws = pure_history.select([mali]).values[0, 0]
    last12 = np.sort(train[train.unit_id == mali]["y"].to_numpy()[-12:])
    assert np.array_equal(np.unique(draws), np.unique(last12))


def test_bagged_model_averages_the_bags_quantile_curves(sahel: pd.DataFrame, fitted) -> None:
    _, train = fitted
    model = QuantileGBM(mix=0.0, n_bags=1, **FAST).fit(train)
    other = QuantileGBM(mix=0.0, n_bags=1, seed=1, **FAST).fit(train)
    bagged = QuantileGBM(mix=0.0, n_bags=2, **FAST).fit(train)
    assert len(bagged.boosters_) == 2 and len(bagged.boosters_[0]) == 5
    q0, q1, qb = model.predict_quantiles(6), other.predict_quantiles(6), bagged.predict_quantiles(6)
    # bag b is the model with seed + b; the bagged curve is their quantile average (on the
    # log scale, before negative log values are clipped to zero deaths)
    assert not np.allclose(q0, q1)
    pos = (q0 > 0) & (q1 > 0)
    assert pos.mean() > 0.5
    np.testing.assert_allclose(
        np.log1p(qb[pos]), (np.log1p(q0[pos]) + np.log1p(q1[pos])) / 2, atol=1e-9
    )
    assert (np.diff(qb, axis=-1) >= 0).all()
    with pytest.raises(InputError, match="n_bags"):
        QuantileGBM(n_bags=0)


def test_learned_model_refuses_tiny_data(sahel: pd.DataFrame) -> None:
    tiny = sahel[(sahel.unit == "Ghana") & (sahel.month_id <= 320)]
    with pytest.raises(InputError, match="training rows"):
        QuantileGBM(**FAST).fit(tiny)


def test_short_histories_are_skipped_with_a_reason(sahel: pd.DataFrame) -> None:
    cut = protocol_window(2012)[0]
    model = Conflictology().fit(sahel[sahel.month_id <= cut])
    # "Sudan" got a new id in 2011-07 when South Sudan seceded: 4 months of history at 2011-10
    skipped = model.skipped_
    assert "only 4 months of history; 12 needed" in set(skipped["reason"])
    assert "no data in the cutoff month 2011-10" in set(skipped["reason"])  # the old Sudan


def test_forecast_one_country(sahel: pd.DataFrame, tmp_path) -> None:
    out = forecast(sahel, "Mali", 12, model=Conflictology())
    assert out["month"].tolist()[0] == "2023-01" and len(out) == 12
    assert (out["lo-90"] <= out["lo-50"]).all() and (out["lo-50"] <= out["median"]).all()
    assert (out["median"] <= out["hi-50"]).all() and (out["hi-50"] <= out["hi-90"]).all()
    assert (out["p_ge_100"] <= out["p_ge_25"]).all()
    for suffix in (".png", ".svg"):
        path = fan_chart(sahel, out, tmp_path / f"mali{suffix}")
        assert path.stat().st_size > 5000
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        fan_chart(sahel, out, tmp_path / "mali.pdf")


def test_forecast_bad_requests(sahel: pd.DataFrame) -> None:
    with pytest.raises(NotFound):
        forecast(sahel, "Atlantis", 12, model="conflictology")
    with pytest.raises(InputError, match="between 1 and 36"):
        forecast(sahel, "Mali", 0, model="conflictology")
    ended = sahel[~((sahel.unit == "Mali") & (sahel.month_id > 500))]
    with pytest.raises(InputError, match="no longer reports"):
        forecast(ended, "Mali", 3, model="conflictology")
    short = sahel[(sahel.unit != "Mali") | (sahel.month_id > 510)]
    with pytest.raises(InputError, match="only 6 months"):
        forecast(short, "Mali", 3, model="conflictology")
    with pytest.raises(InputError, match="unknown model"):
        forecast(sahel, "Mali", 3, model="prophet")


def test_alerts_flag_a_spike_with_reasons(sahel: pd.DataFrame) -> None:
    last = int(sahel["month_id"].max())
    spiked = sahel.copy()
    spiked.loc[(spiked.unit == "Niger") & (spiked.month_id == last), "y"] = 900.0
    spiked.loc[(spiked.unit == "Ghana") & (spiked.month_id == last), "y"] = 40.0
    out = alerts(spiked, model="conflictology")
    assert out["unit"].tolist()[:2] == ["Ghana", "Niger"]
    ghana, niger = out.iloc[0], out.iloc[1]
    assert "onset" in ghana["checks"] and "first deaths after 12 months" in ghana["reason"]
    assert niger["checks"] == "above_forecast,surge"
    assert "900 deaths, above the 90% forecast bound" in niger["reason"]
    assert out["rank"].tolist() == list(range(1, len(out) + 1))
    assert out["score"].is_monotonic_decreasing
    # without the injected spikes neither country alerts
    plain = alerts(sahel, model="conflictology")
    assert not plain["unit"].isin(["Ghana", "Niger"]).any()
    with pytest.raises(InputError, match="level"):
        alerts(sahel, model="conflictology", level=0.2)
    spiked.loc[(spiked.unit == "Ghana") & (spiked.month_id == last), "y"] = 1.0
    one = alerts(spiked, model="conflictology", min_deaths=1)
    assert (
        one.loc[one.unit == "Ghana", "reason"]
        .iloc[0]
        .startswith("1 death, above the 90% forecast bound of 0")
    )


def test_target_is_relative_to_the_anchor(sahel: pd.DataFrame, fitted) -> None:
    model, train = fitted
    assert model.anchor == "lag0"
    old = QuantileGBM(mix=0.0, anchor="mean12", **FAST).fit(train)
    q, q_old = model.predict_quantiles(14), old.predict_quantiles(14)
    assert (np.diff(q_old, axis=-1) >= 0).all() and not np.allclose(q, q_old)
    # a unit whose last month is far above its year: anchored on the last month, the median
    # starts nearer that month than the model anchored on the year's mean log level does
    ids = list(model.history_.unit_id)
    last = model.history_.values[:, -1]
    year = np.expm1(np.log1p(model.history_.values[:, -12:]).mean(axis=1))
    up = [i for i in range(len(ids)) if last[i] > 3 * year[i] + 10]
    down = [i for i in range(len(ids)) if 3 * last[i] + 5 < year[i]]
    assert up and down, (
        "the 2015-10 slice has units far above (Niger, Chad) and below (Mali) their year"
    )
    for i in up:
        assert q[i, 0, 2] > q_old[i, 0, 2]
    for i in down:
        assert q[i, 0, 2] < q_old[i, 0, 2]
    with pytest.raises(InputError, match="anchor"):
        QuantileGBM(anchor="mean5")


def test_whole_deaths_averages_the_cdf_over_each_unit_interval() -> None:
    rng = np.random.default_rng(5)
    x = np.expm1(rng.normal(0.5, 1.5, size=(400, 1000)).clip(0))  # many members in (0, 1)
    g = whole_deaths(x)
    assert g.shape == x.shape and (g == np.round(g)).all() and (np.diff(g, axis=-1) >= 0).all()
    assert (np.abs(g.mean(-1) - x.mean(-1)) <= 0.02 + 1e-3 * x.mean(-1)).all()  # mean kept
    # G(k) = the average of F over [k, k + 1), up to the 1/n grid of an equal-weight ensemble
    grid = np.linspace(0, 1, 101)[:-1]
    for k in (0, 1, 3, 10):
        avg_f = np.stack([(x <= k + t).mean(-1) for t in grid]).mean(0)
        np.testing.assert_allclose((g <= k).mean(-1), avg_f, atol=1.5e-3 + 1 / 1000)
    # so the CRPS at whole-number outcomes does not get worse; at 0 it gets better
    for y in (0, 1, 5, 40):
        obs = np.full(len(x), float(y))
        assert (crps(obs, g) <= crps(obs, x) + 0.01).all()
    obs0 = np.zeros(len(x))
    assert crps(obs0, g).mean() < crps(obs0, x).mean()


def test_learned_model_forecasts_whole_deaths(fitted) -> None:
    model, train = fitted
    whole = model.predict(4).values
    assert (whole == np.round(whole)).all()
    frac = QuantileGBM(mix=0.0, whole=False, **FAST).fit(train).predict(4).values
    assert (frac != np.round(frac)).any()
    np.testing.assert_allclose(whole.mean(-1), frac.mean(-1), rtol=0.02, atol=0.02)


def test_summary_quantiles_are_ensemble_values() -> None:
    from accordwatch.forecast import Samples

    draws = np.array(
        [[[0.0] * 60 + [3.0] * 25 + [40.0] * 15]]
    )  # P(0) = .6, P(3) = .25, P(40) = .15
    s = Samples(unit_id=np.array([1]), unit=np.array(["X"]), cutoff=500, values=draws)
    row = s.summary().iloc[0]
    # smallest value with P(X <= v) >= q: no 1.5 or 21.5 deaths between members
    assert (row["median"], row["lo-50"], row["hi-50"], row["lo-90"], row["hi-90"]) == (
        0,
        0,
        3,
        0,
        40,
    )
    assert s.quantile(0.85)[0, 0] == 3 and s.quantile(0.86)[0, 0] == 40


@pytest.mark.parametrize(
    "bad", [{"surge_ratio": float("nan")}, {"surge_ratio": 0.5}, {"min_deaths": -1}]
)
def test_alerts_refuse_thresholds_that_mean_nothing(bad: dict[str, float]) -> None:
    from accordwatch.errors import InputError
    from accordwatch.forecast import alerts

    with pytest.raises(InputError):
        alerts(None, model="conflictology", **bad)
