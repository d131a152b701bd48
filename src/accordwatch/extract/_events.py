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
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from accordwatch.extract._dates import find_dates
from accordwatch.extract._discourse import (
    anaphoric_place,
    capital_as_government,
    capture_possible,
    capture_spans,
    event_places,
    eventable,
    is_reference,
    period_start,
    place_groups,
    statement_verb_near,
)
from accordwatch.extract._fatalities import fatalities, victim_kinds
from accordwatch.extract._lexicon import (
    deaccent,
    excludes,
    fold_span,
    lexicon,
    literals_by_span,
    priorities,
    remember_folded,
    rows_by_literal,
    trigger_table,
)
from accordwatch.extract._model import (
    ActorMention,
    CandidateEvent,
    DateMention,
    PlaceMention,
)
from accordwatch.extract._prefilter import finditer_near, scan, search
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
_COORDINATED = re.compile(r"\W*(?:and|et|then|puis|before|avant de)\b")
_CLAIMED = re.compile(r"\b(?:claim(?:s|ed|ing)?|revendiqu\w*)\W+(?:\w+\W+){0,3}$")
_SUMMARY = re.compile(
    r"\b(?:depuis (?:plusieurs|des|quelques) (?:mois|annees|semaines)|ces derniers mois|"
    r"ces dernieres annees|for (?:several |many )?(?:months|years|weeks)|in recent (?:months|"
    r"years|weeks)|over the (?:past|last) (?:few )?(?:months|years|weeks)|se sont succede)"
)
_OBJECT_GAP = re.compile(r"^\s*(?:(?:de|du|des|d'|of|at|in|a|au|the|la|le|l')\s*){1,2}$")


@dataclass(frozen=True)
class _Trigger:
    type: str
    start: int
    end: int
    text: str


def _in(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a <= s and e <= b for a, b in spans)


_Table = list[tuple[str, re.Pattern[str], frozenset[str] | None]]


def _candidates(folded: str, s: int, e: int, table: _Table) -> _Table:
    """The rows of ``table`` whose required literals occur in ``folded[s:e]``: only
    those patterns can match there."""
    span = folded[s:e]
    return [row for row in table if row[2] is None or any(lit in span for lit in row[2])]


def _find_triggers(
    text: str,
    folded: str,
    c0: int,
    c1: int,
    lang: str,
    dates: list[DateMention],
    table: _Table | None = None,
) -> list[_Trigger]:
    table = _candidates(folded, c0, c1, trigger_table(lang) if table is None else table)
    if not table:
        return []
    lex = lexicon()
    ex = excludes()
    toks: list[tuple[int, int, str]] | None = None
    found: list[_Trigger] = []
    for etype, pat, _lits in table:
        for m in finditer_near(pat, folded, c0, c1):
            s, e = m.span()
            if any(
                search(x, folded, max(c0, s - 40), min(c1, e + 40))
                and any(
                    xm.start() <= s < xm.end() or s <= xm.start() < e
                    for xm in scan(x, folded, max(c0, s - 40), min(c1, e + 40))
                )
                for x in ex.get(etype, [])
            ):
                continue
            if toks is None:  # words inside a date ("in May") are never hedges or negations
                toks = _outside(words(text, c0, c1), dates)
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


def _outside(
    toks: list[tuple[int, int, str]], dates: list[DateMention]
) -> list[tuple[int, int, str]]:
    """The words (in order) that do not start inside one of ``dates``."""
    if not dates:
        return toks
    covered: list[list[int]] = []
    for a, b in sorted((d.start, d.end) for d in dates):
        if covered and a <= covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], b)
        else:
            covered.append([a, b])
    out = []
    k = 0
    for t in toks:
        while k < len(covered) and covered[k][1] <= t[0]:
            k += 1
        if k == len(covered) or t[0] < covered[k][0]:
            out.append(t)
    return out


