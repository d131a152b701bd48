"""The store: seeding, idempotent reloads, updates with history, all-or-nothing writes."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import accordwatch as aw
from accordwatch.errors import RowErrors, StoreError
from accordwatch.store import Store, resolve_db_path
from csvrows import read_rows, write_rows


def _rows(frame: pd.DataFrame) -> dict[str, list[object]]:
    """Columns as lists, missing values as None (NaN is not equal to itself)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("list")


def _snapshot(db: Path) -> dict[str, object]:
    with Store.open(db) as s:
        return {
            "events": _rows(s.query("SELECT * FROM events ORDER BY source, source_event_id")),
            "history": s.count("events_history"),
            "runs": s.count("ingest_runs"),
        }


def test_new_store_is_seeded_with_the_bundled_default(seeded_db: Path) -> None:
    with Store.open(seeded_db) as s:
        assert s.count("events") == 1848 + 9  # the real CAF GED events, Mali's text events
        assert s.get_meta("seeded_at")
        mali = s.query(
            "SELECT count(*) AS n, min(year) AS y0, max(year) AS y1 "
            "FROM country_month WHERE isoab = 'MLI'"
        )
        assert mali.loc[0, "n"] == 33 * 12 and (mali.loc[0, "y0"], mali.loc[0, "y1"]) == (
            1990,
            2022,
        )
        assert (
            s.query("SELECT count(*) AS n FROM ucdp_dyads WHERE location = 'Mali'").loc[0, "n"] > 10
        )
        assert (
            s.query("SELECT count(*) AS n FROM actors WHERE list_contains(ucdp_ids, 8822)").loc[
                0, "n"
            ]
            >= 1
        )
        assert s.query("SELECT count(*) AS n FROM places WHERE name = 'Kidal'").loc[0, "n"] >= 1


def test_reopening_does_not_reseed_or_remigrate(seeded_db: Path) -> None:
    before = _snapshot(seeded_db)
    with Store.open(seeded_db) as s:
        assert s.schema_version() >= 1
    assert _snapshot(seeded_db) == before


def test_unseeded_store_is_empty(empty_db: Path) -> None:
    with Store.open(empty_db) as s:
        assert s.count("events") == 0 and s.count("actors") == 0


def test_reloading_the_same_file_changes_nothing(empty_db: Path, ged_full: Path) -> None:
    first = aw.ingest_ucdp(ged_full, db=empty_db)
    assert (first.inserted, first.updated, first.unchanged) == (1848, 0, 0)
    events_before = _snapshot(empty_db)["events"]
    again = aw.ingest_ucdp(ged_full, db=empty_db)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1848)
    after = _snapshot(empty_db)
    assert after["events"] == events_before  # provenance (updated_at, run_id) untouched too
    assert after["history"] == 0
    with Store.open(empty_db) as s:
        assert s.one("SELECT count(*) - count(DISTINCT (source, source_event_id)) FROM events") == (
            0,
        )


def test_changed_row_is_an_update_and_the_old_version_is_kept(
    empty_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    aw.ingest_ucdp(ged_slice, db=empty_db)
    header, rows = read_rows(ged_slice)
    event_id = rows[5][0]
    old_best = int(rows[5][header.index("best")])
    rows[5][header.index("best")] = str(old_best + 7)
    rows[5][header.index("high")] = str(old_best + 9)
    revised = write_rows(tmp_path / "revised.csv", header, rows)
    report = aw.ingest_ucdp(revised, db=empty_db)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, len(rows) - 1)
    with Store.open(empty_db) as s:
        hist = s.event_history("ucdp-ged", event_id)
        assert hist["version"].tolist() == [1, 2]
        assert hist["best"].tolist() == [old_best, old_best + 7]
        assert hist["replaced_by_run"].iloc[0] == report.run_id
        cur = s.query(
            "SELECT first_loaded_at, updated_at FROM events WHERE source_event_id = ?", [event_id]
        )
        assert cur.loc[0, "updated_at"] >= cur.loc[0, "first_loaded_at"]
        assert s.count("events") == len(rows)
    # loading the revision again is a no-op
    again = aw.ingest_ucdp(revised, db=empty_db)
    assert (again.updated, again.unchanged) == (0, len(rows))


