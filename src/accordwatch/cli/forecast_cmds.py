"""Forecast commands: ``backtest cm|store``, ``forecast`` and ``alerts``.

Thin shells over :mod:`accordwatch.forecast`; :func:`register` adds them to the app.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError
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


#: ``accordwatch.forecast.DEFAULT_MODEL``, spelled out so the CLI starts without importing it
#: (tests/cli/test_startup.py checks that they agree).
_DEFAULT = _ModelName.qgbm

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
    _ModelName,
    typer.Option("--model", "-m", help="Model to use (default: the backtested default)."),
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
    str,
    typer.Option(
        "--test-years", help="Test years: '2018 2019 2020 2021', '2018,2019' or '2018-2021'."
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


@_backtest_app.command("cm")
def _backtest_cm(
    test_years: _TestYears,
    more_years: _MoreYears = None,
    data: _DataOption = None,
    models: _Models = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Backtest country-month forecasts: for year Y, train to October Y−1, forecast Jan–Dec Y."""
    _backtest(_fx.load_views_cm(data), [test_years, *(more_years or [])], models, fmt)


@_backtest_app.command("store")
def _backtest_store(
    test_years: _TestYears,
    more_years: _MoreYears = None,
    db: DbOption = None,
    level: _LevelOption = _Level.admin1,
    models: _Models = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Backtest on the store's own events, per country, admin-1 region or PRIO-GRID cell.

    The protocol is that of ``backtest cm``.

    Example: accordwatch backtest store --level admin1 --test-years 2019-2022 -m conflictology
    """
    _backtest(_panel(None, True, db, level), [test_years, *(more_years or [])], models, fmt)


def _backtest(
    panel: pd.DataFrame, tokens: list[str], models: list[_ModelName] | None, fmt: Format
) -> None:
    years = _parse_years(tokens)
    chosen = None if not models else {m.value: _fx.make_model(m.value) for m in models}
    err.print(f"backtesting {', '.join(map(str, years))} on {panel['unit_id'].nunique()} units …")
    result = _fx.backtest(panel, years, models=chosen)
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
    model: _ModelOption = _DEFAULT,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Write a fan chart of history and forecast (.png or .svg; one unit).",
            dir_okay=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Forecast deaths per month: median, 50 % and 90 % intervals, P(≥25) and P(≥100).

    The months forecast are those after the last month of data; when they are already past
    (old data), the table, the JSON ("past", "warning") and the chart say so.

    Examples: accordwatch forecast --country Mali --chart mali.png;
    accordwatch forecast -c MLI -c 436 -c "Burkina Faso" --months 6;
    accordwatch forecast --all --from-store --level admin1 --format csv
    """
    names = [*(country or []), *(unit or [])]
    if all_units == bool(names):
        raise InputError("name units with --country/--unit, or pass --all — one of the two.")
    if chart is not None and len(names) != 1:
        raise InputError("--chart draws one unit; name exactly one with --country or --unit.")
    if chart is not None:
        from ..export import check_out

        check_out(chart, option="--chart")  # a folder or a file in the way: before the fit
    panel = _panel(data, from_store, db, level)
    codes = _codes(data, from_store, level)
    uids = None if all_units else [_unit_id(panel, n, codes) for n in names]
    err.print(f"fitting {model.value} on {panel['unit_id'].nunique()} units …")
    fc = _fx.forecast(panel, uids, months, model=model.value)
    stale = _fx.stale_warning(fc)
    if chart is not None:
        _fx.fan_chart(panel, fc, chart)
        err.print(f"fan chart written to {chart}")
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
    print_frame(shown, fmt, title=f"{title} ({model.value}; data end {data_end})")
    if stale is not None:
        warn(f"{stale.removesuffix('.')}: {_newer_data_hint(from_store)}")


def _alerts_cmd(
    data: _DataOption = None,
    from_store: _FromStore = False,
    db: DbOption = None,
    level: _LevelOption = _Level.country,
    model: _ModelOption = _DEFAULT,
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
        panel, model=model.value, baseline=baseline, surge_ratio=surge_ratio, min_deaths=min_deaths
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
