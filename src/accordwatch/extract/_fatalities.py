"""Death figures in a sentence: a number only when the text gives one.

Rules: "killed 12", "12 people were killed", "fait 12 morts", "bilan de 30 morts";
vague amounts ("dozens", "des dizaines") give no number; figures for the same
victims that disagree give the lowest; figures for different victims (soldiers and
civilians) add up.  An armed force's claim of enemies killed or "neutralised"
("the army said it neutralised 30 terrorists") is not a confirmed figure.

>>> fatalities("The attack killed at least 12 civilians, officials said.", "en")
12
>>> fatalities("Between 20 and 40 people were killed.", "en")
20
>>> fatalities("L'armée affirme avoir neutralisé 30 terroristes.", "fr") is None
True
>>> fatalities("The army said it killed 25 terrorists.", "en") is None
True
>>> fatalities("Cinq soldats ont été tués et 7 civils ont été tués.", "fr")
12
>>> fatalities("A local official said 12 fighters and three soldiers were killed.", "en")
15
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from accordwatch.extract._lexicon import deaccent, lexicon
from accordwatch.extract._numbers import NUMBER_RE, parse_number
from accordwatch.extract._prefilter import scan, search

__all__ = ["fatalities", "patterns", "victim_kinds"]

_Q_EN = (
    r"(?:(?:at least|some|about|around|nearly|almost|more than|over|up to|as many as"
    r"|an estimated|roughly) )?"
)
_Q_FR = r"(?:(?:au moins|environ|pres de|plus de|quelque|une|jusqu'a) )?"
_N = rf"(?P<n>{NUMBER_RE})"
_WHO = r"(?:(?P<who>[a-z'-]+) )?"
_WHO_END = r"(?: (?P<who>[a-z'-]+))?"

_CATEGORY = {
    "soldiers": "soldiers",
    "soldier": "soldiers",
    "troops": "soldiers",
    "servicemen": "soldiers",
    "peacekeepers": "soldiers",
    "soldats": "soldiers",
    "militaires": "soldiers",
    "casques": "soldiers",
    "gendarmes": "soldiers",
    "policemen": "soldiers",
    "civilians": "civilians",
    "villagers": "civilians",
    "passengers": "civilians",
    "civils": "civilians",
    "villageois": "civilians",
    "passagers": "civilians",
    "women": "civilians",
    "children": "civilians",
    "femmes": "civilians",
    "enfants": "civilians",
    "traders": "civilians",
    "herders": "civilians",
    "worshippers": "civilians",
    "residents": "civilians",
    "inhabitants": "civilians",
    "farmers": "civilians",
    "miners": "civilians",
    "commercants": "civilians",
    "eleveurs": "civilians",
    "fideles": "civilians",
    "habitants": "civilians",
    "agriculteurs": "civilians",
    "orpailleurs": "civilians",
    "forains": "civilians",
    "fighters": "fighters",
    "militants": "fighters",
    "combattants": "fighters",
    "assailants": "fighters",
    "assaillants": "fighters",
    "jihadists": "fighters",
    "jihadistes": "fighters",
    "djihadistes": "fighters",
    "rebels": "fighters",
    "rebelles": "fighters",
    "terrorists": "fighters",
    "terroristes": "fighters",
}


@cache
def _patterns(lang: str) -> list[re.Pattern[str]]:
    if lang == "fr":
        texts = [
            r"(?:tue|tuant|tuent|tues|fait|faisant|cause la mort d[e']|coute la vie a) ?"
            rf"{_Q_FR}{_N}{_WHO_END}",
            rf"entre {_N} et {NUMBER_RE} {_WHO}"
            r"(?:[a-z'-]+ )?(?:ont ete |sont )?(?:tues|tuees|morts)",
            rf"{_Q_FR}{_N} (?:de |d')?{_WHO}"
            r"(?:[a-z'-]+ )?(?:ont ete |avaient ete |sont |a ete |ont )?"
            r"(?:tue|tues|tuee|tuees|morts?|mortes?|executes?|massacres?|decedes?|peri)\b",
            rf"bilan (?:[a-z'-]+ ){{0,4}}{_N} (?:morts|tues|victimes)",
        ]
    else:
        texts = [
            r"(?:killed|killing|kills|kill|claimed the lives of|massacred|executed) "
            rf"{_Q_EN}{_N}{_WHO_END}",
            rf"(?:between|from) {_N} (?:and|to) {NUMBER_RE} {_WHO}"
            r"(?:were |have been |had been )?(?:killed|dead|died)",
            rf"(?:left|leaving) {_Q_EN}{_N} (?P<who>(?:people )?dead)",
            rf"{_Q_EN}{_N} (?:of )?{_WHO}"
            r"(?:[a-z'-]+ )?(?:were |was |have been |had been |are |been )?"
            r"(?:killed|dead|died|massacred|executed|slain|shot dead|lost their lives)\b",
            rf"death toll (?:[a-z'-]+ ){{0,4}}{_N}",
            rf"{_N} (?P<who>deaths|fatalities)",
        ]
    return [re.compile(rf"\b{t}") for t in texts]


_CIVILIAN_AFTER = re.compile(
    r"^,? (?:including|among them|mostly|mainly|dont|parmi lesquels|parmi lesquelles|"
    r"essentiellement|principalement) (?:des |many |several |plusieurs )?"
    r"(?:women|children|civilians|villagers|femmes|enfants|civils|villageois)"
)


# Who says it: a figure told by a local official, residents or a hospital is a report,
# not an armed force's claim about its enemies.
_INDEPENDENT = re.compile(
    r"\b(?:local officials?|officials?|residents?|witness(?:es)?|hospital|medical|health|"
    r"security sources?|local sources?|sources? locales?|sources? hospitalieres?|habitants?|"
    r"temoins?|elus? locaux|elu local|notables?|humanitarian|ngo|ong|un |onu)\b"
)
_ARMED_SOURCE = re.compile(
    r"\b(?:army|military|armee|etat-major|fama|forces|ministry of defen[cs]e|"
    r"ministere de la defense|spokesm[ae]n|porte-parole|group|groupe|jnim|gsim|csp)\b"
)
_COORDINATED = re.compile(
    rf"\b(?:at least |au moins )?(?P<n1>{NUMBER_RE}) (?P<w1>[a-z'-]+) "
    r"(?:and|et|as well as|ainsi que) "
    rf"(?:at least |au moins )?(?P<n2>{NUMBER_RE}) (?P<w2>[a-z'-]+) "
    r"(?:were |have been |had been |ont ete |sont |avaient ete )?"
    r"(?:killed|dead|died|tues|tuees|morts)\b"
)


def patterns(lang: str) -> list[re.Pattern[str]]:
    """Every pattern the death figures of ``lang`` are read with."""
    return [*_patterns(lang if lang in ("en", "fr") else "en"), _COORDINATED, _INDEPENDENT]


@cache
def _needed(lang: str) -> tuple[str, ...] | None:
    """Literals one of which every death-figure pattern of ``lang`` needs (None: unknown)."""
    from accordwatch.extract._lexicon import required_literals

    need: set[str] = set()
    for pat in [*_patterns(lang if lang in ("en", "fr") else "en"), _COORDINATED]:
        lits = required_literals(pat.pattern)
        if lits is None:
            return None
        need |= lits
    return tuple(need)


def fatalities(text: str, lang: str = "en", folded: str | None = None) -> int | None:
    """Confirmed deaths the text reports, or ``None`` when it gives no figure
    (``folded``: ``deaccent(text)`` when the caller has it)."""
    need = _needed(lang)
    folded = deaccent(text) if folded is None else folded
    if need is not None and not any(lit in folded for lit in need):
        return None
    figures = _figures(text, lang, folded)
    if not figures:
        return None
    cats = {c for _, c in figures}
    if "any" in cats or len(cats) == 1:
        return min(n for n, _ in figures)
    return sum(min(n for n, c in figures if c == cat) for cat in cats)


def victim_kinds(text: str, lang: str = "en", folded: str | None = None) -> set[str]:
    """Kinds of victims of the confirmed death figures: civilians, soldiers, fighters, any.

    "14 people, including women and children" counts as civilians.

    >>> sorted(victim_kinds("Gunmen killed 14 people, including women and children.", "en"))
    ['civilians']
    >>> sorted(victim_kinds("Cinq soldats et deux civils ont été tués.", "fr"))
    ['civilians', 'soldiers']
    """
    return {c for _, c in _figures(text, lang, deaccent(text) if folded is None else folded)}


# a sentence is asked for its figures by its clause, by itself and for its victims: the
# last few answers are kept
@lru_cache(maxsize=8)
def _figures(text: str, lang: str, folded: str) -> tuple[tuple[int, str], ...]:
    """The confirmed death figures of ``text`` (folded: ``folded``) as ``(number, victim
    kind)``."""
    lex = lexicon()
    words = set(re.findall(r"[a-z'-]+", folded))
    claim = bool(words & lex.unconfirmed_kill_words) or (
        any(c in folded for cs in lex.claim_cues.values() for c in cs)
        and not (search(_INDEPENDENT, folded) and not search(_ARMED_SOURCE, folded))
    )
    figures: list[tuple[int, str]] = []
    seen: set[int] = set()
    # "12 fighters and three soldiers were killed": two victim groups, one verb
    for m in scan(_COORDINATED, folded):
        pair = [
            (parse_number(m.group(f"n{k}")), m.group(f"w{k}"), m.start(f"n{k}")) for k in (1, 2)
        ]
        if all(n and w in _CATEGORY for n, w, _ in pair) and not (
            claim and any(w in lex.claim_victims for _, w, _ in pair)
        ):
            for n, w, pos in pair:
                figures.append((int(n or 0), _CATEGORY[w]))
                seen.add(pos)
    for pattern in _patterns(lang if lang in ("en", "fr") else "en"):
        for m in scan(pattern, folded):
            if m.start("n") in seen:
                continue
            raw = m.group("n")
            n = parse_number(raw)
            if n is None or n == 0 or (len(raw) == 4 and raw.isdigit() and 1900 <= n <= 2100):
                continue
            if re.match(r"\s*-\s*(?:year|month|day|km|an|ans)", folded[m.end("n") :]):
                continue
            who = (m.groupdict().get("who") or "").strip()
            if who in lex.claim_victims and claim:
                continue
            if who.startswith("terror") and not search(_INDEPENDENT, folded):
                continue  # "terrorists" is an armed force's word: its count is a claim
            if (
                who
                and who not in _CATEGORY
                and who
                not in {
                    "people",
                    "persons",
                    "personnes",
                    "dead",
                    "people dead",
                    "morts",
                    "victims",
                    "victimes",
                    "others",
                    "autres",
                    "deaths",
                    "fatalities",
                    "individus",
                    "tues",
                    "of",
                    "were",
                    "have",
                    "had",
                    "ont",
                    "sont",
                    "a",
                }
            ):
                continue
            # "neutralised 30 terrorists" never counts, whatever the verb nearby
            if re.search(
                r"neutrali[sz]\w*\s+(?:\w+\s+)?$", folded[max(0, m.start("n") - 30) : m.start("n")]
            ):
                continue
            seen.add(m.start("n"))
            cat = _CATEGORY.get(who, "any")
            if cat == "any" and _CIVILIAN_AFTER.match(folded[m.end() : m.end() + 60]):
                cat = "civilians"
            figures.append((n, cat))
    return tuple(figures)
