"""One incident, several sources: linking the records of UCDP GED, ACLED and accepted news
events that report the same incident, explaining each link, and letting an analyst undo it.

The rules (each a pure function here; the store's blocked join applies the same ones in SQL,
:meth:`~accordwatch.store.Store.incident_candidates`):

* **date** — the records' date ranges (``date_start``–``date_end``: a record dated to a month
  spans the month) are at most :data:`DEFAULTS` ``.window_days`` apart; a range longer than
  ``max_span_days`` is too vague to link automatically;
* **place** — the great-circle distance is at most ``base_km`` plus each record's uncertainty
  radius, from its GED location precision ``where_prec`` (exact 0 km, within 25 km, admin-2
  50 km, admin-1 150 km, near a linear feature 50 km; country-level or at sea: not linked);
* **actors** — compared through the actor registry: the same entity, or the same lineage
  (predecessors and successors: MUJAO → al-Mourabitoun → JNIM); a record without any actor
  the registry knows matches only the same day within ``base_km``; two records whose actors
  are all known and none shared are not linked;
* **type** — the type families (fighting, remote violence, violence against civilians,
  non-violent) are the same or compatible (remote violence ~ fighting or civilians; an
  unknown type is compatible with any).

Sources of the same family (UCDP GED and UCDP Candidate) are never linked to each other.
Each record joins at most one incident: the best-scoring record of a source of higher
precedence (:data:`PRECEDENCE`: UCDP GED, UCDP Candidate, ACLED, text), followed to the
incident's first record.  The incident's figure is that of the member of the source of
highest precedence unless an analyst chose another (:func:`incident_count`); the others are
left out of every count (:class:`~accordwatch.store.EventFilter`).

Analysts' decisions stand: a pair they separated (:func:`incident_unlink`) is never linked
again, a record they linked (:func:`incident_link`) is never moved by the linker, and
re-running :func:`link_incidents` on unchanged data changes nothing.  Every change is in the
incident log with who made it, when and why.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InputError, NotFound
from ..store.incidents import LinkParams
from ..store.queries import EventFilter
from ._store import DB, using

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..actors import ActorRegistry
    from ..store import Store

__all__ = [
    "COMPATIBLE",
    "DEFAULTS",
    "LINKER",
    "PRECEDENCE",
    "TYPE_FAMILIES",
    "actor_match",
    "date_gap_days",
    "date_span",
    "event_incident",
    "event_key",
    "explain_pair",
    "great_circle_km",
    "incident_count",
    "incident_link",
    "incident_list",
    "incident_show",
    "incident_unlink",
    "incident_why",
    "link_incidents",
    "link_score",
    "place_radius_km",
    "type_family",
    "types_compatible",
]

#: Source families by precedence: whose figure an incident counts (1 first).
PRECEDENCE: dict[str, int] = {"ucdp-ged": 1, "ucdp-candidate": 2, "acled": 3, "text": 4}
#: Source families that are one source (never linked to each other).
_GROUPS: dict[str, str] = {"ucdp-ged": "ucdp", "ucdp-candidate": "ucdp"}

#: Event types (accordwatch's and ACLED's, lower case) by type family.
TYPE_FAMILIES: dict[str, str] = {
    "clash": "fighting",
    "ambush": "fighting",
    "base_seizure": "fighting",
    "battles": "fighting",
    "armed clash": "fighting",
    "attack": "fighting",
    "airstrike": "remote",
    "drone_strike": "remote",
    "ied": "remote",
    "explosions/remote violence": "remote",
    "air/drone strike": "remote",
    "shelling/artillery/missile attack": "remote",
    "remote explosive/landmine/ied": "remote",
    "attack_on_civilians": "civilians",
    "violence against civilians": "civilians",
    "abduction/forced disappearance": "civilians",
    "sexual violence": "civilians",
    "protests": "nonviolent",
    "riots": "nonviolent",
    "strategic developments": "nonviolent",
    "political": "nonviolent",
    "displacement": "nonviolent",
    "blockade": "nonviolent",
    "base_handover": "nonviolent",
}
#: Type families that may be one incident besides the same family (either order).
COMPATIBLE: frozenset[frozenset[str]] = frozenset(
    {frozenset({"remote", "fighting"}), frozenset({"remote", "civilians"})}
)

#: The linker's thresholds and weights.
DEFAULTS = LinkParams(
    ranks=dict(PRECEDENCE),
    groups=dict(_GROUPS),
    families=dict(TYPE_FAMILIES),
    compatible=tuple(
        sorted(f"{a}|{b}" for pair in COMPATIBLE for a in pair for b in pair if a != b)
    ),
    actor_weights={"entity": 1.0, "lineage": 0.8, "unknown": 0.3},
    slack_days={"acled": (0, 3, 15)},
)

#: Who the automatic linker's changes are recorded as.
LINKER = "linker"

_EventKey = tuple[str, str]


# -- the rules, pure ------------------------------------------------------------------------------
def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):  # pandas Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def date_gap_days(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> int:
    """Days between two date ranges (0 when they overlap; an end may be None: one day).

    >>> date_gap_days("2023-05-01", "2023-05-31", "2023-05-20", None)
    0
    >>> date_gap_days("2023-05-01", None, "2023-05-03", "2023-05-04")
    2
    """
    a0, b0 = _day(a_start), _day(b_start)
    a1 = _day(a_end) if a_end is not None else a0
    b1 = _day(b_end) if b_end is not None else b0
    return max(0, (a0 - b1).days, (b0 - a1).days)


def date_span(rec: Mapping[str, Any], params: LinkParams = DEFAULTS) -> tuple[dt.date, dt.date]:
    """The days a record may have happened on: ``date_start``–``date_end``, widened for a
    source that gives one day and a precision (ACLED's week: 3 days either side, its month:
    15).

    >>> date_span({"source": "acled", "date_start": "2024-03-15", "date_prec": 2})
    (datetime.date(2024, 3, 12), datetime.date(2024, 3, 18))
    """
    start = _day(rec["date_start"])
    end = _day(rec["date_end"]) if rec.get("date_end") is not None else start
    slack = params.slack_days.get(str(rec["source"]).split(":", 1)[0], ())
    prec = rec.get("date_prec")
    if prec is not None and not _isna(prec) and 1 <= int(prec) <= len(slack):
        pad = dt.timedelta(days=slack[int(prec) - 1])
        start, end = start - pad, end + pad
    return start, end


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, mean Earth radius).

    >>> round(great_circle_km(16.27, -0.04, 18.44, 1.41))  # Gao - Kidal
    286
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def place_radius_km(where_prec: Any, params: LinkParams = DEFAULTS) -> float | None:
    """The uncertainty radius of a GED location precision (None: too vague to link).

    >>> place_radius_km(1), place_radius_km(4), place_radius_km(6)
    (0.0, 150.0, None)
    """
    prec = params.unknown_prec if where_prec is None or _isna(where_prec) else int(where_prec)
    if not 1 <= prec <= len(params.radius_km):
        return None
    return params.radius_km[prec - 1]


def _isna(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def type_family(
    type_of_violence: Any, event_type: Any, params: LinkParams = DEFAULTS
) -> str | None:
    """The type family of a record: from its event type, else UCDP's type of violence.

    >>> type_family(None, "Battles"), type_family(3, None), type_family(None, None)
    ('fighting', 'civilians', None)
    """
    if isinstance(event_type, str) and event_type.lower() in params.families:
        return params.families[event_type.lower()]
    if type_of_violence is None or _isna(type_of_violence):
        return None
    return {1: "fighting", 2: "fighting", 3: "civilians"}.get(int(type_of_violence))


def types_compatible(a: str | None, b: str | None, params: LinkParams = DEFAULTS) -> bool:
    """Whether two type families may be one incident.

    >>> types_compatible("remote", "civilians"), types_compatible("fighting", "nonviolent")
    (True, False)
    """
    return a is None or b is None or a == b or f"{a}|{b}" in params.compatible


def actor_match(a: Mapping[str, str], b: Mapping[str, str]) -> tuple[str, list[str]]:
    """How two records' actors match: ``entity`` (an actor in common), ``lineage`` (a
    predecessor or successor in common), ``unknown`` (one record has no known actor) or
    ``none``; and the registry ids they share.  ``a`` and ``b`` map each known actor's
    registry id to its lineage id.

    >>> actor_match({"ucdp:6716": "ucdp:1161"}, {"ucdp:1161": "ucdp:1161"})
    ('lineage', ['ucdp:1161'])
    """
    if not a or not b:
        return "unknown", []
    same = sorted(set(a) & set(b))
    if same:
        return "entity", same
    lin = sorted(set(a.values()) & set(b.values()))
    return ("lineage", lin) if lin else ("none", [])


def link_score(
    days: int, km: float, limit_km: float, match: str, params: LinkParams = DEFAULTS
) -> float:
    """How well two records agree, from 0 to 1 (closer in days and km, better actor match).

    >>> round(link_score(0, 0.0, 10.0, "entity"), 3)
    1.0
    """
    w_days, w_km, w_act = params.weights
    near = 1 - km / limit_km if limit_km > 0 else 0.0
    actor = params.actor_weights.get(match, 0.0)
    return w_days * (1 - days / (params.window_days + 1)) + w_km * near + w_act * actor


# -- actors through the registry ------------------------------------------------------------------
@functools.cache
def _registry() -> ActorRegistry:
    from ..actors import ActorRegistry

    return ActorRegistry.default()


def _lineage_root(reg: ActorRegistry, actor_id: str, cache: dict[str, str]) -> str:
    """The smallest id of the actor's lineage (its predecessors and successors, transitively)."""
    if actor_id in cache:
        return cache[actor_id]
    seen = {actor_id}
    stack = [actor_id]
    while stack:
        act = reg.get(stack.pop())
        for nxt in (*act.predecessors, *act.successors):
            if nxt not in seen and nxt in reg:
                seen.add(nxt)
                stack.append(nxt)
    root = min(seen)
    for aid in seen:
        cache[aid] = root
    return root


