"""Who holds the store: the owner record beside the file and the wording of a busy store.

A process that opens the store for writing records itself in ``<store>.owner.json`` (its
PID, command line, start time, kind ``"cli"`` or ``"server"`` and, for a server, its URL),
written atomically when it opens the file and removed when it closes it.  A record whose
process is gone — killed before it could remove it — is stale and ignored.  When DuckDB
refuses an open because another process holds the file's lock, :func:`describe` joins the
PID of DuckDB's message with the record (or, failing that, the process table) to say
plainly who holds it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import re
import shlex
import socket
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "RECORD_SUFFIX",
    "Holder",
    "alive",
    "command_line",
    "describe",
    "holder_of",
    "lock_pid",
    "read_record",
    "record_path",
    "register",
    "server_here",
    "unregister",
]

RECORD_SUFFIX = ".owner.json"
_PID = re.compile(r"\(PID (\d+)\)")
_READER_HINT = "would be able to open this database in read-only mode"


@dataclass(frozen=True)
class Holder:
    """One process that has (or had) the store open for writing."""

    pid: int
    command: str
    started_at: str
    kind: str = "cli"
    url: str | None = None
    host: str = ""

    @classmethod
    def this_process(cls, kind: str = "cli", url: str | None = None) -> Holder:
        return cls(
            pid=os.getpid(),
            command=command_line(sys.argv),
            started_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            kind=kind,
            url=url,
            host=socket.gethostname(),
        )

    def since(self) -> str:
        """The start time as HH:MM:SS (with the date when it was not today)."""
        try:
            started = dt.datetime.fromisoformat(self.started_at).astimezone()
        except ValueError:
            return self.started_at
        if started.date() == dt.date.today():
            return started.strftime("%H:%M:%S")
        return started.strftime("%Y-%m-%d %H:%M:%S")


def command_line(argv: list[str]) -> str:
    """``argv`` as a shell would show it, the program by its name only."""
    if not argv:
        return "python"
    return shlex.join([Path(argv[0]).name or argv[0], *argv[1:]])


def record_path(store_path: str) -> Path:
    return Path(os.path.realpath(store_path) + RECORD_SUFFIX)


def read_record(store_path: str) -> Holder | None:
    """The owner record of the store, or None when there is none or it cannot be read."""
    try:
        raw = json.loads(record_path(store_path).read_text(encoding="utf-8"))
        return Holder(
            pid=int(raw["pid"]),
            command=str(raw.get("command", "")),
            started_at=str(raw.get("started_at", "")),
            kind=str(raw.get("kind", "cli")),
            url=None if raw.get("url") is None else str(raw["url"]),
            host=str(raw.get("host", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_record(store_path: str, holder: Holder) -> None:
    """Write the record atomically (temporary file, then rename); a folder that cannot take
    it is no error: the record only improves messages."""
    target = record_path(store_path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(holder), fh)
        os.replace(tmp, target)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def _remove_record(store_path: str, holder: Holder) -> None:
    """Remove the record if it is still this holder's (not that of a process that took the
    store since)."""
    if read_record(store_path) == holder:
        try:
            record_path(store_path).unlink()
        except OSError:
            pass


# Opens for writing in this process, per file: the first writes the record, the last removes it.
_lock = threading.Lock()
_open: dict[str, tuple[int, Holder]] = {}


def register(store_path: str, kind: str = "cli", url: str | None = None) -> None:
    """Note one more open for writing of ``store_path`` by this process."""
    key = os.path.realpath(store_path)
    with _lock:
        entry = _open.get(key)
        if entry is None or entry[1].pid != os.getpid():  # first open here (or a forked child)
            entry = (0, Holder.this_process(kind, url))
            _write_record(store_path, entry[1])
        _open[key] = (entry[0] + 1, entry[1])


def server_here(store_path: str) -> Holder | None:
    """The record of this process's own server (a StoreOwner) on ``store_path``, if any."""
    with _lock:
        entry = _open.get(os.path.realpath(store_path))
    if entry is None or entry[1].kind != "server" or entry[1].pid != os.getpid():
        return None
    return entry[1]


def unregister(store_path: str) -> None:
    """Note that one open for writing of ``store_path`` closed; the last removes the record."""
    key = os.path.realpath(store_path)
    with _lock:
        if key not in _open:
            return
        count, holder = _open[key]
        if count > 1:
            _open[key] = (count - 1, holder)
            return
        del _open[key]
        _remove_record(store_path, holder)


@atexit.register
def _remove_all() -> None:
    """At exit, remove the records of stores this process left open."""
    with _lock:
        for key, (_, holder) in list(_open.items()):
            if holder.pid == os.getpid():
                _remove_record(key, holder)
        _open.clear()


def alive(pid: int) -> bool:
    """True when a process with this PID runs on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def lock_pid(message: str) -> int | None:
    """The PID in DuckDB's "Conflicting lock is held in … (PID n)"."""
    found = _PID.search(message)
    return int(found.group(1)) if found else None


def _process_command(pid: int) -> str | None:
    """The command line of a running process, where the system shows it (Linux /proc)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    argv = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    if len(argv) > 1 and Path(argv[0]).name.startswith("python"):
        argv = argv[1:]  # `python -m accordwatch …` or a script: show what it runs
    if not argv:
        return None
    text = " ".join(command_line(argv).split())  # one line, however the process was started
    return text if len(text) <= 100 else text[:99] + "…"


def holder_of(store_path: str, message: str) -> Holder | None:
    """The live owner record of the process DuckDB names as holding the lock, if any."""
    pid = lock_pid(message)
    record = read_record(store_path)
    if record is None or record.host not in ("", socket.gethostname()):
        return None
    if pid is not None and record.pid != pid:
        return None  # the record is about another (earlier) writer
    return record if alive(record.pid) else None


def describe(
    store_path: str, message: str, *, write: bool, waited: float
) -> tuple[str, Holder | None]:
    """The message for a store whose lock another process holds, and that process's record.

    ``message`` is DuckDB's refusal; ``write`` whether this open wanted to write;
    ``waited`` how many seconds it retried (0: it tried once).
    """
    holder = holder_of(store_path, message)
    pid = holder.pid if holder else lock_pid(message)
    if holder is not None and holder.kind == "server":
        where = f" at {holder.url}" if holder.url else ""
        if write:
            return (
                f"the store {store_path} is owned by the accordwatch server{where} "
                f"(PID {holder.pid}); make changes through the web app or its API, "
                "or stop the server first"
            ), holder
        return (
            f"the store {store_path} is owned by the accordwatch server{where} "
            f"(PID {holder.pid}), and DuckDB lets no other process open the file meanwhile; "
            "read it through the web app or its API, or stop the server first"
        ), holder
    reading = _READER_HINT in message  # DuckDB says so when the holder only reads
    verb = "read" if reading else "written"
    if holder is not None:
        who = f"`{holder.command}` (PID {holder.pid}, since {holder.since()})"
    elif pid is not None:
        command = _process_command(pid)
        who = f"`{command}` (PID {pid})" if command else f"another process (PID {pid})"
    else:
        who = "another process"
    longer = 600 if waited < 600 else int(waited * 2)
    waited_text = f"waited {_seconds(waited)}" if waited > 0 else "did not wait"
    return (
        f"the store {store_path} is being {verb} by {who}; {waited_text}. "
        f"Try again when it finishes, or wait longer with ACCORDWATCH_LOCK_WAIT={longer}."
    ), holder


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 1 or value == 0 else f"{value:.1f} s"
