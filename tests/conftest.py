"""Shared fixtures: real-data slices and throw-away stores (never the user's store)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PACKAGE_DATA = Path(__file__).parents[1] / "src" / "accordwatch" / "data"


@pytest.fixture(autouse=True)
def _isolated_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test may touch the user's real store: point the default at a temp file."""
    monkeypatch.setenv(
        "ACCORDWATCH_DB", str(tmp_path_factory.mktemp("default-store") / "default.duckdb")
    )


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store built once per session; tests get copies of it."""
    import accordwatch as aw

    path = tmp_path_factory.mktemp("template") / "seeded.duckdb"
    aw.open_store(path).close()
    return path


@pytest.fixture
def seeded_db(seeded_template: Path, tmp_path: Path) -> Path:
    """Path of a fresh copy of the seeded default store."""
    target = tmp_path / "store.duckdb"
    shutil.copy(seeded_template, target)
    return target


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store with nothing in it (not seeded), made once per session; tests get
    copies of it."""
    from accordwatch.store import Store

    path = tmp_path_factory.mktemp("empty-template") / "empty.duckdb"
    with Store.open(path) as store:
        store.skip_seed()
    return path


@pytest.fixture
def empty_db(empty_template: Path, tmp_path: Path) -> Path:
    """Path of a fresh copy of a migrated store with nothing in it (not seeded)."""
    target = tmp_path / "empty.duckdb"
    shutil.copy(empty_template, target)
    return target


@pytest.fixture(scope="session")
def ged_slice() -> Path:
    return DATA / "ucdp" / "ged_caf_slice.csv"


@pytest.fixture
def ged_full() -> Path:
    return PACKAGE_DATA / "ucdp" / "GEDEvent_v23_1_CAF.csv"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run the console entry point as a user would.

    ``code, out, err = cli("events", "--db", …)``
    """
    import sys

    from accordwatch.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["accordwatch", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run
