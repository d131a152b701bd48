"""Actors in text: the registry's aliases, foreign states, and near spellings.

:class:`ActorFinder` wraps :meth:`accordwatch.actors.ActorRegistry.mentions` (any
alias in English or French; "the army" and "la junte" count with the country
context) and adds:

* foreign states named as actors ("France", "Russia": their governments;
  ``data/extract/lexicon.yaml``), except as a river ("the Niger river");
* near spellings of a registry alias for capitalised words the registry does not
  know ("al-Qeada" → al-Qaeda), with rapidfuzz;
* it drops acronym aliases matched by an ordinary lower-case word ("fact" is not
  the FACT rebel group).

>>> af = ActorFinder.default()
>>> t = "France said al-Qeada and the CMA clashed with the army."
>>> for m in af.find(t, country="Mali"):
...     print(m.text, "->", m.name)
France -> Government of France
al-Qeada -> al-Qaeda
CMA -> Coordination of Azawad Movements
the army -> Government of Mali
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from rapidfuzz import fuzz, process

from accordwatch.actors import ActorRegistry
from accordwatch.actors._mentions import normalized
from accordwatch.extract._lexicon import lexicon
from accordwatch.extract._model import ActorMention
from accordwatch.extract._prefilter import finditer_near
from accordwatch.extract._spans import SpanIndex

__all__ = ["ActorFinder"]

_CAP_WORD = re.compile(r"\b(?:(?:al|el|ad|ag)-)?[A-Z][\w'’-]{4,}(?:\s+[A-Z][\w'’-]+){0,2}")


class ActorFinder:
    """Find registry actors in text (see the module docstring)."""

    def __init__(self, registry: ActorRegistry) -> None:
        self.registry = registry
        table = registry.alias_table()
        plain = table[~table["ambiguous"].astype(bool)]
        self._fuzzy_choices: dict[str, str] = {}
        for norm, aid in zip(plain["normalized"], plain["actor_id"], strict=True):
            if len(norm) >= 6 and registry.get(aid).kind != "civilians":
                self._fuzzy_choices.setdefault(norm, aid)
        self._keys = list(self._fuzzy_choices)
        self._acronyms = {str(a) for a in table["alias"] if str(a).isupper() and len(str(a)) > 1}
        self._states: dict[str, str] = {}
        self._fuzzy_memo: dict[str, tuple[str, float, int] | None] = {}
        for name, gov in lexicon().states.items():
            found = registry.find(gov)
            if found is not None:
                self._states[name] = found.actor_id
        self._state_patterns = {
            name: re.compile(
                rf"\b{re.escape(name)}\b(?!['’]s? (?:river|fleuve))"
                rf"(?! (?:River|river|fleuve|Fleuve))"
            )
            for name in self._states
        }

    @classmethod
    def default(cls) -> ActorFinder:
        """A finder over the bundled registry (cached)."""
        return _default()

    def find(
        self,
        text: str,
        *,
        country: str | None = "Mali",
        on: dt.date | None = None,
        fuzzy: bool = True,
    ) -> list[ActorMention]:
        """Actor mentions in ``text`` in order (non-overlapping)."""
        reg = self.registry
        out: list[ActorMention] = []
        for s, e, actor in reg.mentions(text, country=country, on=on):
            span = text[s:e]
            if span.islower() and span.upper() in self._acronyms and " " not in span:
                continue
            out.append(ActorMention(s, e, span, actor.actor_id, actor.name, actor.kind))
        taken: SpanIndex[tuple[int, int]] = SpanIndex((m.start, m.end) for m in out)
        for name, aid in self._states.items():
            for m in finditer_near(self._state_patterns[name], text):
                if taken.overlaps(m.start(), m.end()):
                    continue
                if re.search(
                    r"(?:river|fleuve|du|of the)\s+$",
                    text[max(0, m.start() - 12) : m.start()],
                    re.IGNORECASE,
                ):
                    continue
                actor = reg.get(aid)
                out.append(ActorMention(m.start(), m.end(), m.group(), aid, actor.name, actor.kind))
                taken.add(m.span())
        if fuzzy:
            out += self._fuzzy(text, taken, on)
        out.sort(key=lambda m: m.start)
        return out

    def _fuzzy(
        self, text: str, taken: SpanIndex[tuple[int, int]], on: dt.date | None
    ) -> list[ActorMention]:
        out = []
        seen = self._fuzzy_memo  # the same name, looked up once
        if len(seen) > 50_000:
            seen.clear()
        for m in _CAP_WORD.finditer(text):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            key = normalized(m.group())
            if len(key) < 6:
                continue
            if key not in seen:
                seen[key] = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=86)
            best = seen[key]
            if best is None or abs(len(best[0]) - len(key)) > 2:
                continue
            actor = self.registry.get(self._fuzzy_choices[best[0]])
            out.append(
                ActorMention(s, e, m.group(), actor.actor_id, actor.name, actor.kind, fuzzy=True)
            )
            taken.add((s, e))
        return out


@cache
def _default() -> ActorFinder:
    return ActorFinder(ActorRegistry.default())
