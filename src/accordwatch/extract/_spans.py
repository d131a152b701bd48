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


class SpanIndex(Generic[_T]):
    """Items with a ``(start, end)`` span, sorted by start (see the module docstring)."""

    def __init__(
        self, items: Iterable[_T] = (), key: Callable[[_T], tuple[int, int]] = span_of
    ) -> None:
        self._key = key
        pairs = sorted(((key(it), n, it) for n, it in enumerate(items)), key=lambda p: p[:2])
        self._starts = [p[0][0] for p in pairs]
        self._items = [p[2] for p in pairs]
        self._longest = max((p[0][1] - p[0][0] for p in pairs), default=0)

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
        for it in self._items[lo:hi]:
            a, b = self._key(it)
            if s < b and a < e:
                return True
        return False
