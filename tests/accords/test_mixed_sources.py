"""Mixed sources stay correct: the seeded store (VIEWS series, CAR's GED events) plus events
a user adds — an accepted news report, a small UCDP Candidate file — on the real data."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import accordwatch as aw
import accordwatch.accords as ac
from accordwatch._app.seed import TEXT_EVENT_SOURCES
from accordwatch.accords._health import FATALITY_SOURCES, best_fatalities, monthly_health
from accordwatch.cli import app
from accordwatch.extract import extract_text
from accordwatch.store import Store

runner = CliRunner()

CLASH = "In early May, CMA and army units fought each other at Ber, killing 12 people."


def _accept(db: Path, text: str, published: str, **edits: object) -> dict:
    """Queue the events of ``text`` and accept the first (after ``edits``), as a reviewer."""
    ids = aw.queue_extraction(extract_text(text, published=published), db=db)
    if edits:
        aw.review_edit(ids[0], db=db, reviewer="test", **edits)
    return aw.review_accept(ids[0], db=db, reviewer="test", not_duplicate=True)


@pytest.fixture
def mixed_db(adb: Path) -> Path:
    """The seeded store with one accepted news event: a CMA–army clash at Ber, May 2023."""
    cand = _accept(adb, CLASH, "2023-10-05")
    assert cand["status"] == "accepted" and cand["fatalities"] == 12
    return adb


def _news(events: pd.DataFrame) -> pd.DataFrame:
    """The events of the news reports a test accepted (not the bundled text events)."""
    return events[events.source.str.startswith("text:") & ~events.source.isin(TEXT_EVENT_SOURCES)]


def _views(db: Path) -> dict[dt.date, float]:
    with Store.open(db, read_only=True) as store:
        df = store.query("SELECT year, month, ged_sb FROM country_month WHERE gwcode = 432")
    return {
        dt.date(int(y), int(m), 1): float(v)
        for y, m, v in zip(df.year, df.month, df.ged_sb, strict=True)
    }


def _candidate_file(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    """A UCDP Candidate CSV (the required columns and the side ids) for Mali."""
    from accordwatch.geo import priogrid_gid

    path = tmp_path / "mali_candidate.csv"
    cols = [
        "id",
        "year",
        "type_of_violence",
        "side_a_new_id",
        "side_a",
        "side_b_new_id",
        "side_b",
        "latitude",
        "longitude",
        "priogrid_gid",
        "country",
        "country_id",
        "date_prec",
        "date_start",
        "date_end",
        "best",
        "high",
        "low",
    ]
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for i, row in enumerate(rows):
            lat, lon = 16.83486, -2.5319  # Ber
            day = str(row["date"])
            w.writerow(
                {
                    "id": 990000 + i,
                    "year": day[:4],
                    "type_of_violence": 1,
                    "side_a_new_id": 72,
                    "side_a": "Government of Mali",
                    "side_b_new_id": row.get("side_b_id", 1158),
                    "side_b": row.get("side_b", "CMA"),
                    "latitude": lat,
                    "longitude": lon,
                    "priogrid_gid": priogrid_gid(lat, lon),
                    "country": "Mali",
                    "country_id": 432,
                    "date_prec": 1,
                    "date_start": day,
                    "date_end": day,
                    "best": row["best"],
                    "high": row["best"],
                    "low": row["best"],
                }
            )
    return path


# -- fatalities: the best source per month -----------------------------------------------------
def test_one_news_event_keeps_the_views_months(mixed_db: Path) -> None:
    views = _views(mixed_db)
    for tl in (ac.timeline(30, db=mixed_db), ac.timeline(country="Mali", db=mixed_db)):
        months = tl[tl.precision == "month"].set_index("month")
        before = months[months.index <= dt.date(2022, 12, 1)]
        assert len(before) > 90 and (before.fatalities_source == "views").all()
        assert [views[m] for m in before.index] == before.fatalities.tolist()
        assert months.loc[dt.date(2015, 6, 1), "fatalities"] == views[dt.date(2015, 6, 1)] == 18
        may = months.loc[dt.date(2023, 5, 1)]
        assert may.fatalities == 12 and may.fatalities_source == "text"
        june = months.loc[dt.date(2023, 6, 1)]  # no source covers it: blank, not 0
        assert math.isnan(june.fatalities) and not isinstance(june.fatalities_source, str)
    h = ac.health(30, db=mixed_db).set_index("month")
    assert h.loc[dt.date(2019, 3, 1), "fatalities"] == views[dt.date(2019, 3, 1)]
    assert h.loc[dt.date(2019, 3, 1), "fatalities_source"] == "views"
    assert h.loc[dt.date(2023, 5, 1), "fatalities_source"] == "text"


def test_each_row_names_its_source(mixed_db: Path) -> None:
    tl = ac.timeline(country="Mali", db=mixed_db)
    months = tl[tl.precision == "month"]
    has = months.fatalities.notna()
    assert set(months[has].fatalities_source) == {"views", "text"} <= set(FATALITY_SOURCES)
    assert months[~has].fatalities_source.map(lambda s: not isinstance(s, str)).all()
    table = runner.invoke(
        app,
        ["accords", "timeline", "30", "--all-months", "--db", str(mixed_db)],
        env={"COLUMNS": "250"},
    )
    assert table.exit_code == 0, table.output
    rows = [line for line in table.stdout.splitlines() if line.startswith("│ 20")]
    by_month = {r.split("│")[1].strip(): [c.strip() for c in r.split("│")[1:4]] for r in rows}
    assert by_month["2015-06"] == ["2015-06", "18", "views"]
    assert by_month["2023-05"] == ["2023-05", "12", "text"]
    assert by_month["2023-06"] == ["2023-06", "", "no data"]
    assert "views = VIEWS country-month series" in table.stdout
    assert "text = accepted news events" in table.stdout
    js = json.loads(
        runner.invoke(
            app, ["accords", "timeline", "30", "--format", "json", "--db", str(mixed_db)]
        ).stdout
    )
    assert all("fatalities_source" in r for r in js)
    assert {r["fatalities_source"] for r in js if r["fatalities"] is not None} == {
        "views",
        "text",
    }


def test_ged_years_in_the_store_win_and_others_keep_views(adb: Path) -> None:
    # The seeded store holds CAR's GED 23.1 events: a year with GED events takes them (all
    # types of violence), a year without falls back on VIEWS; never both in one month.
    with Store.open(adb, read_only=True) as store:
        ged = store.query(
            "SELECT date_trunc('month', date_start)::DATE AS m, sum(best) AS d FROM events "
            "WHERE country_id = 482 AND source = 'ucdp-ged' GROUP BY 1"
        )
        years = {int(y) for y in pd.to_datetime(ged.m).dt.year}
        views = store.query(
            "SELECT make_date(year::INT, month::INT, 1) AS m, ged_sb FROM country_month "
            "WHERE gwcode = 482"
        )
    deaths = dict(zip(pd.to_datetime(ged.m).dt.date, ged.d, strict=True))
    vw = dict(zip(pd.to_datetime(views.m).dt.date, views.ged_sb, strict=True))
    tl = ac.timeline(country="CAF", db=adb, since="1990-01-01", until="2022-12-31")
    tl = tl[tl.precision == "month"]
    assert {m.year for m, s in zip(tl.month, tl.fatalities_source, strict=True)} >= years
    for month, value, source in zip(tl.month, tl.fatalities, tl.fatalities_source, strict=True):
        if month.year in years:
            assert source == "ucdp-ged" and value == deaths.get(month, 0)
        else:
            assert source == "views" and value == vw[month]
    assert (tl.fatalities_source == "views").any()  # CAR has GED-less years here


def test_candidate_file_fills_months_after_views_and_news_is_not_added(
    mixed_db: Path, tmp_path: Path
) -> None:
    path = _candidate_file(
        tmp_path,
        [
            {"date": "2022-06-10", "best": 40},  # VIEWS covers 2022: not used
            {"date": "2023-05-02", "best": 7},  # the news event's month: Candidate wins
            {"date": "2023-05-20", "best": 3},
            {"date": "2023-07-14", "best": 5},
        ],
    )
    report = aw.ingest_ucdp(path, db=mixed_db, source="ucdp-candidate")
    assert report.inserted == 4
    views = _views(mixed_db)
    months = ac.timeline(country="Mali", db=mixed_db).set_index("period")
    assert months.loc["2022-06", "fatalities_source"] == "views"
    assert months.loc["2022-06", "fatalities"] == views[dt.date(2022, 6, 1)]
    assert months.loc["2023-05", "fatalities_source"] == "ucdp-candidate"
    assert months.loc["2023-05", "fatalities"] == 10  # not 10 + the news report's 12
    assert months.loc["2023-07", "fatalities"] == 5
    # a month without Candidate events is not known to be 0 (its file may not be loaded)
    assert math.isnan(months.loc["2023-06", "fatalities"])
    assert not isinstance(months.loc["2023-06", "fatalities_source"], str)
    h = ac.health(30, db=mixed_db).set_index("month")
    may = h.loc[dt.date(2023, 5, 1)]
    # the news event is superseded by Candidate's month: two Candidate clashes, not three
    assert may.signatory_events == 2 and may.between_signatories == 2
    v = ac.violations(30, db=mixed_db)
    news = _news(v)
    assert len(news) == 1 and news.superseded.all()
    assert not v[v.source == "ucdp-candidate"].superseded.any()


def test_pure_rule_never_adds_sources_and_needs_every_country() -> None:
    months = [dt.date(2023, 1, 1), dt.date(2023, 2, 1)]
    events = pd.DataFrame(
        {
            "country": ["432", "432", "436"],
            "source": ["ucdp-candidate", "text", "text"],
            "month": [months[0], months[0], months[1]],
            "fatalities": [5, 12, 3],
        }
    )
    empty = pd.DataFrame(columns=["country", "month", "fatalities"])
    one = best_fatalities(months, countries=["432"], events=events, views=empty)
    assert one.fatalities.tolist()[0] == 5 and one.source.tolist()[0] == "ucdp-candidate"
    both = best_fatalities(months, countries=["432", "436"], events=events, views=empty)
    assert both.fatalities.isna().all()  # each month misses one of the two countries


def test_trend_is_not_computed_across_a_change_of_source() -> None:
    months = pd.date_range("2020-01-01", periods=30, freq="MS").date
    fat = pd.DataFrame(
        {
            "month": months,
            "fatalities": [10.0] * 20 + [100.0] * 10,
            "source": ["views"] * 20 + ["ucdp-candidate"] * 10,
        }
    )
    none = pd.DataFrame(columns=["month", "events", "deaths", "between"])
    out = monthly_health(
        months,
        index=pd.DataFrame(columns=["month", "index"]),
        assessments=pd.DataFrame(columns=["date", "score"]),
        milestones=pd.DataFrame(columns=["date", "precision", "kind", "description"]),
        fatalities=fat,
        signatory_events=none,
    )
    assert out.fatalities_trend.iloc[14:20].tolist() == ["stable"] * 6
    assert out.fatalities_trend.iloc[20:].isna().all()  # windows that hold both sources


# -- signatories through the actor registry ----------------------------------------------------
def test_news_event_of_a_cma_army_clash_is_a_violation(mixed_db: Path) -> None:
    v = ac.violations(30, db=mixed_db)
    news = _news(v)
    assert len(news) == 1
    ev = news.iloc[0]
    assert pd.isna(ev.side_a_new_id) and pd.isna(ev.side_b_new_id)  # names only
    assert {ev.signatory_a, ev.signatory_b} == {"Government of Mali", "CMA"}
    assert ev.relation == "between signatories" and not ev.after_termination
    h = ac.health(30, db=mixed_db).set_index("month")
    may = h.loc[dt.date(2023, 5, 1)]
    assert may.signatory_events == 1 and may.between_signatories == 1
    assert may.signatory_deaths == 12 and may.status == "strained"
    events = ac.provision_events("mali2015.t3.c8.combatant-lists", db=mixed_db)  # CMA; Platform
    assert len(_news(events)) == 1
    table = runner.invoke(
        app, ["accords", "violations", "30", "--db", str(mixed_db)], env={"COLUMNS": "250"}
    )
    assert table.exit_code == 0 and "between signatories" in table.stdout
    assert "text:" in table.stdout and "Ber" in table.stdout


def test_aliases_and_lineage_match_news_events(adb: Path) -> None:
    # the reviewer writes the actors as "FAMa; FLA": an alias of the army and the CMA's
    # successor (CMA → CSP → FLA); with lineage it is fighting between the signatories
    _accept(adb, CLASH, "2023-10-05", actors="FAMa; FLA", event_date="2023-09")
    v = ac.violations(30, db=adb)
    ev = _news(v).iloc[0]
    assert ev.relation == "between signatories"
    assert {ev.signatory_a, ev.signatory_b} == {"Government of Mali", "CMA"}
    strict = ac.violations(30, db=adb, lineage=False)
    ev = _news(strict).iloc[0]
    assert ev.relation == "signatory vs other"  # the FLA is not the CMA itself


# -- milestones at their precision -------------------------------------------------------------
def test_timeline_json_carries_milestone_objects(adb: Path) -> None:
    result = runner.invoke(app, ["accords", "timeline", "30", "--format", "json", "--db", str(adb)])
    assert result.exit_code == 0, result.output
    rows = {r["period"]: r for r in json.loads(result.stdout)}
    june = rows["2015-06"]["milestones"]
    assert all(
        set(m) == {"agreement_id", "date", "precision", "kind", "description", "actors", "source"}
        for m in june
    )
    cma = next(m for m in june if m["kind"] == "signature")
    assert cma["date"] == "2015-06-20" and cma["precision"] == "day"
    assert cma["description"] == "The CMA adds its signature to the Agreement"
    assert cma["source"].startswith("UCDP Peace Agreement Dataset") and cma["agreement_id"] == 30
    observer = rows["2017-12"]["milestones"][0]
    assert observer["date"] == "2017-12" and observer["precision"] == "month"
    year = rows["2021"]
    assert year["precision"] == "year" and year["month"] is None
    assert year["milestones"][0]["date"] == "2021" and year["fatalities"] is None
    assert rows["2021-01"]["milestones"] == []


def test_year_milestone_is_not_drawn_in_january(adb: Path) -> None:
    tl = ac.timeline(30, db=adb)
    jan = tl[tl.period == "2021-01"].iloc[0]
    assert jan.milestone_kinds is None or "security_partner" not in str(jan.milestone_kinds)
    year = tl[tl.period == "2021"].iloc[0]
    assert year.milestone_kinds == "security_partner" and year.precision == "year"
    periods = tl.period.tolist()
    assert periods.index("2021") == periods.index("2021-01") - 1  # before its months
    table = runner.invoke(
        app, ["accords", "timeline", "30", "--db", str(adb)], env={"COLUMNS": "250"}
    )
    line = next(x for x in table.stdout.splitlines() if "security_partner" in x)
    assert line.startswith("│ 2021    │") and "2021-01" not in table.stdout
    h = ac.health(30, db=adb)
    assert not h.milestone_kinds.fillna("").str.contains("security_partner").any()
    assert [m["date"] for m in h.attrs["year_milestones"]] == ["2021"]
    shown = ac.show_agreement(30, adb)["milestones"]
    assert {m["date"] for m in shown if m["kind"] == "security_partner"} == {"2021"}
