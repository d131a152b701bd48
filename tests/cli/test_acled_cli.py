"""`accordwatch ingest acled` and `accordwatch fetch acled` as a user runs them (the API is a
fake behind an httpx.MockTransport; credentials from the environment, never printed)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from accordwatch._app import acled as app_acled
from accordwatch.sources.acled_api import AcledClient
from acled_files import FakeAcled, acled_rows, write_csv


def test_ingest_acled_reports_and_refuses_bad_rows(cli, empty_db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "mali.csv", acled_rows(40))
    code, _, err = cli("ingest", "acled", str(path), "--db", str(empty_db))
    assert code == 0, err
    assert "40 rows read — 40 new" in err
    code, _, err = cli("ingest", "acled", str(path), "--db", str(empty_db))
    assert code == 0 and "40 unchanged" in err
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[3][rows[0].index("latitude")] = "999"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, _, err = cli("ingest", "acled", str(path), "--db", str(empty_db))
    assert code != 0
    assert "line 4" in err and "latitude" in err and "Traceback" not in err


def test_ingest_acled_json_report(cli, empty_db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "mali.csv", acled_rows(5))
    code, out, _ = cli("ingest", "acled", str(path), "--db", str(empty_db), "--format", "json")
    assert code == 0
    (report,) = json.loads(out)
    assert report["inserted"] == 5 and report["source"] == "acled"


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> FakeAcled:
    server = FakeAcled(acled_rows(30))
    monkeypatch.setenv("ACLED_USERNAME", FakeAcled.USER)
    monkeypatch.setenv("ACLED_PASSWORD", FakeAcled.PASSWORD)

    def client(**kw: object) -> AcledClient:
        return AcledClient(transport=server.transport(), sleep=lambda s: None, page_size=10)

    monkeypatch.setattr(app_acled, "AcledClient", client)
    return server


def test_fetch_acled_syncs_the_store(cli, empty_db: Path, fake_api: FakeAcled) -> None:
    args = ("fetch", "acled", "--country", "Mali", "--since", "2023-01-01", "--ingest")
    code, _, err = cli(*args, "--db", str(empty_db))
    assert code == 0, err
    assert "30 events" in err and "30 new" in err
    assert FakeAcled.PASSWORD not in err and FakeAcled.USER not in err
    fake_api.deleted.append(
        {"event_id_cnty": fake_api.events[0]["event_id_cnty"], "deleted_timestamp": 2_000_000_000}
    )
    code, out, err = cli(*args, "--db", str(empty_db), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["deletions"]["deleted"] == 1 and report["timestamp_since"] is not None


def test_fetch_acled_saves_answers(cli, tmp_path: Path, fake_api: FakeAcled) -> None:
    out = tmp_path / "answers"
    code, _, err = cli(
        "fetch", "acled", "--country", "Mali", "--since", "2023-01-01", "-o", str(out)
    )
    assert code == 0, err
    assert len(list(out.glob("acled-mali-*.json"))) == 1


def test_fetch_acled_without_a_destination_or_an_account(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = cli("fetch", "acled", "--country", "Mali", "--since", "2023-01-01")
    assert code != 0 and "--out DIR" in err
    monkeypatch.delenv("ACLED_USERNAME", raising=False)
    monkeypatch.delenv("ACLED_PASSWORD", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    code, _, err = cli(
        "fetch", "acled", "--country", "Mali", "--since", "2023-01-01", "-o", str(tmp_path)
    )
    assert code != 0 and "ACLED_USERNAME" in err and "Traceback" not in err
