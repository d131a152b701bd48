"""The ``digest`` command: what changed in the store since the last digest, as Markdown, an
Atom feed and an e-mail.  A thin shell over :func:`accordwatch.brief._digest.run_digest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, Format, err, lazy_module, print_frame, styled, warn

__all__ = ["register"]

_dg = lazy_module("accordwatch.brief._digest")  # the digest and smtplib: loaded when it runs


def _digest_cmd(
    db: DbOption = None,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            help="last: where the last recorded digest ended (with none yet, the last 30 days "
            "after the store's seeding); or a date, YYYY-MM-DD, YYYY-MM or YYYY.",
        ),
    ] = "last",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the Markdown to this file (default: stdout, unless --atom or --smtp).",
            dir_okay=False,
        ),
    ] = None,
    atom: Annotated[
        Path | None,
        typer.Option(
            "--atom", help="Write an Atom feed of this and the recent digests.", dir_okay=False
        ),
    ] = None,
    feed_url: Annotated[
        str | None,
        typer.Option("--feed-url", help="Where the Atom feed is published (its self link)."),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            "--smtp",
            help="Mail the digest through this server, host:port (STARTTLS and login when the "
            "server offers them; login from $ACCORDWATCH_SMTP_USER and "
            "$ACCORDWATCH_SMTP_PASSWORD).",
        ),
    ] = None,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Recipient of the e-mail (repeatable).")
    ] = None,
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Sender of the e-mail (default: the login if it is an address, else "
            "accordwatch@localhost).",
            envvar="ACCORDWATCH_SMTP_FROM",
            show_envvar=True,
        ),
    ] = None,
    cafile: Annotated[
        Path | None,
        typer.Option(
            "--smtp-cafile",
            help="Trust this CA certificate (PEM) for the server's TLS, e.g. a private one's.",
            dir_okay=False,
        ),
    ] = None,
    empty: Annotated[
        bool, typer.Option("--empty", help="Write and send a digest even when nothing changed.")
    ] = False,
    no_mark: Annotated[
        bool,
        typer.Option(
            "--no-mark",
            help="Do not record this digest: the next one starts where this one started.",
        ),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Show at most this many events in each list.")
    ] = 50,
    no_alerts: Annotated[
        bool, typer.Option("--no-alerts", help="Do not check the series for alerts.")
    ] = False,
    history: Annotated[
        bool,
        typer.Option("--list", help="List the recorded digests (when, since, changes, sent to)."),
    ] = False,
) -> None:
    """What changed since the last digest: new and revised events, assessments, alerts.

    New and revised events (field, before, after), loads, new assessments, milestones,
    accord status changes and new alerts. The digest is recorded in the store once written
    and sent, so the next one starts where it ended; a run that finds nothing new writes
    and sends nothing. The SMTP password is read from $ACCORDWATCH_SMTP_PASSWORD only and
    never shown.

    Example: accordwatch digest --out digest.md --atom feed.xml --smtp smtp.example.org:587
    --to analyst@example.org
    """
    if history:
        from .._app.digest import digest_history

        rows = digest_history(db)
        if not rows:
            err.print("no digest recorded yet")
            return
        print_frame(
            [{k: v for k, v in r.items() if k != "by_section"} for r in rows],
            Format.table,
            title="recorded digests",
        )
        return
    with err.status("looking for changes"):
        run = _dg.run_digest(
            db,
            since=since,
            out=out,
            atom=atom,
            smtp=smtp,
            to=to or (),
            sender=sender,
            cafile=cafile,
            feed_url=feed_url,
            empty=empty,
            mark=not no_mark,
            limit=limit,
            alerts=not no_alerts,
        )
    d = run.digest
    if run.nothing_new:
        err.print(
            f"nothing new since {d.window}: no digest written, sent or recorded "
            "(--empty makes one anyway)"
        )
        return
    if out is None and atom is None and smtp is None:
        from ..export import data_stdout

        with data_stdout() as fh:
            fh.write(run.markdown)
    err.print(styled(f"digest {d.number}:", "bold", f"{d.summary}; since {d.window}"))
    for path in run.written:
        err.print(f"wrote {path}")
    if run.sent_to:
        err.print(f"sent to {', '.join(run.sent_to)} through {smtp}")
    if run.refused:
        warn(f"the mail server refused {', '.join(run.refused)}; the others got the digest")
    if run.recorded is not None:
        err.print(f"recorded as digest {run.recorded}: the next digest starts where it ends")
    else:
        err.print("not recorded (--no-mark): the next digest starts where this one started")


def register(app: typer.Typer) -> None:
    """Add ``digest`` to the main app."""
    app.command("digest")(_digest_cmd)
