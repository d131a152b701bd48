"""Shared fixtures: the hand-written test texts under tests/data/extract."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data" / "extract"


@pytest.fixture
def data_dir() -> Path:
    return DATA
