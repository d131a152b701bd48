"""``accordwatch brief``: the files it writes, the summary it prints, its errors (one line,
the right exit code, never a traceback)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def store(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("brief-cli") / "store.duckdb"
    shutil.copy(seeded_template, target)
    return target


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


def test_brief_writes_the_html_and_prints_the_headline(
    cli: Cli, store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "caf.html"
    code, stdout, err = cli(
        "brief", "CAF", "--db", str(store), "-m", "conflictology", "--out", str(out)
    )
    assert code == 0, err
    assert out.stat().st_size > 10_000
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    lines = stdout.strip().splitlines()
    assert lines[0].startswith(f"wrote {out}")
    assert lines[1] == (
        "Central African Republic, January–December 2022: counted from located events (UCDP GED)"
    )
    assert lines[2].startswith(
        "deaths 773 (low 773, high 899) in 105 events; previous period 1,080"
    )
    assert lines[3] == "trend: improved (the rule is in the methods section)"


def test_default_out_is_named_after_the_country_in_the_current_folder(
    cli: Cli, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, err = cli(
        "brief", "Mali", "--db", str(store), "-m", "conflictology", "--lang", "fr"
    )
    assert code == 0, err
    assert (tmp_path / "brief-mali.html").is_file()
    assert stdout.startswith("écrit brief-mali.html")
    assert "série pays-mois de VIEWS" in stdout and "tendance :" in stdout


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["Malia"], 3, "Did you mean: 'Mali'"),
        (["Mali", "--since", "2022-13"], 2, "--since '2022-13' is not a date"),
        (["Mali", "--until", "soon"], 2, "--until 'soon' is not a date"),
        (["Mali", "--since", "2022-06", "--until", "2022-01"], 2, "is after --until"),
        (["Mali", "--region", "Narnia"], 3, "no region 'Narnia'"),
        (["Mali", "--lang", "de"], 2, "'de' is not one of"),
    ],
)
def test_errors_are_one_line_without_traceback(
    cli: Cli, store: Path, tmp_path: Path, args: list[str], code: int, words: str
) -> None:
    got, _, err = cli("brief", *args, "--db", str(store), "--out", str(tmp_path / "b.html"))
    assert got == code, err
    assert words in err.replace("\n", " ")
    _no_traceback(err)
    assert not (tmp_path / "b.html").exists()


def test_out_may_not_be_the_store_or_a_folder(cli: Cli, store: Path, tmp_path: Path) -> None:
    code, _, err = cli("brief", "Mali", "--db", str(store), "--out", str(store))
    assert code == 2 and "is the store itself" in err
    code, _, err = cli("brief", "Mali", "--db", str(store), "--pdf", str(tmp_path))
    assert code == 2 and "--pdf" in err and "directory" in err
    _no_traceback(err)
