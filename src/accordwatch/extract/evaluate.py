"""Scoring extracted events against a gold annotation.

Gold format (JSON): ``{"published": "YYYY-MM-DD"?, "events": [{"date", "place",
"admin1", "actors", "type", "fatalities", "evidence", "optional"}], "places_mentioned":
[...], "actors_mentioned": [...]}``.

A predicted event **matches** a gold one when

* the date agrees to the gold's precision (gold ``2023-08`` matches a predicted
  ``2023-08-14`` or ``2023-08``, not ``2023``); a null gold date matches any date;
* the place agrees: same name after folding, or the same gazetteer place (so
  "Tombouctou" matches "Timbuktu"); a null gold place matches any place;
* the type is the same.

Matching is one-to-one (maximum bipartite matching).  Core scores use the non-optional
gold events: a prediction that matches only an optional (background or borderline)
gold event counts neither for nor against.  Mention recall: the share of gold places
(and actors) found among the predicted mentions — places compared by gazetteer place,
actors by registry actor (so "junta" and "Malian army" are both the Government of Mali),
falling back to folded names.

>>> gold = {"events": [{"date": "2023-08", "place": "Ber", "type": "clash", "optional": False}],
...         "places_mentioned": ["Tombouctou"], "actors_mentioned": ["FAMa"]}
>>> pred = {"events": [{"date": "2023-08-14", "place": "Ber", "type": "clash"}],
...         "places_mentioned": ["Timbuktu"], "actors_mentioned": ["Government of Mali"]}
>>> s = score(gold, pred)
>>> s["core"]["f1"], s["places"]["recall"], s["actors"]["recall"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from accordwatch._text import decode_text
from accordwatch.errors import InputError, NotFound
from accordwatch.geo._text import compact

__all__ = ["date_matches", "load_gold", "place_matches", "score"]


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


def date_matches(gold: str | None, pred: str | None) -> bool:
    """True when ``pred`` agrees with ``gold`` to the gold's precision.

    >>> date_matches("2023-08", "2023-08-14"), date_matches("2023-08", "2023")
    (True, False)
    >>> date_matches(None, None)
    True
    """
    if not gold:
        return True
    if not pred:
        return False
    return str(pred).startswith(str(gold)) and len(str(pred)) >= len(str(gold))


def _place_key(name: str) -> set[str]:
    from accordwatch.geo import Gazetteer

    keys = {compact(name)}
    try:
        for p in Gazetteer.default().lookup(name, limit=1):
            keys.add(f"gn:{p.geonameid}")
    except InputError:
        pass
    return keys


def place_matches(gold: str | None, pred: str | None) -> bool:
    """Same place: folded names or gazetteer ids agree; a null gold place matches anything.

    >>> place_matches("Tombouctou", "Timbuktu"), place_matches("Ber", "Gao")
    (True, False)
    """
    if not gold:
        return True
    if not pred:
        return False
    return bool(_place_key(gold) & _place_key(pred))


def _event_match(g: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    return (
        g.get("type") == p.get("type")
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


def _mention_recall(
    gold: Sequence[Any], pred: Sequence[Any], key: Callable[[str], set[str]]
) -> dict[str, Any]:
    gold_names = _names(gold)
    pred_keys = [key(n) for n in _names(pred)]
    found = [g for g in gold_names if any(key(g) & k for k in pred_keys)]
    missed = [g for g in gold_names if g not in found]
    recall = len(found) / len(gold_names) if gold_names else 1.0
    return {"recall": round(recall, 4), "found": found, "missed": missed, "gold": len(gold_names)}


def _actor_key(name: str) -> set[str]:
    from accordwatch.actors import ActorRegistry

    keys = {compact(name)}
    actor = ActorRegistry.default().find(name, country="Mali")
    if actor is None:
        from accordwatch.extract._actors import ActorFinder

        hits = ActorFinder.default().find(name, country="Mali")
        if len(hits) == 1 and hits[0].end - hits[0].start >= len(name.strip()) - 1:
            keys.add(f"actor:{hits[0].actor_id}")
    else:
        keys.add(f"actor:{actor.actor_id}")
    return keys


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
        "places": _mention_recall(
            gold.get("places_mentioned", []), predicted.get("places_mentioned", []), _place_key
        ),
        "actors": _mention_recall(
            gold.get("actors_mentioned", []), predicted.get("actors_mentioned", []), _actor_key
        ),
        "events": details,
        "false_positives": unmatched,
    }


def _fatality_agreement(
    core: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]], matches: Mapping[int, int]
) -> dict[str, Any]:
    """Among matched core events whose gold gives ``fatalities`` (a number or null),
    the share whose predicted figure is the same (null agrees with null)."""
    pairs = [(core[gi], pred[pi]) for gi, pi in matches.items() if "fatalities" in core[gi]]
    same = sum(1 for g, p in pairs if g.get("fatalities") == p.get("fatalities"))
    return {
        "accuracy": round(same / len(pairs), 4) if pairs else None,
        "same": same,
        "compared": len(pairs),
    }


def _brief(ev: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ev.get(k) for k in ("date", "place", "type")}
