"""Pages of events: one sorted page at a time (keyset pagination) and facet counts, as
methods of :class:`~accordwatch.store.Store`.

A page is sorted by one column of :data:`SORTABLE` (missing values last, either way), then
by ``source`` and ``source_event_id``, which make the order total.  Its rows are read in
two steps in the caller's transaction (a snapshot, for the web app): the order on the few
columns it needs, then the page's rows by their row ids.  The next page starts
after the *key* of the last row — ``(value is missing, value, source, source_event_id)`` —
so rows added or removed meanwhile never shift a page the way an offset would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InputError, StoreError
from .queries import COUNTED_ONLY, GROUPINGS, EventFilter, _checked_columns
from .schema import EVENT_COLUMNS, duckdb_type

if TYPE_CHECKING:
    import duckdb
    import numpy as np
    import pyarrow as pa

__all__ = ["FACETS", "SORTABLE", "EventPages", "PageKey"]

#: the columns a page can be sorted by
SORTABLE = (
    "date_start",
    "date_end",
    "best",
    "low",
    "high",
    "deaths_civilians",
    "country",
    "admin1",
    "adm_1",
    "type_of_violence",
    "side_a",
    "side_b",
    "source",
    "source_event_id",
    "year",
    "updated_at",
)
#: what events can be counted by for facets (the expressions of ``stats --by``)
FACETS = ("country", "region", "type", "source", "year")

#: (value is missing, value, source, source_event_id) of the row a page ends with
PageKey = tuple[bool, Any, str, str]


#: the list's default order (as :meth:`EventPages.event_page` sorts by date, newest first)
_DEFAULT_ORDER = "date_start DESC NULLS LAST, source, source_event_id"
#: what the filters test, beside the list's columns (EventPages.event_list_table)
_LIST_EXTRA = {
    "country_id": "country_id",
    "_country": "lower(country)",
    "_admin1": "lower(admin1)",
    "_adm_1": "lower(adm_1)",
    "date_start": "date_start",
    "type_of_violence": "type_of_violence",
    "best": "best",
    "source": "source",
    "source_event_id": "source_event_id",
    "_counted": COUNTED_ONLY,
}


def _checked_sort(column: str) -> str:
    if column not in SORTABLE:
        raise InputError(f"cannot sort events by {column!r}; choose from {', '.join(SORTABLE)}")
    return column


class EventPages:
    """Mixed into :class:`~accordwatch.store.Store`: sorted pages of events and facets."""

    _con: duckdb.DuckDBPyConnection

    def event_page(
        self,
        flt: EventFilter,
        *,
        sort: str = "date_start",
        descending: bool = True,
        after: PageKey | None = None,
        size: int = 100,
        columns: list[str] | None = None,
    ) -> tuple[list[str], list[tuple[Any, ...]], PageKey | None]:
        """At most ``size`` events matching ``flt`` that come after ``after`` in the order of
        ``sort`` (``descending`` or not): the column names, the rows and the key of the
        last row when more rows follow (else None)."""
        col = _checked_sort(sort)
        cols = _checked_columns(columns)
        if size < 1:
            raise InputError("a page holds at least one event")
        where, params = flt.where()
        cmp = "<" if descending else ">"
        order = "DESC" if descending else "ASC"
        ties = "(source > ? OR (source = ? AND source_event_id > ?))"
        if after is not None:
            missing, value, source, event_id = after
            if missing:
                where += f" AND ({col} IS NULL AND {ties})"
                params += [source, source, event_id]
            else:
                typed = f"CAST(? AS {duckdb_type(EVENT_COLUMNS[col])})"
                where += (
                    f" AND ({col} IS NULL OR {col} {cmp} {typed} OR ({col} = {typed} AND {ties}))"
                )
                params += [value, value, source, source, event_id]
        # the order on a few columns first, then the page's rows by rowid: carrying every
        # (text-heavy) column through the sort of all matching rows costs several times more
        keys = self._con.execute(
            f"SELECT rowid, {col} IS NULL, {col}, source, source_event_id "
            f"FROM events WHERE {where} "
            f"ORDER BY {col} {order} NULLS LAST, source, source_event_id "
            f"LIMIT {int(size) + 1}",
            params,
        ).fetchall()
        page = keys[:size]
        found = {
            r[0]: r[1:]
            for r in self._con.execute(
                f"SELECT rowid, {', '.join(cols)} FROM events "
                "WHERE rowid IN (SELECT unnest(?::BIGINT[]))",
                [[k[0] for k in page]],
            ).fetchall()
        }
        rows = [found[k[0]] for k in page]
        key: PageKey | None = None
        if len(keys) > size:
            last = page[-1]
            key = (bool(last[1]), last[2], str(last[3]), str(last[4]))
        return cols, rows, key

    def event_list_table(self, columns: list[str], *, max_rows: int) -> pa.Table | None:
        """Every stored event with ``columns`` and what the filters of :class:`EventFilter`
        test (``country_id``, ``_country``, ``_admin1``, ``_adm_1`` in lower case, ``date_start``,
        ``type_of_violence``, ``best``, ``source``, and ``_counted``: false for
        an uncounted incident member), in the list's default order (newest first, then
        ``source``, ``source_event_id``) — or None when more than ``max_rows`` events are
        stored."""
        cols = _checked_columns(columns)
        ((stored,),) = self._con.execute("SELECT count(*) FROM events").fetchall()
        if int(stored) > max_rows:
            return None
        select = [*cols, *(f"{e} AS {n}" for n, e in _LIST_EXTRA.items() if n not in cols)]
        return self._con.sql(
            f"SELECT {', '.join(select)} FROM events ORDER BY {_DEFAULT_ORDER}"
        ).to_arrow_table()

    def event_list_unsorted(
        self, columns: list[str], *, max_rows: int
    ) -> tuple[pa.Table, np.ndarray] | None:
        """What :meth:`event_list_table` returns, without sorting the table: the events in
        the order the scan gives them, and the position in that table of each row of the
        list's default order (``table.take(order)`` is :meth:`event_list_table`).  Only the
        row ids are sorted, so the read needs far less memory.  Call it in a snapshot."""
        import numpy as np

        cols = _checked_columns(columns)
        ((stored,),) = self._con.execute("SELECT count(*) FROM events").fetchall()
        if int(stored) > max_rows:
            return None
        select = [*cols, *(f"{e} AS {n}" for n, e in _LIST_EXTRA.items() if n not in cols)]
        ids = self._con.sql(f"SELECT rowid FROM events ORDER BY {_DEFAULT_ORDER}").fetchnumpy()
        wanted = np.asarray(ids["rowid"], dtype=np.int64)
        table = self._con.sql(
            f"SELECT rowid AS _rowid, {', '.join(select)} FROM events"
        ).to_arrow_table()
        scanned = np.asarray(table["_rowid"].to_numpy(), dtype=np.int64)
        by_id = np.argsort(scanned, kind="stable")
        order = by_id[np.searchsorted(scanned, wanted, sorter=by_id)]
        if len(order) != len(scanned) or not np.array_equal(scanned[order], wanted):
            raise StoreError("the events changed while the list was read; read it in a snapshot")
        return table.drop_columns(["_rowid"]), order

    def count_events(self, flt: EventFilter) -> int:
        """How many events match ``flt``."""
        where, params = flt.where()
        row = self._con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()
        return int(row[0]) if row else 0

    def event_facets(
        self, flt: EventFilter, facets: list[str], *, limit: int = 10
    ) -> dict[str, tuple[list[tuple[Any, int]], bool]]:
        """For each facet of ``facets`` (of :data:`FACETS`), the ``limit`` most frequent
        values among the events matching ``flt`` with their counts (most first), and
        whether more values were left out — all in one scan."""
        bad = [f for f in facets if f not in FACETS]
        if bad:
            raise InputError(
                f"cannot facet events by {', '.join(bad)}; choose from {', '.join(FACETS)}"
            )
        if not facets:
            return {}
        where, params = flt.where()
        exprs = [f"{GROUPINGS[f]} AS f{i}" for i, f in enumerate(facets)]
        sets = ", ".join(f"(f{i})" for i in range(len(facets)))
        which = ", ".join(f"GROUPING(f{i})" for i in range(len(facets)))
        sql = (
            f"SELECT {', '.join(f'f{i}' for i in range(len(facets)))}, [{which}], count(*) "
            f"FROM (SELECT {', '.join(exprs)} FROM events WHERE {where}) "
            f"GROUP BY GROUPING SETS ({sets})"
        )
        found: dict[str, list[tuple[Any, int]]] = {f: [] for f in facets}
        for row in self._con.execute(sql, params).fetchall():
            grouped = row[len(facets)]
            i = list(grouped).index(0)
            found[facets[i]].append((row[i], int(row[-1])))
        out: dict[str, tuple[list[tuple[Any, int]], bool]] = {}
        for name, counts in found.items():
            counts.sort(key=lambda vc: (-vc[1], str(vc[0])))
            out[name] = (counts[:limit], len(counts) > limit)
        return out
