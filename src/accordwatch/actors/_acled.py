"""ACLED's actor names, read and resolved through the registry.

ACLED writes an actor as ``"ACRONYM: Full name"`` ("JNIM: Group for Support of Islam and
Muslims"), with the country of a generic or communal actor in brackets ("Civilians (Mali)",
"Fulani Ethnic Militia (Mali)"), and a state's forces with the period of the government they
served ("Military Forces of Mali (2021-)", "Police Forces of Mali (2021-)").  The curated
layer lists the names ACLED uses for the actors of northern Mali as aliases (dated where the
name carries a period); :func:`resolve_acled` tries the name as written first, then its
parts: the acronym, the full name, the name without its brackets (with the bracketed
country as context), and a state's "Military
Forces"/"Police Forces"/"Government" as its government.

>>> from accordwatch.actors import ActorRegistry
>>> reg = ActorRegistry.default()
>>> split_acled_name("Military Forces of Mali (2021-)")
AcledName(name='Military Forces of Mali', acronym=None, full='Military Forces of Mali', \
country=None, start=2021, end=None)
>>> resolve_acled(reg, "Military Forces of Mali (2021-)").name
'Government of Mali'
>>> resolve_acled(reg, "IS Sahel: Islamic State (Sahel)").actor_id
'is-sahel'
>>> resolve_acled(reg, "Unidentified Armed Group (Mali)") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accordwatch.actors._model import Actor, When, parse_when
from accordwatch.actors.registry import ActorRegistry

__all__ = ["AcledName", "resolve_acled", "split_acled_name"]

_PERIOD = re.compile(r"^(?P<name>.*?)\s*\((?P<start>\d{4})\s*-\s*(?P<end>\d{4})?\)\s*$")
_BRACKET = re.compile(r"^(?P<name>.*?)\s*\((?P<inside>[^()]+)\)\s*$")
_ACRONYM = re.compile(r"^(?P<acronym>[^:]{1,24}?):\s+(?P<full>.+)$")
_STATE = re.compile(
    r"^(?:Military|Police|Armed|Security|Gendarmerie|Naval|Air)\s+Forces?\s+of\s+(?P<state>.+)$"
    r"|^Government\s+of\s+(?P<gov>.+)$",
    re.IGNORECASE,
)
#: ACLED's actors that name no one in particular (resolve to None)
_NOBODY = re.compile(r"^(unidentified|unknown)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AcledName:
    """The parts of an ACLED actor name: ``name`` without a period or bracketed country,
    ``acronym`` and ``full`` around its colon (``full`` is ``name`` without one),
    the bracketed ``country`` and the government period's years (``end`` None: open)."""

    name: str
    acronym: str | None
    full: str
    country: str | None
    start: int | None
    end: int | None


def split_acled_name(text: str) -> AcledName:
    """The parts of an ACLED actor name (see :class:`AcledName`).

    >>> split_acled_name("Civilians (Mali)").country
    'Mali'
    >>> split_acled_name("JNIM: Group for Support of Islam and Muslims").acronym
    'JNIM'
    """
    name = " ".join(text.split())
    start = end = None
    country = None
    m = _PERIOD.match(name)
    if m:
        name, start = m["name"], int(m["start"])
        end = int(m["end"]) if m["end"] else None
    else:
        b = _BRACKET.match(name)
        if b and not any(ch.isdigit() for ch in b["inside"]):
            name, country = b["name"], b["inside"].strip()
    a = _ACRONYM.match(name)
    acronym, full = (a["acronym"].strip(), a["full"].strip()) if a else (None, name)
    if full != name and _PERIOD.match(full):  # "MINUSMA: … in Mali (2013-2023)"
        p = _PERIOD.match(full)
        assert p is not None
        full = p["name"]
        start = start or int(p["start"])
        end = end or (int(p["end"]) if p["end"] else None)
    return AcledName(name, acronym, full, country, start, end)


def resolve_acled(
    registry: ActorRegistry, text: str, *, on: When | None = None, country: str | None = None
) -> Actor | None:
    """The registry's actor an ACLED actor name stands for, or None (an unidentified group,
    a name the registry does not know).  ``on`` (the event's date) picks the actor valid
    then along a lineage (a name's government period only dates its alias)."""
    text = " ".join(text.split())
    if not text:
        return None
    parts = split_acled_name(text)
    day = parse_when(on, end=False) if on is not None else None
    context = country or parts.country
    found = registry.find(text, on=day, country=context)
    if found is not None:
        return found
    if _NOBODY.match(parts.full):
        return None
    for candidate in (parts.acronym, parts.full, parts.name):
        if candidate:
            found = registry.find(candidate, on=day, country=context)
            if found is not None:
                return found
    state = _STATE.match(parts.full)
    if state:
        where = (state["state"] or state["gov"]).strip()
        return registry.find(f"Government of {where}", on=day, country=where)
    return None
