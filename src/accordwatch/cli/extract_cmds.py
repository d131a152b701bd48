"""Commands for events from news text: extract, extract-eval, and the review queue."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._cluster import ClusterOption, DashboardOption, check_dashboard
from ._common import DbOption, Format, FormatOption, err, print_frame, print_json, warn

if TYPE_CHECKING:
    from ..extract import ExtractionResult

__all__ = ["register"]

_review_app = typer.Typer(
    help="Review events extracted from text before they enter the store.", no_args_is_help=True
)


class _Lang(str, Enum):
    auto = "auto"
    en = "en"
    fr = "fr"


class _Status(str, Enum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"
    duplicate = "duplicate"
    all = "all"


_Published = Annotated[
    str | None,
    typer.Option(
        "--published",
        help="Publication date YYYY-MM-DD; relative dates ('on Tuesday') resolve against it.",
    ),
]
_ReviewerOption = Annotated[
    str | None,
    typer.Option("--reviewer", help="Who decides (kept in the review log)."),
]
_MinConf = Annotated[
    float,
    typer.Option(
        "--min-confidence", min=0.0, max=1.0, help="Leave out events below this confidence."
    ),
]


def _extract_cmd(
    path: Annotated[Path, typer.Argument(help="Text or HTML file, or a folder of them.")],
    published: _Published = None,
    lang: Annotated[_Lang, typer.Option("--lang", help="Language of the text.")] = _Lang.auto,
    min_confidence: _MinConf = 0.5,
    queue: Annotated[
        bool, typer.Option("--queue", help="Also put the events in the review queue.")
    ] = False,
    db: DbOption = None,
    cluster: ClusterOption = None,
    dashboard: DashboardOption = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", help="No progress on stderr (shown only on a terminal)."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Extract candidate events (date, place, actors, type, deaths, evidence) from news text.

    With --cluster a folder's files are extracted in batches by Dask workers; this process
    joins the results (and alone writes the review queue).

    Example: accordwatch extract article.txt --published 2023-10-05 --format json
    """
    import pandas as pd

    check_dashboard(cluster, dashboard)
    if cluster is not None:
        result = _extract_on_cluster(path, cluster, dashboard, published, lang, min_confidence)
    else:
        result = _extract_here(path, published, lang, min_confidence, quiet)
    for w in result.warnings:
        warn(w)
    if queue and (result.events or result.claims):
        from .. import queue_extraction

        ids = queue_extraction(result, db=db)
        err.print(f"{len(ids)} candidate(s) in the review queue: {', '.join(map(str, ids))}")
    if fmt is Format.json:
        print_json(result.to_dict())
        return
    rows = [
        {
            k: v
            for k, v in e.to_dict().items()
            if k
            in ("date", "place", "admin1", "type", "actors", "fatalities", "confidence", "evidence")
        }
        for e in result.events
    ]
    for r in rows:
        r["actors"] = "; ".join(r["actors"])
    print_frame(
        pd.DataFrame(
            rows,
            columns=[
                "date",
                "place",
                "admin1",
                "type",
                "actors",
                "fatalities",
                "confidence",
                "evidence",
            ],
        ),
        fmt,
        title="events",
    )
    if fmt is Format.table:
        err.print(f"places: {', '.join(result.places_mentioned) or '-'}")
        err.print(f"actors: {', '.join(result.actors_mentioned) or '-'}")


def _extract_here(
    path: Path, published: str | None, lang: _Lang, min_confidence: float, quiet: bool = False
) -> ExtractionResult:
    """Extract in this process; on a terminal (unless ``quiet``) a status line on stderr
    names the file being read and how far into it the extraction is."""
    from ..extract import extract_path

    if quiet:
        return extract_path(
            path, published=published, lang=lang.value, min_confidence=min_confidence
        )
    with err.status("reading …") as status:
        current = ["reading"]

        def progress(done: int, total: int, where: str, size: int) -> None:
            current[0] = f"file {done + 1}/{total}: {where} ({size / 1e6:.1f} MB)"
            status.update(f"{current[0]} …")

        def within(done: int, total: int) -> None:
            status.update(f"{current[0]} {100 * done // max(total, 1)} % …")

        return extract_path(
            path,
            published=published,
            lang=lang.value,
            min_confidence=min_confidence,
            progress=progress,
            file_progress=within,
        )


def _extract_on_cluster(
    path: Path,
    cluster: str,
    dashboard: bool,
    published: str | None,
    lang: _Lang,
    min_confidence: float,
) -> ExtractionResult:
    """The folder's files in batches on the Dask cluster, with a progress bar."""
    from .._app.cluster import extract_on
    from ..extract import parse_published
    from ._cluster import cluster_client, task_progress

    pub = parse_published(published)  # a bad date is refused before the cluster starts
    with cluster_client(cluster, dashboard) as client:
        with task_progress("extracting") as progress:
            return extract_on(
                client,
                path,
                published=pub,
                lang=lang.value,
                min_confidence=min_confidence,
                progress=progress,
            )


