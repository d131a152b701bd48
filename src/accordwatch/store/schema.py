"""The event schema: one table that is a superset of UCDP GED's fields.

This module is plain data (no DuckDB import) so that ``accordwatch.sources``
can validate rows against the same column list the store writes.

Column kinds: ``int`` (BIGINT), ``float`` (DOUBLE), ``str`` (VARCHAR), ``date`` (DATE).
The GED columns keep GED's names so an export round-trips into any GED tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_KEY",
    "EXTRA_COLUMNS",
    "GED_COLUMNS",
    "CONTENT_COLUMNS",
    "DERIVED_COLUMNS",
    "DETAIL_COLUMNS",
    "PROVENANCE_COLUMNS",
    "arrow_schema",
    "arrow_type",
    "SOURCES",
    "duckdb_type",
    "rows_to_table",
]

#: GED 23.1 columns in the official CSV order, with their kinds (``geom_wkt`` is
#: derivable from latitude/longitude and is not stored).
GED_COLUMNS: Final[dict[str, str]] = {
    "id": "str",
    "relid": "str",
    "year": "int",
    "active_year": "int",
    "code_status": "str",
    "type_of_violence": "int",
    "conflict_dset_id": "str",
    "conflict_new_id": "int",
    "conflict_name": "str",
    "dyad_dset_id": "str",
    "dyad_new_id": "int",
    "dyad_name": "str",
    "side_a_dset_id": "str",
    "side_a_new_id": "int",
    "side_a": "str",
    "side_b_dset_id": "str",
    "side_b_new_id": "int",
    "side_b": "str",
    "number_of_sources": "int",
    "source_article": "str",
    "source_office": "str",
    "source_date": "str",
    "source_headline": "str",
    "source_original": "str",
    "where_prec": "int",
    "where_coordinates": "str",
    "where_description": "str",
    "adm_1": "str",
    "adm_2": "str",
    "latitude": "float",
    "longitude": "float",
    "priogrid_gid": "int",
    "country": "str",
    "country_id": "int",
    "region": "str",
    "event_clarity": "int",
    "date_prec": "int",
    "date_start": "date",
    "date_end": "date",
    "deaths_a": "int",
    "deaths_b": "int",
    "deaths_civilians": "int",
    "deaths_unknown": "int",
    "best": "int",
    "high": "int",
    "low": "int",
    "gwnoa": "str",
    "gwnob": "str",
}

#: Columns accordwatch adds to GED's: identity, normalised geography, non-GED
#: event attributes (ACLED / text extraction) and the evidence behind an event.
EXTRA_COLUMNS: Final[dict[str, str]] = {
    "source": "str",  # ucdp-ged, ucdp-candidate, acled, text:<doc id>
    "source_event_id": "str",
    "admin1": "str",  # canonical admin-1 name (point-in-polygon or normalised adm_1)
    "event_type": "str",  # clash, airstrike, ... (DESIGN.md list); GED rows leave it empty
    "actors": "str",  # '; '-joined actor names beyond side_a/side_b (ACLED, text)
    "evidence": "str",  # evidence sentence for text-extracted events
    "source_url": "str",
    "source_title": "str",
}

#: Provenance, filled by the store on write (not part of an event's content).
PROVENANCE_COLUMNS: Final[dict[str, str]] = {
    "run_id": "int",
    "source_file": "str",
    "first_loaded_at": "timestamp",
    "updated_at": "timestamp",
}

#: Values derived from an event's other values, stored only where they contradict what the
#: source wrote (which is kept as written) and empty elsewhere; the ingest report flags
#: those rows.  Last in the table: migration 4 adds them to stores made before them.
DERIVED_COLUMNS: Final[dict[str, str]] = {
    "priogrid_gid_computed": "int",  # the PRIO-GRID cell of latitude/longitude
    "year_computed": "int",  # the year of date_start
}

#: What a living source (ACLED) records of an event beyond GED's fields, empty for UCDP
#: events.  Last in the table: migration 9 adds them to stores made before them.
DETAIL_COLUMNS: Final[dict[str, str]] = {
    "adm_3": "str",  # third-order administrative unit as the source names it
    "disorder_type": "str",  # ACLED: Political violence, Demonstrations, Strategic developments
    "source_event_type": "str",  # the source's own event type (ACLED: Battles, Riots, ...)
    "sub_event_type": "str",  # the source's sub-event type (ACLED: Armed clash, ...)
    "inter1": "str",  # kind of side_a (ACLED: State forces, Rebel group, ...)
    "inter2": "str",  # kind of side_b
    "civilian_targeting": "str",  # ACLED: "Civilian targeting" where civilians were the target
    "source_scale": "str",  # ACLED: Local partner-National, ...
    "tags": "str",  # ACLED's tags (crowd size, ...)
    "notes": "str",  # the source's description of the event
    "source_timestamp": "timestamp",  # when the source last changed the event (UTC)
}

_CONTENT = {k: v for k, v in GED_COLUMNS.items() if k != "id"}

#: Every column of the ``events`` table in table order.
EVENT_COLUMNS: Final[dict[str, str]] = {
    "source": "str",
    "source_event_id": "str",
    **_CONTENT,
    **{k: v for k, v in EXTRA_COLUMNS.items() if k not in ("source", "source_event_id")},
    **PROVENANCE_COLUMNS,
    **DERIVED_COLUMNS,
    **DETAIL_COLUMNS,
}

#: The identity of an event.
EVENT_KEY: Final[tuple[str, str]] = ("source", "source_event_id")

#: Columns whose values make up an event's content (the derived ones last): a change in any
#: of them is an update (the old version goes to history); provenance is not content.
CONTENT_COLUMNS: Final[tuple[str, ...]] = tuple(
    k for k in EVENT_COLUMNS if k not in PROVENANCE_COLUMNS and k not in EVENT_KEY
)

#: Known values of ``source`` (``text:<doc id>`` is open-ended).
SOURCES: Final[tuple[str, ...]] = ("ucdp-ged", "ucdp-candidate", "acled", "text")

_DUCKDB = {
    "int": "BIGINT",
    "float": "DOUBLE",
    "str": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


def duckdb_type(kind: str) -> str:
    """DuckDB type name for a column kind."""
    return _DUCKDB[kind]


def arrow_type(kind: str) -> pa.DataType:
    """Arrow type of a column kind (the one mapping every reader and the store share)."""
    import pyarrow as pa

    return {
        "int": pa.int64(),
        "float": pa.float64(),
        "str": pa.string(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }[kind]


def arrow_schema(columns: tuple[str, ...] | None = None) -> pa.Schema:
    """Arrow schema of event columns (default: key + content, what a Batch table holds)."""
    import pyarrow as pa

    names = columns or ("source", "source_event_id", *CONTENT_COLUMNS)
    return pa.schema([pa.field(n, arrow_type(EVENT_COLUMNS[n])) for n in names])


def rows_to_table(rows: list[dict[str, object]]) -> pa.Table:
    """Event rows (dicts with any subset of the content columns; ``source`` and
    ``source_event_id`` required) as a table with the full Batch schema; missing
    columns are null.  Dates may be ``datetime.date`` or ISO strings."""
    import datetime as dt

    import pyarrow as pa

    schema = arrow_schema()
    cols: dict[str, list[object]] = {f.name: [] for f in schema}
    for row in rows:
        for name in cols:
            value = row.get(name)
            if EVENT_COLUMNS[name] == "date" and isinstance(value, str):
                value = dt.date.fromisoformat(value[:10])
            cols[name].append(value)
    return pa.table({n: pa.array(v, schema.field(n).type) for n, v in cols.items()}, schema=schema)
