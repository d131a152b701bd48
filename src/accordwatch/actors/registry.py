"""The actor registry: every UCDP actor plus a curated layer, queryable by any alias.

>>> reg = ActorRegistry.default()
>>> reg.resolve("Coordination des Mouvements de l'Azawad").ucdp_ids
(1158,)
>>> [a.name for a in reg.lineage("CMA")]
['Coordination of Azawad Movements', 'Permanent Strategic Framework', 'Azawad Liberation Front']
>>> reg.resolve("FLA", on="2023-09-15").actor_id
'csp'
>>> sorted(reg.ucdp_ids("CMA", lineage=True))
[1158, 8822]
>>> [(text[s:e], a.actor_id) for text in ["Les FAMa ont repris Kidal."]
...  for s, e, a in reg.mentions(text)]
[('FAMa', 'ucdp:72')]
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pandas as pd
import yaml
from rapidfuzz import fuzz, process

from accordwatch.actors._curated import CuratedEntry, base_aliases, merge, parse_curated
from accordwatch.actors._mentions import MentionMatcher
from accordwatch.actors._model import Actor, Alias, When, parse_when
from accordwatch.actors._normalize import normalize
from accordwatch.actors._ucdp import base_actors
from accordwatch.errors import InputError, NotFound

__all__ = ["ActorRegistry", "UnknownActor"]

_UCDP_RE = re.compile(r"^\s*(?:ucdp\s*:\s*)?(\d+)\s*$", re.IGNORECASE)
_GED_COLS = [
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "side_b",
    "year",
    "country",
    "type_of_violence",
]
_DATA = ("ucdp-dyadic-251.csv", "ucdp-prio-acd-251.csv", "GEDEvent_v23_1_CAF.csv")


class UnknownActor(NotFound):
    """No actor has this alias; ``suggestions`` holds close aliases (best first)."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions)


def _same(a: str | None, b: str | None) -> bool:
    """Country names compare case- and accent-insensitively; None matches nothing."""
    return a is not None and b is not None and normalize(a) == normalize(b)


def _when(on: When | None) -> dt.date | None:
    return None if on is None else parse_when(on, end=False)


