"""The key events: the deadliest and the most recent counted events of the period, and the
reviewed events from text, each with the line that names its source.

A text event's source is its report (publisher, title, date, link: the store's
``source_office``, ``source_title``, ``source_date``, ``source_url``); a UCDP event's is the
dataset, its id and the report UCDP coded it from (``source_article``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ._ctx import SOURCE_NAMES, Context, month_end
from ._model import KeyEvents

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EVENT_COLUMNS",
    "TOP_EVENTS",
    "claim_rows",
    "event_rows",
    "event_type",
    "key_events",
    "type_label",
]

#: events in each key-event list
TOP_EVENTS = 10

#: the event columns a briefing reads
EVENT_COLUMNS = [
    "source",
    "source_event_id",
    "date_start",
    "date_end",
    "type_of_violence",
    "event_type",
    "side_a",
    "side_b",
    "actors",
    "best",
    "low",
    "high",
    "latitude",
    "longitude",
    "where_coordinates",
    "admin1",
    "adm_1",
    "source_article",
    "source_office",
    "source_title",
    "source_date",
    "source_url",
    "code_status",
]

_TYPES = {1: "type_state_based", 2: "type_non_state", 3: "type_one_sided"}


def event_type(ctx: Context, kind: str) -> str:
    """The words for an event type of a reviewed event (``clash``, ``base_seizure`` …)."""
    from ._i18n import words

    return words(ctx.lang).get(f"event_{kind}", kind.replace("_", " "))


def type_label(ctx: Context, code: Any) -> str:
    """The words for a UCDP type of violence (1, 2, 3; anything else is "other or unknown")."""
    import pandas as pd

    key = _TYPES.get(int(code)) if pd.notna(code) else None
    return ctx.w(key or "type_unknown")


def _precision(start: Any, end: Any) -> str:
    import pandas as pd

    if pd.isna(start):
        return "day"
    a = pd.Timestamp(start).date()
    b = pd.Timestamp(end).date() if pd.notna(end) else a
    if a == b:
        return "day"
    if a.day == 1 and b == month_end(a):
        return "month"
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
        return "year"
    return "range"


def _citation(rec: dict[str, Any], version: str) -> str:
    """A line naming where an event comes from: a text event's publisher, title and date; a
    UCDP event's dataset, id and the report UCDP coded it from."""
    import pandas as pd

    def text(key: str) -> str:
        value = rec.get(key)
        return (
            "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        )

    source = text("source")
    if source.startswith("text:"):
        parts = [
            text("source_office"),
            f"“{text('source_title')}”" if text("source_title") else "",
            text("source_date"),
        ]
        return ", ".join(p for p in parts if p)
    name = SOURCE_NAMES.get(source, source)
    line = f"{name} {version}".strip() + f", event {text('source_event_id')}"
    return line + (f" ({text('source_article')})" if text("source_article") else "")


def _actors_text(rec: dict[str, Any]) -> str:
    names: list[str] = []
    for key in ("side_a", "side_b"):
        if isinstance(rec.get(key), str) and rec[key] not in names:
            names.append(rec[key])
    if isinstance(rec.get("actors"), str):
        names += [n for n in rec["actors"].split("; ") if n and n not in names]
    return "; ".join(names)


def event_rows(ctx: Context, frame: pd.DataFrame, version: str = "") -> pd.DataFrame:
    """Event rows in the layout of :class:`~accordwatch.brief._model.KeyEvents` (plus
    ``date_end``, ``precision`` and ``background``)."""
    import pandas as pd

    cols = [
        "date",
        "date_end",
        "precision",
        "place",
        "admin1",
        "actors",
        "type",
        "deaths_best",
        "deaths_low",
        "deaths_high",
        "source",
        "url",
        "event_id",
        "background",
    ]
    rows = []
    for rec in cast("list[dict[str, Any]]", frame.to_dict(orient="records")):
        kind = rec.get("event_type")
        rows.append(
            {
                "date": pd.Timestamp(rec["date_start"]).date(),
                "date_end": pd.Timestamp(rec["date_end"]).date()
                if pd.notna(rec.get("date_end"))
                else None,
                "precision": _precision(rec["date_start"], rec.get("date_end")),
                "place": rec["where_coordinates"]
                if isinstance(rec.get("where_coordinates"), str)
                else None,
                "admin1": rec["admin1"] if isinstance(rec.get("admin1"), str) else None,
                "actors": _actors_text(rec),
                "type": event_type(ctx, kind)
                if isinstance(kind, str)
                else type_label(ctx, rec.get("type_of_violence")),
                "deaths_best": rec.get("best"),
                "deaths_low": rec.get("low"),
                "deaths_high": rec.get("high"),
                "source": _citation(rec, version),
                "url": rec["source_url"] if isinstance(rec.get("source_url"), str) else None,
                "event_id": f"{rec['source']}|{rec['source_event_id']}",
                "background": str(rec.get("code_status") or "").endswith("background"),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    for c in ("deaths_best", "deaths_low", "deaths_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Float64")
    return out


def key_events(ctx: Context, version: str) -> KeyEvents:
    import pandas as pd

    keys = KeyEvents(title=ctx.w("title_key_events"))
    ev = ctx.events if ctx.events is not None else pd.DataFrame(columns=EVENT_COLUMNS)
    if len(ev):
        deadly = ev.assign(_b=ev["best"].fillna(-1)).sort_values(
            ["_b", "date_start"], ascending=[False, False], kind="stable"
        )
        keys.deadliest = event_rows(ctx, deadly.head(TOP_EVENTS), version)
        recent = ev.sort_values(["date_start", "source_event_id"], ascending=False, kind="stable")
        keys.recent = event_rows(ctx, recent.head(TOP_EVENTS), version)
        keys.command = ctx.command("events", **ctx.filters(), limit=TOP_EVENTS)
    else:
        keys.deadliest = event_rows(ctx, ev)
        keys.recent = event_rows(ctx, ev)
    text = ctx.text_events if ctx.text_events is not None else ev.iloc[0:0]
    keys.from_text = event_rows(
        ctx, text.sort_values(["date_start", "source_event_id"], kind="stable")
    )
    keys.claims = claim_rows(ctx, [f for f in (ctx.events, ctx.text_events) if f is not None])
    if len(keys.claims):
        keys.notes.append(ctx.w("note_claims"))
    if keys.deadliest.empty and keys.from_text.empty:
        keys.empty = ctx.w("empty_key_events", country=ctx.name)
    return keys


def claim_rows(ctx: Context, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The claims about the events of ``frames`` (or their incidents), each naming its
    claimant and source, beside the figure counted for the event (the layout of
    :attr:`KeyEvents.claims`, plus ``linked``); then the other claims about the briefing's
    country (and region) and period — about no event, or about an event not among
    ``frames`` — with no figure, ``linked`` false and the status saying they are not linked
    to a counted event."""
    import pandas as pd

    from .._app.claims import claims_for_events, claims_in_area

    cols = [
        "date",
        "claimant",
        "claim",
        "deaths_claimed",
        "figure_low",
        "figure_best",
        "figure_high",
        "event_id",
        "source",
        "url",
        "status",
        "linked",
    ]
    keys = [
        (str(s), str(i))
        for f in frames
        if len(f)
        for s, i in zip(f["source"], f["source_event_id"], strict=True)
    ]
    found = claims_for_events(keys, db=ctx.db) if keys else pd.DataFrame()
    area = claims_in_area(ctx.name, ctx.region, ctx.since, ctx.until, db=ctx.db)
    if len(found):
        area = area[~area["claim_id"].isin(found["claim_id"])]
    records = cast("list[dict[str, Any]]", found.to_dict(orient="records"))
    records += [
        {**r, "fig_source": r.get("ev_source"), "fig_id": r.get("ev_id"), "_unlinked": True}
        for r in cast("list[dict[str, Any]]", area.to_dict(orient="records"))
    ]
    rows = []
    for rec in records:
        kind = str(rec.get("kind") or "other")
        deaths: Any = rec.get("deaths")
        has_n = deaths is not None and pd.notna(deaths)
        claim = ctx.w(f"claim_{kind}", n=int(deaths) if has_n else "?")
        if isinstance(rec.get("target"), str) and rec["target"]:
            claim += f" ({rec['target']})"
        day = rec.get("claimed_on")
        rows.append(
            {
                "date": pd.Timestamp(day).date() if pd.notna(day) else rec.get("claim_date"),
                "claimant": rec["claimant"],
                "claim": claim,
                "deaths_claimed": int(deaths) if has_n else None,
                "figure_low": rec.get("fig_low"),
                "figure_best": rec.get("fig_best"),
                "figure_high": rec.get("fig_high"),
                "event_id": f"{rec['fig_source']}|{rec['fig_id']}"
                if isinstance(rec.get("fig_source"), str)
                else None,
                "source": rec["source"],
                "url": rec["source_url"] if isinstance(rec.get("source_url"), str) else None,
                "status": ctx.w(
                    "claim_status_unlinked" if rec.get("_unlinked") else "claim_status"
                ),
                "linked": not rec.get("_unlinked"),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    for c in ("deaths_claimed", "figure_low", "figure_best", "figure_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Float64")
    return out
