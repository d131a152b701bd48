"""The bundled word lists and trigger patterns (``data/extract/*.yaml``), loaded once.

>>> lex = lexicon()
>>> "could" in lex.hedges["en"], "bateau" in lex.name_of["fr"]
(True, True)
>>> [t for t, _ in triggers("fr")["ambush"]][:1]
['embuscades?']
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from accordwatch.errors import InputError

__all__ = [
    "TRIGGER_LEAD",
    "Lexicon",
    "any_trigger",
    "deaccent",
    "excludes",
    "fold_span",
    "lexicon",
    "literal_automaton",
    "literals_by_span",
    "rows_by_literal",
    "priorities",
    "spans_holding",
    "remember_folded",
    "required_literals",
    "trigger_table",
    "triggers",
    "type_trigger",
]

_WORD = r"[\w'’-]+"


def deaccent(text: str) -> str:
    """Lower-case ``text`` and strip accents, keeping one character per character.

    Offsets into the result are offsets into ``text``.

    >>> deaccent("Rétrocédé à l’Armée")
    "retrocede a l'armee"
    """
    return text.translate(_FOLD)


_LAST_FOLDED: list[tuple[str, str]] = []


def remember_folded(text: str, folded: str) -> None:
    """Keep ``deaccent(text)`` so that :func:`fold_span` slices it instead of folding again."""
    _LAST_FOLDED[:] = [(text, folded)]


def fold_span(text: str, start: int, end: int) -> str:
    """``deaccent(text[start:end])``, sliced from the remembered folding of ``text``."""
    last = _LAST_FOLDED[0] if _LAST_FOLDED else None
    if last is not None and last[0] is text:
        return last[1][start:end]
    return deaccent(text[start:end])


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        low = ch
    if ord(low) < 128:
        return low
    if low in "’‘`´":
        return "'"
    base = unicodedata.normalize("NFKD", low)[:1]
    return base if base and ord(base) < 128 else low


class _FoldTable(dict[int, str]):
    """Code point → folded character, computed on first use (for ``str.translate``)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


@dataclass(frozen=True)
class Lexicon:
    """Word lists by purpose and language (see ``data/extract/lexicon.yaml``)."""

    stopwords: dict[str, frozenset[str]]
    hedges: dict[str, frozenset[str]]
    negations: dict[str, frozenset[str]]
    referential: dict[str, frozenset[str]]
    name_of: dict[str, frozenset[str]]
    name_after: dict[str, frozenset[str]]
    locative: dict[str, tuple[str, ...]]
    directional: dict[str, frozenset[str]]
    person_before: frozenset[str]
    person_after: tuple[str, ...]
    claim_cues: dict[str, tuple[str, ...]]
    claim_victims: frozenset[str]
    unconfirmed_kill_words: frozenset[str]
    abbreviations: frozenset[str]
    pronouns: dict[str, tuple[str, ...]]
    states: dict[str, str]


def _words(doc: dict[str, Any], key: str) -> dict[str, frozenset[str]]:
    return {lang: frozenset(deaccent(str(w)) for w in ws) for lang, ws in doc[key].items()}


def _phrases(doc: dict[str, Any], key: str) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(deaccent(str(w)) for w in ws) for lang, ws in doc[key].items()}


def _load(name: str) -> dict[str, Any]:
    path = files("accordwatch") / "data" / "extract" / name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - broken installation
        raise InputError(f"cannot read the bundled {name}: {exc}; reinstall accordwatch") from exc
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise InputError(f"the bundled {name} is not a version-1 word list; reinstall accordwatch")
    return doc


