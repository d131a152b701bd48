"""Rules that look beyond one clause: which place and date an event takes, and when not.

* **Places that are not the event's place**: a foreign country or a part of one
  ("northern Mali"), a distance reference ("about 100 km north of Mopti", "à 20 km de
  Konna", "near Gao" when another place is named), a town that only qualifies the place
  before it ("Talataye, Gao"), and a capital named for its government ("relations with
  Bamako", "Bamako's decision").
* **Several places in one clause** ("attacks on Niono, Molodo and Kayes", "in Bourem on
  12 September and Léré on 17 September") give one event each (:func:`event_places`),
  each with the date written next to it.
* **Dates that are not the event's date**: the date of a statement ("on Tuesday urged",
  "a annoncé mardi") and the start of a period ("since January 2018", "depuis 2012").
* **Anaphoric places**: "cette localité", "this camp", "the village" take the last place
  named before (:func:`anaphoric_place`).
* **Captures with words between verb and object** ("took the strategic northern town of
  Kidal", "ont réussi à reprendre Konna", "Kidal fell"): :func:`capture_spans`.

>>> import re
>>> bool(statement_verb_near("Amnesty on Tuesday urged the junta", 10, 17))
True
"""

from __future__ import annotations

import re

from accordwatch.extract._lexicon import fold_span
from accordwatch.extract._memo import per_text
from accordwatch.extract._model import DateMention, PlaceMention
from accordwatch.extract._prefilter import scan, search

__all__ = [
    "ANAPHORIC_PLACE",
    "anaphoric_place",
    "capital_as_government",
    "capture_possible",
    "capture_spans",
    "event_places",
    "eventable",
    "is_reference",
    "patterns",
    "period_start",
    "place_groups",
    "statement_verb_near",
]

