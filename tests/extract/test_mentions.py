"""Places and actors in English and French text, and the traps around them."""

from __future__ import annotations

import datetime as dt

from accordwatch.extract._actors import ActorFinder
from accordwatch.extract._places import PlaceFinder
from accordwatch.geo import normalize_admin1


def places(text: str) -> list[tuple[str, str | None, bool]]:
    return [(p.name, p.admin1, p.is_region) for p in PlaceFinder.default().find(text)]


def test_french_and_english_variants_resolve_to_one_place() -> None:
    assert (
        places("Des tirs à Tombouctou.")
        == places("Shots in Timbuktu.")
        == [("Timbuktu", "Timbuktu", False)]
    )


def test_region_phrases_give_admin1_units() -> None:
    got = places("Fighting in the Timbuktu region and in the région de Kidal.")
    assert [(n, a) for n, a, r in got if r] == [("Timbuktu", "Timbuktu"), ("Kidal", "Kidal")]
    assert normalize_admin1("Tombouctou") == "Timbuktu"


def test_curated_small_towns_and_gao_region_towns() -> None:
    assert places("near Ber and Tarkint") == [("Ber", "Timbuktu", False), ("Tarkint", "Gao", False)]


def test_fuzzy_spelling_after_a_locative_word() -> None:
    (p,) = PlaceFinder.default().find("Heavy fighting was reported in Kidall.")
    assert (p.name, p.fuzzy) == ("Kidal", True)


def test_people_named_like_places_are_not_places() -> None:
    text = "Mohamed Amara, a researcher, spoke. Later Amara said the army left. Konaré told us."
    assert places(text) == []


def test_a_boat_named_after_a_town_is_not_a_place() -> None:
    assert places("The boat Tombouctou was attacked near Bamba.") == [("Bamba", "Gao", False)]
    assert places("Le bateau Tombouctou a été attaqué près de Bamba.") == [("Bamba", "Gao", False)]


def test_directions_are_weak_places() -> None:
    ps = PlaceFinder.default().find("The column moved from Gao towards Anéfis.")
    assert [p.weak for p in ps] == [True, True]


def test_actors_by_any_alias_en_fr() -> None:
    af = ActorFinder.default()
    text = (
        "The FAMa, the army, Wagner Group, the Azawad National Army, CSP-PSD, GSIM and "
        "the Islamic State in the Sahel; les FAMa, la junte et l'État islamique au Sahel."
    )
    names = {m.name for m in af.find(text, on=dt.date(2023, 10, 5))}
    assert {
        "Government of Mali",
        "Wagner Group",
        "Coordination of Azawad Movements",
        "Permanent Strategic Framework",
        "Jama'at Nusrat al-Islam wal-Muslimin",
        "Islamic State Sahel Province",
    } <= names


def test_names_follow_the_date_along_a_lineage() -> None:
    af = ActorFinder.default()
    assert [m.name for m in af.find("The FLA attacked.", on=dt.date(2025, 1, 10))] == [
        "Azawad Liberation Front"
    ]
    assert [m.name for m in af.find("The FLA attacked.", on=dt.date(2023, 10, 5))] == [
        "Permanent Strategic Framework"
    ]


def test_foreign_state_and_near_spelling() -> None:
    got = [
        (m.text, m.name)
        for m in ActorFinder.default().find("France and al-Qeada; the Niger river.")
    ]
    assert got == [("France", "Government of France"), ("al-Qeada", "al-Qaeda")]


def test_lower_case_word_is_not_an_acronym_actor() -> None:
    assert ActorFinder.default().find("In fact the talks went on.") == []