def test_bad_file_is_refused_and_store_unchanged(
    seeded_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(ged_slice)
    for r in rows:
        r[0] = "9" + r[0]  # new ids, so a partial load would show
    rows[10][header.index("latitude")] = "-91"
    bad = write_rows(tmp_path / "bad.csv", header, rows)
    before = _snapshot(seeded_db)
    with pytest.raises(RowErrors) as info:
        aw.ingest_ucdp(bad, db=seeded_db)
    msg = str(info.value)
    assert "bad.csv, line 12, field 'latitude'" in msg and "--on-error quarantine" in msg
    assert _snapshot(seeded_db) == before
    assert not (tmp_path / "bad.csv.rejected.csv").exists()


def test_quarantine_loads_good_rows_and_writes_bad_ones(
    empty_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(ged_slice)
    rows[3][header.index("best")] = "lots"
    rows[7][header.index("date_start")] = "2019-02-29 00:00:00.000"
    bad = write_rows(tmp_path / "bad.csv", header, rows)
    report = aw.ingest_ucdp(bad, db=empty_db, on_error="quarantine")
    assert report.inserted == len(rows) - 2 and report.rejected == 2
    side = list(csv.DictReader(open(report.quarantine_file, encoding="utf-8")))
    assert [r["line"] for r in side] == ["5", "9"]
    assert "best: not a whole number" in side[0]["errors"]
    assert "impossible date" in side[1]["errors"]
    assert side[0]["id"] == rows[3][0]


def test_store_newer_than_the_code_is_refused(empty_db: Path) -> None:
    with Store.open(empty_db) as s:
        s._con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now()::TIMESTAMP)")
    with pytest.raises(StoreError, match="newer than this accordwatch knows"):
        Store.open(empty_db)


def test_not_a_store(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        Store.open(junk)
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path)


def test_location_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORDWATCH_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path(tmp_path / "arg.duckdb") == str(tmp_path / "arg.duckdb")
    assert resolve_db_path(None) == str(tmp_path / "env.duckdb")
    monkeypatch.delenv("ACCORDWATCH_DB")
    assert resolve_db_path(None).endswith("accordwatch.duckdb")


@pytest.mark.parametrize("path", ["append", "compare"])
def test_failure_inside_the_transaction_rolls_everything_back(
    path: str, seeded_db: Path, ged_slice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both write paths: the one-pass append of new events, and the compare-and-update
    path of a file whose events are partly stored already."""
    import accordwatch.sources._ged_csv as ged_csv
    from accordwatch.store import ingest as ingest_mod

    target = ged_slice
    if path == "compare":  # the store holds these CAF events (seed): one changed row
        header, rows = read_rows(ged_slice)
        rows[0][header.index("best")] = str(int(rows[0][header.index("best")]) + 1)
        target = write_rows(tmp_path / "revised.csv", header, rows)
    before = _snapshot(seeded_db)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    if path == "append":
        monkeypatch.setattr(ged_csv, "place_admin1", boom)  # called after the rows are written
        source = "ucdp-candidate"
    else:
        monkeypatch.setattr(
            ingest_mod, "_distinct_expr", boom
        )  # called once the run row is written
        source = "ucdp-ged"
    with pytest.raises(RuntimeError, match="disk on fire"):
        aw.ingest_ucdp(target, db=seeded_db, source=source)
    monkeypatch.undo()
    assert _snapshot(seeded_db) == before


KILLED_CHILD = textwrap.dedent(
    """
    import sys, time
    import accordwatch as aw
    import accordwatch.sources._ged_csv as sources
    from accordwatch.store import Store

    def pause():
        print("MID-WRITE", flush=True)
        time.sleep(60)

    db, path, mode = sys.argv[1:4]
    if mode == "append":
        real = sources.place_admin1
        def slow_geo(places):   # every row is in the events table, transaction still open
            pause()
            return real(places)
        sources.place_admin1 = slow_geo
        source = "ucdp-candidate"
    else:
        real_count = Store.count
        def slow_count(self, table):  # after the history rows and the changed rows are written
            n = real_count(self, table)
            if table == "events" and self.count("events_history") > 0:
                pause()
            return n
        Store.count = slow_count
        source = "ucdp-ged"
    aw.ingest_ucdp(path, db=db, source=source)
    print("FINISHED", flush=True)
    """
)


@pytest.mark.parametrize("mode", ["append", "compare"])
def test_killing_the_process_mid_ingest_leaves_the_store_as_it_was(
    mode: str, seeded_db: Path, ged_full: Path, tmp_path: Path
) -> None:
    target = ged_full
    if mode == "compare":  # a revision of the seeded CAF events: every row changed
        header, rows = read_rows(ged_full)
        for r in rows:
            r[header.index("high")] = str(int(r[header.index("high")]) + 1)
        target = write_rows(tmp_path / "revised.csv", header, rows)
    before = _snapshot(seeded_db)
    script = tmp_path / "child.py"
    script.write_text(KILLED_CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), str(seeded_db), str(target), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 60
        line = ""
        while time.time() < deadline:
            line = child.stdout.readline()
            if line.strip() in ("MID-WRITE", "FINISHED") or not line:
                break
        assert line.strip() == "MID-WRITE", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)  # no cleanup, no atexit: a real crash
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    after = _snapshot(seeded_db)
    assert after == before
    with Store.open(seeded_db) as s:
        assert (
            s.query("SELECT count(*) AS n FROM events WHERE source = 'ucdp-candidate'").loc[0, "n"]
            == 0
        )


def test_staged_csv_path_stores_what_the_arrow_path_stores(tmp_path: Path, ged_slice: Path) -> None:
    """A clean CSV is streamed by DuckDB into the store (fast path); the same events from GeoJSON go
    through Arrow.  Both must store identical content, and leave no staging tables behind."""
    from accordwatch.sources import UcdpFormat
    from accordwatch.store import CONTENT_COLUMNS

    geojson = ged_slice.with_suffix(".geojson")
    cols = ", ".join(("source", "source_event_id", *CONTENT_COLUMNS))
    frames = []
    for name, path in (("csv", ged_slice), ("geojson", geojson)):
        with Store.open(tmp_path / f"{name}.duckdb") as s:
            s.skip_seed()
            layout = UcdpFormat().csv_layout(path)
            assert (layout is not None) == (name == "csv")  # DuckDB reads only the CSV
            aw.ingest_ucdp(path, db=s)
            frames.append(s.query(f"SELECT {cols} FROM events ORDER BY source_event_id"))
            temp = s.query("SELECT table_name FROM duckdb_tables() WHERE temporary")
            assert temp.empty, temp
    assert frames[0].equals(frames[1])


def test_a_stored_event_past_the_probe_sends_the_load_down_the_general_path(
    empty_db: Path, ged_slice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-pass append writes, finds an event that is stored already, rolls back, and the
    general path then loads the file correctly (new rows inserted, the stored one unchanged)."""
    from accordwatch.store import ingest as ingest_mod

    header, rows = read_rows(ged_slice)
    aw.ingest_ucdp(write_rows(tmp_path / "one.csv", header, rows[5:6]), db=empty_db)
    monkeypatch.setattr(ingest_mod, "PROBE_ROWS", 1)  # the probe sees only the first row
    report = aw.ingest_ucdp(ged_slice, db=empty_db)
    assert (report.inserted, report.updated, report.unchanged) == (len(rows) - 1, 0, 1)
    with Store.open(empty_db) as s:
        assert s.count("events") == len(rows)
        assert s.one("SELECT count(*) - count(DISTINCT source_event_id) FROM events") == (0,)
        assert s.count("ingest_runs") == 2  # the rolled-back attempt left no run behind


@pytest.mark.parametrize("with_priogrid", [True, False])
def test_one_pass_load_places_events_like_the_general_path(
    tmp_path: Path, ged_slice: Path, monkeypatch: pytest.MonkeyPatch, with_priogrid: bool
) -> None:
    """The one-pass append writes a guessed admin-1 (UCDP's adm_1 without "region") and a
    PRIO-GRID cell in SQL, then corrects the places the polygons decide otherwise.  It must
    store exactly what the general (Arrow) path stores — also for Malian points whose UCDP
    name is not the Natural Earth one, and for a file without priogrid_gid."""
    from accordwatch.store import CONTENT_COLUMNS
    from accordwatch.store import ingest as ingest_mod

    header, rows = read_rows(ged_slice)
    col = {h: i for i, h in enumerate(header)}
    moved = [  # (latitude, longitude, UCDP adm_1) → the admin-1 the polygons give
        ("16.7735", "-3.0074", "Tombouctou region", "Timbuktu"),
        ("15.9167", "2.4000", "Ménaka region", "Gao"),
        ("18.4411", "1.4078", "Kidal region", "Kidal"),
        ("14.4843", "-4.1827", "Kidal region", "Mopti"),  # Mopti town, a wrong name in the source
    ]
    for row, (lat, lon, adm, _) in zip(rows, moved, strict=False):
        row[col["latitude"]], row[col["longitude"]], row[col["adm_1"]] = lat, lon, adm
        row[col["country"]], row[col["country_id"]] = "Mali", "432"
        row[col["priogrid_gid"]] = ""  # the cell of the old place would be wrong now
    if not with_priogrid:
        keep = [i for i, h in enumerate(header) if h != "priogrid_gid"]
        header = [header[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
    path = write_rows(tmp_path / "mixed.csv", header, rows)
    cols = ", ".join(("source", "source_event_id", *CONTENT_COLUMNS))
    frames = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(ingest_mod, "append_csv", lambda *a, **k: "bad")  # the reader
        with Store.open(tmp_path / f"{fast}.duckdb") as s:
            s.skip_seed()
            aw.ingest_ucdp(path, db=s)
            kind = s.one("SELECT kind FROM ingest_runs")
            frames.append(s.query(f"SELECT {cols} FROM events ORDER BY source_event_id"))
    assert frames[0].equals(frames[1])
    by_id = frames[0].set_index("source_event_id")
    for row, (*_, admin1) in zip(rows, moved, strict=False):
        assert by_id.loc[row[0], "admin1"] == admin1
    assert by_id["priogrid_gid"].notna().all()
    assert kind == ("ingest-ucdp",)


def test_a_large_append_behind_the_bundled_sample_keeps_every_stored_event(
    seeded_db: Path, ged_full: Path, tmp_path: Path
) -> None:
    """The one-pass append moves the few stored events behind the new rows (a storage
    layout matter); every stored event must come out exactly as it was, provenance too."""
    header, rows = read_rows(ged_full)
    doubled = [[str(10**9 + i), *r[1:]] for i, r in enumerate(rows + rows)]
    big = write_rows(tmp_path / "new_ids.csv", header, doubled)
    before = _snapshot(seeded_db)["events"]
    report = aw.ingest_ucdp(big, db=seeded_db, source="ucdp-candidate")
    assert (report.inserted, report.updated) == (len(doubled), 0)
    with Store.open(seeded_db, read_only=True) as s:
        kept = _rows(
            s.query(
                "SELECT * FROM events WHERE source <> 'ucdp-candidate' "
                "ORDER BY source, source_event_id"
            )
        )
        assert s.count("events") == len(before["source"]) + len(doubled)
        assert s.query("SELECT table_name FROM duckdb_tables() WHERE temporary").empty
    assert kept == before
