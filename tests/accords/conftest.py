"""Fixtures for the accord tracker: the suite's seeded store (tests/conftest.py) and data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data" / "accords"


@pytest.fixture
def adb(seeded_db: Path) -> Path:
    """Path of a fresh copy of the seeded default store (it includes the accords)."""
    return seeded_db


@pytest.fixture
def data() -> Path:
    return DATA