_DISTANCE = re.compile(
    r"(?:\d[\d,.]*|a|an|one|some|about|around|une|un|environ|quelque|quelques|une centaine|"
    r"une dizaine|une vingtaine|a hundred|dozens of)?\s*(?:de\s+)?"
    r"(?:km|kms|kilometres?|kilometers?|miles?)\s+(?:\w+\s+){0,3}(?:of|from|de|du|d')\s*$"
)
_NEAR = re.compile(
    r"(?:\bnear|close to|outside|not far from|on the outskirts of|pres de|pres d|pres du|"
    r"non loin de|non loin d|aux abords de|aux abords d|a proximite de|a proximite d|"
    r"(?:north|south|east|west|nord|sud|est|ouest)(?:-?(?:east|west|est|ouest))?(?:ern)? of|"
    r"au (?:nord|sud)(?:-(?:est|ouest))? de|a l'(?:est|ouest) de|route (?:de|du))\s*$"
)
_QUALIFIER_GAP = re.compile(r"^\s*(?:,|–|-|—|\()\s*$")
_CAPITAL_GOV_BEFORE = re.compile(
    r"(?:relations?|ties|talks|dialogue|rapports?|dialogue|tensions?|rupture|brouille|"
    r"accused|accuses|urged|told|asked|pressed|warned|accuse|exhorte|reproche|demande a)"
    r"\s+(?:with|between|avec|entre|a|to)?\s*$"
)
_CAPITAL_GOV_AFTER = re.compile(
    r"^(?:'s|’s|\s+(?:said|says|accused|accuses|announced|decided|rejected|denounced|"
    r"demanded|has decided|has accused|government|authorities|a annonce|a accuse|accuse|"
    r"annonce|a decide|decide|denonce|a denonce|rejette|exige|reproche))\b"
)
_STATEMENT_VERBS = (
    r"said|says|announced|announces|urged|urges|told|stated|declared|declares|confirmed|"
    r"added|called|demanded|denounced|condemned|reported|a annonce|annonce|annoncait|"
    r"a declare|declare|a affirme|affirme|a indique|indique|a denonce|denonce|a condamne|"
    r"condamne|a appele|appelle|a exhorte|a precise|precise|a confirme|confirme|a reconnu|"
    r"paru|parue|publie|publiee|published|released|issued|diffuse|diffusee|proferee|"
    r"proferees|formulee|emise|faite|made|voiced"
)
# "on Tuesday urged", "Tuesday evening announced" — not "on Sunday, officials said", a
# reporting tag whose date is the event's
_STATEMENT_AFTER = re.compile(rf"^\s*(?:\w+\s+)?(?:{_STATEMENT_VERBS})\b")
_STATEMENT_BEFORE = re.compile(rf"\b(?:{_STATEMENT_VERBS})\s+(?:\w+\s+)?$")
_PERIOD_BEFORE = re.compile(r"\b(?:since|depuis|from|des|as of|a partir de|au cours de)\s*$")
ANAPHORIC_PLACE = re.compile(
    r"\b(?:cette localite|cette ville|ce village|cette commune|ce camp|cette base|ce poste|"
    r"this town|this village|this camp|this base|this locality|the town|the village|"
    r"the locality|la localite|la ville|le village|la bourgade|ladite localite)\b"
)
_CAPTURE = {
    "en": re.compile(
        r"\b(?:took|taken|taking|seized|seizing|captured|capturing|overran|overrun|retook|"
        r"retaken|recaptured|regained|stormed|took control of|taken control of|"
        r"seized control of|regained control of|fall of|capture of|seizure of|recapture of)\b"
    ),
    "fr": re.compile(
        r"\b(?:pris|prise|prises|repris|reprise|reprises|reprendre|prendre|prennent|"
        r"s'emparer|s'est empare|se sont empares|empare|emparent|pris le controle|"
        r"repris le controle|pris le controle total|repris le controle total|reoccupe|"
        r"reoccuper|investi|investie|chute|prise de controle)\b"
    ),
}
_CAPTURE_PASSIVE = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:a ete|est|avait ete|ont ete|sont|was|has been|had been|were)\s+"
    r"(?:prise|prises|reprise|reprises|conquise|occupee|taken|seized|captured|retaken|"
    r"recaptured|overrun)\b|^\W*(?:\w+\W+){0,2}?(?:fell|est tombee|sont tombees|a chute)\b"
)
_RESUMED = re.compile(
    r"\b(?:combats|affrontements|hostilites|violences|attaques|heurts|fighting|hostilities|"
    r"clashes|violence|attacks)\W+(?:\w+\W+){0,2}$"
)
_CAPTURE_REACH = 9  # words between a capture verb and the place it takes
_NOT_CAPTURE_AFTER = re.compile(
    r"^\s*(?:part|place|power|office|refuge|shelter|hostage|prisoner|to hospital|into account|"
    r"pouvoir|position|note|fin|part|acte|soin|contact|la fuite|la parole|en charge|en otage|"
    r"conscience|la tete|les armes|au serieux)\b"
)


def eventable(p: PlaceMention) -> bool:
    """A place an event can happen at (not a country or a part of one)."""
    return p.feature_code not in {"PCLI", "PCL"}


def is_reference(text: str, p: PlaceMention) -> str | None:
    """``"distance"`` after "100 km north of", ``"near"`` after "near"/"près de", else None."""
    memo = per_text(text, "is_reference")
    if p.start not in memo:
        memo[p.start] = _reference(text, p.start)
    answer: str | None = memo[p.start]
    return answer


_TOWN_OF = re.compile(r"(?:town|city|village|ville|localite|commune) (?:of|de|d')\s*$")
_ARTICLE_END = re.compile(r"\b(?:the|la|le|l'|les)\s*$")


def _reference(text: str, start: int) -> str | None:
    """:func:`is_reference` of the place that starts at ``start``."""
    before = fold_span(text, max(0, start - 45), start).casefold()
    before = _TOWN_OF.sub("", before)
    before = _ARTICLE_END.sub("", before).rstrip() + " "
    if _DISTANCE.search(before):
        return "distance"
    if _NEAR.search(before):
        return "near"
    return None


