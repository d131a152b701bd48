"""Rules written for Sahel news in general (not one text): elisions, multi-sentence
events, anaphoric dates, participial tolls, word numbers, more triggers."""

from __future__ import annotations

from accordwatch.extract import extract_text
from accordwatch.extract._places import PlaceFinder

PUB = "2024-08-01"  # a Thursday


def evs(text: str, lang: str = "auto") -> list[dict]:
    return [e.to_dict() for e in extract_text(text, published=PUB, lang=lang).events]


def test_place_after_french_elision_is_found() -> None:
    found = PlaceFinder.default().find("Des tirs près d'Anéfis et à l’entrée d'Ouatagouna.")
    assert [p.text for p in found] == ["Anéfis", "Ouatagouna"]
    e = evs("Mardi, des hommes armés ont attaqué un poste de l'armée près d'Aguelhok.")[0]
    assert (e["place"], e["admin1"], e["date"]) == ("Aguelhok", "Kidal", "2024-07-30")


def test_multiword_place_never_ends_on_a_small_word() -> None:
    found = PlaceFinder.default().find("Le camp de Ber a été rétrocédé samedi.")
    assert [(p.text, p.name) for p in found] == [("Ber", "Ber")]


def test_same_day_and_next_day_take_the_date_just_given() -> None:
    got = evs(
        "Samedi, des drones ont bombardé des positions rebelles près de Kidal. "
        "Le lendemain, des combats ont éclaté entre les FAMa et le CSP à Anéfis."
    )
    assert [(e["type"], e["date"]) for e in got] == [
        ("drone_strike", "2024-07-27"),
        ("clash", "2024-07-28"),
    ]
    got = evs(
        "Fighting broke out near Ber on Monday. The same day, jets bombed a base near Léré.", "en"
    )
    assert [(e["type"], e["date"]) for e in got] == [
        ("clash", "2024-07-29"),
        ("airstrike", "2024-07-29"),
    ]


def test_anaphoric_date_without_an_anchor_gives_no_date() -> None:
    import datetime as dt

    from accordwatch.extract._dates import find_dates

    assert find_dates("The next day, the convoy left.", dt.date(2024, 8, 1)) == []


def test_casualty_sentence_after_the_event_gives_its_toll() -> None:
    e = evs(
        "Mardi, des combattants ont attaqué une position de l'armée près d'Aguelhok. "
        "Selon des sources locales, au moins 12 soldats ont été tués."
    )[0]
    assert (e["type"], e["fatalities"]) == ("clash", 12)
    assert "death toll from the next sentence" in e["notes"]
    # a toll sentence with its own date is another story
    e = evs(
        "Mardi, des combattants ont attaqué une position de l'armée près d'Aguelhok. "
        "En 2019, 30 soldats avaient été tués au même endroit."
    )[0]
    assert e["fatalities"] is None


def test_coordinated_victims_add_up_and_officials_are_not_claims() -> None:
    from accordwatch.extract._fatalities import fatalities

    assert (
        fatalities("A local official said 12 fighters and three soldiers were killed.", "en") == 15
    )
    assert fatalities("The army said it killed 12 fighters and three bandits.", "en") is None


def test_attack_whose_dead_are_civilians_is_an_attack_on_civilians() -> None:
    e = evs(
        "Gunmen attacked the town of Ménaka on Sunday. Residents said the assailants "
        "killed 14 people, including women and children.",
        "en",
    )[0]
    assert (e["type"], e["fatalities"], e["date"]) == ("attack_on_civilians", 14, "2024-07-28")


def test_drone_with_words_between_and_participial_toll() -> None:
    e = evs("Jeudi dernier, un drone de l'armée a frappé une foire à Tessalit, tuant neuf civils.")[
        0
    ]
    assert (e["type"], e["place"], e["date"], e["fatalities"]) == (
        "drone_strike",
        "Tessalit",
        "2024-07-25",
        9,
    )
    e = evs(
        "On Monday, a Turkish-made drone reportedly hit a truck near Kidal, killing three.", "en"
    )[0]
    assert (e["type"], e["place"], e["fatalities"]) == ("drone_strike", "Kidal", 3)


def test_political_dissolution_suspension_expulsion() -> None:
    assert [
        e["type"]
        for e in evs(
            "Mercredi, le gouvernement a prononcé la dissolution des "
            "associations de la société civile."
        )
    ] == ["political"]
    assert [
        e["type"]
        for e in evs(
            "On Monday, the authorities suspended the activities of all political parties.", "en"
        )
    ] == ["political"]
