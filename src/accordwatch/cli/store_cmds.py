"""Commands over the event store: ingest, fetch, events, stats, runs, history, store info."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from .. import _api
from ..export import write_events
from ._common import DbOption, Format, FormatOption, err, print_frame, print_json

__all__ = ["register"]

_ingest_app = typer.Typer(help="Load events into the store.", no_args_is_help=True)


class _OnError(str, Enum):
    refuse = "refuse"
    quarantine = "quarantine"


class _UcdpSource(str, Enum):
    auto = "auto"
    ged = "ged"
    candidate = "candidate"


class _EventFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    geojson = "geojson"
    parquet = "parquet"


_Country = Annotated[
    list[str] | None,
    typer.Option("--country", "-c", help="Country name, ISO3 code or GW number (repeatable)."),
]
_Region = Annotated[
    list[str] | None,
    typer.Option("--region", "-r", help="Admin-1 region, any spelling (repeatable)."),
]
_Actor = Annotated[
    str | None,
    typer.Option("--actor", "-a", help="Actor by any alias (FAMa, CMA, JNIM, 'Wagner Group' …)."),
]
_Lineage = Annotated[
    bool,
    typer.Option(
        "--lineage", help="Include the actor's predecessors and successors (CMA → CSP → FLA)."
    ),
]
_Since = Annotated[
    str | None, typer.Option("--since", help="From this date (YYYY-MM-DD, YYYY-MM or YYYY).")
]
_Until = Annotated[
    str | None,
    typer.Option("--until", help="Up to and including this date (YYYY-MM-DD, YYYY-MM or YYYY)."),
]
_Violence = Annotated[
    list[str] | None,
    typer.Option("--type", "-t", help="Type of violence: 1/state-based, 2/non-state, 3/one-sided."),
]
_MinDeaths = Annotated[
    int | None,
    typer.Option("--min-deaths", help="Only events with at least this many deaths (best)."),
]
_Source = Annotated[
    list[str] | None,
    typer.Option("--source", help="ucdp-ged, ucdp-candidate, acled, text (repeatable)."),
]

_TABLE_COLUMNS = [
    "date_start",
    "country",
    "admin1",
    "where_coordinates",
    "side_a",
    "side_b",
    "type_of_violence",
    "best",
    "source",
    "source_event_id",
]


_OnErrorOption = Annotated[
    _OnError,
    typer.Option(
        "--on-error",
        help="refuse: load nothing if any row is bad; "
        "quarantine: load the good rows, write bad ones to a side file.",
    ),
]
_QuarantineOption = Annotated[
    Path | None, typer.Option(help="Side file for bad rows (default: FILE.rejected.csv).")
]


@_ingest_app.command("ucdp")
def _ingest_ucdp(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="GED/Candidate CSV, .csv.gz, .zip, GeoJSON or API JSON file(s), folders of "
            "them, or quoted patterns ('GEDEvent_v25_0_*.csv')."
        ),
    ],
    db: DbOption = None,
    source: Annotated[
        _UcdpSource, typer.Option(help="Dataset; auto guesses from the file name.")
    ] = _UcdpSource.auto,
    on_error: _OnErrorOption = _OnError.refuse,
    quarantine: _QuarantineOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Load UCDP GED or Candidate events (CSV, .csv.gz, .zip, GeoJSON, API JSON).

    Re-loading a file changes nothing; changed rows are updated and their old versions kept
    in history. A bad row stops the load with file, line and field (nothing is written).
    A folder or a quoted pattern loads each of its UCDP files in turn (sorted by name), each
    in its own transaction; a file whose name has * ? [ ] is that one file.

    Example: accordwatch ingest ucdp GEDEvent_v25_1.csv.zip
    """

    src = None if source is _UcdpSource.auto else f"ucdp-{source.value}"

    def load(path: Path, progress: Callable[[str], None]) -> _api.IngestReport:
        return _api.ingest_ucdp(
            path,
            db=db,
            source=src,
            on_error=on_error.value,
            quarantine=quarantine,
            progress=progress,
        )

    _load_files(paths, _api.expand_inputs(paths), quarantine, fmt, load)