def _resolve_names(
    names: Iterable[tuple[str, str | None]], reg: ActorRegistry
) -> dict[tuple[str, str | None], tuple[str, str, str]]:
    """``(name, country)`` → ``(entity id, lineage id, canonical name)`` for every name the
    registry knows (ambiguous aliases such as "the army" resolve within the country)."""
    out: dict[tuple[str, str | None], tuple[str, str, str]] = {}
    roots: dict[str, str] = {}
    for name, country in names:
        try:
            act = reg.find(name, country=country)
        except InputError:
            act = None
        if act is not None and act.kind != "civilians":  # every side's victims: no clue
            out[(name, country)] = (act.actor_id, _lineage_root(reg, act.actor_id, roots), act.name)
    return out


def _actor_table(resolved: Mapping[tuple[str, str | None], tuple[str, str, str]]) -> pa.Table:
    import pyarrow as pa

    keys = list(resolved)
    return pa.table(
        {
            "name": pa.array([n.strip().lower() for n, _ in keys], pa.string()),
            "country": pa.array([None if c is None else c.lower() for _, c in keys], pa.string()),
            "entity": pa.array([resolved[k][0] for k in keys], pa.string()),
            "lineage": pa.array([resolved[k][1] for k in keys], pa.string()),
        }
    )


