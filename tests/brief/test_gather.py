"""Gathering a briefing from the seeded store: the numbers are the store's numbers.

The seeded store holds the real UCDP GED 23.1 events of the Central African Republic (event
level), Mali's VIEWS country-month series, the reviewed text events of the Mali briefing, the
UCDP Peace Agreement Dataset and Mali 2015's milestones.  Briefings are gathered once per
module (each takes a second or two) with the fast conflictology forecast.
"""

from __future__ import annotations

import datetime as dt
import shutil
import string
from pathlib import Path

import pandas as pd
import pytest

import accordwatch as aw
from accordwatch.brief import Briefing, compare_periods, gather, trend, words
from accordwatch.brief._gather_accord import provision_changes
from accordwatch.brief._gather_map import MAX_POINTS, point_groups
from accordwatch.errors import InputError, NotFound

CAF = "Central African Republic"
FAST = "conflictology"
DATA = Path(__file__).parents[1] / "data" / "accords"


@pytest.fixture(scope="module")
def store(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the seeded store for the module (gathering writes only its forecast)."""
    target = tmp_path_factory.mktemp("gather") / "store.duckdb"
    shutil.copy(seeded_template, target)
    return target


@pytest.fixture(scope="module")
def caf(store: Path) -> Briefing:
    return gather(CAF, db=store, model=FAST)


@pytest.fixture(scope="module")
def mali(store: Path) -> Briefing:
    return gather("Mali", db=store, model=FAST)


def _stats(store: Path, since: dt.date, until: dt.date, **more: object) -> pd.Series:
    frame = aw.stats(
        store, by=["source"], country=CAF, since=since, until=until, source="ucdp-ged", **more
    )
    return frame[["events", "deaths_best", "deaths_low", "deaths_high"]].sum()


# -- the trend rule and the periods ----------------------------------------------------------
@pytest.mark.parametrize(
    "current, previous, word",
    [
        (125, 100, "deteriorated"),  # 1.25 × and +25
        (124, 100, "unchanged"),  # +24 but under 1.25 ×
        (15, 5, "deteriorated"),  # 3 × and +10
        (14, 5, "unchanged"),  # 2.8 × but only +9
        (10, 0, "deteriorated"),  # from nothing, +10
        (9, 0, "unchanged"),
        (80, 100, "improved"),  # 0.8 × and −20
        (81, 100, "unchanged"),
        (5, 15, "improved"),  # a third, −10
        (6, 15, "unchanged"),  # 0.4 × but only −9
        (0, 0, "unchanged"),
        (None, 10, "unknown"),
        (10, None, "unknown"),
    ],
)
def test_trend_rule(current: float | None, previous: float | None, word: str) -> None:
    assert trend(current, previous) == word


def test_previous_period_of_whole_months_and_of_days() -> None:
    prev, year = compare_periods(dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert prev == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert year == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    prev, year = compare_periods(dt.date(2021, 7, 1), dt.date(2022, 2, 28))
    assert prev == (dt.date(2020, 11, 1), dt.date(2021, 6, 30))  # 8 months before
    assert year == (dt.date(2020, 7, 1), dt.date(2021, 2, 28))
    prev, year = compare_periods(dt.date(2024, 2, 10), dt.date(2024, 2, 29))  # 20 days
    assert prev == (dt.date(2024, 1, 21), dt.date(2024, 2, 9))
    assert year == (dt.date(2023, 2, 10), dt.date(2023, 2, 28))
    with pytest.raises(InputError, match="after"):
        compare_periods(dt.date(2022, 2, 1), dt.date(2022, 1, 1))


# -- the Central African Republic: event level ------------------------------------------------
def test_caf_headline_is_what_stats_gives(caf: Briefing, store: Path) -> None:
    head = caf.headline
    assert head.basis == "events" and head.source == "ucdp-ged"
    # the bundled GED 23.1 ends in 2022: the default period is 2022
    assert (caf.since, caf.until) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    now = _stats(store, caf.since, caf.until)
    assert head.events.value == now["events"] == 105
    assert head.deaths_best.value == now["deaths_best"] == 773
    assert head.deaths_low.value == now["deaths_low"]
    assert head.deaths_high.value == now["deaths_high"]
    before = _stats(store, *head.previous)
    assert head.previous_deaths.value == before["deaths_best"] == 1080
    assert head.year_before_deaths.value == _stats(store, *head.year_before)["deaths_best"]
    assert head.trend == "improved"  # 773 ≤ 0.8 × 1,080 and 307 fewer
    assert "1.25" in head.trend_rule and any("1.25" in m for m in caf.methods)


def test_every_figure_names_the_command_that_reproduces_it(caf: Briefing) -> None:
    head = caf.headline
    for fig in (head.events, head.deaths_best, head.previous_deaths, head.year_before_deaths):
        assert fig.command.startswith("accordwatch stats ")
        assert "--source ucdp-ged" in fig.command and "--country 'Central African Republic'" in (
            fig.command
        )
    assert "--since 2021-01-01 --until 2021-12-31" in head.previous_deaths.command
    for section in (caf.timeline, caf.who, caf.map, caf.key_events, caf.accord, caf.warning):
        assert section.command.startswith("accordwatch "), section.title


def test_a_six_month_period_is_compared_with_the_six_months_before(store: Path) -> None:
    b = gather(CAF, db=store, model=FAST, since="2021-07", until="2021-12")
    assert b.headline.previous == (dt.date(2021, 1, 1), dt.date(2021, 6, 30))
    assert b.headline.year_before == (dt.date(2020, 7, 1), dt.date(2020, 12, 31))
    assert b.headline.deaths_best.value == _stats(store, b.since, b.until)["deaths_best"]
    assert b.headline.previous_deaths.value == _stats(store, *b.headline.previous)["deaths_best"]
    year = _stats(store, *b.headline.year_before)["deaths_best"]
    assert b.headline.year_before_deaths.value == year
    assert len(b.timeline.by_type["month"].unique()) == 6


def test_caf_timeline_sums_to_the_headline(caf: Briefing) -> None:
    by_type = caf.timeline.by_type
    assert sorted(by_type["month"].unique()) == [dt.date(2022, m, 1) for m in range(1, 13)]
    assert by_type["deaths"].sum() == caf.headline.deaths_best.value
    by_actor = caf.timeline.by_actor
    assert 0 < by_actor["actor"].nunique() <= 6  # the 5 deadliest actors and "other"
    # no accord milestones of the CAF agreement fall in 2022: the section says so
    assert caf.timeline.milestones.empty and caf.timeline.notes


def test_caf_who_fights_whom_matches_stats_by_actor(caf: Briefing, store: Path) -> None:
    expected = aw.stats(
        store, by=["actor"], country=CAF, since=caf.since, until=caf.until, source="ucdp-ged"
    ).set_index("actor")
    for row in caf.who.actors.itertuples(index=False):
        assert row.events == expected.loc[row.actor, "events"]
        assert row.deaths == expected.loc[row.actor, "deaths_best"]
    assert caf.who.dyads["deaths"].sum() == caf.headline.deaths_best.value
    assert caf.who.lineage.empty  # the registry records no coalitions in the CAF


def test_caf_map_shows_every_event_and_says_outlines_are_missing(
    caf: Briefing, store: Path
) -> None:
    area = caf.map
    assert area.geometry == {}  # Natural Earth admin-1 is bundled for Mali and neighbours only
    assert any("outlines" in n for n in area.notes)
    assert area.points["events"].sum() == caf.headline.events.value
    assert area.points["deaths"].sum() == caf.headline.deaths_best.value
    assert set(area.points["source"]) == {"events"} and len(area.points) <= MAX_POINTS
    regions = area.regions.set_index("admin1")
    assert regions["deaths"].sum() <= caf.headline.deaths_best.value
    ouaka = _stats(store, caf.since, caf.until, region="Ouaka")
    assert regions.loc["Ouaka", "deaths"] == ouaka["deaths_best"]


def test_caf_key_events_are_the_deadliest_and_the_newest(caf: Briefing, store: Path) -> None:
    events = aw.events(store, country=CAF, since=caf.since, until=caf.until, source="ucdp-ged")
    deadly = caf.key_events.deadliest
    assert len(deadly) == 10
    assert deadly["deaths_best"].tolist() == sorted(events["best"], reverse=True)[:10]
    assert caf.key_events.recent["date"].iloc[0] == events["date_start"].max().date()
    assert deadly["source"].str.startswith("UCDP GED 23.1, event ").all()
    assert caf.key_events.from_text.empty  # no reviewed text events of the CAF


def test_caf_accord_is_the_2019_agreement(caf: Briefing) -> None:
    accord = caf.accord
    assert accord.empty is None and accord.agreement_id == 1641  # the latest comprehensive one
    assert accord.status["status"] == "terminated"  # UCDP codes it as ended
    assert accord.index.empty and accord.notes  # no assessments: one line says so


def test_caf_alerts_are_in_the_period_and_linked_to_the_one_before(caf: Briefing) -> None:
    alerts = caf.warning.alerts
    assert len(alerts)
    assert alerts["month"].between(caf.since, caf.until).all()
    assert alerts["previous"].notna().all() and alerts["reason"].str.len().gt(0).all()
    # a unit alerting twice in the period: the later alert names the earlier one
    twice = alerts[alerts.duplicated("unit", keep=False)].sort_values("month")
    for _, rows in twice.groupby("unit"):
        first, later = rows.iloc[0], rows.iloc[1]
        assert later["previous"].startswith(first["month"].strftime("%B %Y"))


def test_sources_name_every_dataset_with_licence_and_attribution(caf: Briefing) -> None:
    names = [s.name for s in caf.sources]
    assert names[0].startswith("UCDP Georeferenced Event Dataset")
    ged = caf.sources[0]
    assert ged.version == "23.1" and ged.licence == "CC BY 4.0" and "Sundberg" in ged.attribution
    assert "2022-01-01 – 2022-12-31" in ged.filters and ged.accessed
    assert any(n.startswith("UCDP Peace Agreement") for n in names)
    assert any(n.startswith("VIEWS") for n in names)  # the forecast's series
    assert caf.provenance.version == aw.__version__ and "UCDP GED 23.1" in (
        caf.provenance.data_versions
    )
    assert caf.notes == []  # GED is there: nothing to load


def test_a_region_counts_only_its_events(store: Path) -> None:
    b = gather(CAF, region="Ouaka", db=store, model=FAST, since="2021", until="2022")
    expected = _stats(store, b.since, b.until, region="Ouaka")
    assert b.headline.deaths_best.value == expected["deaths_best"]
    regions = b.map.regions.set_index("admin1")
    assert regions.loc["Ouaka", "deaths"] == expected["deaths_best"]
    assert regions.drop(index="Ouaka")["deaths"].isna().all()  # not counted, not zero


def test_a_period_past_the_data_is_not_compared(store: Path) -> None:
    b = gather(CAF, db=store, model=FAST, since="2022-07", until="2023-06")
    assert b.headline.trend == "unknown"
    assert any("2022" in n for n in b.headline.notes)


# -- Mali: the bundled default, without event-level GED ---------------------------------------
def test_mali_headline_is_the_country_month_series(mali: Briefing) -> None:
    from accordwatch.forecast import load_views_cm, month_id

    head = mali.headline
    assert head.basis == "country-month"
    assert (mali.since, mali.until) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    panel = load_views_cm()
    series = panel[panel["unit"] == "Mali"].set_index("month_id")["y"]
    year = series.loc[month_id(2022, 1) : month_id(2022, 12)].sum()
    before = series.loc[month_id(2021, 1) : month_id(2021, 12)].sum()
    assert head.deaths_best.value == year
    assert head.previous_deaths.value == before
    assert head.events is None and head.deaths_low is None  # the series has neither
    assert head.trend == trend(year, before)
    assert head.command.startswith("accordwatch accords timeline --country Mali")
    assert mali.timeline.by_type["deaths"].sum() == year


def test_mali_says_how_to_load_ged_for_the_full_map(mali: Briefing) -> None:
    assert any("accordwatch ingest ucdp GEDEvent_v25_1.csv" in n for n in mali.notes)


def test_mali_map_outlines_wound_for_vega(mali: Briefing) -> None:
    from shapely.geometry import shape

    feats = mali.map.geometry["features"]
    assert sorted(f["properties"]["admin1"] for f in feats) == sorted(mali.map.regions["admin1"])
    assert len(feats) == 9
    for feat in feats:
        geom = shape(feat["geometry"])
        polygons = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        assert all(not p.exterior.is_ccw for p in polygons), feat["properties"]["admin1"]
    assert len(str(mali.map.geometry)) < 120_000  # simplified: small enough to inline
    # no event-level data: regions are not shaded rather than shaded as zero
    assert mali.map.regions["deaths"].isna().all()
    # the reviewed events with a place are the points: Ber and Kidal
    assert set(mali.map.points["place"]) >= {"Ber", "Kidal"}
    assert set(mali.map.points["source"]) == {"text"}


def test_mali_accord_terminated_by_the_government(mali: Briefing) -> None:
    accord = mali.accord
    assert accord.agreement_id == 30 and accord.signed == "2015-06-20"
    assert accord.status["status"] == "terminated"
    assert accord.status["date"] == "2024-01-25"
    assert accord.status["by"] == "Government of Mali"
    ms = mali.timeline.milestones
    assert ms["date"].tolist() == [dt.date(2022, 12, 1)]  # the CMA leaves the talks
    assert ms["precision"].tolist() == ["month"]


def test_mali_lineage_shows_cma_csp_fla(mali: Briefing) -> None:
    lineage = mali.who.lineage
    became = lineage[lineage["relation"] == "became"]
    pairs = set(zip(became["actor"], became["other"], strict=True))
    assert ("Coordination of Azawad Movements", "Permanent Strategic Framework") in pairs
    assert ("Permanent Strategic Framework", "Azawad Liberation Front") in pairs
    member = lineage[lineage["relation"] == "member of"]
    assert ("Coordination of Azawad Movements", "Permanent Strategic Framework") in set(
        zip(member["actor"], member["other"], strict=True)
    )
    assert mali.who.actors.empty and mali.who.notes  # no event-level actors: said so


def test_the_actor_registry_is_read_from_the_cache_as_it_was_built(
    mali: Briefing, store: Path
) -> None:
    from accordwatch.actors import ActorRegistry
    from accordwatch.brief import _cache, _gather_accord

    folder = _cache.cache_dir()  # a temporary folder (conftest.py)
    _gather_accord.registry.cache_clear()
    for old in folder.glob("actor-registry-*.pickle"):
        old.unlink()
    built = _gather_accord.registry()  # built, and kept in the cache
    (kept,) = folder.glob("actor-registry-*.pickle")
    _gather_accord.registry.cache_clear()
    read = _gather_accord.registry()  # read back
    assert isinstance(read, ActorRegistry) and read is not built
    assert read.to_frame().equals(built.to_frame())
    assert read.to_frame().equals(ActorRegistry.default().to_frame())
    again = gather("Mali", db=store, model=FAST)
    pd.testing.assert_frame_equal(again.who.lineage, mali.who.lineage)
    kept.write_bytes(b"not a pickle")  # a damaged file is built again
    _gather_accord.registry.cache_clear()
    assert _gather_accord.registry().to_frame().equals(built.to_frame())


def test_mali_reviewed_events_from_text_with_their_citation(mali: Briefing) -> None:
    text = mali.key_events.from_text
    assert len(text) >= 2
    assert text["date"].min() >= mali.since  # from the period's start on
    assert text["source"].str.contains("The New Humanitarian").all()
    assert text["url"].str.startswith("https://").all()
    ber = text[text["place"] == "Ber"].iloc[0]
    assert ber["precision"] == "month" and ber["date"] == dt.date(2023, 8, 1)
    assert any("after the period" in n for n in mali.notes)
    assert any(s.name.startswith("The New Humanitarian") for s in mali.sources)


def test_mali_map_dates_keep_the_month_precision(mali: Briefing) -> None:
    from accordwatch.brief._map import _point_values

    pts = mali.map.points
    ber = pts[pts["place"] == "Ber"].iloc[0]
    assert (ber["date_first"], ber["date_last"]) == (dt.date(2023, 8, 1), dt.date(2023, 8, 31))
    shown = {v["place"]: v["dates"] for v in _point_values(pts)}
    assert shown["Ber"] == "2023-08"  # not the first day of the month


def test_mali_forecast_is_stored_and_then_read(store: Path, mali: Briefing) -> None:
    fan = mali.warning.fan
    assert len(fan) == 12
    assert fan["p25"].between(0, 1).all() and (fan["p100"] <= fan["p25"]).all()
    assert (fan["lo90"] <= fan["median"]).all() and (fan["median"] <= fan["hi90"]).all()
    assert len(mali.warning.history) == 36
    again = gather("Mali", db=store, model=FAST)
    assert again.warning.forecast_note.startswith("Read from the forecast stored")
    assert again.warning.fan.equals(fan)


def test_a_new_store_fits_the_forecast_and_says_so(seeded_db: Path) -> None:
    b = gather("Mali", db=seeded_db, model=FAST, since="2022-07", until="2022-12")
    assert b.warning.forecast_note.startswith("No stored forecast matched the data: fitted now")


def test_implementation_index_and_stalled_provisions(seeded_db: Path) -> None:
    import accordwatch.accords as ac

    ac.import_assessments(DATA / "assessments_good.csv", db=seeded_db)
    b = gather("Mali", db=seeded_db, model=FAST, since="2020", until="2020")
    index = b.accord.index
    assert set(index["theme"]) >= {"overall", "defence-security"}
    overall = index[index["theme"] == "overall"].set_index("period")["index"]
    assert overall[dt.date(2020, 12, 31)] == pytest.approx(55.56)
    changes = b.accord.stalled.set_index("provision_id")["change"].to_dict()
    assert changes == {
        "mali2015.t3.c8.cantonment": "reversed",
        "mali2015.t2.interim-authorities": "suspended",
    }
    latest = b.accord.latest
    assert latest["date"].iloc[0] == dt.date(2020, 6, 30)
    assert latest["evidence"].iloc[0] == "Authorities not functioning"


def test_stalled_rule_on_constructed_histories() -> None:
    history = pd.DataFrame(
        {
            "assessment_id": [1, 2, 3, 4, 5],
            "provision_id": ["a", "a", "b", "b", "c"],
            "date": ["2016-01-01", "2017-01-01", "2016-01-01", "2019-06-01", "2016-01-01"],
            "score": ["1", "2", "2", "1", "3"],
        }
    )
    out = provision_changes(history, {"a": "A"}, dt.date(2020, 1, 1))
    rows = out.set_index("provision_id")
    assert rows.loc["a", "change"] == "stalled"  # at 2 since 2017: over 24 months
    assert rows.loc["a", "since"] == dt.date(2017, 1, 1) and rows.loc["a", "text"] == "A"
    assert rows.loc["b", "change"] == "reversed"  # fell from 2 to 1
    assert "c" not in rows.index  # full: never stalled
    earlier = provision_changes(history, {}, dt.date(2018, 6, 1)).set_index("provision_id")
    assert "a" not in earlier.index  # it rose 17 months before
    assert earlier.loc["b", "change"] == "stalled"  # at 2 for 29 months, not yet fallen


# -- empty sections, languages, errors --------------------------------------------------------
def test_empty_sections_say_so_in_one_line(store: Path) -> None:
    b = gather("Iceland", db=store, model=FAST)
    assert b.accord.empty == "No peace agreement located in Iceland is in the store."
    assert b.map.empty and b.who.empty and b.key_events.empty
    for section in (b.accord, b.map, b.who, b.key_events):
        assert "\n" not in section.empty
    assert b.accord.index.empty and b.map.points.empty and b.who.actors.empty
    assert b.headline.deaths_best.value == 0  # the series says none, which is a figure


def test_french_briefing(store: Path) -> None:
    b = gather("Mali", db=store, model=FAST, lang="fr")
    assert b.lang == "fr" and b.headline.title == "En bref"
    assert b.accord.status["label"] == "terminé"
    assert any("accordwatch ingest ucdp" in n and "carte complète" in n for n in b.notes)
    assert b.timeline.by_type["type"].unique().tolist() == ["étatique"]
    assert b.methods[0].startswith("Tendance : dégradation")
    assert b.warning.forecast_note.startswith("Lue dans la prévision enregistrée")


def test_words_are_the_same_keys_and_placeholders_in_both_languages() -> None:
    en, fr = words("en"), words("fr")
    assert set(en) == set(fr)
    fields = string.Formatter()
    for key in en:
        assert en[key] and fr[key], key
        names = {f for _, f, _, _ in fields.parse(en[key]) if f}
        assert names == {f for _, f, _, _ in fields.parse(fr[key]) if f}, key
    assert fr["title_map"] != en["title_map"]
    with pytest.raises(InputError, match="en or fr"):
        words("de")


def test_unknown_country_and_bad_dates(store: Path) -> None:
    with pytest.raises(NotFound, match="Did you mean: 'Mali'"):
        gather("Malia", db=store)
    with pytest.raises(InputError, match="--since"):
        gather("Mali", db=store, since="2022-13")
    with pytest.raises(InputError, match="--until"):
        gather("Mali", db=store, until="late 2022")
    with pytest.raises(InputError, match="after"):
        gather("Mali", db=store, since="2022-06", until="2022-01")


def test_points_are_grouped_to_at_most_5000() -> None:
    n = 6000
    frame = pd.DataFrame(
        {
            "latitude": [5 + (i % 100) * 0.01 for i in range(n)],
            "longitude": [18 + (i // 100) * 0.01 for i in range(n)],
            "best": [1] * n,
            "date_start": pd.Timestamp("2022-01-01"),
            "where_coordinates": "x",
        }
    )
    points, step = point_groups(frame, "events")
    assert len(points) <= MAX_POINTS and step > 0.001
    assert points["events"].sum() == n and points["deaths"].sum() == n


def test_country_outlines_are_simplified_once_and_then_read_from_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accordwatch.brief import _cache, _gather_map

    _gather_map._outlines.cache_clear()
    for old in _cache.cache_dir().glob("outlines-MLI-*.json"):
        old.unlink()
    made = _gather_map.admin1_outlines("MLI")
    assert {f["properties"]["admin1"] for f in made["features"]} >= {"Kidal", "Gao", "Mopti"}
    assert len(list(_cache.cache_dir().glob("outlines-MLI-*.json"))) == 1

    def no_shapely(iso3: str) -> str:
        raise AssertionError("simplified again")

    monkeypatch.setattr(_gather_map, "_simplified", no_shapely)
    _gather_map._outlines.cache_clear()  # a new process: the cache folder answers
    assert _gather_map.admin1_outlines("MLI") == made
    _gather_map._outlines.cache_clear()
