"""Reading UCDP files: every format gives the same rows; bad input gives file/line/field errors."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

from accordwatch.errors import InputError
from accordwatch.sources import detect_source, read_ucdp
from csvrows import read_rows, write_rows

DATA = Path(__file__).parents[1] / "data" / "ucdp"


def _physical_line_of(path: Path, event_id: str) -> int:
    """The line on which the record with this id starts, counted the slow, obvious way."""
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    prev = reader.line_num
    for rec in reader:
        if rec[0] == event_id:
            return prev + 1
        prev = reader.line_num
    raise AssertionError(event_id)


def _sorted(t: pa.Table) -> pa.Table:
    return t.sort_by("source_event_id")


def test_full_bundled_csv_reads_clean(ged_full: Path) -> None:
    (batch,) = read_ucdp(ged_full)
    assert batch.table.num_rows == 1848
    assert batch.errors == []
    assert batch.source == "ucdp-ged"
    deaths = pa.compute.sum(batch.table.column("best")).as_py()
    assert deaths > 10_000  # CAF 1991–2022: real totals, not a toy
    # GED's own ids survive as source_event_id
    assert "36210" in set(batch.table.column("source_event_id").to_pylist())


def test_csv_geojson_and_api_pages_give_identicalread_rows(ged_slice: Path) -> None:
    (csv_b,) = read_ucdp(ged_slice)
    (geo_b,) = read_ucdp(DATA / "ged_caf_slice.geojson")
    (api_b,) = read_ucdp(DATA / "ged_caf_api_pages.json")
    assert csv_b.table.num_rows == geo_b.table.num_rows == api_b.table.num_rows == 39
    for other in (geo_b, api_b):
        assert other.errors == []
        assert _sorted(other.table).equals(_sorted(csv_b.table))


def test_plain_dates_and_iso_dates_are_accepted(ged_slice: Path, tmp_path: Path) -> None:
    header, rows = read_rows(ged_slice)
    i, j = header.index("date_start"), header.index("date_end")
    for r in rows:
        r[i], r[j] = r[i][:10], r[j][:10].replace("-", "-") + "T00:00:00"
    (b,) = read_ucdp(write_rows(tmp_path / "plain.csv", header, rows))
    assert b.errors == []
    (orig,) = read_ucdp(ged_slice)
    assert b.table.column("date_start").equals(orig.table.column("date_start"))
    assert b.table.column("date_end").equals(orig.table.column("date_end"))


def test_zip_and_gzip(ged_slice: Path, tmp_path: Path) -> None:
    z = tmp_path / "ged.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(ged_slice, "GEDEvent_v23_1.csv")
    gz = tmp_path / "ged.csv.gz"
    gz.write_bytes(gzip.compress(ged_slice.read_bytes()))
    (plain,) = read_ucdp(ged_slice)
    (from_zip,) = read_ucdp(z)
    (from_gz,) = read_ucdp(gz)
    assert from_zip.file.endswith("ged.zip!GEDEvent_v23_1.csv")
    assert from_zip.table.equals(plain.table)
    assert from_gz.table.equals(plain.table)


def test_candidate_files_are_recognised(ged_slice: Path, tmp_path: Path) -> None:
    assert detect_source("GEDEvent_v25_0_3.csv") == "ucdp-candidate"
    assert detect_source("ucdp_candidate_2025_10.csv") == "ucdp-candidate"
    assert detect_source("GEDEvent_v25_1.csv") == "ucdp-ged"
    cand = tmp_path / "GEDEvent_v25_0_3.csv"
    cand.write_bytes(ged_slice.read_bytes())
    (b,) = read_ucdp(cand)
    assert b.source == "ucdp-candidate"
    assert set(b.table.column("source").to_pylist()) == {"ucdp-candidate"}


def test_geography_is_filled(ged_slice: Path) -> None:
    (b,) = read_ucdp(ged_slice)
    t = b.table.to_pandas()
    # every event GED places in an admin-1 unit gets one; events located only to the
    # country (GED's where_prec 5-7 with no adm_1) keep none rather than a guess
    assert (t["admin1"].notna() == t["adm_1"].notna()).all()
    assert t["adm_1"].isna().sum() >= 1
    # GED's "X prefecture" / "X region" becomes the bare admin-1 name
    assert not t["admin1"].str.contains(r" (?:prefecture|region)$").any()


def test_missing_priogrid_is_computed(ged_slice: Path, tmp_path: Path) -> None:
    header, rows = read_rows(ged_slice)
    g = header.index("priogrid_gid")
    truth = [r[g] for r in rows]
    for r in rows:
        r[g] = ""
    (b,) = read_ucdp(write_rows(tmp_path / "nogid.csv", header, rows))
    assert [str(x) for x in b.table.column("priogrid_gid").to_pylist()] == truth


# -- bad input --------------------------------------------------------------------------------
def test_missing_column_names_file_and_column(ged_slice: Path, tmp_path: Path) -> None:
    header, rows = read_rows(ged_slice)
    k = header.index("best")
    bad = write_rows(
        tmp_path / "nobest.csv", header[:k] + header[k + 1 :], [r[:k] + r[k + 1 :] for r in rows]
    )
    with pytest.raises(InputError, match=r"nobest\.csv: missing required columns best"):
        read_ucdp(bad)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("best", "ten", "not a whole number"),
        ("latitude", "95.5", "outside -90..90"),
        ("longitude", "east", "not a number"),
        ("date_start", "2021-02-30 00:00:00.000", "impossible date"),
        ("date_end", "30/01/2021", "not a date"),
        ("type_of_violence", "4", "must be 1, 2 or 3"),
        ("deaths_civilians", "-3", "cannot be negative"),
        ("id", "", "missing value"),
        ("best", "2.5", "not a whole number"),
        ("deaths_a", "0x10", "not a whole number"),  # Arrow's own parser takes it for 16
        ("best", "99999999999999999999", "too large for a 64-bit integer"),
        ("latitude", "NaN", "not a finite number"),
        ("longitude", "-inf", "not a finite number"),
        ("date_end", "2999-01-01 00:00:00.000", "in the future"),
    ],
)
def test_bad_value_is_reported_with_line_and_field(
    ged_slice: Path, tmp_path: Path, field: str, value: str, reason: str
) -> None:
    header, rows = read_rows(ged_slice)
    # damage the row that follows a multi-line record, so line numbers must be physical lines
    target = next(i for i, r in enumerate(rows) if any("\n" in c for c in r)) + 1
    event_id = rows[target][0]
    rows[target][header.index(field)] = value
    path = write_rows(tmp_path / "bad.csv", header, rows)
    (b,) = read_ucdp(path)
    assert len(b.errors) == 1, b.errors
    err = b.errors[0]
    assert err.field == field
    if field != "id":
        assert err.line == _physical_line_of(path, event_id)
    assert reason in err.reason
    assert b.table.num_rows == len(rows) - 1
    assert len(b.rejected) == 1 and b.rejected[0]["line"] == err.line


def test_error_line_numbers_are_physical_lines(ged_slice: Path, tmp_path: Path) -> None:
    header, rows = read_rows(ged_slice)
    multi = [i for i, r in enumerate(rows) if any("\n" in c for c in r)]
    target = multi[-1] + 1
    rows[target][header.index("best")] = "many"
    path = write_rows(tmp_path / "bad.csv", header, rows)
    (b,) = read_ucdp(path)
    assert b.errors[0].line == _physical_line_of(path, rows[target][0])
    assert b.errors[0].line > target + 2  # the multi-line records before it push it down


def test_truncated_file(ged_slice: Path, tmp_path: Path) -> None:
    data = ged_slice.read_bytes()
    cut = data[: data.rfind(b"\n", 0, len(data) // 2) + 40]  # stops 40 bytes into a record
    path = tmp_path / "cut.csv"
    path.write_bytes(cut)
    (b,) = read_ucdp(path)
    assert b.errors, "a record cut short must be an error"
    assert "truncated" in b.errors[-1].reason
    assert b.errors[-1].line == cut.count(b"\n") + 1


def test_duplicate_ids(ged_slice: Path, tmp_path: Path) -> None:
    header, rows = read_rows(ged_slice)
    same = write_rows(tmp_path / "same.csv", header, rows + [rows[3]])
    (b,) = read_ucdp(same)
    assert b.errors == [] and b.duplicates_dropped == 1 and b.table.num_rows == len(rows)
    changed = list(rows[3])
    changed[header.index("best")] = str(int(changed[header.index("best")]) + 5)
    diff = write_rows(tmp_path / "diff.csv", header, rows + [changed])
    (b,) = read_ucdp(diff)
    assert {e.field for e in b.errors} == {"id"}
    assert all("duplicate id with different content" in e.reason for e in b.errors)
    assert len(b.errors) == 2  # both rows are named
    assert "best" in b.errors[-1].reason


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "neither GeoJSON"),
        (b'{"Result": []}', "holds no events"),
        (b"PK\x03\x04garbage", "not a readable zip"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    suffix = (
        ".zip" if content.startswith(b"PK") else (".json" if content.startswith(b"{") else ".csv")
    )
    path = tmp_path / f"x{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_ucdp(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_ucdp(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a folder"):
        read_ucdp(tmp_path)


def test_api_records_name_record_numbers(tmp_path: Path) -> None:
    pages = json.loads((DATA / "ged_caf_api_pages.json").read_text())
    pages[1]["Result"][2]["latitude"] = 123.0
    path = tmp_path / "api.json"
    path.write_text(json.dumps(pages))
    (b,) = read_ucdp(path)
    (err,) = b.errors
    assert err.field == "latitude" and err.line == len(pages[0]["Result"]) + 3


def test_a_text_that_mentions_hex_reads_the_same(ged_slice: Path, tmp_path: Path) -> None:
    """A file with "0x" anywhere is read value by value (Arrow's fast parser would take
    0x10 for a number): the same rows come out."""
    header, rows = read_rows(ged_slice)
    rows[4][header.index("source_headline")] = "Report 0x1F"
    (plain,) = read_ucdp(write_rows(tmp_path / "plain.csv", header, rows))
    rows[4][header.index("source_headline")] = "Report 0x1F "
    (hexy,) = read_ucdp(write_rows(tmp_path / "hex.csv", header, rows))
    assert hexy.errors == [] and hexy.table.num_rows == plain.table.num_rows
    assert hexy.table.drop_columns(["source_headline"]).equals(
        plain.table.drop_columns(["source_headline"])
    )


def test_contradictions_are_flagged_by_the_reader(ged_slice: Path, tmp_path: Path) -> None:
    header, rows = read_rows(ged_slice)
    rows[6][header.index("year")] = "2001"
    path = write_rows(tmp_path / "year.csv", header, rows)
    (b,) = read_ucdp(path)
    assert b.errors == [] and b.table.num_rows == len(rows)
    (f,) = b.flags
    start = int(rows[6][header.index("date_start")][:4])
    assert (f.line, f.field, f.value, f.derived) == (
        _physical_line_of(path, rows[6][0]),
        "year",
        "2001",
        str(start),
    )
    t = b.table.to_pandas().set_index("source_event_id")
    assert (t.loc[rows[6][0], "year"], t.loc[rows[6][0], "year_computed"]) == (2001, start)
    assert t["year_computed"].notna().sum() == 1 and t["priogrid_gid_computed"].isna().all()
