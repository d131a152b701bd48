"""Stored forecasts: a fitted model's forecast of every unit is kept in the store, so that the
next forecast of the same data by the same model (name, settings and code) is read instead of
fitted again — the same rows a fresh fit gives.

A forecast is found by three keys: the data (:func:`data_hash`: a file's SHA-256 and the unit
of the series, or a digest of a series built from store events), the model
(:func:`accordwatch.forecast._keys.model_key`) and the months forecast.  :func:`cached_forecast`
is what ``accordwatch forecast`` runs; :func:`stored_forecast` and :func:`store_forecast` are
its two halves.

>>> import tempfile, pathlib
>>> from accordwatch._app._store import init_store
>>> from accordwatch.forecast import load_views_cm
>>> db = pathlib.Path(tempfile.mkdtemp()) / "fc.duckdb"
>>> init_store(db, empty=True)["events"]
0
>>> panel, key = load_views_cm(), data_hash()
>>> fc, run = cached_forecast(panel, ["Mali"], 3, model="conflictology", data_hash=key, db=db)
>>> run.fitted, run.stored
(True, True)
>>> again, run = cached_forecast(panel, ["Mali"], 3, model="conflictology", data_hash=key, db=db)
>>> run.fitted, again.equals(fc)
(False, True)
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, StoreError
from ._store import DB, store_path, using

if TYPE_CHECKING:  # pandas and the models load when a function needs them (fast start-up)
    import pandas as pd

    from ..forecast import Model

__all__ = [
    "StoredForecast",
    "cached_forecast",
    "data_hash",
    "store_forecast",
    "stored_forecast",
    "stored_forecasts",
]

#: forecast frame column → stored column (the others are derived from the header)
_STORED = {
    "unit_id": "unit_id",
    "unit": "unit",
    "step": "step",
    "month_id": "month_id",
    "mean": "mean",
    "median": "median",
    "lo-50": "lo_50",
    "hi-50": "hi_50",
    "lo-90": "lo_90",
    "hi-90": "hi_90",
    "p_ge_25": "p_ge_25",
    "p_ge_100": "p_ge_100",
    "p_ge_1": "p_ge_1",
}
#: the columns of :func:`accordwatch.forecast.forecast`, in order
_COLUMNS = [
    "model",
    "unit_id",
    "unit",
    "cutoff",
    "step",
    "month_id",
    "month",
    "mean",
    "median",
    "lo-50",
    "hi-50",
    "lo-90",
    "hi-90",
    "p_ge_1",
    "p_ge_25",
    "p_ge_100",
    "data_end",
]


@dataclass(frozen=True)
class StoredForecast:
    """A stored forecast's header, and what :func:`cached_forecast` did to get it."""

    forecast_id: int | None
    model: str
    model_key: str
    settings: dict[str, Any]
    data_hash: str
    data_source: str | None
    origin: int
    months: int
    units: int
    created_at: dt.datetime | None
    fit_seconds: float | None
    fitted: bool = False
    """True when this call fitted the model (no stored forecast matched, or a refit)."""
    stored: bool = False
    """True when the forecast is in the store (read from it or written to it)."""
    note: str | None = None
    """Why the store was not used, when it could not be read or written."""


def data_hash(
    path: str | Path | None = None,
    *,
    panel: pd.DataFrame | None = None,
    level: str = "country",
) -> str:
    """The key of a forecast's data: ``file:<SHA-256>:<level>`` of a VIEWS file (``path``;
    None: the bundled one), or ``series:<level>:<digest>`` of a ``panel`` built from store
    events."""
    if panel is not None:
        from ..forecast._keys import panel_hash

        return f"series:{level}:{panel_hash(panel)}"
    from ..forecast._data import default_views_path
    from ..store.ingest import file_sha256

    p = default_views_path() if path is None else Path(path)
    try:
        digest = file_sha256(p)
    except OSError as exc:
        raise InputError(f"cannot read the forecast data file {p} ({exc}).") from exc
    return f"file:{digest}:{level}"


def _exists(db: DB) -> bool:
    """Whether there is a store to read (a store that does not exist holds no forecast)."""
    from ..store import Store

    if isinstance(db, Store):
        return True
    path = store_path(db)
    return path == ":memory:" or Path(path).exists()


def _header(row: dict[str, Any], **flags: Any) -> StoredForecast:
    return StoredForecast(
        forecast_id=int(row["forecast_id"]) if row.get("forecast_id") is not None else None,
        model=str(row["model"]),
        model_key=str(row["model_key"]),
        settings=json.loads(row["settings"]) if isinstance(row["settings"], str) else {},
        data_hash=str(row["data_hash"]),
        data_source=None if row.get("data_source") is None else str(row["data_source"]),
        origin=int(row["origin"]),
        months=int(row["months"]),
        units=int(row["units"]),
        created_at=row.get("created_at"),
        fit_seconds=None if row.get("fit_seconds") is None else float(row["fit_seconds"]),
        **flags,
    )


def stored_forecast(
    data_hash: str,
    model_key: str,
    months: int = 12,
    db: DB = None,
    *,
    units: Sequence[int] | None = None,
) -> tuple[StoredForecast, pd.DataFrame] | None:
    """The latest stored forecast of these data, model and months, with its rows in the
    layout of :func:`accordwatch.forecast.forecast` (the units ``units``, default all, by
    unit and step) — or None when there is none.  Reading never creates a store."""
    if not _exists(db):
        return None
    with using(db) as store:
        row = store.find_forecast(data_hash, model_key, months)
        if row is None:
            return None
        values = store.forecast_values(int(row["forecast_id"]), units)
    if values["p_ge_1"].isna().any():  # stored before migration 7: fit again
        return None
    head = _header(row, stored=True)
    return head, _frame(head, values)


