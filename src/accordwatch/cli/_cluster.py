"""The ``--cluster`` and ``--dashboard`` options of ``backtest`` and ``extract``: a Dask client
for the command's duration, a progress bar of its tasks on stderr, and a quiet Ctrl-C.

Dask loads only when ``--cluster`` is given (``accordwatch[cluster]``); without it the
commands run in this process as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError
from ._common import err

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "ClusterOption",
    "DashboardOption",
    "check_dashboard",
    "cluster_client",
    "task_progress",
]

ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Run the work as Dask tasks: local (one worker process per core), local:N "
        "(N processes), threads[:N] (threads in this process) or a scheduler address "
        "tcp://HOST:PORT. The same results as without it. Needs Dask: pip install "
        "accordwatch\\[cluster].",
        show_default=False,
    ),
]
DashboardOption = Annotated[
    bool,
    typer.Option("--dashboard", help="With --cluster: turn on Dask's dashboard (off by default)."),
]


@contextmanager
def cluster_client(spec: str, dashboard: bool = False) -> Iterator[Client]:
    """A client on ``spec`` for the block; Ctrl-C cancels the tasks, stops the cluster and
    ends the command with exit code 130 (no traceback)."""
    from .._app.cluster import open_cluster, parse_cluster

    where = parse_cluster(spec)
    err.print(f"starting {where.describe()} …")
    try:
        with open_cluster(where, dashboard=dashboard) as client:
            workers = client.scheduler_info().get("workers", {})
            threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
            err.print(f"{len(workers)} Dask worker(s) ready, {threads} thread(s) in all")
            if dashboard:
                err.print(f"Dask dashboard: {client.dashboard_link}")
            yield client
    except KeyboardInterrupt:
        err.print("interrupted: the tasks were cancelled and the cluster closed.")
        raise typer.Exit(130) from None


def check_dashboard(cluster: str | None, dashboard: bool) -> None:
    """Refuse a ``--cluster`` that names no cluster, and ``--dashboard`` without ``--cluster``
    (before any work starts)."""
    if dashboard and cluster is None:
        raise InputError("--dashboard shows a Dask cluster's dashboard; give --cluster too.")
    if cluster is not None:
        from .._app.cluster import parse_cluster

        parse_cluster(cluster)


@contextmanager
def task_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (tasks done / total, elapsed, ETA); yields the callback."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("tasks"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
