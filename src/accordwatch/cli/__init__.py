"""The ``accordwatch`` command line: a thin Typer shell over the public library.

Each command module registers its commands on :data:`app` through a
``register(app)`` function; every command is a few lines over a public function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

import typer

from ..errors import AccordwatchError as _AccordwatchError
from ._common import err as _err

__all__ = ["app", "main"]

app = typer.Typer(
    name="accordwatch",
    help="Independent monitoring of peace accords and the conflicts around them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from . import accords_cmds, extract_cmds, forecast_cmds, reference_cmds, store_cmds

    for module in (store_cmds, reference_cmds, forecast_cmds, accords_cmds, extract_cmds):
        module.register(app)
    _guard(app)


def _report(exc: _AccordwatchError) -> NoReturn:
    _err.print(f"[bold red]error:[/bold red] {exc}", markup=True, highlight=False)
    raise typer.Exit(exc.exit_code)


def _guard(group: typer.Typer) -> None:
    """Wrap every command so a library error becomes a one-line message and its exit code
    (InputError 2, NotFound 3, StoreError 4, NetworkError 5, StoreBusy 6) — also under CliRunner."""
    for info in group.registered_commands:
        callback = info.callback
        if callback is None or getattr(callback, "_guarded", False):
            continue

        @functools.wraps(callback)
        def guarded(*args: Any, __cb: Callable[..., Any] = callback, **kwargs: Any) -> Any:
            try:
                return __cb(*args, **kwargs)
            except _AccordwatchError as exc:
                _report(exc)

        guarded._guarded = True  # type: ignore[attr-defined]
        info.callback = guarded
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _guard(sub.typer_instance)


_register_all()


def main() -> None:
    """Console entry point."""
    app()
