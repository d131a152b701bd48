"""The public library functions: ingest, query, aggregate.

Every function takes ``db`` — a path, an open :class:`~accordwatch.store.Store`,
or None for the default location (``$ACCORDWATCH_DB`` or the user data dir).

>>> import accordwatch as aw
>>> df = aw.events(  # doctest: +SKIP
...     country="Central African Republic", since="2020-01-01", min_deaths=10
... )
>>> aw.stats(by=["year"], country="CAF").tail(2)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._app._store import DB, init_store, open_store, store_path, using
from .errors import InputError, NotFound
from .store import EventFilter, IngestReport, Store

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

__all__ = [
    "event_history",
    "event_records",
    "events",
    "ingest_runs",
    "ingest_ucdp",
    "init_store",
    "open_store",
    "resolve_filter",
    "stats",
    "store_info",
    "store_path",
]

_VIOLENCE = {
    "state-based": 1,
    "state": 1,
    "sb": 1,
    "non-state": 2,
    "ns": 2,
    "one-sided": 3,
    "os": 3,
}


def ingest_ucdp(
    path: str | os.PathLike[str],
    *,
    db: DB = None,
    source: str | None = None,
    on_error: str = "refuse",
    quarantine: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Load a UCDP GED/Candidate file (CSV, .csv.gz, .zip, GeoJSON, API JSON) into the store.

    One transaction: the store changes completely or not at all.  With
    ``on_error="refuse"`` (default) any bad row stops the load and
    :class:`~accordwatch.errors.RowErrors` lists them all with file, line and field;
    ``on_error="quarantine"`` loads the good rows and writes the bad ones to ``quarantine``
    (default ``FILE.rejected.csv``).  ``source`` is ``ucdp-ged`` or ``ucdp-candidate``
    (default: guessed from the file name).
    """
    from .sources import UcdpFormat
    from .store import ingest_file

    fmt = UcdpFormat(source)
    with using(db, write=True) as store:
        return ingest_file(
            store,
            fmt,
            path,
            on_error=on_error,
            quarantine=quarantine,
            kind="ingest-ucdp",
            progress=progress,
        )


