"""Read ACLED event files: CSV exports (current and pre-2023 layouts, plain or .gz) and the
API's JSON (``{"data": [...]}``, a list of such pages, or a list of events).

Every bad value is reported with file, line (for JSON: the event's number) and field;
the good rows become the store's event columns exactly as the one-pass load maps them
(:mod:`._acled_csv` holds the mapping, as data, SQL and Python).

>>> from accordwatch.sources.acled import read_acled
>>> (batch,) = read_acled("2024-01-01-2024-12-31-Mali.csv")   # doctest: +SKIP
>>> batch.table.num_rows, batch.errors                        # doctest: +SKIP
(4210, [])
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._text import encoding_error, to_utf8, utf8_error
from ..errors import InputError, RowError
from ..geo import priogrid_gid
from ..store.contract import Batch, RowFlag
from ..store.schema import CONTENT_COLUMNS, EVENT_COLUMNS, arrow_type
from ._acled_csv import (
    ACLED_KINDS,
    COLUMN_RULES,
    CONTRADICTIONS,
    REQUIRED_COLUMNS,
    SOURCE,
    check_header,
    event_type_of,
    inter_label,
    parse_event_date,
    violence_of,
    where_prec_of,
)
from ._ged_csv import _head, _header_line, _looks_like_json, place_admin1
from ._validate import NONFINITE, Checked, RowLocator, convert, flag
from .ucdp import _duplicates, _gunzip, _jsonish, _kind, _read_bytes, _tolerant_csv

__all__ = ["read_acled", "read_deletions", "records_to_acled_batch"]

_DELETION_FIELDS = {"event_id_cnty", "deleted_timestamp"}


def read_acled(path: str | Path, *, today: dt.date | None = None) -> list[Batch]:
    """Read one ACLED file (CSV, .csv.gz or the API's JSON) into a validated batch.

    ``today`` bounds the event dates (default: today).  Every bad row is reported with its
    file, line and field; exact repeats of an event are dropped, an id repeated with other
    content is an error.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p} is a folder; give one ACLED file (.csv, .csv.gz, .json)")
    name = p.name.lower()
    if name.endswith(".zip"):
        raise InputError(f"{p}: unzip the ACLED export first and load its .csv file")
    if name.endswith(".json") or _looks_like_json(_head(p)):
        data = _read_bytes(p)
        if name.endswith(".gz"):
            data = _gunzip(data, str(p))
        return [_read_json(data, str(p), today)]
    return [_read_csv(p, str(p), today)]


def read_deletions(path: str | Path) -> list[tuple[str, dt.datetime | None]] | None:
    """The deletions of a file of ACLED's deleted endpoint — CSV or JSON whose records hold
    only ``event_id_cnty`` and ``deleted_timestamp`` — as (id, when in UTC), or None for
    any other file (events: :func:`read_acled` reads them)."""
    p = Path(path)
    if not p.is_file() or p.name.lower().endswith((".zip", ".gz")):
        return None
    head = _head(p)
    label = str(p)
    if p.name.lower().endswith(".json") or _looks_like_json(head):
        if b'"deleted_timestamp"' not in head or b'"event_date"' in head:
            return None
        try:
            records = _json_records(json.loads(_read_bytes(p)), label)
        except (ValueError, InputError):
            return None  # the events reader says what is wrong with it
        rows = [(i, {str(k).lower(): v for k, v in r.items()}) for i, r in enumerate(records, 1)]
    else:
        line = _header_line(head, label)
        header = [h.strip().lower() for h in next(csv.reader([line]))] if line else []
        if set(header) != _DELETION_FIELDS:
            return None
        with p.open(newline="", encoding="utf-8-sig") as fh:
            rows = [(n, r) for n, r in enumerate(csv.DictReader(fh), 2)]
    if not rows or any(not set(r) <= _DELETION_FIELDS for _, r in rows):
        return None
    out: list[tuple[str, dt.datetime | None]] = []
    for where, r in rows:
        event_id = str(r.get("event_id_cnty") or "").strip()
        stamp = str(r.get("deleted_timestamp") or "").strip()
        if not event_id:
            raise InputError(f"{label}, line {where}, field 'event_id_cnty': missing value")
        if stamp and not stamp.isdigit():
            raise InputError(
                f"{label}, line {where}, field 'deleted_timestamp': {stamp!r} is not a Unix time"
            )
        when = dt.datetime.fromtimestamp(int(stamp), dt.UTC).replace(tzinfo=None) if stamp else None
        out.append((event_id, when))
    return out


