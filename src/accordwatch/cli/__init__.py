"""The ``accordwatch`` command line: a thin Typer shell over the public library.

Each command module registers its commands on :data:`app` through a
``register(app)`` function; every command is a few lines over a public function.

No traceback reaches a user: every command runs inside :func:`_guard`, which turns a library
error into ``error: <message>`` and its exit code, a file the system refuses (permission,
a folder where a file should be …) into an input error naming the file, and anything else
into a short "internal error" with a request to report it (the traceback only with
``ACCORDWATCH_DEBUG=1``).  Ctrl-C ends a command quietly with exit code 130.
"""

from __future__ import annotations

import errno as _errno
import functools
import os as _os
from collections.abc import Callable
from typing import Any, NoReturn

import typer

from ..errors import AccordwatchError as _AccordwatchError
from ..errors import InputError as _InputError
from ._common import err as _err
from ._common import styled as _styled

__all__ = ["DEBUG_VAR", "app", "main", "run"]

app = typer.Typer(
    name="accordwatch",
    help="Independent monitoring of peace accords and the conflicts around them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from . import (
        accords_cmds,
        brief_cmds,
        digest_cmds,
        extract_cmds,
        forecast_cmds,
        incidents_cmds,
        reference_cmds,
        store_cmds,
        users_cmds,
        web_cmds,
    )

    for module in (store_cmds, reference_cmds, forecast_cmds, accords_cmds, extract_cmds):
        module.register(app)
    digest_cmds.register(app)
    brief_cmds.register(app)
    web_cmds.register(app)
    users_cmds.register(app)
    incidents_cmds.register(app)
    _guard(app)


#: Set to 1 to see the traceback of an internal error.
DEBUG_VAR = "ACCORDWATCH_DEBUG"

#: What the system says about a path, in words that say what to do.
_OS_REASONS = {
    _errno.EACCES: "permission denied",
    _errno.EPERM: "permission denied",
    _errno.EROFS: "the file system is read-only",
    _errno.ENOENT: "no such file or folder",
    _errno.ENOTDIR: "a part of the path is a file, not a folder",
    _errno.EISDIR: "it is a folder, not a file",
    _errno.EEXIST: "a file of that name is in the way",
    _errno.ENOSPC: "the disk is full",
    _errno.ENAMETOOLONG: "the name is too long",
}


def _report(exc: _AccordwatchError) -> NoReturn:
    _err.print(_styled("error:", "bold red", str(exc)))
    raise typer.Exit(exc.exit_code)


def _os_error(exc: OSError) -> _AccordwatchError:
    """The library error a user sees for an OSError that no library code explained."""
    where = next((str(f) for f in (exc.filename, exc.filename2) if f is not None), None)
    reason = _OS_REASONS.get(exc.errno or -1) or (exc.strerror or str(exc)).lower()
    text = f"cannot use {where}: {reason}" if where else f"a file operation failed: {reason}"
    if exc.errno == _errno.ENOSPC:
        return _AccordwatchError(f"{text}; free some space and try again")
    return _InputError(f"{text}; check the path and its permissions")


def _internal(exc: Exception) -> NoReturn:
    if _os.environ.get(DEBUG_VAR, "").strip() not in ("", "0"):
        raise exc
    _err.print(
        _styled(
            "internal error:",
            "bold red",
            f"{type(exc).__name__}: {exc}\nThis is a bug in accordwatch; please report it with "
            f"the command you ran (set {DEBUG_VAR}=1 to see the traceback).",
        )
    )
    raise typer.Exit(1)


def _guard(group: typer.Typer) -> None:
    """Wrap every command so a library error becomes a one-line message and its exit code
    (InputError 2, NotFound 3, StoreError 4, NetworkError 5, StoreBusy 6) — also under CliRunner.

    An OSError nothing explained becomes an InputError naming the path; any other exception
    an "internal error" (exit 1).  Typer's own exits, usage errors, Ctrl-C (exit 130) and a
    closed output pipe pass through to Typer, which ends them quietly."""
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
            except (typer.Exit, typer.Abort, typer.TyperException):
                raise
            except OSError as exc:
                if exc.errno == _errno.EPIPE:  # `accordwatch events | head`
                    raise
                _report(_os_error(exc))
            except Exception as exc:  # noqa: BLE001 - the last line of defence
                _internal(exc)

        guarded._guarded = True  # type: ignore[attr-defined]
        info.callback = guarded
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _guard(sub.typer_instance)


_register_all()


def main() -> None:
    """Console entry point, in-process (it ends with SystemExit, as Typer does)."""
    app()


def run() -> None:
    """The ``accordwatch`` script and ``python -m accordwatch``: :func:`main`, and when the
    command asked for it (``_common.QUICK_EXIT``: the briefing), the process ends at once,
    its output flushed, without the interpreter's teardown."""
    import sys

    from ._common import QUICK_EXIT

    QUICK_EXIT.clear()  # only the command run here may ask
    try:
        main()
    except SystemExit as stop:
        if not QUICK_EXIT.is_set():
            raise
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        sys.stdout.flush()
        sys.stderr.flush()
        _os._exit(code)