def _load_files(
    paths: list[Path],
    files: list[Path],
    quarantine: Path | None,
    fmt: Format,
    load: Callable[[Path, Callable[[str], None]], _api.IngestReport],
) -> None:
    """Load ``files`` (expanded from ``paths``) one by one with ``load(path, progress)``,
    each in its own transaction: the file list first when it differs from ``paths``, a
    report per file, the totals of several; on an error, what was loaded before it."""
    from ..errors import AccordwatchError, InputError

    if quarantine is not None and len(files) > 1:
        raise InputError(
            f"--quarantine names one side file, but {len(files)} files are to be loaded; "
            "leave it out (each file's bad rows then go to FILE.rejected.csv)"
        )
    table = fmt is not Format.json
    if table and [str(f) for f in files] != [str(p) for p in paths]:
        err.print(f"{len(files)} file{'s' if len(files) != 1 else ''} to load:")
        for f in files:
            err.print(f"  {f}")
    reports: list[_api.IngestReport] = []
    for path in files:
        try:
            with err.status(f"loading {path}") as status:

                def progress(message: str, p: Path = path) -> None:
                    status.update(f"{p}: {message}")

                report = load(path, progress)
        except AccordwatchError:
            if len(files) > 1:
                _say_what_was_loaded(files, reports, path)
            raise
        reports.append(report)
        if table:
            _print_report(str(path), report)
    if fmt is Format.json:
        print_json([r.to_dict() for r in reports])
    elif len(reports) > 1:
        err.print(
            f"{len(reports)} files: {sum(r.inserted for r in reports):,} new, "
            f"{sum(r.updated for r in reports):,} updated, "
            f"{sum(r.unchanged for r in reports):,} unchanged, "
            f"{sum(r.rejected for r in reports):,} rejected"
        )