def _record_actors(rec: Mapping[str, Any], reg: ActorRegistry) -> dict[str, tuple[str, str]]:
    """A record's known actors: registry id → (lineage id, canonical name)."""
    names = [rec.get("side_a"), rec.get("side_b")]
    if isinstance(rec.get("actors"), str):
        names += str(rec["actors"]).split("; ")
    country = rec.get("country") if isinstance(rec.get("country"), str) else None
    wanted = [(n.strip(), country) for n in names if isinstance(n, str) and n.strip()]
    found = _resolve_names(wanted, reg)
    return {ent: (lin, name) for ent, lin, name in found.values()}


# -- filters and keys -----------------------------------------------------------------------------
def event_key(value: str | tuple[str, str]) -> _EventKey:
    """An event named ``SOURCE|ID`` (or ``SOURCE/ID``), e.g. ``ucdp-ged|244657``.

    >>> event_key("text:doc-1a2b/doc-1a2b-3")
    ('text:doc-1a2b', 'doc-1a2b-3')
    """
    if isinstance(value, tuple):
        return (str(value[0]), str(value[1]))
    text = str(value).strip()
    sep = "|" if "|" in text else "/"
    source, _, eid = text.partition(sep)
    if not source or not eid:
        raise InputError(
            f"{value!r} does not name an event; write SOURCE|ID or SOURCE/ID "
            "(e.g. ucdp-ged|244657, acled/MLI12345)"
        )
    return source.strip(), eid.strip()


def _text(key: _EventKey) -> str:
    return f"{key[0]}|{key[1]}"


def _scope(
    store: Store, country: str | None, since: str | dt.date | None, until: str | dt.date | None
) -> EventFilter:
    """The events a command covers (every record, counted or not)."""
    flt = EventFilter()
    flt.uncounted = True
    if country:
        key = country.strip().lower()
        ids = {g for g, c, i in store.countries() if key in (c.lower(), i.lower(), str(g))}
        names = {c.lower() for g, c, i in store.countries() if g in ids} | {key}
        named = store.country_ids_named(country.strip())
        ids |= {i for i in named if i is not None}
        if not ids and not named:
            raise NotFound(f"no events of a country {country!r} in the store; check the name")
        flt.has_country, flt.country_ids, flt.country_names = True, ids, names
    for name in ("since", "until"):
        value = since if name == "since" else until
        if value is None or isinstance(value, dt.date):
            setattr(flt, name, value)
            continue
        try:
            setattr(flt, name, dt.date.fromisoformat(str(value)))
        except ValueError:
            raise InputError(f"--{name} {value!r} is not a date (YYYY-MM-DD)") from None
    return flt


def _who(who: str | None) -> str:
    if who is None or not str(who).strip():
        raise InputError("say who makes the change (an analyst's name)")
    return str(who).strip()


def _reason(reason: str | None) -> str:
    if reason is None or not str(reason).strip():
        raise InputError("say why (--reason 'same ambush, reported a day later')")
    return str(reason).strip()


# -- the linker -----------------------------------------------------------------------------------
def _columns(frame: pd.DataFrame | pa.Table) -> dict[str, list[Any]]:
    """A frame's columns as Python lists (missing values as None)."""
    import pyarrow as pa

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame)
    return {name: table.column(name).to_pylist() for name in table.column_names}


