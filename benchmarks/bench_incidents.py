"""Cross-source linking figures (issue 17), printed, never asserted.

    python benchmarks/bench_incidents.py [--events 100000] [--same 0.5] [--keep DIR]

Data (SYNTHETIC, built from the real bundled UCDP GED 23.1 events of the Central African
Republic):

* UCDP: --events GED rows made by ``bench_brief.make_synthetic_csv`` (resampled with
  replacement, a random day of 1989–2023, coordinates jittered by about 5 km), loaded through
  ``accordwatch.ingest_ucdp``;
* ACLED: --events rows in ACLED's current export layout (31 columns), loaded through the
  real ACLED ingest (``accordwatch._api.ingest_acled``).  A share --same of them report a
  UCDP row's incident as another source would: the same day or the next, 0.5–8 km off, the
  same actors (GED's names, which the registry resolves), ACLED's event type for GED's type
  of violence, deaths within ±2; the others are independent events (a second synthetic
  sample, another seed).

Figures:

1. the candidates (``Store.incident_candidates``, the blocked join) in this process, best of
   two; then ``accordwatch incidents link-all`` in a child process: wall time and the child's peak
   resident memory (ru_maxrss), then a second run (nothing to change) the same way;
2. same-run baselines: DuckDB's own range join of the two sources on |days| <= 1 and a
   1° box (the candidate pairs without blocking, counted only), and the plain event count;
3. how many ACLED rows were linked, of those made as the same incident (recall) and of the
   independent ones (false links), and the ``stats --by month`` time before and after
   linking (the filter that leaves linked records out of every count).

The machine's load average is printed beside the figures (other work slows every figure).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_brief import make_synthetic_csv  # noqa: E402 (the shared GED builder)

_TYPES = {
    "1": ("Battles", "Armed clash", "Political violence"),
    "2": ("Battles", "Armed clash", "Political violence"),
    "3": ("Violence against civilians", "Attack", "Political violence"),
}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs"


_PEAK = (
    "import resource, sys\n"
    "from accordwatch.cli import main\n"
    "sys.argv = ['accordwatch', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    print(f'peak-rss-kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}',"
    " file=sys.stderr)\n"
)


def _child(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MB, its own ru_maxrss) and stderr of one
    ``accordwatch`` command in a child process."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed: accordwatch {' '.join(args)}\n{proc.stderr}")
    lines = proc.stderr.strip().splitlines()
    peak = int(lines[-1].split()[-1]) / 1024
    return wall, peak, "\n".join(lines[:-1])


def make_acled_csv(ged_csv: Path, other_csv: Path, path: Path, same: float, seed: int = 17) -> Any:
    """ACLED rows: a share ``same`` from the rows of ``ged_csv`` (the same incidents), the
    rest from ``other_csv`` (independent events, moved to 1997 on where earlier: ACLED starts
    then); returns the ACLED ids made as the same incident as a UCDP row, with that row's id."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from accordwatch.sources._acled_csv import CURRENT_COLUMNS

    def read(p: Path) -> pa.Table:
        return pacsv.read_csv(
            str(p),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False,
                column_types={
                    c: pa.string()
                    for c in (
                        "id",
                        "side_a",
                        "side_b",
                        "date_start",
                        "adm_1",
                        "type_of_violence",
                        "where_coordinates",
                    )
                },
            ),
        )

    ged, other = read(ged_csv), read(other_csv)
    n = ged.num_rows
    rng = np.random.default_rng(seed)
    k = int(round(n * same))
    cols_in = (
        "side_a",
        "side_b",
        "date_start",
        "latitude",
        "longitude",
        "best",
        "type_of_violence",
        "adm_1",
        "where_coordinates",
    )
    # ACLED starts in 1997: the same incidents are drawn from UCDP rows of 1997 on
    ged_days = np.array(
        [s[:10] for s in ged.column("date_start").to_pylist()], dtype="datetime64[D]"
    )
    usable = np.flatnonzero(ged_days >= np.datetime64("1997-01-01"))[:k]
    k = len(usable)
    src = {
        c: np.concatenate(
            [
                ged.column(c).to_numpy(zero_copy_only=False)[usable],
                other.column(c).to_numpy(zero_copy_only=False)[k:n],
            ]
        )
        for c in cols_in
    }
    same_ged = ged.column("id").to_numpy(zero_copy_only=False)[usable]
    day = np.array([s[:10] for s in src["date_start"]], dtype="datetime64[D]")
    shift = np.where(np.arange(n) < k, rng.integers(0, 2, n), 0)
    early = day < np.datetime64("1997-01-01")  # independent rows: moved 9 years on
    day = day + shift + np.where(early, 9 * 365, 0)
    km = rng.uniform(0.5, 8.0, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    lat = src["latitude"].astype(float)
    lon = src["longitude"].astype(float)
    near = np.arange(n) < k
    lat = np.where(near, lat + km / 111.2 * np.cos(angle), lat)
    lon = np.where(near, lon + km / 111.2 * np.sin(angle) / np.cos(np.radians(lat)), lon)
    deaths = np.maximum(src["best"].astype(int) + np.where(near, rng.integers(-2, 3, n), 0), 0)
    kinds = [_TYPES.get(str(t), _TYPES["1"]) for t in src["type_of_violence"]]
    ids = np.char.add("CAF", (np.arange(n) + 1_000_000).astype(str))
    years = day.astype("datetime64[Y]").astype(int) + 1970
    stamps = (day.astype("datetime64[s]").astype("int64") + 7 * 86400).astype(str)
    state = np.char.startswith(src["side_a"].astype(str), "Government")
    civ = np.array([t == "3" for t in src["type_of_violence"]])
    cols: dict[str, Any] = {
        "event_id_cnty": ids,
        "event_date": day.astype(str),
        "year": years.astype(str),
        "time_precision": np.full(n, "1"),
        "disorder_type": np.array([x[2] for x in kinds]),
        "event_type": np.array([x[0] for x in kinds]),
        "sub_event_type": np.array([x[1] for x in kinds]),
        "actor1": src["side_a"],
        "assoc_actor_1": np.full(n, ""),
        "inter1": np.where(state, "State forces", "Rebel group"),
        "actor2": src["side_b"],
        "assoc_actor_2": np.full(n, ""),
        "inter2": np.where(civ, "Civilians", "Rebel group"),
        "interaction": np.full(n, ""),
        "civilian_targeting": np.where(civ, "Civilian targeting", ""),
        "iso": np.full(n, "140"),
        "region": np.full(n, "Middle Africa"),
        "country": np.full(n, "Central African Republic"),
        "admin1": src["adm_1"],
        "admin2": np.full(n, ""),
        "admin3": np.full(n, ""),
        "location": src["where_coordinates"],
        "latitude": np.char.mod("%.4f", lat),
        "longitude": np.char.mod("%.4f", lon),
        "geo_precision": np.full(n, "1"),
        "source": np.full(n, "Synthetic"),
        "source_scale": np.full(n, "National"),
        "notes": np.full(n, ""),
        "fatalities": deaths.astype(str),
        "tags": np.full(n, ""),
        "timestamp": stamps,
    }
    table = pa.table(
        {c: pa.array(cols[c].astype(str).tolist(), pa.string()) for c in CURRENT_COLUMNS}
    )
    pacsv.write_csv(table, str(path), write_options=pacsv.WriteOptions(quoting_style="needed"))
    return dict(zip(ids[:k].tolist(), same_ged.tolist(), strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--same", type=float, default=0.5)
    ap.add_argument("--keep", type=Path, default=None, help="keep the store in this folder")
    args = ap.parse_args()

    import accordwatch as aw
    from accordwatch import _api
    from accordwatch.store import Store

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-incidents-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "incidents.duckdb"
    if db.exists():
        db.unlink()
    print(f"== {args.events:,} UCDP + {args.events:,} ACLED events ({_load()}) ==")
    with Store.open(db) as st:
        st.skip_seed()
    t0 = time.perf_counter()
    ged_csv, other_csv, acled_csv = work / "ged.csv", work / "other.csv", work / "acled.csv"
    make_synthetic_csv(args.events, ged_csv, seed=171)
    make_synthetic_csv(args.events, other_csv, seed=172)
    same_ids = make_acled_csv(ged_csv, other_csv, acled_csv, args.same)
    print(f"synthetic files written:   {time.perf_counter() - t0:7.1f} s")
    t0 = time.perf_counter()
    rep = aw.ingest_ucdp(ged_csv, db=db)
    print(f"ingest UCDP:               {time.perf_counter() - t0:7.1f} s  ({rep.inserted:,})")
    t0 = time.perf_counter()
    rep = _api.ingest_acled(acled_csv, db=db)
    print(f"ingest ACLED (real ingest):{time.perf_counter() - t0:7.1f} s  ({rep.inserted:,})")

    t0 = time.perf_counter()
    before = aw.stats(db, by=["month"])
    stats_before = time.perf_counter() - t0

    with Store.open(db, read_only=True) as st:
        t0 = time.perf_counter()
        st.one("SELECT count(*) FROM events")
        count_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        pairs = st.one(
            "SELECT count(*) FROM events a JOIN events b ON a.source = 'ucdp-ged' "
            "AND b.source = 'acled' AND b.date_start BETWEEN a.date_start - 1 AND "
            "a.date_end + 1 AND b.latitude BETWEEN a.latitude - 1 AND a.latitude + 1 "
            "AND b.longitude BETWEEN a.longitude - 1 AND a.longitude + 1"
        )
        join_s = time.perf_counter() - t0
    print(f"\nbaseline: count(*) of the events:                 {count_s:7.3f} s")
    print(
        f"baseline: DuckDB range join, |days|<=1 and a 1° box: {join_s:7.2f} s  "
        f"({int(pairs[0]) if pairs else 0:,} candidate pairs, counted only)"
    )

    start, start_mb, _ = _child(["incidents", "list", "--db", str(db), "--limit", "1"])
    print(
        f"baseline: a child process that opens the store:  {start:7.2f} s, "
        f"peak RSS {start_mb:,.0f} MB (start-up)"
    )
    from accordwatch._app import incidents as inc

    with Store.open(db, read_only=True) as st:
        flt = inc._scope(st, None, None, None)
        t0 = time.perf_counter()
        resolved = inc._resolve_names(st.linker_actor_names(flt), inc._registry())
        names_s = time.perf_counter() - t0
        table = inc._actor_table(resolved)
        runs = []
        for _ in range(2):
            t0 = time.perf_counter()
            found = st.incident_candidates(flt, inc.DEFAULTS, table)
            runs.append(time.perf_counter() - t0)
    sql_s = min(runs)
    print(
        f"in process: actor names through the registry {names_s:6.2f} s ({len(resolved):,} names)"
    )
    print(
        f"  candidates, the blocked join: {sql_s:6.2f} s (best of 2; {found.num_rows:,} records "
        f"matched), {sql_s / join_s:.1f}x the range-join count"
    )

    wall, peak, msg = _child(["incidents", "link-all", "--db", str(db)])
    print(f"\nlink-all (child process):  {wall:7.2f} s, peak RSS {peak:,.0f} MB  ({_load()})")
    print(f"  {msg}")
    print(
        f"  ratios: {wall / join_s:.1f}x the range join, {(wall - start) / join_s:.1f}x "
        f"without the start-up; the candidates alone {sql_s / join_s:.1f}x"
    )
    wall2, peak2, msg2 = _child(["incidents", "link-all", "--db", str(db)])
    print(f"link-all again (no change): {wall2:6.2f} s, peak RSS {peak2:,.0f} MB")
    print(f"  {msg2}")

    with Store.open(db, read_only=True) as st:
        members = st.incident_members()
    ac = members[members["ev_source"] == "acled"]
    matched = dict(zip(ac["ev_id"], ac["matched_id"], strict=True))
    made = len(same_ids)
    found = sum(1 for a, g in same_ids.items() if a in matched)
    right = sum(1 for a, g in same_ids.items() if matched.get(a) == g)
    stray = sum(1 for a in matched if a not in same_ids)
    print(
        f"\nACLED linked: {len(matched):,}; of the {made:,} made as a UCDP incident: "
        f"{found:,} linked ({found / max(made, 1):.1%}), {right:,} to the very row they were "
        f"made from ({right / max(made, 1):.1%}); of the {args.events - made:,} independent: "
        f"{stray:,} linked (to a UCDP event that matches by the rules)"
    )
    t0 = time.perf_counter()
    after = aw.stats(db, by=["month"])
    stats_after = time.perf_counter() - t0
    print(
        f"stats --by month: {stats_before:.3f} s before linking, {stats_after:.3f} s after "
        f"({int(before['events'].sum()):,} -> {int(after['events'].sum()):,} events counted)"
    )
    print(f"({_load()})")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