@cache
def lexicon() -> Lexicon:
    """The bundled word lists (cached)."""
    doc = _load("lexicon.yaml")
    pc = doc["person_cues"]
    return Lexicon(
        stopwords=_words(doc, "stopwords"),
        hedges=_words(doc, "hedges"),
        negations=_words(doc, "negations"),
        referential=_words(doc, "referential"),
        name_of=_words(doc, "name_of"),
        name_after=_words(doc, "name_after"),
        locative=_phrases(doc, "locative"),
        directional=_words(doc, "directional"),
        person_before=frozenset(deaccent(w) for w in pc["before"]),
        person_after=tuple(deaccent(w) for w in pc["after"]),
        claim_cues=_phrases(doc, "claim_cues"),
        claim_victims=frozenset(deaccent(w) for ws in doc["claim_victims"].values() for w in ws),
        unconfirmed_kill_words=frozenset(
            deaccent(w) for ws in doc["unconfirmed_kill_words"].values() for w in ws
        ),
        abbreviations=frozenset(deaccent(w) for w in doc["abbreviations"]),
        pronouns=_phrases(doc, "pronouns"),
        states={str(k): str(v) for k, v in doc["states"].items()},
    )


#: Where a trigger may begin: not inside a word, or right after a French elision
#: ("l'attaque", "d'affrontements", "qu'il"); no other apostrophe.  It only looks behind.
TRIGGER_LEAD = r"(?:(?<![\w'-])|(?<=\b[ldjsnc]')|(?<=\bqu'))"


def _compile(pattern: str) -> re.Pattern[str]:
    body = deaccent(pattern).replace("{ws}", rf"(?:{_WORD} ){{0,4}}").replace("{w}", _WORD)
    # Upper-case-only acronyms (IED, EEI) keep their case in the YAML; match them case-blind
    # on the folded text like everything else.
    return re.compile(rf"{TRIGGER_LEAD}{body}(?![\w-])")


@cache
def _trigger_doc() -> dict[str, Any]:
    return _load("triggers.yaml")


@cache
def triggers(lang: str) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """Compiled trigger patterns of each event type for ``lang`` (``en`` or ``fr``)."""
    doc = _trigger_doc()
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for etype, spec in doc["types"].items():
        pats = spec.get(lang, [])
        if not all(isinstance(p, str) for p in pats):
            raise InputError(
                f"triggers.yaml: a {etype}/{lang} pattern is not a string; quote "
                "patterns that contain ': ' or start with '{'"
            )
        out[etype] = [(p, _compile(p)) for p in pats]
    return out


def required_literals(pattern: str) -> frozenset[str] | None:
    r"""Strings one of which every match of ``pattern`` contains, or None if unknown.

    A cheap, exact prefilter: a text holding none of them cannot match, so the pattern
    need not run there ("suicide (?:bomber|attack)" needs "suicide ").

    >>> sorted(required_literals(r"(?:killed|shot) \w+ civilians") or [])
    [' civilians']
    >>> required_literals("(?:a|b)?c") is None
    True
    """
    from re import _parser  # type: ignore[attr-defined]  # the standard library's parser

    def seq(items: Any) -> frozenset[str] | None:
        best: frozenset[str] | None = None
        run = ""

        def better(cand: frozenset[str] | None) -> None:
            nonlocal best
            if cand and (best is None or min(map(len, cand)) > min(map(len, best))):
                best = cand

        for op, av in items:
            name = str(op)
            if name == "LITERAL":
                run += chr(av)
                continue
            better(frozenset([run]) if len(run) >= 2 else None)
            run = ""
            if name == "SUBPATTERN":
                better(seq(av[-1]))
            elif name == "BRANCH":
                alts = [seq(b) for b in av[1]]
                better(None if any(a is None for a in alts) else frozenset().union(*alts))  # type: ignore[arg-type]
            elif name in ("MAX_REPEAT", "MIN_REPEAT") and av[0] >= 1:
                better(seq(av[2]))
        better(frozenset([run]) if len(run) >= 2 else None)
        return best

    return seq(_parser.parse(pattern))


@cache
def any_trigger(lang: str) -> re.Pattern[str]:
    """One pattern that matches where any trigger of ``lang`` matches: a clause it finds
    nothing in holds no trigger, so the per-type patterns need not run there."""
    pats = [pat.pattern for pats in triggers(lang).values() for _src, pat in pats]
    return re.compile("|".join(f"(?:{p})" for p in pats) or r"(?!)")


