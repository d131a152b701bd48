"""From a provision's words to things events can be matched on: parties → UCDP actor ids
and names (through the actor registry), places → coordinates (through the gazetteer).

>>> ids, names, unknown = resolve_parties(["CMA", "Government of Mali", "Carter Center"])
>>> sorted(ids), unknown
([72, 1158], ['Carter Center'])
>>> [p[0] for p in resolve_places(["Kidal", "Ber"])[0]]
['Kidal', 'Ber']

Events from sources without UCDP ids (accepted news events, ACLED) name their actors in
``side_a``/``side_b``/``actors``; :func:`party_actors` and :func:`signatory_actors` give the
registry actors a party stands for, and :func:`stored_names` the names written in the store
that the registry resolves to one of them.

>>> actors, _ = party_actors(["CMA"], lineage=True)
>>> sorted(actors)
['csp', 'ucdp:1158', 'ucdp:8822']
>>> names = pd.DataFrame({"name": ["Coordination des Mouvements de l'Azawad", "JNIM"],
...                       "country": ["Mali", "Mali"]})
>>> stored_names(actors, names)
{"coordination des mouvements de l'azawad": 'CMA'}
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ..actors import ActorRegistry

__all__ = [
    "classify_violations",
    "party_actors",
    "resolve_parties",
    "resolve_places",
    "signatory_actors",
    "stored_names",
]


def resolve_parties(
    parties: Iterable[str], *, lineage: bool = False
) -> tuple[set[int], set[str], list[str]]:
    """(UCDP actor ids, lower-case names, names the registry does not know) for party names.

    With ``lineage=True`` predecessors and successors count too (CMA → CSP → FLA).
    """
    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    ids: set[int] = set()
    names: set[str] = set()
    unknown: list[str] = []
    for party in parties:
        if reg.find(party) is None:
            unknown.append(party)
            continue
        ids |= set(reg.ucdp_ids(party, lineage=lineage))
        names |= {n.lower() for n in reg.names(party, lineage=lineage)}
    return ids, names, unknown


def _lineage(reg: ActorRegistry, actor_id: str) -> list[str]:
    """The actor and every predecessor and successor, by registry id."""
    seen: list[str] = []
    stack = [actor_id]
    while stack:
        aid = stack.pop()
        if aid in seen or aid not in reg:
            continue
        seen.append(aid)
        actor = reg.get(aid)
        stack.extend([*actor.predecessors, *actor.successors])
    return seen


def _claim(
    out: dict[str, str], reg: ActorRegistry, actor_id: str, party: str, lineage: bool
) -> None:
    out[actor_id] = party  # the party's own actor wins over another party's lineage
    for other in _lineage(reg, actor_id) if lineage else []:
        out.setdefault(other, party)


def party_actors(
    parties: Iterable[str], *, lineage: bool = False
) -> tuple[dict[str, str], list[str]]:
    """(registry actor id → the party name it stands for, names the registry does not know).

    With ``lineage=True`` predecessors and successors stand for the party too.
    """
    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    out: dict[str, str] = {}
    unknown: list[str] = []
    for party in parties:
        found = reg.find(party)
        if found is None:
            unknown.append(party)
        else:
            _claim(out, reg, found.actor_id, party, lineage)
    return out, unknown


def signatory_actors(
    parties: pd.DataFrame, *, lineage: bool = True
) -> tuple[dict[int, str], dict[str, str]]:
    """(UCDP actor id → party name, registry actor id → party name) for an agreement's
    warring and signatory parties (``parties``: name, role, ucdp_actor_id, actor_id).

    A party is found in the actor registry by its registry id, its UCDP id or its name
    (parties UCDP gives no actor id, such as the Platform, count too); with ``lineage``
    its predecessors and successors stand for it (CMA → CSP → FLA).
    """
    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    ids: dict[int, str] = {}
    actors: dict[str, str] = {}
    for rec in parties[parties.role != "third-party"].to_dict(orient="records"):
        name = str(rec["name"])
        uid = rec.get("ucdp_actor_id")
        if uid is not None and pd.notna(uid):
            ids[int(uid)] = name
        found = None
        if rec.get("actor_id") is not None and pd.notna(rec.get("actor_id")):
            found = reg.get(str(rec["actor_id"])) if str(rec["actor_id"]) in reg else None
        if found is None and uid is not None and pd.notna(uid):
            found = reg.find(int(uid))
        if found is None:
            found = reg.find(name)
        if found is not None:
            _claim(actors, reg, found.actor_id, name, lineage)
    for aid, party in actors.items():
        for uid in reg.get(aid).ucdp_ids:
            ids.setdefault(int(uid), party)
    return ids, actors


def stored_names(actors: Mapping[str, str], names: pd.DataFrame) -> dict[str, str]:
    """Lower-case stored actor name → party, for the names (``names``: name, country, as
    :meth:`~accordwatch.store.Store.event_actor_names` returns them) that the registry
    resolves, in the event's country, to one of ``actors`` (registry id → party)."""
    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    out: dict[str, str] = {}
    for name, country in zip(names["name"], names["country"], strict=True):
        ctx = str(country) if country is not None and pd.notna(country) else None
        try:
            found = reg.candidates(str(name), country=ctx)
        except (ValueError, TypeError):
            continue
        if found and found[0].actor_id in actors:
            out.setdefault(str(name).lower(), actors[found[0].actor_id])
    return out


