"""The store of a server: opened once for writing, owned by the server while it runs.

:func:`open_owner` opens the store at ``db`` as a :class:`~accordwatch.store.StoreOwner`
recorded as an accordwatch *server* with its URL — a command meeting the store is refused
with that URL — migrated, and filled like a store opened by a command on its first use
(the bundled default, the accord tables, the bundled text events).  Reads then run on the
owner's reader threads (``owner.read`` / ``owner.submit_read``), writes through its one
writer (``owner.execute_write``); every public function takes the Store it is handed as
``db``.  :func:`close_owner` finishes the queued writes and lets go of the file.

A public write function marked with :func:`bookkeeping` (noting when a session or token was
last used) changes nothing that answers kept from the stored data depend on: run through
the owner with ``bookkeeping=True`` (:func:`is_bookkeeping` tells), it leaves the owner's
``data_generation`` — and so the web app's kept answers and its event list in memory — as
they were.  Every other write moves it.

>>> owner = open_owner(":memory:", url="http://127.0.0.1:8000")
>>> owner.read(lambda store: store.count("events")) > 0
True
>>> close_owner(owner)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from ..store import Store, StoreOwner

__all__ = ["bookkeeping", "close_owner", "is_bookkeeping", "open_owner"]

_F = TypeVar("_F", bound=Callable[..., Any])
_MARK = "_accordwatch_bookkeeping"


def bookkeeping(fn: _F) -> _F:
    """Mark the public write function ``fn`` as bookkeeping (see the module text): it may
    write only notes no answer from the stored data depends on."""
    setattr(fn, _MARK, True)
    return fn


def is_bookkeeping(fn: Callable[..., Any]) -> bool:
    """True for a function marked with :func:`bookkeeping`."""
    return getattr(fn, _MARK, False) is True


def _seed(store: Store) -> None:
    from .seed import seed_default

    seed_default(store)


def _fill(store: Store) -> None:
    """What a store opened by a command gets on its first open: the accord tables and the
    bundled text events, when it lacks them (a store made before they existed)."""
    from .accords import seed_accords
    from .seed import needs_text_events, seed_text_events

    if store.needs_accords():
        seed_accords(store)
    if needs_text_events(store):
        seed_text_events(store)


def open_owner(
    db: str | os.PathLike[str] | None = None,
    *,
    url: str | None = None,
    readers: int = 4,
    wait: float | None = None,
) -> StoreOwner:
    """Open the store at ``db`` (a path, ``:memory:`` or None for the default) for a server
    answering at ``url``, with ``readers`` reader threads.  While another process holds the
    store this waits ``wait`` seconds (default ``$ACCORDWATCH_LOCK_WAIT``, else 5), then
    raises :class:`~accordwatch.errors.StoreBusy` naming the holder."""
    owner = StoreOwner(db, url=url, readers=readers, seed=_seed, wait=wait)
    try:
        owner.execute_write(_fill)
    except BaseException:
        owner.close()
        raise
    return owner


def close_owner(owner: StoreOwner) -> None:
    """Finish the owner's queued writes, stop its threads and close the store (the owner
    record goes with it).  Closing twice does nothing."""
    owner.close()
