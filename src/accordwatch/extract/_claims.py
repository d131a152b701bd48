"""Claims: what a party says it did, kept apart from what is reported as fact.

Three kinds are read from a sentence (see :data:`accordwatch.extract._model.CLAIM_KINDS`):

* ``responsibility`` — "JNIM claimed the attack", "the attack was claimed by the
  CSP", "le Gsim a revendiqué les attaques", "attaques revendiquées par …";
* ``deaths`` — an armed party's count of enemies killed or "neutralised": "l'armée
  affirme avoir neutralisé 30 terroristes", "the army said it killed 25 militants",
  "12 terroristes ont été tués" (the figure is the claim's ``deaths``; "plusieurs
  terroristes neutralisés" is a claim without a number);
* ``capture`` — "the CSP claims to have taken control of the camp", "affirme avoir
  pris le contrôle de …".

The claimant is the actor named as the agent ("claimed by X"), else the nearest actor
before the verb in the sentence, else the last actor named before the sentence.  A
claim's number never enters an event's fatalities (see ``_fatalities``).

>>> from accordwatch.extract import extract_text
>>> r = extract_text("L'armée affirme avoir neutralisé 30 terroristes près de Ménaka hier.",
...                  published="2024-03-14")
>>> c = r.claims[0]
>>> c.kind, c.deaths, c.target, c.claimant_id
('deaths', 30, 'terroristes', 'ucdp:72')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from accordwatch.extract._dates import find_dates
from accordwatch.extract._lexicon import fold_span, lexicon, required_literals, spans_holding
from accordwatch.extract._model import ActorMention, Claim, DateMention, PlaceMention
from accordwatch.extract._numbers import NUMBER_RE, parse_number
from accordwatch.extract._prefilter import scan, search
from accordwatch.extract._spans import SpanIndex
from accordwatch.extract._text import Sentence, sentences

__all__ = ["claims_in_text", "patterns"]

_NUM = rf"(?P<n>{NUMBER_RE})"
_QUANT = (
    r"(?:(?:at least|more than|over|some|about|around|nearly|au moins|plus de|pres de|"
    r"environ|une|quelque) )?"
)
_KILL = (
    r"(?:neutralis\w*|neutraliz\w*|tue|tues|tuee|tuees|tuant|killed|killing|kill|abattu|"
    r"abattus|elimine|elimines|eliminated|eliminating|mis hors d'etat de nuire)"
)
_RESPONSIBILITY = re.compile(
    r"\b(?:claim(?:ed|s|ing)? (?:responsibility|(?:the |today's |these |those |this |an? )?"
    r"(?:\w+ ){0,2}(?:attacks?|bombings?|ambush(?:es)?|assaults?|strikes?|killings?|"
    r"kidnappings?|abductions?|raids?))|claimed by|revendiqu(?:e|ee|es|ees|ent|ait|aient|ant|er)\b)"
)
_CLAIMED_BY = re.compile(r"\b(?:claimed by|revendiquee?s? par)\s+")
_NO_CLAIM = re.compile(
    r"\b(?:no (?:claim|one has claimed|group has claimed)|aucune revendication|pas (?:ete )?"
    r"revendique|n'a (?:pas )?(?:encore )?ete revendique|not (?:been )?claimed)\b"
)
_CAPTURE = re.compile(
    r"\b(?:claim(?:s|ed)? to have (?:taken|seized|captured)|"
    r"(?:affirme|affirment|dit|disent|assure|revendique) avoir (?:pris|repris)|"
    r"(?:says?|said|announced|announces|claimed|claims)(?: on \w+)?(?: that)? (?:it|they) "
    r"(?:had |has |have )?(?:taken|seized|captured|retaken)|"
    r"(?:a annonce|annonce|annoncent|ont annonce) avoir (?:pris|repris))\b"
)
_ASSERT = re.compile(
    r"\b(?:said|says|claim\w*|announc\w*|stated|reported|affirm\w*|annonc\w*|indiqu\w*|"
    r"declar\w*|selon|according to|communique|statement|bilan|assure\w*|fait etat)\b"
)


@cache
def _deaths_patterns() -> list[re.Pattern[str]]:
    victims = "|".join(sorted(lexicon().claim_victims, key=len, reverse=True))
    return [
        re.compile(
            rf"\b{_KILL}\s+(?:(?:de|of)\s+)?{_QUANT}{_NUM}\s+(?:\w+\s+)?(?P<who>{victims})\b"
        ),
        re.compile(
            rf"\b{_QUANT}{_NUM}\s+(?P<who>{victims})\s+(?:\w+\s+)?(?:ont ete |avaient ete |"
            rf"were |have been |had been |sont )?{_KILL}"
        ),
        re.compile(rf"\b(?:neutralisation|elimination) (?:de|d'|of) (?:\w+ )?(?P<who>{victims})"),
        re.compile(rf"\b(?P<who>{victims})\s+(?:\w+\s+)?(?:neutralis\w*|neutraliz\w*)"),
    ]


def patterns() -> list[re.Pattern[str]]:
    """Every pattern claims are read with."""
    return [
        _RESPONSIBILITY,
        _CLAIMED_BY,
        _NO_CLAIM,
        _CAPTURE,
        _ASSERT,
        *_deaths_patterns(),
        _ACCORDING,
        _TOLL,
        _KILLED,
    ]


@cache
def _needed() -> tuple[str, ...] | None:
    """Literals one of which every claim pattern needs (None: unknown)."""
    need: set[str] = set()
    for pat in [_RESPONSIBILITY, _CAPTURE, _ACCORDING, *_deaths_patterns()]:
        lits = required_literals(pat.pattern)
        if lits is None:
            return None
        need |= lits
    return tuple(need)


_ACCORDING = re.compile(r"\b(?:selon|d'apres|according to|a en croire)\s+")
_TOLL = re.compile(
    rf"\b{_QUANT}{_NUM}\s+(?:\w+\s+)?(?P<who>soldats|soldiers|militaires|troops|mercenaires|"
    r"mercenaries|combattants|fighters|rebelles|rebels|terroristes|terrorists|jihadistes|"
    r"jihadists|djihadistes|assaillants|assailants|elements)\b"
)
_KILLED = re.compile(r"\b(?:tues|tuees|morts|killed|dead|neutralis\w*|abattus|elimines)\b")


def _party_toll(
    folded: str, s: int, e: int, actors: SpanIndex[ActorMention]
) -> tuple[str, int, int | None, str | None] | None:
    """A death toll told "selon le FLA" / "according to the army": the party's claim."""
    m = search(_ACCORDING, folded, s, e)
    if m is None or not search(_KILLED, folded, s, e):
        return None
    source = [a for a in actors.within(m.end(), e) if a.start - m.end() < 12]
    if not source or source[0].kind in {"ngo", "un", "media"}:
        return None
    hits = list(scan(_TOLL, folded, s, e))
    nums = [parse_number(h.group("n")) for h in hits]
    if not hits or any(n is None for n in nums):
        return None
    targets = " and ".join(dict.fromkeys(h.group("who") for h in hits))
    return ("deaths", source[0].end, int(sum(n or 0 for n in nums)), targets)


