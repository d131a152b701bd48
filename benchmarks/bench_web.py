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

Between a and b, a2 asks event lists that differ from each other (the same filters with
other minimums of deaths and page sizes), each once: what a request costs when no answer
the server kept can serve it; b2 does the same while a second ingest (other values for the
same events) runs.

Before a, b, b2 and c the benchmark waits (at most 180 s) until the server is idle: its
start-up work, and after an ingest the event list it holds in memory for the new data, are
done (the wait is printed).

The machine's load average is printed beside each figure (other work slows every figure),
and so is the CPU time the server process and this process (the clients) spent per request:
on a shared machine that is the steadier figure.
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
from urllib.parse import urlencode, urlsplit

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


def _cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of process ``pid`` (None: this one) so far, in seconds."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    users.web_secret(db=db)  # as a store served before has it: the first request writes none
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


class _Connection:
    """One keep-alive HTTP/1.1 connection, as light as a client can be (this process shares
    the machine's cores with the server: httpx spends ~3× the server's CPU per request)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.headers = f"Host: {host}:{port}\r\n{extra}".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        """GET ``target``: the status and body.  A kept connection the server closed
        meanwhile is opened again once (nothing was answered on it)."""
        for attempt in (1, 2):
            fresh = self.writer is None
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            self.writer.write(b"GET " + target.encode() + b" HTTP/1.1\r\n" + self.headers + b"\r\n")
            try:
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt == 2:
                    raise
                continue
            return await self._rest(head)
        raise AssertionError("unreachable")

    async def _rest(self, head: bytes) -> tuple[int, bytes]:
        assert self.reader is not None
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {
            k.strip().lower(): v.strip()
            for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
        }
        if fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _clients(
    url: str,
    token: str,
    paths: list[tuple[str, dict[str, Any]]],
    clients: int,
    seconds: float,
    stop: threading.Event | None = None,
    *,
    kind: str = "raw",
    in_turn: bool = False,
) -> dict[str, Any]:
    """``clients`` clients asking ``paths`` (picked at random, or ``in_turn``: each once, in
    order, for as long as they last) for ``seconds`` (or until ``stop`` is set), each on one
    keep-alive connection (``kind``: the light client of :class:`_Connection`, or
    ``httpx``): latencies of the answers and the errors."""
    latencies: list[float] = []
    errors: list[str] = []
    end = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    targets = [
        path + ("?" + urlencode(params, doseq=True) if params else "") for path, params in paths
    ]
    parts = urlsplit(url)
    turns = iter(targets)

    async def client(n: int, get: Any) -> None:
        rnd = random.Random(n)
        while time.monotonic() < end and not (stop is not None and stop.is_set()):
            target = next(turns, None) if in_turn else rnd.choice(targets)
            if target is None:
                return
            t0 = time.perf_counter()
            try:
                status, body = await get(target)
                if status != 200:
                    errors.append(f"{status} {body[:120]!r}")
            except (OSError, asyncio.IncompleteReadError, httpx.HTTPError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    cpu0 = _cpu_seconds()
    if kind == "httpx":
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=120
        ) as http:

            async def via_httpx(target: str) -> tuple[int, bytes]:
                r = await http.get(target)
                return r.status_code, r.content

            await asyncio.gather(*(client(n, via_httpx) for n in range(clients)))
    else:
        host, port = parts.hostname or "127.0.0.1", int(parts.port or 80)
        conns = [_Connection(host, port, headers) for _ in range(clients)]
        await asyncio.gather(*(client(n, conns[n].get) for n in range(clients)))
        for c in conns:
            c.close()
    wall = time.perf_counter() - t0
    return {
        "latencies": latencies,
        "errors": errors,
        "wall": wall,
        "client_cpu": _cpu_seconds() - cpu0,
    }


def _measured(server: Server, run: Any) -> dict[str, Any]:
    """``asyncio.run(run)``, with the server's CPU time spent meanwhile."""
    before = _cpu_seconds(server.proc.pid)
    result: dict[str, Any] = asyncio.run(run)
    result["server_cpu"] = _cpu_seconds(server.proc.pid) - before
    result["server_mb"] = _rss_mb(server.proc.pid)
    return result