def resolve_places(places: Iterable[str]) -> tuple[list[tuple[str, float, float]], list[str]]:
    """((name, latitude, longitude) for point-like places, names not usable as points).

    Areas (regions such as Taoudénit) and unknown names are returned in the second list:
    a radius around a region's centre would not mean "at the place".
    """
    from ..geo import Gazetteer

    gaz = Gazetteer.default()
    points: list[tuple[str, float, float]] = []
    skipped: list[str] = []
    for name in places:
        found = gaz.lookup(name)
        best = found[0] if found else None
        if best is None or best.precision == "area":
            skipped.append(name)
            continue
        points.append((name, float(best.latitude), float(best.longitude)))
    return points, skipped


def classify_violations(
    events: pd.DataFrame,
    signatory_ids: Mapping[int, str],
    *,
    names: Mapping[str, str] | None = None,
    terminated: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Label events involving signatories after signature.

    ``signatory_ids`` maps UCDP actor ids to the signatory they stand for (a successor such
    as the FLA maps to the CMA); ``names`` maps lower-case actor names as stored (news and
    ACLED events carry names, not ids; see :func:`stored_names`) to the signatory.  A side
    is its UCDP id's signatory, else its name's; an event whose sides name no signatory
    takes the first signatory named in its ``actors`` list as ``signatory_a``.
    ``relation`` is ``between signatories`` when the two sides are different signatories,
    ``signatory vs civilians`` for one-sided violence, else ``signatory vs other``.
    ``after_termination`` marks events after the agreement was declared ended.
    """
    if events.empty:
        return events.assign(
            signatory_a=pd.Series(dtype=object),
            signatory_b=pd.Series(dtype=object),
            relation=pd.Series(dtype=object),
            after_termination=pd.Series(dtype=bool),
        )
    by_name = {k.lower(): v for k, v in (names or {}).items()}

    def side(uid: Any, name: object) -> str | None:
        if isinstance(uid, numbers.Real) and uid == uid:
            found = signatory_ids.get(int(float(uid)))
            if found is not None:
                return found
        if isinstance(name, str):
            return by_name.get(name.strip().lower())
        return None

    a: list[Any] = [side(u, n) for u, n in zip(events.side_a_new_id, events.side_a, strict=True)]
    b: list[Any] = [side(u, n) for u, n in zip(events.side_b_new_id, events.side_b, strict=True)]
    listed = events["actors"] if "actors" in events else [None] * len(events)
    for i, more in enumerate(listed):
        if a[i] is None and b[i] is None and isinstance(more, str):
            named = [by_name.get(x.strip().lower()) for x in more.split(";")]
            a[i] = next((x for x in named if x is not None), None)
    relation = []
    for sa, sb, tov in zip(a, b, events.type_of_violence, strict=True):
        if isinstance(sa, str) and isinstance(sb, str) and sa != sb:
            relation.append("between signatories")
        elif pd.notna(tov) and int(tov) == 3:
            relation.append("signatory vs civilians")
        else:
            relation.append("signatory vs other")
    after = (pd.to_datetime(events.date_start) > terminated) if terminated is not None else False
    return events.assign(signatory_a=a, signatory_b=b, relation=relation, after_termination=after)
