"""Reading ACLED files: both export layouts, CSV and the API's JSON give the same events;
bad values are named by file, line and field.  The files are written by the tests
(tests/acled_files.py): ACLED data is never bundled."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pytest

from accordwatch.errors import InputError
from accordwatch.sources._acled_csv import (
    CURRENT_COLUMNS,
    inter_label,
    parse_event_date,
    violence_of,
)
from accordwatch.sources.acled import read_acled
from acled_files import acled_rows, write_csv, write_json

TODAY = dt.date(2026, 12, 1)
#: columns the pre-2023 layout does not have
_NOT_IN_OLD = {"disorder_type", "civilian_targeting", "tags"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return acled_rows(120, water=True)


def _read(path: Path) -> pa.Table:
    (batch,) = read_acled(path, today=TODAY)
    assert batch.errors == [], batch.errors[:3]
    return batch.table.sort_by("source_event_id")


def test_the_current_layout_has_31_columns() -> None:
    assert len(CURRENT_COLUMNS) == 31


def test_csv_gzip_json_and_the_old_layout_give_the_same_events(
    rows: list[dict[str, object]], tmp_path: Path
) -> None:
    current = _read(write_csv(tmp_path / "mali.csv", rows))
    assert current.num_rows == 120
    assert _read(write_csv(tmp_path / "mali.csv.gz", rows)).equals(current)
    assert _read(write_json(tmp_path / "page.json", rows)).equals(current)
    assert _read(write_json(tmp_path / "pages.json", rows, pages=3)).equals(current)
    events = tmp_path / "list.json"
    events.write_text(json.dumps([{k: str(v) for k, v in r.items()} for r in rows]))
    assert _read(events).equals(current)
    old = _read(write_csv(tmp_path / "old.csv", rows, layout="old"))
    same = [c for c in current.column_names if c not in _NOT_IN_OLD]
    assert old.select(same).equals(current.select(same))


def test_an_event_is_mapped_to_the_store_columns(tmp_path: Path) -> None:
    (row,) = acled_rows(1)
    row.update(
        event_id_cnty="MLI29811",
        event_date="2024-07-27",
        year="2024",
        time_precision="2",
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Military Forces of Mali (2021-)",
        assoc_actor_1="Wagner Group",
        inter1=1,
        actor2="CSP-PSD: Permanent Strategic Framework for Peace, Security and Development",
        assoc_actor_2="",
        inter2=2,
        civilian_targeting="",
        admin1="Kidal",
        admin2="Abeibara",
        admin3="Tinzaouatene",
        location="Tinzaouatene",
        latitude="19.8900",
        longitude="2.8500",
        geo_precision="3",
        fatalities="47",
        timestamp="1722470400",
        notes="",
    )
    (ev,) = _read(write_csv(tmp_path / "one.csv", [row])).to_pylist()
    assert ev["source"] == "acled" and ev["source_event_id"] == "MLI29811"
    assert ev["date_start"] == ev["date_end"] == dt.date(2024, 7, 27)
    assert ev["date_prec"] == 2 and ev["where_prec"] == 4
    assert (ev["best"], ev["low"], ev["high"]) == (47, None, None)
    assert ev["type_of_violence"] == 1 and ev["event_type"] == "clash"
    assert ev["source_event_type"] == "Battles" and ev["sub_event_type"] == "Armed clash"
    assert ev["side_a"] == "Military Forces of Mali (2021-)" and ev["actors"] == "Wagner Group"
    assert (ev["inter1"], ev["inter2"]) == ("State forces", "Rebel group")
    assert (ev["adm_1"], ev["adm_2"], ev["adm_3"], ev["admin1"]) == (
        "Kidal",
        "Abeibara",
        "Tinzaouatene",
        "Kidal",
    )
    assert ev["where_coordinates"] == "Tinzaouatene"
    assert ev["priogrid_gid"] is not None
    assert ev["notes"] is None  # notes are kept when given, never required
    assert ev["source_timestamp"] == dt.datetime(2024, 8, 1)
    assert ev["country"] == "Mali" and ev["country_id"] is None


def test_a_maritime_event_keeps_its_body_of_water(rows: list[dict[str, object]], tmp_path: Path):
    table = _read(write_csv(tmp_path / "sea.csv", rows))
    (sea,) = [r for r in table.to_pylist() if r["country"] == "Gulf of Guinea"]
    assert sea["admin1"] is None and sea["adm_1"] is None
    assert sea["where_prec"] == 7
    assert sea["type_of_violence"] == 3


def test_actor_kinds_dates_and_violence_rules() -> None:
    assert inter_label("8") == (True, "External/Other forces")
    assert inter_label("State Forces") == (True, "State forces")
    assert inter_label("0") == (True, None)
    assert inter_label("Martians")[0] is False
    assert parse_event_date("05 March 2019") == (True, dt.date(2019, 3, 5))
    assert parse_event_date("2019-03-05") == (True, dt.date(2019, 3, 5))
    assert parse_event_date("03/05/2019")[0] is False
    assert violence_of("Violence against civilians", "Rebel group", "Civilians", None) == 3
    assert violence_of("Battles", "Identity militia", "Identity militia", None) == 2
    assert violence_of("Battles", "External/Other forces", "Rebel group", None) == 1
    assert violence_of("Explosions/Remote violence", "State forces", "Civilians", None) == 3
    assert violence_of("Protests", "Protesters", None, None) is None


def _edit(path: Path, edits: dict[int, dict[str, str]]) -> Path:
    """Rewrite data rows (0-based) of a CSV file with new values."""
    with path.open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
        fields = list(records[0])
    for i, change in edits.items():
        records[i].update(change)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(records)
    return path


def test_every_bad_value_is_named_with_line_and_field(
    rows: list[dict[str, object]], tmp_path: Path
) -> None:
    path = _edit(
        write_csv(tmp_path / "bad.csv", rows),
        {
            0: {"fatalities": "-3"},
            4: {"latitude": "north"},
            9: {"event_date": "2024-02-30"},
            10: {"inter1": "Martians"},
            11: {"geo_precision": "5"},
            12: {"event_date": "2027-01-05", "year": "2027"},
            13: {"fatalities": "2.5"},
            14: {"event_id_cnty": ""},
            15: {"time_precision": "4"},
            16: {"timestamp": "-1"},
        },
    )
    (batch,) = read_acled(path, today=TODAY)
    found = {(e.line, e.field) for e in batch.errors}
    assert found >= {
        (2, "fatalities"),
        (6, "latitude"),
        (11, "event_date"),
        (12, "inter1"),
        (13, "geo_precision"),
        (14, "event_date"),
        (15, "fatalities"),
        (16, "event_id_cnty"),
        (17, "time_precision"),
        (18, "timestamp"),
    }
    assert all(e.file == str(path) for e in batch.errors)
    assert batch.table.num_rows == 110
    assert len(batch.rejected) == 10 and batch.rejected[0]["line"] == 2


def test_a_json_event_is_named_by_its_number(rows: list[dict[str, object]], tmp_path: Path):
    bad = [dict(r) for r in rows[:5]]
    bad[3]["latitude"] = "95"
    (batch,) = read_acled(write_json(tmp_path / "a.json", bad), today=TODAY)
    assert [(e.line, e.field, e.reason) for e in batch.errors] == [
        (4, "latitude", "outside -90..90")
    ]


def test_a_year_that_event_date_contradicts_is_kept_and_flagged(
    rows: list[dict[str, object]], tmp_path: Path
) -> None:
    path = _edit(write_csv(tmp_path / "y.csv", rows[:3]), {1: {"year": "2019"}})
    (batch,) = read_acled(path, today=TODAY)
    assert batch.errors == []
    (f,) = batch.flags
    assert (f.line, f.field, f.value, f.column) == (3, "year", "2019", "year_computed")


def test_repeats_exact_dropped_conflicting_refused(
    rows: list[dict[str, object]], tmp_path: Path
) -> None:
    twice = [rows[0], rows[1], rows[0]]
    (batch,) = read_acled(write_csv(tmp_path / "twice.csv", twice), today=TODAY)
    assert batch.errors == [] and batch.duplicates_dropped == 1 and batch.table.num_rows == 2
    other = dict(rows[0], fatalities="9")
    (batch,) = read_acled(write_csv(tmp_path / "clash.csv", [rows[0], other]), today=TODAY)
    assert {e.field for e in batch.errors} == {"event_id_cnty"}


def test_files_that_are_not_acled_are_refused(tmp_path: Path) -> None:
    ged = tmp_path / "ged.csv"
    ged.write_text("id,year,side_a\n1,2020,Government of Mali\n")
    with pytest.raises(InputError, match="missing required ACLED columns event_id_cnty"):
        read_acled(ged)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_acled(empty)
    page = tmp_path / "ucdp.json"
    page.write_text(json.dumps({"Result": []}))
    with pytest.raises(InputError, match="no 'data'"):
        read_acled(page)
    gz = tmp_path / "broken.csv.gz"
    gz.write_bytes(gzip.compress(b"event_id_cnty,event_date\n")[:10])
    with pytest.raises(InputError):
        read_acled(gz)