_REPORTED_AS = re.compile(
    r"\b(?:parle|parlent|parlait|qualifie|qualifiee|decrit|described|describes|speaks? of|"
    r"spoke of|called it|calls it|conclusions?|enquete|enquetes|investigation|inquiry|probe|"
    r"investigate|investigating|findings|rapport|report|following|suite a|suite au|"
    r"condemned|condemns|condamne|denonce|deplore|mourning|deuil)\b(?:\W+\w+){0,6}\W*$"
)
_INTENT = re.compile(
    r"\b(?:a craindre|craindre que|craint que|crainte|intention|visant a|vise a|en vue de|"
    r"intends? to|intended to|aims? to|aimed at|plans? to|planned to|threaten(?:s|ed)? to|"
    r"menace de|menacent de|menacait de)\b"
)


def _reported_as(text: str, trig: _Trigger, c0: int) -> bool:
    """The trigger is what a report, an inquiry or a speaker is about: "the findings on
    the massacre", "parle d'attaque", "investigate the killing", "following the attack"."""
    return bool(_REPORTED_AS.search(fold_span(text, max(c0, trig.start - 80), trig.start)))


def _referential(text: str, trig: _Trigger, c0: int, lang: str) -> bool:
    """The trigger refers to events told elsewhere ("involved in the fighting")."""
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
        before = fold_span(text, max(0, p.start - 30), p.start).rstrip().rstrip("'’")
        before = re.sub(
            r"\b(?:the|a|an|le|la|les|l'|town of|city of|village of|ville de|"
            r"localite de|commune de)\s*$",
            "",
            before,
        ).rstrip()
        before = re.sub(r"\b(?:the|a|an|le|la|les|l')\s*$", "", before).rstrip()
        return before.endswith(loc)  # a tuple: any of its words

    def rank(p: PlaceMention) -> tuple[int, int, int]:
        return (int(p.weak), int(p.is_region), 0 if after_locative(p) else 1)

    return min(places, key=lambda p: (*rank(p), abs(p.start - trig.start)))


def _participants(text: str, actors: list[ActorMention], c0: int, c1: int) -> list[ActorMention]:
    inside = [a for a in actors if c0 <= a.start and a.end <= c1]
    clause = fold_span(text, c0, c1)
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


@cache
def _pronoun_re(lang: str, pron: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(p) for p in pron) or "(?!)"
    return re.compile(rf"(?<![\w'])(?:{alts})(?![\w'])")


