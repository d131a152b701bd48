"""``accordwatch accords …``: the peace-accord tracker on the command line.

Every command is a thin wrapper over :mod:`accordwatch.accords`; every one takes ``--db``
and ``--format table|csv|json`` (JSON only on stdout, messages on stderr).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import DbOption, Format, FormatOption, err, lazy_module, print_frame, print_json

if TYPE_CHECKING:
    import pandas as pd

_ac = lazy_module("accordwatch.accords")
_health = lazy_module("accordwatch.accords._health")

__all__ = ["register"]

_accords_app = typer.Typer(
    help="Peace agreements: provisions, implementation assessments, milestones, violence.",
    no_args_is_help=True,
)

_AgreementArg = Annotated[int, typer.Argument(help="Agreement id (UCDP paid; Mali 2015 = 30).")]


class _By(str, Enum):
    overall = "overall"
    theme = "theme"
    party = "party"


class _Freq(str, Enum):
    Y = "Y"
    M = "M"


@_accords_app.command("list")
def _list_cmd(
    db: DbOption = None,
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="Country name, ISO3 code or GW number.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", "-a", help="A party, by any alias (CMA, FAMa …).")
    ] = None,
    lineage: Annotated[
        bool, typer.Option("--lineage", help="Include the actor's predecessors and successors.")
    ] = False,
    year: Annotated[int | None, typer.Option("--year", help="Signed in this year.")] = None,
    text: Annotated[
        str | None, typer.Option("--name", help="Words in the agreement's name.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List agreements. Example: accordwatch accords list --country Mali"""
    frame = _ac.list_agreements(
        db, country=country, actor=actor, lineage=lineage, year=year, text=text
    )
    print_frame(frame, fmt, title="Peace agreements (UCDP Peace Agreement Dataset 22.1)")


@_accords_app.command("show")
def _show_cmd(
    agreement_id: _AgreementArg, db: DbOption = None, fmt: FormatOption = Format.table
) -> None:
    """One agreement: parties, UCDP-coded provisions, milestones, reference figures."""
    rec = _ac.show_agreement(agreement_id, db)
    if fmt is Format.json:
        print_json(rec)
        return
    import pandas as pd

    head = {
        k: v
        for k, v in rec.items()
        if not isinstance(v, list | dict) and k not in ("comment", "signatories_text")
    }
    print_frame(
        pd.DataFrame({"field": list(head), "value": [str(v) for v in head.values()]}),
        fmt,
        title=f"Agreement {agreement_id}",
    )
    for key in ("parties", "ucdp_provisions", "milestones", "references"):
        if rec[key]:
            print_frame(pd.DataFrame(rec[key]), fmt, title=key.replace("_", " "))
    err.print(f"provisions: {rec['provisions']}; assessments: {rec['assessments']}")


