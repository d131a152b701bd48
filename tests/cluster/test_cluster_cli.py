"""``--cluster`` on the command line: the same output as without it, one writer for the review
queue, a clear message without Dask, and Ctrl-C: exit 130, no traceback, no worker left."""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accordwatch.cli import app

from .conftest import EXTRACT, SAHEL

runner = CliRunner()
SRC = Path(__file__).parents[2] / "src" / "accordwatch"


def _ok(args: list[str]) -> str:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_backtest_json_is_the_same_with_threads() -> None:
    pytest.importorskip("distributed")
    args = ["backtest", "cm", "--data", str(SAHEL), "--origins", "october", "--from", "2020"]
    args += ["--to", "2021", "-m", "conflictology", "-f", "json"]
    assert json.loads(_ok([*args, "--cluster", "threads:2"])) == json.loads(_ok(args))
    years = ["backtest", "cm", "--data", str(SAHEL), "--test-years", "2020", "-m", "last"]
    assert _ok([*years, "-f", "csv", "--cluster", "threads"]) == _ok([*years, "-f", "csv"])


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    for f in sorted(EXTRACT.glob("*.txt")):
        shutil.copy(f, folder / f.name)
    return folder


def test_extract_and_queue_with_threads(texts: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    base = ["extract", str(texts), "--published", "2023-10-05", "-f", "json", "--queue"]
    here = runner.invoke(app, [*base, "--db", str(tmp_path / "a.duckdb")])
    there = runner.invoke(
        app, [*base, "--db", str(tmp_path / "b.duckdb"), "--cluster", "threads:2"]
    )
    assert here.exit_code == there.exit_code == 0, there.output
    assert json.loads(there.stdout) == json.loads(here.stdout)
    queued = [line for line in there.stderr.splitlines() if "in the review queue" in line]
    assert queued and queued == [
        line for line in here.stderr.splitlines() if "in the review queue" in line
    ]
    listed = [
        runner.invoke(app, ["review", "list", "--db", str(tmp_path / db), "-f", "json"]).stdout
        for db in ("a.duckdb", "b.duckdb")
    ]
    assert json.loads(listed[0]) == json.loads(listed[1]) and len(json.loads(listed[0])) > 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "lokal"], "give local, local:N"),
        (["--cluster", "local:0"], "at least 1"),
        (["--cluster", "tcp://a b:1"], "PROTOCOL://HOST:PORT"),
        (["--dashboard"], "give --cluster too"),
    ],
)
def test_bad_cluster_options(args: list[str], message: str) -> None:
    for cmd in (["extract", str(EXTRACT / "folder")], ["backtest", "cm", "--test-years", "2020"]):
        res = runner.invoke(app, [*cmd, *args])
        assert res.exit_code == 2 and message in res.output, res.output
        assert "Traceback" not in res.output


def test_without_dask_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    res = runner.invoke(app, ["extract", str(EXTRACT / "folder"), "--cluster", "local:2"])
    assert res.exit_code == 2
    assert "install accordwatch[cluster]" in res.output and "Traceback" not in res.output
    plain = runner.invoke(app, ["extract", str(EXTRACT / "folder"), "-f", "json"])
    assert plain.exit_code == 0  # without --cluster nothing needs Dask


def test_unreachable_scheduler_is_an_input_error() -> None:
    pytest.importorskip("distributed")
    res = runner.invoke(app, ["extract", str(EXTRACT / "folder"), "--cluster", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2 and "cannot reach the Dask scheduler" in res.output


def test_ctrl_c_cancels_and_exits_130(tmp_path: Path) -> None:
    """A real process on a LocalCluster of 2 (spawned through ``python -m accordwatch``):
    Ctrl-C to the process group once the workers are ready."""
    pytest.importorskip("distributed")
    env = dict(os.environ, ACCORDWATCH_DB=str(tmp_path / "s.duckdb"), COLUMNS="100")
    cmd = [sys.executable, "-m", "accordwatch", "backtest", "cm", "--test-years", "2015-2021"]
    proc = subprocess.Popen(
        [*cmd, "--cluster", "local:2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "worker(s) ready" in line:
            break
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    rest, _ = proc.communicate(timeout=120)[1], None
    err = "".join(lines) + rest
    assert proc.returncode == 130, err
    assert "interrupted: the tasks were cancelled" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    for _ in range(100):  # the workers and multiprocessing's tracker end within seconds
        left = subprocess.run(["pgrep", "-a", "-g", str(proc.pid)], capture_output=True, text=True)
        if not left.stdout.strip():
            break
        time.sleep(0.2)
    assert left.stdout.strip() == "", f"processes left behind: {left.stdout}"


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.append(node.module or "")
    return names


def test_only_the_cluster_modules_import_dask() -> None:
    """The core stays pure: forecast/, extract/ and the rest never import Dask; the Dask code
    lives in _app/cluster*.py (cli/_cluster.py names its Client type for type checkers only)."""
    allowed = {SRC / "_app" / "cluster.py", SRC / "cli" / "_cluster.py"}
    allowed |= set((SRC / "_app").glob("cluster_*.py"))
    users = {
        p
        for p in SRC.rglob("*.py")
        if any(n.split(".")[0] in ("dask", "distributed") for n in _imports(p))
    }
    assert users <= allowed, sorted(str(p.relative_to(SRC)) for p in users - allowed)
    assert not [p for p in users if p.parent.name in ("forecast", "extract")]


def test_dashboard_without_bokeh_says_so() -> None:
    pytest.importorskip("distributed")
    import importlib.util

    if importlib.util.find_spec("bokeh") is not None:
        pytest.skip("Bokeh is installed here: the dashboard would start")
    res = runner.invoke(
        app, ["extract", str(EXTRACT / "folder"), "--cluster", "threads:1", "--dashboard"]
    )
    assert res.exit_code == 2 and "needs Bokeh" in res.output, res.output