@cache
def type_trigger(lang: str, etype: str) -> re.Pattern[str]:
    """One pattern that matches where any trigger of ``etype`` in ``lang`` matches."""
    pats = [pat.pattern for _src, pat in triggers(lang).get(etype, [])]
    return re.compile("|".join(f"(?:{p})" for p in pats) or r"(?!)")


@cache
def trigger_table(
    lang: str,
) -> list[tuple[str, re.Pattern[str], frozenset[str] | None]]:
    """``(event type, pattern, required literals)`` for every trigger of ``lang``, in the
    order of :func:`triggers` (see :func:`required_literals`)."""
    return [
        (etype, pat, required_literals(pat.pattern))
        for etype, pats in triggers(lang).items()
        for _src, pat in pats
    ]


@cache
def rows_by_literal(lang: str) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Required literal → the rows of :func:`trigger_table` that need it, and the rows
    that need none (always candidates)."""
    by: dict[str, list[int]] = {}
    free: list[int] = []
    for k, (_etype, _pat, lits) in enumerate(trigger_table(lang)):
        if lits is None:
            free.append(k)
        for lit in lits or ():
            by.setdefault(lit, []).append(k)
    return {lit: tuple(ks) for lit, ks in by.items()}, tuple(free)


@cache
def literal_automaton(lang: str) -> Any:
    """An Aho-Corasick automaton (pyahocorasick) over every required literal of the
    triggers of ``lang``: one pass over a text finds where each occurs."""
    import ahocorasick  # type: ignore[import-not-found]

    auto = ahocorasick.Automaton()
    for _etype, _pat, lits in trigger_table(lang):
        for lit in lits or ():
            auto.add_word(lit, lit)
    auto.make_automaton()
    return auto


def literals_by_span(folded: str, spans: list[tuple[int, int]], lang: str) -> list[set[str]]:
    """For each ``(start, end)`` of ``spans`` (sorted, not overlapping), the required
    trigger literals that occur wholly inside ``folded[start:end]``."""
    out: list[set[str]] = [set() for _ in spans]
    auto = literal_automaton(lang)
    if not spans or len(auto) == 0:
        return out
    starts = [s for s, _ in spans]
    for end, lit in auto.iter(folded):
        first = end - len(lit) + 1
        k = bisect_right(starts, first) - 1
        if k >= 0 and end < spans[k][1]:
            out[k].add(lit)
    return out


@cache
def _automaton_of(lits: tuple[str, ...]) -> Any:
    """An Aho-Corasick automaton over ``lits``."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for lit in lits:
        auto.add_word(lit, lit)
    auto.make_automaton()
    return auto


def spans_holding(folded: str, spans: list[tuple[int, int]], lits: tuple[str, ...]) -> list[bool]:
    """For each ``(start, end)`` of ``spans`` (sorted, not overlapping), whether one of
    ``lits`` occurs wholly inside ``folded[start:end]`` (``any(lit in folded[start:end]
    for lit in lits)``, found in one pass over the text)."""
    out = [False] * len(spans)
    lits = tuple(sorted({lit for lit in lits if lit}))
    if not spans or not lits:
        return out
    starts = [s for s, _ in spans]
    for end, lit in _automaton_of(lits).iter(folded, spans[0][0], spans[-1][1]):
        first = end - len(lit) + 1
        k = bisect_right(starts, first) - 1
        if k >= 0 and end < spans[k][1]:
            out[k] = True
    return out


@cache
def excludes() -> dict[str, list[re.Pattern[str]]]:
    """Compiled ``exclude`` patterns of each event type (both languages)."""
    return {
        t: [_compile(p) for p in spec.get("exclude", [])]
        for t, spec in _trigger_doc()["types"].items()
    }


@cache
def priorities() -> dict[str, int]:
    """Event type → priority (lower wins within a clause)."""
    return {t: int(spec["priority"]) for t, spec in _trigger_doc()["types"].items()}
