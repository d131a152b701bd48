"""UCDP files that are not what they claim: other encodings, damaged archives, odd JSON shapes,
GeoJSON that is not points, giant fields — each read when it is unambiguous, else refused with
an InputError that names the file and, where there is one, the line, feature or field."""

from __future__ import annotations

import copy
import gzip
import json
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

from accordwatch.errors import InputError
from accordwatch.sources import read_ucdp
from accordwatch.sources import ucdp as ucdp_reader
from csvrows import read_rows, write_rows

DATA = Path(__file__).parents[1] / "data" / "ucdp"


def _sorted(t: pa.Table) -> pa.Table:
    return t.sort_by("source_event_id")


def _with_accent(ged_slice: Path, tmp_path: Path) -> tuple[list[str], list[list[str]]]:
    """The slice's first six rows (all ASCII) with an accented place description in the
    fourth (line 5)."""
    header, rows = read_rows(ged_slice)
    rows = rows[:6]
    rows[3][header.index("where_description")] = "Bambari, préfecture de la Ouaka"
    return header, rows


# -- encodings --------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
def test_csv_with_a_byte_order_mark_reads_like_utf8(
    ged_slice: Path, tmp_path: Path, codec: str
) -> None:
    header, rows = _with_accent(ged_slice, tmp_path)
    plain = write_rows(tmp_path / "plain.csv", header, rows)
    other = tmp_path / f"{codec}.csv"
    other.write_bytes(plain.read_text(encoding="utf-8").encode(codec))
    (want,) = read_ucdp(plain)
    (got,) = read_ucdp(other)
    assert got.errors == [] and _sorted(got.table).equals(_sorted(want.table))
    assert "Bambari, préfecture de la Ouaka" in got.table.column("where_description").to_pylist()


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("latin1.csv", lambda b: b),
        ("latin1.csv.gz", gzip.compress),
    ],
)
def test_latin1_csv_names_line_and_conversion(
    ged_slice: Path, tmp_path: Path, name: str, pack
) -> None:
    header, rows = _with_accent(ged_slice, tmp_path)
    text = write_rows(tmp_path / "utf8.csv", header, rows).read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(pack(text.encode("latin-1")))
    with pytest.raises(InputError) as caught:
        read_ucdp(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 5: not UTF-8 text (byte 0xe9")
    assert "in Latin-1 it would be 'é'" in message
    if name.endswith(".gz"):
        assert "gunzip -c latin1.csv.gz | iconv -f latin1 -t utf-8 > latin1.utf8.csv" in message
    else:
        assert "iconv -f latin1 -t utf-8 latin1.csv > latin1.utf8.csv" in message


def test_latin1_member_of_a_zip_names_the_member(ged_slice: Path, tmp_path: Path) -> None:
    header, rows = _with_accent(ged_slice, tmp_path)
    text = write_rows(tmp_path / "utf8.csv", header, rows).read_text(encoding="utf-8")
    archive = tmp_path / "ged.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("GEDEvent.csv", text.encode("latin-1"))
    with pytest.raises(InputError, match=r"ged\.zip!GEDEvent\.csv, line 5: not UTF-8") as caught:
        read_ucdp(archive)
    assert "unzip -p ged.zip GEDEvent.csv | iconv -f latin1" in str(caught.value)


def test_a_non_utf8_header_is_named_before_anything_is_read(
    ged_slice: Path, tmp_path: Path
) -> None:
    data = ged_slice.read_bytes().replace(b"adm_1", "adm_1_é".encode("latin-1"), 1)
    path = tmp_path / "header.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"header\.csv, line 1: not UTF-8 text"):
        read_ucdp(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (gzip.compress(b"id,year\n1,2\n", mtime=0), "gzip-compressed data; give it a .csv.gz name"),
        (b"PK\x03\x04" + b"\x00" * 40, "a zip archive"),
        ("id,year\n".encode("utf-16-le"), "iconv -f utf-16le -t utf-8 x.csv > x.utf8.csv"),
    ],
)
def test_binary_content_under_a_csv_name_says_what_it_is(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match="is not a CSV text file") as caught:
        read_ucdp(path)
    assert message in str(caught.value)


# -- sizes --------------------------------------------------------------------------------------
def test_a_field_larger_than_the_arrow_reader_takes_is_named(
    ged_slice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit is Arrow's block (16 MiB); a smaller block shows the same path quickly."""
    monkeypatch.setattr(ucdp_reader, "_ARROW_BLOCK", 1 << 16)
    header, rows = read_rows(ged_slice)
    rows[1][header.index("source_article")] = "x" * (300 << 10)
    path = write_rows(tmp_path / "huge.csv", header, rows)
    with pytest.raises(InputError) as caught:
        read_ucdp(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 3, field 'source_article': a value of 300 KiB")
    assert "larger than the CSV reader takes in one record (64 KiB)" in message
    assert "truncated" not in message


def test_a_20_mb_field_past_duckdbs_line_limit_loads_whole(
    ged_slice: Path, tmp_path: Path, empty_db: Path
) -> None:
    """DuckDB's CSV reader stops at its line limit; the engine then reads with Arrow."""
    import accordwatch as aw

    header, rows = read_rows(ged_slice)
    rows[1][header.index("source_article")] = "y" * (20 << 20)
    path = write_rows(tmp_path / "big.csv", header, rows)
    report = aw.ingest_ucdp(path, db=empty_db)
    assert report.inserted == len(rows) and report.rejected == 0
    longest = max(
        len(r["source_article"] or "")
        for r in aw.event_records(empty_db, columns=["source_article"])
    )
    assert longest == 20 << 20


def test_a_long_multiline_field_does_not_break_line_numbers(
    ged_slice: Path, tmp_path: Path
) -> None:
    """Locating a bad row reads the records with the csv module, whose default field limit
    (128 KiB) a long quoted field with line breaks would exceed."""
    header, rows = read_rows(ged_slice)
    rows[1][header.index("source_article")] = ("z" * 1000 + "\n") * 200
    rows[3][header.index("best")] = "many"
    path = write_rows(tmp_path / "long.csv", header, rows)
    (batch,) = read_ucdp(path)
    (err,) = batch.errors
    assert (err.field, err.line, err.value) == ("best", 3 + 201 + 1, "many")


# -- archives -------------------------------------------------------------------------------------
def test_a_damaged_zip_member_says_so(ged_slice: Path, tmp_path: Path) -> None:
    archive = tmp_path / "ged.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GEDEvent.csv", ged_slice.read_bytes())
    data = bytearray(archive.read_bytes())
    for i in range(80, 400):  # inside the member's compressed data
        data[i] ^= 0x55
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"ged\.zip!GEDEvent\.csv: cannot be read from the arch"):
        read_ucdp(archive)


def test_a_damaged_gzip_says_so(ged_slice: Path, tmp_path: Path) -> None:
    data = bytearray(gzip.compress(ged_slice.read_bytes()))
    for i in range(200, 600):
        data[i] ^= 0x55
    path = tmp_path / "ged.csv.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="not a readable gzip file"):
        read_ucdp(path)


# -- JSON and GeoJSON -----------------------------------------------------------------------------
def _geojson() -> dict:
    return json.loads((DATA / "ged_caf_slice.geojson").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}, "Polygon"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "LineString"),
        ({"type": "Point", "coordinates": "ab"}, "coordinates must be [longitude, latitude]"),
        ({"type": "Point", "coordinates": [True, 1]}, "coordinates must be"),
        ("POINT (1 2)", "'geometry' must be an object"),
    ],
)
def test_geojson_features_that_are_not_points_are_named(
    tmp_path: Path, geometry: object, problem: str
) -> None:
    doc = _geojson()
    doc["features"][2]["geometry"] = geometry
    doc["features"][6]["geometry"] = copy.deepcopy(geometry)
    path = tmp_path / "ged.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_ucdp(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: 2 features cannot be read as UCDP events")
    assert "  feature 3: " in message and "  feature 7: " in message
    assert problem in message
    assert "feature 1:" not in message


