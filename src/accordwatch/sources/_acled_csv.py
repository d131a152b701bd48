"""ACLED event files as the ingest engine reads them: the export layouts, how their columns
become the store's event columns (as data, as SQL for the one-pass load, and as plain Python
for the reader), and :class:`AcledFormat`.

Two layouts are read, told apart by their columns, not their names: the current export (31
columns: ``event_id_cnty, event_date, year, time_precision, disorder_type, event_type, …,
tags, timestamp``; ``iso`` numeric; ``inter1``/``inter2`` as labels such as "State forces" or
as the codes 1–8) and the layout of exports before 2023 (``data_id``, ``event_id_no_cnty``,
``iso3``, numeric ``inter1``/``inter2``, no ``disorder_type``).  A column either layout lacks
is empty.  The mapping into the event columns:

* ``source`` is ``acled``, ``source_event_id`` ``event_id_cnty``;
* ``date_start`` = ``date_end`` = ``event_date`` (``2024-03-15`` or ``15 March 2024``),
  ``date_prec`` = ``time_precision`` (1 day, 2 week, 3 month);
* ``best`` = ``fatalities``; ``low`` and ``high`` stay empty (ACLED gives one figure);
* ``side_a``/``side_b`` = ``actor1``/``actor2``, ``actors`` the associated actors
  (``assoc_actor_1``, ``assoc_actor_2``) joined by ``"; "``; ``inter1``/``inter2`` as labels;
* ``type_of_violence`` from the event type and the actors' kinds (:func:`violence_of`),
  ``event_type`` (the project's list) from the sub-event type (:data:`SUB_EVENT_TYPES`), and
  ACLED's own ``disorder_type``, ``event_type`` (as ``source_event_type``) and
  ``sub_event_type`` kept;
* ``where_coordinates`` = ``location``, ``adm_1``/``adm_2``/``adm_3`` = ``admin1``..``admin3``,
  ``admin1`` the canonical admin-1 (the bundled polygons, else ACLED's ``admin1``),
  ``where_prec`` from ``geo_precision`` (1→1, 2→2, 3→4) or 7 for an event at sea;
* ``country`` as ACLED names it — a body of water ("Gulf of Guinea", "Red Sea") for a
  maritime event, which then has no admin-1 — and ``region``;
* ``source_original`` = ACLED's ``source``, ``source_scale``, ``notes``, ``tags``,
  ``civilian_targeting`` kept as written; ``source_timestamp`` = ``timestamp`` (UTC).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .._text import bom_encoding
from ..errors import InputError
from ..geo._grid import priogrid_sql
from ..store.contract import Batch, Contradiction, CsvLayout, RangeRule
from ._ged_csv import _head, _header_line, _looks_like_json, load_polygons, place_admin1
from ._numbers import FLOAT_TEXT, INT_TEXT

__all__ = [
    "ACLED_KINDS",
    "COLUMN_RULES",
    "CONTRADICTIONS",
    "CURRENT_COLUMNS",
    "GEO_PRECISION",
    "INTER_LABELS",
    "OLD_COLUMNS",
    "RANGE_RULES",
    "REQUIRED_COLUMNS",
    "SOURCE",
    "SUB_EVENT_TYPES",
    "AcledFormat",
    "acled_header",
    "check_header",
    "derived_sql",
    "event_type_of",
    "inter_label",
    "is_water",
    "parse_event_date",
    "row_rules",
    "shared_sql",
    "violence_of",
    "where_prec_of",
]

SOURCE = "acled"

#: The current export layout, in ACLED's order.
CURRENT_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

#: The layout of exports before 2023, in its order.
OLD_COLUMNS: tuple[str, ...] = (
    "data_id",
    "iso",
    "event_id_cnty",
    "event_id_no_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
    "iso3",
)

#: Columns an ACLED file must have (both layouts have them), each with the event column it
#: fills (the id stays the file's id column); every row must fill them.
_REQUIRED: dict[str, str] = {
    "event_id_cnty": "event_id_cnty",
    "event_date": "date_start",
    "year": "year",
    "event_type": "source_event_type",
    "actor1": "side_a",
    "country": "country",
    "latitude": "latitude",
    "longitude": "longitude",
    "fatalities": "best",
}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(_REQUIRED)
#: the event columns those fill (what the one-pass load checks)
_REQUIRED_EVENT_COLUMNS: tuple[str, ...] = tuple(_REQUIRED.values())

#: Kinds of ACLED's columns (``int``, ``float``; every other column is text).
ACLED_KINDS: dict[str, str] = {
    "year": "int",
    "time_precision": "int",
    "iso": "int",
    "geo_precision": "int",
    "fatalities": "int",
    "timestamp": "int",
    "data_id": "int",
    "event_id_no_cnty": "int",
    "latitude": "float",
    "longitude": "float",
}

#: ACLED's actor kinds by code (``inter1``/``inter2`` of the older layout; 0: no actor).
INTER_LABELS: dict[int, str] = {
    1: "State forces",
    2: "Rebel group",
    3: "Political militia",
    4: "Identity militia",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
}
_INTER_BY_TEXT: dict[str, str | None] = {
    **{str(k): v for k, v in INTER_LABELS.items()},
    **{f"{k}.0": v for k, v in INTER_LABELS.items()},
    **{v.lower(): v for v in INTER_LABELS.values()},
    "0": None,
    "0.0": None,
}

#: ACLED's sub-event types (lower case) → the project's event type (extract/_model.py's
#: list); a sub-event type not listed has no project type.
SUB_EVENT_TYPES: dict[str, str] = {
    "armed clash": "clash",
    "government regains territory": "base_seizure",
    "non-state actor overtakes territory": "base_seizure",
    "air/drone strike": "airstrike",
    "suicide bomb": "ied",
    "remote explosive/landmine/ied": "ied",
    "attack": "attack_on_civilians",
    "abduction/forced disappearance": "attack_on_civilians",
    "sexual violence": "attack_on_civilians",
    "non-violent transfer of territory": "base_handover",
    "peaceful protest": "political",
    "protest with intervention": "political",
    "excessive force against protesters": "political",
    "violent demonstration": "political",
    "mob violence": "political",
    "agreement": "political",
    "arrests": "political",
    "change to group/activity": "political",
}

#: ACLED's event types of organised violence (lower case; "remote violence" is the name
#: before 2019); "violence against civilians" is one-sided.
_FIGHTING = ("battles", "explosions/remote violence", "remote violence")
_ONE_SIDED = "violence against civilians"
#: ACLED's spelling of those event types (the load folds the case of any other)
_KIND_AS_WRITTEN: dict[str, str] = {
    _ONE_SIDED: "Violence against civilians",
    "battles": "Battles",
    "explosions/remote violence": "Explosions/Remote violence",
    "remote violence": "Remote violence",
}
#: ACLED's spelling of a sub-event type where it is not the lower-case one capitalised
_SUB_EVENT_AS_WRITTEN: dict[str, str] = {
    "remote explosive/landmine/ied": "Remote explosive/landmine/IED",
}
#: actor kinds that count as a state's side (foreign forces fight beside a government)
_STATE_KINDS = ("State forces", "External/Other forces")

#: ACLED's geo_precision → GED's where_prec (1: the place; 2: near it; 3: a region's
#: capital, i.e. only the first-order unit is known); an event at sea is where_prec 7.
GEO_PRECISION: dict[int, int] = {1: 1, 2: 2, 3: 4}
_AT_SEA = 7

#: A "country" that is a body of water (ACLED's maritime events).
_WATER = r"(?i)\b(sea|ocean|gulf|bay|strait|channel|lake|waters)\b"
_WATER_RE = re.compile(_WATER)

_MONTHS = {m.lower(): i for i, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"), 1)}  # fmt: skip
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_WORD_DATE = re.compile(r"^\s*(\d{1,2}) ([A-Za-z]+) (\d{4})\s*$")

#: The first year of ACLED's data and a plausible last one.
_FIRST_YEAR, _LAST_YEAR = 1997, 2100


def is_water(country: str | None) -> bool:
    """True for a ``country`` that names a body of water ("Gulf of Aden", "Red Sea")."""
    return country is not None and _WATER_RE.search(country) is not None


def inter_label(value: str | None) -> tuple[bool, str | None]:
    """(valid, label) of an ``inter1``/``inter2`` value: a code 0–8 or a label, any case.

    >>> inter_label("1"), inter_label("rebel group"), inter_label(""), inter_label("9")
    ((True, 'State forces'), (True, 'Rebel group'), (True, None), (False, None))
    """
    if value is None or not value.strip():
        return True, None
    key = value.strip().lower()
    if key in _INTER_BY_TEXT:
        return True, _INTER_BY_TEXT[key]
    return False, None


def parse_event_date(text: str | None) -> tuple[bool, dt.date | None]:
    """(valid, date) of an ``event_date``: ``2024-03-15`` or ``15 March 2024``.

    >>> parse_event_date("15 March 2024"), parse_event_date("2024-02-30")[0]
    ((True, datetime.date(2024, 3, 15)), False)
    """
    if text is None or not text.strip():
        return True, None
    try:
        m = _ISO_DATE.match(text)
        if m:
            return True, dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _WORD_DATE.match(text)
        if m and m[2].lower() in _MONTHS:
            return True, dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        pass
    return False, None


def violence_of(
    event_type: str | None,
    inter1: str | None,
    inter2: str | None,
    civilian_targeting: str | None,
) -> int | None:
    """UCDP's type of violence of an ACLED event (labels as :func:`inter_label` gives them):
    violence against civilians — or fighting that targets them — is one-sided (3), fighting
    with a state's forces (or foreign forces) on a side state-based (1), other fighting
    non-state (2); demonstrations and strategic developments have none."""
    kind = (event_type or "").strip().lower()
    if kind == _ONE_SIDED:
        return 3
    if kind not in _FIGHTING:
        return None
    if "Civilians" in (inter1, inter2) or (civilian_targeting or "").strip():
        return 3
    return 1 if inter1 in _STATE_KINDS or inter2 in _STATE_KINDS else 2


def event_type_of(sub_event_type: str | None) -> str | None:
    """The project's event type of an ACLED sub-event type (:data:`SUB_EVENT_TYPES`)."""
    return SUB_EVENT_TYPES.get((sub_event_type or "").strip().lower())


