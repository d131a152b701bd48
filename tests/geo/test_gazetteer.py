"""GeoNames gazetteer: the 19 key northern places, spelling variants, traps, fuzzy matching."""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

import pytest

from accordwatch.errors import InputError, RowErrors
from accordwatch.geo import COMMON_WORDS, Gazetteer, Place
from accordwatch.geo._places import MALI_GEONAMES_ADMIN1

FIXTURES = Path(__file__).parents[1] / "data" / "geo"
# GeoNames files Ber only as a marsh and Gossi only as a ruin: the curated town wins.
CURATED_FOR = {2460127: -2460127, 2457016: -2457016}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def key_places() -> list[dict[str, str]]:
    with (FIXTURES / "north_mali_key_places_geonames.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_loads_the_whole_dump_plus_curated_places(gaz: Gazetteer) -> None:
    base = files("accordwatch") / "data" / "geo"
    added = sum(
        row["action"] == "add"
        for name in ("places_overrides.csv", "places_supplement.csv")
        for row in csv.DictReader((base / name).read_text("utf-8").splitlines())
    )
    assert added > 3
    assert len(gaz) == 24312 + added
    assert sum(p.curated and p.geonameid < 0 for p in gaz.places) == added
    assert all(p.admin1 is not None for p in gaz.lookup("Kidal", limit=5))


@pytest.mark.parametrize("row", key_places(), ids=lambda r: r["asciiname"])
def test_each_key_place_resolves_to_the_right_entry(gaz: Gazetteer, row: dict[str, str]) -> None:
    gid = int(row["geonameid"])
    want = CURATED_FOR.get(gid, gid)
    for query in {row["name"], row["asciiname"], row["name"].upper()}:
        top = gaz.lookup(query)[0]
        assert top.geonameid == want, (query, top)
    top = gaz.lookup(row["name"])[0]
    assert top.feature_class == "P"
    assert abs(top.latitude - float(row["latitude"])) < 1e-6
    assert abs(top.longitude - float(row["longitude"])) < 1e-6
    assert top.admin1 == MALI_GEONAMES_ADMIN1[row["admin1_code"]]


@pytest.mark.parametrize(
    ("query", "geonameid"),
    [
        ("Tombouctou", 2449067),
        ("Timbuktu", 2449067),
        ("tombouctou", 2449067),
        ("Anefis", 2461022),
        ("Anéfis", 2461022),
        ("ANÉFIS", 2461022),
        ("Anefis i-n-Darane", 2461022),
        ("Aguelhok", 2461247),
        ("Aguelhoc", 2461247),
        ("Aguel'hoc", 2461247),
        ("Aguel-Hoc", 2461247),
        ("Tinzaouaten", 2476086),
        ("Tin-Zaouatene", 2476086),
        ("Tin Zaouaten", 2476086),
        ("Ti-n-Zaouâtene", 2476086),
        ("Menaka", 2453514),
        ("Ménaka", 2453514),
        ("Léré", 2454104),
        ("Lere", 2454104),
        ("Bamba", 2460582),
        ("Gao", 2457163),
        ("Tessalit", 2449893),
        ("Bourem", 2459657),
        ("Goundam", 2456917),
        ("Cercle d'Abeibara", 8631541),  # GeoNames writes "Cercle d’ Abeïbara"
    ],
)
def test_spelling_variants(gaz: Gazetteer, query: str, geonameid: int) -> None:
    assert gaz.lookup(query)[0].geonameid == geonameid


def test_ber_is_a_town_with_a_note_at_the_marsh_coordinates(gaz: Gazetteer) -> None:
    ber, marsh = gaz.lookup("Ber", limit=2)
    assert (ber.feature_class, ber.precision, ber.curated) == ("P", "town", True)
    assert (marsh.geonameid, marsh.feature_code) == (2460127, "MRSH")
    assert (ber.latitude, ber.longitude) == (marsh.latitude, marsh.longitude)
    assert ber.admin1 == "Timbuktu" and "MINUSMA" in (ber.note or "")


def test_gossi_town_ranks_before_ruin_and_lake(gaz: Gazetteer) -> None:
    got = gaz.lookup("Gossi")
    assert [p.feature_class for p in got[:3]] == ["P", "S", "H"]
    assert got[0].note and "ruin" in got[0].note


def test_tarkint_exists_only_as_curated_place(gaz: Gazetteer) -> None:
    (tarkint,) = gaz.lookup("Tarkint")
    assert tarkint.curated and tarkint.admin1 == "Gao"
    assert 17.0 < tarkint.latitude < 18.0 and 0.0 < tarkint.longitude < 0.5


def test_lere_prefers_the_town_in_timbuktu_region(gaz: Gazetteer) -> None:
    lere, other = gaz.lookup("Léré", classes={"P"}, limit=2)
    assert lere.admin1 == "Timbuktu" and round(lere.latitude, 2) == 15.71
    assert round(lere.longitude, 2) == -4.91 and lere.preferred
    assert other.admin1 == "Mopti"


def test_ranking_populated_places_before_wells_and_big_before_small(gaz: Gazetteer) -> None:
    anefis = gaz.lookup("Anefis")
    assert [p.feature_class for p in anefis] == ["P", "H"]
    gao = gaz.lookup("Gao", classes={"P"})
    assert gao[0].population == max(p.population for p in gao)
    kidal = gaz.lookup("Kidal")
    assert kidal[0].feature_code == "PPLA" and kidal[1].feature_class == "A"


def test_classes_filter(gaz: Gazetteer) -> None:
    lake = gaz.lookup("Gossi", classes={"H"})
    assert [p.feature_code for p in lake] == ["LK"]
    assert gaz.lookup("Tarkint", classes="H") == []
    with pytest.raises(InputError, match="feature class"):
        gaz.lookup("Gao", classes={"Z"})


@pytest.mark.parametrize(
    ("typo", "geonameid"),
    [("Tombuctou", 2449067), ("Kidall", 2455290), ("Tessalite", 2449893), ("Tinzawaten", 2476086)],
)
def test_fuzzy_lookup(gaz: Gazetteer, typo: str, geonameid: int) -> None:
    assert gaz.lookup(typo, fuzzy=True)[0].geonameid == geonameid


@pytest.mark.parametrize(
    ("variant", "geonameid"),
    [
        ("Tinzawaten", 2476086),  # ou/w, final e
        ("Kidall", 2455290),  # doubled letter
        ("Anderamboukan", 2461034),  # m/n before b (an alternate name too)
        ("Diabaly", 2458187),  # final y/i
        ("Ouatagounna", 2452326),  # doubled letter, ou
        ("Amasrakadh", 12514689),  # final h
    ],
)
def test_transliteration_variants_are_found_without_fuzzy(
    gaz: Gazetteer, variant: str, geonameid: int
) -> None:
    assert gaz.lookup(variant)[0].geonameid == geonameid


def test_variants_do_not_replace_an_exact_name_or_reach_wells(gaz: Gazetteer) -> None:
    assert gaz.lookup("Kona")[0].name == "Kona"
    assert gaz.lookup("Indelimane")[0].curated  # the camp, not the well I-n-Déliman
    assert gaz.lookup("Xqzwvbb") == []


def test_supplement_places_across_the_borders(gaz: Gazetteer) -> None:
    for name, lat in [("Tillabéri", 14.2), ("Djibo", 14.1), ("Bassikounou", 15.9)]:
        (p,) = gaz.lookup(name, limit=1)
        assert p.curated and p.admin1 is None and abs(p.latitude - lat) < 0.2
    assert gaz.lookup("Bani-Bangou")[0].name == "Banibangou"
    assert gaz.lookup("Algérie")[0].feature_code == "PCLI"
    assert gaz.lookup("Ogossagou")[0].geonameid == 6867217  # a spelling GeoNames lacks
    assert gaz.lookup("Boni")[0].admin1 == "Mopti" and gaz.lookup("Boni")[0].latitude > 15


def test_fuzzy_keeps_exact_matches_first_and_has_a_threshold(gaz: Gazetteer) -> None:
    assert gaz.lookup("Gao", fuzzy=True)[0].geonameid == 2457163
    assert gaz.lookup("Xqzwvb", fuzzy=True) == []
    loose = gaz.lookup("Kidalou", fuzzy=True, score_cutoff=70, limit=50)
    strict = gaz.lookup("Kidalou", fuzzy=True, score_cutoff=95, limit=50)
    assert len(strict) < len(loose)


def test_lookup_input_errors(gaz: Gazetteer) -> None:
    with pytest.raises(InputError):
        gaz.lookup("   ")
    with pytest.raises(InputError):
        gaz.lookup("'-'")
    with pytest.raises(InputError, match="limit"):
        gaz.lookup("Gao", limit=0)


def test_get_by_id(gaz: Gazetteer) -> None:
    assert gaz.get(2455290).name == "Kidal"  # type: ignore[union-attr]
    assert gaz.get(-1).name == "Tarkint"  # type: ignore[union-attr]
    assert gaz.get(999) is None


def test_admin1_from_polygons_agrees_with_geonames_codes(gaz: Gazetteer) -> None:
    coded = [
        p
        for p in gaz.places
        if p.feature_class == "P" and p.geonames_admin1 in MALI_GEONAMES_ADMIN1
    ]
    agree = sum(p.admin1 == MALI_GEONAMES_ADMIN1[p.geonames_admin1] for p in coded)
    assert len(coded) > 13000
    assert agree / len(coded) > 0.95  # the rest sit near region borders
    assert sum(p.admin1 is None and not p.curated for p in gaz.places) < 100


def test_iter_names(gaz: Gazetteer) -> None:
    names = dict(gaz.iter_names())
    for form, gid in [
        ("Kidal", 2455290),
        ("Gao", 2457163),
        ("Tombouctou", 2449067),
        ("Anéfis", 2461022),
        ("Ber", -2460127),
        ("Aguel-Hoc", 2461247),
    ]:
        assert names[form].geonameid == gid, form
    assert "Diré" in names and "Dire" not in names
    assert all(len(form) >= 3 and form.strip() == form for form in names)
    assert not any("\u0600" <= ch <= "\u06ff" for form in names for ch in form)  # no Arabic
    assert not any(form.casefold() in COMMON_WORDS for form in names)
    for form, place in list(names.items())[::500]:
        assert gaz.lookup(form, classes=("P", "A", "S", "L"))[0] == place


def test_iter_names_drops_obscure_three_letter_forms(gaz: Gazetteer) -> None:
    three = [(f, p) for f, p in gaz.iter_names() if len(f.replace(" ", "")) == 3]
    assert three
    assert all(
        p.curated
        or p.population > 0
        or p.feature_code in {"PPLC", "PPLA", "PPLA2", "PCLI", "ADM1", "ADM2"}
        for _, p in three
    )


def test_a_gazetteer_without_overrides_has_only_the_marsh(tmp_path: Path) -> None:
    raw = Gazetteer.from_geonames(FIXTURES / "geonames_ML_slice.txt")
    assert [p.feature_code for p in raw.lookup("Ber")] == ["MRSH"]
    assert [p.feature_code for p in raw.lookup("Gossi")] == ["RUIN", "LK"]
    assert raw.lookup("Tarkint") == []


def test_alias_override_adds_spellings(tmp_path: Path) -> None:
    ov = tmp_path / "overrides.csv"
    ov.write_text(
        "action,id,based_on,name,alternatenames,latitude,longitude,feature_class,"
        "feature_code,population,precision,note,source\n"
        "alias,2455290,,,Kidali|Kidal-Ville,,,,,,,test spelling,a test\n",
        encoding="utf-8",
    )
    gaz = Gazetteer.from_geonames(FIXTURES / "geonames_ML_slice.txt", overrides=ov)
    assert gaz.lookup("kidal ville")[0].geonameid == 2455290
    assert gaz.lookup("Kidali")[0].note == "test spelling"


def test_place_names_property() -> None:
    p = Place(1, "Léré", "Lere", 15.7, -4.9, "P", "PPL", "Timbuktu", 0, ("Lere", "Léré", "X"))
    assert p.names == ("Léré", "Lere", "X")


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "ML.txt"
    bad.write_text(
        "abc\tX\tX\t\tnorth\t1.0\tP\tPPL\tML\t\t08\t\t\t\t0\t\t0\tAfrica/Bamako\t2020-01-01\n"
    )
    with pytest.raises(RowErrors, match="latitude"):
        Gazetteer.from_geonames(bad)
    with pytest.raises(InputError, match="cannot read"):
        Gazetteer.from_geonames(tmp_path / "missing.txt")
    ov = tmp_path / "overrides.csv"
    ov.write_text(
        "action,id,based_on,name,alternatenames,latitude,longitude,feature_class,"
        "feature_code,population,precision,note,source\nrename,5,,,,,,,,,,,\n"
    )
    with pytest.raises(RowErrors, match="action"):
        Gazetteer.from_geonames(FIXTURES / "geonames_ML_slice.txt", overrides=ov)
    ov.write_text(
        "action,id,based_on,name,alternatenames,latitude,longitude,feature_class,"
        "feature_code,population,precision,note,source\nprefer,42,,,,,,,,,,,GeoNames\n"
    )
    with pytest.raises(InputError, match="42"):
        Gazetteer.from_geonames(FIXTURES / "geonames_ML_slice.txt", overrides=ov)


def test_every_bundled_override_names_a_source() -> None:
    from importlib.resources import files

    text = (files("accordwatch") / "data" / "geo" / "places_overrides.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) >= 5
    assert all(r["source"].strip() and r["note"].strip() for r in rows)
