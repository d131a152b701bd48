"""Probabilistic fatality forecasts, honest backtests and alerts.

DataFrame in, DataFrame out; no store, no CLI. The panel layout (``unit_id``,
``unit``, ``month_id``, ``y``) is described in :mod:`accordwatch.forecast._data`.

Example:
    >>> from accordwatch.forecast import load_views_cm, Conflictology
    >>> panel = load_views_cm()
    >>> s = Conflictology().fit(panel[panel.month_id <= 502]).predict(14)
    >>> s.values.shape[1:]
    (14, 1000)
"""

from ._alerts import alerts
from ._backtest import BENCHMARKS, BacktestResult, backtest, possible_test_years, protocol_window
from ._benchmarks import Conflictology, Last, Model, Zero
from ._data import (
    country_codes,
    find_unit,
    load_views_cm,
    month_id,
    month_label,
    series_from_events,
    validate_panel,
)
from ._forecast import fan_chart, forecast, months_past, stale_warning
from ._learned import DEFAULT_MODEL, SUBNATIONAL_DEFAULT, QuantileGBM, make_model
from ._origins import (
    OriginsResult,
    backtest_origins,
    origin_months,
    origin_year,
    possible_origin_years,
    stress_units,
)
from ._samples import Samples
from ._scores import brier, covered, crps

__all__ = [
    "BENCHMARKS",
    "DEFAULT_MODEL",
    "SUBNATIONAL_DEFAULT",
    "BacktestResult",
    "Conflictology",
    "Last",
    "Model",
    "OriginsResult",
    "QuantileGBM",
    "Samples",
    "Zero",
    "alerts",
    "backtest",
    "backtest_origins",
    "brier",
    "country_codes",
    "covered",
    "crps",
    "fan_chart",
    "find_unit",
    "forecast",
    "load_views_cm",
    "make_model",
    "month_id",
    "month_label",
    "origin_months",
    "origin_year",
    "possible_origin_years",
    "months_past",
    "possible_test_years",
    "protocol_window",
    "series_from_events",
    "stale_warning",
    "stress_units",
    "validate_panel",
]
