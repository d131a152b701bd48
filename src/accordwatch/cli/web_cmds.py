"""The ``serve`` command: the team web app and JSON API (:func:`accordwatch.web.create_app`)
run by uvicorn, the store owned by the server while it runs."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from ._common import DbOption, err, warn

__all__ = ["register"]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _serve_cmd(
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on; other than 127.0.0.1 opens it to the network."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    anonymous_read: Annotated[
        bool,
        typer.Option(
            "--anonymous-read", help="Let visitors who are not logged in read (as viewers)."
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Reader threads: requests read the store at once on this many (one process "
            "owns the store; writes run one after another).",
        ),
    ] = 8,
) -> None:
    """Serve the web app and the JSON API (docs at /api/docs) until Ctrl-C.

    The server owns the store while it runs: commands meeting it are told its address.
    Accounts: accordwatch users add NAME --role viewer|analyst|admin.

    Example: accordwatch serve --db accordwatch.duckdb --port 8000
    """
    import uvicorn

    from .._app.server import open_owner
    from ..web import create_app

    if not _loopback(host):
        warn(
            f"listening on {host}: the web app is reachable from other machines; put it "
            "behind a TLS proxy and keep --anonymous-read off unless the data are public"
        )
    url = _url(host, port)
    app = create_app(db, anonymous_read=anonymous_read)
    app.state.url = url
    app.state.readers = workers
    # opened here, before uvicorn starts, so that a busy store is one line of error
    app.state.owner = open_owner(app.state.db, url=url, readers=workers)
    app.state.close_owner = True  # closed when the app stops (before uvicorn ends on a signal)
    err.print(f"serving {app.state.db} at {url} (API docs: {url}/api/docs); Ctrl-C stops")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    finally:
        owner = app.state.owner
        if owner is not None:
            owner.close()


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the main app."""
    app.command("serve")(_serve_cmd)
