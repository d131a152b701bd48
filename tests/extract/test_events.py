"""Events from short hand-written English and French reports, and the classic traps."""

from __future__ import annotations

import datetime as dt

import pytest

from accordwatch.extract import EVENT_TYPES, extract_path, extract_text

PUB = "2024-03-14"  # a Thursday


def one(text: str, lang: str = "auto") -> dict:
    r = extract_text(text, published=PUB, lang=lang)
    assert len(r.events) == 1, [e.to_dict() for e in r.events]
    return r.events[0].to_dict()


def test_english_clash_with_all_fields() -> None:
    e = one(
        "On Tuesday, clashes between the army and the CSP erupted near Ber, in the Timbuktu "
        "region, killing at least 9 soldiers. Another source put the toll at 14."
    )
    assert (e["date"], e["date_precision"], e["place"], e["admin1"], e["type"]) == (
        "2024-03-12",
        "day",
        "Ber",
        "Timbuktu",
        "clash",
    )
    assert e["actors"] == ["Government of Mali", "Permanent Strategic Framework"]
    assert e["fatalities"] == 9
    assert e["latitude"] == pytest.approx(16.83, abs=0.01)
    assert e["evidence"].startswith("On Tuesday, clashes")
    assert 0.5 <= e["confidence"] <= 1


def test_french_clash_relative_date_and_approximate_toll() -> None:
    e = one(
        "Mardi dernier, des affrontements ont opposé les FAMa aux combattants du GSIM près "
        "de Léré, faisant une dizaine de morts."
    )
    assert (e["date"], e["place"], e["admin1"], e["type"], e["fatalities"]) == (
        "2024-03-12",
        "Léré",
        "Timbuktu",
        "clash",
        10,
    )


def test_french_ambush_a_month_ago() -> None:
    e = one(
        "Il y a un mois, l'État islamique au Sahel a tendu une embuscade à un convoi de "
        "l'armée malienne près de Ménaka."
    )
    assert (e["date"], e["date_precision"], e["type"]) == ("2024-02", "month", "ambush")
    assert "Islamic State Sahel Province" in e["actors"]


def test_base_handover_fr() -> None:
    e = one("Les forces de la MINUSMA ont rétrocédé le camp de Tessalit aux FAMa à la mi-août.")
    assert (e["type"], e["place"], e["date"]) == ("base_handover", "Tessalit", "2023-08")


def test_the_boat_is_not_the_place() -> None:
    e = one("On Sunday, the boat Tombouctou was attacked near Bamba by JNIM fighters.")
    assert (e["type"], e["place"], e["admin1"]) == ("attack_on_civilians", "Bamba", "Gao")


def test_neutralised_terrorists_are_not_fatalities() -> None:
    e = one("The army said it neutralised 30 terrorists in an airstrike on Tarkint last week.")
    assert (e["type"], e["place"], e["fatalities"]) == ("airstrike", "Tarkint", None)
    e = one("Selon l'armée, une frappe aérienne a neutralisé 12 terroristes près de Tarkint hier.")
    assert (e["type"], e["fatalities"]) == ("airstrike", None)


def test_army_enemy_kill_claims_are_not_fatalities() -> None:
    e = one("On Monday the army said it killed 25 terrorists in an airstrike near Gao.")
    assert e["fatalities"] is None


def test_background_history_is_left_out() -> None:
    r = extract_text("In 2012, rebels seized the military camp in Kidal.", published=PUB)
    assert r.events == []
    low = extract_text(
        "In 2012, rebels seized the military camp in Kidal.", published=PUB, min_confidence=0.0
    )
    assert low.events[0].background and low.events[0].type == "base_seizure"


@pytest.mark.parametrize(
    "text",
    [
        "The junta could launch a new offensive towards Kidal, analysts warned.",
        "Aucun affrontement n'a été signalé à Gao mardi.",
        "Nearly 300,000 people are currently internally displaced in the north.",
        "Where have they been fighting near Gao?",
        "Fierce fighting continues in the north.",
    ],
)
def test_hedged_negated_stative_or_vague_gives_no_event(text: str) -> None:
    assert extract_text(text, published=PUB).events == []


def test_pronoun_takes_the_actor_named_before() -> None:
    r = extract_text(
        "The CMA recruited new fighters. Its envoys met mediators, then in December "
        "it suspended its participation in the talks.",
        published=PUB,
    )
    (e,) = r.events
    assert (e.type, e.date, e.actors) == (
        "political",
        "2023-12",
        ["Coordination of Azawad Movements"],
    )


def test_locating_actor_is_not_a_participant() -> None:
    e = one(
        "Early in February, fighting between the CMA and government forces was reported "
        "near a MINUSMA camp at Ber."
    )
    assert e["actors"] == ["Coordination of Azawad Movements", "Government of Mali"]


def test_types_are_from_the_contract_list(data_dir) -> None:
    r = extract_path(data_dir / "report_en.txt", published=PUB)
    assert r.events and all(e.type in EVENT_TYPES for e in r.events)
    assert r.places_mentioned == ["Ber", "Bamako", "Timbuktu", "Bamba", "Tarkint", "Kidal"]


def test_no_publication_date_warns_and_keeps_absolute_dates() -> None:
    r = extract_text("On 3 March 2024, clashes erupted in Ber. On Tuesday, fighting hit Gao.")
    assert any("no publication date" in w for w in r.warnings)
    assert [e.date for e in r.events] == ["2024-03-03", None]


def test_json_contract_keys() -> None:
    d = extract_text(
        "On Tuesday, clashes erupted in Ber.", published=dt.date(2024, 3, 14)
    ).to_dict()
    assert {"events", "places_mentioned", "actors_mentioned"} <= set(d)
    assert list(d["events"][0])[:11] == [
        "date",
        "date_precision",
        "place",
        "admin1",
        "latitude",
        "longitude",
        "actors",
        "type",
        "fatalities",
        "evidence",
        "confidence",
    ]


def test_month_may_is_not_a_hedge() -> None:
    e = one("In early May, CSP and army units fought each other at Ber.")
    assert (e["type"], e["date"], e["place"]) == ("clash", "2023-05", "Ber")
