"""One owner for the store: a long-running process (the web app) that holds the file.

DuckDB lets one process write a database file, and no other process open it meanwhile.  A
:class:`StoreOwner` opens the store for writing once, records itself in the owner record
as an accordwatch server (so that a command meeting the store says where to go instead),
serves reads on many threads and runs every write through one writer thread:

* :meth:`StoreOwner.read` runs ``fn(store)`` in the calling thread on that thread's own
  DuckDB cursor, in a read-only snapshot: it sees the last committed state, also while a
  write runs, and never waits for the writer.  :meth:`StoreOwner.submit_read` does the
  same on the owner's pool of reader threads and returns a Future.
* :meth:`StoreOwner.execute_write` queues ``fn(store)`` for the writer thread, which runs
  the writes one after another, each in one transaction (a failure leaves the store as it
  was).  It blocks for the result, or returns a Future.

Two counters tell what a read saw: :attr:`StoreOwner.generation` counts every committed
write, :attr:`StoreOwner.data_generation` only those not marked ``bookkeeping`` (a write
that changes no stored data an answer depends on: when a session or token was last used).
Answers kept from the stored data (the web app's event list) hold until the data
generation moves.

>>> with StoreOwner(":memory:") as owner:
...     owner.execute_write(lambda s: s.set_meta("greeting", "hello"))
...     owner.read(lambda s: s.get_meta("greeting"))
'hello'
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal, TypeVar, overload

import duckdb

from ..errors import StoreError
from .db import Store

__all__ = ["StoreOwner"]

_T = TypeVar("_T")

_Job = tuple[Callable[[Store], Any], Future[Any], bool]


class StoreOwner:
    """The store opened once for writing by a long-running process; see the module text.

    ``url`` is where the server answers (shown to commands that meet the store);
    ``readers`` the size of the reader pool of :meth:`submit_read`; ``seed`` and ``wait``
    are passed to :meth:`Store.open`.
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        *,
        url: str | None = None,
        readers: int = 4,
        seed: Callable[[Store], None] | None = None,
        wait: float | None = None,
    ) -> None:
        self._main = Store.open(db, seed=seed, wait=wait, kind="server", url=url)
        self.path = self._main.path
        self.url = url
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stores: list[Store] = []
        self._generation = 0
        self._data_generation = 0
        self._listeners: list[Callable[[int], None]] = []
        self._closed = False
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._write_store = self._cursor_store(read_only=False)
        self._writer = threading.Thread(
            target=self._write_loop, name="accordwatch-writer", daemon=True
        )
        self._writer.start()
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, readers), thread_name_prefix="accordwatch-reader"
        )

    # -- reads -----------------------------------------------------------------------------
    def read(self, fn: Callable[[Store], _T]) -> _T:
        """``fn(store)`` in this thread, on its own cursor, in a read-only snapshot of the
        last committed state."""
        store = self._reader()
        try:
            with store.snapshot():
                return fn(store)
        except duckdb.TransactionException as exc:
            if "read-only" not in str(exc):
                raise
            raise StoreError(
                f"a read of the store {self.path} tried to write; run writes through "
                "StoreOwner.execute_write"
            ) from exc

    def submit_read(self, fn: Callable[[Store], _T]) -> Future[_T]:
        """:meth:`read` on the owner's reader pool."""
        self._check_open()
        return self._pool.submit(self.read, fn)

    def _reader(self) -> Store:
        self._check_open()
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._cursor_store(read_only=True)
            self._local.store = store
            self._local.generation = self._generation
        elif self._local.generation != self._generation:
            store.refresh()  # a write may have changed what the store keeps
            self._local.generation = self._generation
        return store

    def _cursor_store(self, *, read_only: bool) -> Store:
        with self._lock:
            self._check_open()
            store = Store(self._main._con.cursor(), self.path)
            store.read_only = read_only
            self._stores.append(store)
        return store

    # -- writes ----------------------------------------------------------------------------
    @overload
    def execute_write(
        self,
        fn: Callable[[Store], _T],
        *,
        block: Literal[True] = ...,
        bookkeeping: bool = ...,
    ) -> _T: ...

    @overload
    def execute_write(
        self, fn: Callable[[Store], _T], *, block: Literal[False], bookkeeping: bool = ...
    ) -> Future[_T]: ...

    def execute_write(
        self, fn: Callable[[Store], _T], *, block: bool = True, bookkeeping: bool = False
    ) -> _T | Future[_T]:
        """Run ``fn(store)`` on the writer thread in one transaction, after the writes
        queued before it.  Returns its result (raising what it raised), or with
        ``block=False`` a Future of it.  Called from inside a write, it runs at once, in
        that write's transaction.  A ``bookkeeping`` write moves :attr:`generation` but not
        :attr:`data_generation`: only for a write that changes no events, places, actors,
        accords, reviews, users' rights — nothing but notes such as "last used"."""
        if threading.current_thread() is self._writer:
            result = fn(self._write_store)
            if block:
                return result
            done: Future[_T] = Future()
            done.set_result(result)
            return done
        future: Future[_T] = Future()
        with self._lock:
            self._check_open()
            self._jobs.put((fn, future, bool(bookkeeping)))
        return future.result() if block else future

    def _write_loop(self) -> None:
        store = self._write_store
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, future, bookkeeping = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                with store.transaction():
                    result = fn(store)
            except BaseException as exc:  # handed to the caller, whatever it is
                store.refresh()
                future.set_exception(exc)
                continue
            store.refresh()
            if not bookkeeping:
                self._data_generation += 1
            self._generation += 1
            future.set_result(result)
            if not bookkeeping:
                self._changed()

    def on_data_change(self, fn: Callable[[int], None]) -> None:
        """Call ``fn(data_generation)`` on the writer thread after each write that moves the
        data generation (to start rebuilding what was kept from the data at once); ``fn``
        must be quick, and what it raises is ignored."""
        with self._lock:
            self._listeners.append(fn)

    def _changed(self) -> None:
        for fn in list(self._listeners):
            try:
                fn(self._data_generation)
            except Exception:  # noqa: BLE001 - a listener's failure is not the write's
                pass

    @property
    def generation(self) -> int:
        """How many writes have committed: a data version (what a read saw at one
        generation holds until the next)."""
        return self._generation

    @property
    def data_generation(self) -> int:
        """How many writes that may change stored data have committed (every write but
        the ``bookkeeping`` ones): the version of what answers from the data depend on."""
        return self._data_generation

    # -- closing ---------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the owner of the store {self.path} is closed")

    def close(self) -> None:
        """Finish the queued writes, stop the threads, close the store and remove the
        owner record.  Reads still running in other threads must be finished first."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(None)
        self._writer.join()
        self._pool.shutdown(wait=True)
        for store in self._stores:
            try:
                store._con.close()
            except Exception:  # noqa: BLE001 - a cursor already closed with its thread
                pass
        self._main.close()

    def __enter__(self) -> StoreOwner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
