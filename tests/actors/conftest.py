"""Shared fixtures: the default registry and slices of the real UCDP tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from accordwatch.actors import ActorRegistry

DATA = Path(__file__).resolve().parent.parent / "data" / "actors"


def read_slice(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def reg() -> ActorRegistry:
    return ActorRegistry.default()


@pytest.fixture(scope="session")
def slices() -> dict[str, pd.DataFrame]:
    return {
        "dyadic": read_slice("dyadic_slice.csv"),
        "acd": read_slice("acd_mali.csv"),
        "ged": read_slice("ged_joint_actors.csv"),
    }
