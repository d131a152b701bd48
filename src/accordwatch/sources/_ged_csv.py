"""The UCDP GED/Candidate format as the ingest engine reads it, without pyarrow or pandas.

The header check, the column types DuckDB parses with (numbers read as text and checked
against :mod:`._numbers`' patterns), the row rules as data (with the latest date a file's
release allows: :func:`release_end`), the contradictions kept and flagged, the SQL for the
geography written with each row, and the admin-1 of a list of places — gathered in
:class:`UcdpFormat`.  :mod:`.ucdp` (the general reader) uses the same definitions; keeping
them here lets ``accordwatch ingest ucdp`` start without importing the Arrow stack.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import gzip
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .._text import NUL_BYTES as _NUL_BYTES
from .._text import binary_kind, bom_encoding, convert_command, encoding_error
from ..errors import InputError
from ..geo._grid import priogrid_sql
from ..store.contract import Batch, Contradiction, CsvLayout, RangeRule
from ..store.schema import GED_COLUMNS
from ._admin1 import admin1_guess_sql, strip_admin_words
from ._numbers import FLOAT_TEXT, INT_TEXT

__all__ = [
    "CONTRADICTIONS",
    "RANGE_RULES",
    "REQUIRED_COLUMNS",
    "csv_columns",
    "csv_header",
    "derived_sql",
    "detect_source",
    "load_polygons",
    "place_admin1",
    "release_end",
    "row_rules",
    "text_patterns",
    "UcdpFormat",
]

#: Columns a UCDP event file must have; the rest of GED's columns are optional.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "year",
    "type_of_violence",
    "side_a",
    "side_b",
    "latitude",
    "longitude",
    "country",
    "date_start",
    "date_end",
    "best",
)
#: Of those, the ones every row must fill.
_REQUIRED_VALUES = (
    "id",
    "year",
    "type_of_violence",
    "latitude",
    "longitude",
    "date_start",
    "date_end",
    "best",
)

_CANDIDATE_NAME = re.compile(r"(candidate|GEDEvent_v\d+_0_\d+)", re.IGNORECASE)
_GED_KINDS = {k: v for k, v in GED_COLUMNS.items()}


def detect_source(path: str | Path) -> str:
    """``ucdp-candidate`` for Candidate files (``GEDEvent_v25_0_3.csv``, names with
    "candidate"), else ``ucdp-ged``."""
    return "ucdp-candidate" if _CANDIDATE_NAME.search(Path(path).name) else "ucdp-ged"


def _head(p: Path, size: int = 1 << 16) -> bytes:
    """The first bytes of a file (decompressed for .gz); InputError when it cannot be read."""
    try:
        with open(p, "rb") as raw:
            if not p.name.lower().endswith(".gz"):
                return raw.read(size)
            try:
                with gzip.GzipFile(fileobj=raw) as fh:
                    return fh.read(size)
            except (OSError, EOFError, zlib.error) as exc:
                raise InputError(
                    f"{p}: not a readable gzip file ({exc}); is the download complete?"
                ) from exc
    except IsADirectoryError:
        raise InputError(
            f"{p} is a folder; give one UCDP file (.csv, .csv.gz, .zip, .geojson, .json)"
        ) from None
    except PermissionError:
        raise InputError(f"{p}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None


def _looks_like_json(head: bytes) -> bool:
    """True when a file's first characters (after any byte-order mark) open JSON."""
    codec, skip = bom_encoding(head)
    return head[skip : skip + 1024].decode(codec, "replace").lstrip()[:1] in ("{", "[")


def _header_line(head: bytes, label: str) -> str:
    """The first line of a CSV file from its first bytes (decoded by its byte-order mark,
    else as UTF-8); InputError for a file that is not text, or is not UTF-8 on that line."""
    codec, skip = bom_encoding(head)
    if codec != "utf-8":
        return head[skip:].decode(codec, "replace").split("\n", 1)[0].strip()
    body = head[skip:]
    end = body.find(b"\n")
    line = body if end < 0 else body[:end]
    kind = binary_kind(line)  # NUL bytes count on the header line only
    if kind is not None:
        what_to_do = {
            "gzip-compressed data": "give it a .csv.gz name, or decompress it (gunzip)",
            "a zip archive (an Excel workbook is one)": (
                "give a UCDP .zip download a .zip name; save a workbook as CSV (UTF-8)"
            ),
            _NUL_BYTES: "convert UTF-16 text first, e.g. " + convert_command(label, "utf-16le"),
        }.get(kind, "give a UCDP GED/Candidate CSV, .csv.gz, .zip, GeoJSON or API JSON file")
        raise InputError(f"{label} is not a CSV text file: it is {kind}; {what_to_do}")
    if end < 0 and len(head) >= 1 << 16:
        raise InputError(
            f"{label}: the first line is longer than {len(head) >> 10} KiB, so it is no CSV "
            "header; give a UCDP GED/Candidate CSV file"
        )
    try:
        return line.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise encoding_error(line, label, exc) from None


_DUCKDB_READ = {"int": "BIGINT", "float": "DOUBLE", "str": "VARCHAR", "date": "TIMESTAMP"}


