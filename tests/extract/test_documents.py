"""Inputs: HTML without boilerplate, folders, and bad input that never crashes."""

from __future__ import annotations

import pytest

from accordwatch.errors import InputError, NotFound
from accordwatch.extract import extract_path, extract_text, read_documents


def test_html_boilerplate_is_stripped_and_metadata_read(data_dir) -> None:
    (doc,) = read_documents(data_dir / "article.html")
    assert doc.title == "Clashes near Anefis"
    assert doc.url == "https://news.example.org/anefis-clashes"
    assert str(doc.published) == "2023-10-12"
    assert "newsletter" not in doc.text and "footer" not in doc.text and "tracker" not in doc.text
    r = extract_path(data_dir / "article.html")
    assert [(e.type, e.date) for e in r.events] == [("clash", "2023-10-11")]  # "On Wednesday"
    assert "Gao" not in r.places_mentioned  # only the footer names Gao


def test_folder_reads_every_file_and_reports_bad_ones(data_dir) -> None:
    r = extract_path(data_dir / "folder", published="2024-03-14")
    assert len(r.documents) == 3
    assert any("empty" in w for w in r.warnings) and any("binary" in w for w in r.warnings)
    assert {e.doc_id for e in r.events} == {r.documents[0].doc_id}
    assert len(r.events) == 3


@pytest.mark.parametrize(
    "content", [b"", b"   \n", b"\x00\x01\x02\x03binary", b"\x89PNG\r\n\x1a\n\x00\x00"]
)
def test_empty_or_binary_file_gives_empty_result(tmp_path, content: bytes) -> None:
    f = tmp_path / "input.txt"
    f.write_bytes(content)
    r = extract_path(f, published="2024-03-14")
    assert r.events == [] and r.places_mentioned == [] and r.warnings


def test_unknown_language_gives_empty_result_with_message() -> None:
    r = extract_text(
        "Der Krieg in der Region ist schlimm und die Leute sind müde.", published="2024-03-14"
    )
    assert r.events == [] and "cannot tell the language" in r.warnings[0]


def test_text_without_events() -> None:
    r = extract_text(
        "The weather in Bamako was pleasant and the market was busy.", published="2024-03-14"
    )
    assert r.events == [] and r.places_mentioned == ["Bamako"]
    assert any("no events" in w for w in r.warnings)


def test_bad_arguments_raise_clear_errors(tmp_path) -> None:
    with pytest.raises(NotFound, match="no file or folder"):
        extract_path(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        extract_text("x", published="5 Oct 2023")
    with pytest.raises(InputError, match="unknown language"):
        extract_text("x", lang="de")


def test_same_text_same_document_id(data_dir) -> None:
    a = extract_path(data_dir / "report_fr.txt").documents[0].doc_id
    b = extract_path(data_dir / "folder" / "a_fr.txt").documents[0].doc_id
    assert a == b and a.startswith("doc-")
