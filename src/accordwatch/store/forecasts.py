"""Stored forecasts (``forecasts``, ``forecast_values``): the SQL behind them, as methods of
:class:`~accordwatch.store.Store`.

These methods read and write rows only; what a forecast's keys mean and when a stored one
may stand in for a fit is decided in :mod:`accordwatch._app.forecasts`.

>>> import pandas as pd
>>> from accordwatch.store import Store
>>> rows = pd.DataFrame({"unit_id": [50], "unit": ["Mali"], "step": [1], "month_id": [517],
...                      "mean": [3.5], "median": [2.0], "lo_50": [1.0], "hi_50": [5.0],
...                      "lo_90": [0.0], "hi_90": [9.0], "p_ge_25": [0.0], "p_ge_100": [0.0]})
>>> header = {"model": "conflictology", "model_key": "conflictology-0", "settings": "{}",
...           "data_hash": "file:abc:country", "data_source": "cm.csv", "origin": 516,
...           "months": 1, "units": 1, "fit_seconds": 0.1}
>>> with Store.open(":memory:") as st:
...     fid = st.save_forecast(header, rows)
...     found = st.find_forecast("file:abc:country", "conflictology-0", 1)
...     values = st.forecast_values(fid, [50])
...     found["forecast_id"] == fid, values["median"].tolist()
(True, [2.0])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["FORECAST_COLUMNS", "VALUE_COLUMNS", "ForecastTables"]

#: the columns of ``forecasts`` a caller gives (the id and created_at are the store's)
FORECAST_COLUMNS = (
    "model",
    "model_key",
    "settings",
    "data_hash",
    "data_source",
    "origin",
    "months",
    "units",
    "fit_seconds",
)
#: the columns of ``forecast_values`` besides ``forecast_id``, in table order
VALUE_COLUMNS = (
    "unit_id",
    "unit",
    "step",
    "month_id",
    "mean",
    "median",
    "lo_50",
    "hi_50",
    "lo_90",
    "hi_90",
    "p_ge_25",
    "p_ge_100",
    "p_ge_1",
)


class ForecastTables:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    if TYPE_CHECKING:  # provided by Store

        def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame: ...

        def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None: ...

        def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

    def find_forecast(self, data_hash: str, model_key: str, months: int) -> dict[str, Any] | None:
        """The latest stored forecast of these data, model and months (every column of
        ``forecasts``), or None."""
        cur = self._con.execute(
            "SELECT * FROM forecasts WHERE data_hash = ? AND model_key = ? AND months = ? "
            "ORDER BY created_at DESC, forecast_id DESC LIMIT 1",
            [data_hash, model_key, int(months)],
        )
        rows = cur.fetchall()
        if not rows:
            return None
        return {d[0]: v for d, v in zip(cur.description or [], rows[0], strict=True)}

    def forecast_values(
        self, forecast_id: int, unit_ids: Sequence[int] | None = None
    ) -> pd.DataFrame:
        """The quantiles per unit and month of a stored forecast (:data:`VALUE_COLUMNS`), of
        the units ``unit_ids`` (default: all), by unit and step."""
        cols = ", ".join(VALUE_COLUMNS)
        sql = f"SELECT {cols} FROM forecast_values WHERE forecast_id = ?"
        params: list[Any] = [int(forecast_id)]
        if unit_ids is not None:
            sql += " AND list_contains(?, unit_id)"
            params.append([int(u) for u in unit_ids])
        return self.query(sql + " ORDER BY unit_id, step", params)

    def save_forecast(self, header: Mapping[str, Any], values: pd.DataFrame) -> int:
        """Store a forecast (``header``: the :data:`FORECAST_COLUMNS`; ``values``: the
        :data:`VALUE_COLUMNS`) in one transaction, replacing any stored forecast of the same
        data, model and months; returns its ``forecast_id``."""
        missing = [c for c in FORECAST_COLUMNS if c not in header]
        missing += [c for c in VALUE_COLUMNS if c not in values.columns]
        if missing:
            raise ValueError(f"a stored forecast needs the column(s) {', '.join(missing)}")
        keys = [header["data_hash"], header["model_key"], int(header["months"])]
        with self.transaction() as con:
            con.execute(
                "DELETE FROM forecast_values WHERE forecast_id IN (SELECT forecast_id FROM "
                "forecasts WHERE data_hash = ? AND model_key = ? AND months = ?)",
                keys,
            )
            con.execute(
                "DELETE FROM forecasts WHERE data_hash = ? AND model_key = ? AND months = ?",
                keys,
            )
            got = con.execute("SELECT coalesce(max(forecast_id), 0) + 1 FROM forecasts").fetchall()
            fid = int(got[0][0])
            names = ", ".join(FORECAST_COLUMNS)
            marks = ", ".join("?" for _ in FORECAST_COLUMNS)
            con.execute(
                f"INSERT INTO forecasts (forecast_id, {names}, created_at) "
                f"VALUES (?, {marks}, now()::TIMESTAMP)",
                [fid, *(header[c] for c in FORECAST_COLUMNS)],
            )
            con.register("_forecast_values", values[list(VALUE_COLUMNS)])
            try:
                con.execute(
                    f"INSERT INTO forecast_values SELECT ?, {', '.join(VALUE_COLUMNS)} "
                    "FROM _forecast_values",
                    [fid],
                )
            finally:
                con.unregister("_forecast_values")
        return fid

    def list_forecasts(self) -> pd.DataFrame:
        """Every stored forecast's row of ``forecasts``, newest first."""
        return self.query("SELECT * FROM forecasts ORDER BY created_at DESC, forecast_id DESC")
