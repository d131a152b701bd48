"""Admin-1 assignment and name normalisation on the bundled Natural Earth units."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from accordwatch.errors import InputError, NotFound
from accordwatch.geo import (
    MALI_NEW_REGION_PARENT,
    AdminIndex,
    admin1_names,
    locate,
    normalize_admin1,
)

GEO = files("accordwatch") / "data" / "geo"

# (lat, lon) of real towns → expected (iso3, admin1, admin1_code)
KNOWN = [
    ((18.44111, 1.40778), ("MLI", "Kidal", "ML-8")),  # Kidal
    ((16.27167, -0.04472), ("MLI", "Gao", "ML-7")),  # Gao
    ((16.77348, -3.00742), ("MLI", "Timbuktu", "ML-6")),  # Timbuktu
    ((12.65, -8.0), ("MLI", "Bamako", "ML-BKO")),  # Bamako
    ((15.9182, 2.4022), ("MLI", "Gao", "ML-7")),  # Ménaka town: inside Gao in Natural Earth
    ((13.5116, 2.1254), ("NER", "Niamey", "NE-8")),  # Niamey
    ((16.9742, 7.9865), ("NER", "Agadez", "NE-1")),  # Agadez
    ((12.3714, -1.5197), ("BFA", "Kadiogo", "BF-KAD")),  # Ouagadougou
    ((18.0858, -15.9785), ("MRT", "Nouakchott", "MR-NKC")),  # Nouakchott
]


def test_known_towns() -> None:
    lat = [p[0][0] for p in KNOWN]
    lon = [p[0][1] for p in KNOWN]
    got = locate(lat, lon)
    assert list(got.columns) == ["iso3", "country", "admin1", "admin1_code"]
    assert [tuple(r) for r in got[["iso3", "admin1", "admin1_code"]].itertuples(index=False)] == [
        k[1] for k in KNOWN
    ]
    assert got["country"].tolist()[:5] == ["Mali"] * 5


def test_points_outside_every_unit_are_none() -> None:
    # Gulf of Guinea, Atlantic off Dakar, Chad (not covered), missing coordinate
    got = locate([0.0, 14.7, 12.1, np.nan], [0.0, -18.5, 15.0, 2.0])
    assert got.isna().all().all()
    assert got["admin1"].tolist() == [None, None, None, None]


def test_scalar_and_series_inputs() -> None:
    one = locate(18.44111, 1.40778)
    assert one.shape == (1, 4) and one["admin1"].iloc[0] == "Kidal"
    s_lat = pd.Series([12.65, 16.27167], index=["bko", "gao"])
    s_lon = pd.Series([-8.0, -0.04472], index=["bko", "gao"])
    got = locate(s_lat, s_lon)
    assert got.index.tolist() == ["bko", "gao"]
    assert got.loc["gao", "admin1"] == "Gao"


def test_every_unit_contains_its_own_label_point() -> None:
    idx = AdminIndex.default()
    lat = np.array([u.latitude for u in idx.units])
    lon = np.array([u.longitude for u in idx.units])
    got = idx.locate(lat, lon)
    expected = [u.admin1_code for u in idx.units]
    share = np.mean(got["admin1_code"].to_numpy() == np.array(expected, dtype=object))
    assert len(idx.units) == 190
    assert share > 0.98  # Natural Earth label points; a few sit on small islands/outside


def test_shared_border_point_goes_to_the_unit_that_sorts_first() -> None:
    data = json.loads((GEO / "mali_admin1_ne10m.geojson").read_text(encoding="utf-8"))
    geoms = {f["properties"]["name"]: shape(f["geometry"]) for f in data["features"]}
    border = shapely.intersection(geoms["Gao"].boundary, geoms["Kidal"].boundary)
    lon, lat = shapely.get_coordinates(border)[0]
    assert geoms["Gao"].intersects(shapely.Point(lon, lat))
    assert geoms["Kidal"].intersects(shapely.Point(lon, lat))
    for _ in range(3):
        assert locate(lat, lon)["admin1_code"].iloc[0] == "ML-7"  # Gao < Kidal by ISO code


def test_mali_file_and_sahel_file_agree_inside_mali() -> None:
    mali = AdminIndex.from_geojson(GEO / "mali_admin1_ne10m.geojson")
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(10, 25, 5000), rng.uniform(-12.5, 4.5, 5000)
    a = mali.locate(lat, lon)
    b = AdminIndex.default().locate(lat, lon)
    in_mali = b["iso3"].to_numpy() == "MLI"
    assert in_mali.sum() > 2000
    assert (a["admin1"].to_numpy()[in_mali] == b["admin1"].to_numpy()[in_mali]).all()
    assert a["admin1"][~in_mali].isna().all()


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("Tombouctou", "Timbuktu"),
        ("TIMBUKTU", "Timbuktu"),
        ("Timbouctou", "Timbuktu"),
        ("Tombouctou region", "Timbuktu"),
        ("Région de Tombouctou", "Timbuktu"),
        ("Gao Region", "Gao"),
        ("Région de Kidal", "Kidal"),
        ("Kidal region", "Kidal"),
        ("region de kidal", "Kidal"),
        ("Segou", "Ségou"),
        ("ML-8", "Kidal"),
        ("Ménaka", "Gao"),
        ("Menaka region", "Gao"),
        ("Taoudénit", "Timbuktu"),
        ("Taoudeni", "Timbuktu"),
        ("Bandiagara", "Mopti"),
        ("Agadès", "Agadez"),
        ("Région d'Agadez", "Agadez"),
        ("Tillaberi", "Tillabéri"),
        ("District de Bamako", "Bamako"),
    ],
)
def test_normalize_variants(variant: str, canonical: str) -> None:
    assert normalize_admin1(variant) == canonical


def test_normalize_unknown_and_missing() -> None:
    assert normalize_admin1("Atlantis") is None
    assert normalize_admin1("") is None
    assert normalize_admin1("Kidal", country="NER") is None  # exists, but not in Niger


def test_normalize_ambiguity_needs_a_country() -> None:
    with pytest.raises(InputError, match="country="):
        normalize_admin1("Comoe")
    assert normalize_admin1("Comoe", country="Ivory Coast") == "Comoe"
    assert normalize_admin1("Comoé", country="BF") == "Komoé"
    # Natural Earth lists "Tiaret" as an alternate of Tindouf; the real Tiaret wins
    assert normalize_admin1("Tiaret") == "Tiaret"


def test_admin1_names() -> None:
    mali = admin1_names("Mali")
    assert mali == admin1_names("MLI") == admin1_names("ml")
    assert len(mali) == 9 and "Timbuktu" in mali and "Bamako" in mali
    assert "Ménaka" not in mali
    assert set(MALI_NEW_REGION_PARENT.values()) <= set(mali)
    assert len(admin1_names("Niger")) == 8
    assert "Kadiogo" in admin1_names("BFA")


def test_unknown_country_is_not_found() -> None:
    with pytest.raises(NotFound, match="MLI"):
        admin1_names("Chad")
    with pytest.raises(NotFound):
        normalize_admin1("Kidal", country="Atlantis")


def test_locate_input_errors() -> None:
    with pytest.raises(InputError, match="swapped"):
        locate([95.0], [1.0])
    with pytest.raises(InputError, match="equal length"):
        locate([1.0, 2.0], [1.0])


def test_from_geojson_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"properties": {"name": "X"}, '
        '"geometry": {"type": "Point", "coordinates": [0, 0]}}]}'
    )
    with pytest.raises(InputError, match="adm0_a3"):
        AdminIndex.from_geojson(bad)
    with pytest.raises(InputError, match="cannot read"):
        AdminIndex.from_geojson(tmp_path / "missing.geojson")
