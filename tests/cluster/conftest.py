"""One LocalCluster of two worker processes for the cluster tests (started once: a few
seconds), and the real data slices they run on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parents[1] / "data"
SAHEL = DATA / "forecast" / "ged_sb_cm_sahel_2005_2022.csv"
EXTRACT = DATA / "extract"


@pytest.fixture(scope="package")
def client() -> Iterator[Any]:
    """A client on a LocalCluster of 2 single-threaded worker processes (spawned)."""
    pytest.importorskip("distributed", reason="the cluster extra (dask, distributed) is missing")
    from accordwatch._app.cluster import open_cluster

    with open_cluster("local:2") as c:
        yield c


@pytest.fixture(scope="package")
def sahel() -> Any:
    """The real Sahel country-month slice (13 countries, 2005-2022)."""
    from accordwatch.forecast import load_views_cm

    return load_views_cm(SAHEL)
