"""Queries on the seeded store (real CAF GED events): filters, aggregates, exports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

import accordwatch as aw
from accordwatch.errors import InputError, NotFound
from accordwatch.export import to_geojson, write_events


@pytest.fixture
def caf() -> pd.DataFrame:
    path = (
        Path(__file__).parents[2]
        / "src"
        / "accordwatch"
        / "data"
        / "ucdp"
        / "GEDEvent_v23_1_CAF.csv"
    )
    df = pd.read_csv(path)
    df["date_start"] = pd.to_datetime(df["date_start"]).dt.date
    return df


@pytest.mark.parametrize(
    "country", ["Central African Republic", "central african republic", "CAF", "482"]
)
def test_country_by_name_iso_or_gw_code(seeded_db: Path, country: str) -> None:
    assert len(aw.events(seeded_db, country=country)) == 1848


def test_country_spelled_only_as_in_the_events(empty_db: Path, tmp_path: Path) -> None:
    from csvrows import read_rows, write_rows

    header, rows = read_rows(Path(__file__).parents[1] / "data" / "ucdp" / "ged_caf_slice.csv")
    for r in rows:
        r[header.index("country")] = "Centrafrique"  # not a name the reference list knows
    aw.ingest_ucdp(write_rows(tmp_path / "fr.csv", header, rows), db=empty_db)
    assert len(aw.events(empty_db, country="centrafrique")) == len(rows)
    assert len(aw.events(empty_db, country="482")) == len(rows)  # its Gleditsch–Ward code


def test_unknown_country_suggests(seeded_db: Path) -> None:
    with pytest.raises(NotFound, match="Central African Republic"):
        aw.events(seeded_db, country="Central Africn Republic")


def test_country_with_no_events_is_empty_not_an_error(seeded_db: Path) -> None:
    assert aw.events(seeded_db, country="Niger").empty


def test_dates_types_and_deaths_match_pandas(seeded_db: Path, caf: pd.DataFrame) -> None:
    got = aw.events(
        seeded_db, since="2013-03", until="2014", type_of_violence=["one-sided", 2], min_deaths=5
    )
    want = caf[
        (caf.date_start >= dt.date(2013, 3, 1))
        & (caf.date_start <= dt.date(2014, 12, 31))
        & caf.type_of_violence.isin([2, 3])
        & (caf.best >= 5)
    ]
    assert len(want) > 20
    assert sorted(got["source_event_id"].astype(int)) == sorted(want["id"])


def test_region_in_any_spelling(seeded_db: Path, caf: pd.DataFrame) -> None:
    want = caf[caf.adm_1 == "Ouaka province"]
    for spelling in ("Ouaka", "ouaka province", "OUAKA"):
        got = aw.events(seeded_db, region=spelling)
        assert len(got) == len(want) > 100


def test_actor_by_alias_and_unknown_actor(seeded_db: Path, caf: pd.DataFrame) -> None:
    want = caf[(caf.side_a == "UPC") | (caf.side_b == "UPC")]
    got = aw.events(seeded_db, actor="UPC", country="CAF")
    assert sorted(got["source_event_id"].astype(int)) == sorted(want["id"])
    gov = aw.events(seeded_db, actor="Government of Central African Republic")
    assert (
        len(gov)
        == (
            caf.side_a_new_id
            == caf.loc[
                caf.side_a == "Government of Central African Republic", "side_a_new_id"
            ].iloc[0]
        ).sum()
    )
    with pytest.raises(NotFound):
        aw.events(seeded_db, actor="Zorglub Liberation Front")


def test_bad_filter_values(seeded_db: Path) -> None:
    with pytest.raises(InputError, match="not a date"):
        aw.events(seeded_db, since="last tuesday")
    with pytest.raises(InputError, match="after --until"):
        aw.events(seeded_db, since="2020", until="2019")
    with pytest.raises(InputError, match="type of violence"):
        aw.events(seeded_db, type_of_violence="4")


def test_stats_by_year_and_region_sum_to_the_events(seeded_db: Path, caf: pd.DataFrame) -> None:
    by_year = aw.stats(seeded_db, by=["year"], source="ucdp-ged")
    assert by_year["events"].sum() == 1848
    assert by_year["deaths_best"].sum() == caf.best.sum()
    y2013 = by_year.set_index("year").loc[2013]
    assert y2013["deaths_best"] == caf[pd.to_datetime(caf.date_start).dt.year == 2013].best.sum()
    by_month = aw.stats(seeded_db, by=["month"], since="2021")
    assert list(by_month["month"]) == sorted(by_month["month"])
    by_region = aw.stats(seeded_db, by=["region"])
    known = by_region["deaths_best"].dropna()
    assert known.is_monotonic_decreasing  # regions of unknown deaths (text events) last
    assert by_region["deaths_best"].notna().iloc[: len(known)].all()


def test_stats_by_actor_counts_each_side(seeded_db: Path, caf: pd.DataFrame) -> None:
    by_actor = aw.stats(seeded_db, by=["actor"]).set_index("actor")
    upc = caf[(caf.side_a == "UPC") | (caf.side_b == "UPC")]
    assert by_actor.loc["UPC", "events"] == len(upc)
    with pytest.raises(InputError, match="cannot group by"):
        aw.stats(seeded_db, by=["colour"])


def test_exports(seeded_db: Path, tmp_path: Path) -> None:
    df = aw.events(seeded_db, country="CAF", since="2022-10")
    gj = to_geojson(df)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == len(df)
    f0 = gj["features"][0]
    assert f0["geometry"]["coordinates"] == [df.iloc[0]["longitude"], df.iloc[0]["latitude"]]
    assert f0["properties"]["date_start"] == df.iloc[0]["date_start"].date().isoformat()
    write_events(df, "parquet", tmp_path / "e.parquet")
    back = pd.read_parquet(tmp_path / "e.parquet")
    assert back["source_event_id"].tolist() == df["source_event_id"].tolist()
    write_events(df, "geojson", tmp_path / "e.geojson")
    assert (
        json.loads((tmp_path / "e.geojson").read_text())["features"][0]["properties"]["source"]
        == "ucdp-ged"
    )
    with pytest.raises(InputError, match="--out"):
        write_events(df, "parquet", None)
    assert not list(tmp_path.glob("*.tmp"))
