"""The event list held in memory: a read model of the store at one data version.

For the owner's current data version (``StoreOwner.data_generation``) :class:`ListModels` holds
every stored event with the list's columns and what its filters test, newest first (the
list's default order), loaded once in the background (on one of the owner's reader
threads, started when the app starts and after every write that moves the data version) by
:meth:`accordwatch.store.Store.event_list_unsorted`.  A first page or a following one of the
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
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

#: a text as JSON writes it without escaping beyond what JSON needs (ensure_ascii=False)
_json_text: Callable[[str], str] = json.encoder.encode_basestring

__all__ = ["MASK_BYTES", "MAX_ROWS", "THREADS", "ListModel", "ListModels"]

_T = TypeVar("_T")

#: events a model holds at most; a larger store is answered by the store only
MAX_ROWS = 3_000_000
#: deaths above this are held as this (a minimum above it is the store's to answer)
_BIG = 2**31 - 2
_EPOCH = dt.date(1970, 1, 1)
#: builds in a row at most while writes keep ending during them
_BUILDS = 3
#: threads that compute pages from a model (numpy lets go of the GIL for most of it)
THREADS = 2
#: bytes of kept row masks (ListModel.page's ``keep``) a model holds at most
MASK_BYTES = 64 * 1024 * 1024
#: resolved filters a model keeps at most (the least recently used go first)
_KEPT = 1024


class _Codes:
    """A column as dictionary codes (-1 for a missing value) and its distinct values: a
    filter on it is a look-up table indexed by the codes (its last entry: missing)."""

    def __init__(self, col: pa.ChunkedArray | pa.Array, order: np.ndarray | None) -> None:
        whole = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        enc = whole.dictionary_encode()
        self.values: list[Any] = enc.dictionary.to_pylist()
        codes = np.asarray(
            enc.indices.cast(pa.int32()).fill_null(-1).to_numpy(zero_copy_only=False)
        )
        self.codes = codes if order is None else codes[order]

    def among(self, wanted: set[Any], key: Any = None) -> np.ndarray:
        """A look-up table: True at the code of each value in ``wanted`` (last: missing)."""
        hits = [(v if key is None else key(v)) in wanted for v in self.values]
        return np.array([*hits, False], dtype=bool)


def _narrow(codes: np.ndarray, distinct: int) -> np.ndarray:
    return codes.astype(np.int16 if distinct < 2**15 else np.int32)


def _shown(value: Any) -> Any:
    """A value as a page shows it (dates as ISO text, as the store's pages do)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _json_float(value: float | None) -> str:
    """A float as JSON writes it, NaN and infinities (and None) as null."""
    return "null" if value is None or not math.isfinite(value) else float.__repr__(value)


def _plain_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class _Column:
    """A column a page shows: a column of few distinct values as their codes, with each
    value and its JSON (``"name":value``) made once; any other as it is."""

    def __init__(
        self,
        name: str,
        col: pa.ChunkedArray,
        encode: Callable[[Any], str],
        order: np.ndarray | None,
    ) -> None:
        whole = col.combine_chunks()
        self._encode = encode
        self._key = json.dumps(name, ensure_ascii=False) + ":"
        self.values: list[Any] | None = None
        self.array: pa.Array | None = None
        try:
            enc = whole.dictionary_encode()
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            enc = None  # a type without a dictionary: kept as it is
        if enc is None or len(enc.dictionary) > len(whole) // 4 + 1024:
            self.array = whole if order is None else whole.take(pa.array(order))
            return
        self.values = [*(_shown(v) for v in enc.dictionary.to_pylist()), None]
        self._texts = [self._key + encode(v) for v in self.values]
        wide = np.asarray(enc.indices.cast(pa.int32()).fill_null(-1).to_numpy(zero_copy_only=False))
        self.codes = _narrow(wide if order is None else wide[order], len(self.values))

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes) if self.array is None else int(self.array.nbytes)

    def python(self, rows: np.ndarray) -> list[Any]:
        """The values at ``rows`` (positions)."""
        if self.array is None:
            assert self.values is not None
            return [self.values[c] for c in self.codes[rows].tolist()]
        return [_shown(v) for v in self.array.take(pa.array(rows)).to_pylist()]

    def json(self, rows: np.ndarray) -> list[str]:
        """``"name":value`` as JSON for the values at ``rows``."""
        if self.array is None:
            return [self._texts[c] for c in self.codes[rows].tolist()]
        key, encode = self._key, self._encode
        values = self.array.take(pa.array(rows)).to_pylist()
        kind = self.array.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return [key + ("null" if v is None else _json_text(v)) for v in values]
        if pa.types.is_floating(kind):
            return [key + _json_float(v) for v in values]
        return [key + encode(_shown(v)) for v in values]


