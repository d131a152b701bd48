"""Fixtures for the forecast tests: a real slice of the VIEWS country-month file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from accordwatch.forecast import load_views_cm

SLICE = Path(__file__).parents[1] / "data" / "forecast" / "ged_sb_cm_sahel_2005_2022.csv"


@pytest.fixture(scope="session")
def sahel() -> pd.DataFrame:
    """12 Sahel/West-African countries, 2005-01 to 2022-12.

    UCDP GED state-based deaths via VIEWS.
    """
    return load_views_cm(SLICE)


@pytest.fixture(scope="session")
def full() -> pd.DataFrame:
    """The bundled 199-country panel (1990-2022)."""
    return load_views_cm()


@pytest.fixture(scope="session")
def _empty_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store kept free of the bundled sample, made once per session."""
    from accordwatch.store import Store

    path = tmp_path_factory.mktemp("forecast-template") / "empty.duckdb"
    with Store.open(path) as store:
        store.skip_seed()
    return path


@pytest.fixture(autouse=True)
def _empty_default_store(
    _isolated_store: None,
    _empty_store_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The default store of every forecast test: a fresh copy of an empty store, so that a
    forecast (which stores what it fits) does not seed a new store with the bundled sample
    in each test."""
    import shutil

    path = tmp_path / "default-forecasts.duckdb"
    shutil.copy(_empty_store_template, path)
    monkeypatch.setenv("ACCORDWATCH_DB", str(path))
    return path


@pytest.fixture(scope="session")
def _caf_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled GED file of the Central African Republic and nothing
    else, ingested once per session."""
    import accordwatch
    from accordwatch.store import Store

    path = tmp_path_factory.mktemp("forecast-caf") / "caf.duckdb"
    with Store.open(path) as store:
        store.skip_seed()
    ged = Path(__file__).parents[2] / "src" / "accordwatch" / "data" / "ucdp"
    accordwatch.ingest_ucdp(ged / "GEDEvent_v23_1_CAF.csv", db=path)
    return path


@pytest.fixture
def caf_db(_caf_store_template: Path, tmp_path: Path) -> Path:
    """Path of a fresh copy of a store holding the bundled GED events of the Central
    African Republic (the tests that forecast or backtest the store's own events)."""
    import shutil

    path = tmp_path / "caf.duckdb"
    shutil.copy(_caf_store_template, path)
    return path
