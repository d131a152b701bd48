"""The bundled text events: the founding briefing's events, reviewed and cited, without its text."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import accordwatch as aw
from accordwatch._app.seed import (
    SEED_REVIEWER,
    TEXT_EVENT_FILES,
    TEXT_EVENT_SOURCES,
    needs_text_events,
)
from accordwatch.geo import admin1_names
from accordwatch.store import Store

_TEXT_COLUMNS = (
    "where_description",
    "where_coordinates",
    "admin1",
    "adm_1",
    "side_a",
    "side_b",
    "event_type",
    "evidence",
    "source_title",
    "source_headline",
    "source_office",
    "source_date",
    "source_article",
    "source_url",
    "code_status",
)
#: actor names are the registry's, some longer than a text field of ours may be
_NAME_COLUMNS = ("actors",)


def _data_file(name: str) -> Any:
    path = resources.files("accordwatch").joinpath("data", "text_events", name)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _strings(value: Any) -> list[str]:
    """Every string of a loaded YAML tree."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {str(k) for k in value} | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.fixture(scope="module")
def text_events(seeded_template: Path) -> pd.DataFrame:
    return aw.events(seeded_template, country="Mali", source="text")


def test_the_data_file_holds_facts_and_short_words_only() -> None:
    for name in TEXT_EVENT_FILES:
        data = _data_file(name)
        keys = _keys(data)
        assert "evidence" not in keys and "note" not in keys and "text" not in keys
        for value in _strings(data):
            assert len(value) <= 80, value
        assert data["document"]["url"] == "https://www.thenewhumanitarian.org"
        assert "not recorded" in data["document"]["url_note"]
    sources = tuple(f"text:{_data_file(n)['document']['doc_id']}" for n in TEXT_EVENT_FILES)
    assert sources == TEXT_EVENT_SOURCES


def test_a_new_store_lists_the_nine_reviewed_events_for_mali(text_events: pd.DataFrame) -> None:
    assert len(text_events) == 9
    assert set(text_events.country) == {"Mali"}
    assert set(text_events.source) == set(TEXT_EVENT_SOURCES)
    assert text_events.source_event_id.is_unique
    assert set(text_events.code_status) == {"reviewed", "reviewed: background"}
    assert (text_events.code_status == "reviewed").sum() == 4  # the briefing's core events
    placed = text_events[text_events.where_description.notna()]
    assert set(placed.where_description) == {"Ber", "Kidal"}
    assert set(placed.admin1) <= set(admin1_names("Mali"))
    assert placed.latitude.notna().all() and placed.priogrid_gid.notna().all()
    unplaced = text_events[text_events.where_description.isna()]
    assert unplaced.latitude.isna().all() and (unplaced.where_prec == 6).all()
    assert text_events.best.isna().all()  # deaths not reported: unknown, never zero


def test_dates_keep_the_briefing_precision(text_events: pd.DataFrame) -> None:
    by_id = text_events.set_index(text_events.source_event_id.str.rsplit("-", n=1).str[1])
    ber = by_id.loc["e1"]
    assert (ber.date_start.date().isoformat(), ber.date_end.date().isoformat()) == (
        "2023-08-01",
        "2023-08-31",
    )
    assert ber.date_prec == 4 and ber.type_of_violence == 1
    raids = by_id.loc["e4"]  # bounded by the publication date, not dated
    assert raids.date_end.date().isoformat() == "2023-10-05" and raids.date_prec == 5
    assert by_id.loc["e9"].date_start.year == 2012 and by_id.loc["e9"].date_prec == 5


