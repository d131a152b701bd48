"""Opening the store for a unit of work: read-only for reads, read-write (and seeded on first
use) for writes.

>>> from accordwatch._app._store import open_store
>>> with open_store(":memory:") as store:
...     store.count("events") > 0      # a new store is seeded with the bundled default
True
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreOutdated
from ..store import Store, resolve_db_path

__all__ = ["DB", "init_store", "open_store", "store_path", "using"]

#: What every public function takes as ``db``: a path, an open Store, or None (the default).
DB = str | os.PathLike[str] | Store | None


def open_store(db: DB = None, *, read_only: bool = False) -> Store:
    """Open the store at ``db`` (see :func:`accordwatch.store.resolve_db_path`).

    Read-write opens create, migrate and seed a new store with the bundled default.  A
    read-only open of a store that does not exist yet creates it first (its first use), so
    a first ``accordwatch events`` shows the bundled sample; afterwards reads never take
    the write lock.  A store made by an older accordwatch is migrated, and one made before
    the accord tables or the bundled text events existed gets them, on its first open after
    (for a read-only open, through one read-write open first).
    """
    if isinstance(db, Store):
        return db
    if read_only:
        path = resolve_db_path(db)
        if path == ":memory:":  # private to its opener: nothing to share, nothing to lock
            return _open_writable(path)
        if not Path(path).exists():
            _open_writable(path).close()  # its first use
        try:
            store = Store.open(path, read_only=True)
        except StoreOutdated:  # made by an older accordwatch: migrated, once
            _open_writable(path).close()
            store = Store.open(path, read_only=True)
        if store.needs_accords() or _needs_text_events(store):
            store.close()
            _open_writable(path).close()  # fills them, once
            store = Store.open(path, read_only=True)
        return store
    return _open_writable(db)


def _open_writable(db: str | os.PathLike[str] | None) -> Store:
    """Open read-write: migrated, seeded if new, the accord tables and the bundled text
    events filled if missing."""
    store = Store.open(db, seed=_seed)
    try:
        if store.needs_accords():
            from .accords import seed_accords

            seed_accords(store)  # one transaction
        if _needs_text_events(store):
            from .seed import seed_text_events

            seed_text_events(store)  # one transaction
    except BaseException:
        store.close()
        raise
    return store


def _needs_text_events(store: Store) -> bool:
    from .seed import needs_text_events

    return needs_text_events(store)


def _seed(store: Store) -> None:
    from .seed import seed_default

    seed_default(store)


@contextmanager
def using(db: DB, *, write: bool = False) -> Iterator[Store]:
    """The store for one unit of work: ``db`` itself when it is an open Store, else a store
    opened for it (read-only unless ``write``) and closed afterwards."""
    if isinstance(db, Store):
        yield db
        return
    store = open_store(db, read_only=not write)
    try:
        yield store
    finally:
        store.close()


def init_store(db: DB = None, *, empty: bool = False) -> dict[str, object]:
    """Create the store at ``db`` (normally done on first use): seeded with the bundled
    default, or with ``empty=True`` marked never to be seeded.  Returns its path and how
    many events it holds."""
    with Store.open(
        db if not isinstance(db, Store) else db.path, seed=None if empty else _seed
    ) as store:
        if empty and store.count("events") == 0:
            store.skip_seed()
        return {"path": store.path, "events": store.count("events")}


def store_path(db: DB = None) -> str:
    """Where the store is: ``db``, else ``$ACCORDWATCH_DB``, else the user data directory."""
    return db.path if isinstance(db, Store) else resolve_db_path(db)
