"""Claims read from text: kept as claims, never as confirmed deaths (sentences invented)."""

from __future__ import annotations

from accordwatch.extract import CLAIM_KINDS, extract_text

PUB = "2024-03-14"


def test_an_armed_force_count_of_enemy_dead_is_a_deaths_claim() -> None:
    r = extract_text(
        "Mardi, l'armée affirme avoir neutralisé 30 terroristes lors d'une opération à Tessit.",
        published=PUB,
    )
    (c,) = r.claims
    assert (c.kind, c.deaths, c.target, c.claimant_id) == ("deaths", 30, "terroristes", "ucdp:72")
    assert all(e.fatalities is None for e in r.events)
    assert c.event_index is not None and r.events[c.event_index].place == "Tessit"


def test_english_deaths_claim_and_the_event_it_is_about() -> None:
    r = extract_text(
        "On Friday, the army said it killed 25 militants during clashes near Ansongo.",
        published=PUB,
    )
    (c,) = r.claims
    assert c.kind == "deaths" and c.deaths == 25 and c.target == "militants"
    (ev,) = r.events
    assert ev.place == "Ansongo" and ev.fatalities is None and c.event_index == 0


def test_responsibility_claims_name_the_claimant() -> None:
    r = extract_text(
        "On Monday, gunmen attacked the army camp in Léré. JNIM claimed the attack in a statement.",
        published=PUB,
    )
    (c,) = r.claims
    assert c.kind == "responsibility" and c.claimant_id == "ucdp:6716"
    assert c.event_index == 0 and c.place == "Léré" and c.date == "2024-03-11"
    fr = extract_text(
        "Les attaques de lundi contre Ségou ont été revendiquées par le GSIM.", published=PUB
    )
    assert [(c.kind, c.claimant_id) for c in fr.claims] == [("responsibility", "ucdp:6716")]


def test_capture_claims() -> None:
    r = extract_text(
        "Le CSP affirme avoir pris le contrôle du camp de Bourem mardi après des combats.",
        published=PUB,
    )
    assert [c.kind for c in r.claims] == ["capture"]
    assert r.claims[0].place == "Bourem"


def test_no_claim_of_responsibility_is_no_claim() -> None:
    r = extract_text(
        "There has been no claim of responsibility for Sunday's attack on Ségou.", published=PUB
    )
    assert r.claims == []


def test_claims_are_in_the_json_output_with_known_kinds() -> None:
    r = extract_text(
        "Le 2 mars, le GSIM a revendiqué l'embuscade tendue près de Boni.", published=PUB
    )
    d = r.to_dict()
    assert d["claims"] and all(c["kind"] in CLAIM_KINDS for c in d["claims"])
    assert d["claims"][0]["event_index"] == 0


def test_a_toll_told_by_an_armed_party_is_its_claim() -> None:
    r = extract_text(
        "On Monday, 12 soldiers were killed in an ambush near Boni, according to the JNIM.",
        published=PUB,
    )
    (c,) = r.claims
    assert (c.kind, c.deaths, c.claimant_id) == ("deaths", 12, "ucdp:6716")
    assert r.events[0].fatalities is None  # never a confirmed figure
    fr = extract_text(
        "Lundi, au moins 20 soldats et 5 mercenaires ont été tués près de Boni, selon le JNIM.",
        published=PUB,
    )
    assert [(c.kind, c.deaths) for c in fr.claims] == [("deaths", 25)]


def test_a_toll_told_by_local_sources_is_no_claim() -> None:
    r = extract_text(
        "Au moins 9 civils ont été tués lundi à Tonka, selon des sources locales.", published=PUB
    )
    assert r.claims == [] and r.events[0].fatalities == 9


def test_attack_claimed_by_a_group_in_an_apposition() -> None:
    r = extract_text(
        "The attack, claimed by JNIM, killed 15 soldiers near Ménaka on Friday.", published=PUB
    )
    assert [c.kind for c in r.claims] == ["responsibility"]
    assert r.events[0].fatalities == 15


def test_a_capture_announced_by_a_party() -> None:
    r = extract_text(
        "The CSP announced on Tuesday that it had taken control of the military camp in Bamba.",
        published=PUB,
    )
    assert [(c.kind, c.claimant_id) for c in r.claims] == [("capture", "csp")]
    assert [e.type for e in r.events] == ["base_seizure"]
