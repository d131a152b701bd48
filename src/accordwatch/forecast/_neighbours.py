"""Which countries share a land border, from the bundled PRIO-GRID → VIEWS country table.

Two countries are neighbours when a PRIO-GRID cell of one touches (edge or
corner) a cell of the other. PRIO-GRID numbers 0.5° cells row by row from the
south-west corner, 720 to a row, so the cells around ``gid`` are ``gid ± 1``,
``gid ± 720`` and the four diagonals. Sea borders are not neighbours.

The pooled model uses this to give every country the recent deaths of the
countries around it (wars spill over borders). It applies only to panels whose
units are VIEWS countries (``load_views_cm``): :func:`neighbour_matrix` checks
every unit's id *and* name against the bundled VIEWS country table and returns
``None`` for anything else (admin-1 regions, grid cells, GW-coded countries).

Example:
    >>> nb = country_neighbours()
    >>> names = country_names()
    >>> mali = next(i for i, n in names.items() if n == "Mali")
    >>> sorted(names[c] for c in nb[mali])[:3]
    ['Algeria', 'Burkina Faso', "Cote d'Ivoire"]
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

__all__ = ["country_names", "country_neighbours", "neighbour_matrix"]

_ROW = 720  # PRIO-GRID cells per row (0.5° of longitude)


def _views_table(name: str) -> pd.DataFrame:
    with (files("accordwatch") / "data" / "views" / name).open("rb") as fh:
        return pd.read_parquet(fh)


@lru_cache(maxsize=1)
def country_names() -> dict[int, str]:
    """VIEWS ``country_id`` → country name, from the bundled table."""
    table = _views_table("country_views_reporting.parquet")
    return {int(c): str(n) for c, n in zip(table["country_id"], table["name"], strict=True)}


@lru_cache(maxsize=1)
def country_neighbours() -> dict[int, frozenset[int]]:
    """VIEWS ``country_id`` → the ids of the countries it borders on land."""
    cells = _views_table("priogrid_views_reporting.parquet")
    owner = pd.Series(cells["country_id"].to_numpy(), index=cells["priogrid_id"].to_numpy())
    gid = owner.index.to_numpy()
    col = (gid - 1) % _ROW
    pairs = []
    for drow in (-1, 0, 1):
        for dcol in (-1, 0, 1):
            if drow == dcol == 0:
                continue
            ncol = (col + dcol) % _ROW  # the grid wraps around at the date line
            other = gid - col + ncol + drow * _ROW
            there = owner.reindex(other).to_numpy()
            pairs.append(np.column_stack([owner.to_numpy(), there]))
    both = np.concatenate(pairs)
    both = both[np.isfinite(both[:, 1]) & (both[:, 0] != both[:, 1])].astype(int)
    out: dict[int, set[int]] = {c: set() for c in country_names()}
    for a, b in np.unique(both, axis=0):
        out.setdefault(int(a), set()).add(int(b))
        out.setdefault(int(b), set()).add(int(a))
    return {c: frozenset(v) for c, v in out.items()}


def neighbour_matrix(unit_id: np.ndarray, unit: np.ndarray) -> np.ndarray | None:
    """0/1 matrix ``A[i, j] = 1`` when units ``i`` and ``j`` are bordering VIEWS countries.

    Returns ``None`` unless every unit is a VIEWS country (its id and its name
    both match the bundled table), so other panels never get wrong neighbours.

    >>> neighbour_matrix(np.array([1, 4]), np.array(["Guyana", "Venezuela"])).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    >>> neighbour_matrix(np.array([432]), np.array(["Mali"])) is None
    True
    """
    names = country_names()
    ids = [int(u) for u in unit_id]
    if not ids or any(names.get(u) != str(n) for u, n in zip(ids, unit, strict=True)):
        return None
    nb = country_neighbours()
    pos = {u: i for i, u in enumerate(ids)}
    adj = np.zeros((len(ids), len(ids)))
    for u, i in pos.items():
        for v in nb.get(u, ()):
            if v in pos:
                adj[i, pos[v]] = 1.0
    return adj
