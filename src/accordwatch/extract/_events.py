"""From sentences to candidate events: triggers, attachment of date/place/actors, confidence.

Each clause (see :func:`accordwatch.extract._text.clauses`) holding an event trigger
(``data/extract/triggers.yaml``) that is not hedged ("could", "risking"), negated
("no clashes") or inside a question becomes at most one event, of the trigger type
with the highest priority.  Its attributes come from the same clause:

* **date** — the time expression nearest the trigger, else a sentence-opening one
  ("In early May, …" scopes over the whole sentence);
* **place** — the first town-level place after a locative word ("in", "près de"),
  else any strong place, else a region; directions ("towards Gao") and modifiers
  ("the Kidal camp") come last, names of things ("the boat Tombouctou") never;
* **actors** — the actors of "between A and B" / "entre A et B" if present, else every
  actor in the clause except one that only locates ("near a MINUSMA camp"); a
  pronoun ("it", "ils", "which") takes the nearest actor named before it;
* **fatalities** — :func:`accordwatch.extract._fatalities.fatalities` on the clause,
  then on the sentence when the sentence holds one event.

An event needs something concrete — a dated expression, or a vague one ("in recent
days") with an actor or place, or a town-level place — else it is dropped.  Events
dated more than a year before publication are *background* (history told to explain
the news) and lose confidence.  Confidence adds evidence (date, place, actors,
figure) and subtracts doubt (quoted speech, a referring noun such as "the fighting",
background, a fuzzy place).  Headlines and other lines without final punctuation
give mentions but no events.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from accordwatch.extract._dates import find_dates
from accordwatch.extract._fatalities import fatalities, victim_kinds
from accordwatch.extract._lexicon import (
    any_trigger,
    deaccent,
    excludes,
    lexicon,
    priorities,
    triggers,
    type_trigger,
)
from accordwatch.extract._model import (
    ActorMention,
    CandidateEvent,
    DateMention,
    PlaceMention,
)
from accordwatch.extract._spans import SpanIndex
from accordwatch.extract._text import Sentence, clauses, quote_spans, sentences, words

__all__ = ["events_in_text"]

_REF_PREP = {
    "in",
    "of",
    "after",
    "since",
    "from",
    "by",
    "amid",
    "during",
    "over",
    "involved",
    "dans",
    "de",
    "des",
    "lors",
    "apres",
    "depuis",
    "par",
    "pendant",
    "implique",
    "impliques",
    "to",
    "aux",
    "au",
}
_LOCATING = {
    "camp",
    "camps",
    "base",
    "bases",
    "post",
    "posts",
    "headquarters",
    "poste",
    "postes",
    "emprise",
    "emprises",
    "quartier",
}
_UN_WORDS = (
    "minusma",
    "united nations",
    "un ",
    "peacekeep",
    "blue helmet",
    "casques bleus",
    "nations unies",
    "onu",
)
_TAKEOVER = re.compile(r"^(?:took|take|takes|taking|taken) over")
_BETWEEN = re.compile(r"\b(?:between|entre)\b")


@dataclass(frozen=True)
class _Trigger:
    type: str
    start: int
    end: int
    text: str


def _in(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a <= s and e <= b for a, b in spans)


def _find_triggers(
    text: str, folded: str, c0: int, c1: int, lang: str, dates: list[DateMention]
) -> list[_Trigger]:
    if not any_trigger(lang).search(folded, c0, c1):
        return []
    lex = lexicon()
    ex = excludes()
    # words inside a date expression ("in May") are never hedges or negations
    toks = [t for t in words(text, c0, c1) if not any(d.start <= t[0] < d.end for d in dates)]
    found: list[_Trigger] = []
    for etype, pats in triggers(lang).items():
        if not type_trigger(lang, etype).search(folded, c0, c1):
            continue
        for _src, pat in pats:
            for m in pat.finditer(folded, c0, c1):
                s, e = m.span()
                if any(
                    x.search(folded, max(c0, s - 40), min(c1, e + 40))
                    and any(
                        xm.start() <= s < xm.end() or s <= xm.start() < e
                        for xm in x.finditer(folded, max(c0, s - 40), min(c1, e + 40))
                    )
                    for x in ex.get(etype, [])
                ):
                    continue
                idx = next((i for i, t in enumerate(toks) if t[0] >= s), len(toks))
                before = [t[2] for t in toks[max(0, idx - 6) : idx]]
                after = [t[2] for t in toks[idx : idx + 6] if t[0] >= e][:4]
                hedges = lex.hedges.get(lang, frozenset())
                if any(w in hedges for w in before + after):
                    continue
                near = [t[2] for t in toks[max(0, idx - 3) : idx]]
                if any(w in lex.negations.get(lang, ()) or w.endswith("n't") for w in near):
                    continue
                found.append(_Trigger(etype, s, e, text[s:e]))
    return found


def _referential(text: str, trig: _Trigger, c0: int, lang: str) -> bool:
    toks = [t[2] for t in words(text, c0, trig.start)]
    if len(toks) >= 2 and toks[-1] in lexicon().referential.get(lang, ()) and toks[-2] in _REF_PREP:
        return True
    return False


def _pick_place(
    text: str, places: list[PlaceMention], trig: _Trigger, lang: str
) -> PlaceMention | None:
    if not places:
        return None
    loc = lexicon().locative.get(lang, ())

    def after_locative(p: PlaceMention) -> bool:
        before = deaccent(text[max(0, p.start - 30) : p.start]).rstrip().rstrip("'’")
        before = re.sub(
            r"\b(?:the|a|an|le|la|les|l'|town of|city of|village of|ville de|"
            r"localite de|commune de)\s*$",
            "",
            before,
        ).rstrip()
        before = re.sub(r"\b(?:the|a|an|le|la|les|l')\s*$", "", before).rstrip()
        return any(before.endswith(w) for w in loc)

    def rank(p: PlaceMention) -> tuple[int, int, int]:
        return (int(p.weak), int(p.is_region), 0 if after_locative(p) else 1)

    return min(places, key=lambda p: (*rank(p), abs(p.start - trig.start)))


def _participants(text: str, actors: list[ActorMention], c0: int, c1: int) -> list[ActorMention]:
    inside = [a for a in actors if c0 <= a.start and a.end <= c1]
    clause = deaccent(text[c0:c1])
    m = _BETWEEN.search(clause)
    if m:
        pair = [a for a in inside if a.start >= c0 + m.end()][:2]
        if len(pair) == 2:
            return pair
    keep = []
    for a in inside:
        nxt = words(text, a.end, min(c1, a.end + 20))[:1]
        before = " ".join(t[2] for t in words(text, max(c0, a.start - 25), a.start))
        locating = (
            bool(nxt)
            and nxt[0][2] in _LOCATING
            and re.search(
                r"\b(?:near|close to|at|in|outside|around|pres de|pres du|a|au|dans|aux abords de)"
                r"(?: (?:a|an|the|un|une|le|la|les|du))?$",
                before,
            )
        )
        if not locating:
            keep.append(a)
    return keep


def _antecedent(
    text: str,
    actors: SpanIndex[ActorMention],
    sents: list[Sentence],
    sent: Sentence,
    c0: int,
    trig: _Trigger,
    lang: str,
) -> ActorMention | None:
    head = deaccent(text[c0 : trig.start])
    pron = lexicon().pronouns.get(lang, ())
    if not any(re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", head) for p in pron):
        return None
    lo = sents[sent.index - 1].start if sent.index > 0 else sent.start
    before = actors.within(lo, c0)
    return before[-1] if before else None


def _background(date: DateMention | None, published: dt.date | None) -> bool:
    if date is None or published is None:
        return False
    parts = [int(x) for x in date.value.split("-")]
    if len(parts) == 1:
        last = dt.date(parts[0], 12, 31)
    elif len(parts) == 2:
        last = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1) - dt.timedelta(days=1)
    else:
        last = dt.date(*parts)
    return (published - last).days > 365


def events_in_text(
    text: str,
    *,
    lang: str,
    published: dt.date | None,
    places: list[PlaceMention],
    actors: list[ActorMention],
    doc_id: str | None = None,
) -> list[CandidateEvent]:
    """Candidate events of one document (before the confidence threshold)."""
    folded = deaccent(text)
    sents = sentences(text)
    dates = find_dates(text, published, lang)
    date_ix = SpanIndex(dates)
    place_ix = SpanIndex(places)
    actor_ix = SpanIndex(actors)
    prio = priorities()
    out: list[CandidateEvent] = []
    prev: tuple[Sentence, list[CandidateEvent]] | None = None
    for sent in sents:
        body = text[sent.start : sent.end].rstrip(' ”’"»)')
        if body.endswith("?"):
            prev = None
            continue
        if (
            not body.endswith((".", "!", "…", ";", ":"))
            and len(words(text, sent.start, sent.end)) < 15
        ):
            prev = None
            continue  # a headline, caption or menu line: mentions count, events do not
        quotes = quote_spans(text, sent.start, sent.end)
        cl = clauses(text, sent)
        s_dates = date_ix.within(sent.start, sent.end)
        covering = date_ix.within(sent.start - date_ix.longest, sent.end)
        opening = [
            d
            for d in s_dates
            if cl[0][0] <= d.start < cl[0][1] and len(words(text, sent.start, d.start)) <= 2
        ]
        sent_events: list[tuple[CandidateEvent, int, int]] = []
        for c0, c1 in cl:
            trigs = _find_triggers(text, folded, c0, c1, lang, covering)
            if not trigs:
                continue
            trig = min(trigs, key=lambda t: (prio[t.type], t.start))
            etype = trig.type
            clause_text = folded[c0:c1]
            if (
                etype == "base_seizure"
                and _TAKEOVER.match(folded[trig.start : trig.end])
                and any(w in clause_text for w in _UN_WORDS)
            ):
                etype = "base_handover"
            in_clause = [d for d in s_dates if c0 <= d.start < c1]
            date = (
                min(in_clause, key=lambda d: abs(d.start - trig.start))
                if in_clause
                else (opening[0] if opening and (c0, c1) != cl[0] else None)
            )
            cands = place_ix.within(c0, c1)
            place = _pick_place(text, cands, trig, lang)
            parts = _participants(text, actor_ix.within(c0, c1), c0, c1)
            inferred = False
            if not parts:
                ante = _antecedent(text, actor_ix, sents, sent, c0, trig, lang)
                if ante is not None:
                    parts, inferred = [ante], True
            strong_place = place is not None and not place.weak and not place.is_region
            concrete = (
                (date is not None and not date.vague)
                or strong_place
                or (date is not None and date.vague and (parts or place is not None))
            )
            if not concrete:
                continue
            figure = fatalities(text[c0:c1], lang)
            ev = CandidateEvent(
                type=etype,
                evidence=text[sent.start : sent.end],
                confidence=0.0,
                evidence_start=sent.start,
                evidence_end=sent.end,
                trigger=trig.text,
                doc_id=doc_id,
                fatalities=figure,
            )
            if date is not None:
                ev.date, ev.date_precision = date.value, date.precision
            if place is not None:
                ev.place = None if place.is_region else place.name
                ev.admin1, ev.latitude, ev.longitude = place.admin1, place.latitude, place.longitude
                ev.location_precision = place.precision
                ev.geonameid = None if place.is_region else place.geonameid
            names = list(dict.fromkeys(a.name for a in parts))
            ev.actors = names
            ev.actor_ids = list(dict.fromkeys(a.actor_id for a in parts))
            ev.background = _background(date, published)
            score = 0.4
            if date is not None:
                score += (
                    0.05 if date.vague else {"day": 0.2, "month": 0.2, "year": 0.1}[date.precision]
                )
            if place is not None:
                score += 0.05 if place.weak else (0.1 if place.is_region else 0.2)
                score -= 0.05 if place.fuzzy else 0.0
            if names:
                score += 0.05 if inferred else 0.1
                score += 0.05 if len(names) > 1 else 0.0
            if figure is not None:
                score += 0.05
            if _referential(text, trig, c0, lang):
                score -= 0.25
                ev.notes.append("refers back to events told elsewhere")
            if _in(quotes, trig.start, trig.end):
                score -= 0.15
                ev.notes.append("inside quoted speech")
            if ev.background:
                score -= 0.35
                ev.notes.append("background: more than a year before publication")
            if inferred:
                ev.notes.append(f"actor inferred from a pronoun: {names[0]}")
            ev.confidence = round(min(0.99, max(0.05, score)), 3)
            sent_events.append((ev, c0, c1))
        if len(sent_events) == 1 and sent_events[0][0].fatalities is None:
            sent_events[0][0].fatalities = fatalities(text[sent.start : sent.end], lang)
        if len(sent_events) == 1 and sent_events[0][0].fatalities is not None:
            _retype(sent_events[0][0], victim_kinds(text[sent.start : sent.end], lang))
        if not sent_events and prev is not None:
            _toll_from_next_sentence(text, lang, prev, sent, date_ix, place_ix)
        prev = (sent, [e for e, _, _ in sent_events])
        out += [e for e, _, _ in sent_events]
    return _merge(out)


def _retype(ev: CandidateEvent, kinds: set[str]) -> None:
    """An "attack" with one side whose dead are all civilians is an attack on civilians."""
    if ev.type == "clash" and len(ev.actors) <= 1 and kinds == {"civilians"}:
        ev.type = "attack_on_civilians"
        ev.notes.append("attack whose dead are civilians")


def _toll_from_next_sentence(
    text: str,
    lang: str,
    prev: tuple[Sentence, list[CandidateEvent]],
    sent: Sentence,
    dates: SpanIndex[DateMention],
    places: SpanIndex[PlaceMention],
) -> None:
    """A sentence right after an event's, with a death toll and no event, date or other
    place of its own ("Selon des sources locales, 12 soldats ont été tués."), gives
    that event its figure."""
    before, evs = prev
    if not evs or before.paragraph != sent.paragraph or before.index != sent.index - 1:
        return
    ev = evs[-1]
    if ev.fatalities is not None:
        return
    if dates.within(sent.start, sent.end):
        return
    if any(p.name != ev.place for p in places.within(sent.start, sent.end)):
        return
    span = text[sent.start : sent.end]
    figure = fatalities(span, lang)
    if figure is None:
        return
    ev.fatalities = figure
    ev.evidence_end = sent.end
    ev.evidence = text[
        ev.evidence_start if ev.evidence_start is not None else before.start : sent.end
    ]
    ev.confidence = round(min(0.99, ev.confidence + 0.05), 3)
    ev.notes.append("death toll from the next sentence")
    _retype(ev, victim_kinds(span, lang))


def _merge(events: list[CandidateEvent]) -> list[CandidateEvent]:
    """One event per (type, date, place) in a document: keep the most confident."""
    best: dict[tuple[object, ...], CandidateEvent] = {}
    order: list[tuple[object, ...]] = []
    for ev in events:
        key = (ev.type, ev.date, ev.place, ev.admin1) if (ev.date or ev.place) else (id(ev),)
        if key not in best:
            best[key] = ev
            order.append(key)
        else:
            kept = best[key]
            if ev.confidence > kept.confidence:
                ev.actors = list(dict.fromkeys(kept.actors + ev.actors))
                ev.actor_ids = list(dict.fromkeys(kept.actor_ids + ev.actor_ids))
                best[key] = ev
            else:
                kept.actors = list(dict.fromkeys(kept.actors + ev.actors))
                kept.actor_ids = list(dict.fromkeys(kept.actor_ids + ev.actor_ids))
    return [best[k] for k in order]
