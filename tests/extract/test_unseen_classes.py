"""The failure classes seen on unseen news text, each with sentences written for these tests.

Every sentence here is invented for accordwatch (no third-party text); each test names
the class of phrasing it stands for.
"""

from __future__ import annotations

import pytest

from accordwatch.extract import extract_text
from accordwatch.extract._text import detect_language

PUB = "2024-03-14"  # a Thursday


def events(text: str, pub: str = PUB) -> list[tuple[object, ...]]:
    r = extract_text(text, published=pub)
    return [(e.type, e.place, e.date, e.fatalities) for e in r.events]


# --- places: spellings, villages, across the borders, distance references -------------


@pytest.mark.parametrize(
    "spelling", ["Tinzawaten", "Tin-Zaouatène", "Tinzaouatene", "Ti-n-Zaouâtene"]
)
def test_one_town_in_four_spellings(spelling: str) -> None:
    (ev,) = extract_text(
        f"Fighting broke out in {spelling} on Tuesday between the army and the rebels.",
        published=PUB,
    ).events
    assert ev.geonameid == 2476086 and ev.admin1 == "Kidal"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Gunmen attacked the market of Ayorou on Sunday, killing nine traders.", "Ayorou"),
        ("Des hommes armés ont attaqué dimanche un poste de douane à Djibo.", "Djibo"),
        ("Refugees reached Bassikounou on Monday after clashes.", None),
        ("Des combats ont opposé mardi l'armée à des rebelles près de Tin-Akoff.", "Tin-Akoff"),
    ],
)
def test_places_across_the_borders(text: str, place: str | None) -> None:
    r = extract_text(text, published=PUB)
    if place is None:
        assert "Bassikounou" in r.places_mentioned
        return
    (ev,) = r.events
    assert ev.place == place and ev.admin1 is None  # not a region of Mali


def test_a_central_mali_village_and_a_spelling_geonames_lacks() -> None:
    r = extract_text(
        "Le village de Koulogon a été attaqué lundi par des hommes armés.", published=PUB
    )
    assert [(e.place, e.admin1) for e in r.events] == [("Koulogon", "Mopti")]
    assert (
        "Telataï" in extract_text("A drone hit Talataye on Monday.", published=PUB).places_mentioned
    )


def test_a_distance_reference_is_not_the_place() -> None:
    (ev,) = extract_text(
        "On Monday, jihadists ambushed a patrol about 60 km north of Goundam.", published=PUB
    ).events
    assert ev.place == "Goundam" and ev.location_precision == "area"
    assert any("distance" in n for n in ev.notes)
    fr = events("Lundi, des combats ont éclaté à Tonka, à une trentaine de km de Goundam.")
    assert [p for _, p, _, _ in fr] == ["Tonka"]


def test_countries_and_parts_of_mali_are_mentions_not_event_places() -> None:
    r = extract_text(
        "On Sunday, clashes erupted in northern Mali near the border with Niger.", published=PUB
    )
    assert {"northern Mali", "Niger"} <= set(r.places_mentioned)
    assert all(e.place is None for e in r.events)


