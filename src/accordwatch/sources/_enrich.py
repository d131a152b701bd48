"""Fill the geography a source leaves out: PRIO-GRID cell and canonical admin-1.

``priogrid_gid`` is computed from the coordinates where the source gives none.
``admin1`` is the Natural Earth admin-1 unit containing the point where the
bundled polygons cover it (Mali and the Sahel); elsewhere it is the source's own
``adm_1`` without the words UCDP adds ("Kidal region" → "Kidal").  Work is done
once per distinct place (:func:`~._ged_csv.place_admin1`), so 400,000 GED rows cost little.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..geo import priogrid_gid
from ._admin1 import admin1_guess_sql, strip_admin_words
from ._ged_csv import place_admin1

__all__ = ["admin1_guess_sql", "enrich_geography", "strip_admin_words"]


def enrich_geography(table: pa.Table) -> pa.Table:
    """Return ``table`` with ``priogrid_gid`` filled and ``admin1`` set where it is missing."""
    if table.num_rows == 0:
        return table
    lat, lon = table.column("latitude"), table.column("longitude")
    gid = table.column("priogrid_gid")
    if gid.null_count:
        missing = pc.and_(pc.is_null(gid), pc.and_(pc.is_valid(lat), pc.is_valid(lon)))
        if pc.any(missing).as_py():
            la = np.nan_to_num(lat.to_numpy(zero_copy_only=False).astype("float64"))
            lo = np.nan_to_num(lon.to_numpy(zero_copy_only=False).astype("float64"))
            computed = pa.array(np.asarray(priogrid_gid(la, lo), dtype="int64"))
            table = table.set_column(
                table.column_names.index("priogrid_gid"),
                "priogrid_gid",
                pc.if_else(missing, computed, gid),
            )
    rows = list(
        zip(lat.to_pylist(), lon.to_pylist(), table.column("adm_1").to_pylist(), strict=True)
    )
    places = list(dict.fromkeys(rows))  # distinct, in order of first appearance
    decided = dict(zip(places, place_admin1(places), strict=True))
    current = table.column("admin1").to_pylist()
    admin1 = [c if c is not None else decided[r] for c, r in zip(current, rows, strict=True)]
    return table.set_column(
        table.column_names.index("admin1"), "admin1", pa.array(admin1, pa.string())
    )
