"""Read UCDP event files: GED and Candidate CSV (plain, gzip or inside a .zip),
GED GeoJSON, and pages of the UCDP API's JSON (``{"Result": [...]}``).

Every reader ends in the same validation (:func:`_finish`), so a file gives the
same rows — and the same errors, with file, line and field — whatever its format.

>>> from accordwatch.sources.ucdp import read_ucdp
>>> batches = read_ucdp("GEDEvent_v23_1.csv")          # doctest: +SKIP
>>> batches[0].table.num_rows, batches[0].errors       # doctest: +SKIP
(1848, [])
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gzip
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .._text import encoding_error, to_utf8, utf8_error
from ..errors import InputError, RowError
from ..geo import priogrid_gid
from ..store.contract import Batch, RangeRule, RowFlag
from ..store.schema import CONTENT_COLUMNS, EVENT_COLUMNS, arrow_type
from ._enrich import enrich_geography
from ._ged_csv import (  # re-exported: the reader and the one-pass load share these definitions
    _GED_KINDS,
    _REQUIRED_VALUES,
    CONTRADICTIONS,
    REQUIRED_COLUMNS,
    _check_header,
    _head,
    _header_line,
    _looks_like_json,
    csv_columns,
    csv_header,
    derived_sql,
    detect_source,
    place_admin1,
    row_rules,
)
from ._validate import NONFINITE, Checked, RowLocator, convert, flag

__all__ = [
    "REQUIRED_COLUMNS",
    "csv_columns",
    "csv_header",
    "derived_sql",
    "detect_source",
    "place_admin1",
    "read_ucdp",
    "records_to_batch",
]


def read_ucdp(path: str | Path, *, source: str | None = None) -> list[Batch]:
    """Read one UCDP file into validated batches (one per CSV inside a .zip).

    ``source`` is ``ucdp-ged`` or ``ucdp-candidate``; by default it is guessed
    from the file name (:func:`detect_source`).  Every bad row is reported with its file,
    line and field.  (The ingest engine reads a clean CSV file with DuckDB instead and
    comes here only when a row has to be named: :class:`~._ged_csv.UcdpFormat`.)
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(
            f"{p} is a folder; give one UCDP file (.csv, .csv.gz, .zip, .geojson, .json)"
        )
    source = source or detect_source(p)
    if source not in ("ucdp-ged", "ucdp-candidate"):
        raise InputError(f"source must be ucdp-ged or ucdp-candidate, not {source!r}")
    name = p.name.lower()
    if name.endswith(".zip"):
        return _read_zip(_read_bytes(p), p, source)
    if name.endswith((".json", ".geojson")) or _looks_like_json(_head(p)):
        return [_read_json(_read_bytes(p), str(p), source)]
    return [_read_csv(p, str(p), source)]


