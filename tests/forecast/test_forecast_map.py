"""Map-ready forecasts (unit, geometry id, median, P(≥1), P(≥25)) and the store series they
come from."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import shape
from typer.testing import CliRunner

from accordwatch._app.forecast_map import MAP_COLUMNS, forecast_map, map_geojson
from accordwatch.cli import app
from accordwatch.errors import InputError
from accordwatch.forecast import Conflictology, forecast, series_from_events

runner = CliRunner()


def _fc(units: list[tuple[int, str]]) -> pd.DataFrame:
    rows = [
        {"unit_id": u, "unit": name, "month": m, "median": 2.0, "p_ge_1": 0.6, "p_ge_25": 0.1}
        for u, name in units
        for m in ("2023-01", "2023-02")
    ]
    return pd.DataFrame(rows)


def test_admin1_units_get_natural_earth_codes_where_polygons_are_bundled() -> None:
    fc = _fc(
        [(1, "Mali / Tombouctou"), (2, "Mali / Ménaka"), (3, "Central African Republic / Ouham")]
    )
    table = forecast_map(fc, "admin1", month="2023-02")
    assert list(table.columns) == MAP_COLUMNS and len(table) == 3
    ids = dict(zip(table["unit"], table["geometry_id"], strict=True))
    assert ids["Mali / Tombouctou"] == "ML-6"
    assert ids["Mali / Ménaka"] == "ML-7"  # drawn as Gao, which held it in Natural Earth
    assert "Gao" in table.loc[table["unit"] == "Mali / Ménaka", "geometry_note"].iloc[0]
    assert ids["Central African Republic / Ouham"] is None
    doc = map_geojson(table, "admin1")
    geoms = {f["properties"]["unit"]: f["geometry"] for f in doc["features"]}
    assert geoms["Central African Republic / Ouham"] is None
    timbuktu = shape(geoms["Mali / Tombouctou"])
    assert timbuktu.contains(shape({"type": "Point", "coordinates": [-3.0, 16.77]}))


def test_priogrid_cells_are_squares_wound_counter_clockwise() -> None:
    gid = 180 * 720 + 360 + 1  # a cell just north-east of 0°, 0°
    table = forecast_map(_fc([(gid, str(gid))]), "priogrid")
    assert table["geometry_id"].tolist() == [f"priogrid:{gid}"] * 2
    feat = map_geojson(table, "priogrid")["features"][0]
    cell = shape(feat["geometry"])
    assert cell.area == pytest.approx(0.25)
    assert cell.exterior.is_ccw  # RFC 7946: exterior rings counter-clockwise
    assert feat["properties"]["p_ge_1"] == 0.6 and feat["properties"]["median"] == 2.0


def test_bad_month_and_missing_columns_are_refused() -> None:
    with pytest.raises(InputError, match="covers 2023-01, 2023-02"):
        forecast_map(_fc([(1, "Mali / Gao")]), "admin1", month="2024-05")
    with pytest.raises(InputError, match="p_ge_1"):
        forecast_map(_fc([(1, "Mali / Gao")]).drop(columns="p_ge_1"), "admin1")
    with pytest.raises(InputError, match="unknown level"):
        forecast_map(_fc([(1, "Mali / Gao")]), "district")


def test_forecast_gives_the_chance_of_any_death(seeded_db: Path) -> None:
    import accordwatch as aw

    panel = series_from_events(aw.events(seeded_db, type_of_violence=1), "admin1")
    fc = forecast(panel, None, 3, model=Conflictology())
    assert {"p_ge_1", "p_ge_25", "p_ge_100"} <= set(fc.columns)
    assert (fc["p_ge_1"] >= fc["p_ge_25"]).all() and (fc["p_ge_25"] >= fc["p_ge_100"]).all()
    assert fc["p_ge_1"].between(0, 1).all() and fc["p_ge_1"].max() > 0


def test_cli_writes_a_geojson_map_of_caf_cells(seeded_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cells.geojson"
    args = ["forecast", "--all", "--from-store", "--db", str(seeded_db), "--level", "priogrid"]
    res = runner.invoke(app, [*args, "-m", "conflictology", "--months", "2", "--map", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    feats = doc["features"]
    assert feats and all(f["geometry"]["type"] == "Polygon" for f in feats)
    months = {f["properties"]["month"] for f in feats}
    assert months == {"2023-01", "2023-02"}  # the bundled CAF events end in 2022-12
    # every cell lies in or near the Central African Republic
    for f in feats:
        lon, lat = shape(f["geometry"]).centroid.coords[0]
        assert 2 < lat < 12 and 13 < lon < 28
    csv_out = tmp_path / "cells.csv"
    res = runner.invoke(
        app,
        [*args, "-m", "conflictology", "--months", "2", "--map", str(csv_out)]
        + ["--map-month", "2023-02"],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(csv_out)
    assert list(table.columns) == MAP_COLUMNS and set(table["month"]) == {"2023-02"}
    assert len(table) == len(feats) // 2


def test_cli_refuses_bad_map_options(seeded_db: Path, tmp_path: Path) -> None:
    base = ["forecast", "--all", "--from-store", "--db", str(seeded_db), "-m", "conflictology"]
    res = runner.invoke(app, [*base, "--map", str(tmp_path / "m.txt")])
    assert res.exit_code != 0 and ".geojson" in res.output
    res = runner.invoke(app, [*base, "--map-month", "2023-01"])
    assert res.exit_code != 0 and "--map" in res.output
    assert not (tmp_path / "m.txt").exists()


def test_store_series_leave_out_news_events_and_unknown_tolls() -> None:
    ev = pd.DataFrame(
        {
            "date_start": ["2022-01-05", "2022-02-09", "2022-06-01"],
            "country": ["Mali"] * 3,
            "country_id": [432] * 3,
            "admin1": ["Gao"] * 3,
            "priogrid_gid": [1] * 3,
            "best": [4.0, None, None],
            "type_of_violence": [1, 1, 1],
            "source": ["ucdp-ged", "ucdp-ged", "text:doc-1"],
        }
    )
    s = series_from_events(ev, "country")
    assert s["y"].tolist() == [4.0, 0.0]  # ends with the dataset's months, not the news event
    with pytest.raises(InputError, match="non-negative"):
        series_from_events(ev.assign(best=["4", "x", None]), "country")


def test_sub_national_series_default_to_conflictology(seeded_db: Path) -> None:
    """On one country's events the pooled model lost to conflictology at spikes
    (benchmarks/bench_subnational.py), so admin-1 and PRIO-GRID forecasts default to it."""
    base = ["forecast", "--from-store", "--db", str(seeded_db), "--months", "2", "-f", "json"]
    res = runner.invoke(app, [*base, "--level", "admin1", "-u", "Central African Republic / Ouaka"])
    assert res.exit_code == 0, res.output
    assert {row["model"] for row in json.loads(res.stdout)} == {"conflictology"}
