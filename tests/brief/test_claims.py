"""Claims in a briefing: beside the low / best / high figure counted for their incident, each
naming its claimant and source, "claimed, not confirmed" — and never in a count."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import accordwatch as aw
from accordwatch._app import claims as cl
from accordwatch._app import incidents as inc
from accordwatch.brief._html import render_html
from accordwatch.brief._model import Briefing
from linked_news import CAF, add_news_of_ged, add_two_claims

SINCE, UNTIL = "2021-01-01", "2021-12-31"


@pytest.fixture(scope="module")
def store(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A copy of the seeded store with a news report of a 2021 GED event, linked to it, and
    two claims: one about the news record (the incident's secondary), one about the GED
    event."""
    path = tmp_path_factory.mktemp("brief-claims") / "store.duckdb"
    shutil.copy(seeded_template, path)
    g, text_key, ged_key = add_news_of_ged(path, "doc-brief")
    headline = aw.stats(path, by=["source"], country=CAF, since=SINCE, until=UNTIL)
    done = inc.link_incidents(path, country=CAF)
    assert done["linked"] >= 1
    assert inc.incident_why(text_key, ged_key, db=path)["same_incident"]
    claimed_on = str(g["date_start"].date() + dt.timedelta(days=1))
    add_two_claims(
        path,
        g,
        text_key,
        ged_key,
        evidence="The army says it killed 120 rebels.",
        claimed_on=claimed_on,
    )
    return {"path": path, "ged": g, "headline": headline}


@pytest.fixture(scope="module")
def briefing(store: dict[str, object]) -> Briefing:
    from accordwatch.brief import gather

    return gather(CAF, db=store["path"], since=SINCE, until=UNTIL, model="conflictology")


def test_claims_sit_beside_the_counted_figure(store: dict[str, object], briefing: Briefing) -> None:
    claims = briefing.key_events.claims
    g = store["ged"]
    assert list(claims["claimant"]) == [g["side_a"], g["side_b"]]  # type: ignore[index]
    first = claims.iloc[0]
    assert first["deaths_claimed"] == 120 and "120 deaths claimed (rebels)" == first["claim"]
    assert first["figure_best"] == g["best"]  # type: ignore[index]  # the GED figure counted
    assert first["event_id"] == f"ucdp-ged|{g['source_event_id']}"  # type: ignore[index]
    assert (first["source"], first["url"]) == ("Radio Ndeke Luka", "https://example.org/claim")
    assert set(claims["status"]) == {"claimed, not confirmed"}
    assert any("never added" in n for n in briefing.key_events.notes)


def test_claims_and_linked_records_are_not_counted(
    store: dict[str, object], briefing: Briefing
) -> None:
    before = store["headline"]
    after = aw.stats(store["path"], by=["source"], country=CAF, since=SINCE, until=UNTIL)
    ged_before = before[before["source"] == "ucdp-ged"]["deaths_best"].sum()  # type: ignore[index]
    assert after[after["source"] == "ucdp-ged"]["deaths_best"].sum() == ged_before
    assert "text" not in set(after["source"])  # the linked news record is not counted again
    assert briefing.headline.deaths_best.value == ged_before  # type: ignore[union-attr]


def test_claims_in_the_page_in_english_and_french(
    store: dict[str, object], briefing: Briefing
) -> None:
    html = render_html(briefing)
    assert "Claims by the parties (claimed, not confirmed)" in html
    assert "120 deaths claimed" in html and "Radio Ndeke Luka" in html
    from accordwatch.brief import gather

    fr = gather(CAF, db=store["path"], since=SINCE, until=UNTIL, model="conflictology", lang="fr")
    page = render_html(fr)
    assert "Revendications des parties" in page and "120 morts revendiqués" in page
    assert "affirmé, non confirmé" in page


