"""Forecasts for one unit, several or all from the latest month, and a fan chart of history
and forecast.

Example:
    >>> from accordwatch.forecast import Conflictology, load_views_cm
    >>> panel = load_views_cm()
    >>> fc = forecast(panel, "Mali", 6, model=Conflictology())
    >>> fc[["month", "median", "lo-90", "hi-90", "p_ge_25"]].shape
    (6, 5)
    >>> fc["month"].iloc[0]
    '2023-01'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ._benchmarks import Model
from ._data import find_unit, load_views_cm, month_id, month_label, validate_panel
from ._learned import as_model

__all__ = ["fan_chart", "forecast", "months_past", "stale_warning"]


def forecast(
    df: pd.DataFrame | None,
    unit: str | int | Sequence[str | int] | None,
    months: int = 12,
    *,
    model: Model | str | None = None,
    codes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Forecast ``months`` months after the panel's last month for one unit, several, or all.

    ``unit`` is a name or id, a list of them, or ``None`` for every unit the model can
    forecast (those with data in the last month and enough history; the others are
    in ``model.skipped_``). The model (default: the backtested default, fitted on every
    unit so the pooled model learns from all of them) is fitted once on the whole
    panel. Returns one row per unit and month: ``mean``, ``median``, ``lo-50``/``hi-50``,
    ``lo-90``/``hi-90`` and the probabilities of at least 1, 25 and 100 deaths
    (``p_ge_1``, ``p_ge_25``, ``p_ge_100``), units in the order asked (all units: by name), and
    ``data_end``, the panel's last month (:func:`stale_warning` says when the forecast
    months are already past).  A country can be named by ISO3 code or Gleditsch–Ward
    number too, with ``codes`` (see :func:`~accordwatch.forecast.find_unit`).

    Raises :class:`~accordwatch.errors.NotFound` for an unknown unit and
    :class:`~accordwatch.errors.InputError` for a named unit without data in the last
    month or with too little history.
    """
    panel = load_views_cm() if df is None else validate_panel(df, source="forecast")
    if not 1 <= int(months) <= 36:
        raise InputError(
            f"months must be between 1 and 36 (got {months}); "
            "forecasts further out are not backtested."
        )
    m = as_model(model)
    named = (
        None if unit is None else [unit] if isinstance(unit, (str, int, np.integer)) else list(unit)
    )
    if named is not None and not named:
        raise InputError("no unit given; name one or more units, or pass None for all.")
    uids = None if named is None else [_forecastable(panel, u, m.min_history, codes) for u in named]
    samples = m.fit(panel).predict(int(months))
    if uids is None:
        order = np.argsort(samples.unit.astype(str), kind="stable")
        uids = [int(u) for u in samples.unit_id[order]]
    out = samples.select(uids).summary(levels=(50, 90), thresholds=(1, 25, 100))
    out.insert(0, "model", m.name)
    out["data_end"] = month_label(int(panel["month_id"].max()))
    return out


def months_past(fc: pd.DataFrame, today: dt.date | None = None) -> pd.Series:
    """For each row of a forecast, whether its month had ended by ``today`` (default: now).

    >>> fc = pd.DataFrame({"month_id": [515, 516, 517]})
    >>> months_past(fc, today=dt.date(2023, 1, 10)).tolist()
    [True, True, False]
    """
    day = dt.date.today() if today is None else today
    return fc["month_id"] < month_id(day.year, day.month)


def stale_warning(fc: pd.DataFrame, today: dt.date | None = None) -> str | None:
    """What to tell a reader when some of the forecast months are already past on ``today``
    (default: now) — the data end too long ago — or None when none is.

    >>> fc = forecast(None, "Mali", 12, model="conflictology")
    >>> print(stale_warning(fc, today=dt.date(2026, 12, 1)))  # doctest: +NORMALIZE_WHITESPACE
    data end 2022-12, so the 12 forecast months 2023-01 to 2023-12 are already past
    (today is 2026-12-01): this is not a forecast of the months ahead. Load newer data.
    >>> stale_warning(fc, today=dt.date(2023, 1, 5)) is None
    True
    """
    if fc.empty:
        return None
    day = dt.date.today() if today is None else today
    past = months_past(fc, day)
    if not past.any():
        return None
    months = sorted(set(fc["month_id"]))
    gone = sorted(set(fc.loc[past, "month_id"]))
    end = fc["data_end"].iloc[0] if "data_end" in fc.columns else month_label(months[0] - 1)
    span = month_label(gone[0]) + ("" if len(gone) == 1 else f" to {month_label(gone[-1])}")
    if len(gone) == len(months):
        what = (
            f"the forecast month {span} is"
            if len(gone) == 1
            else f"the {len(gone)} forecast months {span} are"
        )
        tail = ": this is not a forecast of the months ahead"
    else:
        what = f"{len(gone)} of the {len(months)} forecast months ({span}) " + (
            "is" if len(gone) == 1 else "are"
        )
        tail = ""
    return (
        f"data end {end}, so {what} already past (today is {day.isoformat()}){tail}. "
        "Load newer data."
    )


