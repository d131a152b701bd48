"""PRIO-GRID ids against UCDP GED's own gids and the bundled Mali cell list."""

from __future__ import annotations

import math
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from accordwatch.errors import InputError
from accordwatch.geo import (
    MISSING_GID,
    neighbours,
    priogrid_centroid,
    priogrid_gid,
    priogrid_row_col,
)

DATA = files("accordwatch") / "data"


@pytest.fixture(scope="module")
def caf() -> pd.DataFrame:
    with (DATA / "ucdp" / "GEDEvent_v23_1_CAF.csv").open("rb") as fh:
        return pd.read_csv(fh, usecols=["id", "latitude", "longitude", "priogrid_gid"])


@pytest.fixture(scope="module")
def mali_cells() -> pd.DataFrame:
    with (DATA / "geo" / "mali_priogrid_cells.csv").open("rb") as fh:
        return pd.read_csv(fh)


def test_every_ucdp_caf_event_gets_ucdps_gid(caf: pd.DataFrame) -> None:
    assert len(caf) == 1848
    got = priogrid_gid(caf["latitude"].to_numpy(), caf["longitude"].to_numpy())
    mismatched = caf[got != caf["priogrid_gid"].to_numpy()]
    assert mismatched.empty, mismatched.head().to_string()


def test_scalar_calls_agree_with_vectorised_on_ucdp_events(caf: pd.DataFrame) -> None:
    sample = caf.sample(50, random_state=1)
    for lat, lon, gid in sample[["latitude", "longitude", "priogrid_gid"]].itertuples(index=False):
        assert priogrid_gid(lat, lon) == gid


def test_ucdp_events_lie_inside_their_cell(caf: pd.DataFrame) -> None:
    lat, lon = priogrid_centroid(caf["priogrid_gid"].to_numpy())
    assert np.all(np.abs(caf["latitude"].to_numpy() - lat) <= 0.25)
    assert np.all(np.abs(caf["longitude"].to_numpy() - lon) <= 0.25)


def test_mali_cells_centres_round_trip(mali_cells: pd.DataFrame) -> None:
    assert len(mali_cells) > 400
    gid = priogrid_gid(mali_cells["lat"].to_numpy(), mali_cells["lon"].to_numpy())
    assert (gid == mali_cells["priogrid_gid"].to_numpy()).all()
    lat, lon = priogrid_centroid(mali_cells["priogrid_gid"].to_numpy())
    np.testing.assert_allclose(lat, mali_cells["lat"])
    np.testing.assert_allclose(lon, mali_cells["lon"])


def test_series_input_gives_nullable_series_with_same_index(caf: pd.DataFrame) -> None:
    df = caf.head(5).set_index("id")
    df.loc[df.index[2], "latitude"] = np.nan
    got = priogrid_gid(df["latitude"], df["longitude"])
    assert isinstance(got, pd.Series)
    assert str(got.dtype) == "Int64"
    assert got.index.equals(df.index)
    assert got.isna().tolist() == [False, False, True, False, False]
    assert got.iloc[0] == df["priogrid_gid"].iloc[0]


def test_corners_and_edges() -> None:
    assert priogrid_gid(-90, -180) == 1
    assert priogrid_gid(-89.5, -179.5) == 722  # row 1, col 1
    assert priogrid_gid(90, 180) == 259200  # outer edges belong to the last cells
    assert priogrid_gid(90, -180) == 359 * 720 + 1
    assert priogrid_gid(-90, 180) == 720
    assert priogrid_gid(0.0, 0.0) == 180 * 720 + 360 + 1  # cell boundaries go north/east
    assert priogrid_row_col(259200) == (359, 719)
    assert priogrid_centroid(1) == (-89.75, -179.75)


def test_missing_coordinates() -> None:
    assert priogrid_gid(float("nan"), 3.0) is None
    got = priogrid_gid([12.65, np.nan, 1.0], [-8.0, 2.0, np.nan])
    assert got.tolist() == [priogrid_gid(12.65, -8.0), MISSING_GID, MISSING_GID]
    assert got.dtype == np.int64


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(90.01, 0.0), (-91, 0), (0, 180.5), (0, -181), (math.inf, 0), (-8.0, 200.0)],
)
def test_out_of_range_is_an_input_error(lat: float, lon: float) -> None:
    with pytest.raises(InputError, match="outside"):
        priogrid_gid(lat, lon)


def test_bad_shapes_and_types() -> None:
    with pytest.raises(InputError, match="different shapes"):
        priogrid_gid([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="numbers"):
        priogrid_gid("north", 3.0)


@pytest.mark.parametrize("gid", [0, -1, 259201, 1.5])
def test_invalid_gids(gid: float) -> None:
    with pytest.raises(InputError):
        priogrid_centroid(gid)


def test_neighbours_queen_contiguity() -> None:
    bamako = priogrid_gid(12.65, -8.0)
    ring = neighbours(bamako)
    assert len(ring) == 8 and bamako not in ring
    assert {bamako - 1, bamako + 1, bamako - 720, bamako + 720} <= set(ring)
    assert len(neighbours(bamako, radius=2)) == 24
    assert neighbours(bamako, radius=0) == []
    assert neighbours(bamako, radius=0, include_self=True) == [bamako]
    assert set(ring) < set(neighbours(bamako, 2))


def test_neighbours_wrap_longitude_and_stop_at_poles() -> None:
    sw = neighbours(1)  # south-west corner: nothing south, wraps west to column 719
    assert sw == sorted([2, 720, 721, 722, 1440])
    ne = neighbours(259200)
    assert len(ne) == 5 and 259200 - 719 in ne  # wraps east to column 0


def test_neighbours_rejects_bad_radius() -> None:
    with pytest.raises(InputError, match="radius"):
        neighbours(1, radius=-1)
    with pytest.raises(InputError, match="one gid"):
        neighbours([1, 2])  # type: ignore[arg-type]


def test_sql_formula_matches_the_python_one_bit_for_bit() -> None:
    """The bulk loader computes cells in DuckDB; it must agree with priogrid_gid everywhere,
    on cell edges, on the lattice's outer edges and for missing or impossible coordinates."""
    import duckdb
    import numpy as np

    from accordwatch.geo import priogrid_gid, priogrid_sql

    rng = np.random.default_rng(7)
    edges = np.arange(-90.0, 90.5, 0.5)
    lat = np.concatenate(
        [rng.uniform(-90, 90, 20_000), edges, edges - 1e-9, [90.0, -90.0, 0.0, -0.0]]
    )
    lon = np.concatenate(
        [rng.uniform(-180, 180, 20_000), edges * 2, edges * 2 + 1e-9, [180.0, -180.0, -0.0, 0.0]]
    )
    lat, lon = np.clip(lat, -90, 90), np.clip(lon, -180, 180)
    con = duckdb.connect()
    con.register("pts", {"lat": lat, "lon": lon})
    got = con.sql(f"SELECT {priogrid_sql('lat', 'lon')} FROM pts").fetchnumpy()
    assert np.array_equal(np.asarray(list(got.values())[0], dtype="int64"), priogrid_gid(lat, lon))
    missing = con.sql(
        f"SELECT {priogrid_sql('a', 'b')} "
        "FROM (VALUES (NULL::DOUBLE, 1.0), (1.0, 'nan'::DOUBLE), (91.0, 0.0)) t(a, b)"
    ).fetchall()
    assert missing == [(None,), (None,), (None,)]
