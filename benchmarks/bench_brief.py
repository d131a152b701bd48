"""Briefing figures (issue 14), printed, never asserted.

    python benchmarks/bench_brief.py [--big-store PATH] [--events 1000000] [--repeats 3]
                                     [--skip-default] [--skip-big] [--keep]

1. The bundled default, in a new seeded store: ``accordwatch brief Mali`` and
   ``accordwatch brief "Central African Republic"`` (HTML + PDF, the real command in a child
   process).  The first run of each fits and stores the forecast (shown apart); the next
   --repeats runs read the stored forecast: their median wall time, the HTML and PDF sizes,
   and the ratio against a same-run baseline, the cold read
   ``accordwatch events --country C --limit 5`` on the same store.
2. A store of --events events (default 1,000,000): the seeded default plus SYNTHETIC events
   made from the real bundled UCDP GED 23.1 events of the Central African Republic —
   resampled with replacement, new ids (from 10^9), dates moved to a random day of
   1989–2023 (each keeps its length; ``year`` follows), coordinates jittered by about 5 km
   (normal, sd 0.05°) and kept only where the jittered point's PRIO-GRID cell is still a
   CAR cell (VIEWS' PRIO-GRID → country table), else left as they were; PRIO-GRID cell and
   ``geom_wkt`` recomputed; deaths, actors and place names as in the source row.  They are
   written as a GED CSV and loaded through the real ingest path
   (``accordwatch.ingest_ucdp``), timed.  The store is built once at --big-store (kept) or
   in a temporary folder (removed unless --keep); an existing store at --big-store with at
   least --events events is reused.  Then the CAF briefing is timed as in 1, beside the
   same baselines.
3. On that store, in this process: :func:`accordwatch.brief.gather` with every public call
   it makes timed (``accordwatch.events``/``stats``/…, ``accordwatch.accords.*``,
   ``accordwatch._app.briefing.*``, forecast and alert functions, the HTML and PDF
   renderers), the calls sorted by time, and the time of each step it reports; calls over
   ``--slow`` seconds are named.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

SEEDED_EVENTS = 1848 + 9  # the bundled CAF GED events and the briefing's text events of Mali
CAF = "Central African Republic"
CAF_VIEWS_ID = 70  # VIEWS country_id of the Central African Republic
EXE = [sys.executable, "-m", "accordwatch"]
#: the children's environment: as a user's Python runs, it writes and reads bytecode caches
#: (``pip install`` compiles them; an editable checkout gets them on its first run), so a
#: ``PYTHONDONTWRITEBYTECODE`` set where the benchmark runs (it is on some CI images) would
#: time recompiling accordwatch's modules on every run instead of the briefing
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# -- child processes ---------------------------------------------------------------------------
def run(args: list[str]) -> tuple[float, str]:
    """Wall seconds and stdout of one ``accordwatch`` child process (its failure stops us)."""
    t0 = time.perf_counter()
    proc = subprocess.run([*EXE, *args], capture_output=True, text=True, env=CHILD_ENV)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): accordwatch {' '.join(args)}\n{proc.stderr}")
    return wall, proc.stdout


def _load() -> str:
    """The machine's load (other processes share the CPUs: read the times beside it)."""
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs"


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def bench_brief(country: str, db: Path, work: Path, repeats: int, label: str) -> None:
    """The briefing on ``country``: first run (fits and stores the forecast), then stored."""
    slug = "".join(ch for ch in country.lower() if ch.isalnum())[:12]
    html, pdf = work / f"{slug}.html", work / f"{slug}.pdf"
    brief = ["brief", country, "--out", str(html), "--pdf", str(pdf), "--db", str(db)]
    events = ["events", "--country", country, "--limit", "5", "--db", str(db)]
    stats = ["stats", "--country", country, "--by", "month", "--db", str(db)]
    first, out = run(brief)
    briefs: list[float] = []
    bases: list[float] = []
    stat_times: list[float] = []
    for _ in range(repeats):  # rotating order: the machine's load hits all three alike
        bases.append(run(events)[0])
        briefs.append(run(brief)[0])
        stat_times.append(run(stats)[0])
    med, base, st = (statistics.median(x) for x in (briefs, bases, stat_times))
    print(f"\n== {label}: accordwatch brief {country!r} --out --pdf ==  ({_load()})")
    for line in out.strip().splitlines()[-3:]:
        print(f"   | {line}")
    print(f"first run (fits and stores the forecast): {first:6.2f} s")
    print(
        f"stored forecast, median of {repeats}:       {med:6.2f} s  "
        f"(runs {', '.join(f'{b:.2f}' for b in briefs)})   target < 5 s"
    )
    print(f"HTML {_mb(html.stat().st_size)} (target < 3 MB), PDF {_mb(pdf.stat().st_size)}")
    print(
        f"baseline `events --country … --limit 5`: {base:5.2f} s  → brief = {med / base:5.1f}× it"
    )
    print(f"baseline `stats --country … --by month`: {st:5.2f} s  → brief = {med / st:5.1f}× it")