def where_prec_of(geo_precision: int | None, country: str | None) -> int | None:
    """GED's ``where_prec`` of an ACLED event (:data:`GEO_PRECISION`; 7 at sea)."""
    if is_water(country):
        return _AT_SEA
    return None if geo_precision is None else GEO_PRECISION.get(geo_precision)


#: The number rules of ACLED's columns, once for both routes: (column, lowest, highest,
#: reason, the event column it fills or None).  The reader checks them on the file's
#: columns; the one-pass load checks those stored as :data:`RANGE_RULES` on the event
#: columns and the others as it reads them (:func:`derived_sql`).
COLUMN_RULES: tuple[tuple[str, float | None, float | None, str, str | None], ...] = (
    ("latitude", -90, 90, "outside -90..90", "latitude"),
    ("longitude", -180, 180, "outside -180..180", "longitude"),
    ("fatalities", 0, None, "deaths cannot be negative", "best"),
    ("time_precision", 1, 3, "must be 1, 2 or 3", "date_prec"),
    ("geo_precision", 1, 3, "must be 1, 2 or 3", None),
    ("year", _FIRST_YEAR, _LAST_YEAR, "not a plausible year", "year"),
    ("timestamp", 0, None, "cannot be negative", None),
    ("iso", 0, None, "cannot be negative", None),
)

