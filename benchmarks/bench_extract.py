"""Extraction figures on annotated texts: scores, and speed beside a same-run baseline.

Prints event precision/recall/F1 (core = non-optional gold events; all), mention recall
for places and actors, agreement of death figures, what was missed, and the time taken.
The speed baseline is a trivial pass over the same text, measured in the same run: one
regular-expression scan for words, each looked up in a set of the words of the trigger patterns in
``data/extract/triggers.yaml``; the ratio says how much the rules cost over reading the text.

    python benchmarks/bench_extract.py                     # the development set in tests/data
    python benchmarks/bench_extract.py GOLD.json TEXT      # one annotated text
    python benchmarks/bench_extract.py --dev-set DIR       # every NAME.gold.json + NAME.txt in DIR
    python benchmarks/bench_extract.py --speed             # throughput, 100 KB to 10 MB

``--speed`` builds long inputs by repeating the project's own test texts
(``tests/data/extract/*.txt``), runs each size in a fresh process pinned to one core and
prints, per size: the extraction's CPU time after start-up (``time.process_time``: the
per-core figure) beside its wall time, throughput in KB/s of CPU time (and of wall time),
that throughput relative to the first size (constant with size means about 1.00), the
same-run baseline (one regular-expression pass over the same text) and the ratio of the
two, the peak resident memory of the process, and the load average when it ran.
``--sizes 1000,2000`` (KB) picks the sizes, ``--one-line-sizes 10000`` those also run as a
single line without line breaks (``--no-single-line`` skips them).  With ``--dev-set DIR``
it first prints the throughput on those texts (real prose, each extracted on its own).

Options: ``--published YYYY-MM-DD`` (else the gold file's), ``--min-confidence 0.5``,
``--quiet`` (totals only). Texts are read from the paths given; none is stored. A first
line starting with ``SOURCE:`` is a source header and is left out of the extraction.
Scores use :func:`accordwatch.extract.evaluate.score` (strict: same type, date to the
gold's precision, same place).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from accordwatch.extract import extract_path, extract_text
from accordwatch.extract._actors import ActorFinder
from accordwatch.extract._places import PlaceFinder
from accordwatch.extract.evaluate import load_gold, score

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "extract"
DEV_PAIRS = [
    (DEV / "dev_fr.gold.json", DEV / "dev_fr.txt"),
    (DEV / "dev_en.gold.json", DEV / "dev_en.txt"),
]
_WORD = re.compile(r"\w+")


def trigger_words() -> frozenset[str]:
    """Every word of every trigger phrase in the bundled trigger file, case-folded."""
    doc = yaml.safe_load(
        files("accordwatch").joinpath("data", "extract", "triggers.yaml").read_text("utf-8")
    )
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, str):
            words.update(w.casefold() for w in _WORD.findall(node))
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return frozenset(words)


def baseline(text: str, words: frozenset[str]) -> int:
    """The trivial pass: scan the text for words and count those that are trigger words."""
    return sum(1 for m in _WORD.finditer(text) if m.group().casefold() in words)


@dataclass
class Totals:
    """Counts summed over texts (micro-averaged scores)."""

    counts: dict[str, list[int]] = field(
        default_factory=lambda: {k: [0, 0, 0] for k in ("core", "all")}
    )
    mentions: dict[str, list[int]] = field(
        default_factory=lambda: {k: [0, 0] for k in ("places", "actors")}
    )
    fatalities: list[int] = field(default_factory=lambda: [0, 0])
    chars: int = 0
    seconds: float = 0.0
    base_seconds: float = 0.0

    def add(self, s: dict[str, Any], chars: int, seconds: float, base_seconds: float) -> None:
        for name in self.counts:
            m = s[name]
            for i, k in enumerate(("tp", "predicted", "gold")):
                self.counts[name][i] += m[k]
        for name in self.mentions:
            m = s[name]
            self.mentions[name][0] += m["gold"] - len(m["missed"])
            self.mentions[name][1] += m["gold"]
        self.fatalities[0] += s["fatalities"]["same"]
        self.fatalities[1] += s["fatalities"]["compared"]
        self.chars += chars
        self.seconds += seconds
        self.base_seconds += base_seconds


def _prf(tp: int, predicted: int, gold: int) -> str:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.2f}  R {r:.2f}  F1 {f:.2f}  (tp {tp}, predicted {predicted}, gold {gold})"


def run_one(
    gold_path: Path, text_path: Path, args: argparse.Namespace, words: frozenset[str]
) -> tuple[dict[str, Any], int, float, float]:
    """Extract, score and time one annotated text; print its figures unless ``--quiet``."""
    gold = load_gold(gold_path)
    pub = args.published or gold.get("published")
    raw = text_path.read_text(encoding="utf-8", errors="replace")
    t0 = time.perf_counter()
    if raw.startswith("SOURCE:"):  # a one-line source header, not part of the text
        body = raw.split("\n", 1)[1] if "\n" in raw else ""
        result = extract_text(body, published=pub, min_confidence=args.min_confidence)
    else:
        result = extract_path(text_path, published=pub, min_confidence=args.min_confidence)
    sec = time.perf_counter() - t0
    s = score(gold, result.to_dict())
    text = "".join(d.text for d in result.documents)
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        baseline(text, words)
    base = (time.perf_counter() - t0) / reps
    if not args.quiet:
        print(f"\n{text_path.name} ({len(text):,} characters), published {pub}")
        for name in ("core", "all"):
            m = s[name]
            print(f"  events {name:4s}: " + _prf(m["tp"], m["predicted"], m["gold"]))
        for name in ("places", "actors"):
            m = s[name]
            found = m["gold"] - len(m["missed"])
            print(
                f"  {name} mention recall: {m['recall']:.2f} ({found}/{m['gold']})"
                + (f"  missed: {', '.join(m['missed'])}" if m["missed"] else "")
            )
        fat = s["fatalities"]
        if fat["compared"]:
            print(f"  fatalities agree on {fat['same']}/{fat['compared']} matched core events")
        for d in s["events"]:
            tag = "optional" if d["optional"] else "core"
            got = f"matched {d['matched']}" if d["matched"] else "MISSED"
            print(f"    gold [{tag:8s}] {d['gold']} -> {got}")
        for fp in s["false_positives"]:
            print(f"    false positive: {fp}")
    return s, len(text), sec, base


def _lang_of(text_path: Path) -> str:
    """The language of an annotated text: its ``SOURCE: … | LANG: xx`` header, else the
    ``_xx`` suffix of its name, else "?"."""
    head = text_path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    m = re.search(r"\bLANG:\s*(\w+)", head) if head.startswith("SOURCE:") else None
    if m:
        return m.group(1)
    m = re.search(r"_(en|fr)$", text_path.stem)
    return m.group(1) if m else "?"


def long_text(kb: int, single_line: bool) -> str:
    """``kb`` KB of the project's own test texts repeated (line breaks kept or not)."""
    parts = [p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt"))]
    unit = "\n\n".join(parts) + "\n\n"
    n = kb * 1024
    text = (unit * (n // len(unit) + 1))[:n]
    return " ".join(text.split("\n")) if single_line else text


def speed_one(kb: int, single_line: bool) -> dict[str, Any]:
    """Extract ``long_text(kb, single_line)`` in this process and measure it."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    t0 = time.perf_counter()
    _warm_up()
    startup = time.perf_counter() - t0
    text = long_text(kb, single_line)
    words = trigger_words()
    c0, t0 = time.process_time(), time.perf_counter()
    result = extract_text(text, published="2023-10-05")
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    b0 = time.process_time()
    baseline(text, words)
    base = time.process_time() - b0
    return {
        "kb": kb,
        "single_line": single_line,
        "startup_s": round(startup, 2),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "kb_per_s": round(len(text.encode("utf-8")) / 1024 / max(cpu, 1e-9), 1),
        "baseline_kb_per_s": round(len(text.encode("utf-8")) / 1024 / max(base, 1e-9), 1),
        "events": len(result.events),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load": _load(),
    }


def _warm_up() -> None:
    """Start-up: the gazetteer, the registry and the rules of both languages loaded."""
    extract_text("Des affrontements ont eu lieu hier à Gao.", published="2024-01-02")
    extract_text("Gunmen attacked an army post near Gao on Tuesday.", published="2024-01-02")


def _load() -> str:
    """The 1-minute load average and the number of cores, e.g. "load 3.2 on 2 cores"."""
    one = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"load {one:.1f} on {os.cpu_count()} cores"


def dev_speed(folder: Path) -> None:
    """Throughput on the annotated texts of ``folder`` (each extracted alone; CPU time)."""
    texts = []
    for gold in sorted(folder.glob("*.gold.json")):
        path = gold.with_name(gold.name.removesuffix(".gold.json") + ".txt")
        if path.is_file():
            raw = path.read_text(encoding="utf-8", errors="replace")
            texts.append(raw.split("\n", 1)[1] if raw.startswith("SOURCE:") else raw)
    _warm_up()
    size = sum(len(t.encode("utf-8")) for t in texts) / 1024
    c0, t0 = time.process_time(), time.perf_counter()
    for t in texts:
        extract_text(t, published="2024-12-02")
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    print(
        f"{len(texts)} texts of {folder} ({size:.1f} KB), each on its own: {cpu:.2f} s CPU"
        f" ({size / max(cpu, 1e-9):.0f} KB/s), {wall:.2f} s wall; {_load()}\n",
        flush=True,
    )


def speed(sizes: list[int], one_line_sizes: list[int]) -> None:
    """Run :func:`speed_one` for each size in a fresh process and print a table."""
    print(
        f"{'input':>18s} {'start-up':>9s} {'cpu s':>8s} {'wall s':>8s} {'KB/s cpu':>9s}"
        f" {'KB/s wall':>10s} {'vs first':>9s} {'baseline KB/s':>14s} {'ratio':>7s}"
        f" {'events':>7s} {'peak MB':>8s}  load"
    )
    first: float | None = None
    runs = [(kb, False) for kb in sizes] + [(kb, True) for kb in one_line_sizes]
    for kb, one in runs:
        cmd = [sys.executable, __file__, "--speed-one", str(kb)] + ["--one-line"] * one
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        label = f"{kb:,} KB" + (" one line" if one else "")
        ratio = r["baseline_kb_per_s"] / max(r["kb_per_s"], 1e-9)
        first = r["kb_per_s"] if first is None else first
        wall_kb = r["kb_per_s"] * r["cpu_s"] / max(r["wall_s"], 1e-9)
        print(
            f"{label:>18s} {r['startup_s']:>9.2f} {r['cpu_s']:>8.2f} {r['wall_s']:>8.2f}"
            f" {r['kb_per_s']:>9.1f} {wall_kb:>10.1f} {r['kb_per_s'] / first:>9.2f}"
            f" {r['baseline_kb_per_s']:>14.1f} {ratio:>6.0f}x"
            f" {r['events']:>7d} {r['peak_mb']:>8.1f}  {r['load']}",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", type=Path, help="gold JSON file (with TEXT)")
    ap.add_argument("text", nargs="?", type=Path, help="the annotated text or HTML file")
    ap.add_argument("--dev-set", type=Path, help="folder of NAME.gold.json + NAME.txt pairs")
    ap.add_argument("--published")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    ap.add_argument("--quiet", action="store_true", help="print the totals only")
    ap.add_argument("--speed", action="store_true", help="throughput on long inputs")
    ap.add_argument("--sizes", default="100,1000,2000,5000,10000", help="KB, with --speed")
    ap.add_argument(
        "--one-line-sizes", default="1000,10000", help="KB run as one line too, with --speed"
    )
    ap.add_argument("--no-single-line", action="store_true", help="with --speed")
    ap.add_argument("--speed-one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--one-line", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.speed_one is not None:
        print(json.dumps(speed_one(args.speed_one, args.one_line)))
        return
    if args.speed:
        if args.dev_set is not None:
            dev_speed(args.dev_set)
        one_line = [] if args.no_single_line else [int(x) for x in args.one_line_sizes.split(",")]
        speed([int(x) for x in args.sizes.split(",")], one_line)
        return
    if (args.gold is None) != (args.text is None):
        ap.error("give both GOLD and TEXT, or neither")
    if args.gold is not None:
        pairs = [(args.gold, args.text)]
    elif args.dev_set is not None:
        golds = sorted(args.dev_set.glob("*.gold.json"))
        pairs = [(g, g.with_name(g.name.removesuffix(".gold.json") + ".txt")) for g in golds]
        pairs = [(g, t) for g, t in pairs if t.is_file()]
        if not pairs:
            ap.error(f"no NAME.gold.json with a NAME.txt beside it in {args.dev_set}")
    else:
        pairs = DEV_PAIRS

    t0 = time.perf_counter()
    PlaceFinder.default()  # start-up: gazetteer and registry loaded before timing
    ActorFinder.default()
    words = trigger_words()
    extract_text("Des affrontements ont eu lieu hier à Gao.", published="2024-01-02")  # warm-up
    print(f"load gazetteer, actors, rules (a warm-up text): {time.perf_counter() - t0:.2f} s")
    totals = Totals()
    by_lang: dict[str, Totals] = {}
    for gold_path, text_path in pairs:
        row = run_one(gold_path, text_path, args, words)
        totals.add(*row)
        by_lang.setdefault(_lang_of(text_path), Totals()).add(*row)

    print(f"\ntotal over {len(pairs)} text(s), {totals.chars:,} characters")
    for name, (tp, pred, gold) in totals.counts.items():
        print(f"  events {name:4s}: " + _prf(tp, pred, gold))
    for name, (found, gold) in totals.mentions.items():
        print(f"  {name} mention recall: {found / gold if gold else 0:.2f} ({found}/{gold})")
    same, compared = totals.fatalities
    if compared:
        print(f"  fatalities agree on {same}/{compared} matched core events")
    if len(by_lang) > 1:
        print("\nper language (micro-averaged; development figures when the rules were tuned here)")
        for lang, t in sorted(by_lang.items()):
            tp, pred, gold = t.counts["core"]
            pl, pg = t.mentions["places"]
            same_l, comp_l = t.fatalities
            print(
                f"  {lang}: events core {_prf(tp, pred, gold)}; places {pl / pg if pg else 0:.2f}"
                f" ({pl}/{pg}); fatalities {same_l}/{comp_l}"
            )
    print(
        f"  extraction {totals.seconds:.3f} s ({totals.chars / max(totals.seconds, 1e-9):,.0f}"
        f" chars/s); baseline, a word scan against the trigger words: {totals.base_seconds:.4f} s;"
        f" ratio {totals.seconds / max(totals.base_seconds, 1e-9):,.0f}x"
    )


if __name__ == "__main__":
    main()
