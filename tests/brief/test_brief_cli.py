"""``accordwatch brief``: the files it writes, the summary it prints, its errors (one line,
the right exit code, never a traceback)."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterator
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


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_brief_writes_the_pdf_with_the_umasks_mode(
    cli: Cli, store: Path, tmp_path: Path, umask_022: None
) -> None:
    html, pdf = tmp_path / "caf.html", tmp_path / "caf.pdf"
    code, stdout, err = cli(
        "brief",
        "CAF",
        "--db",
        str(store),
        "-m",
        "conflictology",
        "--out",
        str(html),
        "--pdf",
        str(pdf),
    )
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 20_000
    assert stdout.splitlines()[1].startswith(f"wrote {pdf}")
    assert pdf.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert html.stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.glob("*.tmp"))


def test_the_pdf_is_made_here_when_its_worker_fails(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accordwatch.brief import _pdf, _pdfjob, write

    real_job = _pdf.pdf_job
    broken = {"html": "<p>no place for the chart</p>", "charts": [{"id": "x"}]}
    jobs = iter([lambda b, **kw: broken, real_job])  # the worker's job, then this process's
    monkeypatch.setattr(_pdf, "pdf_job", lambda b, **kw: next(jobs)(b, **kw))
    results: list[bytes | None] = []
    result = _pdfjob.PdfWorker.result

    def recorded(self: _pdfjob.PdfWorker) -> bytes | None:
        results.append(result(self))
        return results[-1]

    monkeypatch.setattr(_pdfjob.PdfWorker, "result", recorded)
    written = write(
        "CAF", tmp_path / "caf.html", pdf=tmp_path / "caf.pdf", db=store, model="conflictology"
    )
    assert results == [None]  # the worker failed on its job ...
    assert written.pdf is not None  # ... and the PDF was made here
    assert written.pdf.read_bytes().startswith(b"%PDF-")


def test_the_worker_makes_the_same_pdf_as_this_process(store: Path, tmp_path: Path) -> None:
    from accordwatch.brief import _pdf, _pdfjob, gather

    b = gather("Mali", db=store, model="conflictology")
    whole = _pdf.pdf_job(b, split=False)
    assert "parts" not in whole and "numbers" not in whole
    with _pdfjob.PdfWorker.start() as worker:
        worker.send(whole)  # one document, as this process makes it
        there = worker.result()
    here = _pdf.pdf_bytes(b)
    assert there is not None and there.startswith(b"%PDF-")
    assert there == here  # the same file, however made


def _words_and_numbers(pdf: bytes, tmp_path: Path) -> tuple[set[str], list[tuple[int, int]]]:
    import re
    import shutil
    import subprocess

    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([tool, str(path), "-"], check=True, capture_output=True, text=True)
    numbers = [(int(n), int(m)) for n, m in re.findall(r"^(\d+)\s*/\s*(\d+)$", text.stdout, re.M)]
    words = set(re.sub(r"^\d+\s*/\s*\d+$", "", text.stdout, flags=re.M).split())
    return words, numbers


def test_the_worker_lays_the_pdf_out_in_two_parts_with_the_same_content(
    store: Path, tmp_path: Path
) -> None:
    import pikepdf

    from accordwatch.brief import _pdf, _pdfjob, gather

    if not _pdfjob.can_split():
        pytest.skip("no fork here: the worker lays the PDF out as one document")
    b = gather("Central African Republic", db=store, model="conflictology")
    job = _pdf.pdf_job(b)
    assert len(job["parts"]) == 2 and "@@PAGES@@" in job["numbers"]
    assert "html" not in job  # only the form the worker lays out is rendered
    with _pdfjob.PdfWorker.start() as worker:
        worker.send(job)
        split = worker.result()
    assert split is not None and split.startswith(b"%PDF-")
    whole = _pdf.pdf_bytes(b)
    assert split != whole
    # every word of the one-document PDF, and no other; each page numbered n / m in order
    split_words, split_numbers = _words_and_numbers(split, tmp_path)
    whole_words, whole_numbers = _words_and_numbers(whole, tmp_path)
    assert split_words == whole_words
    pages = len(pikepdf.open(io.BytesIO(split)).pages)
    assert split_numbers == [(n, pages) for n in range(1, pages + 1)]
    assert len(whole_numbers) <= pages <= len(whole_numbers) + 1  # part 2 starts a page

    def bookmarks(pdf: bytes) -> list[str]:
        with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_outline() as outline:
            found: list[str] = []
            todo = list(outline.root)
            while todo:
                item = todo.pop(0)
                found.append(str(item.title))
                todo[:0] = list(item.children)
            return found

    assert bookmarks(split) == bookmarks(whole)  # the same bookmarks, in order


def test_the_command_in_its_own_process_ends_at_once_with_everything_written(
    store: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    html, pdf = tmp_path / "caf.html", tmp_path / "caf.pdf"
    args = ["brief", "CAF", "--db", str(store), "-m", "conflictology"]
    args += ["--out", str(html), "--pdf", str(pdf)]
    done = subprocess.run(
        [sys.executable, "-m", "accordwatch", *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()  # flushed before the quick exit
    assert lines[0].startswith(f"wrote {html}") and lines[1].startswith(f"wrote {pdf}")
    assert len(lines) == 5 and lines[-1].startswith("trend:")
    assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    # a failing briefing keeps its exit code (3: not found) and message
    bad = subprocess.run(
        [sys.executable, "-m", "accordwatch", "brief", "Atlantis", "--db", str(store)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 3 and "Atlantis" in bad.stderr and "Traceback" not in bad.stderr


def test_where_no_page_can_be_split_the_job_is_one_document(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accordwatch.brief import _pdf, _pdfjob, gather

    b = gather("Central African Republic", db=store, model="conflictology")
    monkeypatch.setattr(_pdfjob, "can_split", lambda: False)
    job = _pdf.pdf_job(b)
    assert "parts" not in job and "numbers" not in job
    assert job["html"].count("<h2") >= 4 and job["charts"]  # the whole page, with its charts
