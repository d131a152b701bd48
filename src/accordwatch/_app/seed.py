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

from ..store import Store

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
    from ..actors import ActorRegistry
    from ..sources import UcdpFormat
    from ..store import ingest_file
    from .accords import seed_accords

    with store.transaction():
        ingest_file(store, UcdpFormat("ucdp-ged"), _data("ucdp", DEFAULT_EVENTS), kind="seed")
        store.load_reference_csv("country_month", _data("views", "ged_sb_cm_1990_2022.csv.gz"))
        store.load_reference_csv("ucdp_conflicts", _data("ucdp", "ucdp-prio-acd-251.csv"))
        store.load_reference_csv("ucdp_dyads", _data("ucdp", "ucdp-dyadic-251.csv"))
        store.insert_places(_places_frame())
        registry = ActorRegistry.default()
        store.insert_actors(registry.to_frame(), registry.alias_table())
        seed_accords(store)  # UCDP peace agreements, Mali 2015 provisions, milestones
        store.set_meta("seeded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        store.set_meta("seed", "bundled default: Mali reference data + UCDP GED 23.1 CAF events")
