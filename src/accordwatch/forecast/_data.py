"""Panels of monthly fatality counts: loading, validation and derivation from events.

Every function in :mod:`accordwatch.forecast` works on one *panel* layout, a tidy
DataFrame with one row per unit and month::

    unit_id   int    stable id of the unit (VIEWS country_id, admin-1 code, PRIO-GRID gid)
    unit      str    human-readable name (country name, "Mali / Gao", gid as text)
    month_id  int    VIEWS month number: 121 = 1990-01, i.e. (year - 1980) * 12 + month
    y         float  state-based deaths in that unit-month (non-negative, whole numbers)

A unit's months must be contiguous from its first to its last row: a gap is an
error (it would otherwise be read as "no deaths"), never silently filled.

Example:
    >>> import pandas as pd
    >>> month_id(2018, 1), month_label(457)
    (457, '2018-01')
    >>> raw = pd.DataFrame({"country_id": [1, 1], "country": ["A", "A"],
    ...                     "month_id": [121, 122], "ucdp_ged_sb_best_sum": [0.0, 3.0]})
    >>> views_to_panel(raw)["y"].tolist()
    [0.0, 3.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError, NotFound

__all__ = [
    "PANEL_COLUMNS",
    "UNKNOWN_ADMIN1",
    "default_views_path",
    "find_unit",
    "load_views_cm",
    "month_id",
    "month_label",
    "series_from_events",
    "validate_panel",
    "views_to_panel",
]

PANEL_COLUMNS = ["unit_id", "unit", "month_id", "y"]
UNKNOWN_ADMIN1 = "(admin-1 unknown)"
_VIEWS_REQUIRED = ["country_id", "country", "month_id", "ucdp_ged_sb_best_sum"]


def month_id(year: int, month: int) -> int:
    """VIEWS month number of a calendar month (121 = January 1990).

    >>> month_id(1990, 1), month_id(2021, 10)
    (121, 502)
    """
    return (int(year) - 1980) * 12 + int(month)


def month_label(mid: int) -> str:
    """``YYYY-MM`` of a VIEWS month number.

    >>> month_label(121), month_label(516)
    ('1990-01', '2022-12')
    """
    year, month = divmod(int(mid) - 1, 12)
    return f"{1980 + year:04d}-{month + 1:02d}"


def default_views_path() -> Path:
    """Path of the bundled VIEWS country-month file (UCDP GED state-based deaths, 1990–2022)."""
    return Path(str(files("accordwatch") / "data" / "views" / "ged_sb_cm_1990_2022.csv.gz"))


def load_views_cm(path: str | Path | None = None) -> pd.DataFrame:
    """Read a VIEWS country-month file into a validated panel.

    ``path`` defaults to the bundled ``ged_sb_cm_1990_2022.csv.gz``. CSV (optionally
    gzipped) and Parquet are accepted; the file needs the columns ``country_id``,
    ``country``, ``month_id`` and ``ucdp_ged_sb_best_sum``.

    >>> panel = load_views_cm()
    >>> panel.columns.tolist()
    ['unit_id', 'unit', 'month_id', 'y']
    >>> int(panel.loc[panel.unit == "Mali", "month_id"].max())
    516
    """
    p = default_views_path() if path is None else Path(path)
    if not p.exists():
        raise NotFound(
            f"forecast data file {p} does not exist; "
            "pass an existing VIEWS country-month CSV or Parquet file."
        )
    try:
        raw = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p)
    except Exception as exc:  # parser errors of every kind
        raise InputError(
            f"cannot read {p} as CSV or Parquet ({exc}); pass a VIEWS country-month file."
        ) from exc
    return views_to_panel(raw, source=str(p))


def views_to_panel(raw: pd.DataFrame, *, source: str = "data") -> pd.DataFrame:
    """Turn a frame in the VIEWS country-month layout into a validated panel."""
    missing = [c for c in _VIEWS_REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; a VIEWS country-month file needs "
            f"{', '.join(_VIEWS_REQUIRED)}."
        )
    panel = pd.DataFrame(
        {
            "unit_id": raw["country_id"],
            "unit": raw["country"].astype(str),
            "month_id": raw["month_id"],
            "y": raw["ucdp_ged_sb_best_sum"],
        }
    )
    return validate_panel(panel, source=source)


def validate_panel(panel: pd.DataFrame, *, source: str = "panel") -> pd.DataFrame:
    """Check a panel and return a clean, sorted copy with standard dtypes.

    Refuses (``InputError``) missing columns, missing or negative or fractional
    counts, duplicate unit-months and gaps inside a unit's months. The message
    names the first offending units and months.

    >>> validate_panel(pd.DataFrame({"unit_id": [1, 1], "unit": ["A", "A"],
    ...                              "month_id": [121, 123], "y": [0, 1]}))
    Traceback (most recent call last):
    ...
    accordwatch.errors.InputError: panel: unit A (1) has missing months 1990-02; ...
    """
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; "
            f"a panel needs {', '.join(PANEL_COLUMNS)}."
        )
    if panel.empty:
        raise InputError(
            f"{source}: no rows; a forecast needs at least one unit with monthly counts."
        )
    out = panel[PANEL_COLUMNS].copy()
    for col in ("unit_id", "month_id"):
        if out[col].isna().any():
            raise InputError(
                f"{source}: {out[col].isna().sum()} row(s) without {col}; every row needs one."
            )
        out[col] = out[col].astype("int64")
    y = pd.to_numeric(out["y"], errors="coerce")
    if y.isna().any():
        bad = out.loc[y.isna()].iloc[0]
        raise InputError(
            f"{source}: {int(y.isna().sum())} missing or non-numeric death count(s), first at unit "
            f"{bad['unit']} month {month_label(bad['month_id'])}; "
            "fill known zeros with 0 or drop the unit."
        )
    if (y < 0).any():
        bad = out.loc[y < 0].iloc[0]
        raise InputError(
            f"{source}: {int((y < 0).sum())} negative death count(s), "
            f"first {y[y < 0].iloc[0]:g} at unit "
            f"{bad['unit']} month {month_label(bad['month_id'])}; counts must be >= 0."
        )
    if (y % 1 != 0).any():
        raise InputError(f"{source}: fractional death counts found; counts must be whole numbers.")
    out["y"] = y.astype("float64")
    out["unit"] = out["unit"].astype(str)
    dup = out.duplicated(["unit_id", "month_id"])
    if dup.any():
        bad = out.loc[dup].iloc[0]
        raise InputError(
            f"{source}: {int(dup.sum())} duplicate unit-month row(s), "
            f"first unit {bad['unit']} month "
            f"{month_label(bad['month_id'])}; keep one row per unit and month."
        )
    out = out.sort_values(["unit_id", "month_id"], kind="stable").reset_index(drop=True)
    span = out.groupby("unit_id")["month_id"].agg(["min", "max", "size"])
    gappy = span[span["max"] - span["min"] + 1 != span["size"]]
    if not gappy.empty:
        uid = int(gappy.index[0])
        months = set(out.loc[out.unit_id == uid, "month_id"])
        lo, hi = int(gappy["min"][uid]), int(gappy["max"][uid])
        holes = [m for m in range(lo, hi + 1) if m not in months]
        name = out.loc[out.unit_id == uid, "unit"].iloc[0]
        shown = ", ".join(month_label(m) for m in holes[:5]) + (" …" if len(holes) > 5 else "")
        raise InputError(
            f"{source}: unit {name} ({uid}) has missing months {shown}; "
            f"{len(gappy)} unit(s) have gaps. Add the months (0 if no deaths were recorded) — "
            "a gap is never read as zero."
        )
    return out


def find_unit(panel: pd.DataFrame, unit: str | int) -> int:
    """The ``unit_id`` named by ``unit``: an id, or a name (case-insensitive).

    >>> find_unit(load_views_cm(), "mali")
    50
    """
    if isinstance(unit, (int, np.integer)) or (isinstance(unit, str) and unit.strip().isdigit()):
        uid = int(unit)
        if uid in set(panel["unit_id"].unique()):
            return uid
    names = panel.drop_duplicates("unit_id").set_index("unit_id")["unit"]
    key = str(unit).strip().casefold()
    hits = [
        int(i)
        for i, name in zip(names.index.to_numpy(), names, strict=True)
        if str(name).casefold() == key
    ]
    if hits:
        # several ids can share a name over time (e.g. a state's successor); use the latest
        last = panel[panel.unit_id.isin(hits)].groupby("unit_id")["month_id"].max()
        return int(last.index.to_numpy()[last.to_numpy().argmax()])
    close = [str(n) for n in names if key[:3] and str(n).casefold().startswith(key[:3])]
    hint = f" Did you mean {', '.join(sorted(set(close))[:5])}?" if close else ""
    raise NotFound(f"unknown unit {unit!r}: no unit has that id or name.{hint}")


def _date_to_month_id(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates, errors="coerce")
    if d.isna().any():
        raise InputError(
            f"events: {int(d.isna().sum())} event(s) without a readable date_start; "
            "fix or drop them."
        )
    return (d.dt.year - 1980) * 12 + d.dt.month


def series_from_events(
    events: pd.DataFrame,
    level: Literal["country", "admin1", "priogrid"] = "country",
    *,
    type_of_violence: int | Sequence[int] | None = 1,
    last_month: int | None = None,
) -> pd.DataFrame:
    """Aggregate events (UCDP GED / ACLED rows in the store layout) into a complete panel.

    Sums ``best`` deaths per unit and month of ``date_start``. Every unit gets every
    month from its first event's month to the last month of the data (or
    ``last_month``), with 0 for months without events. ``type_of_violence`` keeps
    UCDP's type 1 (state-based) by default; ``None`` keeps all.

    Units: ``country`` → ``country_id`` (name ``country``); ``admin1`` → one id per
    (country, admin1) pair, named ``"country / admin1"`` — events without an
    admin-1 go to a unit ``"country / (admin-1 unknown)"`` so their deaths are
    kept; ``priogrid`` → ``priogrid_gid``. Other events without the unit's key
    are refused, not dropped.

    >>> ev = pd.DataFrame({"date_start": ["2020-01-05", "2020-03-09"], "country": ["Mali"] * 2,
    ...     "country_id": [432] * 2, "admin1": ["Gao", "Gao"], "priogrid_gid": [1, 1],
    ...     "best": [4, 2], "type_of_violence": [1, 1]})
    >>> series_from_events(ev)["y"].tolist()
    [4.0, 0.0, 2.0]
    """
    need = ["date_start", "best"]
    key = {
        "country": ["country_id", "country"],
        "admin1": ["country", "admin1"],
        "priogrid": ["priogrid_gid"],
    }
    if level not in key:
        raise InputError(f"unknown level {level!r}; use one of country, admin1, priogrid.")
    need += key[level]
    if type_of_violence is not None:
        need.append("type_of_violence")
    missing = [c for c in need if c not in events.columns]
    if missing:
        raise InputError(
            f"events: missing column(s) {', '.join(missing)} needed for level {level!r}."
        )
    ev = events
    if type_of_violence is not None:
        keep = [type_of_violence] if isinstance(type_of_violence, int) else list(type_of_violence)
        ev = ev[ev["type_of_violence"].isin(keep)]
    if ev.empty:
        raise InputError(
            f"events: no events of type_of_violence {type_of_violence} "
            f"to build {level} series from."
        )
    best = pd.to_numeric(ev["best"], errors="coerce")
    if best.isna().any() or (best < 0).any():
        raise InputError(
            "events: 'best' deaths must be non-negative numbers for every event; "
            "fix or drop those events."
        )
    if level == "admin1":
        ev = ev.assign(admin1=ev["admin1"].where(ev["admin1"].notna(), UNKNOWN_ADMIN1))
    for col in key[level]:
        if ev[col].isna().any():
            raise InputError(
                f"events: {int(ev[col].isna().sum())} event(s) without {col}; "
                f"the {level}-month series cannot place them. "
                "Geocode them or use a coarser level."
            )
    frame = pd.DataFrame(
        {"month_id": _date_to_month_id(ev["date_start"]).to_numpy(), "y": best.to_numpy()}
    )
    if level == "country":
        frame["unit_id"] = ev["country_id"].astype("int64").to_numpy()
        frame["unit"] = ev["country"].astype(str).to_numpy()
    elif level == "admin1":
        names = (ev["country"].astype(str) + " / " + ev["admin1"].astype(str)).to_numpy()
        codes = {n: i + 1 for i, n in enumerate(sorted(set(names)))}
        frame["unit"] = names
        frame["unit_id"] = [codes[n] for n in names]
    else:
        frame["unit_id"] = ev["priogrid_gid"].astype("int64").to_numpy()
        frame["unit"] = frame["unit_id"].astype(str)
    end = int(frame["month_id"].max()) if last_month is None else int(last_month)
    if (frame["month_id"] > end).any():
        raise InputError(
            f"events: some events fall after last_month {month_label(end)}; raise last_month."
        )
    sums = frame.groupby(["unit_id", "month_id"], as_index=False)["y"].sum()
    names_by_id = frame.groupby("unit_id")["unit"].last()
    first = sums.groupby("unit_id")["month_id"].min()
    parts = []
    for uid, start in first.items():
        months = np.arange(int(start), end + 1, dtype="int64")
        parts.append(
            pd.DataFrame({"unit_id": int(uid), "unit": names_by_id[uid], "month_id": months})
        )
    grid = pd.concat(parts, ignore_index=True)
    panel = grid.merge(sums, on=["unit_id", "month_id"], how="left").fillna({"y": 0.0})
    return validate_panel(panel, source="events")
