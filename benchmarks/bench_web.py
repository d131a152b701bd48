"""Web figures (issue #15), printed, never asserted.

    python benchmarks/bench_web.py [--store PATH] [--events 1000000] [--clients 20]
                                   [--seconds 30] [--ingest-rows 200000]

Against a real server: ``accordwatch serve`` in a child process on 127.0.0.1, on a copy of a
store of --events events (``--store`` names one, e.g. H4's /tmp/h4b/big1m.duckdb — copied,
never changed; without it one is built with benchmarks/bench_brief.py's builder: the seeded
default plus synthetic CAR GED events), with an admin account and an API token added to the
copy.  --clients concurrent httpx clients (one asyncio loop in this process) then ask, for
--seconds each:

a. the filtered event list — ``/api/events`` with a country, a date range, a minimum of
   deaths and one of a few regions or types of violence, 50 events a page, with the count
   of all matching events: p50 / p95 / p99 latency, requests per second, errors (any
   answer but 200);
b. the same while ``POST /api/ingest`` loads --ingest-rows new synthetic events through the
   server's writer (the clients run until the ingest ends, at most --seconds… then they
   stop and the ingest is waited for): the same figures, and the ingest's own time;
c. the first screen (``/``, HTML): p50 / p95, requests per second, errors.

The machine's load average is printed beside each figure (other work slows every figure).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_brief import build_big_store, make_synthetic_csv  # noqa: E402 (shared builders)

#: the filters the clients pick from, one per request (a country, a period, a minimum of
#: deaths, and a region or a type of violence)
QUERIES = [
    {"country": "CAF", "since": "2015", "until": "2020", "min_deaths": 5, "region": "Ouaka"},
    {"country": "CAF", "since": "2010-06", "min_deaths": 10, "type": "one-sided"},
    {"country": "Central African Republic", "since": "2018", "min_deaths": 1, "region": "Bangui"},
    {"country": "CAF", "since": "2000", "until": "2012", "type": "state-based"},
    {"country": "CAF", "since": "2020-01-01", "min_deaths": 25},
]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} ({os.cpu_count()} cores)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(source: Path | None, events: int, work: Path) -> tuple[Path, str]:
    """A copy of the store (built when not given) with an admin and its token."""
    os.environ.setdefault("ACCORDWATCH_ARGON2_TEST", "1")  # the account's hash: cheap
    from accordwatch._app import users

    if source is None:
        source = work / f"big{events // 1000}k.duckdb"
        build_big_store(source, events, work)
    db = work / "served.duckdb"
    t0 = time.perf_counter()
    shutil.copy(source, db)
    users.add_user("bench", "admin", "a benchmark password", db=db, by="bench")  # migrates
    token = str(users.create_token("bench", "bench", db=db, by="bench")["token"])
    import accordwatch as aw

    held = int(aw.store_info(db)["events"])  # type: ignore[call-overload]
    print(
        f"store: {held:,} events ({db.stat().st_size / 1e6:.0f} MB), ready in "
        f"{time.perf_counter() - t0:.1f} s (copy, migration, account)"
    )
    return db, token


class Server:
    """``accordwatch serve`` in a child process."""

    def __init__(self, db: Path, work: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (work / "server.log").open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "accordwatch",
                "serve",
                "--db",
                str(db),
                "--port",
                str(self.port),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server stopped; see {self.log.name}")
            try:
                if httpx.get(f"{self.url}/api/openapi.json", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise SystemExit("the server did not start within 300 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


async def _clients(
    url: str,
    token: str,
    paths: list[tuple[str, dict[str, Any]]],
    clients: int,
    seconds: float,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """``clients`` clients asking ``paths`` (picked at random) for ``seconds`` (or until
    ``stop`` is set): latencies of the answers and the errors."""
    latencies: list[float] = []
    errors: list[str] = []
    end = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        rnd = random.Random(n)
        while time.monotonic() < end and not (stop is not None and stop.is_set()):
            path, params = rnd.choice(paths)
            t0 = time.perf_counter()
            try:
                r = await http.get(path, params=params)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:120]}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    wall = time.perf_counter() - t0
    return {"latencies": latencies, "errors": errors, "wall": wall}


def _report(label: str, result: dict[str, Any]) -> None:
    lat = sorted(result["latencies"])
    n = len(lat)
    if not n:
        print(f"{label}: no request finished")
        return

    def q(p: float) -> float:
        return lat[min(n - 1, int(p * n))] * 1000

    print(
        f"{label}: {n:,} requests in {result['wall']:.1f} s = {n / result['wall']:.0f}/s; "
        f"p50 {q(0.50):.0f} ms, p95 {q(0.95):.0f} ms, p99 {q(0.99):.0f} ms, "
        f"max {lat[-1] * 1000:.0f} ms; errors {len(result['errors'])}  [{_load()}]"
    )
    for e in result["errors"][:3]:
        print(f"   error: {e}")


def _event_paths() -> list[tuple[str, dict[str, Any]]]:
    return [("/api/events", {**q, "_size": 50}) for q in QUERIES]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="A store to copy (default: build one).")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--ingest-rows", type=int, default=200_000)
    ap.add_argument("--work", type=Path, help="Working folder (default: a temporary one).")
    args = ap.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-web-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"== web figures: {args.clients} clients, {args.seconds:.0f} s each; work {work} ==")
    db, token = _prepare(args.store, args.events, work)
    csv = work / "synthetic_bench_ged.csv"  # no release in the name: dates up to today
    t0 = time.perf_counter()
    make_synthetic_csv(args.ingest_rows, csv, seed=15)
    print(
        f"ingest input: {args.ingest_rows:,} synthetic rows ({csv.stat().st_size / 1e6:.0f} MB)"
        f" in {time.perf_counter() - t0:.1f} s"
    )
    server = Server(db, work)
    try:
        print(f"server: {server.url} (pid {server.proc.pid})  [{_load()}]")
        warm = asyncio.run(_clients(server.url, token, _event_paths(), 2, 3))
        _report("warm-up (2 clients, 3 s)", warm)

        quiet = asyncio.run(_clients(server.url, token, _event_paths(), args.clients, args.seconds))
        _report("a. event list", quiet)

        stop = threading.Event()
        ingest: dict[str, Any] = {}

        def load() -> None:
            t = time.perf_counter()
            with csv.open("rb") as fh:
                r = httpx.post(
                    f"{server.url}/api/ingest",
                    headers={"Authorization": f"Bearer {token}"},
                    files={"file": (csv.name, fh, "text/csv")},
                    timeout=3600,
                )
            ingest.update(status=r.status_code, seconds=time.perf_counter() - t, body=r.text)
            stop.set()

        loader = threading.Thread(target=load)
        loader.start()
        time.sleep(0.2)
        busy = asyncio.run(
            _clients(server.url, token, _event_paths(), args.clients, args.seconds, stop)
        )
        _report("b. event list during an ingest", busy)
        loader.join()
        ended_first = busy["wall"] < args.seconds
        print(
            f"   the ingest: HTTP {ingest.get('status')} in {ingest.get('seconds', 0):.1f} s"
            + ("" if ended_first else " (it outlasted the clients)")
            + f": {ingest.get('body', '')[:160]}"
        )

        first = asyncio.run(_clients(server.url, token, [("/", {})], args.clients, args.seconds))
        _report("c. first screen (/)", first)
        lat = first["latencies"]
        if lat:
            print(f"   first screen median {statistics.median(lat) * 1000:.0f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
