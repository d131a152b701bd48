"""Seed a new store from the data bundled with accordwatch.

The default is northern Mali: the gazetteer (GeoNames Mali with curated
corrections), the actor registry, UCDP's conflict and dyad years (all
countries, Mali's included), the VIEWS country-month series of state-based
deaths (Mali's among 199 countries, 1990–2022), and — because Mali's own GED
events cannot be redistributed here — the real GED 23.1 events of the Central
African Republic as an event-level sample.  Load Mali's events with
``accordwatch ingest ucdp GEDEvent_v25_1.csv`` (see the README).
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import TYPE_CHECKING

from .db import Store

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = ["DEFAULT_EVENTS", "seed_default"]

DEFAULT_EVENTS = "GEDEvent_v23_1_CAF.csv"


def _data(*parts: str) -> str:
    return str(resources.files("accordwatch").joinpath("data", *parts))


def _places_frame() -> pd.DataFrame:
    import pandas as pd

    from ..geo import Gazetteer

    gaz = Gazetteer.default()
    rows = [
        {
            "place_id": f"geonames:{p.geonameid}"
            if p.geonameid > 0
            else f"curated:{p.asciiname.lower()}",
            "name": p.name,
            "asciiname": p.asciiname,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "feature_class": p.feature_class,
            "feature_code": p.feature_code,
            "country": "Mali",
            "admin1": p.admin1,
            "population": int(p.population or 0),
            "note": p.note,
        }
        for p in gaz.places
    ]
    return pd.DataFrame(rows).drop_duplicates("place_id")


def seed_default(store: Store) -> None:
    """Fill a new store with the bundled default, in one transaction."""
    from ..sources.ucdp import read_ucdp
    from .accords import seed_accords
    from .ingest import ingest_batches

    con = store.con
    with store.transaction():
        ingest_batches(
            store, read_ucdp(_data("ucdp", DEFAULT_EVENTS), source="ucdp-ged"), kind="seed"
        )
        con.execute(
            "INSERT INTO country_month SELECT country_id, month_id, country, gwcode, isoab, year, month, "
            "ucdp_ged_sb_best_sum FROM read_csv(?, header = true)",
            [_data("views", "ged_sb_cm_1990_2022.csv.gz")],
        )
        for table, name in (
            ("ucdp_conflicts", "ucdp-prio-acd-251.csv"),
            ("ucdp_dyads", "ucdp-dyadic-251.csv"),
        ):
            con.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                [_data("ucdp", name)],
            )
        places = _places_frame()
        con.register("_places", places)
        con.execute("INSERT INTO places BY NAME SELECT * FROM _places")
        con.unregister("_places")
        _seed_actors(store)
        seed_accords(store)  # UCDP peace agreements, Mali 2015 provisions, milestones
        store.set_meta("seeded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        store.set_meta("seed", "bundled default: Mali reference data + UCDP GED 23.1 CAF events")


def _seed_actors(store: Store) -> None:
    from ..actors import ActorRegistry

    reg = ActorRegistry.default()
    con = store.con
    actors = reg.to_frame()
    aliases = reg.alias_table()
    con.register("_actors", actors)
    con.register("_aliases", aliases)
    con.execute(
        "INSERT INTO actors SELECT actor_id, name, CAST(ucdp_ids AS BIGINT[]), kind, country, "
        "CAST(valid_from AS VARCHAR), CAST(valid_to AS VARCHAR), CAST(predecessors AS VARCHAR[]), "
        "CAST(successors AS VARCHAR[]), source FROM _actors"
    )
    con.execute(
        "INSERT INTO actor_aliases SELECT alias, normalized, actor_id, lang, ambiguous FROM _aliases"
    )
    con.unregister("_actors")
    con.unregister("_aliases")