def _read_csv(p: Path, label: str, today: dt.date | None) -> Batch:
    @functools.cache
    def load() -> bytes:
        data = _read_bytes(p)
        if p.name.lower().endswith(".gz"):
            data = _gunzip(data, label)
        return to_utf8(data, label)

    header_line = _header_line(_head(p), label)
    if not header_line:
        raise InputError(f"{label}: the file is empty (no header line)")
    header = [h.strip().lower() for h in next(csv.reader([header_line]))]
    check_header(header, label)
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(f"{label}: the column {', '.join(repeated)} appears more than once")
    raw, locate, pre_errors, pre_rejected = _tolerant_csv(load, label, header)
    return _finish(raw, label, locate, pre_errors, pre_rejected, today)


def _read_json(data: bytes, label: str, today: dt.date | None) -> Batch:
    if not data.strip():
        raise InputError(f"{label}: the file is empty")
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise (utf8_error(data, label) or encoding_error(data, label, exc)) from None
    except json.JSONDecodeError as exc:
        ends = exc.pos >= len(exc.doc.rstrip()) - 1
        raise InputError(
            f"{label}, line {exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno})"
            + ("; the file looks truncated" if ends else "")
        ) from None
    except (RecursionError, ValueError) as exc:
        raise InputError(f"{label}: not ACLED JSON ({type(exc).__name__})") from None
    return records_to_acled_batch(_json_records(doc, label), label, today=today)


def _json_records(doc: Any, label: str) -> list[dict[str, Any]]:
    """The events of an API answer (``{"data": [...]}``), a list of answers, or a list of
    events; InputError naming the item of any other shape."""
    out: list[dict[str, Any]] = []
    pages = doc if isinstance(doc, list) else [doc]
    for p, page in enumerate(pages, 1):
        where = f"{label}, item {p} of the top-level list" if isinstance(doc, list) else label
        if not isinstance(page, dict):
            raise InputError(f"{where}: expected an ACLED event or answer, found {_kind(page)}")
        if "data" not in page:
            if isinstance(doc, list):
                out.append(page)  # a list of events
                continue
            raise InputError(
                f"{where}: JSON is not an ACLED API answer (no 'data'); found keys "
                f"{sorted(page)[:8]}"
            )
        events = page["data"]
        if events is None:
            continue
        if not isinstance(events, list):
            raise InputError(f"{where}: 'data' must be a list, found {_kind(events)}")
        for item in events:
            if not isinstance(item, dict):
                raise InputError(
                    f"{label}, event {len(out) + 1}: expected an event (a JSON object), "
                    f"found {_kind(item)}"
                )
            out.append(item)
    return out


def records_to_acled_batch(
    records: list[dict[str, Any]], label: str, *, today: dt.date | None = None
) -> Batch:
    """Validate ACLED API events (dicts of its field names) into a :class:`Batch`; errors
    name an event by its 1-based position (``line``)."""
    if not records:
        raise InputError(f"{label}: holds no events")
    keys: dict[str, None] = {}
    for r in records[:1000]:
        keys.update(dict.fromkeys(str(k).lower() for k in r))
    header = list(keys)
    check_header(header, label, what="fields")
    lowered = [{str(k).lower(): v for k, v in r.items()} for r in records]
    raw = pa.table(
        {h: pa.array([_jsonish(r.get(h)) for r in lowered], pa.string()) for h in header}
    )
    return _finish(raw, label, lambda rows: [int(r) + 1 for r in rows], [], [], today)


# -- validation and mapping -------------------------------------------------------------------
def _column(raw: pa.Table, name: str) -> list[Any]:
    return raw.column(name).to_pylist() if name in raw.column_names else [None] * raw.num_rows


