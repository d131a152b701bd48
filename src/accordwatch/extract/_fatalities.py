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
"""

from __future__ import annotations

import re
from functools import cache

from accordwatch.extract._lexicon import deaccent, lexicon
from accordwatch.extract._numbers import NUMBER_RE, parse_number

__all__ = ["fatalities"]

_Q_EN = r"(?:(?:at least|some|about|around|nearly|almost|more than|over|up to|as many as|an estimated|roughly) )?"
_Q_FR = r"(?:(?:au moins|environ|pres de|plus de|quelque|une|jusqu'a) )?"
_N = rf"(?P<n>{NUMBER_RE})"
_WHO = r"(?:(?P<who>[a-z'-]+) )?"
_WHO_END = r"(?: (?P<who>[a-z'-]+))?"

_CATEGORY = {
    "soldiers": "soldiers", "soldier": "soldiers", "troops": "soldiers", "servicemen": "soldiers",
    "peacekeepers": "soldiers", "soldats": "soldiers", "militaires": "soldiers",
    "casques": "soldiers", "gendarmes": "soldiers", "policemen": "soldiers",
    "civilians": "civilians", "villagers": "civilians", "passengers": "civilians",
    "civils": "civilians", "villageois": "civilians", "passagers": "civilians",
    "women": "civilians", "children": "civilians", "femmes": "civilians", "enfants": "civilians",
    "fighters": "fighters", "militants": "fighters", "combattants": "fighters",
    "assailants": "fighters", "assaillants": "fighters", "jihadists": "fighters",
    "jihadistes": "fighters", "djihadistes": "fighters", "rebels": "fighters",
    "rebelles": "fighters", "terrorists": "fighters", "terroristes": "fighters",
}


@cache
def _patterns(lang: str) -> list[re.Pattern[str]]:
    if lang == "fr":
        texts = [
            rf"(?:tue|tuant|tuent|tues|fait|faisant|cause la mort d[e']|coute la vie a) ?{_Q_FR}{_N}{_WHO_END}",
            rf"entre {_N} et {NUMBER_RE} {_WHO}(?:[a-z'-]+ )?(?:ont ete |sont )?(?:tues|tuees|morts)",
            rf"{_Q_FR}{_N} (?:de |d')?{_WHO}(?:[a-z'-]+ )?(?:ont ete |avaient ete |sont |a ete |ont )?(?:tue|tues|tuee|tuees|morts?|mortes?|executes?|massacres?|decedes?|peri)\b",
            rf"bilan (?:[a-z'-]+ ){{0,4}}{_N} (?:morts|tues|victimes)",
        ]
    else:
        texts = [
            rf"(?:killed|killing|kills|kill|claimed the lives of|massacred|executed) {_Q_EN}{_N}{_WHO_END}",
            rf"(?:between|from) {_N} (?:and|to) {NUMBER_RE} {_WHO}(?:were |have been |had been )?(?:killed|dead|died)",
            rf"(?:left|leaving) {_Q_EN}{_N} (?P<who>(?:people )?dead)",
            rf"{_Q_EN}{_N} (?:of )?{_WHO}(?:[a-z'-]+ )?(?:were |was |have been |had been |are |been )?(?:killed|dead|died|massacred|executed|slain|shot dead|lost their lives)\b",
            rf"death toll (?:[a-z'-]+ ){{0,4}}{_N}",
            rf"{_N} (?P<who>deaths|fatalities)",
        ]
    return [re.compile(rf"\b{t}") for t in texts]


def fatalities(text: str, lang: str = "en") -> int | None:
    """Confirmed deaths the text reports, or ``None`` when it gives no figure."""
    lex = lexicon()
    folded = deaccent(text)
    words = set(re.findall(r"[a-z'-]+", folded))
    claim = bool(words & lex.unconfirmed_kill_words) or any(
        c in folded for cs in lex.claim_cues.values() for c in cs)
    figures: list[tuple[int, str]] = []
    seen: set[int] = set()
    for pattern in _patterns(lang if lang in ("en", "fr") else "en"):
        for m in pattern.finditer(folded):
            if m.start("n") in seen:
                continue
            raw = m.group("n")
            n = parse_number(raw)
            if n is None or n == 0 or (len(raw) == 4 and raw.isdigit() and 1900 <= n <= 2100):
                continue
            if re.match(r"\s*-\s*(?:year|month|day|km|an|ans)", folded[m.end("n"):]):
                continue
            who = (m.groupdict().get("who") or "").strip()
            if who in lex.claim_victims and claim:
                continue
            if who and who not in _CATEGORY and who not in {
                    "people", "persons", "personnes", "dead", "people dead", "morts", "victims",
                    "victimes", "others", "autres", "deaths", "fatalities", "individus", "tues",
                    "of", "were", "have", "had", "ont", "sont", "a"}:
                continue
            # "neutralised 30 terrorists" never counts, whatever the verb nearby
            if re.search(r"neutrali[sz]\w*\s+(?:\w+\s+)?$", folded[max(0, m.start("n") - 30):m.start("n")]):
                continue
            seen.add(m.start("n"))
            figures.append((n, _CATEGORY.get(who, "any")))
    if not figures:
        return None
    cats = {c for _, c in figures}
    if "any" in cats or len(cats) == 1:
        return min(n for n, _ in figures)
    return sum(min(n for n, c in figures if c == cat) for cat in cats)
