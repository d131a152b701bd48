"""Fixtures for the accord tracker: a seeded store built once, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data" / "accords"


@pytest.fixture(scope="session")
def accords_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store (bundled default incl. the accords), built once per session."""
    from accordwatch.store import Store

    path = tmp_path_factory.mktemp("accords-template") / "seeded.duckdb"
    Store.open(path).close()
    return path


@pytest.fixture
def adb(accords_template: Path, tmp_path: Path) -> Path:
    """Path of a fresh copy of the seeded store."""
    target = tmp_path / "accords.duckdb"
    shutil.copy(accords_template, target)
    return target


@pytest.fixture
def data() -> Path:
    return DATA
