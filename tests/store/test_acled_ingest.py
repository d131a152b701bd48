"""Loading ACLED files into the store: the one-pass route and the reader agree, re-loading
changes nothing, edits are updated with history (never by an older version), deleted events
stay deleted, bad rows are refused or quarantined — in one transaction."""

from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import accordwatch as aw
from accordwatch import _api
from accordwatch.errors import RowErrors
from accordwatch.store import CONTENT_COLUMNS, Store
from acled_files import acled_rows, write_csv, write_json

_COLS = ", ".join(("source", "source_event_id", *CONTENT_COLUMNS))


def _content(db: Path) -> pa.Table:
    with Store.open(db, read_only=True) as s:
        return s._con.sql(f"SELECT {_COLS} FROM events ORDER BY source_event_id").to_arrow_table()


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return acled_rows(300, water=True)


def test_one_pass_csv_and_the_reader_store_the_same_events(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    report = _api.ingest_acled(write_csv(tmp_path / "mali.csv", rows), db=empty_db)
    assert (report.inserted, report.updated, report.rejected) == (300, 0, 0)
    other = tmp_path / "other.duckdb"
    with Store.open(other) as s:
        s.skip_seed()
    _api.ingest_acled(write_json(tmp_path / "mali.json", rows), db=other)
    assert _content(empty_db).equals(_content(other))


def test_blank_text_and_other_spellings_agree_between_the_routes(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    odd = copy.deepcopy(rows[:20])
    odd[0].update(admin3="   ", notes=" Armed men attacked the village at dawn.")
    odd[1].update(event_type="battles", sub_event_type="ARMED CLASH", inter1="state forces")
    odd[2].update(event_date="3 June 2024", year="2024", inter2="7")
    odd[3].update(tags=" ", source_scale="\tNational")
    _api.ingest_acled(write_csv(tmp_path / "odd.csv", odd), db=empty_db)
    other = tmp_path / "other.duckdb"
    with Store.open(other) as s:
        s.skip_seed()
    _api.ingest_acled(write_json(tmp_path / "odd.json", odd), db=other)
    assert _content(empty_db).equals(_content(other))
    by_id = {r["source_event_id"]: r for r in aw.event_records(empty_db, limit=None)}
    first, second = by_id[odd[0]["event_id_cnty"]], by_id[odd[1]["event_id_cnty"]]
    assert first["adm_3"] is None and first["notes"].startswith(" Armed")
    assert (second["type_of_violence"], second["event_type"]) == (1, "clash")


def test_clean_files_of_both_layouts_take_the_one_pass_route(
    rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Odd spellings, blank text, word dates and a body of water load in one pass (the
    reader, slower, is only for files with a bad row), each place's admin-1 decided as the
    rows are read; a reload of the same file compares without the reader too."""
    odd = copy.deepcopy(rows)
    odd[0].update(admin3="   ", sub_event_type="ARMED CLASH", inter1="state forces")
    odd[1].update(event_date="3 June 2024", year="2024", inter2="7", admin1="Tombouctou")
    for name, data, layout in (("new.csv", odd, "current"), ("old.csv", rows, "old")):
        db = tmp_path / f"{name}.duckdb"
        with Store.open(db) as s:
            s.skip_seed()
        said: list[str] = []
        path = write_csv(tmp_path / name, data, layout=layout)
        report = _api.ingest_acled(path, db=db, progress=said.append)
        assert report.inserted == 300 and "checking rows" in said
        assert not [m for m in said if m.startswith("reading")], said
        again: list[str] = []
        assert _api.ingest_acled(path, db=db, progress=again.append).unchanged == 300
        assert "staging rows" in again and not [m for m in again if m.startswith("reading")]
        with Store.open(db, read_only=True) as s:
            placed = s._con.execute(
                "SELECT DISTINCT latitude, longitude, adm_1, admin1 FROM events"
            ).fetchall()
        from accordwatch.sources._ged_csv import place_admin1

        assert [p[3] for p in placed] == place_admin1([p[:3] for p in placed])


def test_reloading_changes_nothing(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "mali.csv", rows)
    _api.ingest_acled(path, db=empty_db)
    before = _content(empty_db)
    report = _api.ingest_acled(path, db=empty_db)
    assert (report.inserted, report.updated, report.unchanged, report.stale) == (0, 0, 300, 0)
    # the same versions in the older layout (without disorder_type, tags, …): kept as stored
    old = _api.ingest_acled(write_csv(tmp_path / "old.csv", rows, layout="old"), db=empty_db)
    assert (old.inserted, old.updated, old.stale) == (0, 0, 300)
    assert _api.ingest_acled(write_json(tmp_path / "m.json", rows), db=empty_db).updated == 0
    assert _content(empty_db).equals(before)


def test_edits_update_with_history_and_older_versions_never_win(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    _api.ingest_acled(write_csv(tmp_path / "v1.csv", rows), db=empty_db)
    edited = copy.deepcopy(rows)
    for r in edited[:5]:  # ACLED revised these: newer timestamp
        r["fatalities"] = str(int(r["fatalities"]) + 10)
        r["timestamp"] = str(int(r["timestamp"]) + 3600)
    for r in edited[5:8]:  # an older export of these
        r["fatalities"] = "99"
        r["timestamp"] = str(int(r["timestamp"]) - 3600)
    report = _api.ingest_acled(write_csv(tmp_path / "v2.csv", edited), db=empty_db)
    assert (report.updated, report.stale, report.inserted) == (5, 3, 0)
    assert report.unchanged == 295
    hist = _api.event_history(rows[0]["event_id_cnty"], source="acled", db=empty_db)
    assert list(hist["best"]) == [int(rows[0]["fatalities"]), int(rows[0]["fatalities"]) + 10]
    kept = aw.event_records(empty_db, source="acled", limit=None)
    by_id = {r["source_event_id"]: r for r in kept}
    assert by_id[rows[6]["event_id_cnty"]]["best"] == int(rows[6]["fatalities"])


def test_deleted_events_leave_queries_and_stay_deleted(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "mali.csv", rows)
    _api.ingest_acled(path, db=empty_db)
    gone = rows[0]["event_id_cnty"]
    with Store.open(empty_db) as s:
        report = s.delete_events("acled", [(gone, dt.datetime(2026, 1, 1))], kind="delete-acled")
    assert (report.deleted, report.absent) == (1, 0)
    ids = {r["source_event_id"] for r in aw.event_records(empty_db, source="acled")}
    assert gone not in ids and len(ids) == 299
    counted = aw.stats(empty_db, by=["source"], source="acled")
    assert int(counted["events"].sum()) == 299
    assert len(_api.event_history(gone, source="acled", db=empty_db)) == 1  # history stays
    again = _api.ingest_acled(path, db=empty_db)  # an older file does not bring it back
    assert (again.inserted, again.deleted) == (0, 1)
    newer = [dict(rows[0], timestamp=str(int(dt.datetime(2026, 2, 1).timestamp())))]
    back = _api.ingest_acled(write_csv(tmp_path / "newer.csv", newer), db=empty_db)
    assert (back.inserted, back.restored) == (1, 1)


def test_deleted_events_stay_deleted_on_a_first_load(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    with Store.open(empty_db) as s:  # deletions recorded before the events were ever loaded
        s.delete_events("acled", [(rows[3]["event_id_cnty"], None)], kind="delete-acled")
    report = _api.ingest_acled(write_csv(tmp_path / "mali.csv", rows), db=empty_db)
    assert (report.inserted, report.deleted) == (299, 1)


def test_a_bad_row_refuses_the_file_or_is_quarantined(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "bad.csv", rows)
    with path.open(newline="") as fh:
        records = list(csv.reader(fh))
    records[8][records[0].index("fatalities")] = "-4"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(records)
    with pytest.raises(RowErrors) as info:
        _api.ingest_acled(path, db=empty_db)
    (e,) = info.value.errors
    assert (e.file, e.line, e.field) == (str(path), 9, "fatalities")
    assert aw.event_records(empty_db, source="acled") == []
    report = _api.ingest_acled(path, db=empty_db, on_error="quarantine")
    assert (report.inserted, report.rejected) == (299, 1)
    assert report.quarantine_file and Path(report.quarantine_file).exists()


def test_country_filters_and_a_body_of_water(
    rows: list[dict[str, Any]], empty_db: Path, tmp_path: Path
) -> None:
    _api.ingest_acled(write_csv(tmp_path / "mali.csv", rows), db=empty_db)
    assert len(aw.event_records(empty_db, country="Mali", limit=None)) == 299
    (sea,) = aw.event_records(empty_db, country="Gulf of Guinea", limit=None)
    assert sea["admin1"] is None
    by_country = aw.stats(empty_db, by=["country"])
    assert set(by_country["country"]) == {"Mali", "Gulf of Guinea"}


def test_ucdp_events_keep_empty_acled_columns(empty_db: Path, ged_slice: Path) -> None:
    _api.ingest_ucdp(ged_slice, db=empty_db)
    rec = aw.event_records(empty_db, limit=1, columns=["source", "notes", "source_timestamp"])
    assert rec[0]["notes"] is None and rec[0]["source_timestamp"] is None


def test_a_store_made_before_migration_9_gets_the_acled_columns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ged_slice: Path, rows: list[dict[str, Any]]
) -> None:
    from accordwatch.store import db as store_db
    from accordwatch.store.schema import DETAIL_COLUMNS, EVENT_COLUMNS, duckdb_type

    old = tmp_path / "old.duckdb"
    migrations = store_db._migrations()
    with monkeypatch.context() as m:  # the schema of version 8: no detail columns yet
        m.setattr(store_db, "_migrations", lambda: [x for x in migrations if x[0] <= 8])
        m.setattr(
            store_db,
            "_event_columns_sql",
            lambda: ",\n    ".join(
                f"{n} {duckdb_type(k)}" for n, k in EVENT_COLUMNS.items() if n not in DETAIL_COLUMNS
            ),
        )
        with Store.open(old) as s:
            s.skip_seed()
            assert s.schema_version() == 8
    _api.ingest_ucdp(ged_slice, db=old)  # migrated on this open
    with Store.open(old, read_only=True) as s:
        cols = [r[0] for r in s._con.execute("DESCRIBE events_history").fetchall()]
    assert set(DETAIL_COLUMNS) <= set(cols)
    path = write_csv(tmp_path / "mali.csv", rows)
    assert _api.ingest_acled(path, db=old).inserted == 300
    edited = [dict(rows[0], fatalities="41", timestamp=str(int(rows[0]["timestamp"]) + 1))]
    assert _api.ingest_acled(write_csv(tmp_path / "e.csv", edited), db=old).updated == 1
    hist = _api.event_history(rows[0]["event_id_cnty"], source="acled", db=old)
    assert list(hist["best"]) == [int(rows[0]["fatalities"]), 41]
    assert _api.ingest_ucdp(ged_slice, db=old).unchanged == 39
