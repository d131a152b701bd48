"""Rolling-origin evaluation: origin sets and years, stress origins, the fit schedule (never a
month after the origin), the same numbers as the VIEWS backtest, summaries by hand, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from accordwatch.cli import app
from accordwatch.errors import InputError
from accordwatch.forecast import (
    Conflictology,
    Model,
    QuantileGBM,
    backtest,
    backtest_origins,
    month_id,
    month_label,
    origin_months,
    origin_year,
    possible_origin_years,
    stress_units,
)
from accordwatch.forecast._origins import fit_month

FAST = {"n_estimators": 20, "n_bags": 1, "quantiles": (0.05, 0.25, 0.5, 0.75, 0.95)}


class Spy(Conflictology):
    """Conflictology that records the last month of every panel it fits on or is refreshed
    with."""

    name = "spy"

    def __init__(self) -> None:
        super().__init__()
        self.fits: list[int] = []
        self.refreshed: list[int] = []

    def fit(self, df: pd.DataFrame) -> Model:
        self.fits.append(int(df["month_id"].max()))
        return super().fit(df)

    def refresh(self, df: pd.DataFrame) -> Model:
        self.refreshed.append(int(df["month_id"].max()))
        return super().refresh(df)


def _labels(months: list[int]) -> list[str]:
    return [month_label(m) for m in months]


def test_an_origin_belongs_to_the_year_of_its_step_3_month() -> None:
    assert origin_year(month_id(2017, 10)) == 2018  # the VIEWS origin of test year 2018
    assert origin_year(month_id(2017, 9)) == 2017
    assert origin_year(month_id(2021, 12)) == 2022


def test_origin_sets(sahel: pd.DataFrame) -> None:
    assert _labels(origin_months(sahel, "october", 2018, 2019)) == ["2017-10", "2018-10"]
    assert _labels(origin_months(sahel, "quarterly", 2019, 2019)) == [
        "2018-10",
        "2019-01",
        "2019-04",
        "2019-07",
    ]
    monthly = _labels(origin_months(sahel, "monthly", 2019, 2019))
    assert monthly[0] == "2018-10" and monthly[-1] == "2019-09" and len(monthly) == 12
    # default years: every year the data allow (36 months through October Y-1; data 2005-2022)
    october = origin_months(sahel, "october")
    assert _labels(october)[0] == "2008-10" and _labels(october)[-1] == "2021-10"
    assert possible_origin_years(sahel, "october") == list(range(2009, 2023))


@pytest.mark.parametrize(
    ("first", "last", "words"),
    [
        (2005, 2010, "Possible years for october origins with these data: 2009–2022"),
        (2020, 2023, "cannot use the origins of 2023"),
        (2020, 2019, "--from 2020 is after --to 2019"),
    ],
)
def test_impossible_years_are_refused(
    sahel: pd.DataFrame, first: int, last: int, words: str
) -> None:
    with pytest.raises(InputError, match=words):
        origin_months(sahel, "october", first, last)


def test_unknown_set_and_no_set() -> None:
    panel = _toy()
    with pytest.raises(InputError, match="unknown origin set 'weekly'"):
        origin_months(panel, "weekly")
    with pytest.raises(InputError, match="no origins asked for"):
        origin_months(panel, None)


def _series(values: list[float], unit_id: int = 1, name: str = "A") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": unit_id,
            "unit": name,
            "month_id": np.arange(121, 121 + len(values)),
            "y": values,
        }
    )


def test_stress_rule_by_hand() -> None:
    # A: 2000, then 12 months at 100, then 600 (>= 5x the mean of the 12 months before, 100;
    # not a record: the first month was 2000), 2500 (a record, and >= 5x its mean 141.7),
    # 1200 (neither: 5x its mean is 1708); B: 13 quiet months, then 999
    a = _series([2000.0] + [100.0] * 12 + [600.0, 2500.0, 1200.0])
    b = _series([0.0] * 13 + [999.0, 0.0, 0.0], unit_id=2, name="B")
    s = stress_units(pd.concat([a, b]), min_deaths=500)
    assert s[["origin", "unit", "y", "record", "spike"]].values.tolist() == [
        ["1991-02", "A", 600.0, False, True],
        ["1991-02", "B", 999.0, True, True],
        ["1991-03", "A", 2500.0, True, True],
    ]
    assert s["mean12"].tolist() == pytest.approx([100.0, 0.0, (1100 + 600) / 12])
    assert s["previous_max"].tolist() == [2000.0, 0.0, 2000.0]
    # the default rule asks for 1,000 deaths
    s = stress_units(pd.concat([a, b]))
    assert s[["unit", "origin", "y"]].values.tolist() == [["A", "1991-03", 2500.0]]
    # a unit's first 12 months are never a stress month (no 12-month mean before them)
    assert stress_units(_series([0.0] * 5 + [5000.0] + [0.0] * 10)).empty


def test_stress_origins_on_the_real_data(full: pd.DataFrame) -> None:
    s = stress_units(full)
    at = {o: set(g["unit"]) for o, g in s.groupby("origin")}
    assert "Ethiopia" in at["2000-06"] and "Ethiopia" in at["2021-12"]
    assert s.loc[s.origin == "2021-12", "record"].all()
    stress_2000 = origin_months(full, None, 2000, 2000, stress=True)
    assert month_id(2000, 6) in stress_2000
    assert {origin_year(m) for m in stress_2000} == {2000}
    assert set(stress_2000) == set(s.loc[s.year == 2000, "month_id"])
    both = origin_months(full, "october", 2000, 2000, stress=True)
    assert set(both) == {month_id(1999, 10), *stress_2000}


def test_fit_schedule() -> None:
    june = month_id(2000, 6)
    assert month_label(fit_month(june, 12)) == "1999-10"
    assert month_label(fit_month(june, refit=3)) == "2000-04"
    assert fit_month(june, refit=1) == june
    # too little data at the scheduled fit month: the origin is fitted on its own
    assert fit_month(month_id(1993, 2), 12, first_month=month_id(1990, 1)) == month_id(1993, 2)
    with pytest.raises(InputError, match="refit must be one of"):
        fit_month(june, 5)


def test_models_never_see_a_month_after_the_origin(sahel: pd.DataFrame) -> None:
    spy = Spy()
    origins = origin_months(sahel, "monthly", 2019, 2019)
    res = backtest_origins(sahel, origins, models=[spy], refit=12)
    assert spy.fits == [month_id(2018, 10)]  # one fit a year, at October
    assert spy.refreshed == origins[1:]
    f = res.frame[res.frame.model == "spy"]
    assert (f["fitted_at"] <= f["cutoff"]).all() and (
        f["month_id"] - f["cutoff"] == f["step"]
    ).all()
    assert sorted(f["step"].unique()) == list(range(3, 15))
    spy = Spy()
    backtest_origins(sahel, origins[:3], models=[spy])  # the default: a fit at every origin
    assert spy.fits == origins[:3] and spy.refreshed == []


def test_october_origins_give_the_backtest_numbers(sahel: pd.DataFrame) -> None:
    models = {"qgbm": QuantileGBM(**FAST)}
    bt = backtest(sahel, [2012, 2019], models=models)
    ro = backtest_origins(
        sahel, origin_months(sahel, "october", 2012, 2012) + [month_id(2018, 10)], models=models
    )
    keys = ["model", "cutoff", "unit_id", "step"]
    a = bt.frame.sort_values(keys).reset_index(drop=True)
    b = ro.frame.drop(columns=["fitted_at", "stress", "y_origin"]).sort_values(keys)
    pd.testing.assert_frame_equal(a, b.reset_index(drop=True))
    pooled = ro.pooled()
    assert pooled.loc["qgbm", "ratio"] == pytest.approx(
        bt.scores.loc["qgbm", "crps_vs_conflictology"]
    )


def test_an_origins_numbers_do_not_depend_on_the_other_origins(sahel: pd.DataFrame) -> None:
    june = month_id(2015, 6)
    models = {"qgbm": QuantileGBM(**FAST)}
    alone = backtest_origins(sahel, [june], models=models, refit=12).frame
    among = backtest_origins(sahel, [month_id(2014, 10), june], models=models, refit=12).frame
    among = among[among.cutoff == june].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, among)
    assert set(alone["fitted_at"]) == {month_id(2014, 10)}


def test_refresh_keeps_what_was_learned(sahel: pd.DataFrame) -> None:
    october, june = month_id(2014, 10), month_id(2015, 6)
    model = QuantileGBM(**FAST).fit(sahel[sahel.month_id <= october])
    same = model.refresh(sahel[sahel.month_id <= october])
    assert np.array_equal(same.predict(6).values, model.predict(6).values)
    later = model.refresh(sahel[sahel.month_id <= june])
    assert later.boosters_ is model.boosters_ and later.predict(3).cutoff == june
    assert model.predict(3).cutoff == october  # the fitted model itself is unchanged
    assert not np.array_equal(later.predict(3).values, model.predict(3).values)
    # a benchmark learns nothing: a refresh is a fit
    conf = Conflictology().fit(sahel[sahel.month_id <= october])
    fresh = Conflictology().fit(sahel[sahel.month_id <= june])
    assert np.array_equal(
        conf.refresh(sahel[sahel.month_id <= june]).predict(4).values, fresh.predict(4).values
    )
    with pytest.raises(InputError, match="call fit"):
        Conflictology().refresh(sahel)


def _toy() -> pd.DataFrame:
    """Quiet (0 every month) and Steady (10 every month), 1990-01 to 1994-12."""
    months = np.arange(121, 121 + 60)
    quiet = pd.DataFrame({"unit_id": 1, "unit": "Quiet", "month_id": months, "y": 0.0})
    steady = pd.DataFrame({"unit_id": 2, "unit": "Steady", "month_id": months, "y": 10.0})
    return pd.concat([quiet, steady], ignore_index=True)


def test_summaries_by_hand() -> None:
    panel = _toy()
    steady = panel.unit == "Steady"
    panel.loc[steady, "y"] = np.where(panel.loc[steady, "month_id"] % 2 == 0, 5.0, 15.0)
    # Steady jumps to 40 in 1994-06 .. 1994-12, inside the window of the origin 1993-10
    panel.loc[(panel.unit == "Steady") & (panel.month_id >= month_id(1994, 6)), "y"] = 40.0
    origins = [month_id(1993, 1), month_id(1993, 10)]
    res = backtest_origins(panel, origins, models={})
    f = res.frame
    per = res.by_origin()
    for cut in origins:
        rows = f[f.cutoff == cut]
        for name in ("zero", "last"):
            want = (
                rows.loc[rows.model == name, "crps"].sum()
                / rows.loc[rows.model == "conflictology", "crps"].sum()
            )
            got = per.loc[(per.cutoff == cut) & (per.model == name), "ratio"].item()
            assert got == pytest.approx(want)
    # zero forecasts 0: its CRPS is the actual, per month
    zero = f[f.model == "zero"]
    assert np.allclose(zero["crps"], zero["y"])
    pooled = res.pooled()
    assert pooled.loc["zero", "ratio"] == pytest.approx(
        f.loc[f.model == "zero", "crps"].sum() / f.loc[f.model == "conflictology", "crps"].sum()
    )
    assert pooled.loc["zero", "n"] == 2 * 2 * 12 and pooled.loc["zero", "origins"] == 2
    worst = res.worst_unit_window("zero")
    assert worst["unit"] == "Steady" and worst["months"] == 12
    steady = f[(f.unit == "Steady")]
    by_origin = steady.groupby(["cutoff", "model"])["crps"].sum().unstack()
    excess = by_origin["zero"] - by_origin["conflictology"]
    assert worst["origin"] == month_label(int(excess.idxmax()))
    assert worst["excess"] == pytest.approx(excess.max())
    total = f.groupby("model")["crps"].sum()
    assert worst["pooled_ratio_without"] == pytest.approx(
        (total["zero"] - excess.max()) / total["conflictology"]
    )
    wo = res.worst_origin("zero")
    assert wo["ratio"] == pytest.approx(per.loc[per.model == "zero", "ratio"].max())
    with pytest.raises(InputError, match="reference"):
        res.worst_origin("conflictology")
    with pytest.raises(InputError, match="no model 'qgbm'"):
        res.worst_unit_window("qgbm")


def test_a_window_past_the_data_is_scored_on_the_steps_with_actuals() -> None:
    panel = _toy()
    late = month_id(1994, 6)  # steps 3..6 are 1994-09..1994-12, the last months of data
    res = backtest_origins(panel, [late], models={})
    assert sorted(res.frame["step"].unique()) == [3, 4, 5, 6]
    assert res.to_dict()["origins"][0]["steps"] == [3, 6]
    with pytest.raises(InputError, match="Possible origins: 1992-12 to 1994-09"):
        backtest_origins(panel, [month_id(1994, 10)], models={})
    with pytest.raises(InputError, match="no origins given"):
        backtest_origins(panel, [], models={})
    with pytest.raises(InputError, match="steps must be between 1 and 36"):
        backtest_origins(panel, [late], models={}, steps=[0, 1])


def test_json_contract_and_zero_reference() -> None:
    panel = _toy()  # conflictology is perfect here (CRPS 0): ratios are null, not NaN
    panel.loc[(panel.unit == "Steady") & (panel.month_id == month_id(1993, 9)), "y"] = 5000.0
    res = backtest_origins(panel, [month_id(1993, 9), month_id(1993, 10)], models={})
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert set(doc) == {
        "protocol",
        "default",
        "origins",
        "pooled",
        "worst_origin",
        "worst_unit_window",
    }
    assert doc["protocol"]["steps"] == [3, 14] and doc["protocol"]["refit_months"] == 1
    assert doc["protocol"]["years"] == [1993, 1994] and doc["default"] == "conflictology"
    first = doc["origins"][0]
    assert first["origin"] == "1993-09" and first["stress"] is True
    assert first["stress_units"] == [{"unit": "Steady", "deaths": 5000.0, "record": True}]
    assert set(first["models"]) == {"zero", "last", "conflictology"}
    assert (
        set(doc["pooled"]) == {"all", "stress"} and doc["pooled"]["stress"]["zero"]["origins"] == 1
    )
    assert set(doc["worst_origin"]) == set(doc["worst_unit_window"]) == {"zero", "last"}
    assert doc["worst_unit_window"]["last"]["unit"] == "Steady"
    assert doc["worst_unit_window"]["last"]["deaths_at_origin"] == 5000.0


def test_subset(sahel: pd.DataFrame) -> None:
    origins = origin_months(sahel, "october", 2014, 2016, stress=True, min_deaths=500)
    res = backtest_origins(sahel, origins, models={}, min_deaths=500)
    assert res.stress_origins and set(res.stress_origins) < set(origins)
    stressed = res.subset(stress=True)
    assert stressed.origins == res.stress_origins
    assert set(stressed.frame["cutoff"]) == set(res.stress_origins)
    october = res.subset(october=True)
    assert _labels(october.origins) == ["2013-10", "2014-10", "2015-10"]
    assert res.subset(last_year=2014).origins == [o for o in origins if origin_year(o) <= 2014]
    with pytest.raises(InputError, match="no origins of this run"):
        res.subset(first_year=2030)


# -- the command line ------------------------------------------------------------------------
SLICE = str(Path(__file__).parents[1] / "data" / "forecast" / "ged_sb_cm_sahel_2005_2022.csv")
runner = CliRunner()


def _run(*args: str) -> Result:
    return runner.invoke(app, ["backtest", "cm", "--data", SLICE, *args])


def test_cli_rolling_origins_json(sahel: pd.DataFrame) -> None:
    res = _run("--origins", "october", "--from", "2018", "--to", "2019", "-m", "zero", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [o["origin"] for o in doc["origins"]] == ["2017-10", "2018-10"]
    assert [o["year"] for o in doc["origins"]] == [2018, 2019]
    assert doc["protocol"]["name"] == "rolling-origin-cm" and doc["default"] == "conflictology"
    assert set(doc["pooled"]["all"]) == {"zero", "last", "conflictology"}
    # the same numbers as the library
    lib = backtest_origins(sahel, origin_months(sahel, "october", 2018, 2019), models={})
    assert doc["pooled"]["all"]["last"]["ratio"] == pytest.approx(lib.pooled().loc["last", "ratio"])
    assert doc["worst_unit_window"]["last"] == json.loads(json.dumps(lib.worst_unit_window("last")))
    assert "forecasting from 2 october origins" in res.stderr


def test_cli_stress_origins_table_and_frame(tmp_path: Path) -> None:
    frame = tmp_path / "frame.csv"
    res = _run(
        "--stress",
        "--stress-min-deaths",
        "500",
        "--from",
        "2015",
        "--to",
        "2015",
        "-m",
        "conflictology",
        "--frame",
        str(frame),
    )
    assert res.exit_code == 0, res.output
    assert "CRPS ratio to conflictology per origin" in res.stdout
    assert "worst origin and unit-window" in res.stdout and "Nigeria" in res.stdout
    tidy = pd.read_csv(frame)
    assert {"model", "cutoff", "fitted_at", "stress", "unit", "step", "crps"} <= set(tidy.columns)
    assert tidy["stress"].all() and set(tidy["model"]) == {"zero", "last", "conflictology"}
    # --stress with a set: both
    both = _run(
        "--origins",
        "october",
        "--stress",
        "--stress-min-deaths",
        "500",
        "--from",
        "2015",
        "--to",
        "2015",
        "-m",
        "zero",
        "-f",
        "json",
    )
    doc = json.loads(both.stdout)
    months = [o["origin"] for o in doc["origins"]]
    assert "2014-10" in months and len(months) > 1 and "stress" in doc["pooled"]


def test_cli_choosing_windows_two_ways_or_none() -> None:
    res = _run("--test-years", "2018", "--origins", "october")
    assert res.exit_code == InputError.exit_code and "two ways" in res.stderr
    res = _run("-m", "zero")
    assert res.exit_code == InputError.exit_code and "choose the windows" in res.stderr
    res = _run("--origins", "october", "--from", "2001", "--to", "2010")
    assert res.exit_code == InputError.exit_code
    assert "Possible years for october origins with these data: 2009–2022" in res.stderr
    res = _run("--origins", "monthly", "--refit", "5", "--from", "2019", "--to", "2019")
    assert res.exit_code == InputError.exit_code and "refit must be one of" in res.stderr
    res = _run("--origins", "october", "--frame", "out.txt")
    assert res.exit_code == InputError.exit_code and ".csv or .parquet" in res.stderr


def test_cli_test_years_can_write_the_frame_too(tmp_path: Path) -> None:
    out = tmp_path / "bt.parquet"
    res = _run("--test-years", "2019", "-m", "zero", "--frame", str(out), "-f", "json")
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)) == {"protocol", "default", "models"}
    assert set(pd.read_parquet(out)["year"]) == {2019}


def test_cli_rolling_origins_on_the_stores_own_events(caf_db: Path) -> None:
    res = runner.invoke(
        app,
        [
            "backtest",
            "store",
            "--db",
            str(caf_db),
            "--level",
            "admin1",
            "--origins",
            "quarterly",
            "--stress",
            "--stress-min-deaths",
            "25",
            "--from",
            "2021",
            "--to",
            "2022",
            "-m",
            "conflictology",
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["origins"] and all(" / " in o["unit"] for o in doc["worst_unit_window"].values())
    assert any(o["stress"] for o in doc["origins"])