#: The row rules over the event columns (as :data:`accordwatch.sources.RANGE_RULES` for
#: UCDP); the date may not be after today (:func:`row_rules`).
RANGE_RULES: tuple[RangeRule, ...] = tuple(
    (event, lo, hi, why) for _, lo, hi, why, event in COLUMN_RULES if event is not None
)

#: The year ACLED writes is kept; one that event_date contradicts is flagged.
CONTRADICTIONS: tuple[Contradiction, ...] = (
    ("year", "year_computed", "event_date (its year is {})"),
)


def row_rules(today: dt.date | None = None) -> tuple[RangeRule, ...]:
    """:data:`RANGE_RULES` and no event after ``today`` (default: today)."""
    day = today or dt.date.today()
    why = f"in the future (after today, {day})"
    return (*RANGE_RULES, ("date_start", None, day, why))


# -- SQL for the one-pass load ----------------------------------------------------------------
def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fail(field: str, what: str) -> str:
    return f"error({_lit(f'{field}: {what}')})"


def _exact_cases(value: str, pairs: dict[str, str], otherwise: str) -> str:
    """SQL: ``value`` looked up among ``pairs`` (text as written → SQL), else ``otherwise``."""
    whens = " ".join(f"WHEN {_lit(k)} THEN {v}" for k, v in pairs.items())
    return f"CASE {value} {whens} ELSE {otherwise} END"


