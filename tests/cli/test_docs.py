"""Every command is documented: it has help text, README.md or a page under docs/ shows it in
use, and docs/cli.md holds its current ``--help``."""

from __future__ import annotations

import difflib
import doctest
from pathlib import Path

import pytest

import accordwatch.cli._reference
from accordwatch.cli._reference import REGENERATE, command, command_paths, reference

ROOT = Path(__file__).parents[2]
GENERATED = ROOT / "docs" / "cli.md"


def test_every_command_appears_in_the_docs() -> None:
    """An example in use, not only the generated reference."""
    pages = [p for p in sorted((ROOT / "docs").glob("*.md")) if p != GENERATED]
    text = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in pages
    )
    missing = [
        " ".join(p)
        for p in command_paths()
        if p and not hasattr(command(p), "commands") and f"accordwatch {' '.join(p)}" not in text
    ]
    assert not missing, f"commands without an example in README.md or docs/: {missing}"


def test_every_command_group_and_parameter_has_help() -> None:
    missing = [" ".join(("accordwatch", *p)) for p in command_paths() if not command(p).help]
    missing += [
        f"accordwatch {' '.join(p)}: {param.name}"
        for p in command_paths()
        for param in command(p).params
        if param.name != "help" and not getattr(param, "help", None)
    ]
    assert not missing, f"no help text: {missing}"


def test_every_summary_is_one_line() -> None:
    """The first paragraph of a help is the command's line in its group's listing, where a line
    break in the docstring shows as a ragged break: write it on one line."""
    ragged = [
        " ".join(("accordwatch", *p))
        for p in command_paths()
        if "\n" in (command(p).help or "").strip().split("\n\n")[0]
    ]
    assert not ragged, f"summaries (first docstring paragraph) over several lines: {ragged}"


def test_the_reference_generator_examples_run() -> None:
    result = doctest.testmod(accordwatch.cli._reference)
    assert result.attempted > 0 and result.failed == 0


def test_the_cli_reference_is_up_to_date() -> None:
    expected = reference()
    current = GENERATED.read_text(encoding="utf-8") if GENERATED.exists() else ""
    if current != expected:
        diff = difflib.unified_diff(
            current.splitlines(), expected.splitlines(), "docs/cli.md", "--help now", lineterm=""
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(
            f"docs/cli.md is out of date; regenerate it with\n\n    {REGENERATE}\n\n{shown}"
        )
