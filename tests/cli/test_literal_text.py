"""Text is text: whatever a user or a file gives — a CSV cell, an argument, a file name, an
exception message — the command line shows it as written.  Markup-like text (``[/x]``,
``[draft]``, ``[bold]``) neither crashes the output nor vanishes from it, and ``:emoji:``
codes stay codes, in messages, tables and status lines alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.text import Text

from accordwatch.cli import _common
from csvrows import read_rows, write_rows

MARKUP = ("[/x]", "[draft]", "[bold red]loud[/bold red]", ":thumbs_up:")


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("cell", MARKUP)
def test_a_bad_csv_cell_is_shown_as_written(
    cli, empty_db: Path, ged_slice: Path, tmp_path: Path, cell: str
) -> None:
    header, rows = read_rows(ged_slice)
    rows[1][header.index("best")] = cell
    path = write_rows(tmp_path / "bad.csv", header, rows)
    code, out, err = cli("ingest", "ucdp", str(path), "--db", str(empty_db))
    assert code == 2 and "Traceback" not in err
    assert f"bad.csv, line 3, field 'best': not a whole number (got {cell!r})" in _one_line(err)


@pytest.mark.parametrize("name", MARKUP)
def test_an_argument_is_shown_as_written(cli, seeded_db: Path, name: str) -> None:
    for args in (
        ("actors", name),
        ("places", name),
        ("events", "--db", str(seeded_db), "-c", name),
    ):
        code, out, err = cli(*args)
        assert code == 3, err
        assert repr(name) in err and "Traceback" not in err


def test_table_cells_titles_and_headers_are_literal(
    cli, empty_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(ged_slice)
    for i, name in enumerate(MARKUP):
        rows[i][header.index("side_b")] = f"{name} group"
    path = write_rows(tmp_path / "marked.csv", header, rows)
    code, _, err = cli("ingest", "ucdp", str(path), "--db", str(empty_db))
    assert code == 0, err
    code, out, err = cli("events", "--db", str(empty_db), "--limit", "100")
    assert code == 0, err
    for name in MARKUP:
        assert name in out  # (the table may fold " group" onto a second line)
    # the same values in JSON, for comparison: nothing was lost on the way in
    code, out, _ = cli("events", "--db", str(empty_db), "-f", "json")
    assert {f"{n} group" for n in MARKUP} <= {r["side_b"] for r in json.loads(out)}


def test_a_file_name_with_brackets_is_shown_as_written(
    cli, empty_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    path = tmp_path / "[draft] GED :warning:.csv"
    shutil.copy(ged_slice, path)
    code, _, err = cli("ingest", "ucdp", str(path), "--db", str(empty_db))
    assert code == 0, err
    assert f"{path}: 39 rows read" in _one_line(err)


def test_error_and_warning_labels_keep_the_message_literal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _common.warn("[/x] and [draft] :thumbs_up:")
    _common.err.print(_common.styled("error:", "bold red", "[/bold red] stays"))
    err = capsys.readouterr().err
    assert "warning: [/x] and [draft] :thumbs_up:" in err
    assert "error: [/bold red] stays" in err


def test_status_lines_are_literal() -> None:
    """rich parses a status string as markup; the shared consoles give it Text."""
    status = _common.err.status("loading [/x].csv")
    assert isinstance(status.status, Text) and status.status.plain == "loading [/x].csv"
    status.update("[draft].csv: checking rows")
    assert isinstance(status.status, Text)
    assert status.status.plain == "[draft].csv: checking rows"


def test_print_frame_shows_markup_like_cells(capsys: pytest.CaptureFixture[str]) -> None:
    _common.print_frame([{"[col]": "[/x]", "b": ":thumbs_up:"}], "table", title="[draft] t")
    out = capsys.readouterr().out
    assert "[draft] t" in out and "[col]" in out and "[/x]" in out and ":thumbs_up:" in out


def test_typer_usage_errors_show_the_value_as_written(cli) -> None:
    code, out, err = cli("events", "--format", "[bold]x[/bold]")
    assert code == 2 and "'[bold]x[/bold]' is not" in _one_line(err.replace("│", " "))
