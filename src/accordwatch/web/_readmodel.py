"""The event list held in memory: a read model of the store at one data version.

For the owner's current data version (``StoreOwner.generation``) :class:`ListModels` holds
every stored event with the list's columns and what its filters test, newest first (the
list's default order), loaded once in the background (on one of the owner's reader
threads, started by the first list after a write) by
:meth:`accordwatch.store.Store.event_list_table`.  A first page or a following one of the
default order whose filters are countries, regions, a period, types of violence, a minimum
of deaths and sources is then answered by numpy masks over those columns (the period is a
slice: the rows are in date order) instead of two scans of the table; any other request —
an actor, facets, another sort, columns it does not hold, a model not ready or of an older
data version — returns None, and the store answers.  A store with more events than
``max_rows`` is never held.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import time
from concurrent.futures import Future
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["MAX_ROWS", "ListModel", "ListModels"]

#: events a model holds at most; a larger store is answered by the store only
MAX_ROWS = 3_000_000
#: deaths above this are held as this (a minimum above it is the store's to answer)
_BIG = 2**31 - 2
_EPOCH = dt.date(1970, 1, 1)
#: builds in a row at most while writes keep ending during them
_BUILDS = 3


class _Codes:
    """A column as dictionary codes (-1 for a missing value; as narrow as they fit) and its
    distinct values: a filter on it is a look-up table indexed by the codes."""

    def __init__(self, col: pa.ChunkedArray) -> None:
        enc = col.combine_chunks().dictionary_encode()
        self.values: list[Any] = enc.dictionary.to_pylist()
        wide = np.asarray(enc.indices.cast(pa.int32()).fill_null(-1).to_numpy(zero_copy_only=False))
        self.codes = wide.astype(np.int16) if len(self.values) < 2**15 else wide

    def among(self, wanted: set[Any], key: Any = None) -> np.ndarray:
        """A look-up table: True at the code of each value in ``wanted`` (last: missing)."""
        hits = [(v if key is None else key(v)) in wanted for v in self.values]
        return np.array([*hits, False], dtype=bool)

    def mask(self, lut: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return lut[self.codes[lo:hi]]


class _Pairs:
    """Two coded columns as one code per distinct pair of values, so that a test of both
    is one look-up per row."""

    def __init__(self, a: _Codes, b: _Codes) -> None:
        joint = (a.codes.astype(np.int64) + 1) * (len(b.values) + 1) + (b.codes + 1)
        pairs, inverse = np.unique(joint, return_inverse=True)
        self.a = (pairs // (len(b.values) + 1) - 1).astype(np.int64)
        self.b = (pairs % (len(b.values) + 1) - 1).astype(np.int64)
        wide = inverse.reshape(-1)
        self.codes = wide.astype(np.int16) if len(pairs) < 2**15 else wide.astype(np.int32)

    def mask(self, lut: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return lut[self.codes[lo:hi]]


class ListModel:
    """Every stored event at data version ``generation`` (see the module text); built from
    the table :meth:`~accordwatch.store.Store.event_list_table` returns."""

    def __init__(self, table: pa.Table, columns: list[str], generation: int) -> None:
        self.generation = generation
        self.columns = list(columns)
        self.rows = len(table)
        dates = table["date_start"].combine_chunks()
        self.usable = dates.null_count == 0
        days = dates.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
        self._neg_days = -np.asarray(days, dtype=np.int64)  # ascending
        self._country_id = _Codes(table["country_id"])
        self._country = _Codes(table["_country"])
        self._admin1 = _Codes(table["_admin1"])
        self._adm_1 = _Codes(table["_adm_1"])
        self._type = _Codes(table["type_of_violence"])
        best = table["best"].combine_chunks().cast(pa.int64()).fill_null(-1)
        # a missing figure is -1: no minimum (zero or more) takes it
        self._best = np.clip(best.to_numpy(zero_copy_only=False), -1, _BIG).astype(np.int32)
        self._source = _Codes(table["source"])
        self._countries = _Pairs(self._country_id, self._country)
        self._regions = _Pairs(self._admin1, self._adm_1)
        self._event_id = table["source_event_id"].combine_chunks()
        self._counted = np.asarray(
            table["_counted"].combine_chunks().fill_null(True).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
        self._all_counted = bool(self._counted.all())
        shown = []
        for name in self.columns:
            col = table[name].combine_chunks()
            if pa.types.is_string(col.type) and name != "source_event_id":
                col = col.dictionary_encode()
            shown.append(col)
        self._shown = pa.table(shown, names=self.columns)

    @property
    def nbytes(self) -> int:
        """Memory the model holds, in bytes (about)."""
        arrays = [self._neg_days, self._best, self._counted]
        codes: list[_Codes | _Pairs] = [self._country_id, self._type, self._country]
        codes += [self._admin1, self._adm_1, self._source, self._countries, self._regions]
        return (
            int(self._shown.nbytes)
            + int(self._event_id.nbytes)
            + sum(int(a.nbytes) for a in arrays)
            + sum(int(c.codes.nbytes) for c in codes)
        )

    def _day(self, when: dt.date) -> int:
        return -(when - _EPOCH).days

    def _start(self, after: tuple[bool, Any, str, str]) -> int:
        """The position of the first row after the cursor ``after`` in the model's order."""
        _, value, source, event_id = after
        neg = self._day(value)
        lo = int(np.searchsorted(self._neg_days, neg, side="left"))
        hi = int(np.searchsorted(self._neg_days, neg, side="right"))
        src, ids = self._source, self._event_id

        def key(i: int) -> tuple[str, str]:
            return src.values[src.codes[i]], str(ids[i].as_py())

        return bisect.bisect_right(range(lo, hi), (source, event_id), key=key) + lo

    def page(
        self,
        flt: Any,
        after: tuple[bool, Any, str, str] | None,
        size: int,
        columns: list[str],
        count: bool,
    ) -> dict[str, Any] | None:
        """What :func:`accordwatch._api.event_page` returns for the resolved filter ``flt``
        in the default order (newest first) without facets — or None when the model cannot
        answer it (an actor filter, columns it does not hold, a cursor at a missing date)."""
        if not self.usable or flt.has_actor or size < 1:
            return None
        if flt.min_deaths is not None and not 0 <= flt.min_deaths <= _BIG:
            return None
        if len(set(columns)) != len(columns) or not set(columns) <= set(self.columns):
            return None
        if after is not None and (after[0] or not isinstance(after[1], dt.date)):
            return None
        lo, hi = 0, self.rows
        if flt.since is not None:
            hi = int(np.searchsorted(self._neg_days, self._day(flt.since), side="right"))
        if flt.until is not None:
            lo = int(np.searchsorted(self._neg_days, self._day(flt.until), side="left"))
        hi = max(lo, hi)
        tests: list[np.ndarray] = []
        if flt.has_country:
            both = self._countries
            ids = self._country_id.among(flt.country_ids)[both.a]
            named = self._country.among(flt.country_names)[both.b]
            tests.append(both.mask(ids | ((both.a == -1) & named), lo, hi))
        if flt.regions:
            both = self._regions
            lut = self._admin1.among(flt.regions)[both.a] | self._adm_1.among(flt.regions)[both.b]
            tests.append(both.mask(lut, lo, hi))
        if flt.types_of_violence:
            tests.append(self._type.mask(self._type.among(flt.types_of_violence), lo, hi))
        if flt.min_deaths is not None:
            tests.append(self._best[lo:hi] >= flt.min_deaths)
        if flt.sources:
            src = self._source
            lut = src.among(flt.sources) | src.among(flt.sources, key=lambda v: v.split(":")[0])
            tests.append(src.mask(lut, lo, hi))
        if not flt.uncounted and not self._all_counted:
            tests.append(self._counted[lo:hi])
        if not tests:
            mask = np.ones(hi - lo, dtype=bool)
        elif len(tests) == 1:
            mask = tests[0]  # perhaps a view of the model's own column: only read below
        else:
            mask = tests[0] & tests[1]
            for test in tests[2:]:
                mask &= test
        start = lo if after is None else max(lo, self._start(after))
        found = np.flatnonzero(mask[start - lo :])[: size + 1] + start
        page = found[:size]
        rows = [
            {c: (v.isoformat() if isinstance(v, dt.date) else v) for c, v in r.items()}
            for r in self._shown.select(columns).take(pa.array(page)).to_pylist()
        ]
        key = None
        if len(found) > size:
            last = int(page[-1])
            day = _EPOCH - dt.timedelta(days=int(self._neg_days[last]))
            src = self._source
            key = (False, day, src.values[src.codes[last]], str(self._event_id[last].as_py()))
        return {
            "columns": list(columns),
            "rows": rows,
            "next": key,
            "count": int(mask.sum()) if count else None,
            "facets": {},
        }