def _finish(
    raw: pa.Table,
    label: str,
    locate: RowLocator,
    pre_errors: list[RowError],
    pre_rejected: list[dict[str, object]],
    today: dt.date | None,
) -> Batch:
    kinds = {h: ACLED_KINDS.get(h, "str") for h in raw.column_names}
    checked = convert(raw, kinds, required_values=REQUIRED_COLUMNS)
    n = checked.n_rows
    col = checked.columns
    _check_values(checked, raw, today)
    checked.columns["id"] = col["event_id_cnty"]
    good = checked.good_mask()
    duplicates = _duplicates(checked, good)
    del checked.columns["id"]
    for problems in checked.bad.values():  # the id's field is ACLED's event_id_cnty
        problems[:] = [("event_id_cnty" if f == "id" else f, r, v) for f, r, v in problems]
    errors = pre_errors + checked.errors(label, locate)
    rejected = list(pre_rejected)
    bad_rows = np.array(sorted(checked.bad), dtype=np.int64)
    if len(bad_rows):
        lines = locate(bad_rows)
        for row, line, rec in zip(
            bad_rows.tolist(), lines, raw.take(pa.array(bad_rows)).to_pylist(), strict=True
        ):
            reasons = "; ".join(f"{f}: {r}" if f else r for f, r, _ in checked.bad[row])
            rejected.append({"line": line, "errors": reasons, **rec})
    keep = checked.good_mask() & ~duplicates
    table, flags = _event_table(checked, keep, label, locate)
    return Batch(
        file=label,
        source=SOURCE,
        table=table,
        rows_read=n + len(pre_errors),
        errors=errors,
        rejected=rejected,
        duplicates_dropped=int(duplicates.sum()),
        flags=flags,
    )


def _range(c: Checked, name: str, lo: float | None, hi: float | None, reason: str) -> None:
    if name not in c.columns:
        return
    arr = c.columns[name]
    parts = []
    if lo is not None:
        parts.append(pc.less(arr, lo))
    if hi is not None:
        parts.append(pc.greater(arr, hi))
    broken = parts[0] if len(parts) == 1 else pc.or_(parts[0], parts[1])
    flag(c, broken, name, reason, arr)


def _check_values(c: Checked, raw: pa.Table, today: dt.date | None) -> None:
    """Every rule an ACLED row obeys, on the typed columns (the one-pass load checks the same
    in SQL): coordinates, counts, precisions, actor kinds, the date and its bounds."""
    col = c.columns
    for name in ("latitude", "longitude"):
        nonfinite = pc.fill_null(pc.invert(pc.is_finite(col[name])), False)
        flag(c, nonfinite, name, NONFINITE, col[name])
        col[name] = pc.if_else(nonfinite, pa.scalar(None, pa.float64()), col[name])
    for name, lo, hi, why, _ in COLUMN_RULES:
        _range(c, name, lo, hi, why)
    for name in ("inter1", "inter2"):
        values = col[name].to_pylist()
        bad = np.array([not inter_label(v)[0] for v in values], dtype=bool)
        flag(c, bad, name, "not an ACLED actor kind (a code 0-8 or a label such as "
             "'State forces')", col[name])  # fmt: skip
    dates = [parse_event_date(v) for v in col["event_date"].to_pylist()]
    bad = np.array([not ok for ok, _ in dates], dtype=bool)
    flag(c, bad, "event_date", "not a date (expected YYYY-MM-DD or '15 March 2024')",
         col["event_date"])  # fmt: skip
    day = today or dt.date.today()
    late = np.array([d is not None and d > day for _, d in dates], dtype=bool)
    flag(c, late, "event_date", f"in the future (after today, {day})", col["event_date"])
    c.columns["_date"] = pa.array([d for _, d in dates], pa.date32())


def _text(values: list[Any]) -> list[str | None]:
    return [v if isinstance(v, str) and v.strip() else None for v in values]