@_ingest_app.command("acled")
def _ingest_acled(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="ACLED export CSV (current or pre-2023 layout, .csv or .csv.gz) or API JSON "
            "file(s), folders of them, or quoted patterns."
        ),
    ],
    db: DbOption = None,
    on_error: _OnErrorOption = _OnError.refuse,
    quarantine: _QuarantineOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Load ACLED events (export CSV in the current or pre-2023 layout, or the API's JSON).

    Re-loading a file changes nothing; events ACLED edited (same event_id_cnty, newer
    timestamp) are updated and their old versions kept in history; an older version never
    replaces a newer one. A bad row stops the load with file, line and field (nothing is
    written). A file of ACLED's deleted endpoint (as fetch acled --out saves it) removes
    those events; their history stays. ACLED data is not redistributed: cite ACLED
    wherever its figures are shown.

    Example: accordwatch ingest acled 2024-01-01-2024-12-31-Mali.csv
    """
    from ..sources._acled_csv import AcledFormat

    def load(path: Path, progress: Callable[[str], None]) -> _api.IngestReport:
        return _api.ingest_acled(
            path, db=db, on_error=on_error.value, quarantine=quarantine, progress=progress
        )

    _load_files(
        paths, _api.expand_inputs(paths, suffixes=AcledFormat.suffixes), quarantine, fmt, load
    )


#: how many errors and flags a report prints (the JSON report carries all)
_SHOWN = 5


def _print_report(path: str, report: _api.IngestReport) -> None:
    err.print(
        f"{path}: {report.rows_read:,} rows read — {report.inserted:,} new, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.rejected:,} rejected (run {report.run_id})"
    )
    if report.removed:
        err.print(f"  {report.removed:,} stored events removed: deleted at their source")
    if report.quarantine_file:
        err.print(f"  bad rows written to {report.quarantine_file}")
        for e in report.errors[:10]:
            err.print(f"  {e}")
    if report.flags:
        n = len(report.flags)
        err.print(
            f"  {n:,} value{'s' if n != 1 else ''} kept as written though the row contradicts "
            f"{'them' if n != 1 else 'it'} (the derived value is stored beside):"
        )
        for f in report.flags[:_SHOWN]:
            err.print(f"    {f}")
        if n > _SHOWN:
            err.print(f"    … and {n - _SHOWN:,} more (all in --format json)")


def _say_what_was_loaded(files: list[Path], reports: list[_api.IngestReport], failed: Path) -> None:
    """Before a failure's message: which files were loaded already and which were not."""
    done = [f"{f} (run {r.run_id})" for f, r in zip(files, reports, strict=False)]
    rest = [str(f) for f in files[len(reports) + 1 :]]
    err.print(
        f"{failed} was not loaded (below: why)"
        + (f"; loaded before it: {', '.join(done)}" if done else "")
        + (f"; not tried: {', '.join(rest)}" if rest else "")
    )


def _fetch_ucdp(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Where to save the events (JSON that ingest ucdp reads)."),
    ],
    version: Annotated[
        str, typer.Option(help="Dataset version: 25.1 (GED) or e.g. 25.0.9 (Candidate).")
    ] = "25.1",
    country: Annotated[
        str | None,
        typer.Option(help="Gleditsch–Ward country code(s), comma-separated (Mali = 432)."),
    ] = None,
    start: Annotated[str | None, typer.Option(help="StartDate filter, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="EndDate filter, YYYY-MM-DD.")] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="UCDP_API_TOKEN", show_envvar=True, help="UCDP API access token."),
    ] = None,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="Load the saved file into the store afterwards.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Download events from the UCDP API (token required) and save them; optionally ingest."""
    from ..export import check_out
    from ..sources.ucdp_api import fetch_ged, save_pages

    check_out(out, store=_api.store_path(db))  # before the download, not after

    filters = {k: v for k, v in (("Country", country), ("StartDate", start), ("EndDate", end)) if v}
    with err.status("asking the UCDP API") as status:
        events = fetch_ged(
            version,
            token=token,
            filters=filters,
            progress=lambda n, total: status.update(f"{n:,} of {total or '?'} events"),
        )
    save_pages(events, out)
    err.print(f"saved {len(events):,} events to {out}")
    if ingest:
        src = "ucdp-candidate" if version.count(".") == 2 else "ucdp-ged"
        report = _api.ingest_ucdp(out, db=db, source=src)
        err.print(
            f"{report.inserted:,} new, {report.updated:,} updated, {report.unchanged:,} unchanged"
        )


def _fetch_acled(
    country: Annotated[
        str, typer.Option("--country", "-c", help="ACLED country name (Mali, Burkina Faso …).")
    ],
    since: Annotated[str, typer.Option("--since", help="Events from this date, YYYY-MM-DD.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Events up to this date, YYYY-MM-DD.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder to save the answers in (JSON that ingest reads)."),
    ] = None,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="Sync the store: deletions, new and edited events.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch every event of the range, not only changes.")
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Download ACLED events and deletions (OAuth account required); save and/or sync.

    The account comes from $ACLED_USERNAME and $ACLED_PASSWORD or the config file acled.toml
    in the user config folder (chmod 600); tokens are cached and refreshed, never shown.
    A repeated sync of the same --country/--since/--until asks only for the events changed
    since the last one; deleted events leave the store (their history stays).

    Example: accordwatch fetch acled --country Mali --since 2024-01-01 --ingest
    """
    from .._app.acled import fetch_acled

    with err.status("asking the ACLED API") as status:
        report = fetch_acled(
            country=country,
            since=since,
            until=until,
            db=db,
            out=out,
            ingest=ingest,
            full=full,
            progress=status.update,
        )
    if fmt is Format.json:
        print_json(report.to_dict())
        return
    err.print(
        f"ACLED: {report.events_fetched:,} events"
        + (" (changed since the last sync)" if report.timestamp_since else "")
        + f", {report.deletions_fetched:,} deletions"
    )
    for f in report.files:
        err.print(f"  saved {f}")
    if report.deletions is not None:
        d = report.deletions
        err.print(f"  {d.deleted:,} stored events deleted (run {d.run_id})")
    if report.ingest is not None:
        _print_report("events", report.ingest)


def _events_cmd(
    db: DbOption = None,
    country: _Country = None,
    region: _Region = None,
    actor: _Actor = None,
    lineage: _Lineage = False,
    since: _Since = None,
    until: _Until = None,
    violence: _Violence = None,
    min_deaths: _MinDeaths = None,
    source: _Source = None,
    limit: Annotated[
        int | None, typer.Option(help="At most this many events (newest first).")
    ] = None,
    fmt: Annotated[
        _EventFormat, typer.Option("--format", "-f", help="Output format.")
    ] = _EventFormat.table,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write to this file instead of stdout (required for parquet)."
        ),
    ] = None,
) -> None:
    """List events: who did what, where, when, how deadly.

    Example:
    accordwatch events --country Mali --region Kidal --actor FLA --since 2023-08 --format csv
    """
    filters: dict[str, Any] = dict(
        country=country,
        region=region,
        actor=actor,
        lineage=lineage,
        since=since,
        until=until,
        type_of_violence=violence,
        min_deaths=min_deaths,
        source=source,
        limit=limit,
    )
    shown = fmt is _EventFormat.table and out is None
    # every format but Parquet is written from plain records: no pandas, a fast start
    df = (
        _api.events(db, **filters)
        if fmt is _EventFormat.parquet
        else _api.event_records(db, columns=_TABLE_COLUMNS if shown else None, **filters)
    )
    if shown:
        if not len(df):
            err.print(
                "no events match these filters; `accordwatch stats --by country` (or --by "
                "region, actor, year) shows what the store holds"
            )
            return
        print_frame(df, Format.table, title=f"{len(df):,} events")
        return
    write_events(
        df, "csv" if fmt is _EventFormat.table else fmt.value, out, store=_api.store_path(db)
    )
    if out is not None:
        err.print(f"wrote {len(df):,} events to {out}")


def _stats_cmd(
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            help="month, year, country, region, actor, type, priogrid, source (repeatable).",
        ),
    ] = None,
    db: DbOption = None,
    country: _Country = None,
    region: _Region = None,
    actor: _Actor = None,
    lineage: _Lineage = False,
    since: _Since = None,
    until: _Until = None,
    violence: _Violence = None,
    min_deaths: _MinDeaths = None,
    source: _Source = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Counts and deaths (best, low, high) grouped by month, region, actor, …

    Example: accordwatch stats --by year --by region --country CAF
    """
    df = _api.stats(
        db,
        by=by or ["month"],
        country=country,
        region=region,
        actor=actor,
        lineage=lineage,
        since=since,
        until=until,
        type_of_violence=violence,
        min_deaths=min_deaths,
        source=source,
    )
    print_frame(df, fmt, title="events and deaths")


def _runs_cmd(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Every ingest run: when, which file, how many rows new / updated / unchanged / rejected."""
    print_frame(_api.ingest_runs(db), fmt, title="ingest runs")


def _history_cmd(
    event_id: Annotated[str, typer.Argument(help="The event's source_event_id (GED id).")],
    source: Annotated[str, typer.Option(help="The event's source.")] = "ucdp-ged",
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Every stored version of one event, oldest first (the current one last)."""
    df = _api.event_history(event_id, source=source, db=db)
    print_frame(df, fmt, title=f"{source} {event_id}")


def _init_cmd(
    db: DbOption = None,
    empty: Annotated[
        bool,
        typer.Option(
            "--empty",
            help="Do not seed with the bundled default (sample CAF events, Mali reference data).",
        ),
    ] = False,
) -> None:
    """Create the store (normally done on first use) and say where it is."""
    made = _api.init_store(db, empty=empty)
    err.print(f"store ready at {made['path']} ({made['events']:,} events)")


def _info_cmd(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Where the store is and what it holds."""
    info = _api.store_info(db)
    if fmt is Format.json:
        print_json(info)
        return
    by_source = cast("list[dict[str, Any]]", info.pop("by_source"))
    for k, v in info.items():
        typer.echo(f"{k:>15}: {v}")
    import pandas as pd

    print_frame(pd.DataFrame(by_source, columns=["source", "events"]), fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(_ingest_app, name="ingest")
    fetch_app = typer.Typer(help="Download events from remote APIs.", no_args_is_help=True)
    fetch_app.command("ucdp")(_fetch_ucdp)
    fetch_app.command("acled")(_fetch_acled)
    app.add_typer(fetch_app, name="fetch")
    app.command("events")(_events_cmd)
    app.command("stats")(_stats_cmd)
    app.command("runs")(_runs_cmd)
    app.command("history")(_history_cmd)
    app.command("info")(_info_cmd)
    app.command("init")(_init_cmd)
