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
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from accordwatch.extract._lexicon import TRIGGER_LEAD, required_literals

__all__ = ["finditer_near", "prepare", "scan", "search"]

# Characters a window runs past its last possible match end: more than any look-ahead
# of a pattern reads (a ``\\b`` reads one character).
_PAD = 16


# An unbounded repetition whose characters all belong to one class (``\\s+``) spans at
# most one run of that class: in a text without a run of ``_RUN`` such characters it is
# shorter than ``_RUN``.
_RUN = 64

# (literals, longest match, the runs that must be absent for that bound to hold)
_Plan = tuple[tuple[str, ...], int, tuple[re.Pattern[str], ...]] | None
_T = TypeVar("_T")

# id(pattern) -> (pattern, plan): the pattern is held, so its id is not reused meanwhile
# (hashing a compiled pattern hashes its whole program)
_PLANS: dict[int, tuple[re.Pattern[str], _Plan]] = {}


def _held(
    cache: dict[int, tuple[re.Pattern[str], _T]],
    pattern: re.Pattern[str],
    make: Callable[[re.Pattern[str]], _T],
) -> _T:
    """``make(pattern)``, worked out once per pattern and kept in ``cache`` (by the
    pattern's id, the pattern held beside it; emptied past 4,096 patterns)."""
    held = cache.get(id(pattern))
    if held is not None and held[0] is pattern:
        return held[1]
    if len(cache) > 4096:
        cache.clear()
    value = make(pattern)
    cache[id(pattern)] = (pattern, value)
    return value


def _plan(pattern: re.Pattern[str]) -> _Plan:
    """The literals every match of ``pattern`` holds, its longest match, and the runs
    of characters whose absence from a text that bound needs (an unbounded repetition
    of one class of characters), or None when unknown (no literal, unbounded
    repetition of anything else, flags, look-ahead too long)."""
    return _held(_PLANS, pattern, _make_plan)


def _make_plan(pattern: re.Pattern[str]) -> _Plan:
    """:func:`_plan`, worked out."""
    from re import _parser  # type: ignore[attr-defined]  # the standard library's parser

    if pattern.flags & ~(re.UNICODE | re.IGNORECASE):
        return None
    lits = required_literals(pattern.pattern)
    if not lits:
        return None
    parsed = _parser.parse(pattern.pattern)
    classes: list[str] = []
    width = _width(parsed, classes)
    if width is None or _reach(parsed) >= _PAD:
        return None
    runs = tuple(re.compile(f"[{c}]{{{_RUN},}}", pattern.flags) for c in sorted(set(classes)))
    return tuple(sorted(lits)), width, runs


def _width(items: Any, classes: list[str]) -> int | None:
    """The longest match of a parsed pattern, an unbounded repetition of one class of
    characters counted as ``_RUN - 1`` (its class added to ``classes``); None when
    unknown."""
    from re import _parser  # type: ignore[attr-defined]  # the standard library's parser

    total = 0
    for op, av in items:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
            total += 1
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        elif name == "SUBPATTERN":
            w = _width(av[-1], classes)
            if w is None:
                return None
            total += w
        elif name == "BRANCH":
            ws = [_width(b, classes) for b in av[1]]
            if any(w is None for w in ws):
                return None
            total += max(w for w in ws if w is not None)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = av
            if hi < _parser.MAXREPEAT:
                w = _width(sub, classes)
                if w is None:
                    return None
                total += hi * w
            else:
                parts = _class_of(sub)
                if not parts or len(set(parts)) > _CLASS_PARTS:
                    return None  # a broad class (letters of words) has long runs anyway
                classes.append("".join(sorted(set(parts))))
                total += _RUN - 1
        else:
            return None
    return total


# A class of more parts than this (the letters of number words) is not worth a check.
_CLASS_PARTS = 6
_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}


