"""The command-line reference, ``docs/cli.md``: every group's and command's ``--help``.

Each help is rendered as a user sees it, at a fixed width of :data:`WIDTH` columns, without
colour and without the user's environment, so the page is the same on every machine (Typer's
own ``TERMINAL_WIDTH``, read when it is imported, must be unset).
Regenerate it after changing a command::

    python -m accordwatch.cli._reference > docs/cli.md

``tests/cli/test_docs.py`` renders the page again and fails when ``docs/cli.md`` differs.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

import typer.main
from typer.testing import CliRunner

from . import app

__all__ = ["REGENERATE", "WIDTH", "command", "command_paths", "help_text", "main", "reference"]

#: columns of every rendered help
WIDTH = 100
#: the command that rewrites docs/cli.md
REGENERATE = "python -m accordwatch.cli._reference > docs/cli.md"

# A fixed width, no colour, and no setting of the user's that would show in a help.
_ENV: dict[str, str | None] = {
    "COLUMNS": str(WIDTH),
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "ACCORDWATCH_DB": None,
}
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def command_paths() -> list[tuple[str, ...]]:
    """Every group and command, depth first in the order ``--help`` lists them.

    ``()`` is the app itself.

    >>> paths = command_paths()
    >>> paths[0], ("backtest",) in paths, ("backtest", "cm") in paths
    ((), True, True)
    """
    out: list[tuple[str, ...]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        out.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, name))

    walk(_command(), ())
    return out


def command(path: tuple[str, ...] = ()) -> Any:
    """The Click command (or group) of ``accordwatch <path>``.

    >>> command(("backtest", "cm")).name
    'cm'
    """
    cmd = _command()
    for name in path:
        cmd = cmd.commands[name]
    return cmd


@functools.cache
def _command() -> Any:
    """The app as one Click command tree (building it is the slow part, so it is built once)."""
    return typer.main.get_command(app)


def help_text(path: tuple[str, ...]) -> str:
    """The ``--help`` of ``accordwatch <path>``, at :data:`WIDTH` columns, lines right-stripped.

    >>> help_text(("backtest",)).splitlines()[0].strip()
    'Usage: accordwatch backtest [OPTIONS] COMMAND [ARGS]...'
    """
    with CliRunner().isolation(env=_ENV) as (stdout, stderr, _):
        try:
            _command().main([*path, "--help"], prog_name="accordwatch")
        except SystemExit as exc:
            if exc.code:
                sys.stderr.flush()
                problem = stderr.getvalue().decode("utf-8")
                raise RuntimeError(f"{_title(path)} --help failed:\n{problem}") from None
        sys.stdout.flush()
        text = stdout.getvalue().decode("utf-8")
    lines = [line.rstrip() for line in _ANSI.sub("", text).splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def _title(path: tuple[str, ...]) -> str:
    return " ".join(("accordwatch", *path))


def reference() -> str:
    """The whole of ``docs/cli.md``: a header, a list of commands, then each ``--help``."""
    paths = command_paths()
    parts = [
        "# Command-line reference\n",
        f"Every command's `--help`, generated at {WIDTH} columns: do not edit this page by hand.\n"
        "After changing a command, regenerate it:\n",
        f"```bash\n{REGENERATE}\n```\n",
        "`tests/cli/test_docs.py` fails while this page is out of date. Examples of the commands\n"
        "in use are in the [README](../README.md) and the other pages of `docs/`.\n",
    ]
    parts.append(
        "\n".join(
            f"{'  ' * max(len(p) - 1, 0)}- [{_title(p)}](#{_title(p).replace(' ', '-')})"
            for p in paths
        )
        + "\n"
    )
    for path in paths:
        parts.append(f"## {_title(path)}\n\n```text\n{help_text(path)}```\n")
    return "\n".join(parts)


def main() -> None:
    """Write :func:`reference` to stdout as UTF-8."""
    sys.stdout.buffer.write(reference().encode("utf-8"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
