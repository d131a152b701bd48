"""Reference tables (country-months, UCDP conflicts and dyads, places, actors): the SQL that
fills and reads them, as methods of :class:`~accordwatch.store.Store`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._paths import literal_path

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["ReferenceTables"]

#: the reference tables a seed may fill from a CSV file, and how their columns are read
_CSV_TABLES = {
    "country_month": (
        "SELECT country_id, month_id, country, gwcode, isoab, year, month, ucdp_ged_sb_best_sum "
        "FROM read_csv(?, header = true)"
    ),
    "ucdp_conflicts": "SELECT * FROM read_csv(?, header = true, all_varchar = true)",
    "ucdp_dyads": "SELECT * FROM read_csv(?, header = true, all_varchar = true)",
}


class ReferenceTables:
    """Mixed into :class:`~accordwatch.store.Store`."""

    _con: duckdb.DuckDBPyConnection

    def load_reference_csv(self, table: str, path: str) -> None:
        """Append a bundled CSV file to the reference ``table`` (``country_month`` from the
        VIEWS layout; ``ucdp_conflicts`` / ``ucdp_dyads`` by column name).  Exactly that
        file is read, whatever characters its name has (:func:`._paths.literal_path`)."""
        if table not in _CSV_TABLES:
            raise ValueError(f"no CSV layout for the table {table!r}")
        by_name = "" if table == "country_month" else " BY NAME"
        with literal_path(path) as name:
            self._con.execute(f"INSERT INTO {table}{by_name} {_CSV_TABLES[table]}", [name])

    def insert_places(self, places: pd.DataFrame) -> None:
        """Append gazetteer places (the columns of the ``places`` table, by name)."""
        self._insert_frame("places", places, "SELECT * FROM _frame")

    def insert_actors(self, actors: pd.DataFrame, aliases: pd.DataFrame) -> None:
        """Append the actor registry (:meth:`ActorRegistry.to_frame` / ``alias_table``)."""
        self._insert_frame(
            "actors",
            actors,
            "SELECT actor_id, name, CAST(ucdp_ids AS BIGINT[]), kind, country, "
            "CAST(valid_from AS VARCHAR), CAST(valid_to AS VARCHAR), "
            "CAST(predecessors AS VARCHAR[]), CAST(successors AS VARCHAR[]), source FROM _frame",
            by_name=False,
        )
        self._insert_frame(
            "actor_aliases",
            aliases,
            "SELECT alias, normalized, actor_id, lang, ambiguous FROM _frame",
            by_name=False,
        )

    def lineage_countries(self) -> set[str]:
        """The countries (lower case) of the stored actors that have a predecessor, a
        successor or a curated (non-UCDP) id: those the actor registry records coalitions and
        name changes for."""
        rows = self._con.execute(
            "SELECT DISTINCT lower(country) FROM actors WHERE country IS NOT NULL AND "
            "(actor_id NOT LIKE 'ucdp:%' OR len(coalesce(predecessors, [])) > 0 "
            "OR len(coalesce(successors, [])) > 0)"
        ).fetchall()
        return {str(c) for (c,) in rows}

    def _insert_frame(self, table: str, frame: Any, select: str, *, by_name: bool = True) -> None:
        self._con.register("_frame", frame)
        try:
            self._con.execute(f"INSERT INTO {table}{' BY NAME' if by_name else ''} {select}")
        finally:
            self._con.unregister("_frame")
