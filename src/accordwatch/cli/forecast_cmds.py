"""Forecast commands: ``backtest cm|store``, ``forecast`` and ``alerts``.

Thin shells over :mod:`accordwatch.forecast`; :func:`register` adds them to the app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from ..errors import InputError
from ._cluster import ClusterOption, DashboardOption, check_dashboard
from ._common import (
    DbOption,
    Format,
    FormatOption,
    err,
    lazy_module,
    print_frame,
    print_json,
    warn,
)

if TYPE_CHECKING:
    import pandas as pd

_fx = lazy_module("accordwatch.forecast")  # pandas, LightGBM …: loaded when a command runs

__all__ = ["register"]

_backtest_app = typer.Typer(
    help="Score models on the VIEWS prediction-challenge protocol.", no_args_is_help=True
)


class _Level(str, Enum):
    country = "country"
    admin1 = "admin1"
    priogrid = "priogrid"


class _ModelName(str, Enum):
    zero = "zero"
    last = "last"
    conflictology = "conflictology"
    qgbm = "qgbm"


#: ``accordwatch.forecast.DEFAULT_MODEL`` and ``SUBNATIONAL_DEFAULT``, spelled out so the CLI
#: starts without importing them (tests/cli/test_startup.py checks that they agree).
_DEFAULT = _ModelName.qgbm
_SUBNATIONAL_DEFAULT = _ModelName.conflictology


def _model_for(model: _ModelName | None, from_store: bool, level: _Level) -> str:
    """The model asked for, else the backtested default of the series' level."""
    if model is not None:
        return model.value
    sub = from_store and level is not _Level.country
    return (_SUBNATIONAL_DEFAULT if sub else _DEFAULT).value


_DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="VIEWS country-month CSV(.gz)/Parquet. Default: the bundled UCDP GED 1990–2022 file.",
        dir_okay=False,
    ),
]
_FromStore = Annotated[
    bool,
    typer.Option(
        "--from-store",
        help="Build the series from the events in the store (--db) instead of --data.",
    ),
]
_LevelOption = Annotated[
    _Level, typer.Option("--level", help="Unit of the series built from store events.")
]
_ModelOption = Annotated[
    _ModelName | None,
    typer.Option(
        "--model",
        "-m",
        help="Model to use. Default: the backtested default of the level — qgbm for "
        "countries, conflictology for admin-1 and PRIO-GRID series from store events.",
        show_default=False,
    ),
]


def _panel(data: Path | None, from_store: bool, db: Path | None, level: _Level) -> pd.DataFrame:
    if not from_store:
        return _fx.load_views_cm(data)
    if data is not None:
        raise InputError("give either --data or --from-store, not both.")
    import accordwatch

    get_events = getattr(accordwatch, "events", None)
    if get_events is None:
        raise InputError(
            "this installation has no event store API (accordwatch.events); use --data instead."
        )
    events = get_events(db, type_of_violence=1)
    if events.empty:
        raise InputError(
            "the store holds no state-based events; "
            "ingest some (accordwatch ingest ucdp FILE) or use --data."
        )
    return _fx.series_from_events(events, level.value, type_of_violence=1)


def _codes(data: Path | None, from_store: bool, level: _Level) -> pd.DataFrame | None:
    """The country codes (ISO3, Gleditsch–Ward) of the panel's units; None for regions and
    cells.  Series built from store events have Gleditsch–Ward codes as country ids."""
    if not from_store:
        return _fx.country_codes(data)
    return _fx.country_codes(unit_id="gwcode") if level is _Level.country else None


def _unit_id(panel: pd.DataFrame, name: str, codes: pd.DataFrame | None) -> int:
    """The unit ``name`` stands for; a number that is both a unit id and another country's
    Gleditsch–Ward code is read as the id, and a warning says how to get the other."""
    uid = int(_fx.find_unit(panel, name, codes=codes))
    if name.strip().isdigit() and codes is not None:
        try:
            gw = int(_fx.find_unit(panel, name, codes=codes, by=("gwcode",)))
        except LookupError:
            return uid
        if gw != uid:
            unit_of = panel.drop_duplicates("unit_id").set_index("unit_id")["unit"]
            warn(
                f"{name.strip()} is read as the unit id of {unit_of[uid]} (the data's own "
                f"country_id); for {unit_of[gw]}, whose Gleditsch–Ward code is {name.strip()}, "
                f"give its name: --country {unit_of[gw]!r}."
            )
    return uid


