"""Provision and assessment files that cannot be read as written: impossible YAML dates, values
YAML cannot build, other encodings, workbooks — each named with its line (or read, when a
byte-order mark makes the encoding plain)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from accordwatch.accords._assessments import read_assessment_file
from accordwatch.accords._provisions import parse_provisions, read_provision_file
from accordwatch.errors import InputError, RowErrors

HEAD = "agreement: 30\nprovisions:\n"


def test_an_unquoted_impossible_date_is_a_row_error_on_its_line() -> None:
    text = HEAD + (
        "  - {id: x.t1, level: title, title: Defence, source: me, deadline: 2024-02-28}\n"
        "  - {id: x.t2, level: title, title: Politics, source: me, deadline: 2024-02-30}\n"
    )
    with pytest.raises(RowErrors) as caught:
        parse_provisions(text, name="p.yaml")
    (err,) = caught.value.errors
    assert (err.line, err.field, err.value) == (4, "deadline", "2024-02-30")
    assert "no such day in the calendar" in err.reason


def test_an_impossible_date_under_an_unknown_key_is_an_unknown_field() -> None:
    text = HEAD + "  - id: x.t1\n    level: title\n    title: T\n    date: 2024-02-30\n"
    with pytest.raises(RowErrors) as caught:
        parse_provisions(text, name="p.yaml")
    (err,) = caught.value.errors
    assert (err.line, err.field) == (3, "date") and "unknown field" in err.reason


def test_valid_yaml_dates_still_load() -> None:
    text = HEAD + "  - {id: x.t1, level: title, title: T, source: me, deadline: 2024-02-29}\n"
    frame = parse_provisions(text, name="p.yaml")
    assert frame.deadline.tolist() == [dt.date(2024, 2, 29)]


@pytest.mark.parametrize(
    ("value", "line"),
    [("!!int abc", 1), ("!!float nope", 1), ("!!bool maybe", 1), ("!!timestamp abc", 1)],
)
def test_a_value_yaml_cannot_build_names_its_line(value: str, line: int) -> None:
    text = f"agreement: {value}\nprovisions:\n  - {{id: x.t1, level: title, title: T}}\n"
    with pytest.raises(InputError, match=rf"(?s)p\.yaml is not valid YAML: .*line {line}"):
        parse_provisions(text, name="p.yaml")


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16"])
def test_a_provision_file_with_a_byte_order_mark_is_read(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(
        (HEAD + "  - {id: x.t1, level: title, title: Défense, source: me}\n").encode(codec)
    )
    assert read_provision_file(path).title.tolist() == ["Défense"]


def test_a_latin1_provision_file_names_line_and_conversion(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(
        (HEAD + "  - {id: x.t1, level: title, title: Défense, source: me}\n").encode("latin-1")
    )
    with pytest.raises(InputError) as caught:
        read_provision_file(path)
    assert str(caught.value).startswith("p.yaml, line 3: not UTF-8 text (byte 0xe9")
    assert "iconv -f latin1 -t utf-8 p.yaml > p.utf8.yaml" in str(caught.value)


def test_a_workbook_saved_under_a_csv_name_is_named(tmp_path: Path) -> None:
    path = tmp_path / "provisions.csv"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError, match="not a YAML or CSV text file: it is a zip archive"):
        read_provision_file(path)


def test_a_latin1_assessment_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(
        "provision_id,date,score,assessor,evidence,source_url\n"
        "mali2015.t3,2020-01-01,1,Agnès,seen,\n".encode("latin-1")
    )
    with pytest.raises(InputError, match=r"a\.csv, line 2: not UTF-8 text") as caught:
        read_assessment_file(path)
    assert "iconv -f latin1 -t utf-8 a.csv > a.utf8.csv" in str(caught.value)


def test_a_utf16_assessment_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(
        "provision_id,date,score,assessor,evidence,source_url\n"
        "mali2015.t3,2020-01-01,1,Agnès,seen,\n".encode("utf-16")
    )
    name, rows = read_assessment_file(path)
    assert name == "a.csv" and rows[0]["assessor"] == "Agnès"