# --- trigger vocabulary ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "etype", "place"),
    [
        ("Rebels seized the small garrison town of Léré on Sunday.", "base_seizure", "Léré"),
        ("Les rebelles ont repris mardi la ville stratégique d'Anéfis.", "base_seizure", None),
        ("Bourem est tombée aux mains des rebelles jeudi dernier.", "base_seizure", "Bourem"),
        ("The army withdrew from its camp in Tessit on Friday.", "base_handover", "Tessit"),
        ("Les soldats ont quitté le camp de Tessit vendredi.", "base_handover", "Tessit"),
        (
            "Hundreds of families left their villages near Ansongo on Saturday.",
            "displacement",
            "Ansongo",
        ),
        ("Fuel tankers were set on fire near Diéma on Tuesday.", "attack_on_civilians", "Diéma"),
        (
            "Des camions-citernes ont été incendiés mardi près de Diéma.",
            "attack_on_civilians",
            "Diéma",
        ),
        ("A suicide bomber struck a checkpoint in Ansongo on Monday.", "ied", "Ansongo"),
        ("Une voiture piégée a explosé lundi devant le camp de Tessit.", "ied", "Tessit"),
        ("Gunmen kidnapped five traders near Bourem on Monday.", "attack_on_civilians", "Bourem"),
        ("Les jihadistes imposent un blocus à Boni depuis lundi.", "blockade", "Boni"),
        (
            "On Wednesday the junta denounced the peace agreement signed in Algiers.",
            "political",
            None,
        ),
    ],
)
def test_trigger_classes(text: str, etype: str, place: str | None) -> None:
    found = events(text)
    assert any(t == etype and (place is None or p == place) for t, p, _, _ in found), found


def test_the_main_verb_wins_over_a_trigger_in_an_after_phrase() -> None:
    found = events("Troops retook Anéfis on Tuesday after two days of air strikes on the town.")
    assert [t for t, _, _, _ in found] == ["base_seizure"]
    fr = events("Des familles ont fui vers Tonka mardi après les combats de Léré.")
    assert [t for t, _, _, _ in fr] == ["displacement"]


@pytest.mark.parametrize(
    "text",
    [
        "On Friday the junta announced the end of the peace agreement.",
        "La junte a annoncé vendredi la fin de l'accord pour la paix.",
        "Bamako a dénoncé vendredi l'accord de paix signé avec les rebelles.",
    ],
)
def test_ending_or_denouncing_an_accord_is_dated_by_the_statement(text: str) -> None:
    (ev,) = extract_text(text, published=PUB).events
    assert (ev.type, ev.date, ev.place) == ("political", "2024-03-08", None)


# --- several events per sentence, split events, carried dates ---------------------------


def test_two_places_two_dates_in_one_sentence() -> None:
    found = events("Rebels attacked army posts in Bourem on 3 March and Ansongo on 5 March.")
    assert {(p, d) for _, p, d, _ in found} == {("Bourem", "2024-03-03"), ("Ansongo", "2024-03-05")}


def test_a_coordinated_list_of_towns_gives_one_event_each() -> None:
    found = events("Sur le week-end, des attaques simultanées ont visé Niono, Nampala et Sokolo.")
    assert sorted(p for _, p, _, _ in found) == ["Nampala", "Niono", "Sokolo"]


def test_between_two_towns_is_one_place() -> None:
    found = events("Mardi, des hommes armés ont incendié des camions entre Diéma et Kita.")
    assert [p for _, p, _, _ in found] == ["Diéma"]


def test_one_event_split_over_two_sentences() -> None:
    found = events(
        "L'attaque a eu lieu lundi 11 mars et a fait 11 morts. Les assaillants ont incendié "
        "des véhicules près du marché de Tessit."
    )
    assert found == [("attack_on_civilians", "Tessit", "2024-03-11", 11)]


def test_a_date_carried_over_from_an_earlier_sentence() -> None:
    found = events(
        "On 4 March, jihadists attacked the army camp in Ber. Soldiers also repelled an "
        "assault on the town of Goundam."
    )
    assert ("clash", "Goundam", "2024-03-04", None) in found


def test_an_undated_event_takes_the_publication_date_with_a_note() -> None:
    (ev,) = extract_text("Heavy fighting was reported in Tessit.", published=PUB).events
    assert ev.date == PUB and any("publication date" in n for n in ev.notes)


def test_a_statement_date_is_not_the_event_date() -> None:
    r = extract_text(
        "The rights group on Wednesday urged an inquiry into air strikes that killed civilians.",
        published=PUB,
    )
    assert r.events == []


