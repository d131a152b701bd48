"""Speed of accordwatch.geo on this machine: prints figures, asserts nothing.

    python benchmarks/bench_geo.py [--points 400000] [--repeat 3]

Points are drawn uniformly over the bounding box of the bundled admin-1
units (West Africa, lat 4–28, lon −18–16), so about 60 % fall inside a unit.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=400_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from accordwatch.geo import AdminIndex, Gazetteer, priogrid_gid

    print(f"import accordwatch.geo           {time.perf_counter() - t0:8.3f} s")
    t0 = time.perf_counter()
    idx = AdminIndex.default()
    print(
        f"AdminIndex.default() (cold)      {time.perf_counter() - t0:8.3f} s  ({len(idx.units)} units)"
    )
    t0 = time.perf_counter()
    gaz = Gazetteer.default()
    print(
        f"Gazetteer.default() (cold)       {time.perf_counter() - t0:8.3f} s  ({len(gaz)} places)"
    )

    rng = np.random.default_rng(0)
    n = args.points
    lat, lon = rng.uniform(4, 28, n), rng.uniform(-18, 16, n)

    sec = best_of(args.repeat, lambda: idx.locate(lat, lon))
    inside = idx.locate(lat, lon)["admin1"].notna().mean()
    print(
        f"locate, {n:,} points           {sec:8.3f} s  {n / sec:12,.0f} points/s  ({inside:.0%} inside)"
    )
    sec = best_of(args.repeat, lambda: priogrid_gid(lat, lon))
    print(f"priogrid_gid, {n:,} points     {sec:8.3f} s  {n / sec:12,.0f} points/s")

    queries = ["Kidal", "Tombouctou", "Anéfis", "Ber", "Léré", "Tessalit", "Gao", "Ménaka"] * 50
    sec = best_of(args.repeat, lambda: [gaz.lookup(q) for q in queries])
    print(
        f"lookup exact, {len(queries)} queries         {sec:8.3f} s  {len(queries) / sec:12,.0f} lookups/s"
    )
    typos = ["Kidall", "Tombuctou", "Tessalite", "Tinzawaten"] * 10
    sec = best_of(args.repeat, lambda: [gaz.lookup(q, fuzzy=True) for q in typos])
    print(
        f"lookup fuzzy, {len(typos)} queries          {sec:8.3f} s  {len(typos) / sec:12,.0f} lookups/s"
    )
    t0 = time.perf_counter()
    forms = sum(1 for _ in gaz.iter_names())
    print(f"iter_names                       {time.perf_counter() - t0:8.3f} s  ({forms:,} forms)")


if __name__ == "__main__":
    main()