def _class_of(items: Any) -> list[str] | None:
    """The parts of a character class (the text between brackets) holding every
    character a parsed pattern can match, or None when it can match characters no
    plain class lists (``.``, a negated class)."""
    parts: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            parts.append(f"\\U{av:08x}")
        elif name == "IN":
            for iop, iav in av:
                kind = str(iop)
                if kind == "LITERAL":
                    parts.append(f"\\U{iav:08x}")
                elif kind == "RANGE":
                    parts.append(f"\\U{iav[0]:08x}-\\U{iav[1]:08x}")
                elif kind == "CATEGORY" and str(iav) in _CATEGORIES:
                    parts.append(_CATEGORIES[str(iav)])
                else:
                    return None
        elif name == "AT":
            continue
        elif name in ("SUBPATTERN", "BRANCH", "MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            subs = av[1] if name == "BRANCH" else [av[-1]]
            for sub in subs:
                got = _class_of(sub)
                if got is None:
                    return None
                parts += got
        else:
            return None
    return parts


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


_Split = tuple[re.Pattern[str], re.Pattern[str]] | None
# id(pattern) -> (pattern, split), held like _PLANS
_SPLITS: dict[int, tuple[re.Pattern[str], _Split]] = {}
#: Zero-width leads a pattern may start with: the triggers' "not inside a word" and ``\b``.
_LEADS = (TRIGGER_LEAD, r"\b")


def _split(pattern: re.Pattern[str]) -> _Split:
    """``(lead, body)`` when ``pattern`` is a zero-width lead (one of ``_LEADS``: "not
    inside a word", ``\b``) followed by a body that matches at least one character;
    else None.  Searching for the body and testing the lead where it starts finds the
    same matches (see :func:`scan`), and the body alone lets the engine skip ahead to
    its first characters instead of trying the lead at every position."""
    return _held(_SPLITS, pattern, _make_split)


def _make_split(pattern: re.Pattern[str]) -> _Split:
    """:func:`_split`, worked out."""
    from re import _parser  # type: ignore[attr-defined]  # the standard library's parser

    lead = next((x for x in _LEADS if pattern.pattern.startswith(x)), None)
    if lead is None:
        return None
    rest = pattern.pattern[len(lead) :]
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        body = re.compile(rest, pattern.flags)
    except re.error:  # pragma: no cover - a body that does not stand alone
        return None
    # the lead must be the first item of a sequence (not one side of a top-level "|"),
    # and the body must hold the pattern's groups and consume a character
    alone = _parser.parse(lead, pattern.flags)
    if len(parsed) < 2 or len(alone) != 1 or str(parsed[0]) != str(alone[0]):
        return None
    if alone.getwidth() != (0, 0):  # pragma: no cover - every lead is zero-width
        return None
    if body.groups != pattern.groups or body.groupindex != pattern.groupindex:
        return None
    rest_parsed = _parser.parse(rest, pattern.flags)
    if rest_parsed.getwidth()[0] < 1 or not _skips(rest_parsed):
        return None
    return re.compile(lead, pattern.flags), body


def _skips(parsed: Any) -> bool:
    """Whether the engine can skip to where a parsed pattern may start: it begins with
    a literal or a character class, or with a choice of literals (what the standard
    library's compiler turns into a fast prefix or first-character scan)."""
    items = parsed.data
    while items and str(items[0][0]) == "SUBPATTERN":
        _group, add_flags, del_flags, sub = items[0][1]
        if add_flags or del_flags:
            return False
        items = sub.data
    if not items:
        return False
    op, av = items[0]
    if str(op) in ("LITERAL", "IN"):
        return True
    if str(op) == "BRANCH":
        return all(alt.data and str(alt.data[0][0]) == "LITERAL" for alt in av[1])
    return False


def prepare(patterns: Iterable[re.Pattern[str]]) -> None:
    """Work out the plans and leads of ``patterns`` now (part of loading the rules), so
    that the first text read does not pay for them."""
    for pattern in patterns:
        _plan(pattern)
        _split(pattern)


def scan(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text, start, end)`` (same spans and groups).

    For a pattern with a zero-width lead (see :func:`_split`): the engine tries the
    pattern at each position in turn, and at a position the lead only tests the text
    there (it consumes nothing and holds no group), so the first match at or after a
    position starts where the body first matches with the lead holding, and the body's
    match there is the pattern's.  The lead is tested with the same end (``\b`` reads
    the character at its position, which lies before ``end`` as the body consumes it).
    Matches are never empty, so the next search starts where a match ends, as in
    ``finditer``."""
    end = len(text) if end is None else end
    split = _split(pattern)
    if split is None:
        yield from pattern.finditer(text, start, end)
        return
    lead, body = split
    m = body.search(text, start, end)
    while m is not None:
        at = m.start()
        if lead.match(text, at, end) is not None:
            yield m
            m = body.search(text, m.end(), end)
        else:
            m = body.search(text, at + 1, end)


def search(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> re.Match[str] | None:
    """``pattern.search(text, start, end)``'s match (spans and groups), as :func:`scan`
    finds it."""
    return next(scan(pattern, text, start, end), None)


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
        yield from scan(pattern, text, start, end)
        return
    lits, width, runs = plan
    if end - start <= 2 * width + _PAD or any(r.search(text, start, end) for r in runs):
        # a short span (no window would be smaller), or a run of characters that
        # lets a match be longer than ``width``
        yield from scan(pattern, text, start, end)
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
        yield from scan(pattern, text, max(start, a), min(end, b + _PAD))
