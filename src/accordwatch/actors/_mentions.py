"""Find actor mentions in free text: word boundaries, longest match wins.

The matcher works on normalised words, so "l'armée malienne", "L’ARMÉE MALIENNE"
and "armee malienne" all match the alias "armée malienne", and spans are reported
in the caller's original string. At each position the longest alias wins; matches
do not overlap. Ambiguous aliases ("the army") count only when the caller gives a
country context equal to the alias's context; case-sensitive aliases ("IS",
"Platform") only match text written in the same letter case.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from accordwatch.actors._model import Alias
from accordwatch.actors._normalize import normalize, shape, tokens_with_offsets

__all__ = ["Chooser", "Mention", "MentionMatcher"]

#: (start, end, alias) — a raw match before the caller turns the alias into an actor.
Mention = tuple[int, int, Alias]

#: Chooses among several aliases that match the same words; returns None to skip.
Chooser = Callable[[Sequence[Alias], dt.date | None, str | None], Alias | None]


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
        longest = 1
        for a in aliases:
            key = tuple(a.normalized.split())
            if key:
                self._index[key].append(a)
                longest = max(longest, len(key))
        self._longest = longest

    def find(
        self,
        text: str,
        *,
        chooser: Chooser,
        country: str | None = None,
        on: dt.date | None = None,
    ) -> list[Mention]:
        """Return non-overlapping ``(start, end, alias)`` matches in text order."""
        toks = tokens_with_offsets(text)
        words = [t[0] for t in toks]
        out: list[Mention] = []
        i = 0
        n = len(toks)
        while i < n:
            hit: Mention | None = None
            step = 1
            for length in range(min(self._longest, n - i), 0, -1):
                cands = self._index.get(tuple(words[i : i + length]))
                if not cands:
                    continue
                start, end = toks[i][1], toks[i + length - 1][2]
                usable = [a for a in cands if _usable(a, text[start:end], country)]
                if not usable:
                    continue
                chosen = chooser(usable, on, country)
                if chosen is None:
                    continue
                hit = (start, end, chosen)
                step = length
                break
            if hit is not None:
                out.append(hit)
            i += step
        return out


def _usable(alias: Alias, span: str, country: str | None) -> bool:
    if alias.ambiguous and (
        country is None or alias.context is None or normalize(alias.context) != normalize(country)
    ):
        return False
    if alias.case_sensitive and shape(span) != shape(alias.text):
        return False
    # in running text an acronym written in lower case is a word ("in fact" is not the
    # Chadian FACT); users typing an alias (resolve) stay case-insensitive
    if span.islower() and alias.text.isupper() and len(alias.text) > 1:
        return False
    return True
