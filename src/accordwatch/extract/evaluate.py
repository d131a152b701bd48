"""Scoring extracted events against a gold annotation.

Gold format (JSON): ``{"published": "YYYY-MM-DD"?, "events": [{"date", "place",
"admin1", "actors", "type", "fatalities", "evidence", "optional"}], "places_mentioned":
[...], "actors_mentioned": [...]}``.

A predicted event **matches** a gold one when (as the project's dev-set scorer does)

* the type agrees, with ``clash``~``ambush`` and ``airstrike``~``drone_strike`` grouped;
* the date agrees to the gold's precision: a day-precision gold date matches a predicted
  day at most two days away; gold ``2023-08`` matches ``2023-08-14`` or ``2023-08``, not
  ``2023``; a null gold date matches any date;
* the place agrees: similar folded names (one inside the other, or a close spelling),
  or the same gazetteer place ("Tombouctou" = "Timbuktu"), a gold parenthetical
  ("Kidal (région)") left out; a null gold place matches any place.

Matching is one-to-one (maximum bipartite matching).  Core scores use the non-optional
gold events: a prediction that matches only an optional (background or borderline)
gold event counts neither for nor against.  Mention recall: the share of gold places
(and actors) found among the predicted mentions and event attributes — places by name
or gazetteer place, actors by registry entity: each gold entry's alternatives
("FAMa / armée malienne", "CMA (Coordination …)") are resolved with the registry and
compared by actor id with the predicted actors (``actors``), also through the actor's
lineage (CMA → CSP) (``actors_lineage``), else by a close spelling of an alias;
``actors_known`` counts only gold actors the registry can resolve.  Fatalities: on
matched core events, the share whose figure is the gold one (null agrees with null),
and the same among gold events with a number (``numeric_accuracy``).

>>> gold = {"events": [{"date": "2023-08", "place": "Ber", "type": "clash", "optional": False}],
...         "places_mentioned": ["Tombouctou"], "actors_mentioned": ["FAMa"]}
>>> pred = {"events": [{"date": "2023-08-14", "place": "Ber", "type": "clash"}],
...         "places_mentioned": ["Timbuktu"], "actors_mentioned": ["Government of Mali"]}
>>> s = score(gold, pred)
>>> s["core"]["f1"], s["places"]["recall"], s["actors"]["recall"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from accordwatch._text import decode_text
from accordwatch.errors import InputError, NotFound
from accordwatch.geo._text import compact

__all__ = [
    "TYPE_GROUPS",
    "actor_alternatives",
    "date_matches",
    "load_gold",
    "place_matches",
    "score",
    "type_matches",
]

TYPE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"clash", "ambush"}),
    frozenset({"airstrike", "drone_strike"}),
)


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read and check a gold file; raises InputError naming the bad field."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a folder; give the gold JSON annotation file")
    if not p.is_file():
        raise NotFound(f"no gold file {p}; give the JSON annotation file (see docs/extract.md)")
    try:
        doc = json.loads(decode_text(p.read_bytes(), str(p)))
    except json.JSONDecodeError as exc:
        raise InputError(f"{p} is not JSON ({exc}); the gold file is a JSON object") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise InputError(f"{p}: the gold file needs an 'events' list")
    for i, ev in enumerate(doc["events"]):
        if not isinstance(ev, dict) or not isinstance(ev.get("type"), str):
            raise InputError(f"{p}: event {i} needs a 'type' (clash, airstrike, …)")
    return doc


def type_matches(gold: str | None, pred: str | None) -> bool:
    """Same event type, or both in one of :data:`TYPE_GROUPS`.

    >>> type_matches("ambush", "clash"), type_matches("clash", "airstrike")
    (True, False)
    """
    return gold == pred or any(gold in g and pred in g for g in TYPE_GROUPS)


def date_matches(gold: str | None, pred: str | None) -> bool:
    """True when ``pred`` agrees with ``gold`` to the gold's precision (a day: ±2 days).

    >>> date_matches("2023-08", "2023-08-14"), date_matches("2023-08", "2023")
    (True, False)
    >>> date_matches("2023-08-14", "2023-08-12"), date_matches("2023-08-14", "2023-08")
    (True, False)
    >>> date_matches(None, None)
    True
    """
    if not gold:
        return True
    if not pred:
        return False
    g, p = str(gold), str(pred)
    if len(g) == 10:
        try:
            return abs((dt.date.fromisoformat(p[:10]) - dt.date.fromisoformat(g)).days) <= 2
        except ValueError:
            return False
    return p.startswith(g)


def _strip_paren(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def _similar_names(a: str, b: str) -> bool:
    ca, cb = compact(a), compact(b)
    if not ca or not cb:
        return False
    return ca in cb or cb in ca or difflib.SequenceMatcher(None, ca, cb).ratio() >= 0.75


def _place_ids(name: str) -> set[int]:
    from accordwatch.geo import Gazetteer

    try:
        return {p.geonameid for p in Gazetteer.default().lookup(name, limit=1)}
    except InputError:
        return set()


def place_matches(gold: str | None, pred: str | None) -> bool:
    """Same place: similar folded names or the same gazetteer place; a null gold place
    matches anything.

    >>> place_matches("Tombouctou", "Timbuktu"), place_matches("Ber", "Gao")
    (True, False)
    >>> place_matches("Kidal (région)", "Kidal")
    True
    """
    if not gold:
        return True
    if not pred:
        return False
    bare = _strip_paren(gold)
    if _similar_names(pred, gold) or _similar_names(pred, bare):
        return True
    return bool(_place_ids(pred) & (_place_ids(bare) | _place_ids(gold)))


def _event_match(g: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    return (
        type_matches(g.get("type"), p.get("type"))
        and date_matches(g.get("date"), p.get("date"))
        and place_matches(g.get("place"), p.get("place"))
    )


def _matching(
    gold: Sequence[Mapping[str, Any]],
    pred: Sequence[Mapping[str, Any]],
    ok: Callable[[Mapping[str, Any], Mapping[str, Any]], bool],
) -> dict[int, int]:
    """Maximum one-to-one matching gold index → predicted index (augmenting paths)."""
    edges = {gi: [pi for pi, p in enumerate(pred) if ok(g, p)] for gi, g in enumerate(gold)}
    owner: dict[int, int] = {}

    def augment(gi: int, seen: set[int]) -> bool:
        for pi in edges[gi]:
            if pi in seen:
                continue
            seen.add(pi)
            if pi not in owner or augment(owner[pi], seen):
                owner[pi] = gi
                return True
        return False

    for gi in edges:
        augment(gi, set())
    return {gi: pi for pi, gi in owner.items()}


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "predicted": n_pred,
        "gold": n_gold,
    }


def _names(items: Sequence[Any]) -> list[str]:
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(it)
        elif isinstance(it, Mapping) and it.get("name"):
            out.append(str(it["name"]))
    return out


def _place_recall(gold: Sequence[Any], pred: Sequence[str]) -> dict[str, Any]:
    names = _names(gold)
    found = [g for g in names if any(place_matches(g, x) for x in pred)]
    missed = [g for g in names if g not in found]
    recall = len(found) / len(names) if names else 1.0
    return {"recall": round(recall, 4), "found": found, "missed": missed, "gold": len(names)}


_DETERMINER = re.compile(r"^(?:the|a|an|les?|la|l'|l’|des|du|de)\s*", re.IGNORECASE)


def actor_alternatives(entry: str) -> list[str]:
    """The names a gold actor entry offers: ``"A / B"`` → both; ``"CMA (Coordination …)"``
    → both; a lower-case gloss in parentheses is dropped.

    >>> actor_alternatives("FAMa / armée malienne")
    ['FAMa', 'armée malienne']
    >>> actor_alternatives("Wagner (groupe paramilitaire russe)")
    ['Wagner']
    """
    out: list[str] = []
    for piece in re.split(r"\s*/\s*", entry or ""):
        piece = piece.strip().strip("'\"*")
        if not piece:
            continue
        outside = _strip_paren(piece).strip().strip("'\"")
        if outside and not outside.startswith("("):
            out.append(outside)
        for inner in re.findall(r"\(([^)]*)\)", piece):
            inner = inner.strip()
            if inner and inner[0].isupper():
                out.append(inner)
    return list(dict.fromkeys(out)) or [entry]


def _resolve_actor(name: str, *, mention: bool) -> str | None:
    """Registry actor id of a name (``mention``: also a mention covering half of it)."""
    from accordwatch.actors import ActorRegistry

    reg = ActorRegistry.default()
    cands = [name]
    if name[:1].islower() and not _DETERMINER.match(name):
        cands.append("the " + name)
    for c in cands:
        try:
            actor = reg.find(c, country="Mali")
        except InputError:
            actor = None
        if actor is not None:
            return actor.actor_id
    if not mention:
        return None
    from accordwatch.extract._actors import ActorFinder

    core = _DETERMINER.sub("", name).strip()
    hits = ActorFinder.default().find(name, country="Mali")
    best = max(hits, key=lambda h: h.end - h.start, default=None)
    if best is not None and best.end - best.start >= 0.5 * max(1, len(core)):
        return best.actor_id
    return None


def _lineage(actor_id: str) -> set[str]:
    from accordwatch.actors import ActorRegistry

    reg = ActorRegistry.default()
    try:
        return {a.actor_id for a in reg.lineage(reg.get(actor_id).name)}
    except (InputError, NotFound, KeyError):
        return {actor_id}


def _aliases(actor_id: str) -> set[str]:
    from accordwatch.actors import ActorRegistry

    reg = ActorRegistry.default()
    try:
        return set(reg.names(reg.get(actor_id).name))
    except (InputError, NotFound, KeyError):
        return set()


def _similar_actor(gold: str, pred: str) -> bool:
    """Close spelling (ratio ≥ 0.85), or the shorter name's words inside the longer one
    (at least 4 letters; a shorter predicted name must cover half the gold name)."""
    cg, cp = compact(gold), compact(pred)
    if not cg or not cp:
        return False
    if cg == cp or difflib.SequenceMatcher(None, cg, cp).ratio() >= 0.85:
        return True
    tg, tp = (
        re.findall(r"[a-z0-9]+", _fold_words(gold)),
        re.findall(r"[a-z0-9]+", _fold_words(pred)),
    )
    if len(cg) <= len(cp):
        short, long_ = tg, tp
    else:
        short, long_ = tp, tg
        if len(cp) < 0.5 * len(cg):
            return False
    if not short or len("".join(short)) < 4:
        return False
    n = len(short)
    return any(long_[i : i + n] == short for i in range(len(long_) - n + 1))


def _fold_words(name: str) -> str:
    """Lower-case, accent-free ``name`` with its word breaks kept."""
    from accordwatch.extract._lexicon import deaccent

    return deaccent(name)


def _actor_recall(
    gold: Sequence[Any], pred_names: Sequence[str], pred_ids: Sequence[str]
) -> dict[str, Any]:
    ids = set(pred_ids) | {i for n in pred_names if (i := _resolve_actor(n, mention=False))}
    lineage = set().union(*(_lineage(i) for i in ids)) if ids else set()
    aliases = set(pred_names).union(*(_aliases(i) for i in ids)) if ids else set(pred_names)
    rows = []
    for entry in _names(gold):
        alts = actor_alternatives(entry)
        res = [r for r in (_resolve_actor(a, mention=True) for a in alts) if r]
        if any(r in ids for r in res):
            how = "id"
        elif any(_similar_actor(a, x) for a in alts for x in aliases):
            how = "string"
        elif any(r in lineage or _lineage(r) & ids for r in res):
            how = "lineage"
        else:
            how = None
        rows.append((entry, how, bool(res)))
    n = len(rows)
    strict = [e for e, how, _ in rows if how in ("id", "string")]
    lenient = [e for e, how, _ in rows if how]
    known = [(e, how) for e, how, k in rows if k]
    known_found = [e for e, how in known if how in ("id", "string")]
    return {
        "recall": round(len(strict) / n, 4) if n else 1.0,
        "recall_lineage": round(len(lenient) / n, 4) if n else 1.0,
        "recall_known": round(len(known_found) / len(known), 4) if known else 1.0,
        "found": strict,
        "missed": [e for e, how, _ in rows if how not in ("id", "string")],
        "gold": n,
        "known": len(known),
        "known_found": len(known_found),
        "lineage_found": len(lenient),
    }


def score(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> dict[str, Any]:
    """Precision, recall and F1 of events (core and all), mention recall, and the
    agreement of death figures on matched core events (``fatalities``).

    ``predicted`` is the JSON object :func:`accordwatch.extract.extract_path` gives
    (``ExtractionResult.to_dict()``).
    """
    g_events = list(gold.get("events", []))
    p_events = list(predicted.get("events", []))
    core = [g for g in g_events if not g.get("optional")]
    optional = [g for g in g_events if g.get("optional")]
    m_core = _matching(core, p_events, _event_match)
    used = set(m_core.values())
    rest = [p for i, p in enumerate(p_events) if i not in used]
    rest_idx = [i for i in range(len(p_events)) if i not in used]
    m_opt = _matching(optional, rest, _event_match)
    ignored = {rest_idx[pi] for pi in m_opt.values()}
    m_all = _matching(g_events, p_events, _event_match)
    details = []
    for gi, g in enumerate(core):
        details.append(
            {
                "gold": _brief(g),
                "optional": False,
                "matched": _brief(p_events[m_core[gi]]) if gi in m_core else None,
            }
        )
    for gi, g in enumerate(optional):
        details.append(
            {
                "gold": _brief(g),
                "optional": True,
                "matched": _brief(rest[m_opt[gi]]) if gi in m_opt else None,
            }
        )
    unmatched = [_brief(p) for i, p in enumerate(p_events) if i not in used and i not in ignored]
    return {
        "fatalities": _fatality_agreement(core, p_events, m_core),
        "core": _prf(len(m_core), len(p_events) - len(ignored), len(core)),
        "all": _prf(len(m_all), len(p_events), len(g_events)),
        "places": _place_recall(
            gold.get("places_mentioned", []),
            _names(predicted.get("places_mentioned", []))
            + [str(p["place"]) for p in p_events if p.get("place")],
        ),
        "actors": _actor_recall(
            gold.get("actors_mentioned", []),
            _names(predicted.get("actors_mentioned", []))
            + [str(a) for p in p_events for a in p.get("actors") or []],
            [str(a) for p in p_events for a in p.get("actor_ids") or []],
        ),
        "events": details,
        "false_positives": unmatched,
    }


def _fatality_agreement(
    core: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]], matches: Mapping[int, int]
) -> dict[str, Any]:
    """Among matched core events, the share whose predicted figure is the gold one (a
    missing figure is null; null agrees with null), and the same among gold numbers."""
    pairs = [(core[gi], pred[pi]) for gi, pi in matches.items()]
    same = sum(1 for g, p in pairs if g.get("fatalities") == p.get("fatalities"))
    nums = [(g, p) for g, p in pairs if g.get("fatalities") is not None]
    num_same = sum(1 for g, p in nums if g.get("fatalities") == p.get("fatalities"))
    return {
        "accuracy": round(same / len(pairs), 4) if pairs else None,
        "same": same,
        "compared": len(pairs),
        "numeric_accuracy": round(num_same / len(nums), 4) if nums else None,
        "numeric_same": num_same,
        "numeric_compared": len(nums),
    }


def _brief(ev: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ev.get(k) for k in ("date", "place", "type")}
