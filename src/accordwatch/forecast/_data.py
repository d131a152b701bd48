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
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError, NotFound

__all__ = [
    "PANEL_COLUMNS",
    "READINGS",
    "UNKNOWN_ADMIN1",
    "country_codes",
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


_CODE_COLUMNS = ["country_id", "country", "gwcode", "isoab"]


def _read_columns(p: Path, wanted: list[str]) -> pd.DataFrame:
    """The ``wanted`` columns a CSV(.gz)/Parquet file has (the others are left out)."""
    if p.suffix == ".parquet":
        import pyarrow.parquet as pq

        have = set(pq.read_schema(p).names)
        return pd.read_parquet(p, columns=[c for c in wanted if c in have])
    return pd.read_csv(p, usecols=lambda c: c in wanted)


def country_codes(
    path: str | Path | None = None, *, unit_id: Literal["country_id", "gwcode"] = "country_id"
) -> pd.DataFrame:
    """The codes each country of a VIEWS country-month file goes by, for :func:`find_unit`.

    Columns ``unit_id``, ``country``, ``gwcode`` (Gleditsch–Ward), ``isoab`` (ISO3); one
    row per ``unit_id`` and code (a unit keeps its latest name).  ``unit_id="country_id"``
    describes a panel of that file (:func:`load_views_cm`); ``"gwcode"`` one built from events,
    whose country ids are Gleditsch–Ward codes (:func:`series_from_events`).  A file without
    ``gwcode``/``isoab`` columns borrows them from the bundled file by ``country_id``.

    >>> codes = country_codes()
    >>> codes.loc[codes.isoab == "MLI", ["unit_id", "country", "gwcode"]].values.tolist()
    [[50, 'Mali', 432]]
    >>> country_codes(unit_id="gwcode").query("unit_id == 432")["isoab"].tolist()
    ['MLI']
    """
    if path is None:
        return _bundled_codes(unit_id).copy()
    return _codes_of(Path(path), unit_id)


@cache
def _bundled_codes(unit_id: Literal["country_id", "gwcode"]) -> pd.DataFrame:
    return _codes_of(default_views_path(), unit_id)


def _codes_of(p: Path, unit_id: Literal["country_id", "gwcode"]) -> pd.DataFrame:
    try:
        raw = _read_columns(p, [*_CODE_COLUMNS, "month_id"])
    except Exception as exc:  # unreadable: load_views_cm says why when it reads the file
        raise InputError(f"cannot read the country codes of {p} ({exc}).") from exc
    if "country_id" not in raw.columns or "country" not in raw.columns:
        raise InputError(f"{p}: no country_id and country columns; not a VIEWS country-month file.")
    if not {"gwcode", "isoab"} <= set(raw.columns):
        bundled = _bundled_codes("country_id").drop(columns="country")
        raw = raw.drop(columns=[c for c in ("gwcode", "isoab") if c in raw.columns]).merge(
            bundled.rename(columns={"unit_id": "country_id"}), on="country_id", how="left"
        )
    if "month_id" in raw.columns:  # the latest name is that of the latest month
        raw = raw.sort_values("month_id", kind="stable")
    codes = raw[_CODE_COLUMNS].drop_duplicates()
    names = raw.drop_duplicates(unit_id, keep="last").set_index(unit_id)["country"]
    codes = codes.assign(unit_id=codes[unit_id])
    codes["country"] = codes["unit_id"].map(names)
    codes = codes.dropna(subset=["unit_id"]).drop_duplicates(["unit_id", "gwcode", "isoab"])
    codes["unit_id"] = codes["unit_id"].astype("int64")
    codes["gwcode"] = pd.to_numeric(codes["gwcode"], errors="coerce").astype("Int64")
    return codes[["unit_id", "country", "gwcode", "isoab"]].reset_index(drop=True)


def _looks_like_views(panel: pd.DataFrame) -> pd.DataFrame | None:
    """The bundled codes, when every unit of ``panel`` is a (country_id, country) of them."""
    ref = _bundled_codes("country_id")
    pairs = set(zip(ref["unit_id"], ref["country"].str.casefold(), strict=True))
    units = panel.drop_duplicates("unit_id")
    mine = zip(units["unit_id"], units["unit"].astype(str).str.casefold(), strict=True)
    return ref if all(p in pairs for p in mine) else None


#: How :func:`find_unit` reads a unit, in order: the panel's id, the unit's name, then (with
#: country codes) an ISO3 code and a Gleditsch–Ward number.
READINGS = ("id", "name", "iso3", "gwcode")


def find_unit(
    panel: pd.DataFrame,
    unit: str | int,
    *,
    codes: pd.DataFrame | None = None,
    by: Sequence[str] = READINGS,
) -> int:
    """The ``unit_id`` named by ``unit``: the panel's id, a name (case-insensitive), or —
    for countries — an ISO3 code ("MLI") or a Gleditsch–Ward number (432), the readings
    tried in the order of ``by``.

    ``codes`` (:func:`country_codes`) says which codes each unit goes by; without it, a panel
    of the bundled VIEWS file (every unit one of its countries) uses the bundled codes.
    Several ids can share a name or code over time (a state and its successor): the one
    with the latest data wins.  An unknown unit is :class:`~accordwatch.errors.NotFound`,
    with close names suggested.

    >>> panel = load_views_cm()
    >>> [find_unit(panel, u) for u in ("mali", "MLI", 432, "50")]
    [50, 50, 50, 50]
    """
    bad = [b for b in by if b not in READINGS]
    if bad:
        raise InputError(f"unknown reading(s) {bad}; use {', '.join(READINGS)}.")
    key = str(unit).strip()
    fold = key.casefold()
    number = int(key) if key.isdigit() else None
    ids = panel["unit_id"]
    present = set(ids.unique())
    names = panel.drop_duplicates("unit_id").set_index("unit_id")["unit"].astype(str)
    looked_up: pd.DataFrame | None = codes
    for reading in by:
        hits: set[int] = set()
        if reading == "id" and number is not None and number in present:
            hits = {number}
        elif reading == "name":
            hits = {int(i) for i, n in zip(names.index, names, strict=True) if n.casefold() == fold}
        elif reading in ("iso3", "gwcode") and (reading == "iso3" or number is not None):
            if looked_up is None:
                looked_up = _looks_like_views(panel)
                if looked_up is None:
                    break
            if reading == "iso3":
                match = looked_up["isoab"].astype(str).str.casefold() == fold
            else:
                match = (looked_up["gwcode"] == number).fillna(False).astype(bool)
            hits = {int(u) for u in looked_up.loc[match, "unit_id"] if int(u) in present}
        if hits:
            last = panel[ids.isin(hits)].groupby("unit_id")["month_id"].max()
            return int(last.index.to_numpy()[last.to_numpy().argmax()])
    if looked_up is not None:
        known = looked_up[
            (looked_up["country"].astype(str).str.casefold() == fold)
            | (looked_up["isoab"].astype(str).str.casefold() == fold)
            | (looked_up["gwcode"] == number).fillna(False).astype(bool)
        ]
        if not known.empty:
            raise NotFound(
                f"{known['country'].iloc[-1]} ({unit!r}) has no series in these data: "
                "no months of it to forecast from. Use data that cover it."
            )
    what = "id or name" if looked_up is None else "id, name, ISO3 code or Gleditsch–Ward number"
    raise NotFound(f"unknown unit {unit!r}: no unit has that {what}.{_did_you_mean(key, names)}")


def _did_you_mean(key: str, names: pd.Series) -> str:
    from rapidfuzz import fuzz, process, utils

    choices = sorted(set(names))
    found = process.extract(
        key, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=3, score_cutoff=70
    )
    close = [str(f[0]) for f in found if f[1] >= found[0][1] - 10]
    return f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""


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
    exclude_sources: Sequence[str] = ("text",),
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
    are refused, not dropped. An event whose toll is unknown adds no deaths.

    Events of ``exclude_sources`` (when the frame has a ``source`` column; ``text`` covers
    ``text:doc-…``) are left out: by
    default reviewed news events (``text``), which are not a systematic record — a month
    without them is not a month without deaths, and a few recent ones would stretch every
    unit's series past the datasets' last month with zeros.

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
    if "source" in ev.columns and len(exclude_sources):
        src = ev["source"].astype(str)
        out = src.isin(list(exclude_sources))
        for name in exclude_sources:  # "text:doc-…": one source per reviewed document
            out |= src.str.startswith(f"{name}:")
        ev = ev[~out]
    if type_of_violence is not None:
        keep = [type_of_violence] if isinstance(type_of_violence, int) else list(type_of_violence)
        ev = ev[ev["type_of_violence"].isin(keep)]
    if ev.empty:
        raise InputError(
            f"events: no events of type_of_violence {type_of_violence} "
            f"to build {level} series from."
        )
    # an event whose toll is unknown (NULL, e.g. a reviewed news event that gives none) adds no
    # deaths; a toll that is not a number or is negative is an error
    given = ev["best"].notna()
    best = pd.to_numeric(ev["best"], errors="coerce")
    if (best.isna() & given).any() or (best < 0).any():
        raise InputError(
            "events: 'best' deaths must be non-negative numbers (or unknown) for every event; "
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
        {"month_id": _date_to_month_id(ev["date_start"]).to_numpy(), "y": best.fillna(0).to_numpy()}
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