def _explanation(row: Mapping[Any, Any], names: Mapping[str, str]) -> dict[str, Any]:
    found = row.get("shared")
    shared = [str(x) for x in (found if found is not None else [])]
    rules = ["date", "place", "type"]
    if row["actor_match"] in ("entity", "lineage"):
        rules.append(f"actors ({row['actor_match']})")
    else:
        rules.append("no known actor on one side: same day, close by")
    return {
        "rules": rules,
        "days": int(row["days"]),
        "km": round(float(row["km"]), 2),
        "limit_km": round(float(row["limit_km"]), 2),
        "types": [row.get("a_family"), row.get("b_family")],
        "actor_match": row["actor_match"],
        "actors": [{"id": s, "name": names.get(s, s)} for s in shared],
        "score": round(float(row["score"]), 4),
    }


def _candidates(
    store: Store, flt: EventFilter, params: LinkParams, reg: ActorRegistry
) -> tuple[pa.Table, dict[str, str]]:
    resolved = _resolve_names(store.linker_actor_names(flt), reg)
    names = {ent: name for ent, _, name in resolved.values()}
    names.update({lin: reg.get(lin).name for _, lin, _ in resolved.values() if lin in reg})
    return store.incident_candidates(flt, params, _actor_table(resolved)), names


class _Separations:
    """The pairs analysts separated, kept closed over incidents: a record separated from a
    member of an incident is separated from every member of it (an unlink means "this
    record is not part of this incident", also for the records that join it later).  A
    pair added so carries the analyst, time and reason of the separation it extends."""

    def __init__(self, store: Store) -> None:
        table = _columns(store.incident_unlink_table())
        self.pairs: set[frozenset[_EventKey]] = set()
        self.of: dict[_EventKey, dict[_EventKey, tuple[Any, Any, Any]]] = {}
        self.new: list[tuple[_EventKey, _EventKey, tuple[Any, Any, Any]]] = []
        for a_s, a_i, b_s, b_i, by, at, why in zip(
            table["a_source"],
            table["a_id"],
            table["b_source"],
            table["b_id"],
            table["unlinked_by"],
            table["unlinked_at"],
            table["reason"],
            strict=True,
        ):
            self._add((str(a_s), str(a_i)), (str(b_s), str(b_i)), (by, at, why))

    def _add(self, a: _EventKey, b: _EventKey, meta: tuple[Any, Any, Any]) -> None:
        self.pairs.add(frozenset({a, b}))
        self.of.setdefault(a, {}).setdefault(b, meta)
        self.of.setdefault(b, {}).setdefault(a, meta)

    def close(self, members: set[_EventKey]) -> None:
        """Separate from every one of ``members`` (one incident) the records separated from
        any of them."""
        outside: dict[_EventKey, tuple[Any, Any, Any]] = {}
        for m in sorted(members):
            for x, meta in sorted(self.of.get(m, {}).items()):
                if x not in members:
                    outside.setdefault(x, meta)
        for x, meta in outside.items():
            for m in sorted(members):
                if frozenset({x, m}) not in self.pairs:
                    self._add(x, m, meta)
                    self.new.append((x, m, meta))

    def write(self, store: Store) -> None:
        """Store the pairs added since the last write."""
        for x, m, (by, at, why) in self.new:
            store.add_incident_unlink(x, m, str(by), str(why), at=at)
        self.new = []


