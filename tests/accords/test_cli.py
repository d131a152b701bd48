"""The ``accordwatch accords`` commands: thin wrappers, JSON on stdout, errors as library errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accordwatch.cli import app
from accordwatch.errors import InputError, NotFound

runner = CliRunner()


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_and_show_json(adb: Path) -> None:
    rows = _json(["accords", "list", "--country", "Mali", "--format", "json", "--db", str(adb)])
    assert [r["agreement_id"] for r in rows][-1] == 30
    rec = _json(["accords", "show", "30", "--format", "json", "--db", str(adb)])
    assert rec["signed"] == "2015-06-20" and rec["provisions"]["title"] == 7


def test_provisions_tree_json(adb: Path) -> None:
    tree = _json(["accords", "provisions", "30", "--tree", "--format", "json", "--db", str(adb)])
    assert [t["number"] for t in tree] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    flat = _json(["accords", "provisions", "30", "--format", "json", "--db", str(adb)])
    assert any(r["provision_id"] == "mali2015.t6.a63" for r in flat)


def test_assess_index_and_export(adb: Path, tmp_path: Path) -> None:
    rec = _json(
        [
            "accords",
            "assess",
            "mali2015.t6.csa",
            "--score",
            "3",
            "--date",
            "2015-07-01",
            "--evidence",
            "Committee installed",
            "--assessor",
            "cli test",
            "--format",
            "json",
            "--db",
            str(adb),
        ]
    )
    assert rec["score"] == "3" and rec["label"] == "full"
    idx = _json(["accords", "index", "30", "--format", "json", "--db", str(adb)])
    assert idx[0]["index"] == 100.0
    out = tmp_path / "a.csv"
    result = runner.invoke(
        app, ["accords", "export-assessments", "--out", str(out), "--db", str(adb)]
    )
    assert result.exit_code == 0 and out.read_text().startswith("provision_id,date,score")
    dup = runner.invoke(app, ["accords", "import-assessments", str(out), "--db", str(adb)])
    assert dup.exit_code == 2 and "nothing was loaded" in dup.stderr


def test_import_load_timeline_health(adb: Path, data: Path) -> None:
    res = _json(
        [
            "accords",
            "import-assessments",
            str(data / "assessments_good.csv"),
            "--format",
            "json",
            "--db",
            str(adb),
        ]
    )
    assert res["imported"] == 6
    res = _json(
        [
            "accords",
            "load-provisions",
            str(data / "extra_provisions.yaml"),
            "--format",
            "json",
            "--db",
            str(adb),
        ]
    )
    assert res["inserted"] == 1
    tl = _json(["accords", "timeline", "--country", "Mali", "--format", "json", "--db", str(adb)])
    assert any(r["milestone_kinds"] and "termination" in r["milestone_kinds"] for r in tl)
    health = _json(["accords", "health", "30", "--format", "json", "--db", str(adb)])
    assert health[-1]["status"] == "terminated"
    table = runner.invoke(app, ["accords", "health", "30", "--db", str(adb)])
    assert table.exit_code == 0 and "terminated" in table.stdout
    tl_table = runner.invoke(
        app, ["accords", "timeline", "--country", "Mali", "--db", str(adb)], env={"COLUMNS": "250"}
    )
    assert tl_table.exit_code == 0, tl_table.output
    # the fatalities' source is named once, in the title; months read YYYY-MM
    assert (
        tl_table.stdout.count("UCDP GED state-based deaths") == 1
        and "Timeline of Mali" in tl_table.stdout
    )
    assert "│ 2015-06 │ 18 " in tl_table.stdout and "2015-06-01" not in tl_table.stdout


def test_errors_exit_with_the_library_error_code(adb: Path) -> None:
    r = runner.invoke(
        app,
        [
            "accords",
            "assess",
            "no.such",
            "--score",
            "1",
            "--date",
            "2016-01-01",
            "--evidence",
            "x",
            "--db",
            str(adb),
        ],
    )
    assert r.exit_code == NotFound.exit_code == 3 and "no.such" in r.stderr
    r = runner.invoke(
        app,
        [
            "accords",
            "assess",
            "mali2015.t6.csa",
            "--score",
            "7",
            "--date",
            "2016-01-01",
            "--evidence",
            "x",
            "--db",
            str(adb),
        ],
    )
    assert r.exit_code == InputError.exit_code == 2 and "error:" in r.stderr
    r = runner.invoke(app, ["accords", "show", "123456", "--db", str(adb)])
    assert r.exit_code == 3 and "123456" in r.stderr


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["accords", "--help"])
    for name in (
        "list",
        "show",
        "provisions",
        "assess",
        "timeline",
        "health",
        "import-assessments",
        "export-assessments",
        "load-provisions",
        "index",
        "events",
        "violations",
    ):
        assert name in result.stdout


def test_bad_until_and_radius_are_refused_before_any_table(adb: Path) -> None:
    res = runner.invoke(app, ["accords", "index", "30", "--until", "garbage", "--db", str(adb)])
    assert res.exit_code == 2 and "until 'garbage' is not a date" in res.output
    assert "┃" not in res.output  # no empty table
    for bad in ("-5", "nan", "0"):
        res = runner.invoke(
            app, ["accords", "events", "MLI-2015-1", "--radius-km", bad, "--db", str(adb)]
        )
        assert res.exit_code == 2 and "above 0 km" in res.output, (bad, res.output)


def test_an_index_without_assessments_says_so(adb: Path) -> None:
    res = runner.invoke(app, ["accords", "index", "30", "--db", str(adb)])
    assert res.exit_code == 0 and "no assessments yet" in res.output and "┃" not in res.output
