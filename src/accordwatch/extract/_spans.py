"""Sorted span lists with logarithmic look-ups, so no rule scans every span of a document.

:class:`SpanIndex` keeps items ordered by start offset.  ``within(a, b)`` gives the
items that start in ``[a, b)`` and ``overlaps(s, e)`` tells whether any item overlaps
``[s, e)``; both cost a binary search plus the items near the answer, whatever the
size of the document.

>>> ix = SpanIndex([(10, 14), (0, 3), (20, 30)])
>>> ix.within(5, 25), ix.overlaps(12, 13), ix.overlaps(4, 9)
([(10, 14), (20, 30)], True, False)
>>> ix.add((5, 8)); ix.overlaps(4, 6)
True
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

__all__ = ["SpanIndex", "span_of"]

_T = TypeVar("_T")


def span_of(item: object) -> tuple[int, int]:
    """``(start, end)`` of a tuple ``(start, end, …)`` or of an object with those fields."""
    if isinstance(item, tuple):
        return int(item[0]), int(item[1])
    return int(item.start), int(item.end)  # type: ignore[attr-defined]


def _fast_span(item: object) -> tuple[int, int]:
    """:func:`span_of` for the items the extractor holds (tuples and mentions)."""
    if type(item) is tuple:
        return item[0], item[1]
    return span_of(item)


class SpanIndex(Generic[_T]):
    """Items with a ``(start, end)`` span, sorted by start (see the module docstring)."""

    def __init__(
        self, items: Iterable[_T] = (), key: Callable[[_T], tuple[int, int]] = span_of
    ) -> None:
        self._key = key
        held = list(items)
        spans = [_fast_span(it) for it in held] if key is span_of else [key(it) for it in held]
        # a stable sort by span keeps items with the same span in the order given
        order = sorted(range(len(held)), key=spans.__getitem__)
        self._starts = [spans[k][0] for k in order]
        self._ends = [spans[k][1] for k in order]
        self._items = [held[k] for k in order]
        self._longest = max((e - s for s, e in spans), default=0)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def longest(self) -> int:
        """Length of the longest span held."""
        return self._longest

    def items(self) -> list[_T]:
        """All items, in order."""
        return list(self._items)

    def add(self, item: _T) -> None:
        """Insert one item, keeping the order (after items with the same start)."""
        s, e = self._key(item)
        i = bisect.bisect_right(self._starts, s)
        self._starts.insert(i, s)
        self._ends.insert(i, e)
        self._items.insert(i, item)
        self._longest = max(self._longest, e - s)

    def within(self, a: int, b: int) -> list[_T]:
        """Items whose start lies in ``[a, b)``, in order."""
        lo = bisect.bisect_left(self._starts, a)
        hi = bisect.bisect_left(self._starts, b, lo)
        return self._items[lo:hi]

    def overlaps(self, s: int, e: int) -> bool:
        """True when an item's span shares a character with ``[s, e)``."""
        lo = bisect.bisect_left(self._starts, s - self._longest)
        hi = bisect.bisect_left(self._starts, e, lo)
        starts, ends = self._starts, self._ends
        for k in range(lo, hi):
            if s < ends[k] and starts[k] < e:
                return True
        return False
