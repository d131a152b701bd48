"""The public API of accordwatch.geo stays honest: exports exist, are documented, examples run."""

from __future__ import annotations

import doctest
import importlib

import pytest

import accordwatch.geo as geo

MODULES = ["__init__", "_text", "_places", "admin", "gazetteer", "priogrid"]


def test_all_exports_exist_and_are_documented() -> None:
    assert len(geo.__all__) == len(set(geo.__all__))
    for name in geo.__all__:
        obj = getattr(geo, name)
        if callable(obj):
            assert obj.__doc__, f"{name} has no docstring"


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str) -> None:
    mod = geo if module == "__init__" else importlib.import_module(f"accordwatch.geo.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if module not in {"_places"}:
        assert result.attempted > 0