def _read_bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except PermissionError:
        raise InputError(f"{p}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None


def _gunzip(data: bytes, label: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"{label}: not a readable gzip file ({exc}); is the download complete?"
        ) from exc


# -- formats ---------------------------------------------------------------------------------
def _read_zip(raw: bytes, p: Path, source: str) -> list[Batch]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise InputError(
            f"{p}: not a readable zip file ({exc}); is the download complete?"
        ) from exc
    with zf:
        members = [
            m
            for m in zf.namelist()
            if m.lower().endswith((".csv", ".json", ".geojson")) and not m.startswith("__MACOSX")
        ]
        if not members:
            raise InputError(
                f"{p}: the archive holds no .csv or .json file "
                f"(it has: {', '.join(zf.namelist()[:10]) or 'nothing'})"
            )
        out = []
        for m in members:
            label = f"{p}!{m}"
            try:
                data = zf.read(m)
            except RuntimeError as exc:  # zipfile's word for a password-protected member
                raise InputError(
                    f"{label}: the archive member is encrypted ({exc}); unzip it with its "
                    "password and load the CSV"
                ) from exc
            except NotImplementedError as exc:
                raise InputError(
                    f"{label}: the archive member uses a compression method Python cannot "
                    f"read ({exc}); unzip it with another tool and load the CSV"
                ) from exc
            except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
                raise InputError(
                    f"{label}: cannot be read from the archive ({exc}); the archive is damaged "
                    "or incomplete — download it again"
                ) from exc
            reader = _read_json if m.lower().endswith((".json", ".geojson")) else _read_csv
            out.append(reader(data, label, source))
        return out


def _read_csv(src: bytes | Path, label: str, source: str) -> Batch:
    """Parse GED CSV: ``src`` is the bytes (a .zip member) or a file on disk (plain or .gz).

    Arrow parses and types it, falling back to a row-by-row string pass that names every
    bad value."""

    @functools.cache
    def load() -> bytes:
        data = src if isinstance(src, bytes) else _read_bytes(src)
        if isinstance(src, Path) and src.name.lower().endswith(".gz"):
            data = _gunzip(data, label)
        return to_utf8(data, label)  # without a byte-order mark; UTF-16/UTF-32 converted

    header_line = _header_line(src[: 1 << 16] if isinstance(src, bytes) else _head(src), label)
    if not header_line:
        raise InputError(f"{label}: the file is empty (no header line)")
    header = [h.strip().lower() for h in next(csv.reader([header_line]))]
    _check_header(header, label)
    known = [h for h in header if h in _GED_KINDS]
    # a C++ reader parses and types every column at once; any value that does not fit
    # its column sends us to the slow path below, which finds it row by row.  Its integer
    # parser also takes hexadecimal (0x10 for 16), which no GED number is: a file that may
    # hold one takes the slow path too
    typed = None
    if not _may_hold_hex(load()):
        try:
            typed = _arrow_csv(
                load(), label, header, {h: _ARROW_READ[_GED_KINDS[h]] for h in known}, strict=True
            )
        except pa.ArrowInvalid:
            typed = None
    if typed is not None:
        cols = {
            h: (typed.column(h).cast(pa.date32()) if _GED_KINDS[h] == "date" else typed.column(h))
            for h in known
        }
        checked = Checked(
            columns={**_null_columns(typed.num_rows, exclude=cols), **cols}, n_rows=typed.num_rows
        )
        for name in _REQUIRED_VALUES:
            flag(checked, pc.is_null(checked.columns[name]), name, "missing value (required)")
        locate = _csv_locator(load, typed.num_rows, len(header), False)
        return _finish(checked, None, label, source, locate, [], [])

    raw, locate, pre_errors, pre_rejected = _tolerant_csv(load, label, header)
    checked = convert(raw, _GED_KINDS, required_values=_REQUIRED_VALUES)
    return _finish(checked, raw, label, source, locate, pre_errors, pre_rejected)


def _may_hold_hex(data: bytes) -> bool:
    """True when ``0x`` or ``0X`` occurs anywhere in the file (a cheap byte search)."""
    return b"0x" in data or b"0X" in data


_ARROW_READ = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "date": pa.timestamp("ms"),
}


def _null_columns(n: int, exclude: dict[str, Any]) -> dict[str, pa.Array]:
    """All-null columns for the GED columns a file does not have."""
    return {
        name: pa.nulls(n, arrow_type(kind))
        for name, kind in _GED_KINDS.items()
        if name not in exclude
    }


