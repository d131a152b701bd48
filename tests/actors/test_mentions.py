"""Actor mentions in short English and French sentences written for these tests."""

from __future__ import annotations

from accordwatch.actors import ActorRegistry


def spans(reg: ActorRegistry, text: str, **kw: object) -> list[tuple[str, str]]:
    return [(text[s:e], a.actor_id) for s, e, a in reg.mentions(text, **kw)]  # type: ignore[arg-type]


def test_english_sentence(reg: ActorRegistry) -> None:
    text = (
        "Fighters of the CMA attacked a FAMa camp near Léré, and JNIM claimed an ambush on MINUSMA."
    )
    assert spans(reg, text) == [
        ("CMA", "ucdp:1158"),
        ("FAMa", "ucdp:72"),
        ("JNIM", "ucdp:6716"),
        ("MINUSMA", "minusma"),
    ]


def test_french_sentence_with_elisions_and_accents(reg: ActorRegistry) -> None:
    text = (
        "Le Cadre stratégique permanent accuse l’armée malienne ; le Front de libération "
        "de l’Azawad dit avoir repoussé les Forces armées maliennes."
    )
    assert spans(reg, text) == [
        ("Cadre stratégique permanent", "csp"),
        ("armée malienne", "ucdp:72"),
        ("Front de libération de l’Azawad", "ucdp:8822"),
        ("Forces armées maliennes", "ucdp:72"),
    ]


def test_longest_match_wins(reg: ActorRegistry) -> None:
    text = "The Permanent Strategic Framework for Peace, Security and Development met in Kidal."
    found = reg.mentions(text)
    assert len(found) == 1
    s, e, actor = found[0]
    assert text[s:e] == "Permanent Strategic Framework for Peace, Security and Development"
    assert actor.actor_id == "csp"
    # "Azawad National Army" is one mention of the CMA, not an army mention.
    t2 = "The Azawad National Army said the army had fled."
    assert spans(reg, t2, country="Mali") == [
        ("Azawad National Army", "ucdp:1158"),
        ("the army", "ucdp:72"),
    ]


def test_ambiguous_aliases_need_a_country_context(reg: ActorRegistry) -> None:
    text = "The junta said the army retook the town from the rebels."
    assert spans(reg, text) == []
    assert spans(reg, text, country="Mali") == [("The junta", "ucdp:72"), ("the army", "ucdp:72")]
    fr = "La junte affirme que l'armée a repris la ville."
    assert spans(reg, fr, country="Mali") == [("La junte", "ucdp:72"), ("l'armée", "ucdp:72")]
    assert spans(reg, fr, country="Niger") == []


def test_word_boundaries_and_case_sensitive_acronyms(reg: ActorRegistry) -> None:
    # "is" (the verb), "platform" (a common noun) and "cma" inside "cmass" are not actors.
    text = "This is a civil society platform; the cmass test is not an actor."
    assert spans(reg, text) == []
    text2 = "IS fighters and the Platform clashed with the MNLA."
    assert spans(reg, text2) == [("IS", "ucdp:234"), ("the Platform", "platform"), ("MNLA", "mnla")]
    assert spans(reg, "Platform and Plateforme.") == [
        ("Platform", "platform"),
        ("Plateforme", "platform"),
    ]


def test_date_picks_the_actor_of_the_time(reg: ActorRegistry) -> None:
    text = "Russian paramilitaries escorted the convoy with the FLA in pursuit."
    assert spans(reg, text, on="2023-10-02") == [
        ("Russian paramilitaries", "ucdp:8650"),
        ("FLA", "csp"),
    ]
    assert spans(reg, text, on="2025-08-01") == [
        ("Russian paramilitaries", "africa-corps"),
        ("FLA", "ucdp:8822"),
    ]


def test_islamic_state_sahel_names(reg: ActorRegistry) -> None:
    text = "L'État islamique au Grand Sahara, devenu État islamique au Sahel, combat le JNIM."
    assert spans(reg, text) == [
        ("État islamique au Grand Sahara", "is-sahel"),
        ("État islamique au Sahel", "is-sahel"),
        ("JNIM", "ucdp:6716"),
    ]


def test_civilians_are_not_actor_mentions(reg: ActorRegistry) -> None:
    assert spans(reg, "Civilians fled Ménaka.") == []


def test_lower_case_words_are_not_acronyms() -> None:
    from accordwatch.actors import ActorRegistry

    reg = ActorRegistry.default()
    assert reg.mentions("In fact, the camp was calm that week.") == []
    assert [
        text
        for text in ("The FACT rebels advanced.",)
        for s, e, a in reg.mentions(text)
        if a.name == "FACT"
    ]
    assert reg.resolve("fact").name == "FACT"  # typed by a user: still found
