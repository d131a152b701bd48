"""Extraction figures on an annotated text (e.g. the founding briefing in shared/seeds).

Prints event precision/recall/F1 (core = non-optional gold events; all), mention recall
for places and actors, what was missed, and the time taken.  The text is read from the
path given; nothing of it is stored in the repository.

    python benchmarks/bench_extract.py GOLD.json TEXT [--published YYYY-MM-DD] [--min-confidence 0.5]

Example:

    python benchmarks/bench_extract.py \\
        /work/shared/seeds/tnh_briefing_mali_peace_deal_2023.gold.json \\
        /work/shared/seeds/tnh_briefing_mali_peace_deal_2023.txt
"""

from __future__ import annotations

import argparse
import time

from accordwatch.extract import extract_path
from accordwatch.extract._actors import ActorFinder
from accordwatch.extract._places import PlaceFinder
from accordwatch.extract.evaluate import load_gold, score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold")
    ap.add_argument("text")
    ap.add_argument("--published")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    args = ap.parse_args()
    gold = load_gold(args.gold)
    pub = args.published or gold.get("published")

    t0 = time.perf_counter()
    PlaceFinder.default()
    ActorFinder.default()
    t1 = time.perf_counter()
    result = extract_path(args.text, published=pub, min_confidence=args.min_confidence)
    t2 = time.perf_counter()
    s = score(gold, result.to_dict())

    chars = sum(len(d.text) for d in result.documents)
    print(f"text: {args.text} ({chars:,} characters), published {pub}")
    print(
        f"load gazetteer + actor registry: {t1 - t0:.2f} s; extraction: {t2 - t1:.3f} s "
        f"({chars / max(t2 - t1, 1e-9):,.0f} chars/s)"
    )
    for name in ("core", "all"):
        m = s[name]
        print(
            f"events {name:4s}: P {m['precision']:.2f}  R {m['recall']:.2f}  F1 {m['f1']:.2f}  "
            f"(tp {m['tp']}, predicted {m['predicted']}, gold {m['gold']})"
        )
    for name in ("places", "actors"):
        m = s[name]
        print(
            f"{name} mention recall: {m['recall']:.2f} ({m['gold'] - len(m['missed'])}/{m['gold']})"
            + (f"  missed: {', '.join(m['missed'])}" if m["missed"] else "")
        )
    fat = s["fatalities"]
    if fat["compared"]:
        print(f"fatalities agree on {fat['same']}/{fat['compared']} matched core events")
    for d in s["events"]:
        tag = "optional" if d["optional"] else "core"
        print(
            f"  gold [{tag:8s}] {d['gold']} -> {'matched ' + str(d['matched']) if d['matched'] else 'MISSED'}"
        )
    for fp in s["false_positives"]:
        print(f"  false positive: {fp}")


if __name__ == "__main__":
    main()
