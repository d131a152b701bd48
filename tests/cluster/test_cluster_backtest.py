"""Backtests on a LocalCluster of two processes give the single-process results: the same
frame row for row, so the same CRPS (checked to 1e-9), with fixed seeds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from accordwatch.forecast import (
    QuantileGBM,
    backtest,
    backtest_origins,
    origin_months,
)


def _models() -> dict[str, Any]:
    # the default model, smaller (fewer trees and bags) so that the test takes seconds
    return {"qgbm": QuantileGBM(n_estimators=15, n_bags=1, seed=7)}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    np.testing.assert_allclose(a["crps"].to_numpy(), b["crps"].to_numpy(), rtol=0, atol=1e-9)
    pd.testing.assert_frame_equal(a, b)


def test_rolling_origins_same_as_one_process(client: Any, sahel: pd.DataFrame) -> None:
    from accordwatch._app.cluster import backtest_origins_on

    # 2018-10 ... 2019-07; Libya makes 2019-04 and 2019-07 stress origins; one fit (2018-10),
    # the later origins refreshed from it
    origins = origin_months(sahel, "quarterly", 2019, 2019, stress=True, min_deaths=300)
    here = backtest_origins(sahel, origins, models=_models(), refit=12, min_deaths=300)
    assert len(here.stress) == 2 and here.frame["fitted_at"].nunique() == 1
    seen: list[tuple[int, int]] = []
    there = backtest_origins_on(
        client,
        sahel,
        origins,
        models=_models(),
        refit=12,
        min_deaths=300,
        group_size=4,  # 13 countries: 4 unit groups per origin
        progress=lambda done, total: seen.append((done, total)),
    )
    _same(there.frame, here.frame)
    pd.testing.assert_frame_equal(there.excluded, here.excluded)
    pd.testing.assert_frame_equal(there.stress, here.stress)
    assert there.origins == here.origins and there.default == here.default == "qgbm"
    pooled_here, pooled_there = here.pooled(), there.pooled()
    np.testing.assert_allclose(pooled_there["crps"], pooled_here["crps"], rtol=0, atol=1e-9)
    assert there.to_dict() == here.to_dict()
    assert seen[-1][0] == seen[-1][1] == len(seen)  # every task reported, in order


def test_test_years_same_as_one_process(client: Any, sahel: pd.DataFrame) -> None:
    from accordwatch._app.cluster import backtest_on

    here = backtest(sahel, [2019, 2021], models=_models())
    there = backtest_on(client, sahel, [2019, 2021], models=_models(), group_size=5)
    _same(there.frame, here.frame)
    pd.testing.assert_frame_equal(there.excluded, here.excluded)
    assert there.to_dict() == here.to_dict()
    assert set(there.seconds) == set(here.seconds)


def test_models_passed_in_are_not_changed(client: Any, sahel: pd.DataFrame) -> None:
    from accordwatch._app.cluster import backtest_on

    model = QuantileGBM(n_estimators=10, n_bags=1)
    backtest_on(client, sahel, [2020], models={"qgbm": model})
    assert not hasattr(model, "boosters_") and model.n_jobs == 2


def test_a_task_error_reaches_the_caller(client: Any, sahel: pd.DataFrame) -> None:
    from accordwatch._app.cluster import backtest_on
    from accordwatch.errors import InputError

    two = sahel[sahel["unit"].isin(["Mali", "Niger"])]
    # the pooled model refuses so few training rows, inside a worker: the same InputError
    with pytest.raises(InputError, match="training rows"):
        backtest(two[two["month_id"] > 420], [2020], _models())
    with pytest.raises(InputError, match="training rows"):
        backtest_on(client, two[two["month_id"] > 420], [2020], models=_models())


def test_bad_windows_are_refused_before_any_task(client: Any, sahel: pd.DataFrame) -> None:
    from accordwatch._app.cluster import backtest_on, backtest_origins_on
    from accordwatch.errors import InputError

    with pytest.raises(InputError, match="Possible test years"):
        backtest_on(client, sahel, [1999])
    with pytest.raises(InputError, match="Possible origins"):
        backtest_origins_on(client, sahel, [130])
