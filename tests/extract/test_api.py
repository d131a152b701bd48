"""The public API of accordwatch.extract is what __all__ says, documented, with working examples."""

from __future__ import annotations

import doctest
import importlib

import pytest

import accordwatch.extract as ex

MODULES = [
    "accordwatch.extract",
    "accordwatch.extract.api",
    "accordwatch.extract._dates",
    "accordwatch.extract._numbers",
    "accordwatch.extract._text",
    "accordwatch.extract._places",
    "accordwatch.extract._actors",
    "accordwatch.extract._fatalities",
    "accordwatch.extract._documents",
    "accordwatch.extract._lexicon",
    "accordwatch.extract._model",
    "accordwatch.extract.evaluate",
    "accordwatch.extract.review_rules",
    "accordwatch.store.review",
]


def test_all_names_exist_and_are_documented() -> None:
    for name in ex.__all__:
        obj = getattr(ex, name)
        if callable(obj):
            assert obj.__doc__, name


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str) -> None:
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
