"""Connecting to the store's DuckDB file: what the path may name, waiting for a lock, and
saying what went wrong when DuckDB refuses.

Before DuckDB sees a path it must name a local file: URLs (``https://``, ``s3://``,
``hf://`` …) and MotherDuck (``md:``) are refused, as are SQLite files and files that are
not DuckDB databases, so nothing is fetched, installed or created for them.  DuckDB never
installs or loads an extension on its own (:data:`CONFIG`).  A file locked by another
process is retried until the wait runs out, then :class:`~accordwatch.errors.StoreBusy`
says who holds it.
"""

from __future__ import annotations

import math
import os
import re
import time
from pathlib import Path
from typing import Any

import duckdb

from ..errors import InputError, StoreBusy, StoreError
from . import _holder

__all__ = [
    "CONFIG",
    "DEFAULT_LOCK_WAIT",
    "LOCK_WAIT_VAR",
    "check_location",
    "connect",
    "explain",
    "is_memory",
    "lock_wait",
]

#: Settings of every connection: no extension is ever downloaded or loaded behind our back.
CONFIG: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}

LOCK_WAIT_VAR = "ACCORDWATCH_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 5.0

# a scheme of two or more letters then ":/" (a Path argument turns "https://" into "https:/");
# one letter is a Windows drive
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:/")
_MOTHERDUCK = ("md:", "motherduck:")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_DUCKDB_MAGIC = b"DUCK"  # at offset 8 of every DuckDB database file


def is_memory(path: str) -> bool:
    return path == ":memory:" or path.startswith(":memory:")


def lock_wait(wait: float | None = None) -> float:
    """Seconds to retry a locked store: ``wait``, else ``$ACCORDWATCH_LOCK_WAIT``, else 5."""
    if wait is None:
        raw = os.environ.get(LOCK_WAIT_VAR, "").strip()
        if not raw:
            return DEFAULT_LOCK_WAIT
        try:
            wait = float(raw)
        except ValueError:
            raise InputError(
                f"{LOCK_WAIT_VAR} must be a number of seconds (such as 30), not {raw!r}"
            ) from None
    if math.isnan(wait) or wait < 0:
        raise InputError(f"the lock wait must be zero or more seconds, not {wait}")
    return wait


