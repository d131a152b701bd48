"""Panel loading, validation and series built from events."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from accordwatch.errors import InputError, NotFound
from accordwatch.forecast import (
    find_unit,
    load_views_cm,
    month_id,
    month_label,
    series_from_events,
    validate_panel,
)

SLICE = Path(__file__).parents[1] / "data" / "forecast" / "ged_sb_cm_sahel_2005_2022.csv"


def test_month_ids_follow_views() -> None:
    assert month_id(1990, 1) == 121
    assert month_label(516) == "2022-12"
    assert all(month_id(*map(int, month_label(m).split("-"))) == m for m in range(121, 600))


def test_bundled_panel_is_complete(full: pd.DataFrame) -> None:
    assert full.columns.tolist() == ["unit_id", "unit", "month_id", "y"]
    assert full["month_id"].min() == 121 and full["month_id"].max() == 516
    assert (full[full.month_id == 516]["unit_id"].nunique()) == 191
    mali = full[full.unit_id == find_unit(full, "Mali")]
    assert len(mali) == 396 and mali["y"].sum() > 5000


def test_slice_loads(sahel: pd.DataFrame) -> None:
    assert sahel["unit"].nunique() == 12
    assert sahel.groupby("unit_id")["month_id"].agg(lambda s: s.max() - s.min() + 1 == len(s)).all()


def _panel(**changes: list) -> pd.DataFrame:
    base = {
        "unit_id": [1, 1, 1],
        "unit": ["A"] * 3,
        "month_id": [121, 122, 123],
        "y": [0.0, 2.0, 5.0],
    }
    base.update(changes)
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"month_id": [121, 122, 124]}, "missing months 1990-03"),
        ({"y": [0.0, -1.0, 5.0]}, "negative death count"),
        ({"y": [0.0, np.nan, 5.0]}, "missing or non-numeric"),
        ({"y": [0.0, 1.5, 5.0]}, "fractional"),
        ({"month_id": [121, 122, 122]}, "duplicate unit-month"),
    ],
)
def test_bad_panels_are_refused(changes: dict, words: str) -> None:
    with pytest.raises(InputError, match=words):
        validate_panel(_panel(**changes))


def test_missing_columns_and_files(tmp_path) -> None:
    with pytest.raises(InputError, match="missing column"):
        validate_panel(pd.DataFrame({"unit_id": [1], "month_id": [121]}))
    with pytest.raises(NotFound, match="does not exist"):
        load_views_cm(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    pd.read_csv(SLICE).drop(columns="ucdp_ged_sb_best_sum").to_csv(bad, index=False)
    with pytest.raises(InputError, match="ucdp_ged_sb_best_sum"):
        load_views_cm(bad)
    gappy = tmp_path / "gappy.csv"
    raw = pd.read_csv(SLICE)
    raw.drop(index=raw[(raw.country == "Mali") & (raw.month_id == 400)].index).to_csv(
        gappy, index=False
    )
    with pytest.raises(InputError, match=r"Mali \(\d+\) has missing months 2013-04"):
        load_views_cm(gappy)


def test_find_unit(sahel: pd.DataFrame) -> None:
    mali = find_unit(sahel, "mali")
    assert find_unit(sahel, str(mali)) == mali == find_unit(sahel, mali)
    with pytest.raises(NotFound, match="Did you mean: .Mali."):
        find_unit(sahel, "Malia")


def _caf_events() -> pd.DataFrame:
    path = files("accordwatch") / "data" / "ucdp" / "GEDEvent_v23_1_CAF.csv"
    with path.open("rb") as fh:
        ev = pd.read_csv(fh, low_memory=False)
    return ev.rename(columns={"adm_1": "admin1"})


def test_series_from_real_events_matches_views(full: pd.DataFrame) -> None:
    ev = _caf_events()
    series = series_from_events(ev, "country")
    assert series["unit"].unique().tolist() == ["Central African Republic"]
    months = series["month_id"].to_numpy()
    assert (np.diff(months) == 1).all() and months[-1] == 516  # zeros filled, no gaps
    views = full[full.unit == "Central African Republic"].merge(
        series, on="month_id", suffixes=("_v", "_e")
    )
    # same UCDP deaths as compiled by VIEWS, up to a few re-dated events
    assert abs(views.y_e.sum() - views.y_v.sum()) / views.y_v.sum() < 0.02
    assert (views.y_e == views.y_v).mean() > 0.9


def test_series_levels_and_type_filter() -> None:
    ev = _caf_events()
    grid = series_from_events(ev, "priogrid")
    total_sb = ev.loc[ev.type_of_violence == 1, "best"].sum()
    assert grid["y"].sum() == total_sb
    assert grid.groupby("unit_id")["month_id"].max().eq(grid["month_id"].max()).all()
    all_types = series_from_events(ev, "country", type_of_violence=None)
    assert all_types["y"].sum() == ev["best"].sum()
    # GED leaves adm_1 empty for some events: they get their own unit, their deaths are kept
    regions = series_from_events(ev, "admin1")
    assert regions["unit"].str.startswith("Central African Republic / ").all()
    assert regions["y"].sum() == total_sb
    unknown = regions[regions.unit == "Central African Republic / (admin-1 unknown)"]
    assert (
        unknown["y"].sum()
        == ev.loc[(ev.type_of_violence == 1) & ev.admin1.isna(), "best"].sum()
        > 0
    )
    with pytest.raises(InputError, match="without priogrid_gid"):
        series_from_events(ev.assign(priogrid_gid=ev.priogrid_gid.where(ev.index > 5)), "priogrid")
    with pytest.raises(InputError, match="unknown level"):
        series_from_events(ev, "district")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="missing column"):
        series_from_events(ev.drop(columns="best"))
