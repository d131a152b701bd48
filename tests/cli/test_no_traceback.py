"""No traceback reaches a user: a corpus of bad inputs a user can give, each run through the
command line, ends in an error message naming the file (and line, feature or field where there
is one) and an exit code from the errors tree — never a Python traceback, never the guard's
"internal error".

Every file is written here (no shared data beyond the suite's fixtures); a few cases also run
as a real ``python -m accordwatch`` process.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from csvrows import read_rows

INPUT, STORE = 2, 4  # exit codes of InputError and StoreError
DATA = Path(__file__).parents[1] / "data" / "ucdp"


@dataclass(frozen=True)
class Bad:
    """One bad input: ``make(dir)`` writes its files and returns the command's arguments
    (``{db}`` stands for the store); the run must exit ``code`` with every ``says`` in its
    messages."""

    make: Callable[[Path], list[str]]
    code: int
    says: tuple[str, ...]


def _slice_rows(n: int = 6) -> tuple[list[str], list[list[str]]]:
    header, rows = read_rows(DATA / "ged_caf_slice.csv")
    return header, rows[:n]  # the first rows are plain ASCII


def _csv_text(change: Callable[[list[str], list[list[str]]], None] | None = None) -> str:
    header, rows = _slice_rows()
    if change is not None:
        change(header, rows)
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _accented(header: list[str], rows: list[list[str]]) -> None:
    rows[3][header.index("where_description")] = "Bambari, préfecture de la Ouaka"


def _file(name: str, content: bytes | str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        path = d / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return make


def _ingest(make_file: Callable[[Path], Path], *extra: str) -> Callable[[Path], list[str]]:
    return lambda d: ["ingest", "ucdp", str(make_file(d)), "--db", "{db}", *extra]


def _geojson_with(geometry: object) -> bytes:
    doc = json.loads((DATA / "ged_caf_slice.geojson").read_text(encoding="utf-8"))
    doc["features"][2]["geometry"] = geometry
    return json.dumps(doc).encode("utf-8")


def _damaged_zip(d: Path) -> Path:
    path = d / "GEDEvent_v25_1.csv.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GEDEvent_v25_1.csv", (DATA / "ged_caf_slice.csv").read_bytes())
    data = bytearray(path.read_bytes())
    for i in range(80, 400):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    return path


def _latin1_zip(d: Path) -> Path:
    path = d / "ged.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("GEDEvent.csv", _csv_text(_accented).encode("latin-1"))
    return path


def _folder(d: Path) -> Path:
    (d / "events.csv").mkdir()
    return d / "events.csv"


def _a_file(d: Path) -> Path:
    path = d / "notes.txt"
    path.write_text("not a folder\n", encoding="utf-8")
    return path


def _provisions(text: str, encoding: str = "utf-8") -> Callable[[Path], list[str]]:
    return lambda d: [
        "accords",
        "load-provisions",
        str(_file("p.yaml", text.encode(encoding))(d)),
        "--db",
        "{db}",
    ]


HEAD = "agreement: 30\nprovisions:\n"

CORPUS: dict[str, Bad] = {
    # -- encodings
    "latin1 csv": Bad(
        _ingest(_file("latin1.csv", _csv_text(_accented).encode("latin-1"))),
        INPUT,
        ("latin1.csv, line 5: not UTF-8 text", "iconv -f latin1 -t utf-8 latin1.csv"),
    ),
    "cp1252 csv": Bad(
        _ingest(
            _file(
                "quotes.csv",
                _csv_text(
                    lambda h, r: r[2].__setitem__(h.index("side_b"), "“Rebels” – north")
                ).encode("cp1252"),
            )
        ),
        INPUT,
        ("quotes.csv, line 4: not UTF-8 text", "iconv -f cp1252 -t utf-8"),
    ),
    "latin1 csv.gz": Bad(
        _ingest(_file("ged.csv.gz", gzip.compress(_csv_text(_accented).encode("latin-1")))),
        INPUT,
        ("ged.csv.gz, line 5", "gunzip -c ged.csv.gz | iconv -f latin1 -t utf-8"),
    ),
    "latin1 zip member": Bad(
        _ingest(_latin1_zip), INPUT, ("ged.zip!GEDEvent.csv, line 5: not UTF-8", "unzip -p")
    ),
    "utf-16 without a mark": Bad(
        _ingest(_file("u16.csv", _csv_text().encode("utf-16-le"))),
        INPUT,
        ("u16.csv is not a CSV text file", "iconv -f utf-16le -t utf-8"),
    ),
    "gzip under a csv name": Bad(
        _ingest(_file("ged.csv", gzip.compress(_csv_text().encode()))),
        INPUT,
        ("ged.csv is not a CSV text file: it is gzip-compressed data",),
    ),
    "latin1 provisions": Bad(
        _provisions(HEAD + "  - {id: x.t1, level: title, title: Défense, source: me}\n", "latin-1"),
        INPUT,
        ("p.yaml, line 3: not UTF-8 text", "iconv -f latin1"),
    ),
    # -- YAML
    "impossible unquoted date": Bad(
        _provisions(
            HEAD + "  - {id: x.t1, level: title, title: T, source: me, date: 2024-02-30}\n"
        ),
        INPUT,
        ("p.yaml, line 3, field 'date': unknown field",),
    ),
    "impossible deadline": Bad(
        _provisions(
            HEAD + "  - {id: x.t1, level: title, title: T, source: me, deadline: 2024-02-30}\n"
        ),
        INPUT,
        ("p.yaml, line 3, field 'deadline': no such day in the calendar", "2024-02-30"),
    ),
    "a value YAML cannot build": Bad(
        _provisions("agreement: !!int thirty\nprovisions:\n  - {id: x.t1, level: title}\n"),
        INPUT,
        ("p.yaml is not valid YAML", "line 1"),
    ),
    # -- sizes and archives
    "damaged zip member": Bad(
        _ingest(_damaged_zip),
        INPUT,
        ("GEDEvent_v25_1.csv.zip!GEDEvent_v25_1.csv: cannot be read from the archive",),
    ),
    "truncated gzip": Bad(
        _ingest(_file("ged.csv.gz", gzip.compress(_csv_text().encode())[:-30])),
        INPUT,
        ("ged.csv.gz",),
    ),
    # -- JSON shapes
    "GeoJSON polygon": Bad(
        _ingest(
            _file(
                "ged.geojson",
                _geojson_with({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}),
            )
        ),
        INPUT,
        (
            "ged.geojson: 1 feature cannot be read",
            "feature 3: the geometry is Polygon, not a Point",
        ),
    ),
    "GeoJSON coordinates of text": Bad(
        _ingest(_file("ged.geojson", _geojson_with({"type": "Point", "coordinates": "ab"}))),
        INPUT,
        ("feature 3: the Point's coordinates must be [longitude, latitude]",),
    ),
    "API Result not a list": Bad(
        _ingest(_file("api.json", '{"Result": 5}')), INPUT, ("api.json: 'Result' must be a list",)
    ),
    "API events not objects": Bad(
        _ingest(_file("api.json", '{"Result": [1, 2]}')),
        INPUT,
        ("api.json, event 1: expected an event",),
    ),
    "features not a list": Bad(
        _ingest(_file("g.geojson", '{"features": {"a": 1}}')),
        INPUT,
        ("g.geojson: 'features' must be a list",),
    ),
    "truncated JSON": Bad(
        _ingest(_file("api.json", '{"Result": [{"id": 1}')),
        INPUT,
        ("api.json, line 1: not valid JSON", "truncated"),
    ),
    "deeply nested JSON": Bad(
        _ingest(_file("api.json", "[" * 100_000)), INPUT, ("api.json", "nested too deeply")
    ),
    # -- paths
    "input is a folder": Bad(
        lambda d: ["ingest", "ucdp", str(_folder(d)), "--db", "{db}"],
        INPUT,
        ("events.csv", "folder"),
    ),
    "provision file is a folder": Bad(
        lambda d: ["accords", "load-provisions", str(_folder(d)), "--db", "{db}"],
        INPUT,
        ("events.csv is a folder",),
    ),
    "assessment file is a folder": Bad(
        lambda d: ["accords", "import-assessments", str(_folder(d)), "--db", "{db}"],
        INPUT,
        ("events.csv is a folder",),
    ),
    "gold file is a folder": Bad(
        lambda d: ["extract-eval", str(_folder(d)), str(_file("t.txt", "Kidal.")(d))],
        INPUT,
        ("events.csv is a folder",),
    ),
    "input is missing": Bad(
        lambda d: ["ingest", "ucdp", str(d / "nowhere.csv"), "--db", "{db}"],
        INPUT,
        ("nowhere.csv",),
    ),
    "--db under a file": Bad(
        lambda d: ["events", "--db", str(_a_file(d) / "store.duckdb")],
        STORE,
        ("notes.txt is a file, not a folder",),
    ),
    "--out is a folder": Bad(
        lambda d: ["events", "--db", "{db}", "-f", "csv", "--out", str(_folder(d))],
        INPUT,
        ("is a directory",),
    ),
    "--out under a file": Bad(
        lambda d: ["events", "--db", "{db}", "-f", "csv", "--out", str(_a_file(d) / "e.csv")],
        INPUT,
        ("notes.txt is a file, not a folder", "nothing was written"),
    ),
    "export-assessments --out under a file": Bad(
        lambda d: ["accords", "export-assessments", "--db", "{db}", "-o", str(_a_file(d) / "a")],
        INPUT,
        ("notes.txt is a file, not a folder",),
    ),
    "--quarantine a folder": Bad(
        lambda d: [
            "ingest",
            "ucdp",
            str(_file("b.csv", _csv_text(lambda h, r: r[1].__setitem__(h.index("best"), "x")))(d)),
            "--db",
            "{db}",
            "--on-error",
            "quarantine",
            "--quarantine",
            str(_folder(d)),
        ],
        INPUT,
        ("the quarantine file", "is a folder"),
    ),
    "--quarantine under a file": Bad(
        lambda d: [
            "ingest",
            "ucdp",
            str(_file("b.csv", _csv_text(lambda h, r: r[1].__setitem__(h.index("best"), "x")))(d)),
            "--db",
            "{db}",
            "--on-error",
            "quarantine",
            "--quarantine",
            str(_a_file(d) / "q.csv"),
        ],
        INPUT,
        ("cannot write the quarantine file", "nothing was loaded"),
    ),
    "--chart under a file": Bad(
        lambda d: ["forecast", "-c", "Mali", "--chart", str(_a_file(d) / "c.png")],
        INPUT,
        ("--chart", "notes.txt is a file, not a folder"),
    ),
    # -- other readers
    "latin1 assessments": Bad(
        lambda d: [
            "accords",
            "import-assessments",
            str(
                _file(
                    "a.csv",
                    "provision_id,date,score,assessor,evidence,source_url\n"
                    "mali2015.t3,2020-01-01,1,Agnès,seen,\n".encode("latin-1"),
                )(d)
            ),
            "--db",
            "{db}",
        ],
        INPUT,
        ("a.csv, line 2: not UTF-8 text",),
    ),
    "latin1 gold file": Bad(
        lambda d: [
            "extract-eval",
            str(_file("gold.json", '{"events": [], "note": "café"}'.encode("latin-1"))(d)),
            str(_file("t.txt", "Kidal.")(d)),
        ],
        INPUT,
        ("gold.json, line 1: not UTF-8 text",),
    ),
}


def _run(cli, case: Bad, tmp_path: Path, db: Path) -> tuple[int, str, str]:
    args = [str(db) if a == "{db}" else a for a in case.make(tmp_path)]
    return cli(*args)


def _no_traceback(out: str, err: str) -> None:
    for stream in (out, err):
        assert "Traceback" not in stream
        assert "internal error" not in stream
        assert "Error:" not in stream.replace("error:", "")  # no exception class names


@pytest.mark.parametrize("name", list(CORPUS))
def test_bad_input_ends_in_a_message_and_an_exit_code(
    cli, seeded_db: Path, tmp_path: Path, name: str
) -> None:
    case = CORPUS[name]
    code, out, err = _run(cli, case, tmp_path, seeded_db)
    _no_traceback(out, err)
    assert code == case.code, err
    text = " ".join(err.split())  # messages may wrap
    for part in case.says:
        assert " ".join(part.split()) in text, f"{part!r} not in {err!r}"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
@pytest.mark.parametrize("what", ["--out", "--db"])
def test_a_read_only_folder_is_named(cli, seeded_db: Path, tmp_path: Path, what: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if what == "--out":
            code, out, err = cli(
                "events", "--db", str(seeded_db), "-f", "csv", "--out", str(locked / "e.csv")
            )
            assert code == INPUT and "may not be written to" in err
        else:
            code, out, err = cli("init", "--db", str(locked / "store.duckdb"))
            assert code == STORE and "permission denied" in err
        _no_traceback(out, err)
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys")
def test_a_folder_that_takes_no_files_is_named(cli, seeded_db: Path) -> None:
    """/sys refuses new files even to root: the export says so instead of failing late."""
    code, out, err = cli("events", "--db", str(seeded_db), "-f", "csv", "--out", "/sys/e.csv")
    _no_traceback(out, err)
    assert code == INPUT and "cannot write /sys/e.csv" in err and "nothing was written" in err
    code, out, err = cli("init", "--db", "/sys/store.duckdb")
    _no_traceback(out, err)
    assert code == STORE and "cannot create the store /sys/store.duckdb" in err


# -- the guard ------------------------------------------------------------------------------------
def _explode(exc: BaseException) -> Callable[..., object]:
    def raise_it(*_args: object, **_kwargs: object) -> object:
        raise exc

    return raise_it


def test_an_unexpected_exception_is_a_short_internal_error(
    cli, seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import accordwatch._api as api

    monkeypatch.delenv("ACCORDWATCH_DEBUG", raising=False)
    monkeypatch.setattr(api, "store_info", _explode(ZeroDivisionError("[/x] went wrong")))
    code, out, err = cli("info", "--db", str(seeded_db))
    assert code == 1 and "Traceback" not in err
    assert "internal error: ZeroDivisionError: [/x] went wrong" in err
    assert "ACCORDWATCH_DEBUG=1" in err and "report it" in err


def test_debug_shows_the_exception(cli, seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import accordwatch._api as api

    monkeypatch.setenv("ACCORDWATCH_DEBUG", "1")
    monkeypatch.setattr(api, "store_info", _explode(ZeroDivisionError("boom")))
    with pytest.raises(ZeroDivisionError, match="boom"):
        cli("info", "--db", str(seeded_db))


def test_an_os_error_nothing_explained_names_the_path(
    cli, seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import accordwatch._api as api

    monkeypatch.setattr(
        api, "store_info", _explode(PermissionError(13, "Permission denied", "/srv/[data].csv"))
    )
    code, out, err = cli("info", "--db", str(seeded_db))
    _no_traceback(out, err)
    assert code == INPUT and "cannot use /srv/[data].csv: permission denied" in err


def test_ctrl_c_exits_130_quietly(cli, seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import accordwatch._api as api

    monkeypatch.setattr(api, "store_info", _explode(KeyboardInterrupt()))
    code, out, err = cli("info", "--db", str(seeded_db))
    assert code == 130 and out == "" and "Traceback" not in err


# -- a real process -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["latin1 csv", "impossible deadline", "GeoJSON polygon"])
def test_a_real_process_prints_no_traceback(seeded_db: Path, tmp_path: Path, name: str) -> None:
    case = CORPUS[name]
    args = [str(seeded_db) if a == "{db}" else a for a in case.make(tmp_path)]
    run = subprocess.run(
        [sys.executable, "-m", "accordwatch", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "ACCORDWATCH_DEBUG": ""},
    )
    _no_traceback(run.stdout, run.stderr)
    assert run.returncode == case.code, run.stderr
    assert case.says[0] in " ".join(run.stderr.split())


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_data_on_a_non_utf8_terminal_is_written_as_utf8(seeded_db: Path, fmt: str) -> None:
    """An ASCII locale cannot encode 'é': data goes out as UTF-8, like every file written."""
    run = subprocess.run(
        [sys.executable, "-m", "accordwatch", "events", "--db", str(seeded_db), "-f", fmt],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    stderr = run.stderr.decode("utf-8", "replace")
    _no_traceback("", stderr)
    assert run.returncode == 0, stderr
    text = run.stdout.decode("utf-8")  # strict: it is UTF-8
    assert "alliés" in text
    if fmt == "json":
        assert len(json.loads(text)) > 1000