# -- the synthetic store -------------------------------------------------------------------------
def _caf_cells() -> set[int]:
    import pandas as pd

    path = resources.files("accordwatch") / "data" / "views" / "priogrid_views_reporting.parquet"
    cells = pd.read_parquet(str(path))
    return set(cells.loc[cells.country_id == CAF_VIEWS_ID, "priogrid_id"].astype(int))


def make_synthetic_csv(rows: int, path: Path, seed: int = 14) -> dict[str, float]:
    """Write ``rows`` synthetic CAR events in GED's CSV layout (see the module docstring);
    returns the share of points whose jitter was kept."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from accordwatch.geo import priogrid_gid

    src = resources.files("accordwatch") / "data" / "ucdp" / "GEDEvent_v23_1_CAF.csv"
    header = Path(str(src)).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    base = pacsv.read_csv(
        str(src),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False
        ),
    )
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, base.num_rows, rows)
    t = base.take(pa.array(pick))

    def col(name: str) -> Any:
        return t.column(name).to_numpy(zero_copy_only=False)

    start = np.array(col("date_start"), dtype="datetime64[D]")  # "2009-02-20 00:00:00.000"
    end = np.array(col("date_end"), dtype="datetime64[D]")
    length = (end - start).astype("int64")
    first, last = np.datetime64("1989-01-01"), np.datetime64("2023-12-31")
    new_start = first + rng.integers(0, int((last - first).astype("int64")) + 1, rows)
    new_end = new_start + length
    years = new_start.astype("datetime64[Y]").astype("int64") + 1970

    lat = np.array(col("latitude"), dtype=float)
    lon = np.array(col("longitude"), dtype=float)
    jlat = lat + rng.normal(0.0, 0.05, rows)
    jlon = lon + rng.normal(0.0, 0.05, rows)
    keep = np.isin(priogrid_gid(jlat, jlon), np.fromiter(_caf_cells(), dtype="int64"))
    lat, lon = np.where(keep, jlat, lat), np.where(keep, jlon, lon)
    gid = priogrid_gid(lat, lon)

    def text(values: Any) -> pa.Array:
        return pa.array([str(v) for v in values], pa.string())

    lat_s, lon_s = np.char.mod("%.6f", lat), np.char.mod("%.6f", lon)
    replace = {
        "id": pc.cast(pa.array(np.arange(rows, dtype="int64") + 10**9), pa.string()),
        "year": text(years),
        "date_start": text(np.char.add(new_start.astype(str), " 00:00:00.000")),
        "date_end": text(np.char.add(new_end.astype(str), " 00:00:00.000")),
        "latitude": pa.array(lat_s, pa.string()),
        "longitude": pa.array(lon_s, pa.string()),
        "geom_wkt": text(f"POINT ({x} {y})" for x, y in zip(lon_s, lat_s, strict=True)),
        "priogrid_gid": text(gid),
    }
    for name, values in replace.items():
        i = t.column_names.index(name)
        t = t.set_column(i, name, values)
    pacsv.write_csv(t, str(path), write_options=pacsv.WriteOptions(quoting_style="needed"))
    return {"jitter_kept": float(keep.mean())}


def build_big_store(db: Path, events: int, work: Path) -> None:
    """The seeded default plus ``events - seeded`` synthetic CAR events, loaded through
    ``accordwatch.ingest_ucdp``; an existing store with enough events is reused."""
    import accordwatch as aw

    if db.exists():
        held = int(aw.store_info(db)["events"])  # type: ignore[call-overload]
        if held >= events:
            print(f"\n== big store: reusing {db} ({held:,} events) ==")
            return
        raise SystemExit(f"{db} holds {held:,} events, fewer than {events:,}: remove it first")
    rows = events - SEEDED_EVENTS
    print(f"\n== big store: {SEEDED_EVENTS:,} seeded + {rows:,} synthetic CAR events at {db} ==")
    t0 = time.perf_counter()
    init = run(["init", "--db", str(db)])[0]
    csv_path = work / "synthetic_caf_ged.csv"
    t1 = time.perf_counter()
    made = make_synthetic_csv(rows, csv_path)
    t2 = time.perf_counter()
    report = aw.ingest_ucdp(csv_path, db=db)
    t3 = time.perf_counter()
    size = csv_path.stat().st_size
    csv_path.unlink()
    print(f"init (seeded default):        {init:6.1f} s")
    print(
        f"synthetic GED CSV written:    {t2 - t1:6.1f} s  ({_mb(size)}; "
        f"jitter kept for {made['jitter_kept']:.0%} of points)"
    )
    print(
        f"accordwatch.ingest_ucdp:      {t3 - t2:6.1f} s  ({report.inserted:,} inserted, "
        f"{report.updated:,} updated, {len(report.flags):,} flagged)"
    )
    print(f"total:                        {t3 - t0:6.1f} s")
    print(f"store: {int(aw.store_info(db)['events']):,} events, {_mb(db.stat().st_size)}")  # type: ignore[call-overload]


# -- the calls a briefing makes ----------------------------------------------------------------
_TRACED = {
    "accordwatch": ("events", "stats", "event_records", "ingest_runs", "store_info"),
    "accordwatch.accords": None,  # every name of __all__
    "accordwatch._app.briefing": None,
    "accordwatch._app.forecasts": None,
    "accordwatch.forecast": ("forecast", "alerts", "series_from_events", "load_views_cm"),
    "accordwatch.brief._html": ("render_html",),
    "accordwatch.brief._pdf": ("write_pdf",),
}


def _short(value: Any) -> str:
    if isinstance(value, str | int | float | dt.date) or value is None:
        text = repr(value)
    elif isinstance(value, list | tuple | set):
        text = (
            "[" + ", ".join(_short(v) for v in list(value)[:4]) + ("…]" if len(value) > 4 else "]")
        )
    else:
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "…"


@contextmanager
def traced() -> Iterator[list[tuple[int, str, str, float]]]:
    """Replace the public functions a briefing calls by timed wrappers; yields the record
    (depth, name, arguments, seconds) of every call, in the order they finished."""
    calls: list[tuple[int, str, str, float]] = []
    depth = [0]
    saved: list[tuple[Any, str, Any]] = []

    def wrap(qual: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                shown = [_short(a) for a in args if not isinstance(a, os.PathLike)]
                shown += [f"{k}={_short(v)}" for k, v in kwargs.items() if k != "db"]
                calls.append((depth[0], qual, ", ".join(shown), time.perf_counter() - t0))

        return timed_call

    for modname, names in _TRACED.items():
        mod = importlib.import_module(modname)
        for name in names or getattr(mod, "__all__", ()):
            fn = getattr(mod, name, None)
            if callable(fn) and not isinstance(fn, type):
                saved.append((mod, name, fn))
                setattr(mod, name, wrap(f"{modname.removeprefix('accordwatch.')}.{name}", fn))
    try:
        yield calls
    finally:
        for mod, name, fn in saved:
            setattr(mod, name, fn)


def profile(country: str, db: Path, work: Path, slow: float) -> None:
    """Time :func:`accordwatch.brief.write` in this process, every traced call inside it."""
    from accordwatch.brief import write

    steps: list[tuple[float, str]] = []
    write(country, work / "warm.html", db=db)  # imports, caches, the stored forecast
    with traced() as calls:
        t0 = time.perf_counter()
        write(
            country,
            work / "profiled.html",
            pdf=work / "profiled.pdf",
            db=db,
            progress=lambda msg: steps.append((time.perf_counter(), msg)),
        )
        total = time.perf_counter() - t0
    print(
        f"\n== in-process profile: brief.write({country!r}, pdf=…) on {db.name}: {total:.2f} s =="
    )
    print("steps (time until the next step):")
    marks = [*steps, (t0 + total, "end")]
    for (t, msg), (t_next, _) in zip(marks, marks[1:], strict=False):
        print(f"  {t_next - t:6.2f} s  {msg}")
    top = [c for c in calls if c[0] == 0]
    covered = sum(c[3] for c in top)
    print(f"top-level traced calls: {len(top)}, {covered:.2f} s of {total:.2f} s; slowest:")
    for depth, name, args, secs in sorted(calls, key=lambda c: -c[3])[:25]:
        flag = "  <-- slow" if secs > slow else ""
        print(f"  {secs:6.3f} s  {'  ' * depth}{name}({args}){flag}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--big-store", type=Path, default=None, help="where the big store is (kept)")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--slow", type=float, default=1.0, help="seconds a call may take unnamed")
    ap.add_argument("--skip-default", action="store_true")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--skip-profile", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_brief_"))
    try:
        print(f"python {sys.version.split()[0]}, {_load()}; work folder {work}")
        if "PYTHONDONTWRITEBYTECODE" in os.environ:
            print(
                "PYTHONDONTWRITEBYTECODE is set here: the children run without it (see CHILD_ENV)"
            )
        if not args.skip_default:
            db = work / "default.duckdb"
            run(["init", "--db", str(db)])
            bench_brief("Mali", db, work, args.repeats, "bundled default")
            bench_brief(CAF, db, work, args.repeats, "bundled default (1,848 GED events)")
        if not args.skip_big:
            big = args.big_store or work / "big.duckdb"
            build_big_store(big, args.events, work)
            bench_brief(CAF, big, work, args.repeats, f"store of {args.events:,} events")
            if not args.skip_profile:
                profile(CAF, big, work, args.slow)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
