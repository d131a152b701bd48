"""The forecast commands through Typer's CliRunner: JSON contract, errors, charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accordwatch.cli import app
from accordwatch.errors import InputError, NotFound

SLICE = str(Path(__file__).parents[1] / "data" / "forecast" / "ged_sb_cm_sahel_2005_2022.csv")
runner = CliRunner()


def test_backtest_json_contract() -> None:
    res = runner.invoke(
        app,
        [
            "backtest",
            "cm",
            "--data",
            SLICE,
            "--test-years",
            "2018",
            "2019",
            "--model",
            "conflictology",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"protocol", "default", "models"}
    assert doc["protocol"]["test_years"] == [2018, 2019] and doc["protocol"]["steps"] == [3, 14]
    assert {"zero", "last", "conflictology"} <= set(doc["models"])
    assert doc["default"] in doc["models"]
    for scores in doc["models"].values():
        assert {"crps", "brier_25", "coverage_90", "n", "by_year"} <= set(
            scores
        )  # contract keys (+ calibration)
        assert set(scores["by_year"]) == {"2018", "2019"} and scores["n"] == 2 * 12 * 12


def test_backtest_year_ranges_and_refusal() -> None:
    ok = runner.invoke(
        app,
        [
            "backtest",
            "cm",
            "--data",
            SLICE,
            "--test-years",
            "2015-2016",
            "-m",
            "zero",
            "-f",
            "json",
        ],
    )
    assert json.loads(ok.stdout)["protocol"]["test_years"] == [2015, 2016]
    bad = runner.invoke(
        app, ["backtest", "cm", "--data", SLICE, "--test-years", "2030", "-f", "json"]
    )
    assert bad.exit_code == InputError.exit_code == 2
    assert "Possible test years with these data: 2009–2022" in bad.stderr and bad.stdout == ""
    junk = runner.invoke(
        app, ["backtest", "cm", "--data", SLICE, "--test-years", "twenty", "-f", "json"]
    )
    assert junk.exit_code == 2 and "is not a year" in junk.stderr


def test_forecast_json_and_chart(tmp_path: Path) -> None:
    chart = tmp_path / "fan.svg"
    res = runner.invoke(
        app,
        [
            "forecast",
            "--country",
            "Mali",
            "--months",
            "12",
            "--data",
            SLICE,
            "--model",
            "conflictology",
            "--chart",
            str(chart),
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 12 and rows[0]["month"] == "2023-01" and rows[0]["unit"] == "Mali"
    assert {"median", "lo-50", "hi-50", "lo-90", "hi-90", "p_ge_25", "p_ge_100"} <= set(rows[0])
    assert chart.read_text().lstrip().startswith("<?xml")


def test_forecast_errors() -> None:
    res = runner.invoke(
        app, ["forecast", "--country", "Wakanda", "--data", SLICE, "-m", "conflictology"]
    )
    assert res.exit_code == NotFound.exit_code == 3 and "unknown unit 'Wakanda'" in res.stderr
    for args in ([], ["--all", "--country", "Mali"]):
        res = runner.invoke(app, ["forecast", *args, "--data", SLICE, "-m", "conflictology"])
        assert res.exit_code == 2 and "--country/--unit, or pass --all" in res.stderr
    two = runner.invoke(
        app, ["forecast", "-c", "Mali", "-c", "Niger", "--chart", "x.png", "--data", SLICE]
    )
    assert two.exit_code == 2 and "--chart draws one unit" in two.stderr
    mixed = runner.invoke(app, ["forecast", "--country", "Mali", "--data", SLICE, "--from-store"])
    assert mixed.exit_code == 2 and "not both" in mixed.stderr


def test_alerts_json() -> None:
    res = runner.invoke(
        app, ["alerts", "--data", SLICE, "-m", "conflictology", "--min-deaths", "1", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert isinstance(rows, list)
    for row in rows:
        assert row["reason"] and row["month"] == "2022-12" and row["deaths"] >= 1


def test_forecast_and_alerts_from_the_store(caf_db: Path) -> None:
    res = runner.invoke(
        app,
        [
            "forecast",
            "--from-store",
            "--db",
            str(caf_db),
            "--country",
            "Central African Republic",
            "--months",
            "3",
            "-m",
            "conflictology",
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["month"] for r in rows] == ["2023-01", "2023-02", "2023-03"]
    regions = runner.invoke(
        app,
        [
            "alerts",
            "--from-store",
            "--db",
            str(caf_db),
            "--level",
            "admin1",
            "-m",
            "conflictology",
            "--min-deaths",
            "1",
            "-f",
            "json",
        ],
    )
    assert regions.exit_code == 0, regions.output
    assert all(" / " in r["unit"] for r in json.loads(regions.stdout))


def test_from_store_with_no_events(empty_db: Path) -> None:
    res = runner.invoke(
        app, ["alerts", "--from-store", "--db", str(empty_db), "-m", "conflictology"]
    )
    assert res.exit_code == 2 and "ingest" in res.stderr


def test_backtest_on_the_stores_own_events(caf_db: Path) -> None:
    import accordwatch
    from accordwatch.forecast import backtest, series_from_events

    res = runner.invoke(
        app,
        [
            "backtest",
            "store",
            "--db",
            str(caf_db),
            "--level",
            "admin1",
            "--test-years",
            "2021",
            "2022",
            "-m",
            "conflictology",
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["protocol"]["test_years"] == [2021, 2022] and doc["default"] == "conflictology"
    # the same numbers as the Python API on the admin-1 series built from the same events
    panel = series_from_events(accordwatch.events(caf_db, type_of_violence=1), "admin1")
    result = backtest(panel, [2021, 2022], models={})
    api = result.scores
    units = set(result.frame["unit"])
    assert len(units) >= 10 and all(u.startswith("Central African Republic / ") for u in units)
    for name in ("zero", "last", "conflictology"):
        assert doc["models"][name]["n"] == api.loc[name, "n"]
        assert doc["models"][name]["crps"] == pytest.approx(api.loc[name, "crps"])
    bad = runner.invoke(app, ["backtest", "store", "--db", str(caf_db), "--test-years", "2030"])
    assert bad.exit_code == InputError.exit_code and "Possible test years" in bad.stderr


def test_forecast_several_units_and_all() -> None:
    res = runner.invoke(
        app,
        [
            "forecast",
            "-c",
            "Niger",
            "--unit",
            "Mali",
            "--months",
            "2",
            "--data",
            SLICE,
            "-m",
            "conflictology",
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [(r["unit"], r["month"]) for r in rows] == [
        ("Niger", "2023-01"),
        ("Niger", "2023-02"),
        ("Mali", "2023-01"),
        ("Mali", "2023-02"),
    ]
    every = runner.invoke(
        app,
        ["forecast", "--all", "--months", "1", "--data", SLICE, "-m", "conflictology", "-f", "csv"],
    )
    assert every.exit_code == 0, every.output
    lines = every.stdout.strip().splitlines()
    units = [line.split(",")[0] for line in lines[1:]]
    assert (
        lines[0].startswith("unit,month,median") and units == sorted(units) and len(units) == 12
    )  # the 12 countries reporting in 2022-12
