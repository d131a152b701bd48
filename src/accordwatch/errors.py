"""One exception tree for accordwatch.

Every error the library raises on purpose derives from :class:`AccordwatchError`,
so a caller (the CLI, the web app, a notebook) can catch one class and show the
message.  Each subclass carries the HTTP status the web layer answers with and
the process exit code the CLI exits with::

    AccordwatchError                 exit 1, HTTP 500
    ├── InputError                   exit 2, HTTP 400   bad file, row, field or argument
    │   └── RowErrors                                   many bad rows, each with file/line/field
    ├── NotFound                     exit 3, HTTP 404   unknown id, alias, country, file
    ├── StoreError                   exit 4, HTTP 500   the store cannot be opened or migrated
    │   ├── StoreBusy                exit 6, HTTP 503   another process holds the store's lock
    │   └── StoreOutdated                               the schema is older (a read-only open)
    └── NetworkError                 exit 5, HTTP 502   a remote API failed after retries

Messages say what is wrong *and* what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AccordwatchError",
    "InputError",
    "NetworkError",
    "NotFound",
    "RowError",
    "RowErrors",
    "StoreBusy",
    "StoreError",
    "StoreOutdated",
]


class AccordwatchError(Exception):
    """Base class of every error accordwatch raises on purpose."""

    exit_code = 1
    http_status = 500


class InputError(AccordwatchError, ValueError):
    """Input that cannot be used as given: a file, a row, a field or an argument."""

    exit_code = 2
    http_status = 400


class NotFound(AccordwatchError, LookupError):
    """Something named by the caller does not exist (an id, an alias, a file)."""

    exit_code = 3
    http_status = 404


class StoreError(AccordwatchError):
    """The store cannot be opened, read or migrated."""

    exit_code = 4
    http_status = 500


class StoreOutdated(StoreError):
    """A read-only open met a store whose schema is older than this code: it has to be
    opened once for writing, which migrates it (the application layer does so itself)."""


class StoreBusy(StoreError):
    """Another process holds the store's lock (after waiting for it as long as allowed).

    ``pid`` is the holder's process id as DuckDB reports it; ``command``, ``kind``
    (``"cli"`` or ``"server"``) and ``url`` come from its owner record when it left one.
    """

    exit_code = 6
    http_status = 503

    def __init__(
        self,
        message: str,
        *,
        pid: int | None = None,
        command: str | None = None,
        kind: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.pid = pid
        self.command = command
        self.kind = kind
        self.url = url


class NetworkError(AccordwatchError):
    """A remote service failed after all retries."""

    exit_code = 5
    http_status = 502


@dataclass(frozen=True)
class RowError:
    """One bad row of an input file: where it is and what is wrong with it."""

    file: str
    line: int | None
    field: str | None
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field {self.field!r}"
        shown = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}: {self.reason}{shown}"


class RowErrors(InputError):
    """A file with one or more bad rows; ``errors`` lists them all."""

    def __init__(self, errors: list[RowError], *, hint: str | None = None, shown: int = 20) -> None:
        self.errors = list(errors)
        n = len(self.errors)
        lines = [f"{n} bad row{'s' if n != 1 else ''}; nothing was loaded:"]
        lines += [f"  {e}" for e in self.errors[:shown]]
        if n > shown:
            lines.append(f"  … and {n - shown} more")
        lines.append(
            hint
            or "Fix the rows, or load the good rows with --on-error quarantine "
            "(bad rows go to a side file)."
        )
        super().__init__("\n".join(lines))
