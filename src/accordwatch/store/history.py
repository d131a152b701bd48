"""Versions of an event over time (ACLED and UCDP revise past events)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import NotFound
from .db import Store
from .schema import CONTENT_COLUMNS

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = ["event_history"]


def event_history(store: Store, source: str, source_event_id: str) -> pd.DataFrame:
    """Every stored version of one event, oldest first; the current version is last
    (``version`` counts from 1, ``replaced_by_run`` is empty for the current one)."""
    cols = ", ".join(("source", "source_event_id", *CONTENT_COLUMNS, "run_id"))
    df = store.query(
        f"SELECT {cols}, replaced_by_run, replaced_at FROM events_history "
        "WHERE source = ? AND source_event_id = ? "
        f"UNION ALL SELECT {cols}, NULL, NULL FROM events WHERE source = ? AND source_event_id = ? "
        "ORDER BY replaced_at NULLS LAST",
        [source, source_event_id, source, source_event_id],
    )
    if df.empty:
        raise NotFound(f"no event {source}:{source_event_id} in the store")
    df.insert(0, "version", range(1, len(df) + 1))
    return df
