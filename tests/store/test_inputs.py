"""What a load reads and what it accepts (issue #12, classes 1 and 2).

A path is a path: a file whose name has ``*``, ``?`` or ``[…]`` is that one file on every
DuckDB read; folders and patterns are expanded on purpose (:func:`accordwatch.expand_inputs`)
and listed.  Numbers are what they claim, on every route of the ingest engine (one pass,
compare, the Arrow reader): a count is a whole number, a coordinate finite, an integer within
64 bits, no date after the file's release; contradictions are kept, flagged and the derived
value stored beside.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import accordwatch as aw
from accordwatch.errors import InputError, RowErrors
from accordwatch.sources import UcdpFormat
from accordwatch.store import CONTENT_COLUMNS, GED_COLUMNS, Store
from accordwatch.store import ingest as ingest_mod
from csvrows import read_rows, write_rows

ROUTES = ["one-pass", "compare", "reader"]
_CONTENT = ", ".join(("source", "source_event_id", *CONTENT_COLUMNS))


def _events(db: Path | Store) -> pd.DataFrame:
    if isinstance(db, Store):
        return db.query(f"SELECT {_CONTENT} FROM events ORDER BY source, source_event_id")
    with Store.open(db, read_only=True) as s:
        return _events(s)


def _snapshot(db: Path) -> tuple[list[dict[str, object]], int, int]:
    with Store.open(db, read_only=True) as s:
        frame = s.query("SELECT * FROM events ORDER BY source, source_event_id")
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        return rows, s.count("events_history"), s.count("ingest_runs")


def _with_ids(rows: list[list[str]], offset: int) -> list[list[str]]:
    return [[str(int(r[0]) + offset), *r[1:]] for r in rows]


@pytest.fixture(scope="module")
def stored_slice(
    empty_template: Path, ged_slice: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """An empty store into which the events of tests/data/ucdp/ged_caf_slice.csv were
    loaded, made once per module (the compare route's starting point)."""
    path = tmp_path_factory.mktemp("stored-slice") / "slice.duckdb"
    shutil.copy(empty_template, path)
    aw.ingest_ucdp(ged_slice, db=path)
    return path


def _route(route: str, db: Path, stored_slice: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next load of ged_slice's events into the store ``db`` take ``route``."""
    if route == "compare":  # the events are stored: the engine stages and compares
        shutil.copy(stored_slice, db)
    elif route == "reader":  # the one-pass route gives way at once
        monkeypatch.setattr(ingest_mod, "append_csv", lambda *a, **k: "bad")


# -- class 1: a path is a path ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ged[1].csv", "a*.csv", "q?.csv", "**.csv", "ged[!x].csv.gz"])
@pytest.mark.parametrize("route", ROUTES)
def test_a_file_name_with_glob_characters_loads_that_file_only(
    name: str,
    route: str,
    tmp_path: Path,
    empty_db: Path,
    ged_slice: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header, rows = read_rows(ged_slice)
    folder = tmp_path / "in"
    folder.mkdir()
    # look-alikes the name would match as a pattern, with other events
    for i, other in enumerate(["ged1.csv", "aZ.csv", "qq.csv", "gedy.csv.gz", "ged1.csv.gz"]):
        write_rows(folder / other, header, _with_ids(rows[:3], 10**7 * (i + 1)))
    target = folder / name
    write_rows(target, header, rows[10:15])
    if name.endswith(".gz"):
        target.write_bytes(gzip.compress(target.read_bytes()))
    if route == "compare":
        aw.ingest_ucdp(write_rows(tmp_path / "first.csv", header, rows[10:15]), db=empty_db)
    elif route == "reader":
        monkeypatch.setattr(ingest_mod, "append_csv", lambda *a, **k: "bad")
    report = aw.ingest_ucdp(target, db=empty_db)
    assert report.files == [str(target)]
    assert report.rows_read == 5
    assert sorted(_events(empty_db)["source_event_id"]) == sorted(r[0] for r in rows[10:15])


def test_a_folder_with_glob_characters_in_its_name(
    tmp_path: Path, empty_db: Path, ged_slice: Path
) -> None:
    header, rows = read_rows(ged_slice)
    for folder, part in (("run[1]", rows[:4]), ("run1", _with_ids(rows[4:9], 10**7))):
        (tmp_path / folder).mkdir()
        write_rows(tmp_path / folder / "ged.csv", header, part)
    report = aw.ingest_ucdp(tmp_path / "run[1]" / "ged.csv", db=empty_db)
    assert report.inserted == 4
    assert sorted(_events(empty_db)["source_event_id"]) == sorted(r[0] for r in rows[:4])


def test_without_symbolic_links_a_copy_is_read(
    tmp_path: Path, empty_db: Path, ged_slice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from accordwatch.store._paths import literal_path

    def no_links(*args: object) -> None:
        raise OSError("symbolic links are not allowed here")

    header, rows = read_rows(ged_slice)
    write_rows(tmp_path / "ged1.csv", header, _with_ids(rows, 10**7))
    target = write_rows(tmp_path / "ged[1].csv", header, rows[:7])
    monkeypatch.setattr(os, "symlink", no_links)
    with literal_path(target) as name:
        assert Path(name).read_bytes() == target.read_bytes() and "[" not in name
    assert not Path(name).exists()  # removed after the read
    assert aw.ingest_ucdp(target, db=empty_db).inserted == 7


def test_reference_tables_read_exactly_the_named_file(tmp_path: Path, empty_db: Path) -> None:
    bundled = Path(aw.__file__).parent / "data" / "ucdp" / "ucdp-dyadic-251.csv"
    text = bundled.read_text(encoding="utf-8").splitlines()
    named = tmp_path / "dyads[1].csv"
    named.write_text("\n".join(text[:6]) + "\n", encoding="utf-8")
    (tmp_path / "dyads1.csv").write_text("\n".join(text[:50]) + "\n", encoding="utf-8")
    with Store.open(empty_db) as s:
        with s.transaction():
            s.load_reference_csv("ucdp_dyads", str(named))
        assert s.count("ucdp_dyads") == 5


def _tree(tmp_path: Path, ged_slice: Path) -> Path:
    header, rows = read_rows(ged_slice)
    folder = tmp_path / "downloads"
    (folder / "older").mkdir(parents=True)
    for i, name in enumerate(
        ["GEDEvent_v25_0_10.csv", "GEDEvent_v25_0_9.csv", "GEDEvent_v25_0_1[a].csv"]
    ):
        write_rows(folder / name, header, _with_ids(rows[i * 5 : i * 5 + 5], 10**7 * (i + 1)))
    write_rows(folder / "older" / "GEDEvent_v24_0_12.csv", header, rows[20:25])
    (folder / "codebook.pdf").write_bytes(b"%PDF")
    (folder / ".hidden.csv").write_text("x")
    (folder / "GEDEvent_v25_0_9.csv.rejected.csv").write_text("line,errors\n")
    (folder / "store.duckdb.owner.json").write_text("{}")
    return folder


def test_expand_inputs(tmp_path: Path, ged_slice: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _tree(tmp_path, ged_slice)
    names = [p.name for p in aw.expand_inputs([folder])]
    # numbers by value; no sub-folder, hidden file, side file, owner record or other format
    assert names == ["GEDEvent_v25_0_1[a].csv", "GEDEvent_v25_0_9.csv", "GEDEvent_v25_0_10.csv"]
    monkeypatch.chdir(folder)
    assert aw.expand_inputs(["GEDEvent_v25_0_*.csv"]) == [
        Path("GEDEvent_v25_0_1[a].csv"),
        Path("GEDEvent_v25_0_9.csv"),
        Path("GEDEvent_v25_0_10.csv"),
    ]
    assert aw.expand_inputs(["**/*_v24_*.csv"]) == [Path("older/GEDEvent_v24_0_12.csv")]
    # an existing name with glob characters is that file, never a pattern
    assert aw.expand_inputs(["GEDEvent_v25_0_1[a].csv"]) == [Path("GEDEvent_v25_0_1[a].csv")]
    # a file named twice (directly and through its folder) is read once, where first named
    assert aw.expand_inputs(["GEDEvent_v25_0_9.csv", "."]) == [
        Path("GEDEvent_v25_0_9.csv"),
        Path("GEDEvent_v25_0_1[a].csv"),
        Path("GEDEvent_v25_0_10.csv"),
    ]
    (folder / "empty").mkdir()
    with pytest.raises(InputError, match="the folder empty holds no file of a known format"):
        aw.expand_inputs(["empty"])
    with pytest.raises(InputError, match="no file matches the pattern 'nothing\\*.csv'"):
        aw.expand_inputs(["nothing*.csv"])
    with pytest.raises(InputError, match=r"holds no file of a known format.*codebook\.pdf"):
        aw.expand_inputs(["*.pdf"])
    with pytest.raises(InputError, match="missing.csv: no such file or folder"):
        aw.expand_inputs(["missing.csv"])


def test_ingest_a_folder_or_a_pattern_lists_every_file(
    cli, tmp_path: Path, empty_db: Path, ged_slice: Path
) -> None:
    folder = _tree(tmp_path, ged_slice)
    code, out, err = cli("ingest", "ucdp", str(folder), "--db", str(empty_db))
    assert code == 0, err
    assert "3 files to load:" in err
    for name in ("GEDEvent_v25_0_1[a].csv", "GEDEvent_v25_0_9.csv", "GEDEvent_v25_0_10.csv"):
        assert f"{folder / name}: 5 rows read — 5 new" in err
    assert "3 files: 15 new, 0 updated, 0 unchanged, 0 rejected" in err
    code, out, err = cli(
        "ingest", "ucdp", str(folder / "GEDEvent_v25_0_*.csv"), "--db", str(empty_db), "-f", "json"
    )
    assert code == 0, err
    reports = json.loads(out)
    assert [r["files"] for r in reports] == [
        [str(folder / n)]
        for n in ("GEDEvent_v25_0_1[a].csv", "GEDEvent_v25_0_9.csv", "GEDEvent_v25_0_10.csv")
    ]
    assert [r["unchanged"] for r in reports] == [5, 5, 5]
    code, out, err = cli(
        "ingest", "ucdp", str(folder), "--db", str(empty_db), "--quarantine", "bad.csv"
    )
    assert code == 2 and "--quarantine names one side file" in err


def test_a_failure_in_a_folder_says_what_was_loaded(
    cli, tmp_path: Path, empty_db: Path, ged_slice: Path
) -> None:
    folder = _tree(tmp_path, ged_slice)
    header, rows = read_rows(folder / "GEDEvent_v25_0_9.csv")
    rows[2][header.index("best")] = "2.5"
    write_rows(folder / "GEDEvent_v25_0_9.csv", header, rows)
    code, out, err = cli("ingest", "ucdp", str(folder), "--db", str(empty_db))
    assert code == 2
    assert f"{folder / 'GEDEvent_v25_0_9.csv'} was not loaded" in err
    assert f"loaded before it: {folder / 'GEDEvent_v25_0_1[a].csv'} (run 1)" in err
    assert f"not tried: {folder / 'GEDEvent_v25_0_10.csv'}" in err
    assert "field 'best': not a whole number (got '2.5')" in err
    assert "Traceback" not in err


# -- class 2: numbers are what they claim -------------------------------------------------------
_INT_COLUMNS = [c for c, kind in GED_COLUMNS.items() if kind == "int"]
_OVER = "9223372036854775808"  # one beyond the largest 64-bit integer

BAD_VALUES = [
    *((c, "2.5", "not a whole number") for c in _INT_COLUMNS),
    ("best", "1e3", "not a whole number"),
    ("deaths_a", "0x10", "not a whole number"),
    ("low", "1_000", "not a whole number"),
    ("high", ".5", "not a whole number"),
    ("best", _OVER, "too large for a 64-bit integer"),
    ("conflict_new_id", "-9223372036854775809", "too large for a 64-bit integer"),
    ("priogrid_gid", "1" + "0" * 30, "too large for a 64-bit integer"),
    ("latitude", "NaN", "not a finite number"),
    ("latitude", "nan", "not a finite number"),
    ("longitude", "inf", "not a finite number"),
    ("longitude", "-Infinity", "not a finite number"),
    ("latitude", "1e400", "not a finite number"),
    ("date_end", "2999-01-01 00:00:00.000", "in the future (after today"),
]


@pytest.mark.parametrize(("field", "value", "reason"), BAD_VALUES)
@pytest.mark.parametrize("route", ROUTES)
def test_a_number_that_is_not_what_it_claims_is_refused(
    route: str,
    field: str,
    value: str,
    reason: str,
    empty_db: Path,
    ged_slice: Path,
    stored_slice: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header, rows = read_rows(ged_slice)
    target = next(i for i, r in enumerate(rows) if any("\n" in c for c in r)) + 1
    rows[target][header.index(field)] = value
    path = write_rows(tmp_path / "bad.csv", header, rows)
    _route(route, empty_db, stored_slice, monkeypatch)
    before = _snapshot(empty_db)
    with pytest.raises(RowErrors) as info:
        aw.ingest_ucdp(path, db=empty_db)
    (error,) = info.value.errors
    assert (error.field, error.line) == (field, _line_of(path, rows[target][0]))
    assert reason in error.reason
    assert _snapshot(empty_db) == before  # nothing written, not even a run


def _line_of(path: Path, event_id: str) -> int:
    """The line on which the record with this id starts, counted the slow, obvious way."""
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    next(reader)
    prev = reader.line_num
    for rec in reader:
        if rec[0] == event_id:
            return prev + 1
        prev = reader.line_num
    raise AssertionError(event_id)


@pytest.mark.parametrize(("field", "value", "reason"), BAD_VALUES)
def test_the_one_pass_route_refuses_on_its_own(
    field: str, value: str, reason: str, empty_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    """DuckDB itself would read 2.5 as 3 and NaN as a number: the one-pass append must give
    way to the reader (which names the row), never store."""
    header, rows = read_rows(ged_slice)
    rows[3][header.index(field)] = value
    path = write_rows(tmp_path / "bad.csv", header, rows)
    layout = UcdpFormat().csv_layout(path)
    assert layout is not None
    with Store.open(empty_db) as s:
        assert ingest_mod.append_csv(s, path, layout) == "bad"
        assert s.count("events") == 0 and s.count("ingest_runs") == 0


def test_json_records_are_checked_the_same_way(tmp_path: Path, empty_db: Path) -> None:
    pages = json.loads((Path(__file__).parents[1] / "data/ucdp/ged_caf_api_pages.json").read_text())
    records = pages[0]["Result"]
    records[0]["best"] = 2.5
    records[1]["latitude"] = float("nan")
    records[2]["deaths_a"] = 10**20
    records[3]["longitude"] = float("inf")
    path = tmp_path / "api.json"
    path.write_text(json.dumps(pages))  # NaN and Infinity, as Python's json writes them
    with pytest.raises(RowErrors) as info:
        aw.ingest_ucdp(path, db=empty_db)
    got = [(e.line, e.field, e.reason.split(" (")[0]) for e in info.value.errors]
    assert got == [
        (1, "best", "not a whole number"),
        (2, "latitude", "not a finite number"),
        (3, "deaths_a", "too large for a 64-bit integer"),
        (4, "longitude", "not a finite number"),
    ]


RELEASES = [
    # (file name, last date accepted; None: today, read when the test runs — a date read at
    # collection is yesterday's for a test that runs after midnight)
    ("GEDEvent_v23_1.csv", dt.date(2023, 12, 31)),
    ("GEDEvent_v23_0_6.csv", dt.date(2023, 6, 30)),
    ("ged_caf.csv", None),
]


@pytest.mark.parametrize(("name", "last"), RELEASES)
@pytest.mark.parametrize("route", ["one-pass", "reader"])
def test_no_date_after_the_files_release(
    name: str,
    last: dt.date | None,
    route: str,
    empty_db: Path,
    ged_slice: Path,
    stored_slice: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    last = last or dt.date.today()
    header, rows = read_rows(ged_slice)
    i, j = header.index("date_start"), header.index("date_end")
    rows[2][j] = f"{last} 00:00:00.000"  # the last day of the release: fine
    path = write_rows(tmp_path / name, header, rows)
    _route(route, empty_db, stored_slice, monkeypatch)
    assert aw.ingest_ucdp(path, db=empty_db, source="ucdp-ged").rows_read == len(rows)
    rows[2][i] = rows[2][j] = f"{last + dt.timedelta(days=1)} 00:00:00.000"
    path = write_rows(tmp_path / name, header, rows)
    before = _snapshot(empty_db)
    with pytest.raises(RowErrors) as info:
        aw.ingest_ucdp(path, db=empty_db, source="ucdp-ged")
    line = _line_of(path, rows[2][0])
    assert [(e.line, e.field) for e in info.value.errors] == [
        (line, "date_start"),
        (line, "date_end"),
    ]
    assert f"after {'today, ' if '_v23_' not in name else ''}{last}" in info.value.errors[0].reason
    assert ("from the file name" in info.value.errors[0].reason) == ("_v23_" in name)
    assert _snapshot(empty_db) == before


def test_release_end_from_the_file_name() -> None:
    from accordwatch.sources._ged_csv import release_end

    today = dt.date(2026, 3, 4)
    assert release_end("GEDEvent_v25_1.csv", today)[0] == dt.date(2025, 12, 31)
    assert release_end("GEDEvent_v25_0_9.csv", today)[0] == dt.date(2025, 9, 30)
    assert release_end("GEDEvent_v24_0_2.csv.gz", today)[0] == dt.date(2024, 2, 29)
    assert release_end("GEDEvent_v23_1_CAF.csv", today)[0] == dt.date(2023, 12, 31)
    assert release_end("ged.zip!GEDEvent_v22_1.csv", today)[0] == dt.date(2022, 12, 31)
    assert release_end("GEDEvent_v22_1.zip!events.csv", today)[0] == dt.date(2022, 12, 31)
    # no version, or "v" inside a word: today
    for name in ("events.csv", "rev12_1.csv", "mali_v2.csv"):
        assert release_end(name, today) == (today, "in the future (after today, 2026-03-04)")


VALID_EDGES = [
    ("best", "2.0", 2),
    ("best", " 3 ", 3),
    ("best", "+4", 4),
    ("deaths_a", "007", 7),
    ("deaths_b", "-0", 0),
    ("conflict_new_id", "9223372036854775807", 2**63 - 1),
    ("latitude", "90", 90.0),
    ("longitude", "-180.000", -180.0),
    ("latitude", "1.5e1", 15.0),
    ("low", "", None),
]


@pytest.mark.parametrize(("field", "value", "stored"), VALID_EDGES)
def test_valid_numbers_still_load_alike_on_every_route(
    field: str, value: str, stored: object, ged_slice: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(ged_slice)
    rows[3][header.index(field)] = value
    if field in ("latitude", "longitude"):
        rows[3][header.index("priogrid_gid")] = ""  # the cell follows the new place
    path = write_rows(tmp_path / "edge.csv", header, rows)
    frames = []
    for route in ("one-pass", "reader"):
        with Store.open(tmp_path / f"{route}.duckdb") as s:
            s.skip_seed()
            layout = UcdpFormat().csv_layout(path)
            assert layout is not None
            if route == "one-pass":
                assert not isinstance(ingest_mod.append_csv(s, path, layout), str)
            else:
                ingest_mod.ingest_batches(s, UcdpFormat().read(path))
            frames.append(_events(s))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    got = frames[0].set_index("source_event_id").loc[rows[3][0], field]
    assert pd.isna(got) if stored is None else got == stored, got


def test_the_bundled_real_file_loads_with_no_refusal_and_no_contradiction(
    empty_db: Path, ged_full: Path
) -> None:
    report = aw.ingest_ucdp(ged_full, db=empty_db)
    assert (report.inserted, report.rejected, report.flags) == (1848, 0, [])
    (batch,) = UcdpFormat().read(ged_full)
    assert (batch.table.num_rows, batch.errors, batch.flags) == (1848, [], [])
    with Store.open(empty_db, read_only=True) as s:
        assert s.one("SELECT count(priogrid_gid_computed), count(year_computed) FROM events") == (
            0,
            0,
        )


def _contradicting(ged_slice: Path, tmp_path: Path) -> tuple[Path, list[list[str]], list[str]]:
    header, rows = read_rows(ged_slice)
    multi = next(i for i, r in enumerate(rows) if any("\n" in c for c in r))
    rows[multi + 1][header.index("priogrid_gid")] = "12345"  # after a multi-line record
    rows[2][header.index("year")] = str(int(rows[2][header.index("year")]) - 1)
    rows[2][header.index("priogrid_gid")] = "7"
    return write_rows(tmp_path / "contra.csv", header, rows), rows, header


@pytest.mark.parametrize("route", ROUTES)
def test_contradictions_are_kept_flagged_and_the_derived_value_stored(
    route: str,
    empty_db: Path,
    ged_slice: Path,
    stored_slice: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accordwatch.geo import priogrid_gid

    path, rows, header = _contradicting(ged_slice, tmp_path)
    col = {h: i for i, h in enumerate(header)}
    multi = next(i for i, r in enumerate(rows) if any("\n" in c for c in r))
    _route(route, empty_db, stored_slice, monkeypatch)
    report = aw.ingest_ucdp(path, db=empty_db)
    assert report.rejected == 0 and report.rows_read == len(rows)

    def cell(r: list[str]) -> int:
        return int(priogrid_gid(float(r[col["latitude"]]), float(r[col["longitude"]])))

    start_year = int(rows[2][col["date_start"]][:4])
    line = _line_of(path, rows[2][0])
    got = [(f.line, f.field, f.value, f.derived, f.column) for f in report.flags]
    assert got == [
        (line, "priogrid_gid", "7", str(cell(rows[2])), "priogrid_gid_computed"),
        (line, "year", str(start_year - 1), str(start_year), "year_computed"),
        (
            _line_of(path, rows[multi + 1][0]),
            "priogrid_gid",
            "12345",
            str(cell(rows[multi + 1])),
            "priogrid_gid_computed",
        ),
    ]
    assert str(report.flags[1]) == (
        f"{path}, line {line}, field 'year': {start_year - 1} contradicts date_start (its year is "
        f"{start_year}); kept as written, {start_year} stored in year_computed"
    )
    assert report.to_dict()["flags"][0]["what"].startswith("contradicts the coordinates")
    stored = _events(empty_db).set_index("source_event_id")
    kept = stored.loc[rows[2][0]]
    assert (kept["priogrid_gid"], kept["priogrid_gid_computed"]) == (7, cell(rows[2]))
    assert (kept["year"], kept["year_computed"]) == (start_year - 1, start_year)
    assert stored["priogrid_gid_computed"].notna().sum() == 2
    assert stored["year_computed"].notna().sum() == 1
    if route == "compare":  # the two changed events keep their old versions
        assert (report.updated, report.unchanged) == (2, len(rows) - 2)


def test_every_route_stores_the_same_contradictions(tmp_path: Path, ged_slice: Path) -> None:
    path, _, _ = _contradicting(ged_slice, tmp_path)
    geojson = ged_slice.with_suffix(".geojson")
    frames = []
    for route in ("one-pass", "reader"):
        with Store.open(tmp_path / f"{route}.duckdb") as s:
            s.skip_seed()
            layout = UcdpFormat().csv_layout(path)
            assert layout is not None
            if route == "one-pass":
                report = ingest_mod.append_csv(s, path, layout)
                assert not isinstance(report, str) and len(report.flags) == 3
            else:
                ingest_mod.ingest_batches(s, UcdpFormat().read(path))
            frames.append(_events(s))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    (plain,) = UcdpFormat().read(geojson)  # GED's GeoJSON of the same events: no contradiction
    assert plain.flags == []


def test_the_cli_prints_the_contradictions(
    cli, empty_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    path, _, _ = _contradicting(ged_slice, tmp_path)
    code, out, err = cli("ingest", "ucdp", str(path), "--db", str(empty_db))
    assert code == 0, err
    assert "3 values kept as written though the row contradicts them" in err
    assert f"{path}, line 4, field 'year':" in err  # the first rows span one line each
    code, out, err = cli("ingest", "ucdp", str(path), "--db", str(empty_db), "-f", "json")
    (report,) = json.loads(out)
    assert [f["field"] for f in report["flags"]] == ["priogrid_gid", "year", "priogrid_gid"]
    assert report["unchanged"] == 39


def test_an_older_store_gets_the_derived_columns_filled(
    tmp_path: Path, ged_slice: Path, empty_db: Path
) -> None:
    """A store made before migration 4: the columns are added (last, in both tables) and
    filled for the stored UCDP events, so that loading the same file again changes nothing,
    and a later change keeps its history (the history table now orders them otherwise)."""
    from accordwatch.store.db import _migrations

    path, rows, header = _contradicting(ged_slice, tmp_path)
    aw.ingest_ucdp(path, db=empty_db)
    expected = _events(empty_db)
    (sql,) = [m[2] for m in _migrations() if m[0] == 4]
    with Store.open(empty_db) as s:
        for table in ("events", "events_history"):  # as before migration 4
            for c in ("priogrid_gid_computed", "year_computed"):
                s._con.execute(f"ALTER TABLE {table} DROP COLUMN {c}")
        with s.transaction():
            s._con.execute(sql)
        pd.testing.assert_frame_equal(_events(s), expected)
        history = [r[0] for r in s._con.execute("DESCRIBE events_history").fetchall()]
        assert history[-4:] == [
            "replaced_by_run",
            "replaced_at",
            "priogrid_gid_computed",
            "year_computed",
        ]
    again = aw.ingest_ucdp(path, db=empty_db)
    assert (again.updated, again.unchanged) == (0, len(rows))
    best = int(rows[2][header.index("best")])
    rows[2][header.index("best")] = str(best + 1)
    changed = aw.ingest_ucdp(write_rows(tmp_path / "contra.csv", header, rows), db=empty_db)
    assert changed.updated == 1
    hist = aw.event_history(rows[2][0], db=empty_db)
    assert hist["best"].tolist() == [best, best + 1]
    assert hist["year_computed"].tolist() == [int(rows[2][header.index("date_start")][:4])] * 2
