"""The spike guard of the default model: a unit whose origin month is a record spike is
forecast from its own last 12 months, not carried forward by the trees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from accordwatch.errors import InputError
from accordwatch.forecast import QuantileGBM, load_views_cm, month_id


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_views_cm()


def _fast(**kw: object) -> QuantileGBM:
    return QuantileGBM(n_estimators=25, n_bags=1, train_months=120, **kw)  # type: ignore[arg-type]


def test_the_rule_on_constructed_histories() -> None:
    m = QuantileGBM()
    quiet = [0, 0, 5, 10, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    v = np.array(
        [
            quiet + [2000.0],  # a record, ≥ 1,000 deaths: guarded
            [100.0] * 13 + [1000.0],  # a record at exactly the threshold
            [3000.0] * 13 + [2900.0],  # a war at its usual level: not a spike
            [10.0] * 13 + [900.0],  # a spike, but under 1,000 deaths
            [np.nan] * 3 + [9000.0] * 10 + [5000.0],  # below its record, < 5× its mean
        ]
    )
    assert m.spiking(v).tolist() == [True, True, False, False, False]
    assert not QuantileGBM(guard_ratio=None).spiking(v).any()
    assert QuantileGBM(guard_min=500).spiking(v).tolist() == [True, True, False, True, False]
    with pytest.raises(InputError, match="guard_ratio"):
        QuantileGBM(guard_ratio=0.5)


def test_a_record_spike_origin_is_forecast_from_its_last_year(panel: pd.DataFrame) -> None:
    """Ethiopia, 2000-06: 48,183 deaths, its record (1999-06: 30,004), then zeros. Without
    the guard the trees start from the spike."""
    origin = month_id(2000, 6)
    train = panel[panel["month_id"] <= origin]
    guarded = _fast().fit(train)
    samples = guarded.predict(14)
    assert "Ethiopia" in guarded.guarded_ and len(guarded.guarded_) <= 3
    i = list(samples.unit).index("Ethiopia")
    last12 = train[train["unit"] == "Ethiopia"].sort_values("month_id")["y"].to_numpy()[-12:]
    for step in range(14):
        got = np.sort(samples.values[i, step])
        want = np.sort(np.resize(last12, got.size))
        np.testing.assert_array_equal(got, want)
    free = _fast(guard_ratio=None).fit(train).predict(14)
    assert np.median(free.values[i]) > 10 * np.median(samples.values[i])
    # the other units are the same forecast with and without the guard
    others = [j for j, u in enumerate(samples.unit) if u not in guarded.guarded_]
    np.testing.assert_array_equal(samples.values[others], free.values[others])


def test_an_ordinary_origin_guards_nobody(panel: pd.DataFrame) -> None:
    model = _fast().fit(panel[panel["month_id"] <= month_id(2016, 10)])
    model.predict(3)
    assert model.guarded_ == []
