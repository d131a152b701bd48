"""The UCDP layer: ids, names, years, kinds and countries read from the real tables."""

from __future__ import annotations

import pandas as pd
import pytest

from accordwatch.actors import ActorRegistry
from accordwatch.actors._ucdp import base_actors, split_names
from accordwatch.errors import InputError


def test_mali_actors_from_dyadic_and_acd(slices: dict[str, pd.DataFrame]) -> None:
    by = {a.actor_id: a for a in base_actors(slices["dyadic"], slices["acd"])}
    assert by["ucdp:72"].name == "Government of Mali"
    assert by["ucdp:72"].kind == "government" and by["ucdp:72"].country == "Mali"
    assert (by["ucdp:1158"].name, by["ucdp:1158"].first_year, by["ucdp:1158"].last_year) == (
        "CMA",
        2012,
        2015,
    )
    assert (by["ucdp:8822"].name, by["ucdp:8822"].first_year, by["ucdp:8822"].last_year) == (
        "FLA",
        2023,
        2024,
    )
    assert (by["ucdp:6716"].name, by["ucdp:6716"].first_year, by["ucdp:6716"].last_year) == (
        "JNIM",
        2017,
        2024,
    )
    assert by["ucdp:234"].name == "IS"
    assert by["ucdp:4376"].name == "al-Murabitun"
    assert by["ucdp:1164"].kind == "military_faction"
    assert by["ucdp:6716"].kind == "rebel"


def test_multi_actor_cells_pair_ids_by_identity_not_position(
    slices: dict[str, pd.DataFrame],
) -> None:
    # ACD 2013 writes "Ansar Dine, AQIM, MUJAO, Signed-in-Blood Battalion" with ids
    # "1157, 1161, 3481, 539": position would give AQIM id 1161.
    row = slices["acd"].query("year == '2013' and conflict_id == '11347'").iloc[0]
    assert row.side_b_id == "1157, 1161, 3481, 539"
    by = {a.actor_id: a for a in base_actors(slices["dyadic"], slices["acd"])}
    assert by["ucdp:539"].name == "AQIM"
    assert by["ucdp:1161"].name == "MUJAO"
    assert by["ucdp:3481"].name == "Signed-in-Blood Battalion"


def test_names_with_commas_stay_whole(slices: dict[str, pd.DataFrame]) -> None:
    names = {a.name for a in base_actors(dyadic=slices["dyadic"])}
    assert "Military Junta for the Consolidation of Democracy, Peace and Justice" in names
    assert "Military faction (forces of Honasan, Abenina & Zumel)" in names
    assert "Peace and Justice" not in names


def test_secondary_parties_get_ids_or_slugs(reg: ActorRegistry) -> None:
    # Russia fights on Mali's side in 2024 as a secondary party and has UCDP id 57.
    russia = reg.resolve("Government of Russia (Soviet Union)")
    assert russia.ucdp_ids == (57,) and russia.last_year == 2024
    # Armenia is only ever a secondary party (MINUSMA contributor): no id, a slug.
    armenia = reg.resolve("Government of Armenia")
    assert armenia.actor_id == "government-of-armenia" and armenia.ucdp_ids == ()
    assert armenia.kind == "government" and armenia.country == "Armenia"
    # Australia appears alone only as a secondary party but with an id in a multi-actor cell.
    assert reg.resolve("Government of Australia").ucdp_ids == (156,)


def test_ged_joint_actors_become_coalitions(slices: dict[str, pd.DataFrame]) -> None:
    by = {a.actor_id: a for a in base_actors(ged=slices["ged"])}
    joint = by["ucdp:6699"]
    assert joint.name == "FPRC, MPC" and joint.kind == "coalition"
    assert joint.member_ids == ("ucdp:4007", "ucdp:6354")
    big = by["ucdp:6968"]
    # Members are atoms, not the nested joint actor "FPRC, MPC".
    assert big.member_ids == ("ucdp:6845", "ucdp:4007", "ucdp:6354", "rprc")
    assert by["rprc"].ucdp_ids == ()
    assert by["ucdp:1"].kind == "civilians"


def test_default_registry_covers_every_id_in_the_files(reg: ActorRegistry) -> None:
    from importlib.resources import files

    ids: set[int] = set()
    data = files("accordwatch") / "data" / "ucdp"
    for name in ("ucdp-dyadic-251.csv", "ucdp-prio-acd-251.csv"):
        with (data / name).open("rb") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
        for col in ("side_a_id", "side_b_id"):
            for cell in df[col]:
                ids.update(int(x) for x in cell.split(",") if x.strip())
    with (data / "GEDEvent_v23_1_CAF.csv").open("rb") as fh:
        ged = pd.read_csv(
            fh, dtype=str, keep_default_na=False, usecols=["side_a_new_id", "side_b_new_id"]
        )
    ids.update(int(x) for x in pd.concat([ged.side_a_new_id, ged.side_b_new_id]))
    missing = [i for i in ids if reg.find(i) is None]
    assert missing == []
    assert len(ids) > 700


def test_split_names_respects_parentheses() -> None:
    assert split_names("Government of Cambodia (Kampuchea), Government of Chad") == [
        "Government of Cambodia (Kampuchea)",
        "Government of Chad",
    ]


def test_acd_alone_cannot_pair_ids_that_never_fight_alone(slices: dict[str, pd.DataFrame]) -> None:
    # In the ACD, Ansar Dine (1157) and the Red Berets (1164) only share one cell;
    # the dyadic table, which lists them apart, is needed to pair them.
    with pytest.raises(InputError, match=r"cannot tell which of ids \[1157, 1164\]"):
        base_actors(acd=slices["acd"])


def test_bad_tables_raise_input_error(slices: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(InputError, match="missing column"):
        base_actors(dyadic=slices["dyadic"].drop(columns=["side_b_id"]))
    bad = slices["dyadic"].head(1).copy()
    bad["side_b_id"] = "x12"
    with pytest.raises(InputError, match="not a number"):
        base_actors(dyadic=bad)
    # Two ids that never appear alone cannot be paired with two names.
    two = slices["dyadic"].head(1).copy()
    two["side_b"], two["side_b_id"] = "Alpha, Beta", "90001, 90002"
    with pytest.raises(InputError, match="cannot tell which"):
        base_actors(dyadic=two)