def _tolerant_csv(
    load: Any, label: str, header: list[str]
) -> tuple[pa.Table, RowLocator, list[RowError], list[dict[str, object]]]:
    """The CSV ``load()`` gives as text columns, skipping rows of the wrong width: the table,
    its row locator, and an error and a quarantine record for each row skipped."""
    invalid: list[tuple[int | None, str, int, int]] = []

    def on_invalid(row: Any) -> str:
        invalid.append((row.number, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    data = load()
    raw = _arrow_csv(
        data, label, header, {h: pa.string() for h in header}, strict=False, on_invalid=on_invalid
    )
    locate = _csv_locator(load, raw.num_rows, len(header), bool(invalid))
    pre_errors = [
        RowError(
            label,
            _line_of_text(data, text) if number is None else number,
            None,
            f"expected {exp} fields, found {act}"
            + (" (the file looks truncated)" if act < exp else ""),
            text[:80],
        )
        for number, text, exp, act in invalid
    ]
    pre_rejected: list[dict[str, object]] = [
        {"line": e.line, "errors": e.reason, "raw": text}
        for e, (_, text, _, _) in zip(pre_errors, invalid, strict=True)
    ]
    return raw, locate, pre_errors, pre_rejected


def _arrow_csv(
    data: bytes,
    label: str,
    header: list[str],
    types: dict[str, pa.DataType],
    *,
    strict: bool,
    on_invalid: Any = None,
) -> pa.Table:
    """Parse CSV bytes with Arrow; ``strict`` makes blank cells null and raises on any bad value."""
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(
                column_names=header, skip_rows=1, block_size=_ARROW_BLOCK
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=list(types),
                strings_can_be_null=strict,
                quoted_strings_can_be_null=strict,
                null_values=[""] if strict else [],
                timestamp_parsers=[pacsv.ISO8601],
            ),
        )
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "UTF8" in message or not strict:
            raise _csv_problem(data, label, header, message) from None
        raise
    except UnicodeDecodeError as exc:
        raise encoding_error(data, label, exc) from None


#: What Arrow's CSV reader takes in one record (a record must fit in about one block).
_ARROW_BLOCK = 1 << 24


def _csv_problem(data: bytes, label: str, header: list[str], message: str) -> InputError:
    """Why Arrow could not parse ``data``: text that is not UTF-8 (with line and bytes), a
    record larger than the reader takes (with its line and field), or Arrow's own words."""
    not_utf8 = utf8_error(data, label)
    if not_utf8 is not None:
        return not_utf8
    if "straddl" in message or "block size" in message:
        line, field, size = _largest_field(data, header)
        return InputError(
            f"{label}, line {line}, field {field!r}: a value of {_size(size)}, larger than "
            f"the CSV reader takes in one record ({_size(_ARROW_BLOCK)}); a UCDP field holds at "
            "most a few KiB — is this the right file, or are its quotes unbalanced?"
        )
    ends = "" if data.endswith((b"\n", b"\r")) else "; its last line is incomplete (truncated?)"
    return InputError(f"{label}: cannot be parsed as CSV ({message}){ends}")


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / (1 << 10):.0f} KiB"