def _event_table(
    c: Checked, keep: np.ndarray, label: str, locate: RowLocator
) -> tuple[pa.Table, list[RowFlag]]:
    """The kept rows as the store's event columns (the mapping of :mod:`._acled_csv`), and
    the years that their event_date contradicts."""
    rows = np.flatnonzero(keep)
    idx = pa.array(rows, pa.int64())
    got = {k: v.take(idx) for k, v in c.columns.items()}

    def py(name: str) -> list[Any]:
        return got[name].to_pylist() if name in got else [None] * len(rows)

    dates = py("_date")
    country = _text(py("country"))
    inter1 = [inter_label(v)[1] for v in py("inter1")]
    inter2 = [inter_label(v)[1] for v in py("inter2")]
    kind = _text(py("event_type"))
    sub = _text(py("sub_event_type"))
    civ = _text(py("civilian_targeting"))
    lat = py("latitude")
    lon = py("longitude")
    adm_1 = _text(py("admin1"))
    years = py("year")
    year_computed = [
        d.year if d is not None and y is not None and y != d.year else None
        for y, d in zip(years, dates, strict=True)
    ]
    assoc = [
        "; ".join(a for a in (x, y) if a) or None
        for x, y in zip(_text(py("assoc_actor_1")), _text(py("assoc_actor_2")), strict=True)
    ]
    stamps = py("timestamp")
    places = list(zip(lat, lon, adm_1, strict=True))
    distinct = list(dict.fromkeys(places))
    decided = dict(zip(distinct, place_admin1(distinct), strict=True))
    la = np.array([np.nan if v is None else v for v in lat], dtype="float64")
    lo = np.array([np.nan if v is None else v for v in lon], dtype="float64")
    cells = np.asarray(priogrid_gid(np.nan_to_num(la), np.nan_to_num(lo)), dtype="int64")
    values: dict[str, list[Any] | pa.Array] = {
        "source": [SOURCE] * len(rows),
        "source_event_id": got["event_id_cnty"],
        "year": years,
        "type_of_violence": [
            violence_of(k, a, b, t) for k, a, b, t in zip(kind, inter1, inter2, civ, strict=True)
        ],
        "side_a": _text(py("actor1")),
        "side_b": _text(py("actor2")),
        "source_original": _text(py("source")),
        "where_prec": [
            where_prec_of(g, k) for g, k in zip(py("geo_precision"), country, strict=True)
        ],
        "where_coordinates": _text(py("location")),
        "adm_1": adm_1,
        "adm_2": _text(py("admin2")),
        "adm_3": _text(py("admin3")),
        "latitude": lat,
        "longitude": lon,
        "priogrid_gid": pa.array(cells, pa.int64(), mask=np.isnan(la) | np.isnan(lo)),
        "country": country,
        "region": _text(py("region")),
        "date_prec": py("time_precision"),
        "date_start": dates,
        "date_end": dates,
        "best": py("fatalities"),
        "admin1": [decided[p] for p in places],
        "event_type": [event_type_of(s) for s in sub],
        "actors": assoc,
        "year_computed": year_computed,
        "disorder_type": _text(py("disorder_type")),
        "source_event_type": kind,
        "sub_event_type": sub,
        "inter1": inter1,
        "inter2": inter2,
        "civilian_targeting": civ,
        "source_scale": _text(py("source_scale")),
        "tags": _text(py("tags")),
        "notes": _text(py("notes")),
        "source_timestamp": [
            None if s is None else dt.datetime(1970, 1, 1) + dt.timedelta(seconds=s) for s in stamps
        ],
    }
    n = len(rows)
    cols: dict[str, pa.Array] = {}
    for name in ("source", "source_event_id", *CONTENT_COLUMNS):
        typ = arrow_type(EVENT_COLUMNS[name])
        v = values.get(name)
        if v is None:
            cols[name] = pa.nulls(n, typ)
        elif isinstance(v, pa.Array | pa.ChunkedArray):
            cols[name] = v.cast(typ)
        else:
            cols[name] = pa.array(v, typ)
    flags = _year_flags(rows, years, year_computed, label, locate)
    return pa.table(cols), flags


def _year_flags(
    rows: np.ndarray,
    years: list[Any],
    computed: list[int | None],
    label: str,
    locate: RowLocator,
) -> list[RowFlag]:
    at = [i for i, v in enumerate(computed) if v is not None]
    if not at:
        return []
    lines = locate(rows[at])
    name, column, what = CONTRADICTIONS[0]
    return [
        RowFlag(
            file=label,
            line=line,
            field=name,
            value=str(years[i]),
            what="contradicts " + what.format(computed[i]),
            derived=str(computed[i]),
            column=column,
        )
        for i, line in zip(at, lines, strict=True)
    ]
