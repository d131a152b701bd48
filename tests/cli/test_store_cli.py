"""The command line over the store, run as a user runs it (through ``main``)."""

from __future__ import annotations

import json
from pathlib import Path

from accordwatch.cli import app


def test_ingest_then_query_as_json(cli, empty_db: Path, ged_slice: Path) -> None:
    code, out, err = cli(
        "ingest", "ucdp", str(ged_slice), "--db", str(empty_db), "--format", "json"
    )
    assert code == 0, err
    (report,) = json.loads(out)
    assert report["inserted"] == 39 and report["errors"] == []
    code, out, err = cli("events", "--db", str(empty_db), "--format", "json", "--since", "2014")
    assert code == 0
    rows = json.loads(out)  # stdout is JSON and nothing else
    assert rows and all(r["date_start"] >= "2014-01-01" for r in rows)


def test_reingest_reports_unchanged(cli, empty_db: Path, ged_slice: Path) -> None:
    cli("ingest", "ucdp", str(ged_slice), "--db", str(empty_db))
    code, out, err = cli("ingest", "ucdp", str(ged_slice), "--db", str(empty_db))
    assert code == 0 and "0 new, 0 updated, 39 unchanged" in err


def test_bad_file_exits_2_with_file_line_field(
    cli, empty_db: Path, ged_slice: Path, tmp_path: Path
) -> None:
    text = ged_slice.read_text(encoding="utf-8").splitlines(keepends=True)
    text[1] = text[1].replace(",Clear,1,", ",Clear,9,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(text), encoding="utf-8")
    code, out, err = cli("ingest", "ucdp", str(bad), "--db", str(empty_db))
    assert code == 2
    assert "bad.csv, line 2, field 'type_of_violence': must be 1, 2 or 3" in err.replace("\n", " ")
    code, out, err = cli(
        "ingest", "ucdp", str(bad), "--db", str(empty_db), "--on-error", "quarantine"
    )
    assert code == 0 and "1 rejected" in err and (tmp_path / "bad.csv.rejected.csv").exists()


def test_events_formats(cli, seeded_db: Path, tmp_path: Path) -> None:
    code, out, _ = cli(
        "events", "--db", str(seeded_db), "-c", "CAF", "--since", "2022-12", "-f", "geojson"
    )
    assert code == 0 and json.loads(out)["type"] == "FeatureCollection"
    code, out, _ = cli("events", "--db", str(seeded_db), "--since", "2022-12", "-f", "csv")
    assert out.splitlines()[0].startswith("source,source_event_id,")
    code, out, err = cli("events", "--db", str(seeded_db), "-f", "parquet")
    assert code == 2 and "--out" in err
    target = tmp_path / "e.parquet"
    code, out, err = cli("events", "--db", str(seeded_db), "-f", "parquet", "-o", str(target))
    assert code == 0 and target.stat().st_size > 1000 and out == ""
    code, out, _ = cli(
        "events", "--db", str(seeded_db), "-c", "CAF", "--since", "2022-12", "--limit", "2"
    )
    assert "2 events" in out and "Government of Central African Republic" in out


def test_stats_json(cli, seeded_db: Path) -> None:
    code, out, _ = cli("stats", "--db", str(seeded_db), "--by", "year", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and sum(r["events"] for r in rows) == 1848 + 9  # CAR's GED, Mali's text


def test_unknown_things_exit_3_with_suggestions(cli, seeded_db: Path) -> None:
    code, _, err = cli("events", "--db", str(seeded_db), "--actor", "JNMI")
    assert code == 3 and "JNIM" in err
    code, _, err = cli("history", "nope", "--db", str(seeded_db))
    assert code == 3 and "no event ucdp-ged:nope" in err


def test_info_runs_and_init(cli, tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    code, _, err = cli("init", "--db", str(db), "--empty")
    assert code == 0 and "0 events" in err
    code, out, _ = cli("info", "--db", str(db), "--format", "json")
    assert json.loads(out)["events"] == 0  # --empty: never seeded, even on later use
    code, out, _ = cli("runs", "--db", str(db), "--format", "json")
    assert json.loads(out) == []


def _commands(group, prefix=()):  # every leaf command of the app, as a path
    import typer.main

    cmd = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, sub in getattr(cmd, "commands", {}).items():
        if hasattr(sub, "commands"):
            yield from _commands(sub, (*prefix, name))
        else:
            yield (*prefix, name), sub


def test_every_command_has_help_and_an_example_or_description() -> None:
    cmds = list(_commands(app))
    assert {("ingest", "ucdp"), ("events",), ("stats",), ("history",), ("runs",)} <= {
        c for c, _ in cmds
    }
    for path, cmd in cmds:
        assert cmd.help and len(cmd.help.strip()) > 20, f"{' '.join(path)} has no help text"
        for p in cmd.params:
            if p.param_type_name == "option":
                assert p.help, f"{' '.join(path)} {p.opts[0]} has no help"


def test_no_command_writes_its_out_file_over_the_store(cli, seeded_db: Path) -> None:
    """Every --out is checked before any work: the store (or any DuckDB file) is never
    replaced, and the message says so with exit code 2."""
    before = seeded_db.read_bytes()
    for args in (
        ["events", "--format", "csv", "--out", str(seeded_db)],
        ["accords", "export-assessments", "--out", str(seeded_db)],
        ["fetch", "ucdp", "--token", "x", "--out", str(seeded_db)],
    ):
        code, out, err = cli(*args, "--db", str(seeded_db))
        assert code == 2, (args, err)
        assert "Traceback" not in err and "nothing was written" in err, (args, err)
    assert seeded_db.read_bytes() == before


def test_events_with_no_match_say_so(seeded_db: Path) -> None:
    from typer.testing import CliRunner

    from accordwatch.cli import app

    res = CliRunner().invoke(app, ["events", "--country", "Iceland", "--db", str(seeded_db)])
    assert res.exit_code == 0 and "no events match these filters" in res.output