def _antecedent(
    text: str,
    actors: SpanIndex[ActorMention],
    sents: list[Sentence],
    sent: Sentence,
    c0: int,
    trig: _Trigger,
    lang: str,
) -> ActorMention | None:
    head = fold_span(text, c0, trig.start)
    pron = lexicon().pronouns.get(lang, ())
    if not _pronoun_re(lang, pron).search(head):
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
    dates: list[DateMention] | None = None,
    reached: Callable[[int], None] | None = None,
) -> list[CandidateEvent]:
    """Candidate events of one document (before the confidence threshold); ``dates`` are
    its time expressions if already found; ``reached(offset)`` is told where the reading is."""
    folded = fold_span(text, 0, len(text))
    remember_folded(text, folded)
    sents = sentences(text)
    dates = find_dates(text, published, lang) if dates is None else dates
    date_ix = SpanIndex(dates)
    place_ix = SpanIndex(places)
    actor_ix = SpanIndex(actors)
    prio = priorities()
    out: list[CandidateEvent] = []
    prev: tuple[Sentence, list[CandidateEvent]] | None = None
    table = trigger_table(lang)
    lit_rows, free_rows = rows_by_literal(lang)
    present = literals_by_span(folded, [(x.start, x.end) for x in sents], lang)
    for sent in sents:
        if reached is not None:
            reached(sent.start)
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
        rows = set(free_rows)
        for lit in present[sent.index]:
            rows.update(lit_rows[lit])
        sent_table = [table[k] for k in sorted(rows)]
        if not sent_table and not capture_possible(folded, sent.start, sent.end, lang):
            if prev is not None:  # no trigger can be here: only a toll for the last event
                _toll_from_next_sentence(text, lang, prev, sent, date_ix, place_ix)
            prev = (sent, [])
            continue
        quotes = quote_spans(text, sent.start, sent.end)
        cl = clauses(text, sent)
        all_dates = [d for d in date_ix.within(sent.start, sent.end) if not period_start(text, d)]
        s_dates = [d for d in all_dates if not statement_verb_near(text, d.start, d.end)]
        covering = date_ix.within(sent.start - date_ix.longest, sent.end)
        opening = [
            d
            for d in s_dates
            if cl[0][0] <= d.start < cl[0][1] and len(words(text, sent.start, d.start)) <= 2
        ]
        sent_events: list[tuple[CandidateEvent, int, int]] = []
        for n_clause, (c0, c1) in enumerate(cl):
            cands = place_ix.within(c0, c1)
            # "the deadliest attack since the one on X in May": X and May are the
            # comparison's, not the event's
            cmp_at = _comparison_cut(folded, c0, c1)
            if cmp_at is not None:
                cands = [p for p in cands if p.start < cmp_at]
            trigs = (
                _find_triggers(text, folded, c0, c1, lang, covering, sent_table)
                if sent_table
                else []
            )
            trigs += [
                _Trigger("base_seizure", s, e, text[s:e])
                for s, e in capture_spans(text, folded, c0, c1, lang, cands)
            ]
            if not trigs and n_clause and sent_events and _COORDINATED.match(folded, c0):
                # "…, and Kayes" / "et aux environs de l'aéroport": a coordinated place
                # shares the trigger of the clause before
                head_towns = [p for p in event_places(text, cands) if p.start - c0 < 40]
                if head_towns:
                    prev_ev = sent_events[-1][0]
                    trigs = [_Trigger(prev_ev.type, c0, c0, prev_ev.trigger or "")]
            if not trigs:
                continue
            trig = min(
                trigs,
                key=lambda t: (_subordinate(folded, c0, t), prio[t.type], t.start),
            )
            etype = trig.type
            clause_text = folded[c0:c1]
            if (
                etype == "base_seizure"
                and _TAKEOVER.match(folded[trig.start : trig.end])
                and any(w in clause_text for w in _UN_WORDS)
            ):
                etype = "base_handover"
            # a political act is a statement: its date is the statement's
            pool = all_dates if etype == "political" else s_dates
            in_clause = [d for d in pool if c0 <= d.start < (c1 if cmp_at is None else cmp_at)]
            if n_clause and _COORDINATED.match(folded, c0):
                # "…rode up to a checkpoint in Gao on Friday, and detonated a belt": a
                # coordinated predicate shares the date and place of the clause before
                p0, p1 = cl[n_clause - 1]
                in_clause = in_clause or [d for d in s_dates if p0 <= d.start < p1]
                cands = cands or place_ix.within(p0, p1)
            towns = event_places(text, cands)
            if not towns:
                ante = anaphoric_place(folded, c0, c1, place_ix.within(c0 - 1500, c0), text)
                if ante is not None:
                    towns = [ante]
            elif len(towns) > 1:
                towns = _chosen_group(text, towns, in_clause, trig, lang)
            sites: list[PlaceMention | None] = list(towns) or [
                _pick_place(
                    text,
                    [p for p in cands if eventable(p) and not capital_as_government(text, p)],
                    trig,
                    lang,
                )
            ]
            parts = _participants(text, actor_ix.within(c0, c1), c0, c1)
            inferred = False
            if not parts:
                ante_actor = _antecedent(text, actor_ix, sents, sent, c0, trig, lang)
                if ante_actor is not None:
                    parts, inferred = [ante_actor], True
            fight = [t for t in trigs if t.type == "clash"]
            if (
                etype == "attack_on_civilians"
                and len({a.actor_id for a in parts}) >= 2
                and fight
                and _KILLING_PEOPLE.match(deaccent(trig.text))
            ):
                # "CMA and army units fought at Ber, killing 12 people": the event is the
                # fight between two armed parties, the dead its toll
                trig, etype = fight[0], "clash"
            figure = fatalities(text[c0:c1], lang, folded[c0:c1])
            for k, place in enumerate(sites):
                date = _date_for(in_clause, place, sites, trig, k)
                if date is None and opening and (c0, c1) != cl[0]:
                    date = opening[0]
                strong_place = place is not None and place in towns
                concrete = (
                    (date is not None and not date.vague)
                    or strong_place
                    or (date is not None and date.vague and (parts or place is not None))
                )
                if not concrete:
                    continue
                ev = _event(
                    text,
                    sent,
                    trig,
                    etype,
                    doc_id,
                    figure if k == 0 else None,
                    date,
                    place,
                    parts,
                    inferred,
                    published,
                )
                if place is not None and place not in cands:
                    ev.notes.append(f"place from an earlier sentence: {place.name}")
                ref = None if place is None else is_reference(text, place)
                if ref == "distance":
                    ev.location_precision = "area"
                    ev.notes.append(f"a distance from {place.name if place else ''}, not the place")
                    ev.confidence = round(max(0.05, ev.confidence - 0.1), 3)
                if len(sites) > 1:
                    ev.notes.append(f"one of {len(sites)} places in the clause")
                if _reported_as(text, trig, c0):
                    ev.confidence = round(max(0.05, ev.confidence - 0.4), 3)
                    ev.notes.append("what a report or a statement is about, not a new event")
                elif _referential(text, trig, c0, lang):
                    ev.confidence = round(max(0.05, ev.confidence - 0.35), 3)
                    ev.notes.append("refers back to events told elsewhere")
                if _in(quotes, trig.start, trig.end):
                    ev.confidence = round(max(0.05, ev.confidence - 0.15), 3)
                    ev.notes.append("inside quoted speech")
                if not towns and _CLAIMED.search(folded, max(c0, trig.start - 30), trig.start):
                    ev.confidence = round(max(0.05, ev.confidence - 0.15), 3)
                    ev.notes.append("the object of a party's claim")
                if _INTENT.search(folded, c0, trig.start):
                    ev.confidence = round(max(0.05, ev.confidence - 0.3), 3)
                    ev.notes.append("feared or intended, not reported as done")
                if search(_SUMMARY, folded, c0, c1) and trig.text[-1:] in "sx":
                    ev.confidence = round(max(0.05, ev.confidence - 0.3), 3)
                    ev.notes.append("a summary of events over a period")
                sent_events.append((ev, c0, c1))
        if len(sent_events) == 1 and sent_events[0][0].fatalities is None:
            sent_events[0][0].fatalities = fatalities(
                text[sent.start : sent.end], lang, folded[sent.start : sent.end]
            )
        if len(sent_events) == 1 and sent_events[0][0].fatalities is not None:
            _retype(
                sent_events[0][0],
                victim_kinds(text[sent.start : sent.end], lang, folded[sent.start : sent.end]),
            )
        if not sent_events and prev is not None:
            _toll_from_next_sentence(text, lang, prev, sent, date_ix, place_ix)
        if sent_events and prev is not None:
            _join_split_event(prev, sent, [e for e, _, _ in sent_events], out)
        prev = (sent, [e for e, _, _ in sent_events])
        out += [e for e, _, _ in sent_events if e.type != "_merged"]
    _carry_dates(out, dates, published, text)
    return _merge(out)