def csv_columns(header: list[str]) -> dict[str, str]:
    """DuckDB type of every column of a GED/Candidate CSV header (unknown columns as text)."""
    return {h: _DUCKDB_READ[_GED_KINDS[h]] if h in _GED_KINDS else "VARCHAR" for h in header}


_NUMBER_TEXT = {"int": INT_TEXT, "float": FLOAT_TEXT}


def text_patterns(header: list[str]) -> dict[str, str]:
    """The pattern the text of each number column of a header must match (the engine reads
    these columns as text and checks them before casting: DuckDB's own parsing would read
    ``2.5`` as the integer 3)."""
    return {h: _NUMBER_TEXT[_GED_KINDS[h]] for h in header if _GED_KINDS.get(h) in _NUMBER_TEXT}


def csv_header(path: Path) -> list[str] | None:
    """The lower-cased header of a plain or .gz CSV file, or None for anything else
    (zip, JSON, GeoJSON, UTF-16/UTF-32 text, which the reader converts); raises InputError
    for an empty file, one that is not UTF-8 text, or missing columns."""
    name = path.name.lower()
    if name.endswith((".zip", ".json", ".geojson")) or not path.is_file():
        return None
    head = _head(path)
    if bom_encoding(head)[0] != "utf-8" or _looks_like_json(head):
        return None
    line = _header_line(head, str(path))
    if not line:
        raise InputError(f"{path}: the file is empty (no header line)")
    header = [h.strip().lower() for h in next(csv.reader([line]))]
    _check_header(header, str(path))
    return header


def _check_header(header: list[str], label: str, what: str = "columns") -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{label}: missing required {what} {', '.join(missing)}. "
            f"A UCDP GED/Candidate file has {', '.join(REQUIRED_COLUMNS)} "
            f"(found: {', '.join(header[:12])}"
            f"{', …' if len(header) > 12 else ''})."
        )


_DEATHS = ("best", "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")

#: The row rules of a GED/Candidate event, as data: (field, lowest, highest, reason); a value
#: outside the bounds (None: unbounded) breaks the rule, a missing value does not.  Applied to
#: Arrow columns by :func:`_ged_rules` and turned into SQL by the ingest engine.
#: low <= best <= high is not a rule: GED itself publishes rows that break it (20 of the
#: 1,848 CAF events in 23.1), and they are real data.
RANGE_RULES: tuple[tuple[str, float | None, float | None, str], ...] = (
    ("latitude", -90, 90, "outside -90..90"),
    ("longitude", -180, 180, "outside -180..180"),
    ("type_of_violence", 1, 3, "must be 1, 2 or 3"),
    *((name, 0, None, "deaths cannot be negative") for name in _DEATHS),
    ("where_prec", 1, 7, "must be 1..7"),
    ("date_prec", 1, 5, "must be 1..5"),
    ("event_clarity", 1, 2, "must be 1..2"),
    ("year", 1946, 2100, "not a plausible year"),
)

# GEDEvent_v25_1 (GED 25.1), GEDEvent_v25_0_9 (Candidate 25.0.9): "v" starts a word
_VERSION = re.compile(r"(?<![a-z0-9])v(\d{2})_(\d{1,2})(?:_(\d{1,2}))?(?![0-9])", re.IGNORECASE)


def release_end(name: str, today: dt.date | None = None) -> tuple[dt.date, str]:
    """The last date an event of the file ``name`` may have, and why (for the reason a
    later date is refused with).

    The release comes from the version in the file name: GED ``v25_1`` was released in
    2025, so its events end by 2025-12-31 at the latest; Candidate ``v25_0_9`` is the
    release of September 2025 (events by 2025-09-30).  A zip member's name counts before
    the archive's (``a.zip!GEDEvent_v25_1.csv``).  Without a version in the name, an event
    may not be later than ``today`` (default: the date today).

    >>> release_end("GEDEvent_v25_1.csv")[0], release_end("GEDEvent_v25_0_9.csv")[0]
    (datetime.date(2025, 12, 31), datetime.date(2025, 9, 30))
    >>> release_end("events.csv", today=dt.date(2026, 1, 5))
    (datetime.date(2026, 1, 5), 'in the future (after today, 2026-01-05)')
    """
    for part in reversed(name.split("!")):
        m = _VERSION.search(Path(part).name)
        if m is None:
            continue
        year = 2000 + int(m.group(1))
        month = int(m.group(3)) if m.group(3) and m.group(2) == "0" else 0
        if 1 <= month <= 12:
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
            version = f"Candidate {m.group(1)}.0.{month}"
            return end, (
                f"after {end}, the end of {calendar.month_name[month]} {year}: the month of "
                f"{version} (from the file name)"
            )
        end = dt.date(year, 12, 31)
        version = f"GED {m.group(1)}.{int(m.group(2))}"
        return (
            end,
            f"after {end}, the end of {year}, when {version} was released (from the file name)",
        )
    day = today or dt.date.today()
    return day, f"in the future (after today, {day})"