def _forecastable(
    panel: pd.DataFrame, unit: str | int, min_history: int, codes: pd.DataFrame | None
) -> int:
    """The unit's id, after checking that it reports in the last month and has enough history."""
    uid = find_unit(panel, unit, codes=codes)
    rows = panel[panel["unit_id"] == uid]
    last = int(panel["month_id"].max())
    name = rows["unit"].iloc[-1]
    if int(rows["month_id"].max()) != last:
        raise InputError(
            f"{name}'s data end in {month_label(int(rows['month_id'].max()))}, "
            f"before the panel's last month {month_label(last)}; "
            "a unit that no longer reports cannot be forecast. Add its recent months."
        )
    if len(rows) < min_history:
        raise InputError(
            f"{name} has only {len(rows)} months of data; {min_history} are needed for a forecast. "
            "Give a longer series."
        )
    return uid


def fan_chart(
    df: pd.DataFrame,
    fc: pd.DataFrame,
    path: str | Path,
    *,
    history_months: int = 48,
    today: dt.date | None = None,
) -> Path:
    """Draw the unit's recent history and its forecast fan (50 % and 90 % bands) to PNG or SVG.

    ``fc`` is a frame from :func:`forecast`; ``df`` the panel it came from.  A dotted line
    marks where the data end; when the forecast months are already past on ``today``
    (default: now), a boxed note on the chart says so (:func:`stale_warning`).
    """
    out = Path(path)
    if out.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"chart file {out} must end in .png or .svg.")
    if fc.empty:
        raise InputError("empty forecast; nothing to draw.")
    if fc["unit_id"].nunique() > 1:
        raise InputError(
            f"a fan chart draws one unit, and this forecast has {fc['unit_id'].nunique()}; "
            "select one first, e.g. fc[fc.unit == 'Mali']."
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    uid = int(fc["unit_id"].iloc[0])
    hist = df[df["unit_id"] == uid].sort_values("month_id").tail(history_months)
    hx = pd.to_datetime([month_label(m) + "-15" for m in hist["month_id"]])
    fx = pd.to_datetime([month_label(m) + "-15" for m in fc["month_id"]])
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=120)
    ax.plot(hx, hist["y"], color="#333333", lw=1.4, label="observed")
    # join the fan to the last observed month
    jx = np.concatenate([hx[-1:], fx])
    last_y = hist["y"].iloc[-1:].to_numpy()

    def joined(col: str) -> np.ndarray:
        return np.concatenate([last_y, fc[col].to_numpy()])

    ax.fill_between(
        jx,
        joined("lo-90"),
        joined("hi-90"),
        color="#c0392b",
        alpha=0.18,
        lw=0,
        label="90 % interval",
    )
    ax.fill_between(
        jx,
        joined("lo-50"),
        joined("hi-50"),
        color="#c0392b",
        alpha=0.35,
        lw=0,
        label="50 % interval",
    )
    ax.plot(jx, joined("median"), color="#c0392b", lw=1.6, ls="--", label="median forecast")
    ax.axvline(float(mdates.date2num(hx[-1])), color="#777777", lw=0.8, ls=":")
    ax.annotate(
        f"data end {month_label(int(hist['month_id'].iloc[-1]))}",
        xy=(hx[-1], 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(-3, -3),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=7,
        color="#555555",
    )
    stale = stale_warning(fc, today)
    if stale is not None:
        import textwrap

        ax.text(
            0.99,
            0.80,
            "\n".join(textwrap.wrap(stale, 48)),
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
            color="#7a4b00",
            bbox={"boxstyle": "round", "facecolor": "#fff3cd", "edgecolor": "#d4a017"},
            multialignment="left",
            gid="stale-note",
        )
    ax.set_ylabel("state-based deaths per month")
    ax.set_title(
        f"{fc['unit'].iloc[0]}: history and {len(fc)}-month forecast ({fc['model'].iloc[0]})"
    )
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.25)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    fig.text(
        0.01,
        0.01,
        "Data: UCDP GED (CC BY 4.0) via VIEWS; forecast: accordwatch",
        fontsize=7,
        color="#666666",
    )
    fig.autofmt_xdate()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