def _chosen_group(
    text: str, towns: list[PlaceMention], dates: list[DateMention], trig: _Trigger, lang: str
) -> list[PlaceMention]:
    """The coordinated list of towns the event is about: the one holding a capture's
    object, else the one holding the place :func:`_pick_place` prefers."""
    groups = place_groups(text, towns, dates)
    if len(groups) > 1:
        target = next((p for p in towns if p.end == trig.end), None)
        if target is None and _CAMP_END.search(deaccent(trig.text)):
            target = next(  # "réoccuper le camp de Boulkessi": the place right after
                (p for p in towns if _OBJECT_GAP.match(fold_span(text, trig.end, p.start))),
                None,
            )
        if target is None:  # the longest list, else the place _pick_place prefers
            size = max(len(g) for g in groups)
            if sum(len(g) == size for g in groups) == 1:
                return _dedupe(next(g for g in groups if len(g) == size))
            target = _inside_a_city(towns) or _pick_place(text, towns, trig, lang)
        chosen = next((g for g in groups if target in g), groups[0])
    else:
        chosen = groups[0]
    return _dedupe(chosen)


_CITY_CODES = {"PPLC", "PPLA"}
_CAMP_END = re.compile(
    r"(?:camps?|bases?|posts?|postes?|casernes?|barracks|garrisons?|garnisons?|emprises?)$"
)


