"""Reading people's text files: encodings told by a byte-order mark are read, anything else is
refused with the line, the bytes and the command that converts the file."""

from __future__ import annotations

import pytest

from accordwatch._text import (
    NUL_BYTES,
    binary_kind,
    bom_encoding,
    convert_command,
    decode_text,
    to_utf8,
    utf8_error,
)
from accordwatch.errors import InputError

TEXT = "id,where_description\n1,Bangui\n2,Bambari, préfecture de la Ouaka\n"


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_byte_order_mark_makes_the_encoding_unambiguous(codec: str) -> None:
    data = TEXT.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):  # the codec itself writes no mark
        data = "\ufeff".encode(codec) + data
    assert decode_text(data, "f.csv") == TEXT
    assert to_utf8(data, "f.csv") == TEXT.encode("utf-8")


def test_utf8_without_a_mark_is_passed_through_unchanged() -> None:
    data = TEXT.encode("utf-8")
    assert to_utf8(data, "f.csv") is data
    assert bom_encoding(data) == ("utf-8", 0)
    assert utf8_error(data, "f.csv") is None


def test_latin1_is_refused_with_line_byte_and_iconv_command() -> None:
    with pytest.raises(InputError) as caught:
        decode_text(TEXT.encode("latin-1"), "data/ged.csv")
    text = str(caught.value)
    assert text.startswith("data/ged.csv, line 3: not UTF-8 text")
    assert "byte 0xe9 at byte 14 of the line" in text
    assert "in Latin-1 it would be 'é'" in text
    assert "iconv -f latin1 -t utf-8 ged.csv > ged.utf8.csv" in text


def test_windows_1252_punctuation_suggests_cp1252() -> None:
    data = "id,note\n1,ok\n2,“quoted” – said\n".encode("cp1252")
    problem = utf8_error(data, "notes.csv")
    assert problem is not None
    assert "notes.csv, line 3" in str(problem)
    assert "Windows-1252 it would be '“'" in str(problem)
    assert "iconv -f cp1252 -t utf-8 notes.csv > notes.utf8.csv" in str(problem)


def test_a_broken_utf16_file_names_its_encoding() -> None:
    data = "\ufeffid\nabc".encode("utf-16-le")[:-1]  # half a character at the end
    with pytest.raises(InputError, match=r"f\.csv, line 2: not valid UTF-16-LE text"):
        decode_text(data, "f.csv")


def test_the_convert_command_reads_through_gzip_and_zip() -> None:
    assert convert_command("d/GED.csv", "latin1") == (
        "iconv -f latin1 -t utf-8 GED.csv > GED.utf8.csv"
    )
    assert convert_command("GED.csv.gz", "latin1") == (
        "gunzip -c GED.csv.gz | iconv -f latin1 -t utf-8 > GED.utf8.csv"
    )
    assert convert_command("dl/GED.zip!in/GED.csv", "cp1252") == (
        "unzip -p GED.zip in/GED.csv | iconv -f cp1252 -t utf-8 > GED.utf8.csv"
    )


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x1f\x8b\x08\x00rest", "gzip-compressed data"),
        (b"PK\x03\x04rest", "a zip archive (an Excel workbook is one)"),
        (b"PAR1rest", "a Parquet file"),
        (b"SQLite format 3\x00rest", "an SQLite database"),
        (b"\x00" * 8 + b"DUCKrest", "a DuckDB database"),
        ("id,year".encode("utf-16-le"), NUL_BYTES),
        (b"id,year\n", None),
        ("id,year".encode("utf-16"), None),  # a mark: text, read as UTF-16
    ],
)
def test_binary_files_are_named(head: bytes, kind: str | None) -> None:
    assert binary_kind(head) == kind
