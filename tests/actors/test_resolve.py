"""Resolution by alias: every alias of the brief, normalisation, errors and suggestions."""

from __future__ import annotations

import pytest

from accordwatch.actors import ActorRegistry, UnknownActor
from accordwatch.errors import InputError, NotFound

EXPECTED = {
    "ucdp:1158": [
        "CMA",
        "Coordination des Mouvements de l'Azawad",
        "Coordination of Azawad Movements",
        "coordination des mouvements de l’azawad",
        "ucdp:1158",
        "1158",
    ],
    "csp": [
        "CSP",
        "CSP-PSD",
        "Cadre Stratégique Permanent",
        "Permanent Strategic Framework",
        "Permanent Strategic Framework for Peace, Security and Development",
        "Cadre stratégique permanent pour la paix, la sécurité et le développement",
    ],
    "ucdp:8822": [
        "FLA",
        "Front de Libération de l'Azawad",
        "Azawad Liberation Front",
        "ucdp:8822",
    ],
    "mnla": ["MNLA", "Mouvement national de libération de l'Azawad"],
    "hcua": [
        "HCUA",
        "Haut Conseil pour l'Unité de l'Azawad",
        "High Council for the Unity of Azawad",
    ],
    "maa": ["MAA", "Mouvement arabe de l'Azawad", "Arab Movement of Azawad"],
    "ucdp:6716": [
        "JNIM",
        "GSIM",
        "Jama'at Nusrat al-Islam wal-Muslimin",
        "Jamaat Nusrat al-Islam wal-Muslimin",
        "Groupe de soutien à l'islam et aux musulmans",
        "Group to Support Islam and Muslims",
        "6716",
    ],
    "ucdp:234": ["IS", "Islamic State", "État islamique", "ISIS", "234"],
    "is-sahel": [
        "Islamic State Sahel",
        "IS Sahel",
        "ISSP",
        "ISGS",
        "EIGS",
        "État islamique au Grand Sahara",
        "État islamique dans le Grand Sahara",
        "État islamique au Sahel",
        "Islamic State in the Greater Sahara",
    ],
    "ucdp:72": [
        "Government of Mali",
        "FAMa",
        "Forces armées maliennes",
        "Malian army",
        "Malian armed forces",
        "armée malienne",
        "Malian junta",
        "Malian transitional authorities",
    ],
    "ucdp:8650": ["Wagner Group", "Wagner", "groupe Wagner"],
    "africa-corps": ["Africa Corps"],
    "minusma": [
        "MINUSMA",
        "Minusma",
        "Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali",
    ],
    "platform": ["Platform", "Plateforme", "Plateforme des mouvements du 14 juin 2014 d'Alger"],
    "gatia": ["GATIA", "Groupe d'autodéfense touareg Imghad et alliés"],
    "ucdp:1157": ["Ansar Dine", "Ansar Eddine"],
    "ucdp:539": ["AQIM", "AQMI", "Al-Qaïda au Maghreb islamique", "GSPC"],
    "ucdp:1161": ["MUJAO", "MOJWA", "Mouvement pour l'unicité et le jihad en Afrique de l'Ouest"],
    "ucdp:4376": ["al-Mourabitoun", "al-Murabitun", "Al Mourabitoune"],
    "ucdp:3481": ["Signed-in-Blood Battalion"],
    "ucdp:6267": ["FLM", "Katiba Macina", "Front de libération du Macina"],
}


@pytest.mark.parametrize(
    ("alias", "actor_id"), [(a, aid) for aid, aliases in EXPECTED.items() for a in aliases]
)
def test_alias_resolves(reg: ActorRegistry, alias: str, actor_id: str) -> None:
    assert reg.resolve(alias).actor_id == actor_id


def test_case_accents_and_punctuation_do_not_matter(reg: ActorRegistry) -> None:
    a = reg.resolve("FORCES ARMEES MALIENNES")
    assert a is reg.resolve("forces armées  maliennes.") is reg.resolve("Forces-Armées-Maliennes")
    assert reg.resolve("al mourabitoun").actor_id == "ucdp:4376"