def _inside_a_city(towns: list[PlaceMention]) -> PlaceMention | None:
    """A named part of a city the clause also names ("à Bamako, dans le quartier de
    Faladié"): the more specific place, when exactly one such part is named."""
    cities = [p for p in towns if p.feature_code in _CITY_CODES]
    if not cities:
        return None
    parts = [
        p
        for p in towns
        if p.feature_code not in _CITY_CODES
        and any(
            abs(p.latitude - c.latitude) < 0.25 and abs(p.longitude - c.longitude) < 0.25
            for c in cities
        )
    ]
    return parts[0] if len(parts) == 1 else None


def _dedupe(places: list[PlaceMention]) -> list[PlaceMention]:
    return [p for k, p in enumerate(places) if all(q.geonameid != p.geonameid for q in places[:k])]


_KILLING_PEOPLE = re.compile(
    r"(?:killed|killing|executed|executing|(?:a|ont|avait|avaient) (?:tue|execute|abattu))\b"
)
_SUBORDINATE = re.compile(
    r"\b(?:after|following|amid|despite|since|before|apres|suite a|malgre|depuis|avant|"
    r"a la suite de|in the wake of|au lendemain de)\b(?:\W+[\w'-]+){0,4}\W*$"
    r"|\b(?:fled|fleeing|flee|fuyant|fui|fuir|fuient|escaped|escaping)\b(?:\W+[\w'-]+){0,2}\W*$"
)


_COMPARISON = re.compile(
    r"\b(?:deadliest|worst|largest|biggest|bloodiest|most (?:deadly|serious|violent)|"
    r"plus meurtri\w*|pire|plus grave|plus importante?|plus sanglante?|first|premiere?)\b"
    r"(?:\W+[\w'-]+){0,6}?\W+(?P<since>since|depuis)\b"
)


def _comparison_cut(folded: str, c0: int, c1: int) -> int | None:
    """Where the "since …" of a comparison starts in the clause, if it has one."""
    m = search(_COMPARISON, folded, c0, c1)
    return m.start("since") if m else None


def _subordinate(folded: str, c0: int, trig: _Trigger) -> bool:
    """A trigger inside "after days of air strikes", "après les combats": the clause's
    main event is another trigger, when there is one."""
    return bool(_SUBORDINATE.search(folded, max(c0, trig.start - 60), trig.start))


def _date_for(
    in_clause: list[DateMention],
    place: PlaceMention | None,
    sites: list[PlaceMention | None],
    trig: _Trigger,
    k: int,
) -> DateMention | None:
    """The clause's date nearest the trigger; with several places and dates, the date
    written after each place (before the next one), else the nearest to it."""
    if not in_clause:
        return None
    if place is None or len(sites) < 2 or len(in_clause) < 2:
        return min(in_clause, key=lambda d: abs(d.start - trig.start))
    nxt = sites[k + 1] if k + 1 < len(sites) else None
    limit = nxt.start if nxt is not None else 10**12
    after = [d for d in in_clause if place.end <= d.start < limit]
    if after:
        return after[0]
    return min(in_clause, key=lambda d: abs(d.start - place.start))