@_accords_app.command("provisions")
def _provisions_cmd(
    agreement_id: _AgreementArg,
    db: DbOption = None,
    tree: Annotated[
        bool, typer.Option("--tree", help="With --format json: nested title → commitment tree.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """The agreement's provision tree with theme, parties, deadline and latest score."""
    if fmt is Format.json and tree:
        print_json(_ac.provision_tree(agreement_id, db))
        return
    frame = _ac.provisions(agreement_id, db)
    if fmt is Format.table:
        frame = frame.assign(
            title=["  " * d + t for d, t in zip(frame.depth, frame.title, strict=True)]
        )
        frame = frame[
            [
                "provision_id",
                "level",
                "title",
                "effective_theme",
                "parties",
                "deadline_text",
                "latest_score",
            ]
        ]
    print_frame(frame, fmt, title=f"Provisions of agreement {agreement_id}")


@_accords_app.command("load-provisions")
def _load_provisions_cmd(
    path: Annotated[Path, typer.Argument(help="Provision file (.yaml or .csv).")],
    db: DbOption = None,
    agreement: Annotated[
        int | None, typer.Option("--agreement", help="Agreement id when the file does not name it.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add or update provisions from a YAML or CSV file (all or nothing)."""
    counts = _ac.load_provisions(path, db=db, agreement_id=agreement)
    if fmt is Format.json:
        print_json(counts)
    else:
        err.print(
            f"{path}: {counts['inserted']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )


@_accords_app.command("assess")
def _assess_cmd(
    provision_id: Annotated[str, typer.Argument(help="Provision id (see accords provisions).")],
    score: Annotated[
        str,
        typer.Option(
            "--score", help="0 not started, 1 minimal, 2 intermediate, 3 full, reversed, suspended."
        ),
    ],
    date: Annotated[str, typer.Option("--date", help="Date of the assessment, YYYY-MM-DD.")],
    evidence: Annotated[str, typer.Option("--evidence", help="What was observed.")],
    assessor: Annotated[str, typer.Option("--assessor", help="Who assesses.")] = "accordwatch user",
    source_url: Annotated[
        str | None, typer.Option("--source-url", help="Link to the source.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a dated implementation assessment; earlier assessments are kept."""
    rec = _ac.assess(
        provision_id,
        score,
        date,
        evidence=evidence,
        assessor=assessor,
        source_url=source_url,
        db=db,
    )
    if fmt is Format.json:
        print_json(rec)
    else:
        err.print(
            f"assessment {rec['assessment_id']}: {provision_id} = {rec['score']} "
            f"({rec['label']}) on {rec['date']}"
        )


@_accords_app.command("import-assessments")
def _import_cmd(
    path: Annotated[
        Path, typer.Argument(help="CSV: provision_id,date,score,assessor,evidence,source_url")
    ],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import assessments from CSV; any bad or duplicate line and nothing is imported."""
    result = _ac.import_assessments(path, db=db)
    if fmt is Format.json:
        print_json(result)
    else:
        err.print(f"{path}: {result['imported']} assessments imported")


@_accords_app.command("export-assessments")
def _export_cmd(
    db: DbOption = None,
    agreement: Annotated[
        int | None, typer.Option("--agreement", help="Only this agreement's assessments.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write CSV here (else print).")
    ] = None,
    fmt: FormatOption = Format.csv,
) -> None:
    """Export the full assessment history (CSV that import-assessments reads)."""
    frame = _ac.export_assessments(out, db=db, agreement_id=agreement)
    if out is not None:
        err.print(f"{len(frame)} assessments written to {out}")
    else:
        print_frame(frame, fmt)


@_accords_app.command("index")
def _index_cmd(
    agreement_id: _AgreementArg,
    db: DbOption = None,
    by: Annotated[_By, typer.Option("--by", help="overall, theme or party.")] = _By.overall,
    freq: Annotated[
        _Freq, typer.Option("--freq", help="Y (year ends, like PAM) or M (month ends).")
    ] = _Freq.Y,
    until: Annotated[
        str | None, typer.Option("--until", help="Last date (default: last assessment).")
    ] = None,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Published figures (PAM, Independent Observer) instead."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Implementation index: 100 × Σ scores / (3 × provisions assessed), latest carried forward."""
    if compare:
        print_frame(
            _ac.comparison(agreement_id, db=db),
            fmt,
            title="Published figures and this store's index",
        )
        return
    frame = _ac.implementation_index(
        agreement_id,
        db=db,
        by=None if by is _By.overall else by.value,
        freq=freq.value,
        until=until,
    )
    if frame.empty and fmt is Format.table:
        err.print("no assessments yet; add some with accordwatch accords assess")
        return
    print_frame(frame, fmt, title=f"Implementation index, agreement {agreement_id}")


def _milestone_text(milestones: object, *, dated: bool) -> str:
    """A cell's milestones, one per line: ``kind: description`` (``date kind: …`` when
    ``dated``)."""
    if not isinstance(milestones, list):
        return ""
    return "\n".join(
        (f"{m['date']} " if dated else "") + f"{m['kind']}: {m['description']}" for m in milestones
    )


def _legend(sources: Iterable[str]) -> str:
    keys = sorted({k for s in sources for k in s.split(" + ")}, key=_source_rank)
    return "; ".join(f"{k} = {_health.source_label(k)}" for k in keys)


def _source_rank(key: str) -> tuple[int, str]:
    order = list(_health.FATALITY_SOURCES)
    return (order.index(key) if key in order else len(order), key)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """CSV: the milestone records as one text cell (``date kind: description`` lines)."""
    return frame.assign(milestones=[_milestone_text(m, dated=True) for m in frame.milestones])


@_accords_app.command("timeline")
def _timeline_cmd(
    agreement_id: Annotated[
        int | None, typer.Argument(help="Agreement id (or use --country).")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="All agreements located in this country.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="From (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="To (YYYY-MM-DD).")] = None,
    all_months: Annotated[
        bool, typer.Option("--all-months", help="Table: show months without milestones too.")
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Milestones on one monthly timeline with fatalities."""
    frame = _ac.timeline(agreement_id, country=country, db=db, since=since, until=until)
    title = f"Timeline of {country}" if country else f"Timeline of agreement {agreement_id}"
    if fmt is Format.csv:
        frame = _flat(frame)
    if fmt is Format.table:
        # one row per month with milestones (unless --all-months) and one per year with
        # milestones known only to the year; each row names its deaths' source, the legend
        # goes in the title once, and the milestone texts start with their kind
        if not all_months:
            frame = frame[frame.milestone_kinds.notna()]
        sources = frame["fatalities_source"].dropna().unique()
        if len(sources):
            title += f" — deaths per month from: {_legend(sources)}"
        if ((frame.precision == "month") & frame.fatalities.isna()).any():
            title += "; no data = no source covers the month"
        import pandas as pd

        frame = pd.DataFrame(
            {
                "month": frame["period"],
                "fatalities": frame["fatalities"].map(lambda v: "" if v != v else f"{v:,.0f}"),
                "source": [
                    s if isinstance(s, str) else "no data" if p == "month" else ""
                    for s, p in zip(frame.fatalities_source, frame.precision, strict=True)
                ],
                "milestones": [_milestone_text(m, dated=False) for m in frame.milestones],
            }
        )
    print_frame(frame, fmt, title=title)


@_accords_app.command("health")
def _health_cmd(
    agreement_id: _AgreementArg,
    until: Annotated[str | None, typer.Option("--until", help="Last month (YYYY-MM-DD).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Monthly accord health: implementation, milestones, fatality trend, signatory fighting."""
    frame = _ac.health(agreement_id, db=db, until=until)
    yearly = frame.attrs.get("year_milestones", [])
    if fmt is Format.csv:
        frame = _flat(frame)
    if fmt is Format.table:
        frame = frame.assign(fatalities_source=frame.fatalities_source.fillna("no data"))[
            [
                "month",
                "index",
                "index_change",
                "assessments",
                "fatalities",
                "fatalities_source",
                "fatalities_trend",
                "signatory_events",
                "between_signatories",
                "milestone_kinds",
                "status",
            ]
        ]
    print_frame(frame, fmt, title=f"Accord health, agreement {agreement_id}")
    if yearly and fmt is Format.table:
        err.print(
            "Known only to the year (in no month's row): "
            + "; ".join(f"{m['date']} {m['kind']}" for m in yearly),
            markup=False,
        )


@_accords_app.command("events")
def _events_cmd(
    provision_id: Annotated[str, typer.Argument(help="Provision id with parties or places.")],
    radius_km: Annotated[
        float, typer.Option("--radius-km", help="Distance around each place.")
    ] = 25.0,
    since: Annotated[str | None, typer.Option("--since", help="From (default: signature).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Events involving a provision's parties or near its places, since signature."""
    frame = _ac.provision_events(provision_id, db=db, radius_km=radius_km, since=since)
    for key in ("unmatched_parties", "skipped_places"):
        if frame.attrs.get(key):
            err.print(f"{key.replace('_', ' ')}: {', '.join(frame.attrs[key])}")
    print_frame(frame, fmt, title=f"Events linked to {provision_id}")


@_accords_app.command("violations")
def _violations_cmd(
    agreement_id: _AgreementArg, db: DbOption = None, fmt: FormatOption = Format.table
) -> None:
    """Fighting by signatories (and their successors) after signature."""
    frame = _ac.violations(agreement_id, db=db)
    if fmt is Format.table:  # the columns that say what happened; csv/json carry them all
        frame = frame[
            [
                "date_start",
                "where_coordinates",
                "side_a",
                "side_b",
                "best",
                "source",
                "relation",
                "superseded",
                "after_termination",
            ]
        ]
    print_frame(
        frame,
        fmt,
        title=f"Events involving signatories of agreement {agreement_id} after signature",
    )


def register(app: typer.Typer) -> None:
    """Add the ``accords`` command group to the main app."""
    app.add_typer(_accords_app, name="accords")
