"""From a provision's words to things events can be matched on: parties → UCDP actor ids
and names (through the actor registry), places → coordinates (through the gazetteer).

>>> ids, names, unknown = resolve_parties(["CMA", "Government of Mali", "Carter Center"])
>>> sorted(ids), unknown
([72, 1158], ['Carter Center'])
>>> [p[0] for p in resolve_places(["Kidal", "Ber"])[0]]
['Kidal', 'Ber']
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["classify_violations", "resolve_parties", "resolve_places"]


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
    signatory_ids: dict[int, str],
    *,
    terminated: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Label events involving signatories after signature.

    ``signatory_ids`` maps UCDP actor ids to the signatory they stand for (a successor such
    as the FLA maps to the CMA).  ``relation`` is ``between signatories`` when both sides are
    signatories, ``signatory vs civilians`` for one-sided violence, else ``signatory vs other``.
    ``after_termination`` marks events after the agreement was declared ended.
    """
    if events.empty:
        return events.assign(
            signatory_a=pd.Series(dtype=object),
            signatory_b=pd.Series(dtype=object),
            relation=pd.Series(dtype=object),
            after_termination=pd.Series(dtype=bool),
        )
    a = events.side_a_new_id.map(lambda v: signatory_ids.get(int(v)) if pd.notna(v) else None)
    b = events.side_b_new_id.map(lambda v: signatory_ids.get(int(v)) if pd.notna(v) else None)
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
