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
from ._app.inputs import expand_inputs
from .errors import InputError, NotFound
from .store import EventFilter, IngestReport, Store

if TYPE_CHECKING:  # pandas loads when a function needs it (fast start-up)
    import pandas as pd

    from .geo import AdminIndex

__all__ = [
    "event_history",
    "event_page",
    "event_records",
    "events",
    "expand_inputs",
    "ingest_acled",
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
    """Load one UCDP GED/Candidate file (CSV, .csv.gz, .zip, GeoJSON, API JSON) into the store.

    ``path`` is that one file, whatever characters its name has (never a pattern); for a
    folder or a pattern, load each file of :func:`expand_inputs` in turn.

    One transaction: the store changes completely or not at all.  With
    ``on_error="refuse"`` (default) any bad row stops the load and
    :class:`~accordwatch.errors.RowErrors` lists them all with file, line and field;
    ``on_error="quarantine"`` loads the good rows and writes the bad ones to ``quarantine``
    (default ``FILE.rejected.csv``).  ``source`` is ``ucdp-ged`` or ``ucdp-candidate``
    (default: guessed from the file name).

    A row is refused unless its numbers are what they claim: counts and codes are whole
    numbers within 64 bits, coordinates finite, and no date is later than the file's
    release allows (the end of 2025 for ``GEDEvent_v25_1``, of September 2025 for the
    Candidate ``GEDEvent_v25_0_9``; today for a name without a version).  A PRIO-GRID cell
    or a ``year`` that the row's coordinates or ``date_start`` contradict is kept as UCDP
    wrote it, the derived value stored beside it (``priogrid_gid_computed``,
    ``year_computed``) and the row listed in the report's ``flags``.
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


def ingest_acled(
    path: str | os.PathLike[str],
    *,
    db: DB = None,
    on_error: str = "refuse",
    quarantine: str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Load one ACLED file — an export CSV (current or pre-2023 layout, plain or .gz) or
    the API's JSON — into the store as source ``acled``.

    The same rules as :func:`ingest_ucdp`: one transaction; every bad row named with file,
    line and field (``on_error="refuse"``, default) or written to ``quarantine``
    (``on_error="quarantine"``, default ``FILE.rejected.csv``); re-loading changes nothing;
    an event ACLED changed (same ``event_id_cnty``, other values) is updated and its old
    version kept in history — but a version older than the stored one (an earlier
    ``timestamp``) never replaces it, and an event ACLED deleted stays deleted unless the
    file's version is newer than the deletion.  No event may be dated after ``today``
    (default: the date today).  A file of ACLED's deleted endpoint (``event_id_cnty``,
    ``deleted_timestamp``; what ``fetch acled --out`` saves beside the events) removes those
    events instead (``removed``; their history stays).  How ACLED's columns become the event
    columns: docs/acled.md.
    """
    from .sources._acled_csv import AcledFormat
    from .sources.acled import read_deletions
    from .store import ingest_file

    gone = read_deletions(os.fspath(path))
    if gone is not None:  # a file of ACLED's deleted endpoint: the events leave the store
        with using(db, write=True) as store:
            done = store.delete_events("acled", gone, file=str(path), kind="delete-acled")
        return IngestReport(
            run_id=done.run_id,
            files=[str(path)],
            source="acled",
            rows_read=len(gone),
            inserted=0,
            updated=0,
            unchanged=len(gone) - done.deleted,
            rejected=0,
            removed=done.deleted,
        )
    with using(db, write=True) as store:
        return ingest_file(
            store,
            AcledFormat(today),
            path,
            on_error=on_error,
            quarantine=quarantine,
            kind="ingest-acled",
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


def _close(word: str, choices: Iterable[str], limit: int = 3, *, whole: bool = False) -> list[str]:
    """Up to ``limit`` of ``choices`` close to ``word`` (rapidfuzz, case-insensitive), best
    first; those far behind the best one are left out.  ``whole`` compares whole strings
    only (no credit for a part of a long name)."""
    from rapidfuzz import fuzz, process, utils

    options = sorted({c for c in choices if c})
    scorer = fuzz.ratio if whole else fuzz.WRatio
    found = process.extract(
        word, options, scorer=scorer, processor=utils.default_process, limit=limit, score_cutoff=60
    )
    return [str(f[0]) for f in found if f[1] >= found[0][1] - 15]


def _did_you_mean(hints: Iterable[str]) -> str:
    shown = list(dict.fromkeys(hints))
    return f" Did you mean: {', '.join(repr(h) for h in shown)}?" if shown else ""


def _suggest(word: str, choices: Iterable[str]) -> str:
    return _did_you_mean(_close(word, choices))


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _not_blank(value: str, option: str, example: str) -> str:
    key = value.strip()
    if not key:
        raise InputError(f"{option} is empty; name {example} or leave the option out.")
    return key


def _resolve_country(store: Store, country: str, flt: EventFilter) -> set[str] | None:
    """Add the country's codes and names to ``flt``; return its ISO3 codes (None when the
    country is known only by a spelling or code of the stored events)."""
    key = _not_blank(country, "--country", "a country (name, ISO3 code or GW number)")
    low = key.lower()
    rows = {
        (gw, name, iso)
        for gw, name, iso in store.countries()
        if low in (name.lower(), str(gw)) or (iso and low == iso.lower())
    }
    flt.has_country = True
    flt.country_names.add(key.lower())
    for gw, name, _ in rows:
        flt.country_ids.add(int(gw))
        flt.country_names.add(str(name).lower())
    if key.isdigit():
        flt.country_ids.add(int(key))
    if rows:
        isos = {iso for _, _, iso in rows}
        return None if "" in isos else isos
    # a spelling the reference list lacks: the codes stored events carry under this name
    # (only then — it is a scan of every event, kept off the common path)
    in_events = store.country_ids_named(key)
    flt.country_ids |= {c for c in in_events if c is not None}
    if in_events or (key.isdigit() and store.has_country_id(int(key))):
        return None
    known = store.country_names()
    raise NotFound(
        f"no country {country!r} in the store or its country list.{_suggest(key, known)}"
    )


def _region_canonicals(admin: AdminIndex, key: str, within: set[str] | None) -> set[str]:
    """The canonical names of the bundled admin-1 units ``key`` names.  A name that is
    ambiguous on its own (Comoe: Komoé in Burkina Faso, Comoe in Côte d'Ivoire) is settled by
    the countries of ``--country`` (``within``), or refused with the choices."""
    try:
        canonical = admin.normalize(key)
    except InputError:
        units = {}
        for iso in admin.countries:
            try:
                found = admin.normalize(key, country=iso)
            except InputError:
                continue
            if found:
                units[iso] = found
        chosen = {c for iso, c in units.items() if within and iso in within}
        if chosen or within:  # none of the named countries': the caller says where it is
            return chosen or set(units.values())
        country_of = {u.iso3: u.country for u in admin.units}
        where = ", ".join(f"{c} ({country_of[iso]})" for iso, c in sorted(units.items()))
        choose = " or ".join(f"--country {iso}" for iso in sorted(units))
        raise InputError(
            f"region {key!r} names admin-1 units in several countries: {where}; "
            f"add {choose} to choose."
        ) from None
    return {canonical} if canonical else set()


def _region_in(admin: AdminIndex, key: str, iso: str) -> bool:
    try:
        return admin.normalize(key, country=iso) is not None
    except InputError:  # ambiguous inside the country: it names one of its units
        return True


def _resolve_region(
    store: Store, region: str, flt: EventFilter, admin: AdminIndex, within: set[str] | None
) -> None:
    """Add the region's spellings to ``flt``.  Unknown — neither a bundled admin-1 unit nor
    a region of any stored event — is NotFound; a region of other countries than those of
    ``--country`` is an InputError, when that is certain: every named country's admin-1
    units are bundled and no stored event of theirs carries the name."""
    key = _not_blank(region, "--region", "an admin-1 region (e.g. 'Kidal')")
    canonicals = _region_canonicals(admin, key, within)
    names = {key.lower()} | {c.lower() for c in canonicals}
    flt.regions |= names
    if not canonicals and not store.has_events(EventFilter(regions=names)):
        # a bundled unit is suggested by its canonical name, whichever alias came close
        canonical_of = {n: u.admin1 for u in admin.units for n in (u.admin1, *u.aliases)}
        stored = store.stored_regions()
        close = _close(key, [*canonical_of, *stored], limit=12)
        hints = list(dict.fromkeys(canonical_of.get(c, c) for c in close))[:3]
        raise NotFound(
            f"no region {region!r} among the bundled admin-1 units or the stored events."
            f"{_did_you_mean(hints)} "
            "`accordwatch stats --by region` lists the regions of the stored events."
        )
    if within is None or any(_region_in(admin, key, iso) for iso in within):
        return
    probe = EventFilter(
        has_country=True,
        country_ids=set(flt.country_ids),
        country_names=set(flt.country_names),
        regions=names,
    )
    if store.has_events(probe):
        return
    country_of = {u.iso3: u.country for u in admin.units}
    named = " or ".join(sorted(country_of[iso] for iso in within))
    homes = sorted({country_of[iso] for iso in admin.countries if _region_in(admin, key, iso)})
    theirs = sorted({u.admin1 for u in admin.units if u.iso3 in within})
    shown = ", ".join(theirs[:12]) + (", …" if len(theirs) > 12 else "")
    raise InputError(
        f"region {region!r} is not in {named}"
        + (f"; it is an admin-1 region of {', '.join(homes)}" if homes else "")
        + f". Leave out --country, or name a region of {named}: {shown}."
    )


def _resolve_actor(store: Store, actor: str, flt: EventFilter, lineage: bool) -> None:
    from .actors import ActorRegistry, UnknownActor

    key = _not_blank(actor, "--actor", "an actor (any alias or UCDP id)")
    reg = ActorRegistry.default()
    flt.has_actor = True
    found = reg.find(key)
    if found is not None:
        flt.actor_ids |= set(reg.ucdp_ids(key, lineage=lineage))
        flt.actor_names |= {n.lower() for n in reg.names(key, lineage=lineage)}
        return
    if store.has_actor_named(key):
        flt.actor_names.add(key.lower())
        return
    if key.isdigit() and store.has_events(
        EventFilter(has_actor=True, actor_ids={int(key)}, actor_names={""})
    ):  # a UCDP actor id of the stored events that the registry does not list (yet)
        flt.actor_ids.add(int(key))
        return
    try:
        reg.resolve(key)
    except UnknownActor as exc:
        stored = _close(key, store.stored_actor_names(), whole=True)
        hints = list(dict.fromkeys([*exc.suggestions, *stored]))[:4]
        raise UnknownActor(
            f"no actor {actor!r} in the actor registry or among the stored events' actors."
            f"{_did_you_mean(hints) or ' Check the spelling.'} "
            "`accordwatch actors NAME` shows whom a name stands for; "
            "`accordwatch stats --by actor` lists the stored events' actors.",
            hints,
        ) from None


def _resolve_sources(store: Store, sources: list[str], flt: EventFilter) -> None:
    """Add the sources to ``flt``.  Known: the families (ucdp-ged, ucdp-candidate, acled,
    text) in any case, and every source of the stored events (``text:<doc id>``)."""
    from .store.schema import SOURCES

    stored: list[str] | None = None
    for value in sources:
        key = _not_blank(value, "--source", f"one of {', '.join(SOURCES)}")
        if key.lower() in SOURCES:
            flt.sources.add(key.lower())
            continue
        if store.has_events(EventFilter(sources={key})):
            flt.sources.add(key)
            continue
        stored = store.stored_sources() if stored is None else stored
        same = [s for s in stored if s.lower() == key.lower()]
        if same:
            flt.sources |= set(same)
            continue
        held = ", ".join(stored[:8]) + (", …" if len(stored) > 8 else "") if stored else "none"
        raise NotFound(
            f"no source {value!r}: sources are {', '.join(SOURCES)} "
            f"(text:<document id> for one document); the store holds {held}."
            f"{_suggest(key, [*SOURCES, *stored])}"
        )


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
    """Turn user-facing filter values (names, aliases, ISO codes, dates as text) into a filter.

    A value that names nothing the store or the bundled reference lists know — a country,
    region, actor, source or type of violence — raises :class:`~accordwatch.errors.NotFound`
    or :class:`~accordwatch.errors.InputError` with close suggestions, so that an empty
    result always means "no such events", never "misspelt filter".  So does a region that
    is certainly in another country than those of ``country``.
    """
    flt = EventFilter()
    isos: set[str] | None = set()
    for c in _as_list(country):
        found = _resolve_country(store, c, flt)
        isos = None if isos is None or found is None else isos | found
    regions = _as_list(region)
    if regions:
        from .geo import AdminIndex

        admin = AdminIndex.default()
        # only when the bundled units cover every named country is "not there" certain
        within = isos if isos and isos <= set(admin.countries) else None
        for r in regions:
            _resolve_region(store, r, flt, admin, within)
    if actor is not None:
        _resolve_actor(store, actor, flt, lineage)
    flt.since = _date(since, "since")
    flt.until = _date(until, "until")
    if flt.since and flt.until and flt.since > flt.until:
        raise InputError(f"--since {flt.since} is after --until {flt.until}")
    flt.types_of_violence = _violence(type_of_violence)
    if min_deaths is not None and min_deaths < 0:
        raise InputError("--min-deaths must be zero or more")
    flt.min_deaths = min_deaths
    _resolve_sources(store, _as_list(source), flt)
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


def event_page(
    db: DB = None,
    *,
    sort: str = "date_start",
    descending: bool = True,
    after: tuple[bool, Any, str, str] | None = None,
    size: int = 100,
    columns: list[str] | None = None,
    count: bool = False,
    facets: Sequence[str] = (),
    facet_size: int = 10,
    **filters: Any,
) -> dict[str, Any]:
    """One page of the events :func:`events` returns, sorted by ``sort`` (a column of
    :data:`accordwatch.store.pages.SORTABLE`; missing values last), at most ``size`` rows
    after the key ``after`` — what a paged list (the web app's event explorer) shows.

    Returns ``columns``, ``rows`` (JSON-safe dicts), ``next`` (the key to pass as ``after``
    for the next page, None on the last), ``count`` (every matching event, with
    ``count=True``) and ``facets``: for each of ``facets`` (country, region, type, source,
    year) the ``facet_size`` most frequent values with their counts and whether more were
    left out.  Takes the same filters as :func:`events`; one consistent read.
    """
    with using(db) as store, store.snapshot():
        flt = resolve_filter(store, **filters)
        cols, rows, key = store.event_page(
            flt, sort=sort, descending=descending, after=after, size=size, columns=columns
        )
        out: dict[str, Any] = {
            "columns": cols,
            "rows": [
                {
                    c: (v.isoformat() if isinstance(v, dt.date) else v)
                    for c, v in zip(cols, r, strict=True)
                }
                for r in rows
            ],
            "next": key,
            "count": store.count_events(flt) if count else None,
            "facets": {
                name: {"values": values, "truncated": more}
                for name, (values, more) in store.event_facets(
                    flt, list(facets), limit=facet_size
                ).items()
            },
        }
    return out