def _event(
    text: str,
    sent: Sentence,
    trig: _Trigger,
    etype: str,
    doc_id: str | None,
    figure: int | None,
    date: DateMention | None,
    place: PlaceMention | None,
    parts: list[ActorMention],
    inferred: bool,
    published: dt.date | None,
) -> CandidateEvent:
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
        score += 0.05 if date.vague else {"day": 0.2, "month": 0.2, "year": 0.1}[date.precision]
    if place is not None:
        score += 0.05 if place.weak else (0.1 if place.is_region else 0.2)
        score -= 0.05 if place.fuzzy else 0.0
    if names:
        score += 0.05 if inferred else 0.1
        score += 0.05 if len(names) > 1 else 0.0
    if figure is not None:
        score += 0.05
    if ev.background:
        score -= 0.35
        ev.notes.append("background: more than a year before publication")
    if inferred:
        ev.notes.append(f"actor inferred from a pronoun: {names[0]}")
    ev.confidence = round(min(0.99, max(0.05, score)), 3)
    return ev


_CARRY_REACH = 1200  # characters: an undated event looks back this far for a date


def _carry_dates(
    events: list[CandidateEvent], dates: list[DateMention], published: dt.date | None, text: str
) -> None:
    """An event whose clause gives no date takes the last date written before its
    sentence (same text, within reach, not a statement's or a period's start, not more
    than a year before publication), else the publication date.  Without a publication
    date nothing is carried ("on Tuesday" could not be resolved, and was there)."""
    if published is None:
        return
    ix = SpanIndex(
        [
            d
            for d in dates
            if not d.vague
            and not period_start(text, d)
            and not _background(d, published)
            and not statement_verb_near(text, d.start, d.end)
        ]
    )
    for ev in events:
        if ev.date is not None or ev.evidence_start is None:
            continue
        before = ix.within(ev.evidence_start - _CARRY_REACH - ix.longest, ev.evidence_start)
        before = [d for d in before if d.end <= ev.evidence_start]
        if before:
            d = before[-1]
            ev.date, ev.date_precision = d.value, d.precision
            ev.notes.append(f"date carried over from an earlier sentence: {d.text}")
            ev.confidence = round(min(0.99, ev.confidence + 0.05), 3)
        else:
            ev.date, ev.date_precision = published.isoformat(), "day"
            ev.notes.append("no date in the text: the publication date")


_GENERIC = {"clash"}


def _join_split_event(
    prev: tuple[Sentence, list[CandidateEvent]],
    sent: Sentence,
    current: list[CandidateEvent],
    out: list[CandidateEvent],
) -> None:
    """One event told over two sentences: type and toll (and date) in one, the place in
    the next ("L'attaque a eu lieu lundi, 58 morts. Des véhicules ont été interceptés
    à X."): the first sentence's placeless event takes the second's place, and the
    second event is folded into it."""
    before, evs = prev
    if before.paragraph != sent.paragraph or before.index != sent.index - 1:
        return
    heads = [e for e in evs if e.place is None and e.date is not None]
    tails = [e for e in current if e.place is not None and e.date is None]
    if len(heads) != 1 or len(tails) != 1:
        return
    head, tail = heads[0], tails[0]
    if not (head.type in _GENERIC or tail.type in _GENERIC or head.type == tail.type):
        return
    prio = priorities()
    head.type = min((head.type, tail.type), key=lambda t: prio[t])
    head.place, head.admin1, head.geonameid = tail.place, tail.admin1, tail.geonameid
    head.latitude, head.longitude = tail.latitude, tail.longitude
    head.location_precision = tail.location_precision
    head.fatalities = head.fatalities if head.fatalities is not None else tail.fatalities
    head.actors = list(dict.fromkeys(head.actors + tail.actors))
    head.actor_ids = list(dict.fromkeys(head.actor_ids + tail.actor_ids))
    head.evidence_end = tail.evidence_end
    head.confidence = round(min(0.99, max(head.confidence, tail.confidence) + 0.05), 3)
    head.notes.append("place from the next sentence")
    tail.type = "_merged"


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
    span_folded = fold_span(text, sent.start, sent.end)
    figure = fatalities(span, lang, span_folded)
    if figure is None:
        return
    ev.fatalities = figure
    ev.evidence_end = sent.end
    ev.evidence = text[
        ev.evidence_start if ev.evidence_start is not None else before.start : sent.end
    ]
    ev.confidence = round(min(0.99, ev.confidence + 0.05), 3)
    ev.notes.append("death toll from the next sentence")
    _retype(ev, victim_kinds(span, lang, span_folded))


