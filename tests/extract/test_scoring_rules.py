"""extract-eval's matching rules, on gold files written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accordwatch.cli import app
from accordwatch.extract import extract_text
from accordwatch.extract.evaluate import (
    actor_alternatives,
    date_matches,
    place_matches,
    score,
    type_matches,
)

TEXT = (
    "Le 3 mars 2024, des combats ont opposé les FAMa à des jihadistes près de Gao, faisant "
    "7 morts. Le 5 mars, une frappe de drone a touché un marché à Kidal."
)
GOLD = {
    "published": "2024-03-06",
    "events": [
        {"date": "2024-03-04", "place": "Gao", "type": "ambush", "fatalities": 7},
        {"date": "2024-03-05", "place": "Kidal (ville)", "type": "airstrike", "fatalities": 3},
        {"date": "2012", "place": None, "type": "political", "optional": True},
    ],
    "places_mentioned": ["Gao", "Kidal (ville)"],
    "actors_mentioned": ["armée malienne / FAMa"],
}


def test_type_groups() -> None:
    assert type_matches("clash", "ambush") and type_matches("ambush", "clash")
    assert type_matches("airstrike", "drone_strike")
    assert not type_matches("clash", "airstrike") and not type_matches("ambush", "drone_strike")


def test_day_dates_within_two_days_other_precisions_by_prefix() -> None:
    assert date_matches("2024-03-04", "2024-03-02") and date_matches("2024-03-04", "2024-03-06")
    assert not date_matches("2024-03-04", "2024-03-07")
    assert not date_matches("2024-03-04", "2024-03")  # a day needs a day
    assert date_matches("2024-03", "2024-03-30") and not date_matches("2024", "2023-12-31")


def test_place_by_name_gazetteer_or_without_the_parenthetical() -> None:
    assert place_matches("Aguelhok (Kidal)", "Aguelhok")
    assert place_matches("Tombouctou", "Timbuktu")
    assert not place_matches("Gao", "Kidal")


def test_gold_actor_alternatives() -> None:
    assert actor_alternatives("CMA (Coordination des mouvements de l'Azawad)") == [
        "CMA",
        "Coordination des mouvements de l'Azawad",
    ]
    assert actor_alternatives("Wagner (groupe paramilitaire)") == ["Wagner"]


def test_actors_compared_by_registry_entity_and_lineage() -> None:
    gold = {
        "events": [],
        "actors_mentioned": ["armée malienne / FAMa", "CMA", "Mouvement imaginaire du Sahel"],
    }
    pred = {
        "events": [{"type": "clash", "actors": ["Permanent Strategic Framework"]}],
        "actors_mentioned": ["Government of Mali"],
    }
    a = score(gold, pred)["actors"]
    # the army is the Government of Mali (same id); the CMA only through its lineage (CSP);
    # the made-up movement is unknown to the registry and counts as missed but not known
    assert a["found"] == ["armée malienne / FAMa"]
    assert a["lineage_found"] == 2 and a["known"] == 2 and a["known_found"] == 1


def test_one_to_one_maximum_matching_not_greedy() -> None:
    # prediction 0 fits both gold events, prediction 1 only the first: a greedy pass in
    # prediction order would give one match, the maximum matching gives two
    gold = {
        "events": [
            {"date": "2024-03", "place": "Gao", "type": "clash"},
            {"date": "2024-03-10", "place": "Gao", "type": "clash"},
        ]
    }
    pred = {
        "events": [
            {"date": "2024-03-10", "place": "Gao", "type": "ambush"},
            {"date": "2024-03-20", "place": "Gao", "type": "clash"},
        ]
    }
    assert score(gold, pred)["core"]["tp"] == 2


def test_scores_of_an_extraction_with_fatalities() -> None:
    r = extract_text(TEXT, published=GOLD["published"])
    s = score(GOLD, r.to_dict())
    # clash ~ ambush a day off, drone_strike ~ airstrike at "Kidal (ville)"
    assert (s["core"]["tp"], s["core"]["gold"], s["core"]["predicted"]) == (2, 2, 2)
    fat = s["fatalities"]  # 7 = 7; no figure for the strike against a gold 3
    assert (fat["same"], fat["compared"], fat["numeric_same"], fat["numeric_compared"]) == (
        1,
        2,
        1,
        2,
    )
    assert s["places"]["recall"] == 1.0 and s["actors"]["recall"] == 1.0


def test_cli_prints_lineage_and_numeric_fatalities(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "t.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    res = CliRunner().invoke(
        app, ["extract-eval", str(tmp_path / "t.gold.json"), str(tmp_path / "t.txt")]
    )
    assert res.exit_code == 0, res.output
    assert "registry-known actors" in res.output
