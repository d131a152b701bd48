"""Large workloads for the cluster runs and their benchmark: a SYNTHETIC PRIO-GRID-month panel
of Africa and a corpus of many documents recombined from the project's own texts.

**The panel is synthetic.** Its country totals are real — the bundled VIEWS country-month
series of UCDP GED state-based deaths, 1990–2022 — but how each country's deaths are spread
over its PRIO-GRID cells is made up: each country's cells (the bundled VIEWS table of cells
and countries) get fixed weights drawn once from a Gamma(``concentration``, 1) distribution
(a small shape puts most of the weight on a few cells: hotspots), and every month the
country's deaths are dealt to its cells by a multinomial draw with those weights, so each
country-month sum is exactly the real one.  The draws are seeded per country
(``numpy.random.default_rng([seed, gwcode])``), so a country's cells get the same series
whether it is generated alone or with the others.  Use it to measure the machinery, never as
data about where people died.

Countries are those of the VIEWS series with a Gleditsch–Ward code from 400 to 626 (Africa,
North Africa included); a country id that VIEWS retired (Sudan before 2011, Ethiopia before
1993, …) counts for the country of the same Gleditsch–Ward code, so a cell's series runs over
the months its country exists (South Sudan's cells from July 2011).  Countries without cells
in the VIEWS table (The Gambia) are left out.

The corpus (:func:`recombined_corpus`) is built from texts the caller names — for the
benchmark the project's own test texts ``tests/data/extract/*.txt``, written for
accordwatch (never third-party text): every document is a few paragraphs of one source
text, drawn and ordered at random (seeded).

Example:
    >>> panel = synthetic_priogrid_panel(["Mali"], seed=0)
    >>> int(panel["unit_id"].nunique()), int(panel["month_id"].min()), int(panel["month_id"].max())
    (427, 121, 516)
    >>> from accordwatch.forecast import load_views_cm
    >>> cm = load_views_cm()
    >>> real = cm[cm.unit == "Mali"].set_index("month_id")["y"]
    >>> bool((panel.groupby("month_id")["y"].sum() == real).all())
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "AFRICA_GW",
    "africa_cells",
    "recombined_corpus",
    "synthetic_priogrid_panel",
]

#: Gleditsch–Ward codes of Africa (Cape Verde 402 … South Sudan 626)
AFRICA_GW = (400, 626)


def _views(name: str) -> Path:
    return Path(str(files("accordwatch").joinpath("data", "views", name)))


def _country_series() -> pd.DataFrame:
    """The bundled VIEWS series of Africa: ``gwcode, country, month_id, y`` (one row per
    country and month; retired ids summed into their Gleditsch–Ward code)."""
    cm = pd.read_csv(_views("ged_sb_cm_1990_2022.csv.gz"))
    lo, hi = AFRICA_GW
    cm = cm[(cm["gwcode"] >= lo) & (cm["gwcode"] <= hi)]
    names = cm.sort_values("month_id").groupby("gwcode")["country"].last()
    sums = cm.groupby(["gwcode", "month_id"])["ucdp_ged_sb_best_sum"].sum()
    out = pd.DataFrame(sums.rename("y")).reset_index()
    out["country"] = out["gwcode"].map(names)
    return out


def africa_cells() -> pd.DataFrame:
    """The PRIO-GRID cells of Africa in the bundled VIEWS table: ``priogrid_gid, gwcode,
    country``, sorted by cell."""
    cm = pd.read_csv(_views("ged_sb_cm_1990_2022.csv.gz"))
    lo, hi = AFRICA_GW
    cm = cm[(cm["gwcode"] >= lo) & (cm["gwcode"] <= hi)]
    ids = cm.sort_values("month_id").drop_duplicates("country_id", keep="last")
    gw = ids.set_index("country_id")["gwcode"]
    name = cm.sort_values("month_id").groupby("gwcode")["country"].last()
    pg = pd.read_parquet(_views("priogrid_views_reporting.parquet"))
    pg = pg[pg["country_id"].isin(gw.index)]
    out = pd.DataFrame(
        {
            "priogrid_gid": pg["priogrid_id"].astype("int64").to_numpy(),
            "gwcode": pg["country_id"].map(gw).astype("int64").to_numpy(),
        }
    )
    out["country"] = out["gwcode"].map(name)
    return out.sort_values("priogrid_gid", kind="stable").reset_index(drop=True)


def synthetic_priogrid_panel(
    countries: Sequence[str] | None = None,
    *,
    seed: int = 0,
    concentration: float = 0.3,
    max_cells: int | None = None,
) -> pd.DataFrame:
    """A SYNTHETIC PRIO-GRID-month panel (``unit_id`` = cell, ``unit``, ``month_id``, ``y``)
    whose country-month sums are the real VIEWS series (module docs: how it is made).

    ``countries`` are names as in the VIEWS file (``None``: all of Africa, about 10,000
    cells); ``max_cells`` keeps each country's first cells by id (and scales nothing: the
    kept cells get their share of the country's deaths, the rest is dropped) — for a bounded
    benchmark slice.
    """
    if not concentration > 0:
        raise InputError(f"concentration must be above 0 (got {concentration}).")
    series = _country_series()
    cells = africa_cells()
    if countries is not None:
        known = set(cells["country"])
        unknown = [c for c in countries if c not in known]
        if unknown:
            raise InputError(
                f"no African country with cells is called {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(known))}."
            )
        cells = cells[cells["country"].isin(list(countries))]
    frames = []
    for gw in sorted(int(g) for g in cells["gwcode"].unique()):
        gids = cells.loc[cells["gwcode"] == gw, "priogrid_gid"].to_numpy()
        rows = series[series["gwcode"] == gw].sort_values("month_id")
        rng = np.random.default_rng([int(seed), gw])
        weights = rng.gamma(concentration, 1.0, size=len(gids))
        p = weights / weights.sum()
        deaths = np.rint(rows["y"].to_numpy()).astype(np.int64)
        dealt = np.stack([rng.multinomial(int(d), p) for d in deaths])  # months × cells
        keep = slice(None) if max_cells is None else slice(0, int(max_cells))
        gids, dealt = gids[keep], dealt[:, keep]
        months = rows["month_id"].to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "unit_id": np.repeat(gids, len(months)).astype("int64"),
                    "month_id": np.tile(months, len(gids)).astype("int64"),
                    "y": dealt.T.ravel().astype("float64"),
                }
            )
        )
    if not frames:
        raise InputError("no cells chosen; name African countries with cells.")
    out = pd.concat(frames, ignore_index=True)
    out.insert(1, "unit", out["unit_id"].astype(str))
    return out.sort_values(["unit_id", "month_id"], kind="stable").reset_index(drop=True)


def recombined_corpus(
    sources: Sequence[Path],
    folder: Path,
    n_docs: int,
    *,
    seed: int = 0,
    paragraphs: tuple[int, int] = (1, 4),
) -> list[Path]:
    """Write ``n_docs`` documents ``doc_000001.txt`` … into ``folder`` (created), each of
    ``paragraphs[0]``–``paragraphs[1]`` paragraphs of one source text (blank-line separated;
    a first line ``SOURCE: …`` is left out) in a random order; returns their paths."""
    pools: list[list[str]] = []
    for src in sources:
        text = Path(src).read_text(encoding="utf-8")
        if text.startswith("SOURCE:"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        paras = [p.strip() for p in text.split("\n\n") if p.strip()]
        if paras:
            pools.append(paras)
    if not pools:
        raise InputError("no paragraphs in the source texts; give texts with some content.")
    lo, hi = paragraphs
    if not 1 <= lo <= hi:
        raise InputError(f"paragraphs must be (least, most) with 1 <= least <= most: {paragraphs}")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    width = max(6, len(str(n_docs)))
    paths = []
    for i in range(1, int(n_docs) + 1):
        pool = pools[int(rng.integers(len(pools)))]
        k = int(rng.integers(lo, hi + 1))
        picked = [pool[int(j)] for j in rng.integers(0, len(pool), size=k)]
        path = folder / f"doc_{i:0{width}d}.txt"
        path.write_text("\n\n".join(picked) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
