"""Opening the store: location, connection, migrations, transactions.

The store is one DuckDB file. Its location is, in order: the ``db`` argument,
``$ACCORDWATCH_DB``, then ``accordwatch.duckdb`` in the user data directory.
A new, empty store is migrated to the current schema; the application layer
(:func:`accordwatch.open_store`) then seeds it from the bundled default data.

Any number of processes may read a store at once; one may write it, and while it does
others wait a bounded time and are then told who holds it (:mod:`._connect`,
:mod:`._holder`).  A long-running process that owns the store serves reads and writes
through :class:`~accordwatch.store.owner.StoreOwner`.

>>> from accordwatch.store import Store
>>> with Store.open(":memory:") as store:
...     store.schema_version() >= 1
True
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ..errors import StoreError, StoreOutdated
from . import _holder
from ._connect import check_location, connect, is_memory
from .accords import AccordTables
from .claims import ClaimTables
from .digest import DigestTables
from .forecasts import ForecastTables
from .incidents import IncidentTables
from .pages import EventPages
from .queries import EventQueries
from .reference import ReferenceTables
from .review import ReviewQueue
from .schema import EVENT_COLUMNS, duckdb_type
from .tombstones import Tombstones
from .users import UserTables

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = ["ENV_VAR", "Store", "default_db_path", "resolve_db_path"]

ENV_VAR = "ACCORDWATCH_DB"


def default_db_path() -> Path:
    """``accordwatch.duckdb`` in the platform's user data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir("accordwatch", appauthor=False)) / "accordwatch.duckdb"