def row_rules(name: str, today: dt.date | None = None) -> tuple[RangeRule, ...]:
    """The row rules of the file ``name``: :data:`RANGE_RULES` and no date after the end of
    its release (:func:`release_end`)."""
    end, why = release_end(name, today)
    return (*RANGE_RULES, ("date_start", None, end, why), ("date_end", None, end, why))


#: Values UCDP writes that the row's other values may contradict: kept as written, the
#: derived value stored beside them (:data:`~accordwatch.store.schema.DERIVED_COLUMNS`),
#: the row flagged in the ingest report.
CONTRADICTIONS: tuple[Contradiction, ...] = (
    ("priogrid_gid", "priogrid_gid_computed", "the coordinates (their PRIO-GRID cell is {})"),
    ("year", "year_computed", "date_start (its year is {})"),
)


def derived_sql(columns: set[str]) -> dict[str, str]:
    """SQL (over a file's columns as ``p.<name>``) for what a bulk load writes with each row
    besides the file's values: the PRIO-GRID cell where the file gives none, the first
    guess of ``admin1`` that :func:`place_admin1` then confirms or corrects per place, and
    the derived values of :data:`CONTRADICTIONS` where they differ from the file's."""
    out: dict[str, str] = {}
    if {"latitude", "longitude"} <= columns:
        cell = priogrid_sql("p.latitude", "p.longitude")
        out["priogrid_gid"] = (
            f"coalesce(p.priogrid_gid, {cell})" if "priogrid_gid" in columns else cell
        )
        if "priogrid_gid" in columns:
            out["priogrid_gid_computed"] = f"CASE WHEN p.priogrid_gid <> {cell} THEN {cell} END"
    if {"year", "date_start"} <= columns:
        start_year = "year(p.date_start)"
        out["year_computed"] = f"CASE WHEN p.year <> {start_year} THEN {start_year} END"
    if "adm_1" in columns:
        out["admin1"] = admin1_guess_sql("p.adm_1")
    return out


def load_polygons() -> None:
    """Load the bundled admin-1 polygons that :func:`place_admin1` needs (cached; the
    ingest runs this in a worker thread while DuckDB parses the file)."""
    from ..geo import AdminIndex

    AdminIndex.default()


def place_admin1(
    places: Sequence[tuple[float | None, float | None, str | None]],
) -> list[str | None]:
    """Canonical admin-1 of each (latitude, longitude, adm_1): the Natural Earth unit containing
    the point where the bundled polygons cover it, else ``adm_1`` normalised
    (:func:`accordwatch.geo.normalize_admin1`) or without UCDP's "region"/"province" words.

    >>> place_admin1([(16.7735, -3.0074, "Tombouctou region"), (4.36, 18.56, "Bangui")])
    ['Timbuktu', 'Bangui']
    """
    import numpy as np

    from ..geo import AdminIndex, normalize_admin1

    if not places:
        return []
    lat = np.array([np.nan if p[0] is None else p[0] for p in places], dtype="float64")
    lon = np.array([np.nan if p[1] is None else p[1] for p in places], dtype="float64")
    located = AdminIndex.default().locate_arrays(lat, lon)["admin1"]
    names: dict[str, str | None] = {}
    out: list[str | None] = []
    for point, (_, _, adm) in zip(located, places, strict=True):
        if point is not None:
            out.append(point)
        elif adm is None:
            out.append(None)
        else:
            if adm not in names:
                names[adm] = normalize_admin1(adm) or strip_admin_words(adm)
            out.append(names[adm])
    return out


@dataclass(frozen=True)
class UcdpFormat:
    """UCDP GED and Candidate event files, described for :func:`accordwatch.store.ingest_file`.

    ``source`` is ``ucdp-ged`` or ``ucdp-candidate``; None guesses it from each file's name
    (:func:`detect_source`).  ``suffixes`` are the file names it reads.
    """

    source: str | None = None
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".csv.gz", ".zip", ".json", ".geojson")

    def __post_init__(self) -> None:
        if self.source not in (None, "ucdp-ged", "ucdp-candidate"):
            raise InputError(f"source must be ucdp-ged or ucdp-candidate, not {self.source!r}")

    def csv_layout(self, path: Path) -> CsvLayout | None:
        """The layout of a plain or .gz CSV file (None for zip, JSON, GeoJSON or a path that
        is not a file: the reader decides those)."""
        header = csv_header(path)
        if header is None:
            return None
        columns = csv_columns(header)
        return CsvLayout(
            source=self.source or detect_source(path),
            columns=columns,
            id_column="id",
            text_patterns=text_patterns(header),
            rules=row_rules(str(path)),
            required=_REQUIRED_VALUES,
            not_before=(("date_end", "date_start"),),
            derived=derived_sql(set(columns)),
            contradictions=CONTRADICTIONS,
            place_admin1=place_admin1,
            prepare=load_polygons,
        )

    def read(self, path: Path) -> list[Batch]:
        """Every row of the file validated by :func:`accordwatch.sources.ucdp.read_ucdp`."""
        from .ucdp import read_ucdp

        return read_ucdp(path, source=self.source)
