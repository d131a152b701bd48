"""The extract, extract-eval and review commands (JSON on stdout only)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accordwatch._app.seed import TEXT_EVENT_SOURCES
from accordwatch.cli import app

runner = CliRunner()


def test_extract_json_contract(data_dir: Path) -> None:
    res = runner.invoke(
        app,
        [
            "extract",
            str(data_dir / "report_fr.txt"),
            "--published",
            "2024-03-14",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [e["type"] for e in doc["events"]] == ["clash", "ambush", "base_handover"]
    assert doc["places_mentioned"][:2] == ["Gao", "Léré"]


def test_extract_bad_input_is_a_message_not_a_crash(tmp_path: Path) -> None:
    f = tmp_path / "blob.txt"
    f.write_bytes(b"\x00\x01\x02")
    res = runner.invoke(app, ["extract", str(f), "--format", "json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["events"] == []
    assert "binary" in res.stderr


def test_extract_eval_reads_published_from_gold(data_dir: Path) -> None:
    res = runner.invoke(
        app,
        [
            "extract-eval",
            str(data_dir / "report_en.gold.json"),
            str(data_dir / "report_en.txt"),
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["core"]["f1"] == 1.0 and s["places"]["recall"] == 1.0


def test_review_flow(tmp_path: Path, data_dir: Path) -> None:
    db = str(tmp_path / "aw.duckdb")
    res = runner.invoke(
        app,
        [
            "extract",
            str(data_dir / "report_en.txt"),
            "--published",
            "2024-03-14",
            "--queue",
            "--db",
            db,
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    listed = json.loads(
        runner.invoke(app, ["review", "list", "--db", db, "--format", "json"]).stdout
    )
    # the army's "neutralised 30 terrorists" is queued as a claim, apart from the events
    assert [c["event_type"] for c in listed if c["event_type"] != "claim"] == [
        "clash",
        "attack_on_civilians",
        "airstrike",
    ]
    assert [c["event_type"] for c in listed].count("claim") == 1
    first, second, third = (c["candidate_id"] for c in listed if c["event_type"] != "claim")
    assert (
        runner.invoke(
            app, ["review", "edit", str(second), "--date", "2024-03-10", "--db", db]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(app, ["review", "accept", str(first), str(second), "--db", db]).exit_code == 0
    )
    assert (
        runner.invoke(
            app,
            ["review", "reject", str(third), "--reason", "unconfirmed", "--reviewer", "ana"]
            + ["--db", db],
        ).exit_code
        == 0
    )
    events = json.loads(
        runner.invoke(app, ["events", "--source", "text", "--db", db, "--format", "json"]).stdout
    )
    events = [e for e in events if e["source"] not in TEXT_EVENT_SOURCES]  # the bundled ones
    assert len(events) == 2
    rejected = json.loads(
        runner.invoke(
            app, ["review", "list", "--status", "rejected", "--db", db, "--format", "json"]
        ).stdout
    )
    assert [r["reason"] for r in rejected] == ["unconfirmed"]
    res = runner.invoke(app, ["review", "accept", "999", "--db", db])
    assert res.exit_code != 0
    one = runner.invoke(
        app, ["review", "list", "--status", "all", "--limit", "1", "--db", db, "--format", "json"]
    )
    # the oldest candidate: the bundled text events were accepted when the store was made
    assert [c["candidate_id"] for c in json.loads(one.stdout)] == [1]
    shown = json.loads(runner.invoke(app, ["review", "show", str(third), "--db", db]).stdout)
    assert shown["status"] == "rejected" and shown["log"][-1]["detail"] == "unconfirmed; by ana"
