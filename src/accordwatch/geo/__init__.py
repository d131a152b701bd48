"""Places for accordwatch: PRIO-GRID ids, admin-1 units, the GeoNames gazetteer.

Pure functions and objects over bundled data; nothing here opens the store.

>>> from accordwatch.geo import Gazetteer, locate, priogrid_gid
>>> kidal = Gazetteer.default().lookup("Kidal")[0]
>>> priogrid_gid(kidal.latitude, kidal.longitude), kidal.admin1
(155883, 'Kidal')
>>> locate(kidal.latitude, kidal.longitude)["admin1_code"].tolist()
['ML-8']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accordwatch._lazy import lazy_attributes as _lazy_attributes

if TYPE_CHECKING:
    from accordwatch.geo.admin import (
        MALI_NEW_REGION_PARENT,
        AdminIndex,
        AdminUnit,
        admin1_features,
        admin1_names,
        locate,
        normalize_admin1,
    )
    from accordwatch.geo.gazetteer import COMMON_WORDS, FEATURE_CLASSES, Gazetteer, Place
    from accordwatch.geo.priogrid import (
        MISSING_GID,
        neighbours,
        priogrid_centroid,
        priogrid_gid,
        priogrid_row_col,
        priogrid_sql,
    )

__all__ = [
    "COMMON_WORDS",
    "FEATURE_CLASSES",
    "MALI_NEW_REGION_PARENT",
    "MISSING_GID",
    "AdminIndex",
    "AdminUnit",
    "Gazetteer",
    "Place",
    "admin1_features",
    "admin1_names",
    "locate",
    "neighbours",
    "normalize_admin1",
    "priogrid_centroid",
    "priogrid_gid",
    "priogrid_row_col",
    "priogrid_sql",
]

#: where each public name lives; a submodule (and numpy, shapely) loads on first use, so that
#: ``accordwatch.geo._grid`` costs nothing to import
_HOME = {
    **dict.fromkeys(
        (
            "MALI_NEW_REGION_PARENT",
            "AdminIndex",
            "AdminUnit",
            "admin1_features",
            "admin1_names",
            "locate",
            "normalize_admin1",
        ),
        ".admin",
    ),
    **dict.fromkeys(("COMMON_WORDS", "FEATURE_CLASSES", "Gazetteer", "Place"), ".gazetteer"),
    **dict.fromkeys(
        (
            "MISSING_GID",
            "neighbours",
            "priogrid_centroid",
            "priogrid_gid",
            "priogrid_row_col",
            "priogrid_sql",
        ),
        ".priogrid",
    ),
}


__getattr__ = _lazy_attributes(__name__, _HOME)