@contextlib.contextmanager
def _csv_field_limit(size: int) -> Iterator[None]:
    """Let the csv module read fields of up to ``size`` characters (its default is 128 KiB)."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, size))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _largest_field(data: bytes, header: list[str]) -> tuple[int, str, int]:
    """(first line, column name, size in bytes) of the largest field of a CSV file."""
    text = io.StringIO(data.decode("utf-8", "replace"), newline="")
    best_line, best_record, best_size = 2, [], -1
    with _csv_field_limit(len(data)):
        reader = csv.reader(text)
        next(reader, None)
        prev_end = reader.line_num
        for rec in reader:
            size = sum(map(len, rec))
            if size > best_size:
                best_line, best_record, best_size = prev_end + 1, rec, size
            prev_end = reader.line_num
    if not best_record:
        return best_line, "?", 0
    i = max(range(len(best_record)), key=lambda k: len(best_record[k]))
    field = header[i] if i < len(header) else f"column {i + 1}"
    return best_line, field, len(best_record[i].encode("utf-8"))


def _read_json(data: bytes, label: str, source: str) -> Batch:
    if not data.strip():
        raise InputError(f"{label}: the file is empty")
    try:
        doc = json.loads(data)  # UTF-8, UTF-16 or UTF-32, told apart by json itself
    except UnicodeDecodeError as exc:
        raise (utf8_error(data, label) or encoding_error(data, label, exc)) from None
    except json.JSONDecodeError as exc:
        ends = exc.pos >= len(exc.doc.rstrip()) - 1
        raise InputError(
            f"{label}, line {exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno})"
            + ("; the file looks truncated" if ends else "")
        ) from None
    except RecursionError:
        raise InputError(f"{label}: not UCDP JSON (it is nested too deeply to read)") from None
    except ValueError as exc:  # a number of more digits than Python converts
        raise InputError(
            f"{label}: not UCDP JSON (it holds a number too long to read: {exc})".split(";")[0]
            + ")"
        ) from None
    return records_to_batch(_json_records(doc, label), label, source)


def _kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, bool):
        return "true/false"
    return "null" if value is None else f"a number ({value})"


def _json_records(doc: Any, label: str) -> list[dict[str, Any]]:
    """Records of a GeoJSON FeatureCollection, an API page (``{"Result": [...]}``), a list
    of pages or of records; InputError naming the page, event or feature of any other shape.
    Events and features are numbered from 1 in file order, as in the row errors."""
    out: list[dict[str, Any]] = []
    bad_features: list[str] = []
    pages = doc if isinstance(doc, list) else [doc]
    for p, page in enumerate(pages, 1):
        where = f"{label}, item {p} of the top-level list" if isinstance(doc, list) else label
        if isinstance(doc, list) and isinstance(page, dict) and not _is_page(page):
            out.append(page)  # a list of records
            continue
        if not isinstance(page, dict):
            raise InputError(
                f"{where}: expected a UCDP event or page (a JSON object), found {_kind(page)}"
            )
        if "features" in page:
            feats = page["features"]
            if not isinstance(feats, list):
                raise InputError(f"{where}: 'features' must be a list, found {_kind(feats)}")
            for feat in feats:
                record, problem = _feature(feat)
                if problem:
                    bad_features.append(f"feature {len(out) + 1}: {problem}")
                out.append(record)
        elif "Result" in page:
            result = page["Result"]
            if result is None:
                continue
            if not isinstance(result, list):
                raise InputError(f"{where}: 'Result' must be a list, found {_kind(result)}")
            for item in result:
                if not isinstance(item, dict):
                    raise InputError(
                        f"{label}, event {len(out) + 1}: expected an event (a JSON object), "
                        f"found {_kind(item)}"
                    )
                out.append(item)
        else:
            raise InputError(
                f"{where}: JSON is neither GeoJSON (features) nor a UCDP API page (Result); "
                f"found keys {sorted(page)[:8]}"
            )
    if bad_features:
        n = len(bad_features)
        raise InputError(
            f"{label}: {n} feature{'s' if n != 1 else ''} cannot be read as "
            f"{'UCDP events' if n != 1 else 'a UCDP event'}; "
            "nothing was loaded:\n"
            + "\n".join(f"  {b}" for b in bad_features[:20])
            + (f"\n  … and {n - 20} more" if n > 20 else "")
            + "\nA UCDP GED GeoJSON feature is one Point: [longitude, latitude]."
        )
    return out


def _is_page(item: dict[str, Any]) -> bool:
    return "Result" in item or "features" in item


def _feature(feat: Any) -> tuple[dict[str, Any], str | None]:
    """A GeoJSON feature's properties with its Point's longitude and latitude (the
    properties' own values first), and what is wrong with it (None when nothing)."""
    if not isinstance(feat, dict):
        return {}, f"expected a GeoJSON feature (a JSON object), found {_kind(feat)}"
    props = feat.get("properties")
    if props is not None and not isinstance(props, dict):
        return {}, f"'properties' must be an object, found {_kind(props)}"
    record = dict(props or {})
    geom = feat.get("geometry")
    if geom is None:
        return record, None
    if not isinstance(geom, dict):
        return record, f"'geometry' must be an object, found {_kind(geom)}"
    kind = geom.get("type")
    if kind != "Point":
        return (
            record,
            f"the geometry is {_kind(kind) if not isinstance(kind, str) else kind}, not a Point",
        )
    coords = geom.get("coordinates")
    if not (
        isinstance(coords, list)
        and len(coords) >= 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])
    ):
        return (
            record,
            f"the Point's coordinates must be [longitude, latitude], found "
            f"{json.dumps(coords)[:60]}",
        )
    record.setdefault("longitude", coords[0])
    record.setdefault("latitude", coords[1])
    return record, None


def records_to_batch(records: list[dict[str, Any]], label: str, source: str) -> Batch:
    """Validate JSON-like records (UCDP API field names) into a :class:`Batch`.

    Errors name the record by its position (``line`` is the 1-based record number).
    """
    keys: dict[str, None] = {}
    for r in records[:1000]:
        keys.update(dict.fromkeys(k.lower() for k in r))
    if not records:
        raise InputError(f"{label}: holds no events")
    header = list(keys)
    _check_header(header, label, what="fields")
    lowered = [{k.lower(): v for k, v in r.items()} for r in records]
    cols = {h: pa.array([_jsonish(r.get(h)) for r in lowered], pa.string()) for h in header}
    raw = pa.table(cols)
    checked = convert(raw, _GED_KINDS, required_values=_REQUIRED_VALUES)
    return _finish(checked, raw, label, source, lambda rows: [int(r) + 1 for r in rows], [], [])