class ListModel:
    """Every stored event at data version ``generation`` (see the module text); built from
    the table :meth:`~accordwatch.store.Store.event_list_table` returns — or, with
    ``order``, from the unsorted table and order of
    :meth:`~accordwatch.store.Store.event_list_unsorted`.

    Every row has one *group* code: its distinct combination of country code and name,
    both admin-1 spellings, type of violence, source and whether it is counted.  A filter
    on those becomes one look-up table over the groups (made once per filter and kept with
    the resolved filter, :meth:`remember`), so that a page costs one pass over the period's
    rows for the groups, one for a minimum of deaths, and a count of the mask."""

    def __init__(
        self,
        table: pa.Table,
        columns: list[str],
        generation: int,
        encode: Callable[[Any], str] | None = None,
        order: np.ndarray | None = None,
    ) -> None:
        self.generation = generation
        self.columns = list(columns)
        self.rows = len(table)

        def ordered(values: np.ndarray) -> np.ndarray:
            return values if order is None else values[order]

        dates = table["date_start"].combine_chunks()
        self.usable = dates.null_count == 0
        days = dates.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
        self._neg_days = -ordered(np.asarray(days, dtype=np.int64))  # ascending
        best = table["best"].combine_chunks().cast(pa.int64()).fill_null(-1)
        # a missing figure is -1: no minimum (zero or more) takes it
        best_np = np.clip(best.to_numpy(zero_copy_only=False), -1, _BIG).astype(np.int32)
        self._best = ordered(best_np)
        counted = table["_counted"].combine_chunks().fill_null(True)
        self._parts = {
            name: _Codes(table[name], order)
            for name in ("country_id", "_country", "_admin1", "_adm_1", "type_of_violence")
        }
        self._parts["source"] = _Codes(table["source"], order)
        self._parts["_counted"] = _Codes(counted, order)
        self._group, self._of_group = self._groups()
        self.groups = len(next(iter(self._of_group.values())))
        counted_codes = self._of_group["_counted"]
        counted_values = np.array([*self._parts["_counted"].values, True], dtype=bool)
        self._group_counted = counted_values[counted_codes]
        self._source_values: list[str] = self._parts["source"].values
        for part in self._parts.values():
            del part.codes  # only the groups' codes are kept
        ids = table["source_event_id"].combine_chunks()
        self._event_id = ids if order is None else ids.take(pa.array(order))
        as_json = encode or _plain_json
        self._shown = {name: _Column(name, table[name], as_json, order) for name in self.columns}
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._kept_lock = threading.Lock()
        self._masks: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._mask_bytes = 0

    def _groups(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Each row's group code, and for each group the code of each part's value."""
        joint = np.zeros(self.rows, dtype=np.int64)
        span = 1
        for part in self._parts.values():
            joint = joint * (len(part.values) + 1) + (part.codes + 1)
            span *= len(part.values) + 1
            if span > 2**40:  # keep the joint code well inside 64 bits
                uniq, inverse = np.unique(joint, return_inverse=True)
                joint, span = inverse.reshape(-1).astype(np.int64), len(uniq)
        uniq, inverse = np.unique(joint, return_inverse=True)
        group = inverse.reshape(-1)
        first = np.empty(len(uniq), dtype=np.int64)
        first[group[::-1]] = np.arange(self.rows - 1, -1, -1)
        of_group = {name: part.codes[first] for name, part in self._parts.items()}
        return _narrow(group, len(uniq)), of_group

    @property
    def nbytes(self) -> int:
        """Memory the model holds, in bytes (about)."""
        arrays = [self._neg_days, self._best, self._group, *self._of_group.values()]
        return (
            sum(c.nbytes for c in self._shown.values())
            + int(self._event_id.nbytes)
            + sum(int(a.nbytes) for a in arrays)
        )

    # -- kept per filter -------------------------------------------------------------------
    def remembered(self, key: Hashable) -> Any:
        """What :meth:`remember` kept under ``key`` (a resolved filter), or None."""
        with self._kept_lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def remember(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key`` while the model lives (the :data:`_KEPT` latest)."""
        with self._kept_lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            while len(self._kept) > _KEPT:
                self._kept.popitem(last=False)

    def groups_of(self, flt: Any) -> np.ndarray | None:
        """The look-up table over the groups of the rows ``flt`` lets through by its country,
        region, type, source and counted tests (None: every row)."""
        parts, of = self._parts, self._of_group
        lut: np.ndarray | None = None

        def both(test: np.ndarray) -> None:
            nonlocal lut
            lut = test if lut is None else lut & test

        if flt.has_country:
            ids = parts["country_id"].among(flt.country_ids)[of["country_id"]]
            named = parts["_country"].among(flt.country_names)[of["_country"]]
            both(ids | ((of["country_id"] == -1) & named))
        if flt.regions:
            a = parts["_admin1"].among(flt.regions)[of["_admin1"]]
            both(a | parts["_adm_1"].among(flt.regions)[of["_adm_1"]])
        if flt.types_of_violence:
            kind = parts["type_of_violence"]
            both(kind.among(flt.types_of_violence)[of["type_of_violence"]])
        if flt.sources:
            src = parts["source"]
            lut_src = src.among(flt.sources) | src.among(flt.sources, key=lambda v: v.split(":")[0])
            both(lut_src[of["source"]])
        if not flt.uncounted and not self._group_counted.all():
            both(self._group_counted)
        return lut

    # -- pages -----------------------------------------------------------------------------
    def _day(self, when: dt.date) -> int:
        return -(when - _EPOCH).days

    def _source(self, i: int) -> str:
        return str(self._source_values[self._of_group["source"][self._group[i]]])

    def _start(self, after: tuple[bool, Any, str, str]) -> int:
        """The position of the first row after the cursor ``after`` in the model's order."""
        _, value, source, event_id = after
        neg = self._day(value)
        lo = int(np.searchsorted(self._neg_days, neg, side="left"))
        hi = int(np.searchsorted(self._neg_days, neg, side="right"))
        ids = self._event_id

        def key(i: int) -> tuple[str, str]:
            return self._source(i), str(ids[i].as_py())

        return bisect.bisect_right(range(lo, hi), (source, event_id), key=key) + lo

    def accepts(
        self,
        flt: Any,
        after: tuple[bool, Any, str, str] | None,
        size: int,
        columns: list[str],
    ) -> bool:
        """True when :meth:`page` can answer (no actor, columns it holds, a cursor at a
        date)."""
        if not self.usable or flt.has_actor or size < 1:
            return False
        if flt.min_deaths is not None and not 0 <= flt.min_deaths <= _BIG:
            return False
        if len(set(columns)) != len(columns) or not set(columns) <= set(self.columns):
            return False
        return after is None or (not after[0] and isinstance(after[1], dt.date))

    def page(
        self,
        flt: Any,
        after: tuple[bool, Any, str, str] | None,
        size: int,
        columns: list[str],
        count: bool,
        groups: np.ndarray | None | bool = False,
        *,
        encoded: bool = False,
        keep: Hashable | None = None,
    ) -> dict[str, Any] | None:
        """What :func:`accordwatch._api.event_page` returns for the resolved filter ``flt``
        in the default order (newest first) without facets — or None when the model cannot
        answer it (see :meth:`accepts`).  ``groups`` is :meth:`groups_of` ``flt`` when the
        caller kept it.  ``encoded``: each row as its JSON text (``"{...}"``, each value as
        the model's ``encode`` writes it) instead of a dict.  ``keep``: a key of ``flt``
        but its minimum of deaths, under which the rows its other tests let through in its
        period are kept (:data:`MASK_BYTES` of them at most), so that the next page of those
        filters, with any minimum, skips that pass."""
        if not self.accepts(flt, after, size, columns):
            return None
        lut = self.groups_of(flt) if groups is False else groups
        assert lut is None or isinstance(lut, np.ndarray)
        lo, hi = 0, self.rows
        if flt.since is not None:
            hi = int(np.searchsorted(self._neg_days, self._day(flt.since), side="right"))
        if flt.until is not None:
            lo = int(np.searchsorted(self._neg_days, self._day(flt.until), side="left"))
        hi = max(lo, hi)
        mask: np.ndarray | None = None
        if lut is not None:
            mask = self._groups_mask(lut, lo, hi, keep)
        if flt.min_deaths is not None:
            deaths = self._best[lo:hi] >= flt.min_deaths
            mask = deaths if mask is None else np.logical_and(mask, deaths, out=deaths)
        start = lo if after is None else max(lo, self._start(after))
        found = self._first(mask, lo, hi, start, size + 1)
        page = found[:size]
        shown = [self._shown[c] for c in columns]
        rows: list[Any]
        if encoded:
            texts = zip(*(c.json(page) for c in shown), strict=True)
            rows = ["{" + ",".join(parts) + "}" for parts in texts]
        else:
            values = zip(*(c.python(page) for c in shown), strict=True)
            rows = [dict(zip(columns, r, strict=True)) for r in values]
        key = None
        if len(found) > size:
            last = int(page[-1])
            day = _EPOCH - dt.timedelta(days=int(self._neg_days[last]))
            key = (False, day, self._source(last), str(self._event_id[last].as_py()))
        total = None
        if count:
            total = hi - lo if mask is None else int(np.count_nonzero(mask))
        return {"columns": list(columns), "rows": rows, "next": key, "count": total, "facets": {}}

    def _groups_mask(self, lut: np.ndarray, lo: int, hi: int, keep: Hashable | None) -> np.ndarray:
        """The rows ``lo:hi`` whose group ``lut`` takes (only read: it may be kept)."""
        if keep is None:
            return lut[self._group[lo:hi]]
        with self._kept_lock:
            found = self._masks.get(keep)
            if found is not None:
                self._masks.move_to_end(keep)
        if found is not None and len(found) == hi - lo:
            return found
        mask = lut[self._group[lo:hi]]
        mask.flags.writeable = False
        if mask.nbytes <= MASK_BYTES // 4:
            with self._kept_lock:
                old = self._masks.pop(keep, None)
                self._mask_bytes += mask.nbytes - (0 if old is None else old.nbytes)
                self._masks[keep] = mask
                while self._mask_bytes > MASK_BYTES:
                    self._mask_bytes -= self._masks.popitem(last=False)[1].nbytes
        return mask

    @staticmethod
    def _first(mask: np.ndarray | None, lo: int, hi: int, start: int, n: int) -> np.ndarray:
        """The positions of the first ``n`` rows from ``start`` that ``mask`` (over the rows
        ``lo:hi``; None: all) lets through, looked for in growing steps."""
        if mask is None:
            return np.arange(start, min(hi, start + n), dtype=np.int64)
        found: list[np.ndarray] = []
        need, pos, step = n, start - lo, 4096
        while need > 0 and pos < len(mask):
            hits = np.flatnonzero(mask[pos : pos + step])[:need] + (pos + lo)
            found.append(hits)
            need -= len(hits)
            pos += step
            step *= 4
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class ListModels:
    """The :class:`ListModel` of the owner's current data version (``data_generation``),
    built in the background on one of the owner's reader threads (so that closing the
    owner waits for a build): :meth:`current` returns it when it is ready and current, else
    starts its build (one at a time) and returns None — as every write that moves the data
    version does (``StoreOwner.on_data_change``).  ``columns`` are the list's;
    ``max_rows`` bounds the store held; ``encode`` writes one value as JSON for the pages'
    ``encoded`` rows.  :meth:`submit` runs a page's numpy work on the
    models' own threads (no store snapshot is needed for it)."""

    def __init__(
        self,
        owner: Any,
        columns: list[str],
        *,
        max_rows: int = MAX_ROWS,
        encode: Callable[[Any], str] | None = None,
    ) -> None:
        self.owner = owner
        self.columns = list(columns)
        self.max_rows = max_rows
        self.encode = encode
        self.model: ListModel | None = None
        self.too_big = -1  # the data version found too big to hold
        self._lock = threading.RLock()  # a build done at once calls back under it
        self._building: Future[Any] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._closed = False
        listen = getattr(owner, "on_data_change", None)
        if listen is not None:
            listen(self._changed)

    @property
    def version(self) -> int:
        """The owner's data version."""
        return int(self.owner.data_generation)

    def current(self) -> ListModel | None:
        """The model of the current data version, or None (its build starts if needed)."""
        self._closed = False  # asked again (an app started again on the same owner)
        generation = self.version
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

    def _changed(self, version: int) -> None:
        """After a write that moved the data version: start the new model's build at once."""
        if not self._closed:
            self.current()

    def submit(self, fn: Callable[[], _T]) -> Future[_T]:
        """``fn()`` on one of the models' :data:`THREADS` threads."""
        pool = self._pool
        if pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="accordwatch-list")
                pool = self._pool
        return pool.submit(fn)

    def close(self) -> None:
        """Stop the models' threads and let the model go."""
        with self._lock:
            pool, self._pool = self._pool, None
            self.model = None
            self._closed = True
        if pool is not None:
            pool.shutdown(wait=True)

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
        found = store.event_list_unsorted(self.columns, max_rows=self.max_rows)
        if found is None:
            self.too_big = generation
            return None
        table, order = found
        return ListModel(table, self.columns, generation, self.encode, order)

    def _built(self, done: Future[Any], generation: int, left: int) -> None:
        """Keep the model built if no write ended meanwhile; else build again, so that a
        model of the newest data version is ready soon."""
        if done.cancelled() or done.exception() is not None:
            return  # the store answers meanwhile; a later request retries
        model = done.result()
        if model is None:
            return
        now = self.version
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
            if found is not None or self.too_big == self.version:
                return found
            if building is None or time.monotonic() >= end:
                return None
            try:
                building.result(max(0.0, end - time.monotonic()))
            except Exception:  # noqa: BLE001 (a failed build: the store answers)
                return None
            time.sleep(0.01)  # its done-callback runs right after the result is set
