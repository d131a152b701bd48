"""Every command is documented: README.md or a page under docs/ shows it in use."""

from __future__ import annotations

from pathlib import Path

import typer.main

from accordwatch.cli import app

ROOT = Path(__file__).parents[2]


def _paths(cmd, prefix=()):
    for name, sub in getattr(cmd, "commands", {}).items():
        if hasattr(sub, "commands"):
            yield from _paths(sub, (*prefix, name))
        else:
            yield (*prefix, name)


def test_every_command_appears_in_the_docs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))
    )
    missing = [
        " ".join(p)
        for p in _paths(typer.main.get_command(app))
        if f"accordwatch {' '.join(p)}" not in text
    ]
    assert not missing, f"commands without an example in README.md or docs/: {missing}"
