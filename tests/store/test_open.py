"""Opening the store: shared read-only opens, a bounded wait on a lock that names its holder,
and refusing what is not a local accordwatch store before anything is changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import accordwatch.store.db as db_module
from accordwatch.errors import InputError, StoreBusy, StoreError
from accordwatch.export import write_events
from accordwatch.store import Store

# A process that opens the store as ``argv[1]`` says (read, write, raw), prints "ready",
# and closes it when its stdin closes.  It calls itself `accordwatch ingest ucdp GED.csv`.
HOLD = """
import sys
mode, path = sys.argv[1], sys.argv[2]
sys.argv = ["/usr/bin/accordwatch", "ingest", "ucdp", "GED.csv"]
if mode == "raw":
    import duckdb
    held = duckdb.connect(path)
else:
    from accordwatch.store import Store
    held = Store.open(path, read_only=mode == "read")
print("ready", flush=True)
sys.stdin.read()
held.close()
"""


class Holder:
    def __init__(self, mode: str, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, mode, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", line
        self.pid = self.proc.pid

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


@pytest.fixture
def hold() -> Iterator[type[Holder]]:
    started: list[Holder] = []

    def start(mode: str, path: Path) -> Holder:
        h = Holder(mode, path)
        started.append(h)
        return h

    yield start  # type: ignore[misc]
    for h in started:
        h.release()


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def _alone(db: Path) -> Path:
    """The store in a folder of its own (to see every file an open adds)."""
    folder = db.parent / "alone"
    folder.mkdir()
    return Path(shutil.copy(db, folder / db.name))


# -- read-only opens share and change nothing --------------------------------------------------
def test_many_processes_read_at_once(seeded_db: Path, hold) -> None:
    hold("read", seeded_db)
    hold("read", seeded_db)
    with Store.open(seeded_db, read_only=True, wait=0) as store:
        assert store.count("events") > 0
        assert store.read_only


def test_a_read_only_open_never_changes_the_folder(seeded_db: Path) -> None:
    db = _alone(seeded_db)
    before = _snapshot(db.parent)
    with Store.open(db, read_only=True) as store:
        n = store.count("events")
        assert n > 0
    assert _snapshot(db.parent) == before  # same files, bytes and mtimes: no .wal, no record


def test_a_read_only_open_reads_a_log_left_by_a_killed_writer(empty_db: Path) -> None:
    db = _alone(empty_db)
    code = (
        "import os, sys; from accordwatch.store import Store\n"
        "s = Store.open(sys.argv[1]); s.set_meta('note', 'in the log only'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)
    assert (db.parent / (db.name + ".wal")).exists()
    before = _snapshot(db.parent)
    with Store.open(db, read_only=True) as store:
        assert store.get_meta("note") == "in the log only"
    assert _snapshot(db.parent) == before


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder anyone may enter (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="aw-open-"))
    folder.chmod(0o755)
    yield folder
    for p in folder.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(folder)


# Runs as an unprivileged user (root ignores file modes).  Python's own library may lie where
# nobody can read it, so the script opens the store once as root (which loads every module
# an open needs; a read-only open changes nothing) and then drops to nobody.
AS_NOBODY = """
import json, os, sys
from accordwatch.store import Store
from accordwatch.errors import StoreError
Store.open(sys.argv[1], read_only=True).close()
os.setgid(65534); os.setuid(65534)
out = {}
with Store.open(sys.argv[1], read_only=True) as s:
    out["events"] = s.count("events")
try:
    Store.open(sys.argv[1]).close()
except StoreError as exc:
    out["write"] = str(exc)
