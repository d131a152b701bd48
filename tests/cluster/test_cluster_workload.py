"""The synthetic PRIO-GRID-month panel keeps every real country-month total and is the same
for a country alone or among others; the corpus is recombined from the given texts only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from accordwatch._app.cluster_workload import (
    africa_cells,
    recombined_corpus,
    synthetic_priogrid_panel,
)
from accordwatch.errors import InputError
from accordwatch.forecast import load_views_cm
from accordwatch.forecast._data import validate_panel

from .conftest import EXTRACT


def test_cells_sum_to_the_real_country_series() -> None:
    panel = synthetic_priogrid_panel(["Mali", "Niger", "Sudan"], seed=3)
    validate_panel(panel)  # complete unit-months, whole non-negative counts
    cells = africa_cells().set_index("priogrid_gid")
    country = panel["unit_id"].map(cells["country"])
    sums = panel.groupby([country, "month_id"])["y"].sum()
    cm = load_views_cm()
    for name in ("Mali", "Niger"):
        real = cm[cm["unit"] == name].set_index("month_id")["y"]
        pd.testing.assert_series_equal(sums[name], real, check_names=False)
    # Sudan: the retired id (to 2011-07) and today's, one Gleditsch-Ward code
    assert sums["Sudan"].index.min() == 121 and sums["Sudan"].sum() > 40_000


def test_seeded_and_the_same_alone_or_with_others() -> None:
    alone = synthetic_priogrid_panel(["Mali"], seed=1)
    both = synthetic_priogrid_panel(["Mali", "Niger"], seed=1)
    mine = both[both["unit_id"].isin(alone["unit_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, mine)
    other = synthetic_priogrid_panel(["Mali"], seed=2)
    assert not other["y"].equals(alone["y"])
    cut = synthetic_priogrid_panel(["Mali"], seed=1, max_cells=10)
    assert cut["unit_id"].nunique() == 10 and set(cut["unit_id"]) <= set(alone["unit_id"])
    with pytest.raises(InputError, match="Malia"):
        synthetic_priogrid_panel(["Malia"])


def test_corpus_recombines_the_given_texts(tmp_path: Path) -> None:
    sources = sorted(EXTRACT.glob("*.txt"))
    paths = recombined_corpus(sources, tmp_path / "a", 40, seed=5)
    again = recombined_corpus(sources, tmp_path / "b", 40, seed=5)
    assert len(paths) == 40 and [p.read_text() for p in paths] == [p.read_text() for p in again]
    paragraphs = {p.strip() for s in sources for p in s.read_text().split("\n\n") if p.strip()}
    for p in paths:
        parts = [x for x in p.read_text().split("\n\n") if x.strip()]
        assert 1 <= len(parts) <= 4 and all(x.strip() in paragraphs for x in parts)
