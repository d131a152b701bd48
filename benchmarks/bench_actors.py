"""Print load and query figures for the actor registry, each beside a same-run baseline.

Run: ``python benchmarks/bench_actors.py`` (from the repository, venv active).

Baselines, measured in the same run on the same input: the first build against reading
its input files (the bundled UCDP tables and the curated YAML); ``resolve`` against a
plain dict of case-folded aliases; ``mentions`` against one compiled regular expression
of every alias scanned over the same text; ``search`` against a plain substring scan of
the aliases.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import pandas as pd
import yaml


def timed(fn: Callable[[], Any], reps: int = 1) -> float:
    """Seconds per call of ``fn`` over ``reps`` calls."""
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def read_inputs() -> None:
    """Read the registry's input files and nothing else (the build's floor)."""
    data = files("accordwatch") / "data"
    for name in ("ucdp-dyadic-251.csv", "ucdp-prio-acd-251.csv", "GEDEvent_v23_1_CAF.csv"):
        with (data / "ucdp" / name).open("rb") as fh:
            pd.read_csv(fh, dtype=str, keep_default_na=False)
    with (data / "actors" / "curated.yaml").open("r", encoding="utf-8") as fh:
        yaml.safe_load(fh)


def human(sec: float) -> str:
    """Seconds in the unit that reads best."""
    return (
        f"{sec:.3f} s"
        if sec >= 0.1
        else f"{sec * 1e3:.3f} ms"
        if sec >= 1e-4
        else f"{sec * 1e6:.2f} µs"
    )


def ratio(label: str, sec: float, base: float, base_label: str) -> None:
    print(f"  {label} {human(sec)}; baseline, {base_label}: {human(base)}; ratio {sec / base:.1f}x")


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
    build = timed(_default.__wrapped__)
    ratio("another build", build, timed(read_inputs), "reading its input files")
    tracemalloc.start()
    _default.__wrapped__()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory of one build: {peak / 2**20:.1f} MiB")
    t3 = time.perf_counter()
    ActorRegistry.default()
    print(f"ActorRegistry.default() cached: {(time.perf_counter() - t3) * 1e6:.1f} µs")

    table = reg.alias_table()
    plain = dict(zip(table["alias"].str.casefold(), table["actor_id"], strict=True))
    aliases = ["CMA", "Forces armées maliennes", "ISGS", "Wagner", "ucdp:8822", "JNIM", "MINUSMA"]
    n = 20_000
    sec = timed(lambda: [reg.resolve(aliases[i % 7], on="2023-09-15") for i in range(n)]) / n
    print(f"resolve(alias, on=...): {1 / sec:,.0f} per s")
    base = timed(lambda: [plain.get(aliases[i % 7].casefold()) for i in range(n)]) / n
    ratio("resolve", sec, base, "a dict of case-folded aliases")

    t5 = time.perf_counter()
    reg.mentions("warm up")
    print(f"mention index build: {time.perf_counter() - t5:.3f} s")
    text = (
        "Le Cadre stratégique permanent accuse l'armée malienne et le groupe Wagner ; "
        "the CMA and JNIM fighters clashed with FAMa near a MINUSMA camp. "
    ) * 50
    reps = 50
    found = reg.mentions(text, country="Mali", on="2023-10-01")
    sec = timed(lambda: reg.mentions(text, country="Mali", on="2023-10-01"), reps)
    words = len(text.split())
    print(f"mentions(): {words / sec:,.0f} words per s ({len(found)} mentions in {words} words)")
    forms = sorted(set(table["alias"]), key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, forms)) + r")\b", re.IGNORECASE)
    base = timed(lambda: list(pattern.finditer(text)), reps)
    ratio("mentions", sec, base, f"one regex of all {len(forms):,} aliases")

    folded = [a.casefold() for a in table["alias"]]
    sec = timed(lambda: reg.search("azawad"), 200)
    print(f"search('azawad'): {sec * 1e3:.2f} ms")
    base = timed(lambda: [a for a in folded if "azawad" in a], 200)
    ratio("search", sec, base, "a substring scan of the aliases")


if __name__ == "__main__":
    main()