def link_incidents(
    db: DB = None,
    *,
    country: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    params: LinkParams = DEFAULTS,
    registry: ActorRegistry | None = None,
) -> dict[str, int]:
    """Link the records of the events in scope (``country``, ``since``, ``until``) that report
    the same incident, in one transaction.  Returns counts: ``candidates`` (records matched
    to a record of a source of higher precedence), ``linked`` (members added), ``unlinked``
    (automatic links that no longer hold, removed), ``incidents`` (in the store).

    Idempotent: on unchanged data a second run changes nothing.  Manual links stay as the
    analyst made them and pairs an analyst separated stay apart.  A link to a record outside
    the scope is left as it is; a record that left the store (an ACLED deletion) leaves its
    incident.
    """
    reg = registry or _registry()
    with using(db, write=True) as store, store.transaction():
        flt = _scope(store, country, since, until)
        vanished = store.drop_vanished_members()
        everyone = _columns(store.incident_members())
        keys = list(zip(everyone["ev_source"], everyone["ev_id"], strict=True))
        incident_of = {k: int(n) for k, n in zip(keys, everyone["incident_id"], strict=True)}
        members_of: dict[int, set[_EventKey]] = {}
        for key, inc in incident_of.items():
            members_of.setdefault(inc, set()).add(key)
        seps = _Separations(store)
        for inc in sorted(members_of):  # separations from members that joined since
            seps.close(members_of[inc])
        seps.write(store)
        blocks = seps.pairs
        pairs, names = _candidates(store, flt, params, reg)
        existing = _columns(store.incident_members(flt))
        in_scope = set(zip(existing["ev_source"], existing["ev_id"], strict=True))
        manual = {k for k, h in zip(keys, everyone["how"], strict=True) if h == "manual"}
        matched_before = {
            (s, i): (ms, mi)
            for s, i, ms, mi, h in zip(
                existing["ev_source"],
                existing["ev_id"],
                existing["matched_source"],
                existing["matched_id"],
                existing["how"],
                strict=True,
            )
            if h == "auto" and isinstance(ms, str)
        }
        cols = _columns(pairs)
        anchor: dict[_EventKey, _EventKey] = {}
        row_of: dict[_EventKey, int] = {}
        for n, b in enumerate(zip(cols["b_source"], cols["b_id"], strict=True)):
            anchor[b] = (cols["a_source"][n], cols["a_id"][n])
            row_of[b] = n

        class _Why(dict[_EventKey, dict[str, Any]]):
            """Explanations made when a link needs one (most records keep theirs)."""

            def __missing__(self, key: _EventKey) -> dict[str, Any]:
                n = row_of[key]
                made = _explanation({c: v[n] for c, v in cols.items()}, names)
                self[key] = made
                return made

        why = _Why()

        def root(key: _EventKey) -> _EventKey:
            seen = {key}
            while key in anchor and key not in manual and key not in incident_of:
                key = anchor[key]
                if key in seen:
                    break
                seen.add(key)
            return key

        adds: list[dict[str, Any]] = []
        removes: list[_EventKey] = []
        log: list[dict[str, Any]] = [
            {
                "who": LINKER,
                "action": "auto-unlink",
                "incident_id": inc,
                "ev_source": key[0],
                "ev_id": key[1],
                "reason": "the event left the store (deleted by its source)",
            }
            for key, inc in vanished
        ]
        touched: set[int] = {inc for _, inc in vanished}

        def member(key: _EventKey, inc: int, matched: _EventKey | None, detail: Any) -> None:
            incident_of[key] = inc
            members_of.setdefault(inc, set()).add(key)
            seps.close(members_of[inc])
            touched.add(inc)
            adds.append(
                {
                    "ev_source": key[0],
                    "ev_id": key[1],
                    "incident_id": inc,
                    "how": "auto",
                    "matched_source": None if matched is None else matched[0],
                    "matched_id": None if matched is None else matched[1],
                    "explanation": detail,
                    "linked_by": LINKER,
                }
            )
            if matched is not None:
                log.append(
                    {
                        "who": LINKER,
                        "action": "auto-link",
                        "incident_id": inc,
                        "ev_source": key[0],
                        "ev_id": key[1],
                        "other_source": matched[0],
                        "other_id": matched[1],
                        "detail": detail,
                    }
                )

        # automatic links that no longer hold (the data changed)
        for b, m in sorted(matched_before.items()):
            if anchor.get(b) == m or m not in in_scope:  # a match out of scope is not judged
                continue
            removes.append(b)
            inc = incident_of.pop(b)
            members_of[inc].discard(b)
            touched.add(inc)
            log.append(
                {
                    "who": LINKER,
                    "action": "auto-unlink",
                    "incident_id": inc,
                    "ev_source": b[0],
                    "ev_id": b[1],
                    "other_source": m[0],
                    "other_id": m[1],
                    "reason": "the linking rules no longer match these records",
                }
            )

        def blocked(key: _EventKey, inc: int | None, also: Iterable[_EventKey]) -> bool:
            others = set(members_of.get(inc, set())) if inc is not None else set()
            return any(frozenset({key, o}) in blocks for o in others | set(also))

        fresh: dict[_EventKey, list[_EventKey]] = {}
        for b in sorted(anchor, key=lambda k: (params.ranks.get(k[0].split(":", 1)[0], 99), k)):
            a = anchor[b]
            if b in manual or (b in incident_of and matched_before.get(b) == a):
                continue
            if b in incident_of:
                # the first record of an incident, matched to a record of a source of higher
                # precedence that is in no incident yet: that record joins the incident
                if a not in incident_of and not blocked(a, incident_of[b], ()):
                    detail = {**why[b], "matched_from": _text(b)}
                    member(a, incident_of[b], b, detail)
                continue
            top = root(b)
            target = incident_of.get(top)
            if target is not None:
                if not blocked(b, target, ()):
                    member(b, target, a, why[b])
                continue
            group = fresh.setdefault(top, [])
            if not blocked(b, None, [top, a, *group]):
                group.append(b)
        tops = sorted(t for t, group in fresh.items() if group)
        for top, inc in zip(tops, store.new_incident_ids(len(tops)), strict=True):
            member(top, inc, None, None)
            for b in fresh[top]:
                member(b, inc, anchor[b], why[b])
        store.remove_incident_members(removes)
        store.add_incident_members(adds)
        seps.write(store)
        store.refresh_incidents(params.ranks, touched)
        store.log_incident_changes(log)
        return {
            "candidates": len(anchor),
            "linked": sum(1 for a in adds if a["matched_source"] is not None),
            "unlinked": len(removes),
            "incidents": store.incident_count(),
        }