def _extract_eval_cmd(
    gold: Annotated[Path, typer.Argument(help="Gold annotation JSON.")],
    text: Annotated[Path, typer.Argument(help="The annotated text (or HTML) file.")],
    published: _Published = None,
    lang: Annotated[_Lang, typer.Option("--lang", help="Language of the text.")] = _Lang.auto,
    min_confidence: _MinConf = 0.5,
    fmt: FormatOption = Format.table,
) -> None:
    """Score extraction against a gold file (event P/R/F1, mention recall).

    Events are scored core and all; places and actors by mention recall.

    Example: accordwatch extract-eval briefing.gold.json briefing.txt --format json
    """
    import pandas as pd

    from ..extract import extract_path
    from ..extract.evaluate import load_gold, score

    doc = load_gold(gold)
    pub = published or doc.get("published")
    if pub is None:
        warn("no --published and none in the gold file; relative dates cannot be resolved")
    result = extract_path(text, published=pub, lang=lang.value, min_confidence=min_confidence)
    scores = score(doc, result.to_dict())
    if fmt is Format.json:
        print_json(scores)
        return
    rows = [
        {
            "what": name,
            **{
                k: scores[name][k] for k in ("precision", "recall", "f1", "tp", "predicted", "gold")
            },
        }
        for name in ("core", "all")
    ]
    print_frame(pd.DataFrame(rows), fmt, title="events")
    for what in ("places", "actors"):
        s = scores[what]
        err.print(
            f"{what} mention recall {s['recall']:.2f} ({s['gold'] - len(s['missed'])}/{s['gold']})"
            + (f"; missed: {', '.join(s['missed'])}" if s["missed"] else "")
        )
    act = scores["actors"]
    err.print(
        f"actors by lineage {act['recall_lineage']:.2f} ({act['lineage_found']}/{act['gold']});"
        f" registry-known actors {act['recall_known']:.2f} ({act['known_found']}/{act['known']})"
    )
    fat = scores["fatalities"]
    if fat["compared"]:
        err.print(
            f"fatalities agree on {fat['same']}/{fat['compared']} matched core events"
            f" ({fat['numeric_same']}/{fat['numeric_compared']} with a gold number)"
        )


def _list_cmd(
    status: Annotated[
        _Status, typer.Option("--status", help="Which candidates.")
    ] = _Status.pending,
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document id.")] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, help="At most this many candidates.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List review candidates (default: pending)."""
    from .. import review_list

    df = review_list(db=db, status=status.value, doc_id=doc, limit=limit)
    print_frame(df, fmt, title=f"review queue ({status.value})")


def _show_cmd(
    candidate: Annotated[int, typer.Argument(help="Candidate id.")], db: DbOption = None
) -> None:
    """Show one candidate with its document and evidence (JSON)."""
    from .. import review_show

    print_json(review_show(candidate, db=db))


def _accept_cmd(
    candidates: Annotated[list[int], typer.Argument(help="Candidate id(s).")],
    not_duplicate: Annotated[
        bool, typer.Option("--not-duplicate", help="Store it even if it looks like a stored event.")
    ] = False,
    reviewer: _ReviewerOption = None,
    db: DbOption = None,
) -> None:
    """Accept candidates: each becomes an event, or is linked to the event it duplicates.

    An accepted candidate is stored with source text:<doc id>.
    """
    from .. import review_accept

    for cid in candidates:
        c = review_accept(cid, db=db, reviewer=reviewer, not_duplicate=not_duplicate)
        if c["status"] == "duplicate":
            err.print(
                f"{cid}: duplicate of {c['duplicate_of']} ({c['duplicate_note']}); linked, not "
                "stored again — use --not-duplicate if it is a different event"
            )
        elif c.get("claim_id") is not None:
            err.print(f"{cid}: accepted as claim {c['claim_id']} (claimed, not confirmed)")
        else:
            err.print(f"{cid}: accepted as {c['event_source']} {c['event_id']}")


def _edit_cmd(
    candidate: Annotated[int, typer.Argument(help="Candidate id.")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD, YYYY-MM or YYYY.")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Gazetteer place name.")] = None,
    admin1: Annotated[str | None, typer.Option("--admin1", help="Admin-1 region.")] = None,
    actors: Annotated[
        str | None, typer.Option("--actors", help="'; '-separated actor names.")
    ] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Event type.")] = None,
    fatalities: Annotated[
        str | None, typer.Option("--fatalities", help="Number, or 'none'.")
    ] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="Evidence sentence.")] = None,
    reviewer: _ReviewerOption = None,
    db: DbOption = None,
) -> None:
    """Correct a pending candidate before accepting it."""
    from .. import review_edit

    c = review_edit(
        candidate,
        db=db,
        reviewer=reviewer,
        event_date=date,
        place=place,
        admin1=admin1,
        actors=actors,
        event_type=event_type,
        fatalities=fatalities,
        evidence=evidence,
    )
    err.print(
        f"{candidate}: {c['event_date']} {c['place'] or '-'} ({c['admin1'] or '-'}) "
        f"{c['event_type']}"
        + (f"; possible duplicate of {c['duplicate_of']}" if c.get("duplicate_of") else "")
    )


def _reject_cmd(
    candidates: Annotated[list[int], typer.Argument(help="Candidate id(s).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the candidate).")],
    reviewer: _ReviewerOption = None,
    db: DbOption = None,
) -> None:
    """Reject candidates; they stay in the queue with the reason."""
    from .. import review_reject

    for cid in candidates:
        review_reject(cid, reason, db=db, reviewer=reviewer)
        err.print(f"{cid}: rejected ({reason})")


def register(app: typer.Typer) -> None:
    """Add ``extract``, ``extract-eval`` and ``review …`` to the app."""
    app.command("extract")(_extract_cmd)
    app.command("extract-eval")(_extract_eval_cmd)
    _review_app.command("list")(_list_cmd)
    _review_app.command("show")(_show_cmd)
    _review_app.command("accept")(_accept_cmd)
    _review_app.command("edit")(_edit_cmd)
    _review_app.command("reject")(_reject_cmd)
    app.add_typer(_review_app, name="review")