def resolve_db_path(db: str | os.PathLike[str] | None = None) -> str:
    """The store location: ``db``, else ``$ACCORDWATCH_DB``, else the user data directory."""
    if db is not None and str(db) != "":
        return str(db)
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    return str(default_db_path())


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped in ``store/migrations``, in order."""
    found = []
    folder = resources.files(__package__) / "migrations"
    for entry in folder.iterdir():
        name = entry.name
        if not name.endswith(".sql"):
            continue
        version = int(name.split("_", 1)[0])
        found.append((version, name[:-4], entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"two migrations share a version number: {versions}")
    return found


def _event_columns_sql() -> str:
    return ",\n    ".join(f"{name} {duckdb_type(kind)}" for name, kind in EVENT_COLUMNS.items())


class Store(
    AccordTables,
    ClaimTables,
    DigestTables,
    EventPages,
    EventQueries,
    ForecastTables,
    IncidentTables,
    ReferenceTables,
    ReviewQueue,
    Tombstones,
    UserTables,
):
    """A connection to an accordwatch store (one DuckDB database).

    Use :meth:`open` rather than the constructor.  A ``Store`` is a context
    manager; every write goes through :meth:`transaction` so that a failure —
    or the process being killed — leaves the store exactly as it was.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self._con = con
        self.path = path
        self._depth = 0
        self._countries: list[tuple[int, str, str]] | None = None
        self.read_only = False
        self._registered = False

    def countries(self) -> list[tuple[int, str, str]]:
        """(gwcode, country, isoab) of the reference country list, read once per open store
        (it changes only when the store is seeded); every country filter looks it up."""
        if self._countries is None:
            self._countries = [
                (int(g), str(c), str(i or ""))
                for g, c, i in self._con.execute(
                    "SELECT DISTINCT gwcode, country, isoab FROM country_month "
                    "WHERE gwcode IS NOT NULL"
                ).fetchall()
            ]
        return self._countries

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        *,
        read_only: bool = False,
        seed: Callable[[Store], None] | None = None,
        wait: float | None = None,
        kind: str = "cli",
        url: str | None = None,
    ) -> Store:
        """Open the store at ``db``: read-write (creating and migrating it if needed) or
        ``read_only``.

        Any number of processes may open a store read-only at once, and a read-only open
        never changes the file (a store on a read-only disk can be shown).  A store whose
        schema is older than this code must be opened once for writing first; a newer one,
        or a DuckDB file that is not an accordwatch store, is refused and never migrated.

        While another process holds the file's lock the open retries for ``wait`` seconds
        (default ``$ACCORDWATCH_LOCK_WAIT``, else 5), then raises
        :class:`~accordwatch.errors.StoreBusy` naming the holder.  A read-write open records
        this process (``kind`` ``"cli"`` or ``"server"``, a server's ``url``) in
        ``<db>.owner.json`` until it closes, so that others can say who holds the store.

        ``seed`` fills a store that was never seeded and holds no events, in the same open
        (the application layer passes the bundled default; the store knows no data of its
        own).  To keep a store free of the bundled sample for good, call :meth:`skip_seed`
        once (``accordwatch init --empty``).
        """
        path = resolve_db_path(db)
        check_location(path, read_only=read_only)
        server = None if read_only else _holder.server_here(path)
        if server is not None:
            at = f" at {server.url}" if server.url else ""
            raise StoreError(
                f"the store {path} is owned by this process's accordwatch server{at}; "
                "write through its StoreOwner.execute_write"
            )
        con = connect(path, read_only=read_only, wait=wait)
        store = cls(con, path)
        store.read_only = read_only
        if not read_only and not is_memory(path):
            _holder.register(path, kind, url)
            store._registered = True
        try:
            con.execute("SET enable_progress_bar = false")  # progress is ours to show, on stderr
            store._check_schema()
            if not read_only:
                store.migrate()
                if seed is not None and store.needs_seed():
                    seed(store)
        except BaseException:
            store.close()
            raise
        return store

    def _check_schema(self) -> None:
        """Refuse a database this code must not use: not an accordwatch store, a schema
        newer than the code, or (read-only) one older than the code or not yet created."""
        current = self.schema_version()
        known = max((m[0] for m in _migrations()), default=0)
        if current > known:
            raise StoreError(
                f"the store {self.path} has schema version {current}, newer than this accordwatch "
                f"knows ({known}); upgrade accordwatch"
            )
        if current == 0:
            tables = self._user_tables()
            if tables:
                shown = ", ".join(tables[:3]) + (" …" if len(tables) > 3 else "")
                raise StoreError(
                    f"{self.path} is a DuckDB database but not an accordwatch store (it has "
                    f"tables such as {shown} and no schema_migrations); accordwatch leaves it "
                    "untouched. Give --db an accordwatch store, or a new file name to create one"
                )
            if self.read_only:
                raise StoreError(
                    f"{self.path} is an empty DuckDB database, not yet an accordwatch store; "
                    f"open it once for writing to make it one (accordwatch init --db {self.path})"
                )
        elif current < known and self.read_only:
            raise StoreOutdated(
                f"the store {self.path} has schema version {current}, older than this "
                f"accordwatch ({known}); open it once for writing to upgrade it "
                f"(accordwatch init --db {self.path})"
            )

    def _user_tables(self) -> list[str]:
        rows = self._con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT internal "
            "UNION ALL SELECT view_name FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal "
            "ORDER BY 1"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def close(self) -> None:
        """Close the connection; the last writer of this process then removes its owner
        record (after DuckDB's final checkpoint, during which it still holds the file)."""
        try:
            self._con.close()
        finally:
            if self._registered:
                self._registered = False
                _holder.unregister(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        )
        if not exists or not exists[0]:
            return 0
        row = self.one("SELECT coalesce(max(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    def migrate(self) -> bool:
        """Apply every pending migration, each in its own transaction; True if any ran."""
        current = self.schema_version()
        pending = [m for m in _migrations() if m[0] > current]
        known = max((m[0] for m in _migrations()), default=0)
        if current > known:
            raise StoreError(
                f"the store {self.path} has schema version {current}, newer than this accordwatch "
                f"knows ({known}); upgrade accordwatch"
            )
        for version, name, sql in pending:
            with self.transaction():
                self._con.execute(sql.replace("{event_columns}", _event_columns_sql()))
                self._con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [version, name]
                )
        return bool(pending)

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One atomic write: commit on success, roll back on any exception.

        Nested use joins the outer transaction, so composite writes (seeding,
        review acceptance) stay atomic as a whole.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self._con
            finally:
                self._depth -= 1
            return
        self._con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self._con
        except BaseException:
            self._depth = 0
            self._con.execute("ROLLBACK")
            raise
        self._depth = 0
        self._con.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A consistent read: every query inside sees the same committed state, and a write
        inside fails.  Inside a transaction it simply joins it."""
        if self._depth:
            yield
            return
        self._con.execute("BEGIN TRANSACTION READ ONLY")
        self._depth = 1
        try:
            yield
        finally:
            self._depth = 0
            self._con.execute("ROLLBACK")

    def refresh(self) -> None:
        """Forget what this Store read once and kept (the country list): another connection
        to the same database may have changed it."""
        self._countries = None

    def needs_seed(self) -> bool:
        """True for a store that was never seeded and holds no events."""
        seeded = self.one("SELECT count(*) FROM meta WHERE key = 'seeded_at'")
        return not (seeded and seeded[0]) and self.count("events") == 0

    def skip_seed(self) -> None:
        """Mark this store as never to be seeded with the bundled default."""
        with self.transaction():
            self.set_meta("seeded_at", "never (created empty)")

    def set_meta(self, key: str, value: str) -> None:
        self._con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def get_meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", [key])
        return None if row is None else str(row[0])

    # -- small helpers ---------------------------------------------------------------------
    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a read query and return a DataFrame (DATE columns as datetime64).

        Goes through Arrow: several times faster than DuckDB's own DataFrame
        conversion for text-heavy results such as event rows.
        """
        table = self._con.sql(sql, params=params or None).to_arrow_table()
        return table.to_pandas(date_as_object=False)

    def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of a query (fully fetched, so the connection is free afterwards)."""
        rows = self._con.execute(sql, params or []).fetchall()
        return rows[0] if rows else None

    def next_run_id(self) -> int:
        row = self.one("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs")
        return int(row[0]) if row else 1

    def count(self, table: str) -> int:
        row = self.one(f"SELECT count(*) FROM {table}")  # noqa: S608 (internal names)
        return int(row[0]) if row else 0
