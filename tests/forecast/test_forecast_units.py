"""Naming a unit the way the rest of accordwatch does (name, ISO3 code, Gleditsch–Ward number),
near matches for a misspelt one, and saying when the forecast months are already past."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from accordwatch.cli import app
from accordwatch.errors import NotFound
from accordwatch.forecast import (
    country_codes,
    fan_chart,
    find_unit,
    forecast,
    load_views_cm,
    months_past,
    series_from_events,
    stale_warning,
)

SLICE = Path(__file__).parents[1] / "data" / "forecast" / "ged_sb_cm_sahel_2005_2022.csv"
runner = CliRunner()


# -- naming units ------------------------------------------------------------------------------
def test_country_codes_of_the_bundled_and_a_sliced_file(tmp_path: Path) -> None:
    codes = country_codes()
    mali = codes[codes.isoab == "MLI"]
    assert mali[["unit_id", "country", "gwcode"]].values.tolist() == [[50, "Mali", 432]]
    assert codes["unit_id"].nunique() == 213
    # a file with only the required columns borrows the codes of its country ids
    bare = tmp_path / "bare.csv"
    pd.read_csv(SLICE).drop(columns=["gwcode", "isoab"]).to_csv(bare, index=False)
    assert country_codes(bare).equals(country_codes(SLICE))
    # keyed by Gleditsch–Ward code (series built from events); a unit keeps its latest name
    by_gw = country_codes(unit_id="gwcode")
    assert set(by_gw.loc[by_gw.unit_id == 365, "country"]) == {"Russia"}
    assert set(by_gw.loc[by_gw.unit_id == 365, "isoab"]) == {"RUS", "SUN"}


def test_country_codes_of_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "slice.parquet"
    pd.read_csv(SLICE).to_parquet(path)
    assert country_codes(path).equals(country_codes(SLICE))


@pytest.mark.parametrize("name", ["Mali", "mali", "MLI", "mli", "432", 432, "50", 50, " Mali "])
def test_find_a_country_by_name_iso3_or_gw_code(sahel: pd.DataFrame, name: str | int) -> None:
    assert find_unit(sahel, name) == 50  # the codes of the bundled file: a VIEWS panel


def test_the_panels_own_id_comes_first(full: pd.DataFrame) -> None:
    # 100 is the VIEWS country_id of Hungary and the Gleditsch–Ward code of Colombia
    hungary = find_unit(full, "Hungary")
    assert find_unit(full, "100") == hungary == 100
    assert find_unit(full, "100", by=("gwcode",)) == find_unit(full, "Colombia")
    # a code several ids share over time: the one with the latest data (Russia, not the USSR)
    assert find_unit(full, "365") == find_unit(full, "RUS") == find_unit(full, "Russia")


def test_codes_of_a_series_built_from_events() -> None:
    ev = pd.DataFrame(
        {
            "date_start": ["2020-01-05", "2020-03-09", "2020-02-01"],
            "country": ["Mali", "Mali", "Niger"],
            "country_id": [432, 432, 436],
            "best": [4, 2, 1],
            "type_of_violence": [1, 1, 1],
        }
    )
    panel = series_from_events(ev)
    codes = country_codes(unit_id="gwcode")
    assert [find_unit(panel, u, codes=codes) for u in ("MLI", "432", "Mali")] == [432] * 3
    assert find_unit(panel, "NER", codes=codes) == 436
    with pytest.raises(NotFound, match=r"Burkina Faso \('BFA'\) has no series in these data"):
        find_unit(panel, "BFA", codes=codes)
    # without codes a panel that is not the bundled file's knows ids and names only
    with pytest.raises(NotFound, match="no unit has that id or name"):
        find_unit(panel, "MLI")


def test_unknown_unit_suggests_near_names(sahel: pd.DataFrame, full: pd.DataFrame) -> None:
    with pytest.raises(NotFound, match=r"unknown unit 'Burkna Faso'.*Did you mean: 'Burkina Faso'"):
        find_unit(sahel, "Burkna Faso")
    with pytest.raises(NotFound, match="ISO3 code or Gleditsch–Ward number") as info:
        find_unit(full, "Wakanda")
    assert "Did you mean: 'Rwanda'" in str(info.value)
    admin1 = pd.DataFrame(
        {"unit_id": [1, 2], "unit": ["Mali / Gao", "Mali / Kidal"], "month_id": 400, "y": 0.0}
    )
    with pytest.raises(NotFound, match=r"Did you mean: 'Mali / Kidal'\?"):
        find_unit(admin1, "Kidl")


# -- forecast months already past --------------------------------------------------------------
@pytest.fixture(scope="module")
def mali_fc(sahel: pd.DataFrame) -> pd.DataFrame:
    return forecast(sahel, "MLI", 6, model="conflictology")


def test_forecast_says_where_the_data_end(mali_fc: pd.DataFrame) -> None:
    assert set(mali_fc["data_end"]) == {"2022-12"} and mali_fc["unit"].iloc[0] == "Mali"
    assert months_past(mali_fc, dt.date(2023, 3, 31)).tolist() == [True, True] + [False] * 4


@pytest.mark.parametrize(
    ("today", "says"),
    [
        (dt.date(2026, 12, 1), "the 6 forecast months 2023-01 to 2023-06 are already past"),
        (dt.date(2023, 4, 2), "3 of the 6 forecast months (2023-01 to 2023-03) are already past"),
        (dt.date(2023, 2, 28), "1 of the 6 forecast months (2023-01) is already past"),
    ],
)
def test_stale_warning(mali_fc: pd.DataFrame, today: dt.date, says: str) -> None:
    text = stale_warning(mali_fc, today)
    assert text is not None and text.startswith("data end 2022-12, so ")
    assert says in text and f"(today is {today.isoformat()})" in text
    assert text.endswith("Load newer data.")


def test_no_warning_while_the_forecast_months_are_ahead(mali_fc: pd.DataFrame) -> None:
    assert stale_warning(mali_fc, dt.date(2023, 1, 1)) is None
    assert stale_warning(mali_fc, dt.date(2022, 12, 15)) is None
    one = mali_fc.head(1)
    assert "the forecast month 2023-01 is already past" in str(stale_warning(one))


def test_the_chart_shows_the_note(
    sahel: pd.DataFrame, mali_fc: pd.DataFrame, tmp_path: Path
) -> None:
    stale = fan_chart(sahel, mali_fc, tmp_path / "old.svg", today=dt.date(2026, 12, 1))
    fresh = fan_chart(sahel, mali_fc, tmp_path / "new.svg", today=dt.date(2023, 1, 1))
    assert 'id="stale-note"' in stale.read_text() and 'id="stale-note"' not in fresh.read_text()
    assert fan_chart(sahel, mali_fc, tmp_path / "old.png").stat().st_size > 5000


# -- through the CLI ---------------------------------------------------------------------------
def _json_forecast(*args: str) -> list[dict[str, object]]:
    res = runner.invoke(
        app, ["forecast", *args, "--months", "2", "-m", "conflictology", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_country_by_name_iso3_or_gw_code() -> None:
    names = ("Mali", "MLI", "432", "50", "mli")  # 50: the VIEWS country_id, as before
    rows = [_json_forecast("--data", str(SLICE), "--country", c) for c in names]
    assert all(r == rows[0] for r in rows) and rows[0][0]["unit"] == "Mali"
    several = _json_forecast("--data", str(SLICE), "-c", "NER", "--unit", "bfa")
    assert [r["unit"] for r in several] == ["Niger", "Niger", "Burkina Faso", "Burkina Faso"]


def test_cli_json_and_table_say_the_months_are_past() -> None:
    [first, second] = _json_forecast("--data", str(SLICE), "--country", "MLI")
    assert first["data_end"] == "2022-12" and first["past"] is True and second["past"] is True
    assert "already past" in str(first["warning"]) and first["warning"] == second["warning"]
    table = runner.invoke(
        app, ["forecast", "-c", "Mali", "--data", str(SLICE), "-m", "conflictology"]
    )
    assert table.exit_code == 0 and "data end 2022-12" in table.stdout
    said = " ".join(table.stderr.split())
    assert "warning: data end 2022-12, so the 12 forecast months 2023-01 to 2023-12" in said
    assert "pass --data with a newer VIEWS country-month file" in said


def test_cli_chart_carries_the_note(tmp_path: Path) -> None:
    chart = tmp_path / "mali.svg"
    res = runner.invoke(
        app,
        [
            "forecast",
            "-c",
            "432",
            "--data",
            str(SLICE),
            "-m",
            "conflictology",
            "--chart",
            str(chart),
        ],
    )
    assert res.exit_code == 0, res.output
    assert 'id="stale-note"' in chart.read_text()


def test_cli_unknown_unit_and_ambiguous_number() -> None:
    res = runner.invoke(app, ["forecast", "--unit", "Nigerr", "--data", str(SLICE)])
    assert res.exit_code == NotFound.exit_code and "Did you mean: 'Niger'" in res.stderr
    assert "Traceback" not in res.output
    both = runner.invoke(app, ["forecast", "-c", "100", "--months", "1", "-m", "conflictology"])
    assert both.exit_code == 0 and "Hungary" in both.stdout
    said = " ".join(both.stderr.split())
    assert "100 is read as the unit id of Hungary" in said and "--country 'Colombia'" in said


def test_cli_from_store_by_gw_code_and_iso3(empty_db: Path, ged_slice: Path) -> None:
    import accordwatch

    accordwatch.ingest_ucdp(ged_slice, db=empty_db)
    store = ["--from-store", "--db", str(empty_db)]
    rows = [
        _json_forecast(*store, "--country", c) for c in ("482", "CAF", "central african republic")
    ]
    assert rows[0] == rows[1] == rows[2]
    assert rows[0][0]["unit"] == "Central African Republic" and rows[0][0]["unit_id"] == 482
    mali = runner.invoke(app, ["forecast", *store, "--country", "MLI", "-m", "conflictology"])
    assert mali.exit_code == NotFound.exit_code and "Mali ('MLI') has no series" in mali.stderr


def test_cli_alerts_say_the_month_is_old() -> None:
    res = runner.invoke(
        app, ["alerts", "--data", str(SLICE), "-m", "conflictology", "--min-deaths", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "data end 2022-12: these alerts are about that month" in " ".join(res.stderr.split())


def test_bundled_panel_forecast_by_iso3() -> None:
    fc = forecast(load_views_cm(), "CAF", 1, model="conflictology")
    assert fc["unit"].tolist() == ["Central African Republic"]
