"""Pure rules behind the review queue: candidate → event row, duplicates, edits.

The SQL lives in :mod:`accordwatch.store.review`; this module only turns values into
values, so it is tested without a store.

>>> cand = {"candidate_id": 7, "doc_id": "doc-abc", "event_date": "2023-08",
...         "date_precision": "month", "place": "Ber", "admin1": "Timbuktu",
...         "latitude": 16.83, "longitude": -2.53, "location_precision": "town",
...         "actors": "Coordination of Azawad Movements; Government of Mali",
...         "actor_ids": "ucdp:1158; ucdp:72", "event_type": "clash", "fatalities": None,
...         "evidence": "Clashes erupted in Ber."}
>>> row = event_row(cand, {"doc_id": "doc-abc", "title": "T", "url": None, "published": None})
>>> row["source"], row["date_start"], row["date_end"], row["date_prec"], row["side_a"]
('text:doc-abc', datetime.date(2023, 8, 1), datetime.date(2023, 8, 31), 4, 'Government of Mali')
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from accordwatch.errors import InputError
from accordwatch.extract._model import EVENT_TYPES

__all__ = ["EDITABLE", "check_edits", "date_range", "event_row", "find_duplicates"]

#: Fields a reviewer may change, with what they hold.
EDITABLE = {
    "event_date": "YYYY-MM-DD, YYYY-MM or YYYY",
    "place": "a gazetteer place name (coordinates and admin-1 follow)",
    "admin1": "admin-1 region, any spelling",
    "actors": "'; '-separated actor names or aliases",
    "event_type": ", ".join(EVENT_TYPES),
    "fatalities": "a whole number ≥ 0, or 'none'",
    "evidence": "the evidence sentence",
}
_GED_DATE_PREC = {"day": 1, "month": 4, "year": 5}
_GED_WHERE_PREC = {"town": 1, "site": 1, "area": 3, "admin1": 4}
_STATE_BASED = {"clash", "airstrike", "drone_strike", "ambush", "ied", "base_seizure"}
_DATE_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def date_range(value: str) -> tuple[dt.date, dt.date, str]:
    """First day, last day and precision of ``YYYY[-MM[-DD]]``.

    >>> date_range("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), 'month')
    """
    if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
        raise InputError(f"date {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    parts = [int(p) for p in value.strip().split("-")]
    try:
        if len(parts) == 3:
            d = dt.date(*parts)
            return d, d, "day"
        if len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            return dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], last), "month"
    except (ValueError, calendar.IllegalMonthError) as exc:
        raise InputError(f"date {value!r} does not exist ({exc})") from None
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), "year"


def _split(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _sides(actors: list[str], ids: list[str]) -> tuple[str | None, str | None]:
    """Government first (GED's side A), then the others in text order."""
    order = sorted(
        range(len(actors)),
        key=lambda i: (
            0
            if (i < len(ids) and ids[i] == "ucdp:72") or actors[i].startswith("Government of")
            else 1,
            i,
        ),
    )
    names = [actors[i] for i in order]
    return (names[0] if names else None, names[1] if len(names) > 1 else None)


def _violence(event_type: str, actors: list[str]) -> int | None:
    if event_type == "attack_on_civilians":
        return 3
    if event_type in _STATE_BASED and actors:
        return 1 if any(a.startswith("Government of") for a in actors) else 2
    return None


def event_row(
    cand: Mapping[str, Any],
    doc: Mapping[str, Any],
    *,
    country: str = "Mali",
    country_id: int | None = 432,
) -> dict[str, Any]:
    """The event a reviewed candidate becomes (columns of the store's event table)."""
    from accordwatch.geo import priogrid_gid

    actors, ids = _split(cand.get("actors")), _split(cand.get("actor_ids"))
    side_a, side_b = _sides(actors, ids)
    row: dict[str, Any] = {
        "source": f"text:{doc['doc_id']}",
        "source_event_id": f"{doc['doc_id']}-{int(cand['candidate_id'])}",
        "event_type": cand["event_type"],
        "evidence": cand["evidence"],
        "actors": "; ".join(actors) or None,
        "side_a": side_a,
        "side_b": side_b,
        "type_of_violence": _violence(cand["event_type"], actors),
        "source_url": doc.get("url"),
        "source_title": doc.get("title"),
        "source_headline": doc.get("title"),
        "source_office": None,
        "source_date": str(doc["published"]) if doc.get("published") else None,
        "number_of_sources": 1,
        "event_clarity": 1,
        "country": country,
        "country_id": country_id,
        "code_status": "reviewed",
    }
    if cand.get("event_date"):
        first, last, prec = date_range(str(cand["event_date"]))
        row.update(
            date_start=first,
            date_end=last,
            year=first.year,
            active_year=None,
            date_prec=_GED_DATE_PREC[prec],
        )
    lat, lon = cand.get("latitude"), cand.get("longitude")
    if lat is not None and lon is not None and not (pd.isna(lat) or pd.isna(lon)):
        row.update(
            latitude=float(lat),
            longitude=float(lon),
            priogrid_gid=priogrid_gid(float(lat), float(lon)),
        )
    row["where_prec"] = _GED_WHERE_PREC.get(str(cand.get("location_precision")), 6)
    place = cand.get("place") if isinstance(cand.get("place"), str) else None
    row["where_description"] = place or cand.get("admin1")
    row["where_coordinates"] = place or cand.get("admin1")
    row["adm_1"] = row["admin1"] = cand.get("admin1")
    fat = cand.get("fatalities")
    if fat is not None and not pd.isna(fat):
        row["best"] = row["low"] = row["high"] = int(fat)
    return row


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def find_duplicates(
    cand: Mapping[str, Any], events: pd.DataFrame, *, days: int = 3, km: float = 25.0
) -> list[tuple[str, str, str]]:
    """Stored events that look like ``cand``: ``(source, source_event_id, why)``, closest first.

    Same place (within ``km`` or the same place name), dates within ``days`` of each
    other (a month-precision date spans its month), and at least one actor in common
    (any name or alias of the actor or its lineage) when both name actors.
    """
    if events.empty or not cand.get("event_date"):
        return []
    first, last, _ = date_range(str(cand["event_date"]))
    lo, hi = first - dt.timedelta(days=days), last + dt.timedelta(days=days)
    lat, lon = cand.get("latitude"), cand.get("longitude")
    place = str(cand.get("place") or "").casefold()
    names = _actor_names(_split(cand.get("actor_ids")), _split(cand.get("actors")))
    out = []
    ev: Any  # a row of ``events``: its fields are typed by column, unknown here
    for ev in events.itertuples(index=False):
        start = pd.Timestamp(ev.date_start).date() if pd.notna(ev.date_start) else None
        end = pd.Timestamp(ev.date_end).date() if pd.notna(ev.date_end) else start
        if start is None or end is None or end < lo or start > hi:
            continue
        dist = None
        if lat is not None and lon is not None and pd.notna(ev.latitude) and pd.notna(ev.longitude):
            dist = _km(float(lat), float(lon), float(ev.latitude), float(ev.longitude))
        same_name = bool(place) and str(ev.where_description or "").casefold().startswith(place)
        if not ((dist is not None and dist <= km) or same_name):
            continue
        theirs = {
            str(x).strip().casefold()
            for x in (ev.side_a, ev.side_b, *_split(ev.actors))
            if x is not None and not (isinstance(x, float) and math.isnan(x))
        }
        theirs.discard("")
        if names and theirs and not (names & theirs):
            continue
        where = f"{dist:.0f} km" if dist is not None else "same place name"
        out.append(
            (
                str(ev.source),
                str(ev.source_event_id),
                f"{start} ({where}; actors {', '.join(sorted(names & theirs)) or 'n/a'})",
                dist if dist is not None else 0.0,
            )
        )
    out.sort(key=lambda t: t[3])
    return [(s, i, why) for s, i, why, _ in out]


def _actor_names(ids: list[str], names: list[str]) -> set[str]:
    from accordwatch.actors import ActorRegistry

    reg = ActorRegistry.default()
    out = {n.casefold() for n in names}
    for aid in ids:
        try:
            out |= {n.casefold() for n in reg.names(reg.get(aid).actor_id, lineage=True)}
        except Exception:  # noqa: BLE001 - an id from an older registry: names still count
            continue
    return out


def check_edits(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise reviewer edits (place → coordinates, actors → registry names).

    >>> check_edits({"place": "Tombouctou", "fatalities": "3"})["admin1"]
    'Timbuktu'
    """
    from accordwatch.actors import ActorRegistry
    from accordwatch.geo import Gazetteer, normalize_admin1

    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot edit {sorted(unknown)}; editable fields: {', '.join(EDITABLE)}")
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key == "event_date":
            out["event_date"] = str(value).strip()
            out["date_precision"] = date_range(out["event_date"])[2]
        elif key == "event_type":
            if value not in EVENT_TYPES:
                raise InputError(f"type {value!r} unknown; use one of {', '.join(EVENT_TYPES)}")
            out[key] = value
        elif key == "fatalities":
            text = str(value).strip().lower()
            if text in {"none", "null", ""}:
                out[key] = None
            elif not text.isdigit():
                raise InputError(f"fatalities {value!r} must be a whole number ≥ 0 or 'none'")
            else:
                out[key] = int(text)
        elif key == "place":
            hits = Gazetteer.default().lookup(str(value), fuzzy=True, limit=1)
            if not hits:
                raise InputError(f"no place {value!r} in the gazetteer; check the spelling")
            p = hits[0]
            out.update(
                place=p.name,
                latitude=p.latitude,
                longitude=p.longitude,
                admin1=p.admin1,
                location_precision=p.precision,
            )
        elif key == "admin1":
            region = normalize_admin1(str(value))
            if region is None:
                raise InputError(f"no admin-1 region {value!r}; e.g. Timbuktu, Gao, Kidal")
            out[key] = region
        elif key == "actors":
            reg = ActorRegistry.default()
            found = [reg.resolve(a, country="Mali") for a in _split(value)]
            out["actors"] = "; ".join(a.name for a in found)
            out["actor_ids"] = "; ".join(a.actor_id for a in found)
        elif key == "evidence":
            if not str(value).strip():
                raise InputError("evidence cannot be empty")
            out[key] = str(value).strip()
    return out
