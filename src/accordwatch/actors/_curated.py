"""Curated layer: read the alias file and merge it into the UCDP base actors.

The file format is described at the top of ``data/actors/curated.yaml``. Reading is
strict: an unknown field, a missing ``source``, a bad date or a reference to an
unknown key is an :class:`~accordwatch.errors.InputError` that names the entry.

>>> entries = parse_curated({"version": 1, "actors": [
...     {"key": "x", "name": "X Front", "source": "test", "aliases": {"en": ["XF"]}}]})
>>> entries[0].key, [a.text for a in entries[0].aliases]
('x', ['XF'])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from accordwatch.actors._model import KINDS, Actor, Alias, Membership, parse_when
from accordwatch.actors._normalize import normalize
from accordwatch.errors import InputError

__all__ = ["CuratedEntry", "base_aliases", "merge", "parse_curated"]

_FIELDS = {
    "key",
    "ucdp_id",
    "ucdp_codes",
    "name",
    "kind",
    "country",
    "valid_from",
    "valid_to",
    "successors",
    "members",
    "aliases",
    "source",
    "note",
}
_ALIAS_FIELDS = {"text", "from", "to", "ambiguous", "case_sensitive", "name", "context"}
_LANGS = {"en", "fr", "ar", "mul"}


@dataclass(frozen=True)
class CuratedEntry:
    """One parsed entry of the curated file (aliases not yet bound to an actor id)."""

    key: str
    ucdp_id: int | None
    ucdp_codes: tuple[int, ...]
    name: str | None
    kind: str | None
    country: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    successors: tuple[str, ...]
    members: tuple[tuple[str, dt.date | None, dt.date | None], ...]
    aliases: tuple[Alias, ...]
    source: str
    note: str | None

    @property
    def actor_id(self) -> str:
        """``"ucdp:<id>"`` when the entry enriches a UCDP actor, else its key."""
        return f"ucdp:{self.ucdp_id}" if self.ucdp_id is not None else self.key


def _fail(where: str, msg: str) -> InputError:
    return InputError(f"curated actors, {where}: {msg}")


def _date(value: Any, where: str, *, end: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_when(value, end=end)
    except InputError as e:
        raise _fail(where, str(e)) from None


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"expected an integer UCDP actor id, got {value!r}")
    return value


def _aliases(raw: Any, where: str) -> list[Alias]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        raise _fail(where, "'aliases' must map a language (en, fr, ar, mul) to a list")
    out: list[Alias] = []
    for lang, items in raw.items():
        if lang not in _LANGS:
            raise _fail(where, f"unknown alias language {lang!r}; use one of {sorted(_LANGS)}")
        if not isinstance(items, list):
            raise _fail(where, f"aliases.{lang} must be a list")
        for item in items:
            spec = {"text": item} if isinstance(item, str) else item
            if not isinstance(spec, Mapping) or not isinstance(spec.get("text"), str):
                raise _fail(where, f"alias {item!r} must be a string or a mapping with 'text'")
            extra = set(spec) - _ALIAS_FIELDS
            if extra:
                raise _fail(where, f"alias {spec['text']!r} has unknown field(s) {sorted(extra)}")
            text = spec["text"].strip()
            if not normalize(text):
                raise _fail(where, f"alias {item!r} has no letters or digits")
            out.append(
                Alias(
                    text=text,
                    normalized=normalize(text),
                    actor_id="",
                    lang=lang,
                    ambiguous=bool(spec.get("ambiguous", False)),
                    context=spec.get("context"),
                    case_sensitive=bool(spec.get("case_sensitive", False)),
                    valid_from=_date(spec.get("from"), f"{where}, alias {text!r}", end=False),
                    valid_to=_date(spec.get("to"), f"{where}, alias {text!r}", end=True),
                    is_name=bool(spec.get("name", False)),
                )
            )
    return out


def _members(raw: Any, where: str) -> list[tuple[str, dt.date | None, dt.date | None]]:
    out = []
    for item in raw or []:
        spec = {"key": item} if isinstance(item, str) else item
        if not isinstance(spec, Mapping) or not isinstance(spec.get("key"), str):
            raise _fail(where, f"member {item!r} must be a key or a mapping with 'key'")
        extra = set(spec) - {"key", "from", "to"}
        if extra:
            raise _fail(where, f"member {spec['key']!r} has unknown field(s) {sorted(extra)}")
        out.append(
            (
                spec["key"],
                _date(spec.get("from"), where, end=False),
                _date(spec.get("to"), where, end=True),
            )
        )
    return out


def parse_curated(doc: Any, *, label: str = "curated.yaml") -> list[CuratedEntry]:
    """Validate a loaded curated document and return its entries.

    >>> parse_curated({"version": 1, "actors": [{"key": "x"}]})
    Traceback (most recent call last):
    ...
    accordwatch.errors.InputError: curated actors, curated.yaml entry 'x': missing 'source'; ...
    """
    if (
        not isinstance(doc, Mapping)
        or doc.get("version") != 1
        or not isinstance(doc.get("actors"), list)
    ):
        raise InputError(f"{label}: expected a mapping with 'version: 1' and a list under 'actors'")
    entries: list[CuratedEntry] = []
    seen: set[str] = set()
    for n, raw in enumerate(doc["actors"], start=1):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("key"), str):
            raise InputError(f"{label}: actor #{n} must be a mapping with a string 'key'")
        key = raw["key"]
        where = f"{label} entry {key!r}"
        if key in seen:
            raise _fail(where, "duplicate key; each key must appear once")
        seen.add(key)
        extra = set(raw) - _FIELDS
        if extra:
            raise _fail(where, f"unknown field(s) {sorted(extra)}; allowed: {sorted(_FIELDS)}")
        source = raw.get("source")
        if not isinstance(source, str) or not source.strip():
            raise _fail(where, "missing 'source'; every entry must say where its facts come from")
        kind = raw.get("kind")
        if kind is not None and kind not in KINDS:
            raise _fail(where, f"unknown kind {kind!r}; use one of {sorted(KINDS)}")
        ucdp_id = raw.get("ucdp_id")
        entries.append(
            CuratedEntry(
                key=key,
                ucdp_id=None if ucdp_id is None else _int(ucdp_id, where),
                ucdp_codes=tuple(_int(x, where) for x in raw.get("ucdp_codes") or []),
                name=raw.get("name"),
                kind=kind,
                country=raw.get("country"),
                valid_from=_date(raw.get("valid_from"), where, end=False),
                valid_to=_date(raw.get("valid_to"), where, end=True),
                successors=tuple(raw.get("successors") or []),
                members=tuple(_members(raw.get("members"), where)),
                aliases=tuple(_aliases(raw.get("aliases"), where)),
                source=" ".join(source.split()),
                note=" ".join(raw["note"].split()) if raw.get("note") else None,
            )
        )
    return entries


def base_aliases(actor: Actor) -> list[Alias]:
    """The aliases an actor gets from its data: its name and every UCDP name.

    >>> [a.text for a in base_aliases(Actor(actor_id="ucdp:1", name="A", ucdp_names=("A", "B")))]
    ['A', 'B']
    """
    texts = dict.fromkeys([actor.name, *actor.ucdp_names, *actor.aliases])
    return [
        Alias(
            text=t,
            normalized=normalize(t),
            actor_id=actor.actor_id,
            lang="en",
            case_sensitive=_short_acronym(t),
            is_name=True,
            source=actor.source or "UCDP",
        )
        for t in texts
        if normalize(t)
    ]


def _short_acronym(text: str) -> bool:
    """Upper-case names of at most three characters ("IS", "RJ") collide with words.

    >>> _short_acronym("IS"), _short_acronym("JNIM"), _short_acronym("Is")
    (True, False, False)
    """
    core = normalize(text).replace(" ", "")
    return len(core) <= 3 and text.isupper()


def merge(
    base: Iterable[Actor], entries: Iterable[CuratedEntry], *, label: str = "curated.yaml"
) -> tuple[dict[str, Actor], list[Alias]]:
    """Merge curated entries into base actors; return actors by id and every alias.

    An entry with ``ucdp_id`` enriches that UCDP actor (which must exist); other
    entries become new actors. Predecessors are derived from successors.
    """
    actors = {a.actor_id: a for a in base}
    entries = list(entries)
    handles: dict[str, str] = {e.key: e.actor_id for e in entries}

    def ref(key: str, where: str) -> str:
        if key in handles:
            return handles[key]
        if key in actors:
            return key
        raise _fail(
            where, f"refers to unknown actor {key!r}; use a key of this file or an actor id"
        )

    aliases: list[Alias] = []
    for e in entries:
        where = f"{label} entry {e.key!r}"
        old = actors.get(e.actor_id)
        if e.ucdp_id is not None and old is None:
            raise _fail(where, f"UCDP actor {e.ucdp_id} is not in the UCDP tables; check the id")
        ucdp_names = old.ucdp_names if old else ()
        name = e.name or (old.name if old else e.key)
        alias_texts = [a.text for a in e.aliases]
        actors[e.actor_id] = Actor(
            actor_id=e.actor_id,
            name=name,
            ucdp_ids=tuple(dict.fromkeys([*(old.ucdp_ids if old else ()), *e.ucdp_codes])),
            aliases=tuple(dict.fromkeys(t for t in [*ucdp_names, *alias_texts] if t != name)),
            kind=e.kind or (old.kind if old else None),
            country=e.country or (old.country if old else None),
            countries=old.countries if old else ((e.country,) if e.country else ()),
            first_year=old.first_year if old else None,
            last_year=old.last_year if old else None,
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            successors=tuple(ref(s, where) for s in e.successors),
            members=tuple(
                Membership(actor_id=ref(k, where), valid_from=f, valid_to=t, source=e.source)
                for k, f, t in e.members
            ),
            ucdp_names=ucdp_names,
            source=e.source if not old else f"{old.source}; {e.source}",
            note=e.note,
            curated=True,
        )
        aliases.append(
            Alias(
                text=name,
                normalized=normalize(name),
                actor_id=e.actor_id,
                lang="en",
                is_name=True,
                source=e.source,
            )
        )
        for a in e.aliases:
            context = a.context or (e.country if a.ambiguous else None)
            if a.ambiguous and context is None:
                raise _fail(where, f"ambiguous alias {a.text!r} needs a 'context' country")
            aliases.append(
                dataclasses.replace(a, actor_id=e.actor_id, context=context, source=e.source)
            )

    # Derive predecessors from successors.
    preds: dict[str, list[str]] = {}
    for actor in actors.values():
        for s in actor.successors:
            preds.setdefault(s, []).append(actor.actor_id)
    for aid, ps in preds.items():
        actors[aid] = dataclasses.replace(actors[aid], predecessors=tuple(ps))
    curated_keys = {(a.actor_id, a.normalized) for a in aliases}
    for actor in actors.values():
        aliases.extend(
            x
            for x in base_aliases(actor)
            if not actor.curated
            or (x.text in actor.ucdp_names and (actor.actor_id, x.normalized) not in curated_keys)
        )
    return actors, aliases
