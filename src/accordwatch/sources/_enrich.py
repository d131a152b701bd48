"""Fill the geography a source leaves out: PRIO-GRID cell and canonical admin-1.

``priogrid_gid`` is computed from the coordinates where the source gives none.
``admin1`` is the Natural Earth admin-1 unit containing the point where the
bundled polygons cover it (Mali and the Sahel); elsewhere it is the source's own
``adm_1`` without the words UCDP adds ("Kidal region" → "Kidal").  Work is done
once per distinct coordinate / name, so 400,000 GED rows cost little.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..geo import locate, normalize_admin1, priogrid_gid

__all__ = ["enrich_geography", "strip_admin_words"]

_ADMIN_WORDS = re.compile(
    r"\s+(region|province|prefecture|préfecture|governorate|state|district|department|"
    r"county|municipality|oblast|division|wilaya|territory)$",
    re.IGNORECASE,
)


def strip_admin_words(name: str) -> str:
    """'Ouham-Pendé prefecture' → 'Ouham-Pendé'; 'Bangui' stays."""
    return _ADMIN_WORDS.sub("", name.strip())


def enrich_geography(table: pa.Table) -> pa.Table:
    """Return ``table`` with ``priogrid_gid`` filled and ``admin1`` set."""
    if table.num_rows == 0:
        return table
    lat = table.column("latitude")
    lon = table.column("longitude")
    gid = table.column("priogrid_gid")
    if gid.null_count:
        missing = pc.and_(pc.is_null(gid), pc.and_(pc.is_valid(lat), pc.is_valid(lon)))
        if pc.any(missing).as_py():
            la = lat.to_numpy(zero_copy_only=False).astype("float64")
            lo = lon.to_numpy(zero_copy_only=False).astype("float64")
            computed = pa.array(np.asarray(priogrid_gid(np.nan_to_num(la), np.nan_to_num(lo)), dtype="int64"))
            table = table.set_column(
                table.column_names.index("priogrid_gid"), "priogrid_gid", pc.if_else(missing, computed, gid)
            )
    coords = pd.DataFrame(
        {"lat": lat.to_numpy(zero_copy_only=False), "lon": lon.to_numpy(zero_copy_only=False)}
    )
    # number each distinct coordinate in order of first appearance, locate each once
    codes = coords.groupby(["lat", "lon"], sort=False, dropna=False).ngroup().to_numpy()
    uni = coords.drop_duplicates()
    located = locate(uni["lat"].to_numpy(dtype="float64"), uni["lon"].to_numpy(dtype="float64"))["admin1"]
    from_points = located.to_numpy(dtype=object)[codes]
    adm = table.column("adm_1").to_pandas()
    names = {
        n: (normalize_admin1(n) or strip_admin_words(n)) for n in adm.dropna().unique()
    }
    from_names = adm.map(names).to_numpy(dtype=object)
    current = table.column("admin1").to_numpy(zero_copy_only=False)
    admin1 = np.where(pd.notna(current), current, np.where(pd.notna(from_points), from_points, from_names))
    return table.set_column(
        table.column_names.index("admin1"), "admin1", pa.array(admin1, pa.string(), from_pandas=True)
    )
