"""What every part of the gathering shares: the country, the periods, the counting basis, the
language and how to write the command that reproduces a figure.

Also the periods themselves: :func:`parse_day` (the ``--since``/``--until`` forms),
:func:`compare_periods` (the previous period of equal length and the same period a year
before) and :func:`month_start`/:func:`month_end`.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ._i18n import say

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COUNTED_SOURCES",
    "SOURCE_NAMES",
    "Context",
    "compare_periods",
    "month_end",
    "month_start",
    "months_between",
    "parse_day",
    "shift_months",
]

#: Event sources that count deaths, in order of preference: a briefing counts the first one
#: the store holds for the country (reviewed text events are listed, never counted).
COUNTED_SOURCES = ("ucdp-ged", "ucdp-candidate", "acled")

#: Their names in sentences.
SOURCE_NAMES = {"ucdp-ged": "UCDP GED", "ucdp-candidate": "UCDP Candidate", "acled": "ACLED"}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def shift_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (negative: before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(since: dt.date, until: dt.date) -> list[dt.date]:
    """The first days of every month from ``since``'s to ``until``'s, both included."""
    out, cur = [], month_start(since)
    while cur <= until:
        out.append(cur)
        cur = shift_months(cur, 1)
    return out


def parse_day(value: str | dt.date | None, option: str) -> dt.date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as a date: the first day of the month or year
    for ``--since``, the last for ``--until``.  Anything else is an InputError that names
    the option.

    >>> parse_day("2022-02", "until"), parse_day("2021", "since")
    (datetime.date(2022, 2, 28), datetime.date(2021, 1, 1))
    """
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if option == "until" and fmt == "%Y-%m":
            return month_end(day)
        if option == "until" and fmt == "%Y":
            return dt.date(day.year, 12, 31)
        return day
    raise InputError(f"--{option} {value!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def compare_periods(
    since: dt.date, until: dt.date
) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The previous period of equal length and the same period one year before.

    A period of whole months is compared with the same number of whole months; any other
    with the same number of days.

    >>> prev, year = compare_periods(dt.date(2022, 1, 1), dt.date(2022, 6, 30))
    >>> prev, year[0]
    ((datetime.date(2021, 7, 1), datetime.date(2021, 12, 31)), datetime.date(2021, 1, 1))
    """
    if since > until:
        raise InputError(f"--since {since} is after --until {until}")
    if since.day == 1 and month_end(until) == until:
        n = len(months_between(since, until))
        first = shift_months(since, -n)
        previous = (first, since - dt.timedelta(days=1))
    else:
        days = (until - since).days + 1
        previous = (since - dt.timedelta(days=days), since - dt.timedelta(days=1))
    year_until = _year_earlier(until)
    if until == month_end(until):
        year_until = month_end(year_until)
    return previous, (_year_earlier(since), year_until)


@dataclass
class Context:
    """The briefing being gathered: who, when, counted how, in which language."""

    lang: str
    country: dict[str, Any]  # gwcode, name, iso3
    region: str | None
    since: dt.date
    until: dt.date
    previous: tuple[dt.date, dt.date]
    year_before: tuple[dt.date, dt.date]
    basis: str  # "events", "country-month" or "none"
    source: str | None  # the counted event source when basis is "events"
    db: Any  # the open store every read goes through
    db_option: list[str] = field(default_factory=list)  # ["--db", path] when one was given
    events: pd.DataFrame | None = None  # the counted events of the period
    text_events: pd.DataFrame | None = None  # reviewed text events from the period's start
    sides: pd.DataFrame | None = None  # the events' actors, one row each (made once)
    coverage: tuple[dt.date, dt.date] | None = None  # months the counted source covers
    notes: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # datasets used (keys of the source table)

    def covers(self, since: dt.date, until: dt.date) -> bool:
        """Whether the counted source covers every month from ``since`` to ``until``."""
        return self.coverage is not None and self.coverage[0] <= since and until <= self.coverage[1]

    @property
    def name(self) -> str:
        return str(self.country["name"])

    def w(self, key: str, **values: Any) -> str:
        """The briefing's words: :func:`accordwatch.brief._i18n.say` in its language."""
        return say(self.lang, key, **values)

    def filters(
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        *,
        source: str | None = "counted",
    ) -> dict[str, Any]:
        """The event filters of the period (or of ``since``–``until``), as keyword arguments
        of :func:`accordwatch.events` / :func:`accordwatch.stats`."""
        out: dict[str, Any] = {
            "country": self.name,
            "since": since or self.since,
            "until": until or self.until,
        }
        if self.region:
            out["region"] = self.region
        chosen = self.source if source == "counted" else source
        if chosen:
            out["source"] = chosen
        return out

    def command(self, verb: str, *args: str, **filters: Any) -> str:
        """The shell command ``accordwatch VERB ARGS --filter value …`` (quoted)."""
        parts = ["accordwatch", *verb.split(), *args]
        for key, value in filters.items():
            if value is None:
                continue
            if isinstance(value, list | tuple):
                for v in value:
                    parts += [f"--{key.replace('_', '-')}", str(v)]
            else:
                shown = value.isoformat() if isinstance(value, dt.date) else str(value)
                parts += [f"--{key.replace('_', '-')}", shown]
        parts += self.db_option
        return " ".join(shlex.quote(p) for p in parts)