print(json.dumps(out))
"""


def _world_readable(path: Path) -> bool:
    """True when every folder above ``path`` lets any user through (a checkout in a
    ``mktemp -d`` folder, mode 700, does not: user nobody cannot even start Python there)."""
    return all(p.stat().st_mode & 0o005 == 0o005 for p in path.absolute().parents)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
@pytest.mark.skipif(
    not _world_readable(Path(sys.executable)) or not _world_readable(Path(__file__)),
    reason="user nobody cannot reach this Python or checkout",
)
@pytest.mark.parametrize("locked", ["file", "folder"])
def test_a_store_nobody_may_write_can_be_read(
    seeded_db: Path, open_folder: Path, locked: str
) -> None:
    db = Path(shutil.copy(seeded_db, open_folder / "store.duckdb"))
    db.chmod(0o444)
    if locked == "folder":
        open_folder.chmod(0o555)
    before = _snapshot(open_folder)
    run = subprocess.run(
        [sys.executable, "-c", AS_NOBODY, str(db)], capture_output=True, text=True, check=True
    )
    out = json.loads(run.stdout)
    assert out["events"] > 0
    assert "cannot write to the store" in out["write"] and "permission denied" in out["write"]
    assert _snapshot(open_folder) == before


def test_a_chmod_444_store_opens_read_only(seeded_db: Path) -> None:
    seeded_db.chmod(0o444)
    before = seeded_db.read_bytes()
    with Store.open(seeded_db, read_only=True) as store:
        assert store.count("events") > 0
    assert seeded_db.read_bytes() == before


# A store on a read-only file system: a private mount namespace binds its folder read-only.
ON_RO_FS = """
import json, sys
from accordwatch.store import Store
from accordwatch.errors import StoreError
out = {}
with Store.open(sys.argv[1], read_only=True) as s:
    out["events"] = s.count("events")
for target in (sys.argv[1], sys.argv[1] + ".new.duckdb"):
    try:
        Store.open(target).close()
    except StoreError as exc:
        out.setdefault("write", []).append(str(exc))