# --- not events -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Les camps seront remis à l'armée malienne en décembre.",
        "Algeria's foreign minister criticised the drone strikes, straining relations with Bamako.",
        "Since January 2023, attacks in the Mopti region have killed hundreds of people.",
        "Il est à craindre que les jihadistes lancent une attaque contre Tessit.",
        "The commission published its findings on the massacre at Tonka on Monday.",
    ],
)
def test_not_events(text: str) -> None:
    assert events(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "It was the deadliest attack on the army since the assault on Bourem in February.",
        "C'est l'attaque la plus meurtrière depuis celle de Bourem en février.",
    ],
)
def test_the_place_and_date_of_a_comparison_are_not_an_event(text: str) -> None:
    assert events(text) == []


def test_a_comparison_date_is_not_the_event_date() -> None:
    found = events("On Monday, an ambush near Douentza killed 14 soldiers, the worst since 2019.")
    assert [(t, p, d) for t, p, d, _ in found] == [("ambush", "Douentza", "2024-03-11")]


# --- tolls ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "toll"),
    [
        ("Jihadists ambushed a convoy near Douentza on Monday, killing 12 soldiers.", 12),
        ("Des hommes armés ont attaqué le village de Tonka mardi, faisant quatre morts.", 4),
        ("Gunmen stormed the village of Tonka on Tuesday. Seven villagers were killed.", 7),
        ("Mardi, l'armée a affirmé avoir neutralisé 20 terroristes à Tessit.", None),
        ("On Monday, fighting near Léré left 15 terrorists dead, the army said.", None),
    ],
)
def test_tolls_in_verb_phrases_and_the_next_sentence_but_not_claims(
    text: str, toll: int | None
) -> None:
    found = events(text)
    assert found and found[0][3] == toll


# --- language of short texts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Gunmen killed 12 villagers near Gao yesterday.", "en"),
        ("Drone strike hits Tessit.", "en"),
        ("Attaque meurtrière à Léré.", "fr"),
    ],
)
def test_language_of_a_one_sentence_text(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_a_one_sentence_english_text_yields_its_event() -> None:
    assert events("Gunmen killed 12 villagers near Gao yesterday.") == [
        ("attack_on_civilians", "Gao", "2024-03-13", 12)
    ]


def test_a_reporting_tag_after_the_date_keeps_the_event_date() -> None:
    found = events("Gunmen attacked the village of Tonka on Sunday, officials said.")
    assert [(p, d) for _, p, d, _ in found] == [("Tonka", "2024-03-10")]


@pytest.mark.parametrize(
    "text",
    [
        "Thousands of people fled the fighting around Ber on Monday.",
        "Des familles fuyant les combats sont arrivées lundi à Gao.",
    ],
)
def test_people_fleeing_fighting_is_displacement(text: str) -> None:
    assert [t for t, _, _, _ in events(text)] == ["displacement"]


def test_fighting_that_resumed_is_no_capture() -> None:
    assert [t for t, _, _, _ in events("Les combats ont repris jeudi à Bourem.")] == ["clash"]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("An IED hit an army truck on the Gao-Ansongo road on Monday.", "Gao"),
        ("Un engin explosif a touché lundi un véhicule sur l'axe Douentza-Boni.", "Douentza"),
    ],
)
def test_a_road_between_two_towns_is_placed_at_the_first(text: str, place: str) -> None:
    assert [(t, p) for t, p, _, _ in events(text)] == [("ied", place)]


def test_a_village_emptied_of_its_people_is_displacement() -> None:
    found = events("Le village de Tonka a été vidé de ses habitants lundi.")
    assert [(t, p) for t, p, _, _ in found] == [("displacement", "Tonka")]


def test_people_killed_in_a_fight_between_two_armed_parties_is_a_clash() -> None:
    found = events("On Monday, CMA and army units fought at Ber, killing 12 people.")
    assert found == [("clash", "Ber", "2024-03-11", 12)]
    assert events("On Monday, gunmen killed 12 people in Ber.")[0][0] == "attack_on_civilians"