def _rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB (None where /proc is missing): the server
    holds the event list in memory (web/_readmodel.py) once it is built."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _settle(server: Server, *, most: float = 180.0, idle: float = 0.25) -> None:
    """Wait (at most ``most`` seconds) until the server's CPU use over one second drops under
    ``idle`` s: its start-up work — the event list it holds in memory (web/_readmodel.py) —
    is done, and the figures measure requests only."""
    t0 = time.monotonic()
    before = _cpu_seconds(server.proc.pid)
    while time.monotonic() - t0 < most:
        time.sleep(1.0)
        now = _cpu_seconds(server.proc.pid)
        if now - before < idle:
            break
        before = now
    print(f"server settled after {time.monotonic() - t0:.0f} s  [{_load()}]")


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
    if "server_cpu" in result:
        print(
            f"   CPU per request: server {result['server_cpu'] / n * 1000:.1f} ms, "
            f"clients {result['client_cpu'] / n * 1000:.1f} ms"
            + (f"; server memory {result['server_mb']:.0f} MB" if result.get("server_mb") else "")
        )
    for e in result["errors"][:3]:
        print(f"   error: {e}")


def _event_paths() -> list[tuple[str, dict[str, Any]]]:
    return [("/api/events", {**q, "_size": 50}) for q in QUERIES]


def _new_event_paths(n: int = 20_000, seed: int = 15) -> list[tuple[str, dict[str, Any]]]:
    """``n`` different event lists (the QUERIES, each with many minimums of deaths and page
    sizes), shuffled: asked once each, none is answered from what the server kept."""
    paths = [
        ("/api/events", {**q, "min_deaths": m, "_size": 50 - i})
        for q in QUERIES
        for m in range(n // len(QUERIES) // 10)
        for i in range(10)
    ]
    random.Random(seed).shuffle(paths)
    return paths


def _during_ingest(
    server: Server,
    token: str,
    csv: Path,
    paths: list[tuple[str, dict[str, Any]]],
    args: argparse.Namespace,
    *,
    in_turn: bool,
) -> dict[str, Any]:
    """The clients asking ``paths`` while ``POST /api/ingest`` loads ``csv`` (until it ends,
    at most --seconds); the ingest's status, time and answer under ``"ingest"``."""
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
    busy = _measured(
        server,
        _clients(
            server.url,
            token,
            paths,
            args.clients,
            args.seconds,
            stop,
            kind=args.client,
            in_turn=in_turn,
        ),
    )
    loader.join()
    busy["ingest"] = ingest
    return busy


def _ingest_line(busy: dict[str, Any], seconds: float) -> None:
    ingest = busy["ingest"]
    ended_first = busy["wall"] < seconds
    print(
        f"   the ingest: HTTP {ingest.get('status')} in {ingest.get('seconds', 0):.1f} s"
        + ("" if ended_first else " (it outlasted the clients)")
        + f": {ingest.get('body', '')[:160]}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="A store to copy (default: build one).")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--ingest-rows", type=int, default=200_000)
    ap.add_argument("--work", type=Path, help="Working folder (default: a temporary one).")
    ap.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="The clients: light keep-alive connections (default) or httpx.",
    )
    args = ap.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-web-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"== web figures: {args.clients} clients ({args.client}), {args.seconds:.0f} s each; "
        f"work {work} =="
    )
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
        warm = _measured(
            server, _clients(server.url, token, _event_paths(), 2, 3, kind=args.client)
        )
        _report("warm-up (2 clients, 3 s)", warm)
        _settle(server)

        quiet = _measured(
            server,
            _clients(
                server.url, token, _event_paths(), args.clients, args.seconds, kind=args.client
            ),
        )
        _report("a. event list", quiet)

        fresh = _measured(
            server,
            _clients(
                server.url,
                token,
                _new_event_paths(),
                args.clients,
                args.seconds,
                kind=args.client,
                in_turn=True,
            ),
        )
        _report("a2. event list, every request a new one (nothing kept answers it)", fresh)

        _settle(server)
        busy = _during_ingest(server, token, csv, _event_paths(), args, in_turn=False)
        _report("b. event list during an ingest", busy)
        _ingest_line(busy, args.seconds)

        csv2 = work / "synthetic_bench_ged_2.csv"
        make_synthetic_csv(args.ingest_rows, csv2, seed=16)
        _settle(server)  # the list held in memory of the first ingest's data, built
        busy2 = _during_ingest(server, token, csv2, _new_event_paths(seed=16), args, in_turn=True)
        _report("b2. new event lists (nothing kept) during another ingest", busy2)
        _ingest_line(busy2, args.seconds)

        _settle(server)
        first = _measured(
            server,
            _clients(server.url, token, [("/", {})], args.clients, args.seconds, kind=args.client),
        )
        _report("c. first screen (/)", first)
        lat = first["latencies"]
        if lat:
            print(f"   first screen median {statistics.median(lat) * 1000:.0f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