def capital_as_government(text: str, p: PlaceMention) -> bool:
    """A national capital that stands for its government ("relations with Bamako")."""
    if p.feature_code != "PPLC":
        return False
    memo = per_text(text, "capital_as_government")
    key = (p.start, p.end)
    if key not in memo:
        memo[key] = _capital_as_government(text, p.start, p.end)
    answer: bool = memo[key]
    return answer


def _capital_as_government(text: str, start: int, end: int) -> bool:
    """:func:`capital_as_government` of the capital at ``text[start:end]``."""
    before = fold_span(text, max(0, start - 40), start).casefold()
    after = fold_span(text, end, end + 30).casefold()
    return bool(_CAPITAL_GOV_BEFORE.search(before) or _CAPITAL_GOV_AFTER.match(after))


def _qualifies(text: str, prev: PlaceMention, p: PlaceMention) -> bool:
    """``p`` qualifies ``prev`` ("Talataye – Gao", "Tabankort (Gao)")."""
    gap = text[prev.end : p.start]
    if not _QUALIFIER_GAP.match(gap):
        return False
    tail = text[p.end : p.end + 4].lstrip()
    return p.feature_code in {"PPLA", "PPLC", "ADM1", "ADM2"} and not tail.startswith(",")


def event_places(text: str, places: list[PlaceMention]) -> list[PlaceMention]:
    """The distinct town-level places of a clause an event happened at, in text order.

    Weak, region, country, distance-reference and qualifying places are left out, and
    "near X" places unless no other is named; an empty list means the clause names no
    such place.
    """
    out: list[PlaceMention] = []
    near: list[PlaceMention] = []
    prev: PlaceMention | None = None
    for p in places:
        ok = (
            eventable(p)
            and not p.weak
            and not p.is_region
            and not capital_as_government(text, p)
            and not (prev is not None and _qualifies(text, prev, p))
        )
        ref = is_reference(text, p) if ok else None
        if ok and ref is None:
            out.append(p)
        elif ok and ref == "near":
            near.append(p)
        prev = p
    return out or near[:1]  # "near Bamba" is the place when no other is named


_BETWEEN_BEFORE = re.compile(r"\b(?:entre|between)\s+(?:les?\s+|la\s+|the\s+)?$")
_CONJ = r"(?:and|et|ou|or|as well as|ainsi que|then|puis)"
_LIST_GAP = re.compile(
    r"^[\s,;()]*(?:[\w'’-]+[\s()']*)?$"  # "Niono, Molodo", "Ménaka, à Inékar"
    rf"|^[\s,;()]*(?:[\w'’-]+\s+)?{_CONJ}\b(?:[\s,()']*[\w'’-]+){{0,4}}[\s,()']*$"
)


def place_groups(
    text: str, towns: list[PlaceMention], dates: list[DateMention]
) -> list[list[PlaceMention]]:
    """Towns of a clause grouped into coordinated lists ("Niono, Molodo and Kayes", "à
    Boulkessi et le poste de Mondoro", "in Bourem on 12 September and Léré on 17
    September"): the gap between two towns of a list is a comma or a conjunction with
    at most five other words (dates left out)."""
    groups: list[list[PlaceMention]] = []
    for p in towns:
        if groups:
            last = groups[-1][-1]
            gap = fold_span(text, last.end, p.start).casefold()
            for d in dates:
                if last.end <= d.start and d.end <= p.start:
                    gap = gap.replace(fold_span(text, d.start, d.end).casefold(), " ")
            if ("," in gap or re.search(rf"\b{_CONJ}\b", gap)) and _LIST_GAP.match(gap):
                if _BETWEEN_BEFORE.search(fold_span(text, max(0, last.start - 12), last.start)):
                    continue  # "entre Bema et Diongo Mani": a stretch of road, one place
                groups[-1].append(p)
                continue
        groups.append([p])
    return groups


