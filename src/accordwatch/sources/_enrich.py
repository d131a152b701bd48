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
import pyarrow as pa
import pyarrow.compute as pc

from ..geo import AdminIndex, normalize_admin1, priogrid_gid

__all__ = ["admin1_guess_sql", "enrich_geography", "strip_admin_words"]

_ADMIN_WORDS = re.compile(
    r"\s+(region|province|prefecture|préfecture|governorate|state|district|department|"
    r"county|municipality|oblast|division|wilaya|territory)$",
    re.IGNORECASE,
)


def strip_admin_words(name: str) -> str:
    """'Ouham-Pendé prefecture' → 'Ouham-Pendé'; 'Bangui' stays."""
    return _ADMIN_WORDS.sub("", name.strip())


def admin1_guess_sql(adm_1: str) -> str:
    """SQL for the admin-1 name most rows end up with: the source's ``adm_1`` without the
    words UCDP adds (:func:`strip_admin_words`, in DuckDB's regular expressions).

    A bulk load writes this guess and then corrects, per distinct place, the rows where
    :func:`enrich_geography` decides otherwise (a point inside a bundled polygon, a
    variant spelling), so only those rows are rewritten.
    """
    pattern = _ADMIN_WORDS.pattern.replace("'", "''")
    return f"regexp_replace(trim({adm_1}), '{pattern}', '', 'i')"


def _pair_codes(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first row of each distinct (lat, lon) pair, and each row's pair number.

    Compares the bit patterns, so missing (NaN) coordinates form one pair like any other.
    """
    bits = np.ascontiguousarray(np.stack([lat, lon], axis=1)).view(np.int64)
    _, first, codes = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    return first, codes.reshape(-1)


def enrich_geography(table: pa.Table) -> pa.Table:
    """Return ``table`` with ``priogrid_gid`` filled and ``admin1`` set."""
    if table.num_rows == 0:
        return table
    la = table.column("latitude").to_numpy(zero_copy_only=False).astype("float64")
    lo = table.column("longitude").to_numpy(zero_copy_only=False).astype("float64")
    gid = table.column("priogrid_gid")
    if gid.null_count:
        missing = pc.and_(pc.is_null(gid), pc.and_(pc.is_valid(table.column("latitude")),
                                                   pc.is_valid(table.column("longitude"))))
        if pc.any(missing).as_py():
            computed = pa.array(np.asarray(priogrid_gid(np.nan_to_num(la), np.nan_to_num(lo)), dtype="int64"))
            table = table.set_column(
                table.column_names.index("priogrid_gid"), "priogrid_gid", pc.if_else(missing, computed, gid)
            )
    # locate each distinct coordinate once
    first, codes = _pair_codes(la, lo)
    from_points = AdminIndex.default().locate_arrays(la[first], lo[first])["admin1"][codes]
    adm = table.column("adm_1")
    names = {n: (normalize_admin1(n) or strip_admin_words(n)) for n in pc.unique(adm.drop_null()).to_pylist()}
    from_names = np.array([names.get(n) for n in adm.to_pylist()], dtype=object)
    current = np.array(table.column("admin1").to_pylist(), dtype=object)
    admin1 = np.where(current != None, current, np.where(from_points != None, from_points, from_names))  # noqa: E711
    return table.set_column(table.column_names.index("admin1"), "admin1", pa.array(admin1.tolist(), pa.string()))
