"""The command line runs as ``python -m accordwatch`` as well as the ``accordwatch`` script."""

from __future__ import annotations

import os
import subprocess
import sys

# the user's environment, at a fixed width and without colour
ENV = {
    **{k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TERMINAL_WIDTH"}},
    "COLUMNS": "100",
    "NO_COLOR": "1",
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accordwatch", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=ENV,
    )


def test_python_m_accordwatch_shows_the_help() -> None:
    done = _run("--help")
    assert done.returncode == 0, done.stderr
    assert "Usage: python -m accordwatch [OPTIONS] COMMAND [ARGS]..." in done.stdout
    for command in ("events", "forecast", "accords", "review"):
        assert f"│ {command} " in done.stdout


def test_python_m_accordwatch_reports_a_bad_command_without_a_traceback() -> None:
    done = _run("no-such-command")
    assert done.returncode == 2
    assert "No such command 'no-such-command'" in done.stderr
    assert "Traceback" not in done.stderr
