"""Linking across UCDP GED, ACLED and news: ACLED files the test writes itself (ACLED's export
layout, loaded through the real ACLED ingest) about real CAR GED events — a day later, a few km
off, ACLED's single figure — and an accepted news record of one of them: one incident, three
sources, the GED figure counted once."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import accordwatch as aw
from accordwatch import _api
from accordwatch._app import incidents as inc
from accordwatch.sources import Batch
from accordwatch.sources._acled_csv import CURRENT_COLUMNS
from accordwatch.store import Store, ingest_batches
from accordwatch.store.schema import rows_to_table

CAF = "Central African Republic"
_TYPES = {  # GED type of violence → ACLED event and sub-event type
    1: ("Battles", "Armed clash"),
    2: ("Battles", "Armed clash"),
    3: ("Violence against civilians", "Attack"),
}


def _acled_row(g: dict[str, Any], i: int, rng: random.Random, **changes: Any) -> dict[str, Any]:
    day = g["date_start"].date() + dt.timedelta(days=rng.choice([0, 1]))
    km = rng.uniform(0.5, 5.0)
    et, sub = _TYPES[int(g["type_of_violence"])]
    stamp = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) + 7 * 86400
    row = {
        "event_id_cnty": f"CAF{10000 + i}",
        "event_date": day.isoformat(),
        "year": str(day.year),
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": et,
        "sub_event_type": sub,
        "actor1": g["side_a"],
        "assoc_actor_1": "",
        "inter1": "State forces" if str(g["side_a"]).startswith("Government") else "Rebel group",
        "actor2": g["side_b"],
        "assoc_actor_2": "",
        "inter2": "Civilians" if g["type_of_violence"] == 3 else "Rebel group",
        "interaction": "",
        "civilian_targeting": "Civilian targeting" if g["type_of_violence"] == 3 else "",
        "iso": "140",
        "region": "Middle Africa",
        "country": CAF,
        "admin1": g["adm_1"] or "",
        "admin2": "",
        "admin3": "",
        "location": str(g["where_coordinates"] or "")[:40],
        "latitude": f"{g['latitude'] + km / 111.2:.4f}",
        "longitude": f"{g['longitude']:.4f}",
        "geo_precision": "1",
        "source": "Corbeau News",
        "source_scale": "National",
        "notes": "",
        "fatalities": str(int(g["best"]) + 2),
        "tags": "",
        "timestamp": str(stamp),
    }
    row.update(changes)
    return row


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CURRENT_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("inc-acled")
    path = folder / "store.duckdb"
    with Store.open(path) as st:
        st.skip_seed()
    data = Path(__file__).parents[2] / "src" / "accordwatch" / "data" / "ucdp"
    aw.ingest_ucdp(data / "GEDEvent_v23_1_CAF.csv", db=path)
    ged = aw.events(path)
    pick = ged[(ged["where_prec"] == 1) & (ged["date_prec"] == 1) & (ged["best"] > 0)]
    rng = random.Random(5)
    sample = pick.iloc[::25].head(30).to_dict("records")
    rows = [_acled_row(g, i, rng) for i, g in enumerate(sample)]
    week = sample[0]
    rows.append(  # known only to the week, coded three days off
        _acled_row(
            week,
            99,
            rng,
            time_precision="2",
            event_date=(week["date_start"].date() + dt.timedelta(days=3)).isoformat(),
        )
    )
    _api.ingest_acled(_write(folder / "caf.csv", rows), db=path)
    g = sample[1]
    news = {
        "source": "text:doc-acled",
        "source_event_id": "doc-acled-1",
        "date_start": g["date_start"].date(),
        "date_end": g["date_start"].date(),
        "latitude": g["latitude"] - 0.02,
        "longitude": g["longitude"],
        "where_prec": 1,
        "side_a": g["side_a"],
        "side_b": g["side_b"],
        "type_of_violence": g["type_of_violence"],
        "country": CAF,
        "country_id": g["country_id"],
        "best": 99,
    }
    batch = Batch(file="t", source=news["source"], table=rows_to_table([news]), rows_read=1)
    with Store.open(path) as st:
        ingest_batches(st, [batch], kind="review")
    before = aw.stats(path, by=["source"])
    done = inc.link_incidents(path)
    return {"path": path, "sample": sample, "before": before, "done": done}


def test_acled_records_link_to_their_ged_events(store: dict[str, Any]) -> None:
    with Store.open(store["path"], read_only=True) as st:
        members = st.incident_members()
    acled = members[members["ev_source"] == "acled"]
    assert len(acled) >= 28  # the rules may find a closer GED event for one or two
    assert not acled["counted"].any()
    assert set(acled["matched_source"]) == {"ucdp-ged"}
    week = acled[acled["ev_id"] == "CAF10099"]
    assert len(week) == 1  # ±3 days for a week's precision
    g = store["sample"][0]
    why = inc.incident_why("acled|CAF10099", f"ucdp-ged|{g['source_event_id']}", db=store["path"])
    assert why["rules_now"]["date"]["days"] == 0  # the week spans the GED day


def test_one_incident_three_sources_counted_once(store: dict[str, Any]) -> None:
    g = store["sample"][1]
    shown = inc.incident_show("text:doc-acled|doc-acled-1", db=store["path"])
    side = shown["members"]
    assert list(side["ev_source"]) == ["ucdp-ged", "acled", "text:doc-acled"]
    assert list(side["counted"]) == [True, False, False]
    assert side.iloc[0]["ev_id"] == g["source_event_id"]
    assert list(side["best"]) == [g["best"], g["best"] + 2, 99]  # each source's figure shown


def test_stats_count_each_incident_once(store: dict[str, Any]) -> None:
    before, after = store["before"].set_index("source"), aw.stats(store["path"], by=["source"])
    after = after.set_index("source")
    assert after.loc["ucdp-ged", "deaths_best"] == before.loc["ucdp-ged", "deaths_best"]
    with Store.open(store["path"], read_only=True) as st:
        members = st.incident_members()
    linked = int((members["ev_source"] == "acled").sum())
    left = int(after["events"].get("acled", 0))  # every ACLED event here may be linked
    assert left == before.loc["acled", "events"] - linked
    assert "text" not in after.index
    rows = aw.events(store["path"], source="acled")
    assert not set(rows["source_event_id"]) & set(members["ev_id"])


def test_forecast_store_series_counts_each_incident_once(store: dict[str, Any]) -> None:
    from accordwatch.forecast import series_from_events

    events = aw.events(store["path"], type_of_violence=1)
    with Store.open(store["path"], read_only=True) as st:
        members = st.incident_members()
    hidden = members[~members["counted"]]
    keys = set(zip(events["source"], events["source_event_id"], strict=True))
    assert not keys & set(zip(hidden["ev_source"], hidden["ev_id"], strict=True))
    panel = series_from_events(events, "country")
    ged = aw.events(store["path"], type_of_violence=1, source="ucdp-ged")
    acled_left = events[events["source"] == "acled"]["best"].sum()
    assert panel["y"].sum() == pytest.approx(ged["best"].sum() + acled_left)


def test_second_run_changes_nothing(store: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "again.duckdb"
    shutil.copy(store["path"], copy)
    with Store.open(copy, read_only=True) as st:
        before = st.incident_members()
    again = inc.link_incidents(copy)
    assert (again["linked"], again["unlinked"]) == (0, 0)
    with Store.open(copy, read_only=True) as st:
        pd.testing.assert_frame_equal(st.incident_members(), before)


def test_an_event_acled_deleted_leaves_its_incident(store: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "deleted.duckdb"
    shutil.copy(store["path"], copy)
    g = store["sample"][2]
    with Store.open(copy) as st:
        assert st.incident_of(("acled", "CAF10002")) is not None
        st.delete_events("acled", [("CAF10002", None)])
    done = inc.link_incidents(copy)
    assert done["unlinked"] == 0  # not judged by the rules: it left the store
    with Store.open(copy, read_only=True) as st:
        assert st.incident_of(("acled", "CAF10002")) is None
        assert st.incident_of(("ucdp-ged", str(g["source_event_id"]))) is None  # dissolved
        log = st.incident_log(key=("acled", "CAF10002"))
    assert "left the store" in log.iloc[-1]["reason"]


def test_a_scoped_run_keeps_links_across_its_edge(store: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "scoped.duckdb"
    shutil.copy(store["path"], copy)
    with Store.open(copy, read_only=True) as st:
        before = st.incident_members()
    day = store["sample"][5]["date_start"].date() + dt.timedelta(days=1)
    again = inc.link_incidents(copy, since=day.isoformat())
    assert again["unlinked"] == 0
    with Store.open(copy, read_only=True) as st:
        pd.testing.assert_frame_equal(st.incident_members(), before)