def test_geojson_without_geometry_uses_the_properties(tmp_path: Path) -> None:
    doc = _geojson()
    for feat in doc["features"]:
        lon, lat = feat.pop("geometry")["coordinates"]
        feat["geometry"] = None
        feat["properties"].update(latitude=lat, longitude=lon)
    path = tmp_path / "ged.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    (batch,) = read_ucdp(path)
    (want,) = read_ucdp(DATA / "ged_caf_slice.geojson")
    assert batch.errors == [] and _sorted(batch.table).equals(_sorted(want.table))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"Result": 5}', "'Result' must be a list, found a number (5)"),
        ('{"Result": [{"id": 1}, 7]}', "x.json, event 2: expected an event (a JSON object)"),
        ('{"features": {"a": 1}}', "'features' must be a list, found an object"),
        ('{"features": [1]}', "feature 1: expected a GeoJSON feature"),
        ('{"features": [{"properties": [1]}]}', "'properties' must be an object, found a list"),
        ("[1, 2]", "x.json, item 1 of the top-level list: expected a UCDP event or page"),
        ('"hello"', "expected a UCDP event or page (a JSON object), found a string ('hello')"),
        ("", "x.json: the file is empty"),
        ('{"Result": [', "x.json, line 1: not valid JSON"),
        ("[" * 100_000, "nested too deeply"),
        ('{"Result": [{"id": ' + "1" * 5000 + "}]}", "a number too long to read"),
    ],
)
def test_json_of_an_unexpected_shape_is_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_ucdp(path)
    assert message in str(caught.value)


def test_utf16_json_is_read(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_bytes((DATA / "ged_caf_api_pages.json").read_text(encoding="utf-8").encode("utf-16"))
    (batch,) = read_ucdp(path)
    assert batch.errors == [] and batch.table.num_rows == 39


def test_latin1_json_names_its_line(tmp_path: Path) -> None:
    pages = json.loads((DATA / "ged_caf_api_pages.json").read_text(encoding="utf-8"))
    pages[0]["Result"][0]["where_description"] = "préfecture"
    text = json.dumps(pages, indent=1)  # every other character escaped: ASCII
    path = tmp_path / "api.json"
    path.write_bytes(text.replace("pr\\u00e9fecture", "préfecture").encode("latin-1"))
    line = text[: text.index("pr\\u00e9fecture")].count("\n") + 1
    with pytest.raises(InputError, match=rf"api\.json, line {line}: not UTF-8 text"):
        read_ucdp(path)
