"""Progress within one large file: the library's callback and the CLI's status line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accordwatch.cli import app, extract_cmds
from accordwatch.extract import extract_path

runner = CliRunner()

_PARAGRAPH = (
    "Le 3 mars 2023, des hommes armés ont attaqué un poste de l'armée à Boni. "
    "On Tuesday, gunmen killed 12 villagers near Gao, officials said.\n"
)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "long.txt"
    path.write_text(_PARAGRAPH * 300, encoding="utf-8")  # ~40 KB, many sentences
    return path


def test_file_progress_rises_to_the_whole_file(big_file: Path) -> None:
    calls: list[tuple[int, int]] = []
    extract_path(big_file, published="2023-10-05", file_progress=lambda d, t: calls.append((d, t)))
    total = len(big_file.read_text(encoding="utf-8"))
    assert len(calls) >= 20  # many steps inside the one file, not one per file
    assert len(calls) <= 110  # about a hundred at most, whatever the size
    assert all(t == total for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == total


class _Recorder:
    """Stands in for the stderr console: records the status lines the command shows."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.opened = 0

    @contextmanager
    def status(self, first: str) -> Iterator[_Recorder]:
        self.opened += 1
        self.lines.append(first)
        yield self

    def update(self, line: str) -> None:
        self.lines.append(line)

    def print(self, *args: object, **kwargs: object) -> None:
        pass


def test_the_status_line_tells_how_far_into_the_file(
    big_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = _Recorder()
    monkeypatch.setattr(extract_cmds, "err", rec)
    res = runner.invoke(app, ["extract", str(big_file), "--published", "2023-10-05"])
    assert res.exit_code == 0, res.output
    within = [ln for ln in rec.lines if "%" in ln]
    assert len(within) >= 20
    assert within[-1] == f"file 1/1: {big_file} (0.0 MB) 100 % …"


def test_quiet_shows_no_status(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = _Recorder()
    monkeypatch.setattr(extract_cmds, "err", rec)
    res = runner.invoke(
        app, ["extract", str(big_file), "--published", "2023-10-05", "--quiet", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert rec.opened == 0 and rec.lines == []
    assert json.loads(res.stdout)["events"]


def test_no_progress_when_stderr_is_not_a_terminal(big_file: Path) -> None:
    res = runner.invoke(
        app, ["extract", str(big_file), "--published", "2023-10-05", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert "%" not in res.stderr and "file 1/1" not in res.stderr
