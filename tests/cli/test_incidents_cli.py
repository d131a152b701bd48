"""``accordwatch incidents …`` and ``accordwatch claims …`` as a user runs them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import accordwatch as aw
from accordwatch.sources import Batch
from accordwatch.store import Store, ingest_batches
from accordwatch.store.schema import rows_to_table


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """GED slice events and a news record of the first of them (a day later, 3 km off)."""
    path = tmp_path_factory.mktemp("inc-cli") / "t.duckdb"
    with Store.open(path) as st:
        st.skip_seed()
    aw.ingest_ucdp(Path(__file__).parents[1] / "data" / "ucdp" / "ged_caf_slice.csv", db=path)
    ged = aw.events(path)
    g = ged[(ged["where_prec"] == 1) & (ged["date_prec"] == 1)].iloc[0]
    day = g["date_start"].date() + dt.timedelta(days=1)
    row = {
        "source": "text:doc-cli",
        "source_event_id": "doc-cli-1",
        "date_start": day,
        "date_end": day,
        "latitude": g["latitude"] + 0.027,
        "longitude": g["longitude"],
        "where_prec": 1,
        "side_a": g["side_a"],
        "side_b": g["side_b"],
        "type_of_violence": g["type_of_violence"],
        "country": g["country"],
        "country_id": g["country_id"],
        "best": 40,
    }
    batch = Batch(file="t", source="text:doc-cli", table=rows_to_table([row]), rows_read=1)
    with Store.open(path) as st:
        ingest_batches(st, [batch], kind="review")
    return path, f"ucdp-ged|{g['source_event_id']}", "text:doc-cli|doc-cli-1"


@pytest.fixture
def db(template: tuple[Path, str, str], tmp_path: Path) -> Path:
    target = tmp_path / "s.duckdb"
    shutil.copy(template[0], target)
    return target


def test_link_all_show_why_unlink(cli, db: Path, template: tuple[Path, str, str]) -> None:
    _, ged, text = template
    code, out, err = cli("incidents", "link-all", "--db", str(db), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["linked"] == 1
    code, _, err = cli("incidents", "link-all", "--db", str(db))
    assert code == 0 and "0 link(s) added, 0 removed" in err
    code, out, err = cli("incidents", "show", text, "--db", str(db))
    assert code == 0, err
    assert ged in out and text in out and "its figure is used" in out
    assert "source precedence" in err
    code, out, _ = cli("incidents", "show", "1", "--db", str(db), "--format", "json")
    shown = json.loads(out)
    assert [m["counted"] for m in shown["members"]] == [True, False]
    assert shown["members"][1]["explanation"]["actor_match"] in ("entity", "lineage")
    code, out, err = cli("incidents", "why", ged, text, "--db", str(db))
    assert code == 0 and "linkable" in err and "day(s) apart" in out
    code, out, _ = cli("incidents", "list", "--db", str(db), "--format", "json")
    assert json.loads(out)[0]["sources"] == "text, ucdp-ged"
    code, _, err = cli("incidents", "unlink", text, "--db", str(db))
    assert code == 2 and "say why" in err
    code, _, err = cli(
        "incidents", "unlink", text, "--reason", "another raid", "--by", "amina", "--db", str(db)
    )
    assert code == 0 and "dissolved" in err
    code, _, err = cli("incidents", "link-all", "--db", str(db))
    assert code == 0 and "0 link(s) added" in err
    code, _, err = cli("incidents", "why", ged, text, "--db", str(db))
    assert "an analyst unlinked them" in err


def test_manual_link_and_count(cli, db: Path, template: tuple[Path, str, str]) -> None:
    _, ged, text = template
    code, _, err = cli("incidents", "link", ged, text, "--reason", "same raid", "--db", str(db))
    assert code == 0 and "incident 1" in err
    code, _, err = cli(
        "incidents", "count", "1", text, "--reason", "GED undercounts", "--db", str(db)
    )
    assert code == 0 and "chosen by cli:" in err
    code, _, err = cli("incidents", "count", "1", "--reason", "back", "--db", str(db))
    assert code == 0 and "source precedence" in err


def test_claims_add_and_list(cli, db: Path, template: tuple[Path, str, str]) -> None:
    _, ged, _ = template
    code, _, err = cli(
        "claims",
        "add",
        "--claimant",
        "LRA",
        "--kind",
        "responsibility",
        "--evidence",
        "The LRA claimed the raid.",
        "--source",
        "radio",
        "--event",
        ged,
        "--db",
        str(db),
    )
    assert code == 0 and "claimed, not confirmed" in err
    code, out, _ = cli("claims", "list", "--event", ged, "--db", str(db), "--format", "json")
    rows = json.loads(out)
    assert [(r["claimant"], r["kind"]) for r in rows] == [("LRA", "responsibility")]
    code, _, err = cli(
        "claims",
        "add",
        "--claimant",
        "LRA",
        "--kind",
        "boast",
        "--evidence",
        "x",
        "--source",
        "y",
        "--db",
        str(db),
    )
    assert code == 2 and "claim kind 'boast' unknown" in err


def test_errors_are_messages(cli, db: Path) -> None:
    code, _, err = cli("incidents", "show", "42", "--db", str(db))
    assert code != 0 and "no incident 42" in err and "Traceback" not in err
    code, _, err = cli("incidents", "why", "12345", "acled|x", "--db", str(db))
    assert code == 2 and "SOURCE|ID" in err