_ATTACK_TYPES = {"attack_on_civilians", "ied", "airstrike", "drone_strike", "ambush"}


def _undated_in_text(ev: CandidateEvent) -> bool:
    return any(n.startswith(("date carried over", "no date in the text")) for n in ev.notes)


def _fold_undated(events: list[CandidateEvent]) -> None:
    """A death toll told later without a date of its own ("des sources font état de deux
    civils tués à Mondoro") belongs to the last dated event at that place, if any:
    the event takes the figure it lacked, and the toll is no event of its own."""
    last: dict[str, CandidateEvent] = {}
    for ev in events:
        if ev.place is None:
            continue
        earlier = last.get(ev.place)
        if (
            earlier is not None
            and _undated_in_text(ev)
            and ev.fatalities is not None
            and ev.type in ("attack_on_civilians", "clash")
            and ev.trigger is not None
            and _KILL_ONLY.search(deaccent(ev.trigger))
        ):
            if earlier.fatalities is None:
                earlier.fatalities = ev.fatalities
                earlier.notes.append("death toll from a later sentence")
            ev.type = "_merged"
            continue
        if not _undated_in_text(ev):
            last[ev.place] = ev
    events[:] = [e for e in events if e.type != "_merged"]


_KILL_ONLY = re.compile(r"\b(?:tue|tues|tuee|tuees|killed|dead|morts)\b")


def _merge(events: list[CandidateEvent]) -> list[CandidateEvent]:
    """One event per (type, date, place) in a document: keep the most confident.

    An event whose date was carried over (or is the publication date) is the same as an
    event of its type and place with a date of its own; a "clash" on the day and at the
    place of a more specific attack (a massacre, a bombing, an ambush) is that attack.
    """
    _fold_undated(events)
    dated = {(e.type, e.place) for e in events if e.place and e.date and not _undated_in_text(e)}
    specific = {(e.date, e.place) for e in events if e.place and e.type in _ATTACK_TYPES}
    attacked = {p for _, p in specific}
    kept = []
    for ev in events:
        if ev.place and _undated_in_text(ev) and (ev.type, ev.place) in dated:
            continue
        if ev.type == "clash" and ev.place and (ev.date, ev.place) in specific:
            continue
        if ev.type == "clash" and _undated_in_text(ev) and ev.place in attacked:
            continue
        kept.append(ev)
    best: dict[tuple[object, ...], CandidateEvent] = {}
    order: list[tuple[object, ...]] = []
    for ev in kept:
        key = (ev.type, ev.date, ev.place, ev.admin1) if (ev.date or ev.place) else (id(ev),)
        if key not in best:
            best[key] = ev
            order.append(key)
        else:
            kept_ev = best[key]
            if ev.confidence > kept_ev.confidence:
                ev.actors = list(dict.fromkeys(kept_ev.actors + ev.actors))
                ev.actor_ids = list(dict.fromkeys(kept_ev.actor_ids + ev.actor_ids))
                best[key] = ev
            else:
                kept_ev.actors = list(dict.fromkeys(kept_ev.actors + ev.actors))
                kept_ev.actor_ids = list(dict.fromkeys(kept_ev.actor_ids + ev.actor_ids))
    return [best[k] for k in order]