def _frame(head: StoredForecast, values: pd.DataFrame) -> pd.DataFrame:
    """Stored rows → the frame :func:`accordwatch.forecast.forecast` returns."""
    from ..forecast import month_label

    fc = values.rename(columns={v: k for k, v in _STORED.items()})
    for col in ("unit_id", "step", "month_id"):
        fc[col] = fc[col].astype("int64")
    fc["unit"] = fc["unit"].astype(str)
    fc["model"] = head.model
    fc["cutoff"] = head.origin
    fc["month"] = [month_label(m) for m in fc["month_id"]]
    fc["data_end"] = month_label(head.origin)
    # the order of forecast(panel, None, …): by name, then id
    return fc[_COLUMNS].sort_values(["unit", "unit_id", "step"], kind="stable", ignore_index=True)


def store_forecast(
    fc: pd.DataFrame,
    *,
    data_hash: str,
    model: Model,
    data_source: str | None = None,
    fit_seconds: float | None = None,
    db: DB = None,
) -> StoredForecast:
    """Store ``fc``, a forecast of every unit (``forecast(panel, None, …)``) by ``model``
    of the data ``data_hash``, replacing a stored one of the same data, model and months;
    one transaction.  Returns its header."""
    from ..forecast._keys import model_key, model_settings

    missing = [c for c in _STORED if c not in fc.columns]
    if missing or fc.empty:
        raise InputError(
            "not a forecast frame of accordwatch.forecast.forecast: "
            + (f"no column(s) {', '.join(missing)}." if missing else "no rows.")
        )
    key, months = model_key(model), int(fc["step"].max())
    header: dict[str, Any] = {
        "model": model.name,
        "model_key": key,
        "settings": json.dumps(model_settings(model), sort_keys=True),
        "data_hash": data_hash,
        "data_source": data_source,
        "origin": int(fc["cutoff"].iloc[0]),
        "months": months,
        "units": int(fc["unit_id"].nunique()),
        "fit_seconds": fit_seconds,
    }
    values = fc[list(_STORED)].rename(columns=_STORED)
    with using(db, write=True) as store:
        fid = store.save_forecast(header, values)
        row = store.find_forecast(data_hash, key, months)
    return _header(row or {**header, "forecast_id": fid}, stored=True, fitted=True)


def stored_forecasts(db: DB = None) -> pd.DataFrame:
    """Every stored forecast's header (model, key, settings, data hash and source, origin,
    months, units, fit seconds, created), newest first."""
    import pandas as pd

    if not _exists(db):
        return pd.DataFrame()
    with using(db) as store:
        return store.list_forecasts()


def cached_forecast(
    panel: pd.DataFrame,
    units: str | int | Sequence[str | int] | None,
    months: int = 12,
    *,
    model: Model | str | None = None,
    data_hash: str,
    data_source: str | None = None,
    codes: pd.DataFrame | None = None,
    refit: bool = False,
    db: DB = None,
    say: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, StoredForecast]:
    """:func:`accordwatch.forecast.forecast` of ``panel``, read from the store when it holds
    a forecast of the same data (``data_hash``), model and months — else (or with
    ``refit``) fitted on every unit and stored, so the next call reads it.

    Returns the rows ``forecast(panel, units, months, model=model, codes=codes)`` returns
    and the stored forecast's header (:attr:`StoredForecast.fitted` says which way it
    went).  A store that cannot be read or written (busy, read-only, too new) does not stop
    the forecast: it is fitted, and :attr:`StoredForecast.note` says why it was not stored.
    ``say`` is told, before a fit, what is fitted.
    """
    from ..forecast import forecast, month_label
    from ..forecast._keys import forecastable_units, model_key, select_forecast
    from ..forecast._learned import as_model

    if not 1 <= int(months) <= 36:
        raise InputError(
            f"months must be between 1 and 36 (got {months}); "
            "forecasts further out are not backtested."
        )
    m = as_model(model)
    key = model_key(m)
    note = None
    if not refit:
        try:
            hit = stored_forecast(data_hash, key, int(months), db)
        except StoreError as exc:
            hit, note = None, f"the store could not be read ({exc})"
        if hit is not None:
            head, fc = hit
            return select_forecast(panel, fc, units, min_history=m.min_history, codes=codes), head
    # a unit that cannot be forecast is refused before the fit
    forecastable_units(panel, units, min_history=m.min_history, codes=codes)
    if say is not None:
        end = month_label(int(panel["month_id"].max()))
        say(f"fitting {m.name} on data up to {end} ({panel['unit_id'].nunique()} units) …")
    t0 = time.perf_counter()
    every = forecast(panel, None, int(months), model=m)
    seconds = time.perf_counter() - t0
    head = _header(
        {
            "forecast_id": None,
            "model": m.name,
            "model_key": key,
            "settings": "{}",
            "data_hash": data_hash,
            "data_source": data_source,
            "origin": int(every["cutoff"].iloc[0]),
            "months": int(months),
            "units": int(every["unit_id"].nunique()),
            "created_at": None,
            "fit_seconds": seconds,
        },
        fitted=True,
        note=note,
    )
    if note is None:
        try:
            head = store_forecast(
                every,
                data_hash=data_hash,
                model=m,
                data_source=data_source,
                fit_seconds=seconds,
                db=db,
            )
        except StoreError as exc:
            head = _replace_note(head, f"the store could not be written ({exc})")
    return select_forecast(panel, every, units, min_history=m.min_history, codes=codes), head


def _replace_note(head: StoredForecast, note: str) -> StoredForecast:
    from dataclasses import replace

    return replace(head, note=note, stored=False)
