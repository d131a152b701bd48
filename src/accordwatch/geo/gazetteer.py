"""GeoNames gazetteer for Mali: name lookup (exact and fuzzy) and surface forms.

:meth:`Gazetteer.default` loads the bundled GeoNames dump for Mali
(``data/geo/geonames_ML.txt``, 24,312 features) plus the curated overrides in
``data/geo/places_overrides.csv`` (Ber and Gossi as towns, Tarkint, and
which Léré and which Bamba users mean) and the curated supplement
``data/geo/places_supplement.csv`` (spellings GeoNames lacks, villages of central Mali,
countries and towns across the borders — Niger, Burkina Faso, Algeria, Mauritania,
Senegal, Guinea — each with its source; ``admin1`` is empty outside Mali).  Each place's ``admin1``
is the Natural Earth region containing it (point in polygon); places that fall
outside Mali's polygons (border rivers, generalised borders) use GeoNames'
admin1 code instead.

Names match case-, accent-, apostrophe- and hyphen-insensitively on the name,
the ASCII name and every alternate name ("Tombouctou" finds Timbuktu,
"Aguelhoc" finds Aguelhok via its alternate "Aguel-Hoc").  Results are ranked:

1. exact matches, then transliteration variants of a settlement's or admin unit's name
   ("Tinzawaten", "Andéramboukane", "Diabaly": see ``variant_key``) when no exact
   match exists, then fuzzy ones (higher score first);
2. curated preferred entries (Léré of Timbuktu region, Bamba of Gao region);
3. populated places (P), then admin units (A), spots (S), areas (L),
   terrain (T), water (H), vegetation (V);
4. larger population; capital before regional seat before village;
5. GeoNames id.

>>> gaz = Gazetteer.default()
>>> [(p.name, p.admin1) for p in gaz.lookup("Tombouctou", limit=1)]
[('Timbuktu', 'Timbuktu')]
>>> gaz.lookup("Ber")[0].feature_class, gaz.lookup("Ber")[0].curated
('P', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from accordwatch.errors import InputError
from accordwatch.geo._places import (
    MALI_GEONAMES_ADMIN1,
    Place,
    apply_overrides,
    precision_for,
    read_geonames,
    read_overrides,
)
from accordwatch.geo._text import compact, fold, variant_key
from accordwatch.geo.admin import AdminIndex

__all__ = ["COMMON_WORDS", "FEATURE_CLASSES", "Gazetteer", "Place"]

FEATURE_CLASSES = ("P", "A", "S", "L", "T", "H", "V", "R", "U")
"""GeoNames feature classes in ranking order (populated places first)."""

_CLASS_RANK = {c: i for i, c in enumerate(FEATURE_CLASSES)}
_CODE_RANK = {
    "PPLC": 0,
    "PPLA": 1,
    "PPLA2": 2,
    "PPLA3": 3,
    "PPLA4": 4,
    "PPL": 5,
    "ADM1": 0,
    "ADM2": 1,
    "ADM3": 2,
    "ADM4": 3,
}
_NOTABLE_CODES = {"PPLC", "PPLA", "PPLA2", "PCLI", "ADM1", "ADM2"}

COMMON_WORDS = frozenset(
    """
    a an and are as at be but by for from has have he her his in is it its not of on or
    that the their they this to was were which with who will would said says say after
    before under over north south east west central army camp base town city road river
    lake well valley desert region area border market bridge hill mount point fort port
    le la les de des du un une et est en au aux par pour sur sous dans avec sans mais ou
    nord sud ouest centre ville village route fleuve lac mare puits vallee desert marche
    pont colline mont camp poste dire fait faire tout tous bien bon bonne bel belle bas
    haut grand grande petit petite non oui ici plus moins deux trois quatre cinq dix cent
    mille jour mois annee etat armee base gare ecole eglise mosquee sale sans fin
    """.split()
)
"""Words too common in English or French text to stand for a place on their
own (compared after folding: "Diré" stays, its ASCII form "Dire" goes)."""


class Gazetteer:
    """Places with a name index.

    >>> gaz = Gazetteer.default()
    >>> p = gaz.lookup("Anéfis")[0]
    >>> p.name, p.feature_code
    ('Anefis i-n-Darane', 'PPL')
    >>> [p.name for p in gaz.lookup("Kidall", fuzzy=True, limit=1)]
    ['Kidal']
    """

    def __init__(self, places: Iterable[Place]) -> None:
        self.places: list[Place] = list(places)
        self._by_key: dict[str, list[int]] = {}
        for i, place in enumerate(self.places):
            for form in place.names:
                key = compact(form)
                if key:
                    bucket = self._by_key.setdefault(key, [])
                    if not bucket or bucket[-1] != i:
                        bucket.append(i)
        self._keys = list(self._by_key)
        self._by_id = {p.geonameid: p for p in self.places}
        # transliteration variants ("Tinzawaten" for "Ti-n-Zaouâtene"), for settlements,
        # admin units and curated places only
        self._by_variant: dict[str, list[int]] = {}
        for key, idx in self._by_key.items():
            vkey = variant_key(key)
            if len(vkey) < 5:
                continue
            for i in idx:
                p = self.places[i]
                if p.feature_class in {"P", "A"} or p.curated:
                    bucket = self._by_variant.setdefault(vkey, [])
                    if i not in bucket:
                        bucket.append(i)

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_geonames(
        cls,
        source: str | Path | Traversable,
        *,
        overrides: str | Path | Traversable | None = None,
        admin: AdminIndex | None = None,
        supplements: Iterable[str | Path | Traversable] = (),
    ) -> Gazetteer:
        """Build from a GeoNames country dump, optional overrides and admin units.

        ``supplements`` are further files in the overrides format, applied after
        ``overrides`` (the bundled one adds places across Mali's borders and spellings
        GeoNames lacks).
        """
        df = read_geonames(source)
        admin = admin or AdminIndex.default()
        regions = _admin1_for(
            admin, df["latitude"].to_numpy(), df["longitude"].to_numpy(), df["admin1_code"].tolist()
        )
        alts = [
            tuple(a for a in s.split(",") if a) if s else () for s in df["alternatenames"].tolist()
        ]
        places = [
            Place(
                geonameid=gid,
                name=name,
                asciiname=ascii_,
                latitude=lat,
                longitude=lon,
                feature_class=fc,
                feature_code=code,
                admin1=region,
                population=pop,
                alternate_names=alt,
                precision=precision_for(fc, code),
                geonames_admin1=a1,
            )
            for gid, name, ascii_, lat, lon, fc, code, pop, alt, a1, region in zip(
                df["geonameid"].tolist(),
                df["name"].tolist(),
                df["asciiname"].tolist(),
                df["latitude"].tolist(),
                df["longitude"].tolist(),
                df["feature_class"].tolist(),
                df["feature_code"].tolist(),
                df["population"].tolist(),
                alts,
                df["admin1_code"].tolist(),
                regions,
                strict=True,
            )
        ]
        rows = [] if overrides is None else read_overrides(overrides)
        for extra in supplements:
            rows += read_overrides(extra)
        if rows:
            places = apply_overrides(places, rows)
            added = [i for i, p in enumerate(places) if p.curated and p.admin1 is None]
            if added:
                regions = _admin1_for(
                    admin,
                    np.array([places[i].latitude for i in added]),
                    np.array([places[i].longitude for i in added]),
                    [places[i].geonames_admin1 for i in added],
                )
                for i, region in zip(added, regions, strict=True):
                    places[i] = replace(places[i], admin1=region)
        return cls(places)

    @classmethod
    def default(cls) -> Gazetteer:
        """The bundled GeoNames Mali gazetteer with curated overrides (cached)."""
        return _default_gazetteer()

    # -- queries ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.places)

    def get(self, geonameid: int) -> Place | None:
        """The place with this GeoNames id (negative for curated places), if any."""
        return self._by_id.get(geonameid)

    def lookup(
        self,
        name: str,
        *,
        fuzzy: bool = False,
        classes: Iterable[str] | None = None,
        limit: int = 5,
        score_cutoff: float = 85.0,
    ) -> list[Place]:
        """Places called ``name``, best first (see the module docstring for the order).

        ``classes`` keeps only those GeoNames feature classes (e.g. ``{"P"}``).
        With ``fuzzy=True``, near spellings (rapidfuzz ratio ≥ ``score_cutoff``
        on the folded name) follow the exact matches.

        >>> [p.admin1 for p in Gazetteer.default().lookup("Léré", limit=2)]
        ['Timbuktu', 'Mopti']
        """
        if not isinstance(name, str) or not name.strip():
            raise InputError("lookup() needs a place name, e.g. lookup('Kidal').")
        if limit < 1:
            raise InputError(f"limit must be at least 1; got {limit}.")
        wanted = _check_classes(classes)
        key = compact(name)
        if not key:
            raise InputError(f"{name!r} has no letters or digits to match on.")
        scored: dict[int, float] = {i: 100.0 for i in self._by_key.get(key, ())}
        if not any(wanted is None or self.places[i].feature_class in wanted for i in scored):
            scored.update({i: 99.0 for i in self.variant_places(name)})
        if fuzzy:
            for _k, score, pos in process.extract(
                key, self._keys, scorer=fuzz.ratio, score_cutoff=score_cutoff, limit=50
            ):
                for i in self._by_key[self._keys[pos]]:
                    scored[i] = max(scored.get(i, 0.0), float(score))
        hits = [i for i in scored if wanted is None or self.places[i].feature_class in wanted]
        hits.sort(key=lambda i: (-scored[i], *self._rank(self.places[i])))
        return [self.places[i] for i in hits[:limit]]

    def variant_places(self, name: str) -> list[int]:
        """Indexes into :attr:`places` of the settlements, admin units and curated places
        whose name is a transliteration variant of ``name`` (see
        :func:`accordwatch.geo._text.variant_key`), best first.

        >>> gaz = Gazetteer.default()
        >>> [gaz.places[i].name for i in gaz.variant_places("Tinzawaten")]
        ['Ti-n-Zaouâtene']
        """
        idx = self._by_variant.get(variant_key(name), [])
        return sorted(idx, key=lambda i: self._rank(self.places[i]))

    def iter_variants(self) -> Iterator[tuple[str, Place]]:
        """``(variant key, place)`` for every key of :meth:`variant_places` (best place)."""
        for vkey, idx in self._by_variant.items():
            yield vkey, self.places[min(idx, key=lambda i: self._rank(self.places[i]))]

    def iter_names(
        self, *, classes: Iterable[str] | None = ("P", "A", "S", "L")
    ) -> Iterator[tuple[str, Place]]:
        """Every usable surface form with the place it stands for.

        For a text extractor's phrase patterns.  Each form maps to the place
        :meth:`lookup` ranks first among ``classes``.  Forms are left out when
        they cannot be matched safely in free text:

        * not written in Latin script (after removing accents);
        * fewer than 3 letters/digits;
        * exactly 3, unless the place is notable (a capital or regional or
          cercle seat, an ADM1/ADM2 unit, populated, or curated): "Gao" and
          "Ber" stay, obscure three-letter hamlets go;
        * a common English or French word once folded (:data:`COMMON_WORDS`):
          "Dire" goes, "Diré" stays.

        >>> names = dict(Gazetteer.default().iter_names())
        >>> names["Tombouctou"].name, names["Ber"].curated, "Dire" in names
        ('Timbuktu', True, False)
        """
        wanted = _check_classes(classes)
        best: dict[str, Place] = {}
        for key, idx in self._by_key.items():
            cands = [i for i in idx if wanted is None or self.places[i].feature_class in wanted]
            if cands:
                best[key] = self.places[min(cands, key=lambda i: self._rank(self.places[i]))]
        seen: set[str] = set()
        for key, place in best.items():
            for form in self._forms_for(key):
                if form in seen or not _usable(form, key, place):
                    continue
                seen.add(form)
                yield form, place

    def _forms_for(self, key: str) -> list[str]:
        forms = []
        for i in self._by_key[key]:
            forms += [f.strip() for f in self.places[i].names if compact(f) == key]
        return list(dict.fromkeys(forms))

    @staticmethod
    def _rank(p: Place) -> tuple[int, int, int, int, int]:
        return (
            0 if p.preferred else 1,
            _CLASS_RANK.get(p.feature_class, len(_CLASS_RANK)),
            -p.population,
            _CODE_RANK.get(p.feature_code, 9),
            abs(p.geonameid),
        )


def _check_classes(classes: Iterable[str] | None) -> set[str] | None:
    if classes is None:
        return None
    if isinstance(classes, str):
        classes = [classes]
    wanted = {c.upper() for c in classes}
    unknown = wanted - set(FEATURE_CLASSES)
    if unknown:
        raise InputError(
            f"unknown GeoNames feature class(es) {sorted(unknown)}; use "
            f"{', '.join(FEATURE_CLASSES)} (P = populated place, A = admin unit, …)."
        )
    return wanted


def _usable(form: str, key: str, place: Place) -> bool:
    folded = fold(form)
    if not folded.isascii() or len(key) < 3:
        return False
    if len(key) == 3 and not (
        place.curated or place.population > 0 or place.feature_code in _NOTABLE_CODES
    ):
        return False
    lowered = form.casefold()
    if folded in COMMON_WORDS and lowered == folded:
        return False
    return True


def _admin1_for(
    admin: AdminIndex, lat: np.ndarray, lon: np.ndarray, geonames_codes: list[str]
) -> list[str | None]:
    """Natural Earth region of each point inside Mali, else GeoNames' admin1 code's region."""
    found = admin.locate(lat, lon)
    return [
        region if iso3 == "MLI" else MALI_GEONAMES_ADMIN1.get(code)
        for iso3, region, code in zip(
            found["iso3"].tolist(), found["admin1"].tolist(), geonames_codes, strict=True
        )
    ]


@cache
def _default_gazetteer() -> Gazetteer:
    base = files("accordwatch") / "data" / "geo"
    return Gazetteer.from_geonames(
        base / "geonames_ML.txt",
        overrides=base / "places_overrides.csv",
        supplements=[base / "places_supplement.csv"],
    )