def check_location(path: str, *, read_only: bool) -> None:
    """Refuse, before DuckDB sees it, a path that is no local DuckDB store file.

    A read-write open of a new file creates its folder; nothing else touches the disk.
    """
    if is_memory(path):
        if read_only:
            raise StoreError(
                "an in-memory store (:memory:) starts empty at every open, so it cannot be "
                "opened read-only; open it for writing"
            )
        return
    if path.lower().startswith(_MOTHERDUCK):
        raise StoreError(
            f"{path} names a MotherDuck database; accordwatch keeps its store in a local file. "
            "Give --db a file path such as ~/accordwatch.duckdb"
        )
    if _URL.match(path):
        raise StoreError(
            f"{path} is a URL; accordwatch opens only a store file on this computer (nothing "
            "was fetched). Download the file first and give its path to --db"
        )
    p = Path(path)
    if p.is_dir():
        raise StoreError(
            f"{path} is a directory; --db takes a file path such as {p / 'accordwatch.duckdb'}"
        )
    if p.exists():
        _check_header(path)
        return
    if read_only:
        raise StoreError(
            f"no store at {path}; load data first (accordwatch ingest ucdp FILE --db {path})"
        )
    blocker = next((a for a in p.parents if a.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise StoreError(
            f"cannot create the store {path}: {blocker} is a file, not a folder. "
            "Give --db a path in a folder (it is made if missing)"
        )
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the store {path}: its folder {p.parent} cannot be made "
            f"({_reason(exc)}). Give --db a path in a folder you may write to"
        ) from exc


def _check_header(path: str) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except PermissionError as exc:
        raise StoreError(
            f"cannot read the store {path}: permission denied (the file belongs to someone "
            "else, or its folder may not be entered)"
        ) from exc
    except OSError as exc:
        raise StoreError(f"cannot read the store {path}: {_reason(exc)}") from exc
    if not head:
        return  # an empty file: a reader refuses it once connected, a writer starts a store
    if head.startswith(_SQLITE_MAGIC):
        raise StoreError(
            f"{path} is an SQLite database, not a DuckDB store; accordwatch leaves it "
            "untouched. Give --db an accordwatch store, or a new file name to create one"
        )
    if head and head[8:12] != _DUCKDB_MAGIC:
        raise StoreError(
            f"{path} is not a DuckDB database file (is --db pointing at the right file?); "
            "accordwatch leaves it untouched"
        )


def connect(path: str, *, read_only: bool, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``path``, retrying while another process holds its lock.

    Raises :class:`StoreBusy` once ``wait`` seconds (see :func:`lock_wait`) have passed —
    at once when the holder is an accordwatch server, which does not let go — and a
    :class:`StoreError` saying what happened for every other refusal.
    """
    limit = lock_wait(wait)
    start = time.monotonic()
    pause = 0.02
    while True:
        try:
            return _connect_once(path, read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "Could not set lock" not in message:
                raise explain(path, exc, read_only=read_only) from exc
            holder = _holder.holder_of(path, message)
            waited = time.monotonic() - start
            if holder is not None and holder.kind == "server":
                raise _busy(path, message, read_only, 0.0) from None
            if waited >= limit:
                raise _busy(path, message, read_only, limit) from None
            time.sleep(min(pause, max(limit - waited, 0.0)))
            pause = min(pause * 2, 0.25)
        except duckdb.Error as exc:
            raise explain(path, exc, read_only=read_only) from exc


def _connect_once(path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not is_memory(path) and _is_empty_file(path):
        if read_only:
            raise StoreError(
                f"{path} is an empty file, not yet an accordwatch store; open it once for "
                f"writing to make it one (accordwatch init --db {path})"
            )
        try:  # an empty file (made by mktemp, say): DuckDB starts the store anew
            os.unlink(path)
        except OSError as exc:
            raise StoreError(f"cannot create the store {path}: {_reason(exc)}") from exc
    try:
        return duckdb.connect(path, read_only=read_only, config=CONFIG)
    except duckdb.ConnectionException as exc:
        # This process already has the file open with other settings (DuckDB shares one
        # database per file and process).  A reader can share a writer's database.
        if read_only and "different configuration" in str(exc):
            try:
                return duckdb.connect(path, read_only=False, config=CONFIG)
            except duckdb.Error:
                pass
        raise


def _is_empty_file(path: str) -> bool:
    try:
        return os.stat(path).st_size == 0
    except OSError:
        return False


def _busy(path: str, message: str, read_only: bool, waited: float) -> StoreBusy:
    text, holder = _holder.describe(path, message, write=not read_only, waited=waited)
    return StoreBusy(
        text,
        pid=holder.pid if holder else _holder.lock_pid(message),
        command=holder.command if holder else None,
        kind=holder.kind if holder else None,
        url=holder.url if holder else None,
    )


def explain(path: str, exc: BaseException, *, read_only: bool) -> StoreError:
    """A StoreError that says what actually stopped DuckDB from opening ``path``."""
    message = str(exc)
    low = message.lower()
    if "read-only file system" in low:
        if Path(path).exists():
            return StoreError(
                f"the store {path} is on a read-only file system: it can be shown (commands "
                "that only read it work) but not changed. To change it, copy it to a "
                "writable disk and give that copy to --db"
            )
        return StoreError(
            f"cannot create the store {path}: its folder is on a read-only file system. "
            "Give --db a path on a writable disk"
        )
    if "permission denied" in low:
        if read_only:
            return StoreError(f"cannot read the store {path}: permission denied")
        if Path(path).exists():
            return StoreError(
                f"cannot write to the store {path}: permission denied. Commands that only "
                "read it still work; to change it, use a copy you own (give it to --db)"
            )
        return StoreError(
            f"cannot create the store {path}: permission denied in its folder. "
            "Give --db a path in a folder you may write to"
        )
    if "no such file or directory" in low and not Path(path).exists():
        return StoreError(
            f"cannot create the store {path}: its folder {Path(path).parent} does not take "
            "new files. Give --db a path in a folder you may write to"
        )
    if "not a valid duckdb database" in low:
        return StoreError(
            f"{path} is not a DuckDB database file (is --db pointing at the right file?)"
        )
    if "version number" in low or "storage version" in low or "newer version" in low:
        return StoreError(
            f"the store {path} was written by another version of DuckDB than this one "
            f"({duckdb.__version__}); upgrade accordwatch and DuckDB (DuckDB said: {message})"
        )
    if isinstance(exc, duckdb.ConnectionException) and "different configuration" in low:
        return StoreError(
            f"this process already has the store {path} open read-only; close that store "
            "before opening it for writing"
        )
    return StoreError(f"cannot open the store {path} (DuckDB said: {message})")


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)