class ActorRegistry:
    """Actors by id, with an alias index, lineage, membership and mention finding.

    Build it with :meth:`default` (bundled UCDP tables and curated file) or
    :meth:`from_frames` (any UCDP-shaped tables and an optional curated document).
    """

    def __init__(
        self,
        actors: Mapping[str, Actor],
        aliases: Iterable[Alias],
        handles: Mapping[str, str] | None = None,
    ) -> None:
        self._actors = dict(actors)
        self._aliases: list[Alias] = []
        seen: set[tuple[Any, ...]] = set()
        for a in aliases:
            k = (
                a.normalized,
                a.actor_id,
                a.lang,
                a.ambiguous,
                a.context,
                a.case_sensitive,
                a.valid_from,
                a.valid_to,
            )
            if k not in seen:
                seen.add(k)
                self._aliases.append(a)
        self._handles = dict(handles or {})
        self._by_norm: dict[str, list[Alias]] = defaultdict(list)
        self._by_actor: dict[str, list[Alias]] = defaultdict(list)
        for a in self._aliases:
            self._by_norm[a.normalized].append(a)
            self._by_actor[a.actor_id].append(a)
        self._by_ucdp: dict[int, list[str]] = defaultdict(list)
        for actor in self._actors.values():
            for i in actor.ucdp_ids:
                self._by_ucdp[i].append(actor.actor_id)
        for i, ids in self._by_ucdp.items():  # sorted, the UCDP-layer actor first
            ids.sort()
            if f"ucdp:{i}" in ids:
                ids.remove(f"ucdp:{i}")
                ids.insert(0, f"ucdp:{i}")
        self._display: dict[str, str] = {}
        for a in self._aliases:
            if not a.ambiguous:
                self._display.setdefault(a.normalized, a.text)
        self._matcher: MentionMatcher | None = None

    # ------------------------------------------------------------------ building
    @classmethod
    def default(cls) -> ActorRegistry:
        """The registry built from the bundled UCDP tables and curated file (cached)."""
        return _default()

    @classmethod
    def from_frames(
        cls,
        dyadic: pd.DataFrame | None = None,
        acd: pd.DataFrame | None = None,
        ged: pd.DataFrame | None = None,
        curated: Mapping[str, Any] | Sequence[CuratedEntry] | None = None,
    ) -> ActorRegistry:
        """Build a registry from UCDP-shaped tables and a curated document.

        ``curated`` is the loaded YAML document (a mapping) or parsed entries; ``None``
        gives the UCDP layer alone.

        >>> import pandas as pd
        >>> d = pd.DataFrame({"side_a": ["Government of Mali"], "side_a_id": [72],
        ...     "side_a_2nd": [""], "side_b": ["JNIM"], "side_b_id": [6716], "side_b_2nd": [""],
        ...     "year": [2017],
        ...     "location": ["Mali"]})
        >>> ActorRegistry.from_frames(dyadic=d).resolve("jnim").actor_id
        'ucdp:6716'
        """
        base = base_actors(dyadic, acd, ged)
        if curated is None:
            entries: list[CuratedEntry] = []
        elif isinstance(curated, Mapping):
            entries = parse_curated(curated)
        else:
            entries = list(curated)
        actors, aliases = merge(base, entries)
        if not entries:
            aliases = [x for a in actors.values() for x in base_aliases(a)]
        return cls(actors, aliases, {e.key: e.actor_id for e in entries})

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return len(self._actors)

    def __iter__(self) -> Iterator[Actor]:
        return iter(self._actors.values())

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._actors or actor_id in self._handles

    def get(self, actor_id: str) -> Actor:
        """The actor with this id (``"ucdp:1158"``) or curated key (``"cma"``)."""
        aid = self._handles.get(actor_id, actor_id)
        try:
            return self._actors[aid]
        except KeyError:
            raise NotFound(
                f"no actor with id {actor_id!r}; ids look like 'ucdp:1158' or a curated key "
                "such as 'csp' — use resolve() to look an actor up by name"
            ) from None

    # ------------------------------------------------------------------ resolution
    def resolve(
        self, alias: str | int, *, on: When | None = None, country: str | None = None
    ) -> Actor:
        """The actor named by ``alias`` (case, accents and punctuation do not matter).

        ``alias`` may also be a UCDP id (``1158``, ``"ucdp:1158"``). ``on`` picks the
        actor valid on that date along a lineage (``"FLA"`` in 2023 is the CSP);
        ``country`` enables ambiguous aliases ("the army") and breaks ties.
        Raises :class:`UnknownActor` (a ``NotFound``) with close suggestions.

        >>> reg = ActorRegistry.default()
        >>> reg.resolve("the army", country="Mali").name
        'Government of Mali'
        >>> reg.resolve("Russian paramilitaries", on="2023-01-01", country="Mali").name
        'Wagner Group'
        """
        day = _when(on)
        actor = self._pick(alias, day, country)
        return self._at(actor, day)

    def find(
        self, alias: str | int, *, on: When | None = None, country: str | None = None
    ) -> Actor | None:
        """Like :meth:`resolve` but returns ``None`` for an unknown alias.

        >>> ActorRegistry.default().find("no such group") is None
        True
        """
        try:
            return self.resolve(alias, on=on, country=country)
        except NotFound:
            return None

    def candidates(
        self, alias: str, *, on: When | None = None, country: str | None = None
    ) -> list[Actor]:
        """Every actor ``alias`` can name, best first (empty when unknown).

        >>> [a.actor_id for a in ActorRegistry.default().candidates("UPC")]
        ['ucdp:5999', 'ucdp:564']
        """
        cands = self._usable(self._by_norm.get(normalize(alias), []), country)
        return [self._actors[i] for i in self._ranked(cands, _when(on), country)]

    def _usable(self, cands: list[Alias], country: str | None) -> list[Alias]:
        return [a for a in cands if not a.ambiguous or _same(a.context, country)]

    def _pick(self, alias: str | int, day: dt.date | None, country: str | None) -> Actor:
        if isinstance(alias, int) or _UCDP_RE.match(str(alias)):
            uid = alias if isinstance(alias, int) else int(_UCDP_RE.match(alias).group(1))  # type: ignore[union-attr]
            ids = self._by_ucdp.get(uid)
            if not ids:
                raise UnknownActor(f"no actor with UCDP id {uid} in the registry; check the id")
            return self._actors[ids[0]]
        if not isinstance(alias, str) or not normalize(alias):
            raise InputError(f"actor alias must be a non-empty name or UCDP id, got {alias!r}")
        key = normalize(alias)
        cands = self._by_norm.get(key, [])
        if not cands:
            hints = self.suggest(alias)
            shown = ", ".join(repr(h) for h in hints)
            raise UnknownActor(
                f"unknown actor {alias!r}"
                + (f"; did you mean {shown}?" if hints else "; check the spelling.")
                + " Use search() to list actors matching a word.",
                hints,
            )
        usable = self._usable(cands, country)
        if not usable:
            contexts = sorted({a.context for a in cands if a.context})
            raise InputError(
                f"{alias!r} is ambiguous on its own: it names an actor only in a country context; "
                f"pass country= one of {contexts}"
            )
        return self._actors[self._ranked(usable, day, country)[0]]

    def _ranked(self, cands: list[Alias], day: dt.date | None, country: str | None) -> list[str]:
        def key(a: Alias) -> tuple[Any, ...]:
            act = self._actors[a.actor_id]
            in_country = country is not None and (
                _same(a.context, country)
                or _same(act.country, country)
                or any(_same(c, country) for c in act.countries)
            )
            return (
                not a.valid_on(day),
                not act.valid_on(day),
                country is not None and not in_country,
                not act.curated,
                not a.is_name,
                -(act.last_year or 0),
                a.actor_id,
            )

        return list(dict.fromkeys(a.actor_id for a in sorted(cands, key=key)))

    def _at(self, actor: Actor, day: dt.date | None) -> Actor:
        """Walk predecessors/successors to the actor of this lineage valid on ``day``."""
        if day is None or actor.valid_on(day):
            return actor
        later = actor.valid_to is not None and day > actor.valid_to
        queue = list(actor.successors if later else actor.predecessors)
        seen = {actor.actor_id}
        while queue:
            aid = queue.pop(0)
            if aid in seen:
                continue
            seen.add(aid)
            cand = self._actors[aid]
            if cand.valid_on(day):
                return cand
            queue.extend(cand.successors if later else cand.predecessors)
        return actor

    def name_on(self, alias: str | int, on: When) -> str:
        """The official name the actor carried on ``on`` (its canonical name otherwise).

        >>> ActorRegistry.default().name_on("ISSP", "2018-06-01")
        'Islamic State in the Greater Sahara'
        """
        day = _when(on)
        actor = self.resolve(alias, on=day)
        for a in self._by_actor[actor.actor_id]:
            if a.is_name and (a.valid_from or a.valid_to) and a.valid_on(day):
                return a.text
        return actor.name

    def suggest(self, alias: str, *, limit: int = 3) -> list[str]:
        """Aliases close to ``alias`` (rapidfuzz), best first.

        >>> ActorRegistry.default().suggest("JNMI")[0]
        'JNIM'
        """
        found = process.extract(
            normalize(alias), list(self._display), scorer=fuzz.ratio, limit=limit, score_cutoff=60
        )
        return [self._display[k] for k, _, _ in found]

    def search(self, text: str, *, limit: int = 20) -> list[Actor]:
        """Actors whose aliases contain the words of ``text``, then fuzzy matches.

        >>> [a.actor_id for a in ActorRegistry.default().search("liberation azawad")][:2]
        ['ucdp:8822', 'mnla']
        """
        q = normalize(text)
        if not q:
            return []
        words = q.split()
        scored: dict[str, float] = {}
        for key, aliases in self._by_norm.items():
            toks = key.split()
            if all(any(t.startswith(w) for t in toks) for w in words):
                score = 200.0 - len(toks) + (50 if key == q else 0)
            else:
                continue
            for a in aliases:
                if not a.ambiguous:
                    scored[a.actor_id] = max(scored.get(a.actor_id, 0.0), score)
        for key, score, _ in process.extract(
            q, list(self._display), scorer=fuzz.WRatio, limit=limit, score_cutoff=85
        ):
            for a in self._by_norm[key]:
                if not a.ambiguous:
                    scored[a.actor_id] = max(scored.get(a.actor_id, 0.0), float(score))
        order = sorted(
            scored,
            key=lambda aid: (
                -scored[aid],
                not self._actors[aid].curated,
                -(self._actors[aid].last_year or 0),
                aid,
            ),
        )
        return [self._actors[aid] for aid in order[:limit]]

    # ------------------------------------------------------------------ lineage and members
    def lineage(self, alias: str | int) -> list[Actor]:
        """The actor with every predecessor and successor, oldest first.

        >>> [a.actor_id for a in ActorRegistry.default().lineage("MUJAO")]
        ['ucdp:1161', 'ucdp:4376', 'ucdp:6716']
        """
        actor = self.resolve(alias)
        nodes = {actor.actor_id}
        for direction in ("predecessors", "successors"):
            stack = list(getattr(actor, direction))
            while stack:
                aid = stack.pop()
                if aid not in nodes:
                    nodes.add(aid)
                    stack.extend(getattr(self._actors[aid], direction))
        indeg = {n: 0 for n in nodes}
        for n in nodes:
            for s in self._actors[n].successors:
                if s in nodes:
                    indeg[s] += 1

        def prio(aid: str) -> tuple[dt.date, str]:
            return (self._actors[aid].start() or dt.date.max, aid)

        heap = [(prio(n), n) for n, d in indeg.items() if d == 0]
        heapq.heapify(heap)
        out: list[Actor] = []
        while heap:
            _, n = heapq.heappop(heap)
            out.append(self._actors[n])
            for s in self._actors[n].successors:
                if s in nodes:
                    indeg[s] -= 1
                    if indeg[s] == 0:
                        heapq.heappush(heap, (prio(s), s))
        return out

    def _scope(self, alias: str | int, lineage: bool) -> list[Actor]:
        return self.lineage(alias) if lineage else [self.resolve(alias)]

    def ucdp_ids(self, alias: str | int, *, lineage: bool = False) -> set[int]:
        """UCDP actor ids under which the actor's (or its lineage's) fighting is recorded.

        >>> sorted(ActorRegistry.default().ucdp_ids("CSP"))
        [8822]
        """
        return {i for a in self._scope(alias, lineage) for i in a.ucdp_ids}

    def names(self, alias: str | int, *, lineage: bool = False) -> set[str]:
        """Every name and unambiguous alias of the actor (or its lineage), as written.

        >>> names = ActorRegistry.default().names("cma")
        >>> {"CMA", "Coordination des mouvements de l'Azawad"} <= names
        True
        """
        out: set[str] = set()
        for a in self._scope(alias, lineage):
            out.add(a.name)
            out.update(a.ucdp_names)
            out.update(x.text for x in self._by_actor[a.actor_id] if not x.ambiguous)
        return out

    def members(self, alias: str | int, on: When | None = None) -> list[Actor]:
        """Members of a coalition (those belonging on ``on`` when given).

        >>> [a.actor_id for a in ActorRegistry.default().members("CSP", on="2024-01-01")]
        ['ucdp:1158']
        """
        day = _when(on)
        actor = self.resolve(alias)
        return [self._actors[m.actor_id] for m in actor.members if m.valid_on(day)]

    # ------------------------------------------------------------------ text
    def mentions(
        self, text: str, *, country: str | None = None, on: When | None = None
    ) -> list[tuple[int, int, Actor]]:
        """Actor mentions in ``text`` as ``(start, end, actor)``, longest match first.

        Ambiguous aliases ("the army", "la junte") count only with ``country``.

        >>> reg = ActorRegistry.default()
        >>> t = "The army and the CMA clashed."
        >>> [t[s:e] for s, e, _ in reg.mentions(t)]
        ['CMA']
        >>> [t[s:e] for s, e, _ in reg.mentions(t, country="Mali")]
        ['The army', 'CMA']
        """
        if self._matcher is None:
            self._matcher = MentionMatcher(
                a for a in self._aliases if self._actors[a.actor_id].kind != "civilians"
            )
        day = _when(on)

        def choose(cands: Sequence[Alias], d: dt.date | None, c: str | None) -> Alias | None:
            best = self._ranked(list(cands), d, c)[0]
            return next(a for a in cands if a.actor_id == best)

        return [
            (s, e, self._at(self._actors[a.actor_id], day))
            for s, e, a in self._matcher.find(text, chooser=choose, country=country, on=day)
        ]

    # ------------------------------------------------------------------ frames
    def alias_table(self) -> pd.DataFrame:
        """One row per alias: alias, normalized, actor_id, lang, ambiguous, context, … ."""
        rows = [
            {
                "alias": a.text,
                "normalized": a.normalized,
                "actor_id": a.actor_id,
                "lang": a.lang,
                "ambiguous": a.ambiguous,
                "context": a.context,
                "case_sensitive": a.case_sensitive,
                "is_name": a.is_name,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "source": a.source,
            }
            for a in self._aliases
        ]
        return pd.DataFrame(
            rows,
            columns=[
                "alias",
                "normalized",
                "actor_id",
                "lang",
                "ambiguous",
                "context",
                "case_sensitive",
                "is_name",
                "valid_from",
                "valid_to",
                "source",
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per actor, list columns for ids, aliases, lineage and members."""
        rows = [
            {
                "actor_id": a.actor_id,
                "name": a.name,
                "kind": a.kind,
                "country": a.country,
                "countries": list(a.countries),
                "ucdp_ids": list(a.ucdp_ids),
                "first_year": a.first_year,
                "last_year": a.last_year,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "predecessors": list(a.predecessors),
                "successors": list(a.successors),
                "members": list(a.member_ids),
                "aliases": list(a.aliases),
                "ucdp_names": list(a.ucdp_names),
                "curated": a.curated,
                "source": a.source,
                "note": a.note,
            }
            for a in sorted(self._actors.values(), key=lambda x: x.actor_id)
        ]
        df = pd.DataFrame(rows)
        for col in ("first_year", "last_year"):
            df[col] = df[col].astype("Int64")
        return df


@lru_cache(maxsize=1)
def _default() -> ActorRegistry:
    data = files("accordwatch") / "data"
    frames = []
    for name in _DATA:
        with (data / "ucdp" / name).open("rb") as fh:
            usecols = _GED_COLS if name.startswith("GED") else None
            frames.append(pd.read_csv(fh, dtype=str, keep_default_na=False, usecols=usecols))
    with (data / "actors" / "curated.yaml").open("r", encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    dyadic, acd, ged = frames
    return ActorRegistry.from_frames(dyadic, acd, ged, curated=doc)
