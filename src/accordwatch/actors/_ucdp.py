"""Base layer of the registry: every actor named in UCDP's dyadic, ACD and GED tables.

UCDP writes several actors in one cell when they fight on the same side:
``side_b = "Ansar Dine, AQIM, MUJAO, Signed-in-Blood Battalion"`` with
``side_b_id = "1157, 1161, 3481, 539"``. The two lists are sorted independently
(names alphabetically, ids as text), so position does *not* pair a name with its
id; names may themselves contain commas inside parentheses ("Military faction
(forces of Honasan, Abenina & Zumel)"). Pairs are therefore taken from cells that
hold a single actor, and a multi-actor cell only contributes the pairs it implies.
``side_*_2nd`` (secondary warring parties) carry names only; their ids come from
the same pairs, and a secondary party UCDP never records under its own id gets a
slug id (``"government-of-armenia"``).

In GED, one id can stand for a joint actor written as a list
(``"FPRC, MPC"`` is actor 6699): such actors become coalitions whose members are
the actors of those names.

>>> split_names("CPP, Military faction (forces of Honasan, Abenina & Zumel)")
['CPP', 'Military faction (forces of Honasan, Abenina & Zumel)']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from accordwatch.actors._model import Actor, Membership
from accordwatch.actors._normalize import normalize
from accordwatch.errors import InputError

__all__ = ["base_actors", "slugify", "split_ids", "split_names"]

_SIDE_COLS = (
    "side_a",
    "side_a_id",
    "side_a_2nd",
    "side_b",
    "side_b_id",
    "side_b_2nd",
    "year",
    "location",
)
_GED_COLS = (
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "side_b",
    "year",
    "country",
    "type_of_violence",
)
_GOV = "Government of "


def split_names(cell: str) -> list[str]:
    """Split a UCDP multi-actor cell at the commas that are not inside parentheses.

    >>> split_names("Government of Cambodia (Kampuchea), Government of Chad")
    ['Government of Cambodia (Kampuchea)', 'Government of Chad']
    >>> split_names("")
    []
    """
    return list(_split_cached(cell))


@lru_cache(maxsize=4096)
def _split_cached(cell: str) -> tuple[str, ...]:
    out: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in cell:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return tuple(n for n in out if n)


def split_ids(cell: str, *, where: str) -> list[int]:
    """Parse a UCDP id cell (``"1157, 1161"``) into ints.

    >>> split_ids("1157, 539", where="x")
    [1157, 539]
    """
    out: list[int] = []
    for part in str(cell).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(int(float(part)))
        except ValueError:
            raise InputError(
                f"{where}: actor id {part!r} is not a number; UCDP ids are integers"
            ) from None
    return out


@lru_cache(maxsize=8192)
def slugify(name: str) -> str:
    """A stable, readable id for an actor without a UCDP id.

    >>> slugify("Government of Côte d'Ivoire")
    'government-of-cote-d-ivoire'
    """
    return re.sub(r"\s+", "-", normalize(name))


@dataclass
class _Acc:
    """Accumulates what the tables say about one actor."""

    names: list[str] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    countries: list[str] = field(default_factory=list)
    in_state_based: bool = False
    members: list[str] = field(default_factory=list)  # names, for GED joint actors
    sources: set[str] = field(default_factory=set)

    def add(self, name: str, year: int | None, countries: Iterable[str], source: str) -> None:
        if name and name not in self.names:
            self.names.append(name)
        if year is not None:
            self.years.add(year)
        for c in countries:
            if c and c not in self.countries:
                self.countries.append(c)
        self.sources.add(source)


def _frame(df: pd.DataFrame | None, cols: tuple[str, ...], label: str) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in cols})
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            f"{label}: missing column(s) {', '.join(missing)}; "
            "pass the UCDP file with its original header"
        )
    out = df.loc[:, list(cols)].astype(str).replace({"nan": "", "None": "", "<NA>": ""})
    return out.astype(object).drop_duplicates()


def _year(value: str, where: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        raise InputError(f"{where}: year {value!r} is not a number") from None


def base_actors(
    dyadic: pd.DataFrame | None = None,
    acd: pd.DataFrame | None = None,
    ged: pd.DataFrame | None = None,
) -> list[Actor]:
    """Build one :class:`Actor` per UCDP actor named in the given tables.

    Any table may be ``None``. Later tables never override the canonical name an
    earlier one gave (pass the newest version first); other names become aliases.

    >>> import pandas as pd
    >>> d = pd.DataFrame({"side_a": ["Government of Mali"], "side_a_id": ["72"], "side_a_2nd": [""],
    ...     "side_b": ["JNIM"], "side_b_id": ["6716"], "side_b_2nd": [""], "year": ["2017"],
    ...     "location": ["Mali"]})
    >>> for a in base_actors(dyadic=d):
    ...     print(a.actor_id, a.name, a.kind, a.country, sep=" | ")
    ucdp:6716 | JNIM | rebel | Mali
    ucdp:72 | Government of Mali | government | Mali
    """
    tables = [
        ("UCDP Dyadic", _frame(dyadic, _SIDE_COLS, "dyadic table")),
        ("UCDP/PRIO ACD", _frame(acd, _SIDE_COLS, "ACD table")),
    ]
    g = _frame(ged, _GED_COLS, "GED table")

    # 1. name <-> id pairs from single-actor cells.
    id2name: dict[int, str] = {}
    name2ids: dict[str, list[int]] = defaultdict(list)

    def pair(i: int, n: str) -> None:
        id2name.setdefault(i, n)
        if i not in name2ids[n]:
            name2ids[n].append(i)

    for label, df in tables:
        for side in ("side_a", "side_b"):
            for n, i in zip(df[side], df[f"{side}_id"], strict=True):
                ids = split_ids(i, where=f"{label} {side}_id")
                if len(ids) == 1 and n.strip():
                    pair(ids[0], n.strip())
    for side in ("side_a", "side_b"):
        for n, i in zip(g[side], g[f"{side}_new_id"], strict=True):
            ids = split_ids(i, where=f"GED {side}_new_id")
            if len(ids) == 1 and n.strip():
                pair(ids[0], n.strip())

    # 2. pairs implied by multi-actor cells (an id that never fights alone).
    for label, df in tables:
        for side in ("side_a", "side_b"):
            cells = df[[side, f"{side}_id"]].drop_duplicates()
            for n, i in zip(cells[side], cells[f"{side}_id"], strict=True):
                ids = split_ids(i, where=f"{label} {side}_id")
                if len(ids) > 1:
                    known = {id2name[x] for x in ids if x in id2name}
                    for x, name in _match(
                        ids, _names(n, known, single=False), id2name, where=f"{label} {side}"
                    ):
                        pair(x, name)

    # Names of GED joint actors ("FPRC, MPC") are not atoms for splitting other joint names.
    state_names = {n for _, df in tables for side in ("side_a", "side_b") for n in df[side]}
    atoms = {n for n in name2ids if n in state_names or len(split_names(n)) == 1}
    accs: dict[int | str, _Acc] = defaultdict(_Acc)
    second: dict[str, list[str]] = {}

    # 3. primary sides of the dyadic / ACD tables.
    for label, df in tables:
        for row in df.itertuples(index=False):
            year = _year(str(row.year), label)
            countries = split_names(str(row.location))
            for side in ("side_a", "side_b"):
                ids = split_ids(getattr(row, f"{side}_id"), where=f"{label} {side}_id")
                known = {id2name[i] for i in ids if i in id2name}
                names = _names(getattr(row, side), known, single=len(ids) == 1)
                for i, n in _match(ids, names, id2name, where=f"{label} {year} {side}"):
                    acc = accs[i]
                    acc.add(n, year, _countries_for(n, countries), label)
                    acc.in_state_based = True
                cell = getattr(row, f"{side}_2nd")
                if cell not in second:
                    second[cell] = _names(cell, name2ids.keys(), single=False)
                for n in second[cell]:
                    key = _key_for_name(n, name2ids)
                    accs[key].add(n, year, _countries_for(n, countries), label)

    # 4. GED sides.
    for row in g.itertuples(index=False):
        year = _year(str(row.year), "GED")
        countries = [str(row.country)] if row.country else []
        for side in ("side_a", "side_b"):
            name = getattr(row, side).strip()
            ids = split_ids(getattr(row, f"{side}_new_id"), where=f"GED {side}_new_id")
            if not ids or not name:
                continue
            acc = accs[ids[0]]
            acc.add(name, year, _countries_for(name, countries), "UCDP GED")
            parts = _names(name, atoms, single=False, exclude=name)
            if len(parts) > 1 and not acc.members:
                acc.members = parts

    # Names of GED joint actors that UCDP never records alone become actors of their own.
    for acc in list(accs.values()):
        for n in acc.members:
            key = _key_for_name(n, name2ids)
            if key not in accs:
                accs[key].add(n, None, [], "UCDP GED")

    return sorted((_build(k, a, name2ids) for k, a in accs.items()), key=lambda a: a.actor_id)


def _names(cell: str, known: Collection[str], *, single: bool, exclude: str = "") -> list[str]:
    """Split a cell into actor names, keeping names that contain ", " whole when known.

    >>> junta = "Military Junta for the Consolidation of Democracy, Peace and Justice"
    >>> _names(f"{junta}, RUF", {junta}, single=False) == [junta, "RUF"]
    True
    """
    cell = cell.strip()
    if not cell:
        return []
    if single or (cell in known and cell != exclude):
        return [cell]
    parts = split_names(cell)
    out: list[str] = []
    j = 0
    while j < len(parts):
        for k in range(len(parts) - j, 1, -1):
            joined = ", ".join(parts[j : j + k])
            if joined in known and joined != exclude:
                out.append(joined)
                j += k
                break
        else:
            out.append(parts[j])
            j += 1
    return out


def _match(
    ids: list[int], names: list[str], id2name: dict[int, str], *, where: str
) -> list[tuple[int, str]]:
    """Pair ids with names in one cell, using pairs known from single-actor cells."""
    if len(ids) != len(names):
        raise InputError(
            f"{where}: {len(ids)} id(s) {ids} but {len(names)} name(s) {names}; "
            "check the file is an unmodified UCDP release"
        )
    if len(ids) == 1:
        return [(ids[0], names[0])]
    pairs: list[tuple[int, str]] = []
    left_ids: list[int] = []
    left_names = list(names)
    for i in ids:
        n = id2name.get(i)
        if n is not None and n in left_names:
            pairs.append((i, n))
            left_names.remove(n)
        else:
            left_ids.append(i)
    if len(left_ids) == 1:
        pairs.append((left_ids[0], left_names[0]))
    elif left_ids:
        raise InputError(
            f"{where}: cannot tell which of ids {left_ids} belongs to which of {left_names}; "
            "UCDP sorts the two lists separately, so each id must also appear alone somewhere"
        )
    return pairs


def _key_for_name(name: str, name2ids: dict[str, list[int]]) -> int | str:
    ids = name2ids.get(name, [])
    return ids[0] if len(ids) == 1 else slugify(name)


def _countries_for(name: str, locations: list[str]) -> list[str]:
    if name.startswith(_GOV):
        return [name[len(_GOV) :]]
    return locations


def _kind(name: str, acc: _Acc) -> str:
    if name.startswith(_GOV):
        return "government"
    if name.startswith("Military faction"):
        return "military_faction"
    if name == "Civilians":
        return "civilians"
    if acc.members:
        return "coalition"
    return "rebel" if acc.in_state_based else "non_state"


def _build(key: int | str, acc: _Acc, name2ids: dict[str, list[int]]) -> Actor:
    name = acc.names[0]
    is_id = isinstance(key, int)
    actor_id = f"ucdp:{key}" if is_id else str(key)
    country: str | None
    if name.startswith(_GOV):
        country = name[len(_GOV) :]
    else:
        country = acc.countries[0] if len(acc.countries) == 1 else None
    members = tuple(
        Membership(actor_id=_ref(_key_for_name(n, name2ids)), source="UCDP GED joint actor")
        for n in acc.members
    )
    src = ", ".join(sorted(acc.sources))
    note = None if is_id else "named by UCDP as a party but without an actor id of its own"
    return Actor(
        actor_id=actor_id,
        name=name,
        ucdp_ids=(key,) if isinstance(key, int) else (),
        aliases=tuple(acc.names[1:]),
        kind=_kind(name, acc),
        country=country,
        countries=tuple(acc.countries),
        first_year=min(acc.years) if acc.years else None,
        last_year=max(acc.years) if acc.years else None,
        members=members,
        ucdp_names=tuple(acc.names),
        source=src,
        note=note,
    )


def _ref(key: int | str) -> str:
    return f"ucdp:{key}" if isinstance(key, int) else str(key)
