"""Speed of accordwatch.geo on this machine: prints figures, asserts nothing.

    python benchmarks/bench_geo.py [--points 400000] [--repeat 3]

Points are drawn uniformly over the bounding box of the bundled admin-1
units (West Africa, lat 4–28, lon −18–16), so about 60 % fall inside a unit.
Each figure is printed with a baseline measured in the same run on the same
input, and their ratio: ``locate`` against building the shapely points alone,
``priogrid_gid`` against the bare numpy cell formula (no checks), exact lookups
against a plain dict of the gazetteer's surface forms, fuzzy lookups against
one ``rapidfuzz.process.extract`` over those forms.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from rapidfuzz import fuzz, process


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def line(label: str, sec: float, base: float, base_label: str, rate: str = "") -> None:
    """One figure, its same-run baseline and the ratio of the two."""
    print(f"{label:34s} {sec:9.4f} s {rate}")
    print(f"  baseline: {base_label:22s} {base:9.4f} s  ratio {sec / base:6.1f}x")


def bare_gid(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """PRIO-GRID cell numbers by the formula alone (no range or NaN checks)."""
    row = np.floor((lat + 90.0) / 0.5).astype(np.int64)
    col = np.floor((lon + 180.0) / 0.5).astype(np.int64)
    return row * 720 + col + 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=400_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from accordwatch.geo import AdminIndex, Gazetteer, priogrid_gid

    print(f"{'import accordwatch.geo':34s} {time.perf_counter() - t0:9.4f} s")
    t0 = time.perf_counter()
    idx = AdminIndex.default()
    print(
        f"{'AdminIndex.default() (cold)':34s} {time.perf_counter() - t0:9.4f} s "
        f"({len(idx.units)} units)"
    )
    t0 = time.perf_counter()
    gaz = Gazetteer.default()
    print(
        f"{'Gazetteer.default() (cold)':34s} {time.perf_counter() - t0:9.4f} s ({len(gaz)} places)"
    )

    rng = np.random.default_rng(0)
    n = args.points
    lat, lon = rng.uniform(4, 28, n), rng.uniform(-18, 16, n)

    sec = best_of(args.repeat, lambda: idx.locate(lat, lon))
    inside = idx.locate(lat, lon)["admin1"].notna().mean()
    base = best_of(args.repeat, lambda: shapely.points(lon, lat))
    line(
        f"locate, {n:,} points",
        sec,
        base,
        "shapely.points only",
        f"{n / sec:12,.0f} points/s  ({inside:.0%} inside)",
    )
    sec = best_of(args.repeat, lambda: priogrid_gid(lat, lon))
    base = best_of(args.repeat, lambda: bare_gid(lat, lon))
    assert (priogrid_gid(lat, lon) == bare_gid(lat, lon)).all()
    line(
        f"priogrid_gid, {n:,} points", sec, base, "bare numpy formula", f"{n / sec:12,.0f} points/s"
    )

    t0 = time.perf_counter()
    forms = [form for form, _ in gaz.iter_names()]
    print(f"{'iter_names':34s} {time.perf_counter() - t0:9.4f} s ({len(forms):,} forms)")
    plain = {form.casefold(): form for form in forms}
    keys = list(plain)
    queries = ["Kidal", "Tombouctou", "Anéfis", "Ber", "Léré", "Tessalit", "Gao", "Ménaka"] * 50
    sec = best_of(args.repeat, lambda: [gaz.lookup(q) for q in queries])
    base = best_of(args.repeat, lambda: [plain.get(q.casefold()) for q in queries])
    line(
        f"lookup exact, {len(queries)} queries",
        sec,
        base,
        "dict of surface forms",
        f"{len(queries) / sec:12,.0f} lookups/s",
    )
    typos = ["Kidall", "Tombuctou", "Tessalite", "Tinzawaten"] * 10
    sec = best_of(args.repeat, lambda: [gaz.lookup(q, fuzzy=True) for q in typos])
    base = best_of(
        args.repeat,
        lambda: [
            process.extract(q.casefold(), keys, scorer=fuzz.ratio, score_cutoff=85, limit=50)
            for q in typos
        ],
    )
    line(
        f"lookup fuzzy, {len(typos)} queries",
        sec,
        base,
        "rapidfuzz on the forms",
        f"{len(typos) / sec:12,.0f} lookups/s",
    )


if __name__ == "__main__":
    main()
