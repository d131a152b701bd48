"""Admin-1 units: point-in-polygon assignment and name normalisation.

The bundled polygons are Natural Earth 10m admin-1 units for Mali and its
neighbours (MLI, BFA, NER, MRT, DZA, SEN, GIN, CIV;
``data/geo/sahel_admin1_ne10m.geojson``).  The canonical name of a unit is
Natural Earth's ``name`` field, e.g. ``"Timbuktu"`` (whose ``name_en`` and
``name_fr`` are "Tombouctou") and ``"Sikasso"`` (whose ``name_en`` is,
oddly, "Wassoulou": do not rely on ``name_en``).

**Mali's regions.**  Natural Earth has Mali's 8 pre-2016 regions plus the
Bamako district.  The regions created later are *inside* their parents here:
Ménaka (2016) is part of Gao and Taoudénit (2016) part of Timbuktu, and the
regions put in place in 2023 (Nioro, Kita, Dioïla, Nara, Bougouni, Koutiala,
San, Douentza, Bandiagara) are part of the region they were carved from.
:func:`normalize_admin1` maps those newer names to the Natural Earth unit that
contains them (:data:`MALI_NEW_REGION_PARENT`), so that "Région de Ménaka"
and an event located in Ménaka town both come out as ``"Gao"``.

>>> idx = AdminIndex.default()
>>> idx.locate([18.44111, 16.77348], [1.40778, -3.00742])["admin1"].tolist()
['Kidal', 'Timbuktu']
>>> normalize_admin1("Région de Tombouctou")
'Timbuktu'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import shape

from accordwatch.errors import InputError, NotFound
from accordwatch.geo._text import fold

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LOCATE_COLUMNS",
    "MALI_NEW_REGION_PARENT",
    "AdminIndex",
    "AdminUnit",
    "admin1_features",
    "admin1_names",
    "locate",
    "normalize_admin1",
]

LOCATE_COLUMNS = ["iso3", "country", "admin1", "admin1_code"]

MALI_NEW_REGION_PARENT: dict[str, str] = {
    "Ménaka": "Gao",
    "Taoudénit": "Timbuktu",
    "Taoudeni": "Timbuktu",
    "Taoudenni": "Timbuktu",
    "Nioro": "Kayes",
    "Kita": "Kayes",
    "Dioïla": "Koulikoro",
    "Nara": "Koulikoro",
    "Bougouni": "Sikasso",
    "Koutiala": "Sikasso",
    "San": "Ségou",
    "Douentza": "Mopti",
    "Bandiagara": "Mopti",
}
"""Mali regions newer than Natural Earth's units → the unit that contains them.