def shared_sql(columns: set[str]) -> dict[str, str]:
    """SQL (over a file's ``columns`` as ``p.<name>``) for the values several event columns
    use, computed once per row: the parsed ``event_date`` (``_date``), the actor kinds as
    labels (``_inter1``, ``_inter2``) and the event type folded to lower case (``_kind``).
    A value the reader would refuse raises (the engine then asks the reader)."""
    col = functools.partial(_col, columns)
    raw = col("event_date")
    value = f"TRY_CAST({raw} AS DATE)"
    date = (  # a date written as DuckDB writes it needs no pattern
        f"CASE WHEN CAST({value} AS VARCHAR) = {raw} THEN {value} "
        f"WHEN trim(coalesce({raw}, '')) = '' THEN NULL ELSE coalesce("
        f"CAST(try_strptime(trim({raw}), '%Y-%m-%d') AS DATE), "
        f"CAST(try_strptime(trim({raw}), '%d %B %Y') AS DATE), "
        f"{_fail('event_date', 'not a date')}) END"
    )

    def inter(name: str) -> str:
        c = col(name)
        folded = _exact_cases(
            f"lower(trim({c}))",
            {k: _lit(v) if v else "NULL" for k, v in _INTER_BY_TEXT.items()},
            _fail(name, "not an ACLED actor kind"),
        )
        # a label as ACLED writes it needs no folding (the common case)
        return _exact_cases(
            c,
            {v: _lit(v) for v in INTER_LABELS.values()},
            f"CASE WHEN trim(coalesce({c}, '')) = '' THEN NULL ELSE {folded} END",
        )

    written = col("event_type")  # ACLED's own spelling first: no folding for most rows
    kind = _exact_cases(
        written,
        {v: _lit(k) for k, v in _KIND_AS_WRITTEN.items()},
        f"lower(trim(coalesce({written}, '')))",
    )
    return {"_date": date, "_inter1": inter("inter1"), "_inter2": inter("inter2"), "_kind": kind}


def _col(columns: set[str], name: str) -> str:
    return f'p."{name}"' if name in columns else "CAST(NULL AS VARCHAR)"


def _num(columns: set[str], name: str) -> str:
    return f'p."{name}"' if name in columns else "CAST(NULL AS BIGINT)"


def _broken(column: str, value: str) -> str:
    """SQL: ``value`` breaks the rule of ``column`` in :data:`COLUMN_RULES`, ``THEN`` an
    error naming it (for a ``CASE WHEN``)."""
    ((_, lo, hi, why, _),) = [r for r in COLUMN_RULES if r[0] == column]
    parts = ([f"{value} < {lo}"] if lo is not None else []) + (
        [f"{value} > {hi}"] if hi is not None else []
    )
    return f"({' OR '.join(parts)}) THEN {_fail(column, why)}"


def derived_sql(columns: set[str]) -> dict[str, str]:
    """SQL (over a file's ``columns`` as ``p.<name>``, numbers already typed, and the values
    of :func:`shared_sql`) for every event column an ACLED file fills but ``admin1``, which
    the engine asks ``place_admin1`` for as it reads each row; a value the reader would
    refuse raises (the engine then asks the reader, which names the row)."""
    col = functools.partial(_col, columns)
    num = functools.partial(_num, columns)

    def text(name: str) -> str:
        c = col(name)  # blank is missing; a value starting with a visible character is not
        return f"CASE WHEN {c} >= '!' THEN {c} WHEN trim({c}) <> '' THEN {c} END"

    def is_kind(name: str, kinds: Sequence[str]) -> str:
        return _exact_cases(f'p."{name}"', {k: "TRUE" for k in kinds}, "FALSE")

    water = f"regexp_matches(coalesce({col('country')}, ''), {_lit(_WATER)})"
    geo_given = num("geo_precision")
    where_prec = (
        f"CASE WHEN {_broken('geo_precision', geo_given)} "
        f"WHEN {water} THEN {_AT_SEA} ELSE CASE {geo_given} "
        + " ".join(f"WHEN {k} THEN {v}" for k, v in GEO_PRECISION.items())
        + " END END"
    )
    fighting = _exact_cases('p."_kind"', {k: "TRUE" for k in _FIGHTING}, "FALSE")
    civilians = ("Civilians",)
    violence = (
        f'CASE WHEN p."_kind" = {_lit(_ONE_SIDED)} THEN 3 WHEN NOT {fighting} THEN NULL '
        f"WHEN {is_kind('_inter1', civilians)} OR {is_kind('_inter2', civilians)} "
        f"OR trim(coalesce({col('civilian_targeting')}, '')) <> '' THEN 3 "
        f"WHEN {is_kind('_inter1', _STATE_KINDS)} OR {is_kind('_inter2', _STATE_KINDS)} "
        "THEN 1 ELSE 2 END"
    )
    sub = col("sub_event_type")
    subs = {k: _lit(v) for k, v in SUB_EVENT_TYPES.items()}
    event_type = _exact_cases(  # ACLED's own spelling first, then any other
        sub,
        {_SUB_EVENT_AS_WRITTEN.get(k, k[:1].upper() + k[1:]): v for k, v in subs.items()},
        _exact_cases(f"lower(trim(coalesce({sub}, '')))", subs, "NULL"),
    )
    assoc = f"nullif(concat_ws('; ', {text('assoc_actor_1')}, {text('assoc_actor_2')}), '')"
    stamp = num("timestamp")
    date = 'p."_date"'
    out = {
        "year": num("year"),
        "type_of_violence": violence,
        "side_a": text("actor1"),
        "side_b": text("actor2"),
        "source_original": text("source"),
        "where_prec": where_prec,
        "where_coordinates": text("location"),
        "adm_1": text("admin1"),
        "adm_2": text("admin2"),
        "adm_3": text("admin3"),
        "latitude": 'p."latitude"',
        "longitude": 'p."longitude"',
        "priogrid_gid": priogrid_sql('p."latitude"', 'p."longitude"'),
        "country": text("country"),
        "region": text("region"),
        "date_prec": num("time_precision"),
        "date_start": date,
        "date_end": date,
        "best": num("fatalities"),
        "event_type": event_type,
        "actors": assoc,
        "year_computed": f"CASE WHEN {num('year')} <> year({date}) THEN year({date}) END",
        "disorder_type": text("disorder_type"),
        "source_event_type": text("event_type"),
        "sub_event_type": text("sub_event_type"),
        "inter1": 'p."_inter1"',
        "inter2": 'p."_inter2"',
        "civilian_targeting": text("civilian_targeting"),
        "source_scale": text("source_scale"),
        "tags": text("tags"),
        "notes": text("notes"),
        "source_timestamp": (
            f"CASE WHEN {_broken('timestamp', stamp)} ELSE make_timestamp({stamp} * 1000000) END"
        ),
    }
    if "iso" in columns:  # checked, not stored: a country code is never negative
        iso = 'p."iso"'
        out["country_id"] = f"CASE WHEN {_broken('iso', iso)} END"
    return out


