"""A news record of a stored GED event and the claims about them: the store the tests of
incidents and claims start from (the briefing's claims, the web app's incidents)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import accordwatch as aw
from accordwatch._app import claims as cl
from accordwatch.sources import Batch
from accordwatch.store import Store, ingest_batches
from accordwatch.store.schema import rows_to_table

CAF = "Central African Republic"


def add_news_of_ged(path: Path, doc: str, *, country: str = CAF) -> tuple[Any, str, str]:
    """Store a news record (source ``text:<doc>``, id ``<doc>-1``, kind review) of the first
    GED event of 2021 in ``country`` placed and dated exactly with deaths: the same day and
    sides, 0.01° further north, 7 deaths more.  Not linked yet.  Returns the GED event (a
    row of :func:`accordwatch.events`), the news record's key and the GED event's key."""
    ged = aw.events(
        path, country=country, since="2021-01-01", until="2021-12-31", source="ucdp-ged"
    )
    g = ged[(ged["where_prec"] == 1) & (ged["date_prec"] == 1) & (ged["best"] > 0)].iloc[0]
    row = {
        "source": f"text:{doc}",
        "source_event_id": f"{doc}-1",
        "date_start": g["date_start"].date(),
        "date_end": g["date_start"].date(),
        "latitude": g["latitude"] + 0.01,
        "longitude": g["longitude"],
        "where_prec": 1,
        "side_a": g["side_a"],
        "side_b": g["side_b"],
        "type_of_violence": g["type_of_violence"],
        "country": country,
        "country_id": g["country_id"],
        "best": int(g["best"]) + 7,
    }
    batch = Batch(file="t", source=row["source"], table=rows_to_table([row]), rows_read=1)
    with Store.open(path) as st:
        ingest_batches(st, [batch], kind="review")
    return g, f"text:{doc}|{doc}-1", f"ucdp-ged|{g['source_event_id']}"


def add_two_claims(
    path: Path, g: Any, news_key: str, ged_key: str, *, evidence: str, claimed_on: str
) -> None:
    """Two claims by amina: side A of the GED event ``g`` says it killed 120 rebels (about
    the news record, with ``evidence``, a source and a URL, made on ``claimed_on``), side B
    claims the attack (about the GED event)."""
    cl.claim_add(
        claimant=str(g["side_a"]),
        kind="deaths",
        deaths=120,
        target="rebels",
        evidence=evidence,
        source="Radio Ndeke Luka",
        url="https://example.org/claim",
        claimed_on=claimed_on,
        event=news_key,
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