Ménaka and Taoudénit (also spelt Taoudeni, Taoudenni) became regions in 2016; the other
nine, created on paper by Law 2012-017, were put in place in 2023.  Each was carved out of
the region it maps to here."""

# Extra spellings of region-level words stripped before matching, so that
# "Kidal region", "Région de Kidal", "Province du Sanmatenga" all reduce
# to the bare name.
_PREFIXES = (
    "region de la ",
    "region de ",
    "region du ",
    "region des ",
    "region d ",
    "region of ",
    "province de la ",
    "province de ",
    "province du ",
    "province des ",
    "province d ",
    "province of ",
    "wilaya de ",
    "wilaya d ",
    "district de ",
    "district of ",
    "the ",
)
_SUFFIXES = (" region", " province", " wilaya", " district", " capital district")

_COUNTRY_EXTRA = {"cote d ivoire": "CIV", "algerie": "DZA", "mauritanie": "MRT", "guinee": "GIN"}


def _strip_affixes(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if key.startswith(p) and len(key) > len(p):
                key, changed = key[len(p) :], True
        for s in _SUFFIXES:
            if key.endswith(s) and len(key) > len(s):
                key, changed = key[: -len(s)], True
    return key


@dataclass(frozen=True)
class AdminUnit:
    """One admin-1 unit and the names it is known by."""

    iso3: str
    country: str
    admin1: str
    admin1_code: str
    hasc: str | None
    latitude: float
    longitude: float
    aliases: tuple[str, ...] = field(default=(), repr=False)


class AdminIndex:
    """Admin-1 polygons with a spatial index and a name index.

    Build it from a Natural Earth admin-1 GeoJSON (:meth:`from_geojson`) or
    use the cached bundled default (:meth:`default`).

    >>> idx = AdminIndex.default()
    >>> sorted(idx.countries)
    ['BFA', 'CIV', 'DZA', 'GIN', 'MLI', 'MRT', 'NER', 'SEN']
    >>> idx.locate(13.51, 2.11).iloc[0].tolist()           # Niamey
    ['NER', 'Niger', 'Niamey', 'NE-8']
    """

    def __init__(self, units: list[AdminUnit], geometries: list[Any]) -> None:
        if len(units) != len(geometries):
            raise InputError("AdminIndex needs exactly one geometry per unit.")
        if not units:
            raise InputError("AdminIndex needs at least one admin-1 polygon.")
        # Sorting fixes the tie-break for points on a shared border: the unit
        # that sorts first by (iso3, admin1_code) wins.
        order = sorted(range(len(units)), key=lambda i: (units[i].iso3, units[i].admin1_code))
        self.units: list[AdminUnit] = [units[i] for i in order]
        self._geoms = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._cols = {
            "iso3": np.array([u.iso3 for u in self.units] + [None], dtype=object),
            "country": np.array([u.country for u in self.units] + [None], dtype=object),
            "admin1": np.array([u.admin1 for u in self.units] + [None], dtype=object),
            "admin1_code": np.array([u.admin1_code for u in self.units] + [None], dtype=object),
        }
        self._countries: dict[str, str] = {}
        for u in self.units:
            self._countries[fold(u.iso3)] = u.iso3
            self._countries[fold(u.country)] = u.iso3
            self._countries[fold(u.admin1_code.split("-")[0])] = u.iso3
        for k, v in _COUNTRY_EXTRA.items():
            if v in self.countries:
                self._countries[k] = v
        self._names: dict[str, set[tuple[str, str]]] = {}
        for u in self.units:
            # HASC codes are not used as aliases: Natural Earth repeats some.
            for alias in (*u.aliases, u.admin1, u.admin1_code):
                self._add_name(alias, u.iso3, u.admin1)
        if "MLI" in self.countries:
            mali = set(self.names("MLI"))
            for new, parent in MALI_NEW_REGION_PARENT.items():
                if parent in mali:
                    self._add_name(new, "MLI", parent)

    def _add_name(self, alias: str, iso3: str, canonical: str) -> None:
        key = fold(alias)
        if not key:
            return
        for k in {key, _strip_affixes(key)}:
            self._names.setdefault(k, set()).add((iso3, canonical))

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_geojson(cls, source: str | Path | Traversable) -> AdminIndex:
        """Build from a Natural Earth admin-1 GeoJSON FeatureCollection.

        Needs the properties ``adm0_a3``, ``admin``, ``name``, ``iso_3166_2``;
        uses ``name_en``, ``name_fr``, ``name_alt`` (``|``-separated),
        ``gn_name`` and ``code_hasc`` as aliases when present.
        """
        path = Path(source) if isinstance(source, str) else source
        try:
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"cannot read admin-1 polygons from {source}: {exc}. "
                "Pass a GeoJSON FeatureCollection of Natural Earth admin-1 units."
            ) from exc
        return cls._from_features(features, source)

    @classmethod
    def _from_features(cls, features: Any, source: object) -> AdminIndex:
        if not isinstance(features, list | tuple):
            raise InputError(
                f"cannot read admin-1 polygons from {source}: 'features' is not a list. "
                "Pass a GeoJSON FeatureCollection of Natural Earth admin-1 units."
            )
        units, geoms = [], []
        for i, feat in enumerate(features):
            p = feat.get("properties") or {}
            missing = [k for k in ("adm0_a3", "admin", "name", "iso_3166_2") if not p.get(k)]
            if missing or not feat.get("geometry"):
                raise InputError(
                    f"{source}: feature {i} lacks {', '.join(missing) or 'a geometry'}; "
                    "expected Natural Earth admin-1 properties."
                )
            alt = (p.get("name_alt") or "").split("|")
            aliases = tuple(
                a for a in (p.get("name_en"), p.get("name_fr"), p.get("gn_name"), *alt) if a
            )
            units.append(
                AdminUnit(
                    iso3=p["adm0_a3"],
                    country=p["admin"],
                    admin1=p["name"],
                    admin1_code=p["iso_3166_2"],
                    hasc=p.get("code_hasc"),
                    latitude=float(p.get("latitude") or np.nan),
                    longitude=float(p.get("longitude") or np.nan),
                    aliases=aliases,
                )
            )
            geoms.append(shape(feat["geometry"]))
        return cls(units, geoms)

    @classmethod
    def default(cls) -> AdminIndex:
        """The bundled Natural Earth units (loaded once, then cached)."""
        return _default_index()

    # -- queries ------------------------------------------------------------------
    @property
    def countries(self) -> list[str]:
        """ISO3 codes of the countries covered, sorted."""
        return sorted({u.iso3 for u in self.units})

    def country_iso3(self, country: str) -> str:
        """ISO3 code for a country given as ISO3, ISO2 or English name.

        >>> AdminIndex.default().country_iso3("Burkina Faso")
        'BFA'
        """
        iso3 = self._countries.get(fold(str(country)))
        if iso3 is None:
            raise NotFound(
                f"unknown country {country!r}; the admin-1 polygons cover "
                f"{', '.join(self.countries)} (ISO3, ISO2 or English name)."
            )
        return iso3

    def names(self, country: str) -> list[str]:
        """Canonical admin-1 names of one country, sorted."""
        iso3 = self.country_iso3(country)
        return sorted((u.admin1 for u in self.units if u.iso3 == iso3), key=fold)

    def unit(self, admin1: str, country: str) -> tuple[AdminUnit, Any] | None:
        """The unit named ``admin1`` (any known variant) in ``country`` and its polygon, or
        ``None`` when the polygons do not cover that country or name.

        >>> u, geom = AdminIndex.default().unit("Tombouctou", "Mali")
        >>> u.admin1_code, geom.geom_type
        ('ML-6', 'Polygon')
        """
        try:
            iso3 = self.country_iso3(country)
            canonical = self.normalize(admin1, iso3)
        except (NotFound, InputError):
            return None
        for i, u in enumerate(self.units):
            if u.iso3 == iso3 and u.admin1 == canonical:
                return u, self._geoms[i]
        return None

    def normalize(self, name: str, country: str | None = None) -> str | None:
        """Canonical admin-1 name for a variant, or ``None`` if unknown.

        Raises :class:`InputError` when the name stands for different units
        and ``country`` does not settle it, e.g. "Comoe" (Komoé in Burkina
        Faso, Comoe in Côte d'Ivoire).  A name that is canonical in two
        countries ("Adrar": Algeria and Mauritania) simply comes back as is.
        """
        if name is None or (isinstance(name, float) and np.isnan(name)):
            return None
        key = fold(str(name))
        hits = self._names.get(key) or self._names.get(_strip_affixes(key)) or set()
        if country is not None:
            iso3 = self.country_iso3(country)
            hits = {h for h in hits if h[0] == iso3}
        # Within one country, a unit whose own name matches beats a unit that
        # merely lists the name as an alternate (Natural Earth gives Tindouf
        # the alternate "Tiaret", which is another wilaya's name).
        by_country: dict[str, set[str]] = {}
        for iso3, canonical in hits:
            by_country.setdefault(iso3, set()).add(canonical)
        for iso3, names in by_country.items():
            own = {c for c in names if key in (fold(c), _strip_affixes(fold(c)))}
            if len(names) > 1 and len(own) == 1:
                by_country[iso3] = own
        hits = {(i, c) for i, names in by_country.items() for c in names}
        canon = {h[1] for h in hits}
        if len(canon) > 1:
            where = ", ".join(sorted(f"{c} ({i})" for i, c in hits))
            raise InputError(
                f"admin-1 name {name!r} is ambiguous: {where}. Pass country= to choose."
            )
        return canon.pop() if canon else None

    def locate_arrays(self, lat: Any, lon: Any) -> dict[str, np.ndarray]:
        """:meth:`locate` as plain arrays: ``{column: object array}``, one value per point."""
        la = np.atleast_1d(np.asarray(lat, dtype="float64"))
        lo = np.atleast_1d(np.asarray(lon, dtype="float64"))
        if la.shape != lo.shape or la.ndim != 1:
            raise InputError(
                f"latitude and longitude must be 1-D and of equal length; got shapes "
                f"{la.shape} and {lo.shape}."
            )
        for arr, lim, what in ((la, 90.0, "latitude"), (lo, 180.0, "longitude")):
            bad = np.abs(arr) > lim
            if bad.any():
                raise InputError(
                    f"{int(bad.sum())} {what} value(s) outside ±{lim:g} "
                    f"(first: {arr[bad][0]!r}); are latitude and longitude swapped?"
                )
        n = la.shape[0]
        nothing = len(self.units)
        best = np.full(n, nothing, dtype="int64")
        ok = ~(np.isnan(la) | np.isnan(lo))
        if ok.any():
            which = np.flatnonzero(ok)
            pts = np.asarray(shapely.points(lo[which], la[which]))
            # Bounding-box candidates first, then one vectorised exact test
            # against the prepared polygons: several times faster than
            # STRtree.query(predicate=...), which does not reuse preparation.
            inp, hit = self._tree.query(pts)
            inside = shapely.intersects(self._geoms[hit], pts[inp])
            np.minimum.at(best, which[inp[inside]], hit[inside])
        return {c: self._cols[c][best] for c in LOCATE_COLUMNS}

    def locate(self, lat: Any, lon: Any) -> pd.DataFrame:
        """Admin-1 unit of each point: one row per point, ``None`` outside all units.

        Columns: ``iso3``, ``country``, ``admin1`` (Natural Earth ``name``),
        ``admin1_code`` (ISO 3166-2).  NaN coordinates give ``None``.  A point
        on a border shared by two units goes to the unit whose
        ``(iso3, admin1_code)`` sorts first.  A pandas Series ``lat`` passes
        its index on to the result.
        """
        import pandas as pd

        cols = self.locate_arrays(lat, lon)
        # object dtype keeps None (pandas 3 would turn a str column's None into NaN)
        out = pd.DataFrame(
            {c: pd.Series(v, dtype=object) for c, v in cols.items()}, columns=LOCATE_COLUMNS
        )
        if isinstance(lat, pd.Series) and len(lat.index) == len(out):
            out.index = lat.index
        return out


_BUNDLED = ("data", "geo", "sahel_admin1_ne10m.geojson")


@cache
def admin1_features() -> tuple[dict[str, Any], ...]:
    """The features of the bundled Natural Earth admin-1 GeoJSON, parsed once per process
    (shared by :meth:`AdminIndex.default` and whoever draws the outlines); treat them as
    read-only."""
    path = files("accordwatch").joinpath(*_BUNDLED)
    return tuple(json.loads(path.read_text(encoding="utf-8"))["features"])


@cache
def _default_index() -> AdminIndex:
    return AdminIndex._from_features(admin1_features(), "/".join(_BUNDLED))


def locate(lat: Any, lon: Any) -> pd.DataFrame:
    """:meth:`AdminIndex.locate` on the bundled default polygons.

    >>> locate([12.65, 0.0], [-8.0, 0.0])["admin1"].tolist()   # Bamako; Gulf of Guinea
    ['Bamako', None]
    """
    return AdminIndex.default().locate(lat, lon)


def normalize_admin1(name: str, country: str | None = None) -> str | None:
    """Canonical (Natural Earth ``name``) admin-1 name for a variant spelling.

    Case-, accent- and punctuation-insensitive; understands Natural Earth's
    English, French and alternate names and wording such as "Gao Region",
    "Région de Kidal" or UCDP's "Kidal region".  Newer Malian regions map to
    the unit that contains them (:data:`MALI_NEW_REGION_PARENT`).

    >>> [normalize_admin1(n) for n in ("Tombouctou", "timbuktu region", "Kidal region")]
    ['Timbuktu', 'Timbuktu', 'Kidal']
    >>> normalize_admin1("Ménaka", country="Mali"), normalize_admin1("Atlantis")
    ('Gao', None)
    """
    return AdminIndex.default().normalize(name, country)


def admin1_names(country: str) -> list[str]:
    """Canonical admin-1 names of a country (ISO3, ISO2 or English name).

    >>> admin1_names("MLI")
    ['Bamako', 'Gao', 'Kayes', 'Kidal', 'Koulikoro', 'Mopti', 'Ségou', 'Sikasso', 'Timbuktu']
    """
    return AdminIndex.default().names(country)
