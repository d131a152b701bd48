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
from accordwatch.sources import Batch
from accordwatch.store import Store, ingest_batches
from accordwatch.store.schema import rows_to_table

CAF = "Central African Republic"
SINCE, UNTIL = "2021-01-01", "2021-12-31"


@pytest.fixture(scope="module")
def store(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A copy of the seeded store with a news report of a 2021 GED event, linked to it, and
    two claims: one about the news record (the incident's secondary), one about the GED
    event."""
    path = tmp_path_factory.mktemp("brief-claims") / "store.duckdb"
    shutil.copy(seeded_template, path)
    ged = aw.events(path, country=CAF, since=SINCE, until=UNTIL, source="ucdp-ged")
    g = ged[(ged["where_prec"] == 1) & (ged["date_prec"] == 1) & (ged["best"] > 0)].iloc[0]
    row = {
        "source": "text:doc-brief",
        "source_event_id": "doc-brief-1",
        "date_start": g["date_start"].date(),
        "date_end": g["date_start"].date(),
        "latitude": g["latitude"] + 0.01,
        "longitude": g["longitude"],
        "where_prec": 1,
        "side_a": g["side_a"],
        "side_b": g["side_b"],
        "type_of_violence": g["type_of_violence"],
        "country": CAF,
        "country_id": g["country_id"],
        "best": int(g["best"]) + 7,
    }
    batch = Batch(file="t", source=row["source"], table=rows_to_table([row]), rows_read=1)
    with Store.open(path) as st:
        ingest_batches(st, [batch], kind="review")
    headline = aw.stats(path, by=["source"], country=CAF, since=SINCE, until=UNTIL)
    done = inc.link_incidents(path, country=CAF)
    assert done["linked"] >= 1
    text_key = "text:doc-brief|doc-brief-1"
    ged_key = f"ucdp-ged|{g['source_event_id']}"
    assert inc.incident_why(text_key, ged_key, db=path)["same_incident"]
    cl.claim_add(
        claimant=str(g["side_a"]),
        kind="deaths",
        deaths=120,
        target="rebels",
        evidence="The army says it killed 120 rebels.",
        source="Radio Ndeke Luka",
        url="https://example.org/claim",
        claimed_on=str(g["date_start"].date() + dt.timedelta(days=1)),
        event=text_key,
        by="amina",
        db=path,
    )
    cl.claim_add(
        claimant=str(g["side_b"]),
        kind="responsibility",
        evidence="The group claimed the attack.",
        source="a statement",
        event=ged_key,
        by="amina",
        db=path,
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
