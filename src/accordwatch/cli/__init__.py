"""The ``accordwatch`` command line: a thin Typer shell over the public library.

Each command module registers its commands on :data:`app` through a
``register(app)`` function; every command is a few lines over a public function.
"""

from __future__ import annotations

import sys

import typer

from ..errors import AccordwatchError
from ._common import err

__all__ = ["app", "main"]

app = typer.Typer(
    name="accordwatch",
    help="Independent monitoring of peace accords and the conflicts around them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from . import store_cmds

    store_cmds.register(app)
    for name in ("reference_cmds", "forecast_cmds", "accords_cmds", "extract_cmds", "brief_cmds", "web_cmds"):
        try:
            module = __import__(f"{__name__}.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:  # a command group not built yet
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        module.register(app)


_register_all()


def main() -> None:
    """Console entry point: run the app, turning library errors into clean messages."""
    try:
        app()
    except AccordwatchError as exc:
        err.print(f"[bold red]error:[/bold red] {exc}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