def statement_verb_near(text: str, start: int, end: int) -> bool:
    """The date at ``text[start:end]`` belongs to a statement ("on Tuesday urged")."""
    memo = per_text(text, "statement_verb_near")
    key = (start, end)
    if key not in memo:
        memo[key] = _statement_verb_near(text, start, end)
    answer: bool = memo[key]
    return answer


def _statement_verb_near(text: str, start: int, end: int) -> bool:
    """:func:`statement_verb_near`, worked out."""
    before = fold_span(text, max(0, start - 30), start).casefold()
    after = fold_span(text, end, end + 30).casefold()
    return bool(_STATEMENT_AFTER.match(after) or _STATEMENT_BEFORE.search(before))


def period_start(text: str, d: DateMention) -> bool:
    """The date opens a period ("since January 2018", "depuis 2012"): a summary's span."""
    memo = per_text(text, "period_start")
    if d.start not in memo:
        before = fold_span(text, max(0, d.start - 20), d.start).casefold()
        memo[d.start] = bool(_PERIOD_BEFORE.search(before))
    answer: bool = memo[d.start]
    return answer


def anaphoric_place(
    folded: str, c0: int, c1: int, earlier: list[PlaceMention], text: str
) -> PlaceMention | None:
    """The last eventable town named before a clause that says "cette localité", "this camp"."""
    if not search(ANAPHORIC_PLACE, folded, c0, c1):
        return None
    for p in reversed(earlier):
        if p.end <= c0 and event_places(text, [p]):
            return p
    return None


_CAPTURE_WORDS = re.compile(
    r"\b(?:prises?|reprises?|conquise|occupee|taken|seized|captured|retaken|recaptured|"
    r"overrun|fell|tombee|tombees|chute)\b"
)


def capture_possible(folded: str, start: int, end: int, lang: str) -> bool:
    """Whether :func:`capture_spans` can find anything in ``folded[start:end]``."""
    pat = _CAPTURE.get(lang, _CAPTURE["en"])
    return bool(search(pat, folded, start, end) or search(_CAPTURE_WORDS, folded, start, end))


def capture_spans(
    text: str, folded: str, c0: int, c1: int, lang: str, places: list[PlaceMention]
) -> list[tuple[int, int]]:
    """Spans of capture phrases whose object is a town of the clause.

    The verb may be several words before the place ("took the strategic northern town
    of Kidal"); a passive follows the place ("Konna a été reprise", "Kidal fell").
    """
    pat = _CAPTURE.get(lang, _CAPTURE["en"])
    towns = event_places(text, places)
    out: list[tuple[int, int]] = []
    for m in scan(pat, folded, c0, c1):
        if _NOT_CAPTURE_AFTER.match(folded[m.end() : m.end() + 12]):
            continue
        if _RESUMED.search(folded, max(c0, m.start() - 40), m.start()):
            continue  # "les combats ont repris à X": fighting resumed, nothing was taken
        for p in towns:
            if p.start < m.end():
                continue
            gap = folded[m.end() : p.start]
            if ";" in gap or "." in gap or len(gap.split()) > _CAPTURE_REACH:
                break
            out.append((m.start(), p.end))
            break
    for p in towns:
        if _CAPTURE_PASSIVE.match(folded[p.end : min(c1, p.end + 60)]):
            out.append((p.start, p.end))
    if not towns:  # "cette localité a été prise", "took the town"
        for a in scan(ANAPHORIC_PLACE, folded, c0, c1):
            verb = [m for m in pat.finditer(folded, max(c0, a.start() - 60), a.start())]
            if _CAPTURE_PASSIVE.match(folded[a.end() : min(c1, a.end() + 60)]) or (
                verb and len(folded[verb[-1].end() : a.start()].split()) <= _CAPTURE_REACH
            ):
                out.append((verb[-1].start() if verb else a.start(), a.end()))
    return out


def patterns() -> list[re.Pattern[str]]:
    """The capture patterns of both languages (planned when rules load)."""
    return list(_CAPTURE.values())