# -- the header -----------------------------------------------------------------------------
def check_header(header: Sequence[str], label: str, what: str = "columns") -> None:
    """InputError naming the required columns an ACLED file lacks."""
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        shown = ", ".join(list(header)[:12]) + (", …" if len(header) > 12 else "")
        raise InputError(
            f"{label}: missing required ACLED {what} {', '.join(missing)}. An ACLED export has "
            f"{', '.join(REQUIRED_COLUMNS)} among its columns (found: {shown})."
        )


def acled_header(path: Path) -> list[str] | None:
    """The lower-cased header of a plain or .gz ACLED CSV file, or None for JSON or anything
    the reader converts first; InputError for an empty file or missing columns."""
    name = path.name.lower()
    if name.endswith((".zip", ".json")) or not path.is_file():
        return None
    head = _head(path)
    if bom_encoding(head)[0] != "utf-8" or _looks_like_json(head):
        return None
    line = _header_line(head, str(path))
    if not line:
        raise InputError(f"{path}: the file is empty (no header line)")
    header = [h.strip().lower() for h in next(csv.reader([line]))]
    check_header(header, str(path))
    return header


_DUCKDB_READ = {"int": "BIGINT", "float": "DOUBLE"}
_PATTERNS = {"int": INT_TEXT, "float": FLOAT_TEXT}


@dataclass(frozen=True)
class AcledFormat:
    """ACLED export files (CSV, .csv.gz, the API's JSON), described for
    :func:`accordwatch.store.ingest_file`; ``today`` bounds the event dates (default: today)."""

    today: dt.date | None = None
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".csv.gz", ".json")

    def csv_layout(self, path: Path) -> CsvLayout | None:
        """The layout of a plain or .gz CSV file (None for JSON: the reader reads it)."""
        header = acled_header(path)
        if header is None:
            return None
        if len(set(header)) != len(header):
            return None  # a repeated column name: the reader says which
        kinds = {h: ACLED_KINDS.get(h, "str") for h in header}
        return CsvLayout(
            source=SOURCE,
            columns={h: _DUCKDB_READ.get(k, "VARCHAR") for h, k in kinds.items()},
            id_column="event_id_cnty",
            text_patterns={h: _PATTERNS[k] for h, k in kinds.items() if k in _PATTERNS},
            rules=row_rules(self.today),
            required=_REQUIRED_EVENT_COLUMNS,
            derived=derived_sql(set(header)),
            shared=shared_sql(set(header)),
            contradictions=CONTRADICTIONS,
            place_admin1=place_admin1,
            prepare=load_polygons,
        )

    def read(self, path: Path) -> list[Batch]:
        """Every row of the file validated by :func:`accordwatch.sources.acled.read_acled`."""
        from .acled import read_acled

        return read_acled(path, today=self.today)