def test_every_event_is_cited_and_no_text_field_is_long(text_events: pd.DataFrame) -> None:
    assert set(text_events.source_office) == {"The New Humanitarian"}
    assert set(text_events.source_title) == {
        "Briefing: Why Mali's peace deal with northern rebels is on the brink"
    }
    assert set(text_events.source_date) == {"2023-10-05"}
    assert set(text_events.source_url) == {"https://www.thenewhumanitarian.org"}
    assert text_events.source_article.str.contains("article URL not recorded").all()
    assert text_events.source_article.str.contains("day not recorded").all()
    assert text_events.evidence.str.startswith("[summary] ").all()
    for col in _TEXT_COLUMNS:
        values = text_events[col].dropna().astype(str)
        assert (values.str.len() <= 80).all(), (col, values[values.str.len() > 80].tolist())
    for col in _NAME_COLUMNS:  # registry names, joined
        names = text_events[col].dropna().str.split("; ").explode()
        assert (names.str.len() <= 80).all()


def test_they_count_in_stats_and_are_accepted_reviews(seeded_template: Path) -> None:
    by_source = aw.stats(seeded_template, by=["source"]).set_index("source")
    assert by_source.loc["text", "events"] == 9
    mali = aw.stats(seeded_template, country="Mali", by=["year"])
    assert mali.events.sum() == 9
    queue = aw.review_list(db=seeded_template, status="accepted")
    assert len(queue) == 9
    shown = aw.review_show(int(queue.candidate_id.iloc[0]), db=seeded_template)
    assert shown["title"].startswith("Briefing:") and shown["event_id"]
    assert shown["log"][-1]["action"] == "accepted"
    assert SEED_REVIEWER in shown["log"][-1]["detail"]


def test_actors_are_registry_names(text_events: pd.DataFrame, seeded_template: Path) -> None:
    names = set(text_events.actors.dropna().str.split("; ").explode())
    assert names == {
        "Coordination of Azawad Movements",
        "Government of Mali",
        "United Nations Multidimensional Integrated Stabilization Mission in Mali",
        "Wagner Group",
    }
    cma = aw.events(seeded_template, source="text", actor="CMA")
    assert set(cma.source_event_id.str.rsplit("-", n=1).str[1]) == {"e1", "e3", "e4"}


def _seeded_before_text_events(path: Path, template: Path) -> None:
    """A copy of a seeded store as it was before the text events were bundled."""
    import shutil

    shutil.copy(template, path)
    with Store.open(path) as store:
        store._con.execute("DELETE FROM events WHERE source LIKE 'text:%'")
        store._con.execute("DELETE FROM review_log")
        store._con.execute("DELETE FROM review_candidates")
        store._con.execute("DELETE FROM review_documents")
        store._con.execute("DELETE FROM meta WHERE key = 'seed_text_events'")
        assert needs_text_events(store)


def test_a_store_seeded_before_them_gets_them_once(seeded_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _seeded_before_text_events(path, seeded_template)
    assert len(aw.events(path, country="Mali", source="text")) == 9  # a read fills them
    aw.open_store(path).close()
    assert len(aw.events(path, source="text")) == 9  # once
    with Store.open(path, read_only=True) as store:
        assert not needs_text_events(store)
        assert store.count("review_candidates") == 9


def test_a_store_kept_empty_gets_none(empty_db: Path) -> None:
    aw.open_store(empty_db).close()
    with Store.open(empty_db, read_only=True) as store:
        assert not needs_text_events(store)
        assert store.count("events") == 0


def test_unreported_deaths_are_not_zero_and_political_acts_not_violations(
    seeded_template: Path,
) -> None:
    import datetime as dt
    import math

    import accordwatch.accords as ac

    months = ac.timeline(30, db=seeded_template).set_index("month")
    for month in (dt.date(2023, 6, 1), dt.date(2023, 8, 1)):  # text events, deaths unknown
        assert math.isnan(months.loc[month, "fatalities"])
    v = ac.violations(30, db=seeded_template)
    bundled = v[v.source.isin(TEXT_EVENT_SOURCES)]
    assert set(bundled.source_event_id.str.rsplit("-", n=1).str[1]) == {"e1", "e4"}
    assert set(bundled.relation) == {"between signatories"}
