"""Assessments: append-only history, validation, import/export, the implementation index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import accordwatch.accords as ac
from accordwatch.errors import InputError, NotFound, RowErrors
from accordwatch.store import Store


def _count(db: Path) -> int:
    with Store.open(db) as store:
        return store.count("accord_assessments")


def test_assess_keeps_history(adb: Path) -> None:
    first = ac.assess(
        "mali2015.t3.c8.cantonment",
        1,
        "2017-12-31",
        evidence="Sites prepared",
        assessor="a",
        db=adb,
    )
    second = ac.assess(
        "mali2015.t3.c8.cantonment",
        "reversed",
        "2019-06-30",
        evidence="Sites abandoned",
        assessor="a",
        source_url="https://example.org/r",
        db=adb,
    )
    assert first["label"] == "minimal" and second["assessment_id"] == first["assessment_id"] + 1
    hist = ac.assessments(adb, provision_id="mali2015.t3.c8.cantonment")
    assert hist.score.tolist() == ["1", "reversed"]
    assert (
        ac.provisions(30, adb)
        .set_index("provision_id")
        .loc["mali2015.t3.c8.cantonment", "latest_score"]
        == "reversed"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"provision_id": "mali2015.t3.c8.cantonmnt"}, NotFound, "mali2015.t3.c8.cantonment"),
        ({"score": 4}, InputError, "score"),
        ({"score": -1}, InputError, "score"),
        ({"date": "2015-05-14"}, InputError, "before the agreement was signed"),
        ({"date": "2015-13-01"}, InputError, "not a date"),
        ({"date": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, InputError, "future"),
        ({"evidence": "  "}, InputError, "evidence"),
        ({"source_url": "example.org"}, InputError, "http"),
    ],
)
def test_assess_rejects_bad_input(adb: Path, kwargs: dict, error: type, match: str) -> None:
    args = {
        "provision_id": "mali2015.t3.c8.cantonment",
        "score": 2,
        "date": "2018-01-01",
        "evidence": "e",
        "assessor": "a",
        "source_url": None,
        **kwargs,
    }
    with pytest.raises(error, match=match):
        ac.assess(args.pop("provision_id"), args.pop("score"), args.pop("date"), db=adb, **args)
    assert _count(adb) == 0


def test_import_then_duplicate_import_is_refused(adb: Path, data: Path) -> None:
    result = ac.import_assessments(data / "assessments_good.csv", db=adb)
    assert result["imported"] == 6
    with pytest.raises(RowErrors) as info:
        ac.import_assessments(data / "assessments_good.csv", db=adb)
    assert len(info.value.errors) == 6
    assert all("already in the store" in e.reason for e in info.value.errors)
    assert _count(adb) == 6


def test_bad_import_lists_each_line_and_writes_nothing(adb: Path, data: Path) -> None:
    with pytest.raises(RowErrors) as info:
        ac.import_assessments(data / "assessments_bad.csv", db=adb)
    by_line = {e.line: e for e in info.value.errors}
    assert 2 not in by_line
    assert by_line[3].field == "provision_id" and "unknown" in by_line[3].reason
    assert by_line[4].field == "score"
    assert by_line[5].field == "date" and "2015-06-20" in by_line[5].reason
    assert by_line[6].field == "date"
    assert by_line[7].field == "assessor"
    assert by_line[8].field == "source_url"
    assert "duplicate of line 2" in by_line[9].reason
    assert _count(adb) == 0


def test_index_by_year_matches_hand_computation(adb: Path, data: Path) -> None:
    ac.import_assessments(data / "assessments_good.csv", db=adb)
    idx = ac.implementation_index(30, db=adb).set_index("date")
    expect = {
        # csa=3
        dt.date(2015, 12, 31): (1, 3),
        # csa=3, cantonment=0
        dt.date(2016, 12, 31): (2, 3),
        # csa=3, cantonment=1, interim=2
        dt.date(2017, 12, 31): (3, 6),
        dt.date(2018, 12, 31): (3, 6),
        # cantonment reversed → 0
        dt.date(2019, 12, 31): (3, 5),
        # interim suspended keeps its 2 points
        dt.date(2020, 12, 31): (3, 5),
    }
    assert list(idx.index) == list(expect)
    for date, (n, pts) in expect.items():
        assert idx.loc[date, "assessed"] == n and idx.loc[date, "points"] == pts
        assert idx.loc[date, "index"] == pytest.approx(100 * pts / (3 * n), abs=0.01)
    assert idx.loc[dt.date(2019, 12, 31), "reversed"] == 1
    assert idx.loc[dt.date(2020, 12, 31), "suspended"] == 1


def test_index_by_theme_and_party(adb: Path, data: Path) -> None:
    ac.import_assessments(data / "assessments_good.csv", db=adb)
    by_theme = ac.implementation_index(30, db=adb, by="theme")
    last = by_theme[by_theme.date == by_theme.date.max()].set_index("group")
    assert last.loc["guarantees", "index"] == 100.0
    assert last.loc["defence-security", "index"] == 0.0
    assert last.loc["political-institutional", "index"] == pytest.approx(66.67)
    by_party = ac.implementation_index(30, db=adb, by="party", freq="M", until="2017-12-31")
    dec = by_party[by_party.date == dt.date(2017, 12, 31)].set_index("group")
    # the CMA is named on cantonment (1), interim authorities (2) and the CSA (3)
    assert dec.loc["CMA", "assessed"] == 3 and dec.loc["CMA", "points"] == 6
    assert dec.loc["Algeria", "assessed"] == 1
    with pytest.raises(InputError):
        ac.implementation_index(30, db=adb, by="region")


def test_index_without_assessments_is_empty(adb: Path) -> None:
    assert ac.implementation_index(30, db=adb).empty


def test_comparison_points(adb: Path, data: Path) -> None:
    ac.import_assessments(data / "assessments_good.csv", db=adb)
    comp = ac.comparison(30, db=adb).set_index("key")
    assert comp.loc["pam_score_7y", "value"] == 31.25
    assert comp.loc["io_fulfilled_2018", "value"] == pytest.approx(100 * 20 / 78, abs=0.01)
    assert "20 of 78" in comp.loc["io_fulfilled_2018", "description"]
    assert comp.source_url.str.startswith("https://").all()
    assert comp.loc["io_fulfilled_2018", "accordwatch_index"] == pytest.approx(66.67)


def test_export_imports_into_another_store(
    adb: Path, data: Path, tmp_path: Path, seeded_template: Path
) -> None:
    ac.import_assessments(data / "assessments_good.csv", db=adb)
    out = tmp_path / "export.csv"
    frame = ac.export_assessments(out, db=adb, agreement_id=30)
    assert len(frame) == 6 and out.exists()
    other = tmp_path / "other.duckdb"
    other.write_bytes(seeded_template.read_bytes())
    assert ac.import_assessments(out, db=other)["imported"] == 6
    a = ac.assessments(adb)[["provision_id", "date", "score", "assessor", "evidence"]]
    b = ac.assessments(other)[["provision_id", "date", "score", "assessor", "evidence"]]
    pd.testing.assert_frame_equal(a, b)
