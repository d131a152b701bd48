"""ACLED's actor names resolve through the actor registry (with dates), and an ACLED event is
found by any alias of its actors."""

from __future__ import annotations

from pathlib import Path

import pytest

import accordwatch as aw
from accordwatch import _api
from accordwatch.actors import ActorRegistry, resolve_acled, split_acled_name
from acled_files import acled_rows, write_csv


@pytest.fixture(scope="module")
def reg() -> ActorRegistry:
    return ActorRegistry.default()


@pytest.mark.parametrize(
    ("name", "on", "actor_id"),
    [
        ("JNIM: Group for Support of Islam and Muslims", None, "ucdp:6716"),
        ("Wagner Group", "2023-01-10", "ucdp:8650"),
        ("Military Forces of Mali (2021-)", "2023-11-14", "ucdp:72"),
        ("Police Forces of Mali (2021-)", None, "ucdp:72"),
        ("Military Forces of Mali (2013-2020)", "2016-05-01", "ucdp:72"),
        (
            "CSP-PSD: Permanent Strategic Framework for Peace, Security and Development",
            "2023-10-01",
            "csp",
        ),
        ("FLA: Azawad Liberation Front", "2025-02-01", "ucdp:8822"),
        ("FLA: Azawad Liberation Front", "2023-09-15", "csp"),  # the FLA was then the CSP
        ("IS Sahel: Islamic State (Sahel)", "2023-03-01", "is-sahel"),
        ("ISGS: Islamic State (Greater Sahara)", "2019-11-01", "is-sahel"),
        ("Civilians (Mali)", None, "ucdp:1"),
        (
            "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali "
            "(2013-2023)",
            "2019-01-20",
            "minusma",
        ),
        ("Fulani Ethnic Militia (Mali)", None, "fulani-militia"),
        ("Dozo Communal Militia (Mali)", None, "dozo-militia"),
        ("Military Forces of France (2017-2022)", "2020-01-09", "ucdp:33"),
        ("CMA: Coordination of Azawad Movements", "2022-05-01", "ucdp:1158"),
    ],
)
def test_acled_names_resolve(reg: ActorRegistry, name: str, on: str | None, actor_id: str):
    found = resolve_acled(reg, name, on=on)
    assert found is not None and found.actor_id == actor_id


def test_unidentified_and_crowds_are_nobody(reg: ActorRegistry) -> None:
    assert resolve_acled(reg, "Unidentified Armed Group (Mali)") is None
    assert resolve_acled(reg, "Protesters (Mali)") is None
    assert resolve_acled(reg, "  ") is None


def test_the_parts_of_a_name() -> None:
    p = split_acled_name("MINUSMA: United Nations Mission in Mali (2013-2023)")
    assert (p.acronym, p.full, p.start, p.end) == (
        "MINUSMA",
        "United Nations Mission in Mali",
        2013,
        2023,
    )
    c = split_acled_name("Civilians (Mali)")
    assert (c.name, c.country, c.start) == ("Civilians", "Mali", None)


def test_acled_events_are_found_by_any_alias(empty_db: Path, tmp_path: Path) -> None:
    rows = acled_rows(200)
    _api.ingest_acled(write_csv(tmp_path / "mali.csv", rows), db=empty_db)

    def count(**flt: object) -> int:
        return len(aw.event_records(empty_db, limit=None, **flt))

    jnim = sum("JNIM" in (r["actor1"] + r["actor2"]) for r in rows)
    assert jnim and count(actor="GSIM") == jnim
    fama = sum("Military Forces of Mali" in (r["actor1"] + r["actor2"]) for r in rows)
    assert count(actor="FAMa") >= fama > 0
    wagner = sum("Wagner" in (r["assoc_actor_1"] + r["assoc_actor_2"]) for r in rows)
    assert count(actor="Wagner Group") == wagner