def _jsonish(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return repr(v)
    return str(v)


# -- shared validation ----------------------------------------------------------------------
def _finish(
    checked: Checked,
    raw: pa.Table | None,
    label: str,
    source: str,
    locate: RowLocator,
    pre_errors: list[RowError],
    pre_rejected: list[dict[str, object]],
) -> Batch:
    _ged_rules(checked, row_rules(label))
    good = checked.good_mask()
    duplicates = _duplicates(checked, good)
    errors = pre_errors + checked.errors(label, locate)
    bad_rows = np.array(sorted(checked.bad), dtype=np.int64)
    rejected = list(pre_rejected)
    if len(bad_rows):
        lines = locate(bad_rows)
        shown = raw if raw is not None else pa.table(checked.columns)
        raw_bad = shown.take(pa.array(bad_rows)).to_pylist()
        for row, line, rec in zip(bad_rows.tolist(), lines, raw_bad, strict=True):
            reasons = "; ".join(f"{f}: {r}" if f else r for f, r, _ in checked.bad[row])
            rejected.append({"line": line, "errors": reasons, **rec})
    keep = checked.good_mask() & ~duplicates
    flags = _contradictions(checked, keep, label, locate)
    table = enrich_geography(_event_table(checked, source, keep))
    return Batch(
        file=label,
        source=source,
        table=table,
        rows_read=checked.n_rows + len(pre_errors),
        errors=errors,
        rejected=rejected,
        duplicates_dropped=int(duplicates.sum()),
        flags=flags,
    )


def _ged_rules(c: Checked, rules: tuple[RangeRule, ...]) -> None:
    col = c.columns
    for name, kind in _GED_KINDS.items():
        if kind == "float":  # NaN and infinity first (a NaN is neither below nor above)
            nonfinite = pc.fill_null(pc.invert(pc.is_finite(col[name])), False)
            flag(c, nonfinite, name, NONFINITE, col[name])
            col[name] = pc.if_else(nonfinite, pa.scalar(None, col[name].type), col[name])
    for name, lo, hi, reason in rules:
        below = pc.less(col[name], lo) if lo is not None else None
        above = pc.greater(col[name], hi) if hi is not None else None
        broken = (
            pc.or_(below, above)
            if below is not None and above is not None
            else (below if below is not None else above)
        )
        flag(c, broken, name, reason, col[name])
    flag(
        c,
        pc.less(col["date_end"], col["date_start"]),
        "date_end",
        "ends before date_start",
        col["date_end"],
    )


def _cell_of(c: Checked, keep: np.ndarray) -> pa.Array:
    """The PRIO-GRID cell of each kept row's coordinates (null for the other rows)."""
    lat = np.asarray(c.columns["latitude"].to_numpy(zero_copy_only=False), dtype="float64")
    lon = np.asarray(c.columns["longitude"].to_numpy(zero_copy_only=False), dtype="float64")
    with np.errstate(invalid="ignore"):
        ok = keep & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    cells = np.asarray(
        priogrid_gid(np.where(ok, lat, np.nan), np.where(ok, lon, np.nan)), dtype="int64"
    )
    return pa.array(cells, pa.int64(), mask=~ok)


def _start_year(c: Checked, keep: np.ndarray) -> pa.Array:
    return pc.year(c.columns["date_start"])


#: how each derived column of CONTRADICTIONS is computed on the checked columns
_DERIVE: dict[str, Callable[[Checked, np.ndarray], pa.Array]] = {
    "priogrid_gid_computed": _cell_of,
    "year_computed": _start_year,
}


def _contradictions(c: Checked, keep: np.ndarray, label: str, locate: RowLocator) -> list[RowFlag]:
    """Set each derived column of :data:`CONTRADICTIONS` where its value differs from the
    file's, and flag the kept rows where it does (in file order)."""
    found: list[tuple[int, int, str | None, str]] = []  # (row, which, value, derived)
    for which, (name, column, _) in enumerate(CONTRADICTIONS):
        derived = _DERIVE[column](c, keep)
        given = c.columns[name]
        differs = pc.and_(pc.fill_null(pc.not_equal(given, derived), False), pa.array(keep))
        c.columns[column] = pc.if_else(differs, derived, pa.scalar(None, derived.type))
        rows = np.flatnonzero(differs.to_numpy(zero_copy_only=False))
        if len(rows):
            idx = pa.array(rows)
            for row, value, d in zip(
                rows.tolist(),
                given.take(idx).to_pylist(),
                derived.take(idx).to_pylist(),
                strict=True,
            ):
                found.append((row, which, None if value is None else str(value), str(d)))
    if not found:
        return []
    found.sort()
    ordered = sorted({f[0] for f in found})
    line_of = dict(zip(ordered, locate(np.array(ordered, dtype=np.int64)), strict=True))
    return [
        RowFlag(
            file=label,
            line=line_of[row],
            field=CONTRADICTIONS[which][0],
            value=value,
            what="contradicts " + CONTRADICTIONS[which][2].format(derived),
            derived=derived,
            column=CONTRADICTIONS[which][1],
        )
        for row, which, value, derived in found
    ]


def _duplicates(c: Checked, good: np.ndarray) -> np.ndarray:
    """Mark exact repeats of an id to drop; flag repeats with different content as errors."""
    ids = c.columns["id"]
    counts = pc.value_counts(ids)
    dup_ids = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    drop = np.zeros(c.n_rows, dtype=bool)
    if len(dup_ids) == 0:
        return drop
    rows = np.flatnonzero(
        pc.fill_null(pc.is_in(ids, dup_ids), False).to_numpy(zero_copy_only=False)
    )
    sub = pa.table({k: v.take(pa.array(rows)) for k, v in c.columns.items()}).to_pylist()
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for row, rec in zip(rows.tolist(), sub, strict=True):
        key = rec["id"]
        if key not in first:
            first[key] = (row, rec)
        elif rec == first[key][1]:
            drop[row] = True
        else:
            changed = sorted(k for k in rec if rec[k] != first[key][1][k])
            c.add(
                np.array([row]),
                "id",
                f"duplicate id with different content "
                f"({', '.join(changed[:5])} differ from an earlier row)",
                [key],
            )
            if good[first[key][0]]:
                c.add(
                    np.array([first[key][0]]),
                    "id",
                    "duplicate id with different content (see the later row)",
                    [key],
                )
    return drop


def _event_table(c: Checked, source: str, keep: np.ndarray) -> pa.Table:
    """The good rows as the store's event columns (content only, no provenance)."""
    everything = bool(keep.all())
    mask = pa.array(keep)
    n = int(keep.sum())

    def pick(arr: Any) -> Any:
        return arr if everything else arr.filter(mask)

    cols: dict[str, Any] = {}
    for name in ("source", "source_event_id", *CONTENT_COLUMNS):
        if name == "source":
            cols[name] = pa.array(np.full(n, source, dtype=object), pa.string())
        elif name == "source_event_id":
            cols[name] = pick(c.columns["id"])
        elif name in c.columns:
            cols[name] = pick(c.columns[name])
        else:
            kind = EVENT_COLUMNS[name]
            cols[name] = pa.nulls(n, arrow_type(kind))
    return pa.table(cols)


# -- line numbers ---------------------------------------------------------------------------
def _csv_locator(
    load: Callable[[], bytes], n_rows: int, n_cols: int, had_invalid: bool
) -> RowLocator:
    """Map row positions to physical line numbers, cheaply when no field spans lines.

    Nothing is computed until a row has to be located (only files with bad rows pay).
    """

    def locate(rows: np.ndarray) -> list[int | None]:
        if len(rows) == 0:
            return []
        data = load()
        simple = (
            not had_invalid and data.count(b"\n") in (n_rows, n_rows + 1) and b"\n\n" not in data
        )
        if simple:
            return [int(r) + 2 for r in rows]
        starts = _record_lines(data, n_cols)
        return [starts[int(r)] if int(r) < len(starts) else None for r in rows]

    return locate


def _record_lines(data: bytes, n_cols: int) -> list[int]:
    """First line of every well-formed record (as pyarrow keeps them), by the csv module."""
    text = io.StringIO(data.decode("utf-8", "replace"), newline="")
    starts: list[int] = []
    with _csv_field_limit(len(data)):
        reader = csv.reader(text)
        next(reader, None)
        prev_end = reader.line_num
        for rec in reader:
            if len(rec) == n_cols:
                starts.append(prev_end + 1)
            prev_end = reader.line_num
    return starts


def _line_of_text(data: bytes, text: str) -> int | None:
    pos = data.find(text.encode("utf-8", "replace"))
    return None if pos < 0 else data.count(b"\n", 0, pos) + 1
