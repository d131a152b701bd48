"""The examples in the forecast docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "_data",
    "_samples",
    "_benchmarks",
    "_scores",
    "_features",
    "_backtest",
    "_forecast",
    "_alerts",
    "_learned",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"accordwatch.forecast.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