def _date(value: str | dt.date | None, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt, pad in (("%Y-%m-%d", ""), ("%Y-%m", "-01"), ("%Y", "-01-01")):
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if what == "until" and pad:  # --until 2023 means through the end of 2023
            if pad == "-01":
                nxt = (parsed.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            else:
                nxt = parsed.replace(year=parsed.year + 1)
            return nxt - dt.timedelta(days=1)
        return parsed
    raise InputError(f"--{what} {value!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")


def _violence(values: Iterable[int | str] | int | str | None) -> set[int]:
    if values is None:
        return set()
    if isinstance(values, int | str):
        values = [values]
    out: set[int] = set()
    for v in values:
        key = str(v).strip().lower()
        if key in ("1", "2", "3"):
            out.add(int(key))
        elif key in _VIOLENCE:
            out.add(_VIOLENCE[key])
        else:
            raise InputError(
                f"type of violence {v!r} unknown; use 1/state-based, 2/non-state or 3/one-sided"
            )
    return out


def _suggest(word: str, choices: Iterable[str]) -> str:
    from rapidfuzz import process

    best = process.extract(word, list(choices), limit=3, score_cutoff=60)
    return f" Did you mean: {', '.join(repr(b[0]) for b in best)}?" if best else ""


def _resolve_country(store: Store, country: str, flt: EventFilter) -> None:
    key = country.strip()
    low = key.lower()
    rows = {
        (gw, name)
        for gw, name, iso in store.countries()
        if low in (name.lower(), str(gw)) or (iso and low == iso.lower())
    }
    flt.has_country = True
    flt.country_names.add(key.lower())
    for gw, name in rows:
        flt.country_ids.add(int(gw))
        flt.country_names.add(str(name).lower())
    if key.isdigit():
        flt.country_ids.add(int(key))
    if rows:
        return
    # a spelling the reference list lacks: the codes stored events carry under this name
    # (only then — it is a scan of every event, kept off the common path)
    in_events = store.country_ids_named(key)
    flt.country_ids |= {c for c in in_events if c is not None}
    if in_events or (key.isdigit() and store.has_country_id(int(key))):
        return
    known = store.country_names()
    raise NotFound(
        f"no country {country!r} in the store or its country list.{_suggest(key, known)}"
    )


def _resolve_actor(store: Store, actor: str, flt: EventFilter, lineage: bool) -> None:
    from .actors import ActorRegistry

    reg = ActorRegistry.default()
    flt.has_actor = True
    found = reg.find(actor)
    if found is not None:
        flt.actor_ids |= set(reg.ucdp_ids(actor, lineage=lineage))
        flt.actor_names |= {n.lower() for n in reg.names(actor, lineage=lineage)}
        return
    if store.has_actor_named(actor):
        flt.actor_names.add(actor.lower())
        return
    reg.resolve(actor)  # raises NotFound with suggestions


def resolve_filter(
    store: Store,
    *,
    country: str | Sequence[str] | None = None,
    region: str | Sequence[str] | None = None,
    actor: str | None = None,
    lineage: bool = False,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    type_of_violence: Iterable[int | str] | int | str | None = None,
    min_deaths: int | None = None,
    source: str | Sequence[str] | None = None,
) -> EventFilter:
    """Turn user-facing filter values (names, aliases, ISO codes, dates as text) into a filter."""
    flt = EventFilter()
    for c in [country] if isinstance(country, str) else (country or []):
        _resolve_country(store, c, flt)
    for r in [region] if isinstance(region, str) else (region or []):
        from .geo import normalize_admin1

        flt.regions.add(r.strip().lower())
        canonical = normalize_admin1(r)
        if canonical:
            flt.regions.add(canonical.lower())
    if actor:
        _resolve_actor(store, actor, flt, lineage)
    flt.since = _date(since, "since")
    flt.until = _date(until, "until")
    if flt.since and flt.until and flt.since > flt.until:
        raise InputError(f"--since {flt.since} is after --until {flt.until}")
    flt.types_of_violence = _violence(type_of_violence)
    if min_deaths is not None and min_deaths < 0:
        raise InputError("--min-deaths must be zero or more")
    flt.min_deaths = min_deaths
    flt.sources = {source} if isinstance(source, str) else set(source or [])
    return flt


def events(
    db: DB = None,
    *,
    country: str | Sequence[str] | None = None,
    region: str | Sequence[str] | None = None,
    actor: str | None = None,
    lineage: bool = False,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    type_of_violence: Iterable[int | str] | int | str | None = None,
    min_deaths: int | None = None,
    source: str | Sequence[str] | None = None,
    columns: list[str] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Events matching every filter given, newest first, as a DataFrame.

    ``country``: name, ISO3 code or Gleditsch–Ward number; ``region``: admin-1 name in
    any spelling ("Tombouctou", "Timbuktu region"); ``actor``: any alias ("FAMa", "CMA",
    "GSIM"); ``lineage=True`` adds the actor's predecessors and successors (CMA → CSP → FLA).
    """
    with using(db) as store:
        flt = resolve_filter(
            store,
            country=country,
            region=region,
            actor=actor,
            lineage=lineage,
            since=since,
            until=until,
            type_of_violence=type_of_violence,
            min_deaths=min_deaths,
            source=source,
        )
        return store.select_events(flt, columns=columns, limit=limit)


def event_records(
    db: DB = None,
    *,
    columns: list[str] | None = None,
    limit: int | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """The events :func:`events` returns, as plain JSON-safe dicts (dates and times as ISO
    strings, missing values as None) — without loading pandas or Arrow, so a short answer
    from the shell starts fast.  Takes the same filters as :func:`events`.

    >>> import accordwatch as aw
    >>> aw.event_records(country="CAF", limit=1)[0]["country"]  # doctest: +SKIP
    'Central African Republic'
    """
    with using(db) as store:
        flt = resolve_filter(store, **filters)
        cols, rows = store.select_event_rows(flt, columns=columns, limit=limit)
    return [
        {c: (v.isoformat() if isinstance(v, dt.date) else v) for c, v in zip(cols, r, strict=True)}
        for r in rows
    ]


def stats(db: DB = None, *, by: Sequence[str] = ("month",), **filters: object) -> pd.DataFrame:
    """Event counts and deaths grouped ``by`` month, year, country, region, actor, type,
    priogrid or source.

    Takes the same filters as :func:`events`.
    """
    with using(db) as store:
        flt = resolve_filter(store, **filters)  # type: ignore[arg-type]
        return store.aggregate_events(flt, list(by))


def event_history(event_id: str, *, source: str = "ucdp-ged", db: DB = None) -> pd.DataFrame:
    """Every stored version of one event, oldest first (the current one last)."""
    with using(db) as store:
        return store.event_history(source, str(event_id))


def ingest_runs(db: DB = None) -> pd.DataFrame:
    """Every ingest run: when, which file, how many rows new / updated / unchanged / rejected."""
    with using(db) as store:
        return store.ingest_runs()


def store_info(db: DB = None) -> dict[str, object]:
    """Where the store is and what it holds: schema version, row counts, when it was seeded,
    events per source."""
    with using(db) as store:
        info: dict[str, object] = {"path": store.path, "schema_version": store.schema_version()}
        for table in ("events", "events_history", "actors", "places", "ingest_runs"):
            info[table] = store.count(table)
        info["seeded_at"] = store.get_meta("seeded_at")
        info["by_source"] = store.events_by_source().to_dict(orient="records")
        return info