class ListModels:
    """The :class:`ListModel` of the owner's current data version, built in the background
    on one of the owner's reader threads (so that closing the owner waits for a build):
    :meth:`current` returns it when it is ready and current, else starts its build (one at
    a time) and returns None.  ``columns`` are the list's; ``max_rows`` bounds the store held."""

    def __init__(self, owner: Any, columns: list[str], *, max_rows: int = MAX_ROWS) -> None:
        self.owner = owner
        self.columns = list(columns)
        self.max_rows = max_rows
        self.model: ListModel | None = None
        self.too_big = -1  # the data version found too big to hold
        self._lock = threading.RLock()  # a build done at once calls back under it
        self._building: Future[Any] | None = None

    def current(self) -> ListModel | None:
        """The model of the current data version, or None (its build starts if needed)."""
        generation = int(self.owner.generation)
        model = self.model
        if model is not None and model.generation == generation:
            return model
        with self._lock:
            if model is not None and model.generation != generation:
                self.model = None  # stale: never used again, its memory goes
            busy = self._building is not None and not self._building.done()
            if not busy and self.too_big != generation:
                self._start(generation, _BUILDS)
        return None

    def _start(self, generation: int, left: int) -> None:
        """Submit the build of ``generation`` (``left`` builds in a row at most)."""
        if left <= 0 or self.owner.closed:
            return
        try:
            future = self.owner.submit_read(lambda store: self._build(store, generation))
        except Exception:  # noqa: BLE001 (the owner is closing: the store answers)
            return
        self._building = future
        future.add_done_callback(lambda done: self._built(done, generation, left))

    def _build(self, store: Any, generation: int) -> ListModel | None:
        table = store.event_list_table(self.columns, max_rows=self.max_rows)
        if table is None:
            self.too_big = generation
            return None
        return ListModel(table, self.columns, generation)

    def _built(self, done: Future[Any], generation: int, left: int) -> None:
        """Keep the model built if no write ended meanwhile; else build again, so that a
        model of the newest data version is ready soon."""
        if done.cancelled() or done.exception() is not None:
            return  # the store answers meanwhile; a later request retries
        model = done.result()
        if model is None:
            return
        now = int(self.owner.generation)
        if now == generation:
            if model.usable:
                self.model = model
            return
        with self._lock:
            self._start(now, left - 1)

    def wait(self, timeout: float = 60.0) -> ListModel | None:
        """The current model, waiting for its build (again after a write meanwhile) for at
        most ``timeout`` seconds: for tests and benchmarks."""
        end = time.monotonic() + timeout
        while True:
            found = self.current()
            building = self._building
            if found is not None or self.too_big == int(self.owner.generation):
                return found
            if building is None or time.monotonic() >= end:
                return None
            try:
                building.result(max(0.0, end - time.monotonic()))
            except Exception:  # noqa: BLE001 (a failed build: the store answers)
                return None
            time.sleep(0.01)  # its done-callback runs right after the result is set
