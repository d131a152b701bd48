"""Writing event tables: CSV, JSON, GeoJSON and Parquet.

Pure functions over DataFrames (no store); ``write_events`` writes atomically
(temporary file, then rename) so a failed export leaves no half-written file.
"""

from __future__ import annotations

import csv
import errno
import functools
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import AccordwatchError, InputError

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "EXPORT_FORMATS",
    "check_out",
    "data_stdout",
    "plain",
    "records",
    "to_geojson",
    "unwritable",
    "write_atomic",
    "write_events",
]

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


def records(df: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as plain JSON-safe dicts (NaN/NaT → None, dates → ISO strings); records that are
    plain already are returned as they are."""
    if isinstance(df, list):
        return df
    cols = list(df.columns)
    convert = _plain_converter()
    return [
        {c: convert(v) for c, v in zip(cols, row, strict=True)}
        for row in df.itertuples(index=False, name=None)
    ]


def to_geojson(df: pd.DataFrame | list[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of point features (rows without coordinates get ``null``
    geometry)."""
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


def _new_file_mode(path: Path) -> int:
    """The mode the written file gets: the replaced file's, else 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (os.umask both reads
    and sets, which another thread could see)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def _atomic(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A file to write ``path`` through: a temporary file beside it, renamed over it when
    the block ends without an error (and removed otherwise).  A folder that cannot be made
    or written to is an InputError that says why."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise unwritable(path, exc) from None
    try:
        opened = (
            os.fdopen(fd, mode)
            if "b" in mode
            else os.fdopen(fd, mode, encoding="utf-8", newline="")
        )
        with opened as fh:
            yield fh
        os.chmod(tmp, _new_file_mode(path))  # mkstemp makes 0600; a new file obeys the umask
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise unwritable(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically: a reader sees the old
    file or the whole new one, never part of it; a failure leaves the old file as it was.
    Returns the path."""
    out = Path(path)
    if isinstance(data, bytes):
        with _atomic(out, "wb") as fh:
            fh.write(data)
    else:
        with _atomic(out) as fh:
            fh.write(data)
    return out


def unwritable(path: str | os.PathLike[str], exc: OSError) -> AccordwatchError:
    """The error to show when the system refuses to write the file ``path``: what is in the
    way (a file where a folder should be, permissions, a read-only or full disk) and what to
    do.  A full disk is no input error (exit 1); everything else is an InputError."""
    target = Path(path)
    folder = target.parent
    code = exc.errno
    if code == errno.ENOSPC:
        return AccordwatchError(f"cannot write {target}: the disk is full; nothing was written")
    if code in (errno.EEXIST, errno.ENOTDIR):
        blocker = next((a for a in (*folder.parents[::-1], folder) if a.is_file()), folder)
        why = f"{blocker} is a file, not a folder"
    elif code == errno.EISDIR:
        why = "it is a folder; give a file name"
    elif code in (errno.EACCES, errno.EPERM):
        why = f"permission denied in the folder {folder}"
    elif code == errno.EROFS:
        why = f"the folder {folder} is on a read-only file system"
    elif code == errno.ENOENT:
        why = f"the folder {folder} cannot be created or does not take new files"
    else:
        why = (exc.strerror or str(exc)).lower()
    return InputError(
        f"cannot write {target}: {why}. Choose a file in a folder you may write to "
        "(nothing was written)"
    )


def write_events(
    df: pd.DataFrame | list[dict[str, Any]],
    fmt: str,
    out: str | os.PathLike[str] | None = None,
    *,
    store: str | os.PathLike[str] | None = None,
) -> None:
    """Write ``df`` (a DataFrame, or plain records for every format but Parquet) as ``fmt``
    to ``out`` (stdout when None; Parquet needs a file).

    ``out`` may not be the store (``store``: its path), one of its side files, any other
    DuckDB database or a directory: the export would replace it, so it is refused.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    if out is not None:
        check_out(out, store=store)
    if fmt == "parquet":
        if out is None:
            raise InputError("Parquet is binary: give a file with --out events.parquet")
        if isinstance(df, list):
            raise InputError("Parquet is written from a DataFrame; use accordwatch.events()")
        with _atomic(Path(out), "wb") as fh:
            df.to_parquet(fh, index=False)
        return
    if out is None:
        with data_stdout() as fh:
            _write_text(df, fmt, fh)
        return
    with _atomic(Path(out)) as fh:
        _write_text(df, fmt, fh)


@contextmanager
def data_stdout() -> Iterator[IO[str]]:
    """stdout for data (CSV, JSON): UTF-8 like every file accordwatch writes, whatever the
    terminal's encoding — a Latin-1 or ASCII locale would otherwise stop the output at the
    first character it cannot encode."""
    stream = sys.stdout
    codec = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    buffer = getattr(stream, "buffer", None)
    if codec in ("utf-8", "utf8") or buffer is None:
        yield stream
        return
    stream.flush()
    utf8 = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        yield utf8
    finally:
        utf8.flush()
        utf8.detach()  # leave sys.stdout's buffer open


def check_out(
    out: str | os.PathLike[str],
    *,
    store: str | os.PathLike[str] | None = None,
    option: str = "--out",
) -> None:
    """Refuse an export target that would destroy data — the store itself or a file beside
    it that belongs to it (``.wal``, ``.owner.json``), any DuckDB database — or cannot be a
    file: a directory, a path through a file.  Messages name the target as ``option``."""
    target = Path(out)
    if target.is_dir():
        raise InputError(
            f"{option} {out} is a directory; give a file name such as {target / 'events.csv'}"
        )
    folder = next((a for a in target.parents if a.exists()), None)
    if folder is not None and not folder.is_dir():
        raise InputError(
            f"{option} {out}: {folder} is a file, not a folder; choose another file name "
            "(nothing was written)"
        )
    if folder is not None and not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            f"{option} {out}: the folder {folder} may not be written to (permission denied or "
            "a read-only disk); choose a file in a folder you may write to (nothing was written)"
        )
    if store is not None and str(store) != ":memory:":
        base = os.path.realpath(store)
        own = {base, base + ".wal", base + ".owner.json"}
        if os.path.realpath(target) in own or _same_file(target, Path(store)):
            raise InputError(
                f"{option} {out} is the store itself; the export would destroy it. "
                "Choose another file name (nothing was written)"
            )
    if _is_duckdb_file(target):
        raise InputError(
            f"{option} {out} is a DuckDB database; the export would replace it. "
            "Choose another file name (nothing was written)"
        )
    if target.name.endswith(".wal") and _is_duckdb_file(target.with_name(target.name[:-4])):
        raise InputError(
            f"{option} {out} is the write-ahead log of the DuckDB database beside it; "
            "choose another file name (nothing was written)"
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _is_duckdb_file(path: Path) -> bool:
    """True for a file that starts like a DuckDB database ("DUCK" at offset 8)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def _write_text(df: pd.DataFrame | list[dict[str, Any]], fmt: str, fh: IO[str]) -> None:
    if fmt == "csv":
        if not isinstance(df, list):
            df.to_csv(fh, index=False)
        elif df:
            w = csv.DictWriter(fh, fieldnames=list(df[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(df)
    elif fmt == "json":
        json.dump(records(df), fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    else:
        json.dump(to_geojson(df), fh, ensure_ascii=False)
        fh.write("\n")