def _newer_data_hint(from_store: bool) -> str:
    if from_store:
        return "ingest recent events (accordwatch ingest ucdp FILE)."
    return (
        "pass --data with a newer VIEWS country-month file, or use --from-store "
        "after ingesting recent events."
    )


def _parse_years(tokens: list[str]) -> list[int]:
    years: list[int] = []
    for token in tokens:
        for part in token.replace(",", " ").split():
            lo, sep, hi = part.partition("-")
            try:
                years += list(range(int(lo), int(hi) + 1)) if sep else [int(part)]
            except ValueError:
                raise InputError(
                    f"test year {part!r} is not a year; write e.g. 2018 2019 or 2018-2021."
                ) from None
    return years


_TestYears = Annotated[
    str | None,
    typer.Option(
        "--test-years",
        help="Test years: '2018 2019 2020 2021', '2018,2019' or '2018-2021' "
        "(or rolling origins: --origins/--stress).",
    ),
]


class _OriginSet(str, Enum):
    october = "october"
    quarterly = "quarterly"
    monthly = "monthly"


_OriginsOption = Annotated[
    _OriginSet | None,
    typer.Option(
        "--origins",
        help="Rolling origins instead of --test-years: october (the VIEWS origins), quarterly "
        "(January, April, July, October) or monthly; steps 3-14 from each.",
        case_sensitive=False,
    ),
]
_FromYear = Annotated[
    int | None,
    typer.Option(
        "--from",
        help="First year of origins; an origin belongs to the year of its step-3 month "
        "(October Y-1 to Y). Default: the first the data allow.",
    ),
]
_ToYear = Annotated[
    int | None,
    typer.Option("--to", help="Last year of origins. Default: the last the data allow."),
]
_StressFlag = Annotated[
    bool,
    typer.Option(
        "--stress",
        help="Add the stress origins: months when some unit had >= --stress-min-deaths "
        "deaths and its record so far or >= 5x its mean of the 12 months before "
        "(alone: only them).",
    ),
]
_StressMin = Annotated[
    float | None,
    typer.Option("--stress-min-deaths", help="Least deaths of a stress month. Default: 1000."),
]
_RefitOption = Annotated[
    int | None,
    typer.Option(
        "--refit",
        help="Months between fits, counted from October: 1 (default: every origin fitted on "
        "the data through it), 2, 3, 4, 6 or 12 (faster; the origins between reuse the last "
        "fit with their newer months, which is not the same forecast).",
    ),
]
_FrameOption = Annotated[
    Path | None,
    typer.Option(
        "--frame",
        help="Also write the tidy frame (one row per model, origin, unit and step) to this "
        ".csv or .parquet file.",
        dir_okay=False,
    ),
]
_MoreYears = Annotated[
    list[str] | None,
    typer.Argument(
        help="Further test years (so that --test-years 2018 2019 … works).", show_default=False
    ),
]
_Models = Annotated[
    list[_ModelName] | None,
    typer.Option(
        "--model",
        "-m",
        help="Models besides the benchmarks (repeatable). Default: the default model.",
    ),
]


@dataclass(frozen=True)
class _Windows:
    """How the windows of a backtest are chosen: test years, or rolling origins."""

    test_years: str | None
    more_years: list[str] | None
    origins: _OriginSet | None
    first: int | None
    last: int | None
    stress: bool
    min_deaths: float | None
    refit: int | None
    frame: Path | None
    cluster: str | None = None
    dashboard: bool = False