# -- reading --------------------------------------------------------------------------------------
def _incident_id(store: Store, value: int | str) -> int:
    if isinstance(value, int) or str(value).strip().isdigit():
        return int(value)
    key = event_key(str(value))
    inc = store.incident_of(key)
    if inc is None:
        raise NotFound(f"the event {_text(key)} is not linked to any incident")
    return inc


def incident_show(ref: int | str, *, db: DB = None) -> dict[str, Any]:
    """One incident (by id, or by a member ``SOURCE|ID``): ``members`` side by side (each
    source's date, place, actors, deaths; ``counted`` marks whose figure is used and
    ``counted_because`` says why), each link's ``explanation``, the incident's ``claims``
    and its ``log``."""
    with using(db) as store:
        inc = store.incident(_incident_id(store, ref))
        if inc is None:
            raise NotFound(f"no incident {ref}; see `accordwatch incidents list`")
        members = inc["members"]
        keys = list(zip(members["ev_source"], members["ev_id"], strict=True))
        inc["claims"] = store.claims(events=[(str(s), str(i)) for s, i in keys])
        inc["log"] = store.incident_log(incident_id=int(inc["incident_id"]))
    members["explanation"] = [
        json.loads(x) if isinstance(x, str) else None for x in members["explanation"]
    ]
    if inc.get("counted_source"):
        inc["counted_because"] = f"chosen by {inc['counted_by']}: {inc['counted_reason']}"
    else:
        inc["counted_because"] = "source precedence (UCDP GED > UCDP Candidate > ACLED > text)"
    counted = members[members["counted"].astype(bool)]
    if len(counted):
        top = counted.iloc[0]
        inc["figure"] = {
            "event": f"{top['ev_source']}|{top['ev_id']}",
            **{k: _number(top[k]) for k in ("low", "best", "high")},
            "because": inc["counted_because"],
        }
    else:
        inc["figure"] = None
    return inc


