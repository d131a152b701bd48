"""Backtests and extraction on Dask: the same work, cut into tasks, on many processes or machines.

The pure parts come from the core — :mod:`accordwatch.forecast._parts` (fit one model at one
fit month; score one origin's unit group; merge) and
:func:`accordwatch.extract.extract_path` with ``files=`` (one batch of a folder) — and this
module only maps them over partitions with ``distributed.Client.submit``:

* **backtests**: one task per model and fit month (origins × models), then one task per
  origin, model and unit group taking that group's forecasts out of the fit (it runs where
  the fit is), then one scoring task per origin and unit group; the parent merges the
  scored parts in the run's order, so the result is the one of the single-process run;
* **extraction**: one task per batch of files; the parent joins the batch results in the
  folder's order.

Workers return results (frames, extraction results); only the calling process writes the
store, so the store keeps its one writer.

Where the work runs, :func:`open_cluster`'s ``spec``: ``local`` (a ``LocalCluster`` of one
single-threaded worker process per core), ``local:N`` (N processes), ``threads`` /
``threads:N`` (threads in this process: no start-up, no copies, but one Python interpreter)
or the address of a running scheduler, ``tcp://HOST:PORT`` (``dask scheduler`` and
``dask worker``; every worker needs the same accordwatch installed, and for extraction the
folder at the same path).  Dask is an optional extra: without it :func:`open_cluster` says
``pip install 'accordwatch[cluster]'``.

Worker functions are module-level functions (no lambdas or closures are shipped), so they
work with the spawn start method.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..extract import ExtractionResult, document_files, extract_path
from ..forecast import BacktestResult, Model, OriginsResult, Samples
from ..forecast._parts import (
    BacktestPlan,
    FitOutcome,
    ScoredPart,
    fit_and_predict,
    merge_parts,
    plan_origins,
    plan_years,
    samples_part,
    score_part,
    unit_groups,
)

if TYPE_CHECKING:
    import pandas as pd
    from distributed import Client, Future

__all__ = [
    "INSTALL_HINT",
    "ClusterSpec",
    "Progress",
    "backtest_on",
    "backtest_origins_on",
    "extract_on",
    "open_cluster",
    "parse_cluster",
    "run_tasks",
    "worker_memory",
]

INSTALL_HINT = (
    "--cluster needs Dask: install accordwatch[cluster] (pip install 'accordwatch[cluster]')."
)

#: ``progress(done, total)``: tasks finished of all tasks submitted
Progress = Callable[[int, int], None]

_SPEC = re.compile(r"^(?P<kind>local|threads)(?::(?P<n>\d+))?$")


@dataclass(frozen=True)
class ClusterSpec:
    """Where to run: ``kind`` ``local`` (processes), ``threads`` or ``address``."""

    kind: str
    workers: int = 0
    address: str = ""

    def describe(self) -> str:
        """A few words for the user: what was started or reached."""
        if self.kind == "address":
            return f"the Dask scheduler at {self.address}"
        if self.kind == "threads":
            return f"{self.workers} thread(s) in this process"
        return f"a local cluster of {self.workers} worker process(es)"


def parse_cluster(spec: str) -> ClusterSpec:
    """``local``, ``local:N``, ``threads``, ``threads:N`` or ``tcp://HOST:PORT``.

    >>> parse_cluster("local:2")
    ClusterSpec(kind='local', workers=2, address='')
    >>> parse_cluster("tcp://10.0.0.5:8786").kind
    'address'
    """
    text = spec.strip()
    if text.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
        if not re.match(r"^\w+://[^\s/:]+(:\d+)?$", text):
            raise InputError(
                f"--cluster {spec!r}: a scheduler address is PROTOCOL://HOST:PORT, "
                "e.g. tcp://127.0.0.1:8786."
            )
        return ClusterSpec("address", address=text)
    m = _SPEC.match(text)
    if m is None:
        raise InputError(
            f"--cluster {spec!r}: give local, local:N (N worker processes), threads, threads:N "
            "or a scheduler address tcp://HOST:PORT."
        )
    n = int(m["n"]) if m["n"] else (os.cpu_count() or 1)
    if n < 1:
        raise InputError(f"--cluster {spec!r}: the number of workers must be at least 1.")
    return ClusterSpec(m["kind"], workers=n)


@contextmanager
def open_cluster(spec: str | ClusterSpec, *, dashboard: bool = False) -> Iterator[Client]:
    """A ``distributed.Client`` on the cluster ``spec`` (:func:`parse_cluster`), closed on
    leaving (with the local cluster it started).  The dashboard is off unless
    ``dashboard`` (then on a free port; the client's ``dashboard_link`` says where)."""
    where = parse_cluster(spec) if isinstance(spec, str) else spec
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    if dashboard and importlib.util.find_spec("bokeh") is None:
        raise InputError("--dashboard needs Bokeh: pip install 'bokeh>=3.1' (or leave it off).")
    cluster: Any = None
    if where.kind == "address":
        try:
            client = Client(where.address, timeout="10s")
        except OSError as exc:
            raise InputError(
                f"cannot reach the Dask scheduler at {where.address} ({exc}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`, or use --cluster "
                "local."
            ) from None
    else:
        processes = where.kind == "local"
        # the worker processes start with Ctrl-C ignored: it reaches the whole process group,
        # and this process, not each worker, cancels the tasks and stops the cluster
        with _sigint_ignored(processes):
            cluster = LocalCluster(
                n_workers=where.workers if processes else 1,
                threads_per_worker=1 if processes else where.workers,
                processes=processes,
                # processes talk over TCP on loopback only; threads in-process
                host="127.0.0.1" if processes else None,
                dashboard_address="127.0.0.1:0",  # a free port, never a fixed one
                scheduler_kwargs={"dashboard": dashboard},
                silence_logs=logging.CRITICAL,  # task errors reach the caller as exceptions
            )
        client = Client(cluster)
    try:
        with _sigint_deferred():
            yield client
    except KeyboardInterrupt:
        # stopping in the middle of the work: the scheduler's complaints about the clients
        # and tasks it loses on the way down are expected, not news for the user
        logging.getLogger("distributed").setLevel(logging.CRITICAL + 1)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def _sigint_ignored(active: bool) -> Iterator[None]:
    """SIGINT ignored in the block (processes started in it inherit that), then restored."""
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


#: set by a first Ctrl-C while a cluster is open; :func:`run_tasks` then stops
_interrupted = threading.Event()


def _on_sigint(signum: int, frame: Any) -> None:
    if _interrupted.is_set():  # a second Ctrl-C: stop now
        raise KeyboardInterrupt
    _interrupted.set()


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """A first Ctrl-C in the block is noted, not raised wherever the main thread is (in the
    middle of a scatter, say): :func:`run_tasks` raises KeyboardInterrupt at its next check,
    or the block's end does.  A second one raises at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _interrupted.clear()
    before = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
    if _interrupted.is_set():
        _interrupted.clear()
        raise KeyboardInterrupt


def run_tasks(
    futures: list[Future], progress: Progress | None = None, *, keep: Sequence[Future] = ()
) -> None:
    """Wait for every future, calling ``progress(done, total)`` as each ends.

    The futures are taken out of ``futures`` (the list is emptied) and each is let go as it
    ends, unless it is in ``keep`` (the results the caller gathers): so the cluster frees an
    intermediate result (a fit's forecasts) once the tasks that need it have run.  A task
    that fails cancels the others and raises its error here; Ctrl-C (KeyboardInterrupt)
    cancels every task not finished and is raised again."""
    from distributed import as_completed

    kept = {f.key for f in keep}
    live = {f.key: f for f in futures}
    client = futures[0].client if futures else None
    futures.clear()
    total = len(live)
    pending = as_completed(list(live.values()))
    done = 0
    try:
        while not pending.is_empty():
            if _interrupted.is_set():
                raise KeyboardInterrupt
            batch = pending.next_batch(block=False)
            if not batch:
                time.sleep(0.05)
                continue
            for fut in batch:
                if fut.status == "error":
                    exc = fut.exception()
                    _cancel(client, live)
                    raise exc
                if fut.key not in kept:
                    live.pop(fut.key, None)
                done += 1
                if progress is not None:
                    progress(done, total)
            del batch, fut
    except KeyboardInterrupt:
        _interrupted.clear()
        _cancel(client, live)
        raise


def _cancel(client: Client | None, live: dict[Any, Future]) -> None:
    if client is not None and live:
        client.cancel(list(live.values()))


# -- backtests -------------------------------------------------------------------------------


def _fit_task(plan: BacktestPlan, name: str, at: int, cuts: list[int], threads: int) -> Any:
    """Worker: one model fitted at one month, forecasting from its origins."""
    model: Model = plan.models[name]
    if threads and hasattr(model, "n_jobs"):  # one task per worker thread: no oversubscription
        model = copy.deepcopy(model)
        model.n_jobs = threads
    return fit_and_predict(plan.panel, model, at, cuts, plan.h)


def _part_task(outcome: FitOutcome, cut: int, units: list[int]) -> Samples:
    """Worker: one origin's forecasts of one unit group (runs where the fit is)."""
    return samples_part(outcome, cut, units)


def _score_task(plan: BacktestPlan, cut: int, units: list[int], *parts: Samples) -> ScoredPart:
    """Worker: one origin and unit group scored (``parts`` in the plan's model order)."""
    return score_part(plan, cut, dict(zip(plan.models, parts, strict=True)), units)


def _seconds_task(outcome: FitOutcome) -> float:
    """Worker: the seconds of a fit (so that the forecasts need not travel)."""
    return outcome.seconds


def _run_plan(
    client: Client,
    plan: BacktestPlan,
    *,
    group_size: int,
    model_threads: int,
    progress: Progress | None,
) -> BacktestResult | OriginsResult:
    shared = client.scatter(plan, broadcast=True, hash=False)
    groups = unit_groups(plan.panel, group_size)
    fits: dict[tuple[str, int], Future] = {}
    for name, at, cuts in plan.fit_jobs():
        fits[(name, at)] = client.submit(
            _fit_task, shared, name, at, cuts, model_threads, pure=False
        )
    parts: list[Future] = []
    scores: dict[tuple[int, int], Future] = {}
    for cut in plan.cuts:
        for g, units in enumerate(groups):
            for name in plan.models:
                fit = fits[(name, plan.fits[cut])]
                parts.append(client.submit(_part_task, fit, cut, units, pure=False))
            scores[(cut, g)] = client.submit(
                _score_task, shared, cut, units, *parts[-len(plan.models) :], pure=False
            )
    seconds = {k: client.submit(_seconds_task, f, pure=False) for k, f in fits.items()}
    everything = [*fits.values(), *parts, *scores.values(), *seconds.values()]
    del fits, parts, fit  # run_tasks lets each fit go once its parts are taken
    run_tasks(everything, progress, keep=[*scores.values(), *seconds.values()])
    scored = dict(zip(scores, client.gather(list(scores.values())), strict=True))
    took = dict(zip(seconds, client.gather(list(seconds.values())), strict=True))
    outcomes = {k: FitOutcome({}, float(v)) for k, v in took.items()}
    return merge_parts(plan, scored, outcomes)


def backtest_on(
    client: Client,
    df: pd.DataFrame | None,
    test_years: Sequence[int],
    models: dict[str, Model] | Sequence[Model] | None = None,
    *,
    group_size: int = 500,
    model_threads: int = 1,
    progress: Progress | None = None,
) -> BacktestResult:
    """:func:`accordwatch.forecast.backtest` on ``client``'s cluster: the same result.

    ``group_size`` units are scored per task; ``model_threads`` is the number of threads a
    model may use inside its task (``n_jobs``; 0 leaves the models as given) — one, since
    a worker already runs one task per thread; the forecasts do not depend on it."""
    plan = plan_years(df, test_years, models)
    out = _run_plan(
        client, plan, group_size=group_size, model_threads=model_threads, progress=progress
    )
    assert isinstance(out, BacktestResult)
    return out


def backtest_origins_on(
    client: Client,
    df: pd.DataFrame | None,
    origins: Sequence[int],
    models: dict[str, Model] | Sequence[Model] | None = None,
    *,
    refit: int = 1,
    min_deaths: float = 1000.0,
    ratio: float = 5.0,
    group_size: int = 500,
    model_threads: int = 1,
    progress: Progress | None = None,
) -> OriginsResult:
    """:func:`accordwatch.forecast.backtest_origins` on ``client``'s cluster: the same
    result (steps 3–14; ``group_size`` and ``model_threads`` as in :func:`backtest_on`)."""
    plan = plan_origins(df, origins, models, refit=refit, min_deaths=min_deaths, ratio=ratio)
    out = _run_plan(
        client, plan, group_size=group_size, model_threads=model_threads, progress=progress
    )
    assert isinstance(out, OriginsResult)
    return out


# -- extraction ------------------------------------------------------------------------------


def _extract_task(
    path: str,
    files: list[str],
    published: Any,
    lang: str,
    country: str | None,
    min_confidence: float,
) -> ExtractionResult:
    """Worker: one batch of a folder's files extracted."""
    return extract_path(
        path,
        published=published,
        lang=lang,
        country=country,
        min_confidence=min_confidence,
        files=[Path(f) for f in files],
    )


def extract_on(
    client: Client,
    path: str | Path,
    *,
    published: Any = None,
    lang: str = "auto",
    country: str | None = "Mali",
    min_confidence: float = 0.5,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> ExtractionResult:
    """:func:`accordwatch.extract.extract_path` of a folder on ``client``'s cluster, in
    batches of ``batch_size`` files (``None``: about four batches per worker, at most 100
    files each): the same result.  The workers read the files, so on a real cluster the
    folder must be at the same path on every worker.  A single file (or an empty folder) is
    extracted here."""
    files = document_files(path)
    if Path(path).is_file() or not files:
        return extract_path(
            path, published=published, lang=lang, country=country, min_confidence=min_confidence
        )
    if batch_size is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        batch_size = min(100, -(-len(files) // (4 * workers)))
    size = max(1, int(batch_size))
    batches = [[str(f) for f in files[i : i + size]] for i in range(0, len(files), size)]
    futures = [
        client.submit(
            _extract_task, str(path), b, published, lang, country, min_confidence, pure=False
        )
        for b in batches
    ]
    run_tasks(list(futures), progress, keep=futures)
    result = ExtractionResult()
    for part in client.gather(futures):
        result.extend(part)
    return result


# -- measuring -------------------------------------------------------------------------------


def _rss() -> dict[str, int]:
    """Worker: this process's resident memory now and at its peak, in bytes (Linux)."""
    import resource

    page = os.sysconf("SC_PAGE_SIZE")
    try:
        now = int(Path("/proc/self/statm").read_text().split()[1]) * page
    except OSError:
        now = 0
    peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
    return {"rss": now, "peak_rss": peak}


def worker_memory(client: Client) -> dict[str, dict[str, int]]:
    """Each worker's resident memory now and at its peak (``rss``, ``peak_rss``, bytes), by
    worker address."""
    return {str(k): dict(v) for k, v in client.run(_rss).items()}
