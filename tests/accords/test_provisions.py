"""Provisions: the bundled Mali 2015 tree, user files (YAML/CSV), validation per line."""

from __future__ import annotations

from pathlib import Path

import pytest

import accordwatch.accords as ac
from accordwatch.errors import NotFound, RowErrors
from accordwatch.store import Store


def test_bundled_mali_tree_has_seven_titles(adb: Path) -> None:
    flat = ac.provisions(30, adb)
    titles = flat[flat.level == "title"]
    assert titles.number.tolist() == ["I", "II", "III", "IV", "V", "VI", "VII"]
    themes = dict(zip(titles.number, titles.theme, strict=True))
    assert themes["II"] == "political-institutional"
    assert themes["III"] == "defence-security"
    assert themes["IV"] == "socio-economic"
    assert themes["V"] == "reconciliation-justice-humanitarian"
    assert themes["VI"] == "guarantees"
    assert all(isinstance(t, str) for t in flat.title)
    # every node carries a source: no unsourced structure is bundled
    assert flat.source.notna().all() and (flat.source.str.len() > 10).all()


def test_bundled_tree_places_key_provisions(adb: Path) -> None:
    flat = ac.provisions(30, adb).set_index("provision_id")
    assert flat.loc["mali2015.t3.c8", "path"] == "III/8"
    assert "cantonment" in flat.loc["mali2015.t3.c8", "title"].lower()
    assert flat.loc["mali2015.t6.a63", "path"] == "VI/63"
    assert "Carter Center" in flat.loc["mali2015.t6.a63", "parties"]
    assert "Algeria" in flat.loc["mali2015.t6.csa", "parties"]
    # commitments inherit the theme of their title
    assert flat.loc["mali2015.t3.c8.cantonment", "effective_theme"] == "defence-security"
    assert flat.loc["mali2015.t3.c8.cantonment", "deadline_text"] == "within 120 days"
    assert flat.loc["mali2015.t3.c8.cantonment", "depth"] == 2
    # every UCDP flag named on a provision is one UCDP actually codes for agreement 30
    coded = {f["flag"] for f in ac.show_agreement(30, adb)["ucdp_provisions"]}
    named = {f for v in flat.ucdp_flags.dropna() for f in v.split("; ")}
    assert named and named <= coded


def test_tree_records_nest_children(adb: Path) -> None:
    tree = ac.provision_tree(30, adb)
    assert [n["number"] for n in tree] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    t3 = tree[2]
    c8 = next(c for c in t3["children"] if c["provision_id"] == "mali2015.t3.c8")
    assert {c["level"] for c in c8["children"]} == {"commitment"}
    assert len(c8["children"]) == 4


def test_load_yaml_extends_and_reload_is_a_no_op(adb: Path, data: Path) -> None:
    counts = ac.load_provisions(data / "extra_provisions.yaml", db=adb)
    assert counts == {"inserted": 1, "updated": 0, "unchanged": 0}
    assert ac.load_provisions(data / "extra_provisions.yaml", db=adb)["unchanged"] == 1
    flat = ac.provisions(30, adb).set_index("provision_id")
    row = flat.loc["test.t3.c8.sites"]
    assert row.path == "III/8/sites" and row.effective_theme == "defence-security"
    assert str(row.deadline)[:10] == "2015-10-18"


def test_changed_provision_is_updated(adb: Path, data: Path, tmp_path: Path) -> None:
    ac.load_provisions(data / "extra_provisions.yaml", db=adb)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        (data / "extra_provisions.yaml").read_text().replace("places: Kidal; Ber", "places: Kidal")
    )
    assert ac.load_provisions(changed, db=adb)["updated"] == 1
    assert (
        ac.provisions(30, adb).set_index("provision_id").loc["test.t3.c8.sites", "places"]
        == "Kidal"
    )


def test_bad_csv_reports_every_line_and_writes_nothing(adb: Path, data: Path) -> None:
    with Store.open(adb) as store:
        before = store.count("accord_provisions")
    with pytest.raises(RowErrors) as info:
        ac.load_provisions(data / "bad_provisions.csv", db=adb)
    by_line = {e.line: e for e in info.value.errors}
    assert 2 not in by_line  # the valid row
    assert by_line[3].field == "provision_id"
    assert "duplicate" in by_line[5].reason and "line 4" in by_line[5].reason
    assert by_line[6].field == "agreement_id"
    assert by_line[7].field == "parent_id" and "cannot sit under" in by_line[7].reason
    assert by_line[8].field == "level"
    assert by_line[9].field == "title"
    assert by_line[10].field == "theme"
    assert by_line[11].field == "deadline"
    assert by_line[12].field == "ucdp_flags"
    assert by_line[13].field == "parent_id" and "no provision" in by_line[13].reason
    assert "bad_provisions.csv, line 6" in str(info.value)
    with Store.open(adb) as store:
        assert store.count("accord_provisions") == before


def test_yaml_errors_carry_line_numbers() -> None:
    text = (
        "agreement: 30\nprovisions:\n  - id: a.b\n    level: title\n    title: T\n"
        "  - id: a.c\n    level: chapterx\n    title: C\n"
    )
    with pytest.raises(RowErrors) as info:
        ac.parse_provisions(text, name="x.yaml")
    (err,) = info.value.errors
    assert (err.line, err.field) == (6, "level")


def test_missing_file(adb: Path, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        ac.load_provisions(tmp_path / "nope.yaml", db=adb)
