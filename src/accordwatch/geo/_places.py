"""GeoNames rows and curated overrides → :class:`Place` objects (private).

The GeoNames dump is the standard tab-separated layout without a header::

    geonameid, name, asciiname, alternatenames, latitude, longitude,
    feature class, feature code, country code, cc2, admin1 code, admin2 code,
    admin3 code, admin4 code, population, elevation, dem, timezone,
    modification date

The overrides file (``data/geo/places_overrides.csv``) holds curated facts,
one row per change, each with its source:

* ``add`` — a place GeoNames lacks or files under the wrong kind (Ber, which
  GeoNames has only as a marsh; Gossi, only as a ruin; Tarkint, absent).
  Curated places get a negative ``geonameid`` (``id`` column); ``based_on``
  names the GeoNames feature whose coordinates they reuse, if any.
* ``alias`` — extra spellings for a GeoNames feature (none needed for the
  bundled dump: "Anéfis" and "Aguel-Hoc" are already GeoNames alternates).
* ``prefer`` — the feature users mean when several share a name (Léré in
  Timbuktu region rather than Léré in Mopti region).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from accordwatch.errors import InputError, RowError, RowErrors

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "GEONAMES_COLUMNS",
    "MALI_GEONAMES_ADMIN1",
    "Place",
    "apply_overrides",
    "precision_for",
    "read_geonames",
    "read_overrides",
]

GEONAMES_COLUMNS = [
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "country_code",
    "cc2",
    "admin1_code",
    "admin2_code",
    "admin3_code",
    "admin4_code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
]

# GeoNames admin1 codes for Mali → the Natural Earth unit that contains them.
# Checked against point-in-polygon on the bundled dump (see tests/geo).
# 12070577 (Ménaka) and 12070575 (Taoudénit) are post-2016 regions that
# Natural Earth still counts as part of Gao and Timbuktu.
MALI_GEONAMES_ADMIN1 = {
    "01": "Bamako",
    "03": "Kayes",
    "04": "Mopti",
    "05": "Ségou",
    "06": "Sikasso",
    "07": "Koulikoro",
    "08": "Timbuktu",
    "09": "Gao",
    "10": "Kidal",
    "12070577": "Gao",
    "12070575": "Timbuktu",
}

_AREA_CODES = {
    "STM",
    "STMI",
    "STMX",
    "WAD",
    "WADX",
    "LK",
    "LKI",
    "LKS",
    "LKX",
    "MRSH",
    "SWMP",
    "WTLD",
    "ERG",
    "MTS",
    "HLLS",
    "PLAT",
    "PLN",
    "DUNE",
    "DUNES",
    "VAL",
    "DPR",
    "SAND",
    "SBED",
}


def precision_for(feature_class: str, feature_code: str) -> str:
    """``"town"`` for settlements, ``"area"`` for admin units, regions and
    extended natural features, ``"site"`` for point features (wells, camps,
    airports, ruins).

    >>> precision_for("P", "PPL"), precision_for("A", "ADM2"), precision_for("H", "WLL")
    ('town', 'area', 'site')
    """
    if feature_class == "P":
        return "town"
    if feature_class in {"A", "L"} or feature_code in _AREA_CODES:
        return "area"
    return "site"


@dataclass(frozen=True)
class Place:
    """One gazetteer entry.

    ``admin1`` is the canonical Natural Earth region name (e.g. "Timbuktu",
    "Gao"), ``geonames_admin1`` GeoNames' own admin1 code.  Curated entries
    (``curated=True``) carry a ``note`` with the reason and a negative
    ``geonameid``.
    """

    geonameid: int
    name: str
    asciiname: str
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    admin1: str | None
    population: int
    alternate_names: tuple[str, ...] = ()
    precision: str = "town"
    note: str | None = None
    curated: bool = False
    preferred: bool = False
    geonames_admin1: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every surface form: name, ASCII name, then alternates, without repeats."""
        return tuple(dict.fromkeys((self.name, self.asciiname, *self.alternate_names)))

    #: the fields of :meth:`record`, in order
    RECORD_FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "feature",
        "admin1",
        "latitude",
        "longitude",
        "priogrid_gid",
        "population",
        "geonameid",
        "note",
    )

    def record(self) -> dict[str, Any]:
        """The place as the command line and the web API show it (:data:`RECORD_FIELDS`):
        ``feature`` is ``class/code``, ``priogrid_gid`` the PRIO-GRID cell it lies in."""
        from accordwatch.geo.priogrid import priogrid_gid

        return {
            "name": self.name,
            "feature": f"{self.feature_class}/{self.feature_code}",
            "admin1": self.admin1,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "priogrid_gid": priogrid_gid(self.latitude, self.longitude),
            "population": self.population,
            "geonameid": self.geonameid,
            "note": self.note,
        }


