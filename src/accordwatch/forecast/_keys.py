"""What identifies a forecast, so that a stored one can stand in for a fresh fit: the model's
name and settings with the code that runs it (:func:`model_key`), the data (:func:`panel_hash`),
and picking units out of an every-unit forecast as :func:`~accordwatch.forecast.forecast` would
(:func:`select_forecast`).

Example:
    >>> from accordwatch.forecast import Conflictology, load_views_cm
    >>> model_key(Conflictology()) == model_key(Conflictology())
    True
    >>> model_key(Conflictology()) == model_key(Conflictology(window=24))
    False
    >>> model_settings(Conflictology())
    {'min_history': 12, 'n_samples': 1000, 'seed': 0, 'window': 12}
    >>> len(panel_hash(load_views_cm()))
    64
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from importlib import metadata, resources
from typing import Any, cast

import numpy as np
import pandas as pd

from ..errors import InputError
from ._benchmarks import Model
from ._data import PANEL_COLUMNS
from ._forecast import _forecastable

__all__ = [
    "code_version",
    "forecastable_units",
    "model_key",
    "model_settings",
    "panel_hash",
    "select_forecast",
]

#: libraries whose version can change a forecast
_LIBRARIES = ("numpy", "pandas", "lightgbm", "scikit-learn")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def model_settings(model: Model) -> dict[str, Any]:
    """The settings of a model: its public attributes before fitting (what it learns ends
    in ``_``), as plain JSON values, sorted by name."""
    return {
        k: _plain(v)
        for k, v in sorted(vars(model).items())
        if not k.startswith("_") and not k.endswith("_")
    }


@functools.cache
def code_version() -> str:
    """A digest of the forecast package's source files and the versions of the libraries
    that compute a forecast: any change to either gives a new :func:`model_key`."""
    h = hashlib.sha256()
    folder = resources.files(__package__)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=none".encode())
    return h.hexdigest()


def model_key(model: Model) -> str:
    """``<name>-<16 hex digits>``: the same for two models exactly when their class, name,
    settings (:func:`model_settings`) and the code that runs them (:func:`code_version`)
    are the same."""
    what = {
        "class": f"{type(model).__module__}.{type(model).__qualname__}",
        "name": model.name,
        "settings": model_settings(model),
        "code": code_version(),
    }
    digest = hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()
    return f"{model.name}-{digest[:16]}"


def panel_hash(panel: pd.DataFrame) -> str:
    """SHA-256 of a panel's rows (``unit_id``, ``unit``, ``month_id``, ``y``, in order)."""
    rows = pd.util.hash_pandas_object(panel[PANEL_COLUMNS], index=False).to_numpy()
    return hashlib.sha256(rows.tobytes()).hexdigest()


def forecastable_units(
    panel: pd.DataFrame,
    unit: str | int | Sequence[str | int] | None,
    *,
    min_history: int,
    codes: pd.DataFrame | None = None,
) -> list[int] | None:
    """The ids of the units named (None for every unit), refused as
    :func:`~accordwatch.forecast.forecast` refuses them: an unknown unit, one without data in
    the last month, or with fewer than ``min_history`` months."""
    if unit is None:
        return None
    named = [unit] if isinstance(unit, str | int | np.integer) else list(unit)
    if not named:
        raise InputError("no unit given; name one or more units, or pass None for all.")
    return [_forecastable(panel, u, min_history, codes) for u in named]


def select_forecast(
    panel: pd.DataFrame,
    fc: pd.DataFrame,
    unit: str | int | Sequence[str | int] | None,
    *,
    min_history: int,
    codes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The rows of the every-unit forecast ``fc`` (``forecast(panel, None, …)``) that
    ``forecast(panel, unit, …)`` returns: the units in the order asked, with the same
    checks (:func:`forecastable_units`)."""
    uids = forecastable_units(panel, unit, min_history=min_history, codes=codes)
    if uids is None:
        return fc.reset_index(drop=True)
    by_unit = {int(cast(int, u)): rows for u, rows in fc.groupby("unit_id", sort=False)}
    missing = [u for u in uids if u not in by_unit]
    if missing:
        raise InputError(f"no forecast for unit(s) {missing[:5]}; they had no data at the cutoff.")
    return pd.concat([by_unit[u] for u in uids], ignore_index=True)
