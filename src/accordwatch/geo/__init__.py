"""Places for accordwatch: PRIO-GRID ids, admin-1 units, the GeoNames gazetteer.

Pure functions and objects over bundled data; nothing here opens the store.
"""

from accordwatch.geo.admin import (
    MALI_NEW_REGION_PARENT,
    AdminIndex,
    AdminUnit,
    admin1_names,
    locate,
    normalize_admin1,
)
from accordwatch.geo.priogrid import (
    MISSING_GID,
    neighbours,
    priogrid_centroid,
    priogrid_gid,
    priogrid_row_col,
)

__all__ = [
    "MALI_NEW_REGION_PARENT",
    "MISSING_GID",
    "AdminIndex",
    "AdminUnit",
    "admin1_names",
    "locate",
    "neighbours",
    "normalize_admin1",
    "priogrid_centroid",
    "priogrid_gid",
    "priogrid_row_col",
]
