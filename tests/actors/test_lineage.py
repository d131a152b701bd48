"""Lineage, date-dependent resolution, membership and the id/name sets the store filters on."""

from __future__ import annotations

import datetime as dt

import pytest

from accordwatch.actors import ActorRegistry


@pytest.mark.parametrize("alias", ["CMA", "CSP", "FLA", "Cadre stratégique permanent", 8822])
def test_cma_csp_fla_lineage_in_order(reg: ActorRegistry, alias: str | int) -> None:
    assert [a.actor_id for a in reg.lineage(alias)] == ["ucdp:1158", "csp", "ucdp:8822"]


def test_jihadist_mergers(reg: ActorRegistry) -> None:
    ids = [a.actor_id for a in reg.lineage("JNIM")]
    # Ancestors first, JNIM last; al-Mourabitoun after both of its own predecessors.
    assert ids[-1] == "ucdp:6716"
    assert set(ids) == {"ucdp:1157", "ucdp:1161", "ucdp:3481", "ucdp:4376", "ucdp:6716"}
    assert ids.index("ucdp:1161") < ids.index("ucdp:4376")
    assert ids.index("ucdp:3481") < ids.index("ucdp:4376")
    assert reg.resolve("al-Mourabitoun").predecessors == ("ucdp:1161", "ucdp:3481")
    assert [a.actor_id for a in reg.lineage("AFISMA")] == ["afisma", "minusma"]
    # No lineage: just the actor.
    assert [a.actor_id for a in reg.lineage("GATIA")] == ["gatia"]


@pytest.mark.parametrize(
    ("alias", "on", "expected"),
    [
        ("FLA", "2023-09-15", "csp"),  # UCDP's 2023 "FLA" was the CSP offensive
        ("FLA", "2016-06-01", "ucdp:1158"),  # before the CSP: the CMA
        ("FLA", "2025-03-01", "ucdp:8822"),
        ("CMA", "2023-11-14", "ucdp:1158"),  # the CMA still existed inside the CSP
        ("CMA", "2025-01-01", "ucdp:8822"),  # dissolved into the FLA on 2024-11-30
        ("CSP", "2024-12-01", "ucdp:8822"),
        ("CSP", dt.date(2022, 1, 1), "csp"),
        (8822, 2023, "csp"),
        ("AFISMA", "2014-01-01", "minusma"),
        ("MINUSMA", "2013-03-01", "afisma"),
        ("MUJAO", "2015-01-01", "ucdp:4376"),
        ("Ansar Dine", "2019-01-01", "ucdp:6716"),
    ],
)
def test_resolve_on_a_date_follows_the_lineage(
    reg: ActorRegistry, alias: str | int, on: object, expected: str
) -> None:
    assert reg.resolve(alias, on=on).actor_id == expected  # type: ignore[arg-type]


def test_dated_aliases_pick_the_actor_of_the_time(reg: ActorRegistry) -> None:
    assert reg.resolve("Russian paramilitaries", on="2023-01-01").actor_id == "ucdp:8650"
    assert reg.resolve("Russian paramilitaries", on="2025-08-01").actor_id == "africa-corps"
    assert reg.resolve("mercenaires russes", on="2022-03-01").actor_id == "ucdp:8650"
    assert reg.resolve("instructeurs russes", on="2025-07-01").actor_id == "africa-corps"
    assert reg.resolve("Wagner").successors == ("africa-corps",)


def test_name_on_gives_the_name_of_the_time(reg: ActorRegistry) -> None:
    assert reg.name_on("ISSP", "2018-06-01") == "Islamic State in the Greater Sahara"
    assert reg.name_on("ISGS", "2023-06-01") == "Islamic State Sahel Province"
    assert reg.name_on("AQIM", "2003-01-01") == "Salafist Group for Preaching and Combat"
    assert reg.name_on("AQIM", "2012-01-01") == "al-Qaeda in the Islamic Maghreb"
    assert reg.name_on("FLA", "2023-10-01") == "Permanent Strategic Framework"


def test_members_over_time(reg: ActorRegistry) -> None:
    assert [a.actor_id for a in reg.members("CMA")] == ["mnla", "hcua", "maa"]
    assert [a.actor_id for a in reg.members("CMA", on="2020-01-01")] == ["mnla", "hcua", "maa"]
    assert reg.members("CMA", on="2025-01-01") == []
    assert [a.actor_id for a in reg.members("CSP", on="2022-06-01")] == [
        "ucdp:1158",
        "platform",
        "msa",
    ]
    assert [a.actor_id for a in reg.members("CSP", on="2023-10-01")] == ["ucdp:1158"]
    assert "gatia" in [a.actor_id for a in reg.members("Plateforme")]
    assert [a.actor_id for a in reg.members("JNIM", on="2016-01-01")] == []
    assert [a.actor_id for a in reg.members("JNIM", on="2020-01-01")] == ["ucdp:6267"]


def test_ucdp_ids_with_and_without_lineage(reg: ActorRegistry) -> None:
    assert reg.ucdp_ids("CMA") == {1158}
    assert reg.ucdp_ids("CMA", lineage=True) == {1158, 8822}
    assert reg.ucdp_ids("FLA", lineage=True) == {1158, 8822}
    assert reg.ucdp_ids("JNIM", lineage=True) == {1157, 1161, 3481, 4376, 6716}
    assert reg.ucdp_ids("MNLA") == set()
    assert reg.ucdp_ids("FAMa") == {72}


def test_names_cover_ucdp_and_curated_spellings(reg: ActorRegistry) -> None:
    names = reg.names("FLA", lineage=True)
    assert {
        "FLA",
        "CMA",
        "CSP",
        "Front de libération de l'Azawad",
        "CSP-PSD",
        "Coordination des mouvements de l'Azawad",
    } <= names
    gov = reg.names("FAMa")
    assert {"Government of Mali", "FAMa", "Forces armées maliennes"} <= gov
    # Context-only aliases would match other countries' armies: they are left out.
    assert "the army" not in gov and "la junte" not in gov
    assert "al-Murabitun" in reg.names("al-Mourabitoun")