def _claimant(
    folded: str, sent: Sentence, at: int, actors: SpanIndex[ActorMention]
) -> ActorMention | None:
    by = search(_CLAIMED_BY, folded, sent.start, sent.end)
    if by is not None:
        after = [a for a in actors.within(by.end(), sent.end) if a.start - by.end() < 40]
        if after:
            return after[0]
    before = [a for a in actors.within(sent.start, at) if a.end <= at]
    if before:
        return before[-1]
    inside = actors.within(sent.start, sent.end)
    if inside:
        return inside[0]
    earlier = actors.within(max(0, sent.start - 600), sent.start)
    return earlier[-1] if earlier else None


def claims_in_text(
    text: str,
    *,
    lang: str,
    published: object,
    actors: list[ActorMention],
    places: list[PlaceMention],
    doc_id: str | None = None,
    dates: list[DateMention] | None = None,
    reached: Callable[[int], None] | None = None,
) -> list[Claim]:
    """Claims of one document, in text order (``event_index`` is left to the caller).

    ``dates`` are the document's time expressions if already found; ``reached(offset)``
    is told where the reading is."""
    import datetime as dt

    pub = published if isinstance(published, dt.date) else None
    folded = fold_span(text, 0, len(text))
    need = _needed()
    actor_ix = SpanIndex(actors)
    place_ix = SpanIndex(places)
    date_ix = SpanIndex(find_dates(text, pub, lang) if dates is None else dates)
    deaths = _deaths_patterns()
    out: list[Claim] = []
    sents = sentences(text)
    holds = None if need is None else spans_holding(folded, [(x.start, x.end) for x in sents], need)
    for sent in sents:
        s, e = sent.start, sent.end
        if reached is not None:
            reached(s)
        if holds is not None and not holds[sent.index]:
            continue  # none of the claim patterns can match here
        found: list[tuple[str, int, int | None, str | None]] = []  # kind, at, n, target
        if not search(_NO_CLAIM, folded, s, e):
            for m in scan(_RESPONSIBILITY, folded, s, e):
                found.append(("responsibility", m.start(), None, None))
                break
        for m in scan(_CAPTURE, folded, s, e):
            found.append(("capture", m.start(), None, None))
            break
        asserted = bool(search(_ASSERT, folded, s, e))
        for pat in deaths:
            hit = search(pat, folded, s, e)
            if hit is None:
                continue
            who = hit.group("who")
            raw = hit.groupdict().get("n")
            n = parse_number(raw) if raw else None
            neutralised = "neutrali" in hit.group(0) or who.startswith("terror")
            if asserted or neutralised:
                found.append(("deaths", hit.start(), None if n is None else int(n), who))
            break
        if not any(k == "deaths" for k, _, _, _ in found):
            told = _party_toll(folded, s, e, actor_ix)
            if told is not None:
                found.append(told)
        for kind, at, n, target in found:
            who_claims = _claimant(folded, sent, at, actor_ix)
            ds = date_ix.within(s, e)
            ps = [p for p in place_ix.within(s, e) if not p.weak]
            claim = Claim(
                claimant=who_claims.name if who_claims else "unnamed",
                kind=kind,
                evidence=text[s:e],
                claimant_id=who_claims.actor_id if who_claims else None,
                deaths=n,
                target=target,
                evidence_start=s,
                evidence_end=e,
                doc_id=doc_id,
                confidence=round(0.5 + 0.15 * (who_claims is not None) + 0.1 * (n is not None), 3),
            )
            if ds:
                claim.date, claim.date_precision = ds[0].value, ds[0].precision
            if ps:
                p = ps[0]
                claim.place = None if p.is_region else p.name
                claim.geonameid = None if p.is_region else p.geonameid
                claim.admin1, claim.latitude, claim.longitude = p.admin1, p.latitude, p.longitude
            out.append(claim)
    return out
