"""The curated file: every entry sourced, strict validation, merge into the UCDP layer."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pandas as pd
import pytest
import yaml

from accordwatch.actors import ActorRegistry
from accordwatch.actors._curated import parse_curated
from accordwatch.errors import InputError


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    with (files("accordwatch") / "data" / "actors" / "curated.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_every_entry_has_a_source_and_known_references(doc: dict[str, Any]) -> None:
    entries = parse_curated(doc)
    assert len(entries) >= 20
    assert all(len(e.source) > 20 for e in entries)


def test_every_curated_alias_resolves_to_its_actor(doc: dict[str, Any], reg: ActorRegistry) -> None:
    for e in parse_curated(doc):
        for a in e.aliases:
            country = (a.context or e.country) if a.ambiguous else None
            on = a.valid_from or a.valid_to
            got = reg.resolve(a.text, on=on, country=country)
            # A dated alias may lead along the lineage; otherwise it is the entry's actor.
            assert got.actor_id == e.actor_id or got.actor_id in {
                x.actor_id for x in reg.lineage(e.actor_id)
            }, (a.text, got.actor_id, e.actor_id)


def test_curated_ucdp_ids_exist_in_ucdp(doc: dict[str, Any], reg: ActorRegistry) -> None:
    for e in parse_curated(doc):
        for uid in [e.ucdp_id, *e.ucdp_codes]:
            if uid is not None:
                assert reg.get(f"ucdp:{uid}").ucdp_names, uid


def _mini(**entry: Any) -> dict[str, Any]:
    return {"version": 1, "actors": [{"key": "x", "source": "a test source", **entry}]}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"source": ""}, "missing 'source'"),
        ({"kind": "bandits"}, "unknown kind"),
        ({"valid_from": "2021-13"}, "month 13"),
        ({"valid_to": "soon"}, "cannot read 'soon'"),
        ({"colour": "red"}, "unknown field"),
        ({"aliases": {"de": ["X"]}}, "unknown alias language"),
        ({"aliases": {"en": [{"text": "X", "from": "2020", "color": 1}]}}, "unknown field"),
        ({"aliases": {"en": ["--"]}}, "no letters"),
        ({"ucdp_id": "72"}, "integer"),
    ],
)
def test_bad_entries_are_rejected_with_a_reason(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_curated(_mini(**entry))


def test_merge_errors(slices: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(InputError, match="unknown actor 'nobody'"):
        ActorRegistry.from_frames(slices["dyadic"], curated=_mini(successors=["nobody"]))
    with pytest.raises(InputError, match="UCDP actor 424242 is not in the UCDP tables"):
        ActorRegistry.from_frames(slices["dyadic"], curated=_mini(ucdp_id=424242))
    with pytest.raises(InputError, match="needs a 'context'"):
        ActorRegistry.from_frames(
            slices["dyadic"],
            curated=_mini(aliases={"en": [{"text": "the boys", "ambiguous": True}]}),
        )
    with pytest.raises(InputError, match="duplicate key"):
        parse_curated(
            {"version": 1, "actors": [{"key": "x", "source": "s"}, {"key": "x", "source": "s"}]}
        )
    with pytest.raises(InputError, match="version: 1"):
        parse_curated({"actors": []})


def test_from_frames_with_a_small_curated_document(slices: dict[str, pd.DataFrame]) -> None:
    doc = {
        "version": 1,
        "actors": [
            {
                "key": "cma",
                "ucdp_id": 1158,
                "name": "Coordination of Azawad Movements",
                "valid_from": "2014-10-28",
                "successors": ["fla"],
                "source": "test",
                "aliases": {"fr": ["Coordination des mouvements de l'Azawad"]},
            },
            {"key": "fla", "ucdp_id": 8822, "valid_from": "2024-11-30", "source": "test"},
        ],
    }
    reg = ActorRegistry.from_frames(slices["dyadic"], slices["acd"], curated=doc)
    cma = reg.resolve("coordination des mouvements de l azawad")
    assert cma.actor_id == "ucdp:1158" and cma.name == "Coordination of Azawad Movements"
    assert cma.aliases == ("CMA", "Coordination des mouvements de l'Azawad")
    assert [a.actor_id for a in reg.lineage("FLA")] == ["ucdp:1158", "ucdp:8822"]
    assert reg.resolve("FLA", on="2020-01-01").actor_id == "ucdp:1158"
    # Without a curated layer, UCDP names still resolve.
    bare = ActorRegistry.from_frames(slices["dyadic"])
    assert bare.resolve("cma").name == "CMA"
    assert bare.find("Coordination des mouvements de l'Azawad") is None


def test_curated_aliases_do_not_collide_between_actors(doc: dict[str, Any]) -> None:
    # An undated, unambiguous curated alias must name exactly one actor.
    owners: dict[str, set[str]] = {}
    for e in parse_curated(doc):
        for a in e.aliases:
            if not a.ambiguous and a.valid_from is None and a.valid_to is None:
                owners.setdefault(a.normalized, set()).add(e.actor_id)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