@pytest.fixture(scope="module")
def area_store(store: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``store`` with claims about no event: one in the briefing's region and
    period, one in Mali, one in the region three years before."""
    path = tmp_path_factory.mktemp("brief-area") / "store.duckdb"
    shutil.copy(store["path"], path)  # type: ignore[arg-type]
    region = str(store["ged"]["admin1"])  # type: ignore[index]
    common = {"kind": "deaths", "source": "a party's statement", "by": "amina", "db": path}
    cl.claim_add(
        claimant="FACA",
        deaths=40,
        target="rebels",
        evidence="The army says 40 rebels were killed in the region.",
        date="2021-06",
        admin1=region,
        **common,  # type: ignore[arg-type]
    )
    cl.claim_add(
        claimant="FAMa",
        deaths=30,
        evidence="The army says it neutralised 30 terrorists.",
        date="2021-06-02",
        admin1="Gao",
        **common,  # type: ignore[arg-type]
    )
    cl.claim_add(
        claimant="FACA",
        deaths=9,
        evidence="An old statement.",
        date="2018",
        admin1=region,
        **common,  # type: ignore[arg-type]
    )
    return path


def test_claims_about_no_event_of_the_area_and_period(
    store: dict[str, object], area_store: Path
) -> None:
    from accordwatch.brief import gather

    region = str(store["ged"]["admin1"])  # type: ignore[index]
    found = cl.claims_in_area(CAF, None, SINCE, UNTIL, db=area_store)
    # the two about the linked incident and the one of the region; not Mali's nor 2018's
    assert set(found["deaths"].dropna()) == {120, 40}
    assert set(cl.claims_in_area("Mali", None, SINCE, UNTIL, db=area_store)["deaths"]) == {30}
    assert 40 not in set(cl.claims_in_area(CAF, "Vakaga", SINCE, UNTIL, db=area_store)["deaths"])
    assert set(cl.claims_in_area(CAF, region, SINCE, UNTIL, db=area_store)["deaths"]) >= {40}
    b = gather(CAF, db=area_store, since=SINCE, until=UNTIL, model="conflictology")
    claims = b.key_events.claims
    loose = claims[~claims["linked"].astype(bool)]
    assert list(loose["deaths_claimed"]) == [40]
    row = loose.iloc[0]
    assert row["status"] == "claimed, not confirmed; not linked to a counted event"
    assert pd_isna(row["figure_best"]) and pd_isna(row["event_id"])
    assert claims["linked"].astype(bool).sum() == 2  # the two about the linked incident
    assert "not linked to a counted event" in render_html(b)
    by_region = gather(
        CAF, db=area_store, region=region, since=SINCE, until=UNTIL, model="conflictology"
    )
    assert 40 in set(by_region.key_events.claims["deaths_claimed"].dropna())
    fr = gather(CAF, db=area_store, since=SINCE, until=UNTIL, model="conflictology", lang="fr")
    assert "lié à aucun événement compté" in render_html(fr)


def test_a_claim_about_an_event_is_placed_where_the_event_is(
    store: dict[str, object], area_store: Path, tmp_path: Path
) -> None:
    """A claim about a stored event is in the area of the event's region, not of another
    region of the same country."""
    g = store["ged"]
    region = str(g["admin1"])  # type: ignore[index]
    other = aw.events(store["path"], country=CAF, since=SINCE, until=UNTIL, source="ucdp-ged")
    far = other[other["admin1"] != region].iloc[0]
    path = tmp_path / "s.duckdb"
    shutil.copy(area_store, path)
    cl.claim_add(
        claimant="FACA",
        kind="capture",
        evidence="The army says it took the town.",
        source="a statement",
        event=f"ucdp-ged|{far['source_event_id']}",
        by="amina",
        db=path,
    )
    inside = cl.claims_in_area(CAF, str(far["admin1"]), SINCE, UNTIL, db=path)
    assert "capture" in set(inside["kind"])
    elsewhere = cl.claims_in_area(CAF, region, SINCE, UNTIL, db=path)
    assert "capture" not in set(elsewhere["kind"])


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