def _number(value: Any) -> float | None:
    if value is None or _isna(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def event_incident(ref: str | _EventKey, *, db: DB = None) -> dict[str, Any]:
    """One stored record (``SOURCE|ID``) and its incident: ``event`` (the name),
    ``record`` (its date, place, actors, deaths …), ``incident_id`` (None when it is linked
    to none), ``claims`` about it (or another record of its incident) and ``unlinks`` (the
    incidents an analyst took it out of: by whom, when, why)."""
    key = event_key(ref)
    with using(db) as store:
        record = store.linkable_event(key)
        if record is None:
            raise NotFound(f"no event {_text(key)} in the store")
        inc = store.incident_of(key)
        claims = store.claims_about([key])
        log = store.incident_log(key=key)
    mine = log[
        (log["action"] == "unlink") & (log["ev_source"] == key[0]) & (log["ev_id"] == key[1])
    ]
    return {
        "event": _text(key),
        "record": record,
        "incident_id": inc,
        "claims": claims,
        "unlinks": [
            {
                "incident_id": int(r["incident_id"]),
                "by": r["who"],
                "at": r["logged_at"],
                "reason": r["reason"],
            }
            for r in mine.to_dict("records")
        ],
    }


def incident_list(
    *,
    db: DB = None,
    country: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Incidents whose counted record is in scope, newest first."""
    with using(db) as store:
        return store.incident_list(_scope(store, country, since, until), limit=limit)


def explain_pair(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    *,
    params: LinkParams = DEFAULTS,
    registry: ActorRegistry | None = None,
) -> dict[str, Any]:
    """Every rule applied to two records (dicts of event columns), with what it found:
    ``date`` (days apart), ``place`` (km, limit), ``type`` (families), ``actors`` (match,
    shared ids), ``sources`` (different sources?), and ``linkable`` (all hold) and ``score``.
    """
    reg = registry or _registry()
    fa, fb = (str(r["source"]).split(":", 1)[0] for r in (a, b))
    different = params.groups.get(fa, fa) != params.groups.get(fb, fb)
    out: dict[str, Any] = {"sources": {"a": fa, "b": fb, "ok": different}}
    ok = different
    spans = [date_span(r, params) for r in (a, b)]
    days = date_gap_days(spans[0][0], spans[0][1], spans[1][0], spans[1][1])
    vague = [(e - s).days > params.max_span_days for s, e in spans]
    date_ok = days <= params.window_days and not any(vague)
    out["date"] = {"days": days, "window": params.window_days, "too_vague": vague, "ok": date_ok}
    ok &= date_ok
    ra, rb = (place_radius_km(r.get("where_prec"), params) for r in (a, b))
    if any(r.get("latitude") is None or _isna(r.get("latitude")) for r in (a, b)):
        out["place"] = {"km": None, "ok": False, "why": "a record has no coordinates"}
        ok = False
        km, limit = math.inf, 0.0
    else:
        km = great_circle_km(
            float(a["latitude"]), float(a["longitude"]), float(b["latitude"]), float(b["longitude"])
        )
        limit = params.base_km + (ra or 0.0) + (rb or 0.0)
        place_ok = ra is not None and rb is not None and km <= limit
        out["place"] = {
            "km": round(km, 2),
            "limit_km": limit,
            "radius_km": [ra, rb],
            "ok": place_ok,
        }
        ok &= place_ok
    ta = type_family(a.get("type_of_violence"), a.get("event_type"), params)
    tb = type_family(b.get("type_of_violence"), b.get("event_type"), params)
    t_ok = types_compatible(ta, tb, params)
    out["type"] = {"families": [ta, tb], "ok": t_ok}
    ok &= t_ok
    acts_a, acts_b = _record_actors(a, reg), _record_actors(b, reg)
    match, shared = actor_match(
        {k: v[0] for k, v in acts_a.items()}, {k: v[0] for k, v in acts_b.items()}
    )
    close = days == 0 and km <= params.base_km
    a_ok = match in ("entity", "lineage") or (match == "unknown" and close)
    label = {**{k: v[1] for k, v in acts_a.items()}, **{k: v[1] for k, v in acts_b.items()}}
    out["actors"] = {
        "match": match,
        "shared": [
            {"id": s, "name": label.get(s, reg.get(s).name if s in reg else s)} for s in shared
        ],
        "a": sorted(v[1] for v in acts_a.values()),
        "b": sorted(v[1] for v in acts_b.values()),
        "ok": a_ok,
    }
    ok &= a_ok
    out["linkable"] = bool(ok)
    out["score"] = link_score(days, km, limit, match, params) if ok else None
    return out


def incident_why(a: str | _EventKey, b: str | _EventKey, *, db: DB = None) -> dict[str, Any]:
    """Why two records are (or are not) one incident: the rules applied to them now
    (:func:`explain_pair`), their incidents, the explanation stored when they were linked,
    whether an analyst separated them (``separation``: by whom, when, why — also when the
    pair was separated because one record was unlinked from the other's incident) and
    each record's ``unlinks`` from an incident (the incident, by whom, when, why)."""
    ka, kb = event_key(a), event_key(b)
    with using(db) as store:
        recs = [store.linkable_event(k) for k in (ka, kb)]
        for k, r in zip((ka, kb), recs, strict=True):
            if r is None:
                raise NotFound(f"no event {_text(k)} in the store")
        incs = [store.incident_of(k) for k in (ka, kb)]
        separated = frozenset({ka, kb}) in store.incident_unlinks()
        separation = None
        if separated:
            rows = store.incident_unlink_records(ka)
            rows = rows[(rows["other_source"] == kb[0]) & (rows["other_id"] == kb[1])]
            first = rows.iloc[0]
            separation = {
                "by": str(first["unlinked_by"]),
                "at": first["unlinked_at"],
                "reason": str(first["reason"]),
            }
        unlinks = []
        for k in (ka, kb):
            log = store.incident_log(key=k)
            for row in log[(log["action"] == "unlink") & (log["ev_source"] == k[0])].to_dict(
                "records"
            ):
                if row["ev_id"] != k[1]:
                    continue
                unlinks.append(
                    {
                        "event": _text(k),
                        "incident_id": int(row["incident_id"]),
                        "by": row["who"],
                        "at": row["logged_at"],
                        "reason": row["reason"],
                    }
                )
        stored = None
        if incs[0] is not None and incs[0] == incs[1]:
            inc = store.incident(incs[0])
            assert inc is not None
            for row in inc["members"].to_dict("records"):
                key = (row["ev_source"], row["ev_id"])
                other = (row["matched_source"], row["matched_id"])
                if {key, other} == {ka, kb} and isinstance(row["explanation"], str):
                    stored = json.loads(row["explanation"])
    assert recs[0] is not None and recs[1] is not None
    return {
        "a": _text(ka),
        "b": _text(kb),
        "incidents": incs,
        "same_incident": incs[0] is not None and incs[0] == incs[1],
        "separated_by_analyst": separated,
        "separation": separation,
        "unlinks": unlinks,
        "stored_explanation": stored,
        "rules_now": explain_pair(recs[0], recs[1]),
    }


# -- an analyst's decisions -----------------------------------------------------------------------
def incident_link(
    a: str | _EventKey, b: str | _EventKey, *, reason: str, by: str, db: DB = None
) -> dict[str, Any]:
    """Link two records as one incident by hand (``b`` joins ``a``'s incident, or both make a
    new one).  A record already in another incident must be unlinked first.  Lifts the
    earlier separations of the record that joins from the incident's members.  Returns the
    incident as :func:`incident_show` does."""
    ka, kb = event_key(a), event_key(b)
    why, who = _reason(reason), _who(by)
    if ka == kb:
        raise InputError("give two different events to link")
    with using(db, write=True) as store:
        with store.transaction():
            for k in (ka, kb):
                if store.linkable_event(k) is None:
                    raise NotFound(f"no event {_text(k)} in the store")
            ia, ib = store.incident_of(ka), store.incident_of(kb)
            if ia is not None and ib is not None:
                if ia == ib:
                    raise InputError(f"{_text(ka)} and {_text(kb)} are already incident {ia}")
                raise InputError(
                    f"{_text(kb)} is in incident {ib}; unlink it first "
                    f"(accordwatch incidents unlink '{_text(kb)}' --reason …)"
                )
            if ia is None and ib is not None:
                ka, kb, ia, ib = kb, ka, ib, ia
            inc = ia if ia is not None else store.new_incident_ids(1)[0]
            members = []
            for key, matched in ((ka, None), (kb, ka)):
                if store.incident_of(key) is not None:
                    continue
                members.append(
                    {
                        "ev_source": key[0],
                        "ev_id": key[1],
                        "incident_id": inc,
                        "how": "manual",
                        "matched_source": None if matched is None else matched[0],
                        "matched_id": None if matched is None else matched[1],
                        "explanation": {"rules": ["linked by an analyst"], "reason": why},
                        "linked_by": who,
                        "reason": why,
                    }
                )
            joined = store.incident(inc) if ia is not None else None
            present = (
                []
                if joined is None
                else list(
                    zip(joined["members"]["ev_source"], joined["members"]["ev_id"], strict=True)
                )
            )
            for other in {ka, *((str(s), str(i)) for s, i in present)} - {kb}:
                store.remove_incident_unlink(kb, other)  # kb is part of this incident now
            store.add_incident_members(members)
            store.refresh_incidents(PRECEDENCE, [inc])
            store.log_incident_changes(
                [
                    {
                        "who": who,
                        "action": "link",
                        "incident_id": inc,
                        "ev_source": kb[0],
                        "ev_id": kb[1],
                        "other_source": ka[0],
                        "other_id": ka[1],
                        "reason": why,
                    }
                ]
            )
    return incident_show(inc, db=db)


def incident_unlink(
    a: str | _EventKey,
    b: str | _EventKey | None = None,
    *,
    reason: str,
    by: str,
    db: DB = None,
) -> dict[str, Any]:
    """Take record ``a`` out of its incident (``b``, when given, must be in the same one):
    ``a`` is not part of this incident.  The linker never joins ``a`` with the incident's
    members again — those of now and those that join it later (the separation extends to
    them) — but may link it with other records.  An incident left with one record is
    dissolved.  Returns ``{"incident_id", "removed", "dissolved"}``."""
    ka = event_key(a)
    kb = event_key(b) if b is not None else None
    why, who = _reason(reason), _who(by)
    with using(db, write=True) as store, store.transaction():
        inc = store.incident_of(ka)
        if inc is None:
            raise NotFound(f"the event {_text(ka)} is not linked to any incident")
        if kb is not None and store.incident_of(kb) != inc:
            raise InputError(f"{_text(ka)} and {_text(kb)} are not in the same incident")
        record = store.incident(inc)
        assert record is not None
        others = [
            (str(s), str(i))
            for s, i in zip(record["members"]["ev_source"], record["members"]["ev_id"], strict=True)
            if (s, i) != ka
        ]
        for o in others:
            store.add_incident_unlink(ka, o, who, why)
        store.remove_incident_members([ka])
        # a member matched to the removed record now hangs on the incident's first record
        dissolved = bool(store.refresh_incidents(PRECEDENCE, [inc]))
        store.log_incident_changes(
            [
                {
                    "who": who,
                    "action": "unlink",
                    "incident_id": inc,
                    "ev_source": ka[0],
                    "ev_id": ka[1],
                    "other_source": None if kb is None else kb[0],
                    "other_id": None if kb is None else kb[1],
                    "reason": why,
                    "detail": {"separated_from": [_text(o) for o in others]},
                }
            ]
        )
    return {"incident_id": inc, "removed": _text(ka), "dissolved": dissolved}


def incident_count(
    ref: int | str,
    event: str | _EventKey | None,
    *,
    reason: str,
    by: str,
    db: DB = None,
) -> dict[str, Any]:
    """Choose whose figure incident ``ref`` counts: the member ``event``, or (None) the
    source precedence again.  Returns the incident as :func:`incident_show` does."""
    why, who = _reason(reason), _who(by)
    with using(db, write=True) as store:
        with store.transaction():
            inc = _incident_id(store, ref)
            if store.incident(inc) is None:
                raise NotFound(f"no incident {ref}; see `accordwatch incidents list`")
            key = event_key(event) if event is not None else None
            if key is not None and store.incident_of(key) != inc:
                raise InputError(f"{_text(key)} is not a member of incident {inc}")
            store.set_incident_counted(inc, key, None if key is None else who, why)
            store.refresh_incidents(PRECEDENCE, [inc])
            store.log_incident_changes(
                [
                    {
                        "who": who,
                        "action": "count",
                        "incident_id": inc,
                        "ev_source": None if key is None else key[0],
                        "ev_id": None if key is None else key[1],
                        "reason": why,
                        "detail": {"counted": "precedence" if key is None else _text(key)},
                    }
                ]
            )
        return incident_show(inc, db=store)
