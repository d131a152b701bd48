"""Briefings gathered once per session from a copy of the seeded store, for the rendering
tests: the Central African Republic on its bundled UCDP GED 23.1 events (the full event map)
and Mali's default briefing (admin-1 outlines, country-month deaths, reviewed text events).

The forecast model is the fast ``conflictology`` one: the renderers are under test here, not
the forecast (tests/forecast covers it).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from accordwatch.brief._model import Briefing

CAF = "Central African Republic"
CAF_SINCE, CAF_UNTIL = dt.date(2019, 1, 1), dt.date(2022, 12, 31)


@pytest.fixture(scope="session")
def brief_store(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-long copy of the seeded store (the briefings only read it, but for the
    forecast they store)."""
    target = tmp_path_factory.mktemp("brief-store") / "store.duckdb"
    shutil.copy(seeded_template, target)
    return target


@pytest.fixture(scope="session", autouse=True)
def _bundle_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The Vega bundle and the actor registry are cached in a temporary folder, never in the
    user's cache."""
    from accordwatch.brief import _cache, _gather_accord, _html

    folder = tmp_path_factory.mktemp("cache")
    original = _cache.cache_dir
    _html._bundle.cache_clear()
    _gather_accord.registry.cache_clear()
    _cache.cache_dir = lambda: folder  # type: ignore[assignment]
    yield
    _cache.cache_dir = original  # type: ignore[assignment]
    _html._bundle.cache_clear()
    _gather_accord.registry.cache_clear()


@pytest.fixture(scope="session")
def caf_briefing(brief_store: Path) -> Briefing:
    """The briefing on the Central African Republic, 2019–2022 (390 events, 196 places)."""
    from accordwatch.brief import gather

    return gather(CAF, db=brief_store, since=CAF_SINCE, until=CAF_UNTIL, model="conflictology")


@pytest.fixture(scope="session")
def mali_briefing(brief_store: Path) -> Briefing:
    """Mali's default briefing from the bundled data (no event-level GED)."""
    from accordwatch.brief import gather

    return gather("Mali", db=brief_store, model="conflictology")
