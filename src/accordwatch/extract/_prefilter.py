"""Run a regular expression only where it can match: near the literals it needs.

A pattern whose every match holds one of a few literal strings (see
:func:`~accordwatch.extract._lexicon.required_literals`) and is at most ``W`` characters
long can only match within ``W`` characters of an occurrence of one of them.
:func:`finditer_near` finds those occurrences with ``str.find`` (a fast scan), joins
the windows around them and runs the pattern in each window: it yields exactly the
matches of ``pattern.finditer(text, start, end)``, without the pattern being tried at
every position of a long text.

>>> import re
>>> pat = re.compile(r"\\b(?:last|this) (?:week|month)\\b")
>>> text = "x " * 1000 + "Fighting last week; this month calm."
>>> [m.group() for m in finditer_near(pat, text)] == [m.group() for m in pat.finditer(text)]
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from accordwatch.extract._lexicon import required_literals

__all__ = ["finditer_near"]

# Characters a window runs past its last possible match end: more than any look-ahead
# of a pattern reads (a ``\\b`` reads one character).
_PAD = 16


_Plan = tuple[tuple[str, ...], int] | None
# id(pattern) -> (pattern, plan): the pattern is held, so its id is not reused meanwhile
# (hashing a compiled pattern hashes its whole program)
_PLANS: dict[int, tuple[re.Pattern[str], _Plan]] = {}


def _plan(pattern: re.Pattern[str]) -> _Plan:
    """The literals every match of ``pattern`` holds and its longest match, or None when
    either is unknown (no literal, unbounded repetition, flags, look-ahead too long)."""
    held = _PLANS.get(id(pattern))
    if held is not None and held[0] is pattern:
        return held[1]
    if len(_PLANS) > 4096:
        _PLANS.clear()
    plan = _make_plan(pattern)
    _PLANS[id(pattern)] = (pattern, plan)
    return plan


def _make_plan(pattern: re.Pattern[str]) -> _Plan:
    """:func:`_plan`, worked out."""
    from re import _parser  # type: ignore[attr-defined]  # the standard library's parser

    if pattern.flags & ~(re.UNICODE | re.IGNORECASE):
        return None
    lits = required_literals(pattern.pattern)
    if not lits:
        return None
    parsed = _parser.parse(pattern.pattern)
    width = parsed.getwidth()[1]
    if width >= _parser.MAXREPEAT or _reach(parsed) >= _PAD:
        return None
    return tuple(sorted(lits)), width


def _reach(items: Any) -> int:
    """The widest look-ahead of a parsed pattern (how far past a position it reads)."""
    widest = 0
    for op, av in items:
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT") and av[0] == 1:
            widest = max(widest, av[1].getwidth()[1])
        subs = []
        if name == "SUBPATTERN":
            subs = [av[-1]]
        elif name == "BRANCH":
            subs = list(av[1])
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            subs = [av[2]]
        elif name in ("ASSERT", "ASSERT_NOT"):
            subs = [av[1]]
        for sub in subs:
            widest = max(widest, _reach(sub))
    return widest


_SEEKERS: dict[tuple[tuple[str, ...], int], re.Pattern[str]] = {}


def _literal_seeker(lits: tuple[str, ...], flags: int) -> re.Pattern[str]:
    """One pattern for the literals (an alternation of plain strings scans fast)."""
    key = (lits, flags)
    if key not in _SEEKERS:
        _SEEKERS[key] = re.compile("|".join(re.escape(lit) for lit in lits), flags)
    return _SEEKERS[key]


def finditer_near(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text, start, end)``, found near the literals
    they need (all of ``text`` is scanned when the pattern has no usable plan).

    Why the matches are the same: every match lies inside the window of a literal
    occurrence it holds; windows are joined where they touch, so no match spans two;
    each window runs to ``_PAD`` characters past its last possible match (windows closer
    than that are joined), so whatever the pattern reads past a match (look-aheads
    shorter than ``_PAD``, ``\\b``) is the text itself, and a match found in a window
    is one of the text (it too holds an occurrence, whose window lies inside this one).
    Look-behinds see the text before a window's start (``pos`` does not cut the
    string)."""
    end = len(text) if end is None else min(end, len(text))
    plan = _plan(pattern)
    if plan is None:
        yield from pattern.finditer(text, start, end)
        return
    lits, width = plan
    if end - start <= 2 * width + _PAD:  # a short span: no window would be smaller
        yield from pattern.finditer(text, start, end)
        return
    spans: list[tuple[int, int]] = []
    if pattern.flags & re.IGNORECASE:  # the literals as the pattern reads them, overlaps too
        seek = _literal_seeker(lits, pattern.flags)
        m = seek.search(text, start, end)
        while m is not None:
            spans.append((m.end() - width, m.start() + width))
            m = seek.search(text, m.start() + 1, end)
    for lit in () if pattern.flags & re.IGNORECASE else lits:
        i = text.find(lit, start, end)
        while i != -1:
            spans.append((i + len(lit) - width, i + width))
            i = text.find(lit, i + 1, end)
    if not spans:
        return
    spans.sort()
    windows: list[list[int]] = []
    for a, b in spans:
        if windows and a <= windows[-1][1] + _PAD:  # a padded window never reaches the next
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    for a, b in windows:
        yield from pattern.finditer(text, max(start, a), min(end, b + _PAD))