def test_ucdp_ids_can_be_given_as_int(reg: ActorRegistry) -> None:
    assert reg.resolve(6716).name == "Jama'at Nusrat al-Islam wal-Muslimin"
    # An id shared with a curated branch resolves to UCDP's own actor.
    assert reg.resolve(234).actor_id == "ucdp:234"


def test_curated_layer_keeps_ucdp_facts(reg: ActorRegistry) -> None:
    cma = reg.resolve("CMA")
    assert cma.ucdp_ids == (1158,) and cma.ucdp_names == ("CMA",)
    assert (cma.first_year, cma.last_year) == (2012, 2015)
    assert cma.kind == "rebel" and cma.country == "Mali" and cma.is_curated
    assert reg.resolve("JNIM").kind == "jihadist"
    assert reg.resolve("MINUSMA").kind == "peacekeeping"
    assert reg.resolve("Wagner").kind == "foreign"
    assert reg.resolve("Platform").kind == "coalition"


def test_csp_carries_the_id_ucdp_codes_it_under(reg: ActorRegistry) -> None:
    # UCDP 25.1 has no CSP actor: the 2023 fighting is coded under FLA (8822).
    assert reg.resolve("CSP").ucdp_ids == (8822,)
    assert reg.resolve("ISGS").ucdp_ids == (234,)


def test_unknown_alias_raises_not_found_with_suggestions(reg: ActorRegistry) -> None:
    with pytest.raises(NotFound) as info:
        reg.resolve("JNMI")
    assert isinstance(info.value, UnknownActor)
    assert info.value.suggestions[0] == "JNIM"
    assert "did you mean 'JNIM'" in str(info.value)
    with pytest.raises(UnknownActor) as info2:
        reg.resolve("Coordination des mouvement de l Azawad")
    assert info2.value.suggestions[0] == "Coordination des mouvements de l'Azawad"
    with pytest.raises(UnknownActor, match="UCDP id 999999"):
        reg.resolve(999999)
    assert reg.find("Front Populaire Imaginaire") is None


def test_ambiguous_alias_needs_a_country(reg: ActorRegistry) -> None:
    with pytest.raises(InputError, match="country"):
        reg.resolve("the army")
    assert reg.resolve("the army", country="Mali").actor_id == "ucdp:72"
    assert reg.resolve("l'armée", country="Mali").actor_id == "ucdp:72"
    assert reg.resolve("la junte", country="Mali").actor_id == "ucdp:72"
    assert reg.resolve("the army", country="mali").actor_id == "ucdp:72"
    with pytest.raises(InputError):
        reg.resolve("the army", country="Niger")


def test_empty_alias_is_an_input_error(reg: ActorRegistry) -> None:
    with pytest.raises(InputError):
        reg.resolve("  -- ")


def test_duplicate_names_rank_and_list_candidates(reg: ActorRegistry) -> None:
    # Two UCDP actors are called "UPC" (Cameroon 564, 1957-1961; CAR 5999, 2014-2021).
    ids = [a.actor_id for a in reg.candidates("UPC")]
    assert set(ids) == {"ucdp:564", "ucdp:5999"}
    assert reg.resolve("UPC", country="Central African Republic").actor_id == "ucdp:5999"
    assert reg.resolve("UPC", country="Cameroon").actor_id == "ucdp:564"
    # Without context the most recently active one wins.
    assert reg.resolve("UPC").actor_id == "ucdp:5999"


def test_search_finds_by_words_and_fuzzily(reg: ActorRegistry) -> None:
    found = [a.actor_id for a in reg.search("azawad")]
    assert {"ucdp:1158", "ucdp:8822", "mnla", "hcua", "maa", "csp"} <= set(found)
    assert reg.search("Wagnr")[0].actor_id == "ucdp:8650"
    assert reg.search("") == []


def test_get_by_id_or_key(reg: ActorRegistry) -> None:
    assert reg.get("cma") is reg.get("ucdp:1158")
    assert "csp" in reg and "ucdp:72" in reg and "nope" not in reg
    with pytest.raises(NotFound, match="resolve"):
        reg.get("nope")
