"""The gold scorer: matching rules and figures on the hand-written gold file."""

from __future__ import annotations

import json

import pytest

from accordwatch.errors import InputError
from accordwatch.extract import extract_path
from accordwatch.extract.evaluate import date_matches, load_gold, place_matches, score


def test_date_and_place_rules() -> None:
    assert date_matches("2023-08", "2023-08-14") and not date_matches("2023-08", "2023")
    assert date_matches(None, None) and not date_matches("2023", None)
    assert place_matches("Tombouctou", "Timbuktu") and place_matches(None, "Gao")
    assert not place_matches("Ber", None)


def test_optional_matches_neither_help_nor_hurt() -> None:
    gold = {"events": [{"date": "2012", "place": None, "type": "political", "optional": True}]}
    pred = {"events": [{"date": "2012", "place": None, "type": "political"}]}
    s = score(gold, pred)
    assert s["core"]["predicted"] == 0 and s["core"]["f1"] == 1.0
    assert s["all"]["tp"] == 1


def test_one_to_one_matching_counts_a_repeat_as_false_positive() -> None:
    gold = {"events": [{"date": "2024-03", "place": "Ber", "type": "clash"}]}
    pred = {
        "events": [
            {"date": "2024-03-12", "place": "Ber", "type": "clash"},
            {"date": "2024-03-13", "place": "Ber", "type": "clash"},
        ]
    }
    s = score(gold, pred)["core"]
    assert (s["tp"], s["precision"], s["recall"]) == (1, 0.5, 1.0)


def test_figures_on_the_test_report(data_dir) -> None:
    gold = load_gold(data_dir / "report_en.gold.json")
    r = extract_path(data_dir / "report_en.txt", published=gold["published"])
    s = score(gold, r.to_dict())
    assert s["core"]["recall"] == 1.0 and s["core"]["precision"] == 1.0
    assert s["places"]["recall"] == 1.0 and s["actors"]["recall"] == 1.0


def test_bad_gold_file(tmp_path) -> None:
    f = tmp_path / "g.json"
    f.write_text(json.dumps({"events": [{"date": "2024"}]}))
    with pytest.raises(InputError, match="type"):
        load_gold(f)
    f.write_text("not json")
    with pytest.raises(InputError, match="not JSON"):
        load_gold(f)
