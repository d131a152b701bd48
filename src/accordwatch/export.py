"""Writing event tables: CSV, JSON, GeoJSON and Parquet.

Pure functions over DataFrames (no store); ``write_events`` writes atomically
(temporary file, then rename) so a failed export leaves no half-written file.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = ["EXPORT_FORMATS", "plain", "records", "to_geojson", "write_events"]

EXPORT_FORMATS = ("csv", "json", "geojson", "parquet")
_PROVENANCE = ("run_id", "source_file", "first_loaded_at", "updated_at")


def plain(value: Any) -> Any:
    """A cell as a plain JSON-safe value: NaN/NaT → None, a DATE → 'YYYY-MM-DD',
    timestamps → ISO strings, numpy scalars → Python, arrays → lists."""
    return _plain_converter()(value)


@functools.cache
def _plain_converter() -> Callable[[Any], Any]:
    """:func:`plain`, built once numpy and pandas are needed (not at import: fast start-up)."""
    import numpy as np
    import pandas as pd

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple | np.ndarray):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if pd.isna(value):
            return None
        if isinstance(value, pd.Timestamp) and value == value.normalize():
            return value.date().isoformat()  # a DATE column: no midnight time
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if hasattr(value, "item"):
            return value.item()
        return value

    return convert


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-safe dicts (NaN/NaT → None, dates → ISO strings)."""
    cols = list(df.columns)
    convert = _plain_converter()
    return [
        {c: convert(v) for c, v in zip(cols, row, strict=True)}
        for row in df.itertuples(index=False, name=None)
    ]


def to_geojson(df: pd.DataFrame) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of point features (rows without coordinates get ``null`` geometry)."""
    feats = []
    for rec in records(df):
        lat, lon = rec.get("latitude"), rec.get("longitude")
        geom = (
            {"type": "Point", "coordinates": [lon, lat]}
            if lat is not None and lon is not None
            else None
        )
        props = {k: v for k, v in rec.items() if k not in _PROVENANCE}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


@contextmanager
def _atomic(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(
            fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})
        ) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_events(df: pd.DataFrame, fmt: str, out: str | os.PathLike[str] | None = None) -> None:
    """Write ``df`` as ``fmt`` to ``out`` (stdout when None; Parquet needs a file)."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    if fmt == "parquet":
        if out is None:
            raise InputError("Parquet is binary: give a file with --out events.parquet")
        with _atomic(Path(out), "wb") as fh:
            df.to_parquet(fh, index=False)
        return
    if out is None:
        _write_text(df, fmt, sys.stdout)
        return
    with _atomic(Path(out)) as fh:
        _write_text(df, fmt, fh)


def _write_text(df: pd.DataFrame, fmt: str, fh: IO[str]) -> None:
    if fmt == "csv":
        df.to_csv(fh, index=False)
    elif fmt == "json":
        json.dump(records(df), fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    else:
        json.dump(to_geojson(df), fh, ensure_ascii=False)
        fh.write("\n")