def read_geonames(source: str | Path | Traversable) -> pd.DataFrame:
    """The GeoNames dump as a DataFrame with :data:`GEONAMES_COLUMNS`."""
    import pandas as pd

    try:
        raw = source.read_bytes() if not isinstance(source, str) else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the GeoNames file {source}: {exc}") from exc
    try:
        df = pd.read_csv(
            io.BytesIO(raw),
            sep="\t",
            header=None,
            names=GEONAMES_COLUMNS,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,
            encoding="utf-8",
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(
            f"{source} is not a GeoNames tab-separated dump ({exc}); "
            "expected 19 columns, no header."
        ) from exc
    errors: list[RowError] = []
    for col in ("geonameid", "latitude", "longitude"):
        num = pd.to_numeric(df[col], errors="coerce")
        for i in np.flatnonzero(num.isna().to_numpy())[:50]:
            errors.append(
                RowError(str(source), int(i) + 1, col, "not a number", str(df[col].iat[i]))
            )
        df[col] = num
    if errors:
        raise RowErrors(errors, hint="Use an unmodified GeoNames country dump (e.g. ML.txt).")
    df["geonameid"] = df["geonameid"].astype("int64")
    df["population"] = pd.to_numeric(df["population"], errors="coerce").fillna(0).astype("int64")
    return df


def read_overrides(source: str | Path | Traversable) -> list[dict[str, str]]:
    """Rows of a curated overrides CSV (see the module docstring)."""
    try:
        text = (
            source.read_text(encoding="utf-8")
            if not isinstance(source, str)
            else Path(source).read_text(encoding="utf-8")
        )
    except OSError as exc:
        raise InputError(f"cannot read the place overrides file {source}: {exc}") from exc
    rows = list(csv.DictReader(io.StringIO(text)))
    errors = []
    for line, row in enumerate(rows, start=2):
        action = row.get("action")
        if action not in {"add", "alias", "prefer"}:
            errors.append(
                RowError(str(source), line, "action", "must be add, alias or prefer", action)
            )
        elif not (row.get("source") or "").strip():
            errors.append(RowError(str(source), line, "source", "every override needs a source"))
        try:
            int(row.get("id") or "")
        except ValueError:
            errors.append(RowError(str(source), line, "id", "not an integer", row.get("id")))
    if errors:
        raise RowErrors(errors, hint="Fix the overrides file; each row needs action, id, source.")
    return rows


def apply_overrides(places: list[Place], rows: list[dict[str, str]]) -> list[Place]:
    """Return ``places`` with the override rows applied (added places last)."""
    by_id = {p.geonameid: i for i, p in enumerate(places)}
    out = list(places)
    for row in rows:
        pid = int(row["id"])
        note = row.get("note") or None
        alts = tuple(a for a in (row.get("alternatenames") or "").split("|") if a)
        if row["action"] == "add":
            if pid >= 0 or pid in by_id:
                raise InputError(f"curated place id {pid} must be negative and unused.")
            fc, code = row["feature_class"], row["feature_code"]
            out.append(
                Place(
                    geonameid=pid,
                    name=row["name"],
                    asciiname=row["name"],
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                    feature_class=fc,
                    feature_code=code,
                    admin1=None,
                    population=int(row.get("population") or 0),
                    alternate_names=alts,
                    precision=row.get("precision") or precision_for(fc, code),
                    note=note,
                    curated=True,
                )
            )
            by_id[pid] = len(out) - 1
            continue
        if pid not in by_id:
            raise InputError(
                f"place override ({row['action']}) names GeoNames id {pid}, which is not in "
                "the gazetteer; fix the id in the overrides file."
            )
        i = by_id[pid]
        p = out[i]
        merged_note = "; ".join(n for n in (p.note, note) if n) or None
        if row["action"] == "alias":
            out[i] = replace(
                p,
                alternate_names=tuple(dict.fromkeys((*p.alternate_names, *alts))),
                note=merged_note,
                curated=True,
            )
        else:  # prefer
            out[i] = replace(p, preferred=True, note=merged_note, curated=True)
    return out
