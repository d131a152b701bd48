"""Shared pieces of the command line: options, output formats, error display.

Every command module under ``accordwatch.cli`` uses these so that ``--db``,
``--format`` and error handling behave the same everywhere.  Contract: with
``--format json`` only JSON goes to stdout; messages and progress go to stderr.

Text is text: the consoles :data:`out` and :data:`err` print every string literally — no
rich markup (``[draft]`` stays ``[draft]``, ``[/x]`` cannot crash), no ``:emoji:`` codes —
in tables and status lines too.  Styles come only from :class:`rich.text.Text` objects
(:func:`styled`), so a file name, a CSV cell or an argument is shown as it was given.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.status import Status
from rich.table import Table
from rich.text import Text

from ..export import data_stdout, plain, records, write_events

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "DbOption",
    "Format",
    "FormatOption",
    "QUICK_EXIT",
    "err",
    "lazy_module",
    "out",
    "print_frame",
    "print_json",
    "styled",
    "warn",
]

QUICK_EXIT = threading.Event()
"""Set by a command that lets the process end as soon as it returns: it has written and
flushed everything, closed its store and left no thread or temporary file behind, so the
interpreter's teardown (a few tenths of a second of freeing pandas, pyarrow and DuckDB) can
be skipped.  Only :func:`accordwatch.cli.run` (the script and ``python -m``) acts on it;
:func:`accordwatch.cli.main`, which runs a command in-process as the tests do, never does."""


def _literal(renderable: RenderableType) -> RenderableType:
    return Text(renderable) if isinstance(renderable, str) else renderable


class _LiteralStatus(Status):
    """A status line whose updates, like its first text, are shown literally."""

    def update(self, status: RenderableType | None = None, **kwargs: Any) -> None:
        super().update(None if status is None else _literal(status), **kwargs)


class _LiteralConsole(Console):
    """A console that shows every string as it is: markup and emoji codes off, and status
    lines (which rich would parse as markup) given :class:`Text`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def status(self, status: RenderableType, **kwargs: Any) -> Status:
        return _LiteralStatus(_literal(status), console=self, **kwargs)


# Not a terminal (a pipe, a file, a test): render tables wide instead of at 80 columns.
out = _LiteralConsole(width=None if sys.stdout.isatty() else 200)
err = _LiteralConsole(stderr=True, soft_wrap=True)


def styled(label: str, style: str, message: str = "") -> Text:
    """``label`` in ``style`` followed by ``message``, both shown literally.

    >>> styled("error:", "bold red", "[draft] stays").plain
    'error: [draft] stays'
    """
    return Text.assemble((label, style), f" {message}" if message else "")


def warn(message: str) -> None:
    """Print ``warning: message`` to stderr (the message literally)."""
    err.print(styled("warning:", "yellow", message))


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Store file. Default: $ACCORDWATCH_DB, else a file in the user data directory.",
        envvar="ACCORDWATCH_DB",
        show_envvar=True,
        dir_okay=False,
    ),
]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


class lazy_module:  # noqa: N801 - stands in for a module
    """A module imported on first attribute access, so a command module can name the
    library it wraps without every command paying for its imports at start-up.

    >>> ac = lazy_module("accordwatch.accords")
    >>> callable(ac.timeline)
    True
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (nothing else goes there), in UTF-8."""
    with data_stdout() as fh:
        fh.write(json.dumps(obj, default=_jsonable, ensure_ascii=False, indent=2))
        fh.write("\n")


def _cell(value: Any) -> str:
    if value is None or isinstance(value, str | int | float):
        return "" if value is None or value != value else str(value)
    import pandas as pd

    if isinstance(value, pd.Timestamp) and value == value:
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    shown = plain(value)
    if shown is None:
        return ""
    return ", ".join(map(str, shown)) if isinstance(shown, list) else str(shown)


def print_frame(
    df: pd.DataFrame | list[dict[str, Any]],
    fmt: Format | str,
    *,
    title: str | None = None,
    max_rows: int = 200,
) -> None:
    """Print a DataFrame (or plain records) as a rich table, CSV or JSON records."""
    fmt = Format(fmt)
    if fmt is Format.json:
        print_json(records(df))
        return
    if fmt is Format.csv:
        write_events(df, "csv")
        return
    if isinstance(df, list):
        columns = list(df[0]) if df else []
        rows: Iterable[Sequence[Any]] = (tuple(r.values()) for r in df[:max_rows])
    else:
        columns = [str(c) for c in df.columns]
        rows = df.head(max_rows).itertuples(index=False)
    table = Table(title=None if title is None else Text(title), show_lines=False)
    for col in columns:
        table.add_column(Text(col), overflow="fold")
    for row in rows:
        table.add_row(*[Text(_cell(v)) for v in row])
    out.print(table)
    if len(df) > max_rows:
        err.print(
            Text(f"{len(df) - max_rows} more rows not shown; use --format csv for all.", "dim")
        )
