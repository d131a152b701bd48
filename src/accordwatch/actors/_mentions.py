"""Find actor mentions in free text: word boundaries, longest match wins.

The matcher works on normalised words, so "l'armée malienne", "L’ARMÉE MALIENNE"
and "armee malienne" all match the alias "armée malienne", and spans are reported
in the caller's original string. At each position the longest alias wins; matches
do not overlap. Ambiguous aliases ("the army") count only when the caller gives a
country context equal to the alias's context; case-sensitive aliases ("IS",
"Platform") only match text written in the same letter case.

The text is read once: its words come from two ``str.translate`` passes over a table
of the characters it holds (the same words and spans as
:func:`~accordwatch.actors._normalize.tokens_with_offsets`), and only words that begin
some alias are looked at further, so the time grows linearly with the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from accordwatch.actors._model import Alias
from accordwatch.actors._normalize import fold_char, normalize, shape

__all__ = ["Chooser", "Mention", "MentionMatcher", "normalized", "words_with_offsets"]

#: (start, end, alias) — a raw match before the caller turns the alias into an actor.
Mention = tuple[int, int, Alias]

#: Chooses among several aliases that match the same words; returns None to skip.
#: It must answer the same for the same arguments (its answers are reused within a call).
Chooser = Callable[[Sequence[Alias], dt.date | None, str | None], Alias | None]

_WORD = re.compile(r"a[ac]*")  # on the class string: a letter, then letters or marks
_FOLD: dict[int, str] = {}  # code point -> fold_char of it
_CLASS: dict[int, str] = {}  # code point -> "a" (letter or digit), "c" (mark) or " "


def _learn(text: str) -> bool:
    """Add the characters of ``text`` not seen before to the folding tables; True when
    each of its characters folds to one character (or to a blank)."""
    one = True
    for ch in set(text):
        o = ord(ch)
        f = _FOLD.get(o)
        if f is None:
            f = _FOLD[o] = fold_char(ch)
            _CLASS[o] = "c" if f == "" else " " if f == " " else "a"
        one = one and len(f) == 1
    return one


def words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """The normalised words of ``text`` with their ``[start, end)`` spans: the same list
    as :func:`~accordwatch.actors._normalize.tokens_with_offsets`, in linear time.

    >>> words_with_offsets("Le MNLA, à Kidal.")
    [('le', 0, 2), ('mnla', 3, 7), ('a', 9, 10), ('kidal', 11, 16)]
    """
    one = _learn(text)
    spans = [m.span() for m in _WORD.finditer(text.translate(_CLASS))]
    if one:  # the folded text keeps every offset: its words are the words, in order
        return [(w, s, e) for w, (s, e) in zip(text.translate(_FOLD).split(), spans, strict=True)]
    fold = _FOLD
    return [(text[s:e].translate(fold), s, e) for s, e in spans]


def normalized(text: str) -> str:
    """:func:`~accordwatch.actors._normalize.normalize` of ``text``, by one translate pass.

    >>> normalized("  L’ARMÉE  malienne "), normalized("Jama'at Nusrat al-Islam")
    ('l armee malienne', 'jama at nusrat al islam')
    """
    _learn(text)
    return " ".join(text.translate(_FOLD).split())


class MentionMatcher:
    """Index of aliases by their word sequence, for greedy longest-match scanning.

    >>> from accordwatch.actors._normalize import normalize
    >>> al = [Alias(text=t, normalized=normalize(t), actor_id=i) for t, i in
    ...       [("CMA", "c"), ("Coordination des mouvements de l'Azawad", "c"), ("FAMa", "m")]]
    >>> m = MentionMatcher(al)
    >>> first = lambda c, on, k: c[0]
    >>> [(s, e, a.actor_id) for s, e, a in m.find("La CMA et les FAMa.", chooser=first)]
    [(3, 6, 'c'), (14, 18, 'm')]
    """

    def __init__(self, aliases: Iterable[Alias]) -> None:
        self._index: dict[tuple[str, ...], list[Alias]] = defaultdict(list)
        lengths: dict[str, set[int]] = defaultdict(set)
        self._norm_context: dict[int, str | None] = {}  # id(alias) -> its normalised context
        for a in aliases:
            key = tuple(a.normalized.split())
            if key:
                self._index[key].append(a)
                lengths[key[0]].add(len(key))
                self._norm_context[id(a)] = None if a.context is None else normalize(a.context)
        # first word -> the lengths of the aliases it begins, longest first
        self._starts = {w: sorted(ls, reverse=True) for w, ls in lengths.items()}

    def find(
        self,
        text: str,
        *,
        chooser: Chooser,
        country: str | None = None,
        on: dt.date | None = None,
    ) -> list[Mention]:
        """Return non-overlapping ``(start, end, alias)`` matches in text order."""
        toks = words_with_offsets(text)
        words = [t[0] for t in toks]
        starts = self._starts
        index = self._index
        context = self._norm_context
        country_key = None if country is None else normalize(country)
        chosen_for: dict[tuple[int, ...], Alias | None] = {}
        out: list[Mention] = []
        i = 0
        n = len(toks)
        while i < n:
            lengths = starts.get(words[i])
            if lengths is None:
                i += 1
                continue
            hit: Mention | None = None
            step = 1
            for length in lengths:
                if length > n - i:
                    continue
                cands = index.get(tuple(words[i : i + length]))
                if not cands:
                    continue
                start, end = toks[i][1], toks[i + length - 1][2]
                span = text[start:end]
                usable = [a for a in cands if _usable(a, span, country_key, context[id(a)])]
                if not usable:
                    continue
                memo = tuple(id(a) for a in usable)
                if memo in chosen_for:
                    chosen = chosen_for[memo]
                else:
                    chosen = chosen_for[memo] = chooser(usable, on, country)
                if chosen is None:
                    continue
                hit = (start, end, chosen)
                step = length
                break
            if hit is not None:
                out.append(hit)
            i += step
        return out


def _usable(alias: Alias, span: str, country: str | None, context: str | None) -> bool:
    """Whether ``alias`` may name ``span`` (``country`` and ``context`` normalised)."""
    if alias.ambiguous and (country is None or context is None or context != country):
        return False
    if alias.case_sensitive and shape(span) != shape(alias.text):
        return False
    # in running text an acronym written in lower case is a word ("in fact" is not the
    # Chadian FACT); users typing an alias (resolve) stay case-insensitive
    if span.islower() and alias.text.isupper() and len(alias.text) > 1:
        return False
    return True
