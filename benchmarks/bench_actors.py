"""Print load and query figures for the actor registry.

Run: ``python benchmarks/bench_actors.py`` (from the repository, venv active).
"""

from __future__ import annotations

import time
import tracemalloc


def main() -> None:
    t0 = time.perf_counter()
    from accordwatch.actors import ActorRegistry
    from accordwatch.actors.registry import _default

    t1 = time.perf_counter()
    reg = ActorRegistry.default()
    t2 = time.perf_counter()
    print(f"import accordwatch.actors (pandas, yaml, rapidfuzz): {t1 - t0:.3f} s")
    print(
        f"ActorRegistry.default() first build: {t2 - t1:.3f} s "
        f"({len(reg)} actors, {len(reg.alias_table())} aliases)"
    )
    tracemalloc.start()
    _default.__wrapped__()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory of one build: {peak / 2**20:.1f} MiB")
    t3 = time.perf_counter()
    ActorRegistry.default()
    print(f"ActorRegistry.default() cached: {(time.perf_counter() - t3) * 1e6:.1f} µs")

    aliases = ["CMA", "Forces armées maliennes", "ISGS", "Wagner", "ucdp:8822", "JNIM", "MINUSMA"]
    n = 20_000
    t4 = time.perf_counter()
    for i in range(n):
        reg.resolve(aliases[i % len(aliases)], on="2023-09-15")
    dt = time.perf_counter() - t4
    print(f"resolve(alias, on=...): {n / dt:,.0f} per s")

    t5 = time.perf_counter()
    reg.mentions("warm up")
    print(f"mention index build: {time.perf_counter() - t5:.3f} s")
    text = (
        "Le Cadre stratégique permanent accuse l'armée malienne et le groupe Wagner ; "
        "the CMA and JNIM fighters clashed with FAMa near a MINUSMA camp. "
    ) * 50
    reps = 50
    t6 = time.perf_counter()
    for _ in range(reps):
        found = reg.mentions(text, country="Mali", on="2023-10-01")
    dt = time.perf_counter() - t6
    words = len(text.split())
    print(
        f"mentions(): {words * reps / dt:,.0f} words per s ({len(found)} mentions in {words} words)"
    )

    t7 = time.perf_counter()
    for _ in range(200):
        reg.search("azawad")
    print(f"search('azawad'): {(time.perf_counter() - t7) / 200 * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
