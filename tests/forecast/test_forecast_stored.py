"""Stored forecasts: the stored answer is the fresh answer; a change of data, settings or
months fits again; the CLI says which it did; a store that cannot be used does not stop a
forecast."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from accordwatch._app.forecasts import (
    cached_forecast,
    data_hash,
    store_forecast,
    stored_forecast,
    stored_forecasts,
)
from accordwatch.cli import app
from accordwatch.errors import InputError
from accordwatch.forecast import Conflictology, Model, QuantileGBM, forecast
from accordwatch.forecast._keys import model_key, panel_hash, select_forecast
from accordwatch.store import Store

SLICE = Path(__file__).parents[1] / "data" / "forecast" / "ged_sb_cm_sahel_2005_2022.csv"
FAST = {"n_estimators": 20, "n_bags": 1, "quantiles": (0.05, 0.25, 0.5, 0.75, 0.95)}
runner = CliRunner()


class Counting(Conflictology):
    """Conflictology that counts its fits (a class attribute: models are copied)."""

    name = "counting"
    fits = 0

    def fit(self, df: pd.DataFrame) -> Model:
        type(self).fits += 1
        return super().fit(df)


@pytest.fixture
def db(empty_db: Path) -> Path:
    return empty_db


@pytest.mark.parametrize("model", [Conflictology(), QuantileGBM(**FAST)], ids=["conf", "qgbm"])
def test_the_stored_answer_is_the_fresh_answer(sahel: pd.DataFrame, db: Path, model: Model) -> None:
    key = data_hash(SLICE)
    units = ["Mali", "Niger"]
    first, run = cached_forecast(sahel, units, 12, model=model, data_hash=key, db=db)
    assert run.fitted and run.stored
    again, run = cached_forecast(sahel, units, 12, model=model, data_hash=key, db=db)
    assert not run.fitted and run.stored and run.created_at is not None
    fresh = forecast(sahel, units, 12, model=model)
    pd.testing.assert_frame_equal(first, fresh)
    pd.testing.assert_frame_equal(again, fresh)
    every, _ = cached_forecast(sahel, None, 12, model=model, data_hash=key, db=db)
    pd.testing.assert_frame_equal(every, forecast(sahel, None, 12, model=model))


def test_a_stored_forecast_is_read_not_fitted(sahel: pd.DataFrame, db: Path) -> None:
    Counting.fits = 0
    key = data_hash(SLICE)
    for unit in ("Mali", "Chad", "Mali"):
        cached_forecast(sahel, [unit], 6, model=Counting(), data_hash=key, db=db)
    assert Counting.fits == 1
    cached_forecast(sahel, ["Mali"], 6, model=Counting(), data_hash=key, db=db, refit=True)
    assert Counting.fits == 2
    assert len(stored_forecasts(db)) == 1  # the refit replaced the stored one


def test_new_data_settings_or_months_fit_again(sahel: pd.DataFrame, db: Path) -> None:
    Counting.fits = 0
    key = data_hash(SLICE)
    cached_forecast(sahel, ["Mali"], 6, model=Counting(), data_hash=key, db=db)
    cached_forecast(sahel, ["Mali"], 3, model=Counting(), data_hash=key, db=db)  # months
    cached_forecast(sahel, ["Mali"], 6, model=Counting(window=24), data_hash=key, db=db)
    older = sahel[sahel.month_id < sahel.month_id.max()]
    okey = data_hash(panel=older, level="country")
    fc, run = cached_forecast(older, ["Mali"], 6, model=Counting(), data_hash=okey, db=db)
    assert Counting.fits == 4 and run.fitted and fc["data_end"].iloc[0] == "2022-11"
    heads = stored_forecasts(db)
    assert len(heads) == 4 and set(heads["months"]) == {3, 6}
    assert (
        json.loads(heads.loc[heads.model_key == model_key(Counting(window=24)), "settings"].item())[
            "window"
        ]
        == 24
    )


def test_data_hash(sahel: pd.DataFrame, tmp_path: Path) -> None:
    copy = tmp_path / "copy.csv"
    copy.write_bytes(SLICE.read_bytes())
    assert data_hash(copy) == data_hash(SLICE)
    assert data_hash(SLICE).startswith("file:") and data_hash(SLICE).endswith(":country")
    assert data_hash(None) != data_hash(SLICE)  # the bundled file
    copy.write_bytes(SLICE.read_bytes().replace(b"\n", b"\r\n"))
    assert data_hash(copy) != data_hash(SLICE)  # another file: fitted again, never guessed
    changed = sahel.copy()
    changed.loc[changed.index[-1], "y"] += 1
    assert panel_hash(changed) != panel_hash(sahel)
    assert data_hash(panel=sahel, level="admin1").startswith("series:admin1:")
    with pytest.raises(InputError, match="cannot read the forecast data file"):
        data_hash(tmp_path / "missing.csv")


def test_units_are_refused_as_forecast_refuses_them(sahel: pd.DataFrame, db: Path) -> None:
    key = data_hash(SLICE)
    short = pd.concat(
        [sahel, pd.DataFrame({"unit_id": 999, "unit": "Newland", "month_id": [515, 516], "y": 0.0})]
    )
    for panel, unit, words in (
        (short, "Newland", "only 2 months of data"),
        (sahel, [], "no unit given"),
    ):
        with pytest.raises(InputError, match=words):
            forecast(panel, unit, 3, model="conflictology")
        with pytest.raises(InputError, match=words):  # before the fit, and from the store
            cached_forecast(panel, unit, 3, model="conflictology", data_hash=key, db=db)
    with pytest.raises(InputError, match="months must be between 1 and 36"):
        cached_forecast(sahel, "Mali", 40, model="conflictology", data_hash=key, db=db)


def test_select_forecast_matches_forecast(sahel: pd.DataFrame) -> None:
    every = forecast(sahel, None, 4, model="conflictology")
    for units in ("Mali", ["Niger", "Mali"], [436]):
        pd.testing.assert_frame_equal(
            select_forecast(sahel, every, units, min_history=12),
            forecast(sahel, units, 4, model="conflictology"),
        )


def test_store_tables(sahel: pd.DataFrame, db: Path) -> None:
    fc = forecast(sahel, None, 2, model="conflictology")
    head = store_forecast(fc, data_hash="k", model=Conflictology(), data_source="x", db=db)
    assert head.units == fc["unit_id"].nunique() and head.origin == 516 and head.months == 2
    hit = stored_forecast("k", model_key(Conflictology()), 2, db, units=[50])
    assert hit is not None and set(hit[1]["unit"]) == {"Mali"}
    assert stored_forecast("k", model_key(Conflictology()), 3, db) is None
    with Store.open(db, read_only=True) as store:
        assert store.count("forecast_values") == len(fc)
    with pytest.raises(InputError, match="not a forecast frame"):
        store_forecast(fc.drop(columns="median"), data_hash="k", model=Conflictology(), db=db)


def test_reading_never_creates_a_store(sahel: pd.DataFrame, tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    assert stored_forecast("k", "m", 12, missing) is None and not missing.exists()
    assert stored_forecasts(missing).empty and not missing.exists()


def test_a_store_that_cannot_be_used_does_not_stop_a_forecast(
    sahel: pd.DataFrame, tmp_path: Path
) -> None:
    foreign = tmp_path / "other.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    fc, run = cached_forecast(
        sahel, ["Mali"], 3, model="conflictology", data_hash=data_hash(SLICE), db=foreign
    )
    assert run.fitted and not run.stored and "not an accordwatch store" in (run.note or "")
    pd.testing.assert_frame_equal(fc, forecast(sahel, ["Mali"], 3, model="conflictology"))


# -- the command line ------------------------------------------------------------------------
def _forecast(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["forecast", *args, "--data", str(SLICE), "-m", "conflictology"])
    return res.exit_code, res.stdout, res.stderr


def test_cli_fits_stores_then_reads(sahel: pd.DataFrame) -> None:
    code, first, said = _forecast("--country", "Mali", "-f", "json")
    assert code == 0, said
    assert "fitting conflictology on data up to 2022-12 (13 units) …" in said
    assert "stored" in said
    code, second, said = _forecast("--country", "Mali", "-f", "json")
    assert code == 0 and second == first
    assert "from the forecast stored at" in said and "fitting" not in said
    code, third, said = _forecast("--country", "Mali", "-f", "json", "--refit")
    assert code == 0 and third == first and "fitting conflictology" in said
    rows = json.loads(first)
    fresh = forecast(sahel, "Mali", 12, model="conflictology")
    assert [r["median"] for r in rows] == fresh["median"].tolist()


def test_cli_all_stores_every_country(sahel: pd.DataFrame, _empty_default_store: Path) -> None:
    code, out, said = _forecast("--all", "--months", "3", "-f", "json")
    assert code == 0 and "fitting" in said
    units = {r["unit_id"] for r in json.loads(out)}
    alive = sahel.loc[sahel.month_id == sahel.month_id.max(), "unit_id"]
    assert units == set(alive)  # every unit with data in the last month
    heads = stored_forecasts(_empty_default_store)
    assert heads["units"].tolist() == [len(units)]
    for country in ("Niger", "Chad", "Mali"):
        code, out, said = _forecast("--country", country, "--months", "3", "-f", "json")
        assert code == 0 and "from the forecast stored at" in said
        assert {r["unit"] for r in json.loads(out)} == {country}


def test_cli_warns_when_the_store_cannot_be_written(tmp_path: Path) -> None:
    foreign = tmp_path / "other.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    code, out, said = _forecast("--country", "Mali", "--db", str(foreign), "-f", "json")
    assert code == 0 and len(json.loads(out)) == 12
    assert "warning: this forecast was not stored" in said


def test_cli_from_the_stores_events(caf_db: Path) -> None:
    args = ["forecast", "--from-store", "--db", str(caf_db), "--level", "admin1", "--all"]
    args += ["--months", "2", "-m", "conflictology", "-f", "json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output and "fitting" in first.stderr
    second = runner.invoke(app, args)
    assert "from the forecast stored at" in second.stderr and second.stdout == first.stdout
    assert np.all([" / " in r["unit"] for r in json.loads(second.stdout)])
    heads = stored_forecasts(caf_db)
    assert heads["data_source"].tolist() == ["store:admin1"]
    assert heads["data_hash"].iloc[0].startswith("series:admin1:")


def test_every_country_of_the_bundled_file_in_forecast_order(full: pd.DataFrame, db: Path) -> None:
    key = data_hash()
    fresh = forecast(full, None, 2, model="conflictology")
    for _ in range(2):  # fitted, then read
        fc, run = cached_forecast(full, None, 2, model="conflictology", data_hash=key, db=db)
        pd.testing.assert_frame_equal(fc, fresh)
    assert not run.fitted and run.units == fresh["unit_id"].nunique()


def test_a_store_made_before_stored_forecasts_gets_them(
    sahel: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accordwatch.store import db as db_module

    shipped = db_module._migrations()
    assert "0005_forecasts" in [name for _, name, _ in shipped]
    path = tmp_path / "old.duckdb"
    with monkeypatch.context() as m:
        m.setattr(db_module, "_migrations", lambda: [s for s in shipped if s[0] < 5])
        with Store.open(path) as store:
            store.skip_seed()
    fc, run = cached_forecast(
        sahel, "Mali", 2, model="conflictology", data_hash=data_hash(SLICE), db=path
    )
    assert run.stored and len(fc) == 2
    with Store.open(path, read_only=True) as store:
        assert store.schema_version() == shipped[-1][0] and store.count("forecasts") == 1