print(json.dumps(out))
"""


def test_a_store_on_a_read_only_file_system_can_be_shown(seeded_db: Path) -> None:
    folder = _alone(seeded_db).parent
    db = folder / seeded_db.name
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" "{folder}" '
        f'&& exec "{sys.executable}" -c "$0" "{db}"'
    )
    run = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, ON_RO_FS], capture_output=True, text=True
    )
    if run.returncode != 0 and "mount" in run.stderr:
        pytest.skip(f"cannot make a read-only mount here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["events"] > 0
    changed, created = out["write"]
    assert "read-only file system" in changed and "can be shown" in changed
    assert "cannot create the store" in created and "read-only file system" in created


# -- schema: too old, too new, not ours --------------------------------------------------------
def test_a_read_only_open_refuses_an_older_schema_and_a_write_upgrades_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.duckdb"
    shipped = db_module._migrations()
    monkeypatch.setattr(db_module, "_migrations", lambda: shipped[:-1])
    Store.open(db).close()
    monkeypatch.undo()
    with pytest.raises(StoreError, match="older than this accordwatch") as info:
        Store.open(db, read_only=True)
    assert f"accordwatch init --db {db}" in str(info.value)
    with Store.open(db) as store:
        assert store.schema_version() == shipped[-1][0]
    with Store.open(db, read_only=True) as store:
        assert store.schema_version() == shipped[-1][0]


def test_a_newer_schema_is_refused_read_only_too(empty_db: Path) -> None:
    with Store.open(empty_db) as s:
        s._con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now()::TIMESTAMP)")
    for read_only in (True, False):
        with pytest.raises(StoreError, match="newer than this accordwatch knows.*upgrade"):
            Store.open(empty_db, read_only=read_only)


def test_a_duckdb_file_that_is_no_store_is_refused_and_never_migrated(tmp_path: Path) -> None:
    db = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE budget (year INT, amount DOUBLE)")
    con.execute("INSERT INTO budget VALUES (2024, 1.5)")
    con.close()
    before = _snapshot(tmp_path)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="not an accordwatch store.*budget"):
            Store.open(db, read_only=read_only)
    assert _snapshot(tmp_path) == before
    con = duckdb.connect(str(db), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert tables == {"budget"}


def test_a_new_empty_duckdb_file_becomes_a_store(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.duckdb"
    duckdb.connect(str(fresh)).close()  # a database without tables
    with pytest.raises(StoreError, match="empty DuckDB database.*accordwatch init"):
        Store.open(fresh, read_only=True)
    with Store.open(fresh) as store:
        assert store.schema_version() > 0
    blank = tmp_path / "blank.duckdb"
    blank.touch()  # as mktemp leaves it
    with pytest.raises(StoreError, match="empty file, not yet an accordwatch store"):
        Store.open(blank, read_only=True)
    with Store.open(blank) as store:
        assert store.schema_version() > 0


# -- what --db may name ------------------------------------------------------------------------
def test_an_sqlite_file_is_refused_before_duckdb_sees_it(tmp_path: Path) -> None:
    import sqlite3

    lite = tmp_path / "events.db"
    con = sqlite3.connect(lite)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = _snapshot(tmp_path)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="is an SQLite database, not a DuckDB store"):
            Store.open(lite, read_only=read_only)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "where",
    [
        "https://example.org/aw.duckdb",
        "http://127.0.0.1:9/aw.duckdb",
        "s3://bucket/stores/aw.duckdb",
        "gcs://bucket/aw.duckdb",
        "az://container/aw.duckdb",
        "hf://datasets/someone/aw.duckdb",
        "file:///tmp/aw.duckdb",
        str(Path("https://example.org/aw.duckdb")),  # as a Path option leaves it: https:/…
    ],
)
def test_a_url_is_refused_without_network_or_folders(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="is a URL.*nothing was fetched"):
            Store.open(where, read_only=read_only)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["md:my_db", "motherduck:my_db", "MD:"])
def test_motherduck_is_refused(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="MotherDuck"):
        Store.open(where)
    assert list(tmp_path.iterdir()) == []


def test_other_files_and_folders_say_what_they_are(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 10)
    with pytest.raises(StoreError, match="not a DuckDB database file"):
        Store.open(text)
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path, read_only=True)
    with pytest.raises(StoreError, match="no store at"):
        Store.open(tmp_path / "missing.duckdb", read_only=True)
    with pytest.raises(StoreError, match="cannot be opened read-only"):
        Store.open(":memory:", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_duckdb_never_installs_or_loads_extensions(empty_db: Path) -> None:
    with Store.open(empty_db, read_only=True) as store:
        settings = store.one(
            "SELECT current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions'), "
            "current_setting('allow_community_extensions')"
        )
        assert settings == (False, False, False)
        with pytest.raises(duckdb.Error, match="httpfs"):
            store.one("SELECT * FROM read_csv('https://example.invalid/x.csv')")
        with pytest.raises(duckdb.Error, match="spatial"):
            store.one("SELECT ST_Point(1, 2)")


# -- locks: a bounded wait, then who holds it ------------------------------------------------
def test_a_reader_waits_then_names_the_writer(empty_db: Path, hold) -> None:
    writer = hold("write", empty_db)
    record = json.loads(Path(str(empty_db) + ".owner.json").read_text())
    assert record["pid"] == writer.pid and record["kind"] == "cli"
    with pytest.raises(StoreBusy) as info:
        Store.open(empty_db, read_only=True, wait=0.3)
    exc = info.value
    assert exc.pid == writer.pid and exc.exit_code == 6 and isinstance(exc, StoreError)
    message = str(exc)
    assert f"is being written by `accordwatch ingest ucdp GED.csv` (PID {writer.pid}, since" in (
        message
    )
    assert "waited 0.3 s" in message and "ACCORDWATCH_LOCK_WAIT=600" in message
    writer.release()
    assert not Path(str(empty_db) + ".owner.json").exists()  # removed on close
    with Store.open(empty_db, read_only=True, wait=0) as store:
        assert store.count("events") == 0


def test_the_wait_comes_from_the_environment(
    empty_db: Path, hold, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold("write", empty_db)
    monkeypatch.setenv("ACCORDWATCH_LOCK_WAIT", "0")
    with pytest.raises(StoreBusy, match="did not wait"):
        Store.open(empty_db, read_only=True)
    monkeypatch.setenv("ACCORDWATCH_LOCK_WAIT", "soon")
    with pytest.raises(InputError, match="ACCORDWATCH_LOCK_WAIT must be a number"):
        Store.open(empty_db, read_only=True)


def test_an_open_gets_the_store_once_the_holder_lets_go(empty_db: Path, hold) -> None:
    import threading

    writer = hold("write", empty_db)
    threading.Timer(0.3, writer.release).start()
    with Store.open(empty_db, read_only=True, wait=60) as store:
        assert store.count("events") == 0


def test_a_writer_blocked_by_a_reader_says_it_is_being_read(empty_db: Path, hold) -> None:
    reader = hold("read", empty_db)
    with pytest.raises(StoreBusy, match=f"is being read by .*PID {reader.pid}"):
        Store.open(empty_db, wait=0)


def test_a_stale_record_is_ignored(empty_db: Path, hold) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    stale = {
        "pid": int(gone.stdout),
        "command": "accordwatch old-run",
        "started_at": "",
        "kind": "server",
        "url": "http://stale",
        "host": "",
    }
    Path(str(empty_db) + ".owner.json").write_text(json.dumps(stale))
    other = hold("raw", empty_db)  # holds the lock and leaves no record
    with pytest.raises(StoreBusy) as info:
        Store.open(empty_db, read_only=True, wait=0)
    assert "old-run" not in str(info.value) and "server" not in str(info.value)
    assert f"PID {other.pid}" in str(info.value) and info.value.command is None
    other.release()
    with Store.open(empty_db):  # a new writer replaces the stale record with its own
        record = json.loads(Path(str(empty_db) + ".owner.json").read_text())
        assert record["pid"] == os.getpid()
    assert not Path(str(empty_db) + ".owner.json").exists()


def test_one_process_may_read_while_it_writes(empty_db: Path) -> None:
    with Store.open(empty_db) as writer:
        writer.set_meta("k", "v")
        with Store.open(empty_db, read_only=True) as reader:
            assert reader.get_meta("k") == "v"
        writer.set_meta("k", "w")  # the writer is unaffected by the reader's close
    with Store.open(empty_db, read_only=True) as reader:
        with pytest.raises(StoreError, match="already has the store .* open read-only"):
            Store.open(empty_db)


# -- exports never overwrite a database --------------------------------------------------------
def test_an_export_over_the_store_or_any_duckdb_file_is_refused(
    seeded_db: Path, empty_db: Path, tmp_path: Path
) -> None:
    df = pd.DataFrame({"id": [1], "deaths": [2]})
    before = seeded_db.read_bytes()
    for fmt in ("csv", "parquet"):
        with pytest.raises(InputError, match="is the store itself"):
            write_events(df, fmt, seeded_db, store=seeded_db)
        with pytest.raises(InputError, match="is a DuckDB database"):
            write_events(df, fmt, seeded_db)
    link = tmp_path / "link.duckdb"
    link.symlink_to(seeded_db)
    with pytest.raises(InputError, match="is the store itself"):
        write_events(df, "json", link, store=seeded_db)
    with pytest.raises(InputError, match="is the store itself"):
        write_events(df, "json", str(seeded_db) + ".wal", store=seeded_db)
    with pytest.raises(InputError, match="is a DuckDB database"):
        write_events(df, "json", empty_db, store=seeded_db)
    with pytest.raises(InputError, match="is a directory"):
        write_events(df, "csv", tmp_path)
    assert seeded_db.read_bytes() == before
    write_events(df, "csv", tmp_path / "events.csv", store=seeded_db)
    assert (tmp_path / "events.csv").read_text().splitlines() == ["id,deaths", "1,2"]


def test_a_read_upgrades_a_store_made_by_an_older_accordwatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Store.open(read_only=True) refuses an older schema; the public reads migrate it once
    (one read-write open) and then read it read-only, so a user never has to run init."""
    import accordwatch as aw
    import accordwatch.store.db as db_module
    from accordwatch.errors import StoreOutdated

    path = tmp_path / "v1.duckdb"
    first = db_module._migrations()[:1]
    with monkeypatch.context() as m:
        m.setattr(db_module, "_migrations", lambda: first)
        with Store.open(path) as old:
            old.skip_seed()  # a store its user kept free of the bundled sample
    with pytest.raises(StoreOutdated, match="older than this"):
        Store.open(path, read_only=True)
    assert aw.events(db=path).empty  # it holds no events: an empty answer, not an error
    with Store.open(path, read_only=True) as s:
        assert s.schema_version() == max(m[0] for m in db_module._migrations())