@_backtest_app.command("cm")
def _backtest_cm(
    test_years: _TestYears = None,
    more_years: _MoreYears = None,
    origins: _OriginsOption = None,
    first: _FromYear = None,
    last: _ToYear = None,
    stress: _StressFlag = False,
    min_deaths: _StressMin = None,
    refit: _RefitOption = None,
    frame: _FrameOption = None,
    data: _DataOption = None,
    models: _Models = None,
    cluster: ClusterOption = None,
    dashboard: DashboardOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Backtest country-month forecasts: for year Y, train to October Y−1, forecast Jan–Dec Y.

    With --origins/--stress, forecast steps 3-14 from many origins (rolling origins) and
    report per origin and pooled the CRPS ratio to conflictology, the worst origin and the
    worst unit-window.

    Examples: accordwatch backtest cm --test-years 2018-2021;
    accordwatch backtest cm --origins october --from 1995 --to 2022 --stress -f json
    """
    windows = _Windows(
        test_years,
        more_years,
        origins,
        first,
        last,
        stress,
        min_deaths,
        refit,
        frame,
        cluster,
        dashboard,
    )
    _backtest(_fx.load_views_cm(data), windows, models, fmt)


@_backtest_app.command("store")
def _backtest_store(
    test_years: _TestYears = None,
    more_years: _MoreYears = None,
    origins: _OriginsOption = None,
    first: _FromYear = None,
    last: _ToYear = None,
    stress: _StressFlag = False,
    min_deaths: _StressMin = None,
    refit: _RefitOption = None,
    frame: _FrameOption = None,
    db: DbOption = None,
    level: _LevelOption = _Level.admin1,
    models: _Models = None,
    cluster: ClusterOption = None,
    dashboard: DashboardOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Backtest on the store's own events, per country, admin-1 region or PRIO-GRID cell.

    The protocol is that of ``backtest cm``, with test years or rolling origins.

    Example: accordwatch backtest store --level admin1 --test-years 2019-2022 -m conflictology
    """
    windows = _Windows(
        test_years,
        more_years,
        origins,
        first,
        last,
        stress,
        min_deaths,
        refit,
        frame,
        cluster,
        dashboard,
    )
    _backtest(_panel(None, True, db, level), windows, models, fmt)


def _backtest(
    panel: pd.DataFrame, windows: _Windows, models: list[_ModelName] | None, fmt: Format
) -> None:
    rolling = (
        windows.origins is not None
        or windows.stress
        or windows.first is not None
        or windows.last is not None
        or windows.min_deaths is not None
        or windows.refit is not None
    )
    if windows.test_years is not None and rolling:
        raise InputError(
            "--test-years and --origins/--stress/--from/--to/--refit choose the windows in two "
            "ways; give one of them."
        )
    if windows.test_years is None and not rolling:
        raise InputError(
            "choose the windows: --test-years 2018-2021 (the VIEWS protocol), or rolling "
            "origins: --origins october|quarterly|monthly [--stress] --from 1995 --to 2021."
        )
    if windows.frame is not None:
        _frame_format(windows.frame)
    check_dashboard(windows.cluster, windows.dashboard)
    chosen = None if not models else {m.value: _fx.make_model(m.value) for m in models}
    if rolling:
        _backtest_origins(panel, windows, chosen, fmt)
        return
    years = _parse_years([cast(str, windows.test_years), *(windows.more_years or [])])
    err.print(f"backtesting {', '.join(map(str, years))} on {panel['unit_id'].nunique()} units …")
    if windows.cluster is not None:
        result = _on_cluster(windows, "backtest_on", panel, years, chosen)
    else:
        result = _fx.backtest(panel, years, models=chosen)
    if windows.frame is not None:
        _write_frame(result.frame, windows.frame)
    if fmt is Format.json:
        print_json(result.to_dict())
        return
    table = result.scores.reset_index()
    by_year = result.by_year()["crps"].unstack()
    by_year.columns = [f"crps_{c}" for c in by_year.columns]
    out = table.merge(by_year, left_on="model", right_index=True)
    print_frame(
        out.round(4) if fmt is Format.table else out, fmt, title=f"default model: {result.default}"
    )


def _frame_format(path: Path) -> str:
    """``csv`` or ``parquet`` by the --frame file's name; the file checked before the run."""
    from ..export import check_out

    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        fmt = "csv"
    elif name.endswith(".parquet"):
        fmt = "parquet"
    else:
        raise InputError(f"--frame {path} must end in .csv or .parquet.")
    check_out(path, option="--frame")
    return fmt


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    from ..export import write_events

    if path.name.lower().endswith(".gz"):
        frame.to_csv(path, index=False)
    else:
        write_events(frame, _frame_format(path), path)
    err.print(f"tidy frame ({len(frame)} rows) written to {path}")


def _backtest_origins(
    panel: pd.DataFrame, windows: _Windows, chosen: dict[str, Any] | None, fmt: Format
) -> None:
    min_deaths = 1000.0 if windows.min_deaths is None else windows.min_deaths
    if min_deaths < 0:
        raise InputError(f"--stress-min-deaths must be 0 or more (got {min_deaths:g}).")
    kind = None if windows.origins is None else windows.origins.value
    origins = _fx.origin_months(
        panel, kind, windows.first, windows.last, stress=windows.stress, min_deaths=min_deaths
    )
    what = " and ".join(
        [*([f"{kind}"] if kind else []), *([f"stress (>= {min_deaths:g} deaths)"] * windows.stress)]
    )
    err.print(
        f"forecasting from {len(origins)} {what} origins, {_fx.month_label(origins[0])} to "
        f"{_fx.month_label(origins[-1])}, on {panel['unit_id'].nunique()} units …"
    )
    refit = 1 if windows.refit is None else windows.refit
    if windows.cluster is not None:
        result = _on_cluster(
            windows,
            "backtest_origins_on",
            panel,
            origins,
            chosen,
            refit=refit,
            min_deaths=min_deaths,
        )
    else:
        with err.status("fitting …") as status:

            def progress(done: int, total: int, origin: int) -> None:
                status.update(f"origin {done}/{total} ({_fx.month_label(origin)}) scored …")

            result = _fx.backtest_origins(
                panel,
                origins,
                models=chosen,
                refit=refit,
                min_deaths=min_deaths,
                progress=progress,
            )
    if windows.frame is not None:
        _write_frame(result.frame, windows.frame)
    if fmt is Format.json:
        print_json(result.to_dict())
        return
    per = result.by_origin()
    table = per[per["model"] == "conflictology"][["cutoff", "origin", "year", "n", "crps"]]
    table = table.rename(columns={"crps": "crps_conflictology"}).set_index("cutoff")
    table.insert(2, "stress", [_stress_label(result, int(c)) for c in table.index])
    others = [m for m in result.models if m != "conflictology"]
    for name in others:
        table[f"ratio_{name}"] = per[per["model"] == name].set_index("cutoff")["ratio"]
    table = table.reset_index(drop=True)
    print_frame(
        table.round(3) if fmt is Format.table else table,
        fmt,
        title="CRPS ratio to conflictology per origin",
        max_rows=400,
    )
    if fmt is not Format.table:
        return
    pooled = result.pooled().reset_index()
    print_frame(pooled.round(3), fmt, title=f"pooled over {len(result.origins)} origins")
    rows = []
    for name in others:
        wo, wu = result.worst_origin(name), result.worst_unit_window(name)
        rows.append(
            {
                "model": name,
                "worst_origin": wo["origin"],
                "ratio": wo["ratio"],
                "worst_unit_window": f"{wu['unit']} from {wu['origin']}",
                "deaths_at_origin": wu["deaths_at_origin"],
                "excess_crps": wu["excess"],
                "pooled_ratio_without": wu["pooled_ratio_without"],
            }
        )
    import pandas as pd

    print_frame(
        pd.DataFrame(rows).round(3),
        fmt,
        title=f"worst origin and unit-window (default model: {result.default})",
    )


def _on_cluster(windows: _Windows, fn: str, *args: Any, **kwargs: Any) -> Any:
    """``accordwatch._app.cluster.<fn>(client, *args, **kwargs)`` on the --cluster, with a
    progress bar of its tasks."""
    from .._app import cluster as _cl
    from ._cluster import cluster_client, task_progress

    with cluster_client(cast(str, windows.cluster), windows.dashboard) as client:
        with task_progress("fitting and scoring") as progress:
            return getattr(_cl, fn)(client, *args, progress=progress, **kwargs)


def _stress_label(result: Any, origin: int) -> str:
    rows = result.stress[result.stress["month_id"] == origin]
    return ", ".join(f"{r.unit} ({r.y:,.0f})" for r in rows.itertuples())


def _forecast_cmd(
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country",
            "-c",
            help="Country: name, ISO3 code or Gleditsch–Ward number, as in events (repeatable).",
        ),
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit",
            "-u",
            help="Any unit by name or id (repeatable): country, admin-1 'Mali / Gao', "
            "PRIO-GRID gid.",
        ),
    ] = None,
    all_units: Annotated[
        bool,
        typer.Option("--all", help="Every unit that can be forecast (one fit), sorted by name."),
    ] = False,
    months: Annotated[
        int, typer.Option("--months", help="Months to forecast after the last month of data.")
    ] = 12,
    data: _DataOption = None,
    from_store: _FromStore = False,
    db: DbOption = None,
    level: _LevelOption = _Level.country,
    model: _ModelOption = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Write a fan chart of history and forecast (.png or .svg; one unit).",
            dir_okay=False,
        ),
    ] = None,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit",
            help="Fit again even when the store holds a forecast of the same data and model "
            "settings (the new one is stored).",
        ),
    ] = False,
    map_out: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="Also write a map-ready file: unit, geometry id, month, median, P(≥1), "
            "P(≥25) — .geojson (polygons where bundled) or .csv.",
            dir_okay=False,
        ),
    ] = None,
    map_month: Annotated[
        str | None,
        typer.Option("--map-month", help="Only this month (YYYY-MM) in the --map file."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Forecast deaths per month: median, 50 % and 90 % intervals, P(≥25) and P(≥100).

    The months forecast are those after the last month of data; when they are already past
    (old data), the table, the JSON ("past", "warning") and the chart say so.

    Every unit's forecast is stored (--db): the next forecast of the same data (file
    SHA-256, or the series built from store events) by the same model and settings is read
    from the store instead of fitted again — the same numbers.

    Examples: accordwatch forecast --country Mali --chart mali.png;
    accordwatch forecast -c MLI -c 436 -c "Burkina Faso" --months 6;
    accordwatch forecast --all --from-store --level admin1 --format csv;
    accordwatch forecast --all --from-store --level admin1 --map gao.geojson
    """
    names = [*(country or []), *(unit or [])]
    if all_units == bool(names):
        raise InputError("name units with --country/--unit, or pass --all — one of the two.")
    if chart is not None and len(names) != 1:
        raise InputError("--chart draws one unit; name exactly one with --country or --unit.")
    if map_out is not None and map_out.suffix.lower() not in (".geojson", ".json", ".csv"):
        raise InputError(f"--map {map_out}: give a .geojson, .json or .csv file name.")
    if map_month is not None and map_out is None:
        raise InputError("--map-month chooses the month of the --map file; give --map too.")
    for path, option in ((chart, "--chart"), (map_out, "--map")):
        if path is not None:
            from ..export import check_out

            check_out(path, option=option)  # a folder or a file in the way: before the fit
    panel = _panel(data, from_store, db, level)
    codes = _codes(data, from_store, level)
    uids = None if all_units else [_unit_id(panel, n, codes) for n in names]
    name = _model_for(model, from_store, level)
    fc = _stored_or_fitted(panel, uids, months, name, codes, data, from_store, level, db, refit)
    stale = _fx.stale_warning(fc)
    if chart is not None:
        _fx.fan_chart(panel, fc, chart)
        err.print(f"fan chart written to {chart}")
    if map_out is not None:
        _write_map(fc, level.value, map_out, map_month)
    cols = ["month", "median", "lo-50", "hi-50", "lo-90", "hi-90", "p_ge_25", "p_ge_100", "mean"]
    several = fc["unit_id"].nunique() > 1
    if several:
        cols.insert(0, "unit")
    if fmt is Format.json:
        shown = fc.assign(past=_fx.months_past(fc), warning=stale)
    else:
        shown = fc[cols].round(2)
    title = (
        f"{months}-month forecasts for {fc['unit_id'].nunique()} units"
        if several
        else f"{fc['unit'].iloc[0]}: {months}-month forecast"
    )
    data_end = fc["data_end"].iloc[0]
    print_frame(shown, fmt, title=f"{title} ({name}; data end {data_end})")
    if stale is not None:
        warn(f"{stale.removesuffix('.')}: {_newer_data_hint(from_store)}")


def _write_map(fc: pd.DataFrame, level: str, out: Path, month: str | None) -> None:
    """The map-ready file of a forecast (GeoJSON or CSV), written atomically."""
    import json

    from .._app.forecast_map import forecast_map, map_geojson
    from ..export import write_atomic

    table = forecast_map(fc, level, month=month)
    if out.suffix.lower() == ".csv":
        write_atomic(out, table.to_csv(index=False))
    else:
        write_atomic(out, json.dumps(map_geojson(table, level), ensure_ascii=False))
    drawn = int(table["geometry_id"].notna().sum())
    err.print(
        f"map file written to {out}: {len(table)} rows, {table['unit'].nunique()} units "
        f"({drawn} rows with a geometry id)"
    )


def _stored_or_fitted(
    panel: pd.DataFrame,
    uids: list[int] | None,
    months: int,
    model: str,
    codes: pd.DataFrame | None,
    data: Path | None,
    from_store: bool,
    level: _Level,
    db: Path | None,
    refit: bool,
) -> pd.DataFrame:
    """The forecast from the store when it holds one of these data and model, else fitted
    and stored; says on stderr which it was."""
    from .._app import forecasts as stored

    if from_store:
        key = stored.data_hash(panel=panel, level=level.value)
        source = f"store:{level.value}"
    else:
        key = stored.data_hash(data, level="country")
        source = str(data) if data is not None else "bundled VIEWS country-month file"
    fc, run = stored.cached_forecast(
        panel,
        uids,
        months,
        model=model,
        data_hash=key,
        data_source=source,
        codes=codes,
        refit=refit,
        db=db,
        say=err.print,
    )
    end = _fx.month_label(run.origin)
    if not run.fitted:
        when = f"{run.created_at:%Y-%m-%d %H:%M}" if run.created_at else "an earlier run"
        err.print(
            f"from the forecast stored at {when} ({run.model} on data up to {end}, "
            f"{run.units} units; same data and settings; --refit fits again)"
        )
    elif run.stored:
        err.print(f"… stored: the next forecast of these data by {run.model} is read from it")
    else:
        warn(f"this forecast was not stored: {run.note}")
    return fc


def _alerts_cmd(
    data: _DataOption = None,
    from_store: _FromStore = False,
    db: DbOption = None,
    level: _LevelOption = _Level.country,
    model: _ModelOption = None,
    baseline: Annotated[
        int, typer.Option("--baseline", help="Months in the rolling baseline.")
    ] = 12,
    surge_ratio: Annotated[
        float, typer.Option("--surge-ratio", help="Surge when deaths ≥ this × the baseline mean.")
    ] = 3.0,
    min_deaths: Annotated[
        float, typer.Option("--min-deaths", help="Ignore months with fewer deaths.")
    ] = 10.0,
    top: Annotated[int, typer.Option("--top", help="Show at most this many alerts.")] = 20,
    fmt: FormatOption = Format.table,
) -> None:
    """Units whose latest month departs from their own history, ranked, with the reason in words."""
    panel = _panel(data, from_store, db, level)
    result = _fx.alerts(
        panel,
        model=_model_for(model, from_store, level),
        baseline=baseline,
        surge_ratio=surge_ratio,
        min_deaths=min_deaths,
    )
    last = int(panel["month_id"].max())
    behind = bool(_fx.months_past(panel.head(1).assign(month_id=last + 1)).iloc[0])
    if behind:
        warn(
            f"data end {_fx.month_label(last)}: these alerts are about that month, not the "
            f"latest ones (today is {dt.date.today().isoformat()}). For alerts about recent "
            f"months, {_newer_data_hint(from_store)}"
        )
    if result.empty and fmt is not Format.json:
        err.print(f"no alerts for {_fx.month_label(last)}, the latest month of the data.")
        return
    shown = result.head(top)
    if fmt is not Format.json:
        shown = shown.drop(columns="unit_id").round(
            {"forecast_median": 1, "forecast_hi": 1, "baseline_mean": 1, "score": 2}
        )
    print_frame(
        shown, fmt, title=f"alerts for {result['month'].iloc[0]}" if len(result) else "alerts"
    )


def register(app: typer.Typer) -> None:
    """Add ``backtest``, ``forecast`` and ``alerts`` to the main app."""
    app.add_typer(_backtest_app, name="backtest")
    app.command("forecast")(_forecast_cmd)
    app.command("alerts")(_alerts_cmd)
