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
