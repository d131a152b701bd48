"""Value types of the actor registry: :class:`Actor`, :class:`Alias`, :class:`Membership`.

Dates in the curated file may be a year, a month or a day; they become
:class:`datetime.date` values (the first day of the period for a start, the last
day for an end)::

    >>> parse_when("2021", end=False), parse_when("2021", end=True)
    (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    >>> parse_when("2024-11-30", end=False)
    datetime.date(2024, 11, 30)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from accordwatch.errors import InputError

__all__ = [
    "KINDS",
    "Actor",
    "Alias",
    "Membership",
    "When",
    "as_date",
    "covers",
    "parse_when",
]

#: Kinds of actor the registry knows. ``None`` on an actor means "not known".
KINDS: frozenset[str] = frozenset(
    {
        "government",  # a state's government and its armed forces
        "rebel",  # opposition organisation in a UCDP state-based conflict
        "jihadist",  # armed group with a jihadist programme
        "militia",  # pro-government or communal self-defence group
        "foreign",  # foreign armed force or paramilitary operating in the country
        "peacekeeping",  # UN or regional peace operation
        "coalition",  # alliance or umbrella of other actors
        "military_faction",  # faction of a state's own army (mutiny, coup)
        "non_state",  # non-state group coded by UCDP GED only in non-state/one-sided violence
        "civilians",  # UCDP's target category "Civilians"
    }
)

#: Anything accepted where a date is expected: a date, a year, or "YYYY[-MM[-DD]]".
When = dt.date | dt.datetime | int | str

_WHEN_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


def parse_when(value: When, *, end: bool) -> dt.date:
    """Turn a date, a year or a ``YYYY[-MM[-DD]]`` string into a :class:`datetime.date`.

    A partial date stands for a period; ``end`` picks its last day instead of its first.

    >>> parse_when("2023-02", end=True)
    datetime.date(2023, 2, 28)
    >>> parse_when(2015, end=False)
    datetime.date(2015, 1, 1)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InputError(
            "expected a date like 2021, 2021-05 or 2021-05-03, "
            f"got {value!r} ({type(value).__name__})"
        )
    m = _WHEN_RE.match(value)
    if not m:
        raise InputError(
            f"cannot read {value!r} as a date: write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-05-03)"
        )
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    if not 1 <= month <= 12:
        raise InputError(f"month {month} out of range in {value!r}: use 01 to 12")
    last = calendar.monthrange(year, month)[1]
    if m.group(3):
        day = int(m.group(3))
        if not 1 <= day <= last:
            raise InputError(
                f"day {day} out of range in {value!r}: {year}-{month:02d} has {last} days"
            )
    else:
        day = last if end else 1
    return dt.date(year, month, day)


def as_date(value: When | None) -> dt.date | None:
    """``parse_when(value, end=False)`` that lets ``None`` through.

    >>> as_date(None) is None, as_date("2020-08-18")
    (True, datetime.date(2020, 8, 18))
    """
    return None if value is None else parse_when(value, end=False)


def covers(start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
    """Whether the closed period ``[start, end]`` (open where ``None``) contains ``on``.

    >>> covers(dt.date(2021, 1, 1), None, dt.date(2024, 5, 1))
    True
    """
    return (start is None or start <= on) and (end is None or on <= end)


@dataclass(frozen=True, slots=True)
class Alias:
    """One way of naming an actor.

    ``ambiguous`` aliases ("the army", "la junte") only name the actor when the
    caller gives a country context equal to ``context``; ``case_sensitive`` aliases
    ("IS") only match text written with the same letter case; ``valid_from`` /
    ``valid_to`` bound the period in which the alias named this actor; ``is_name``
    marks an official name (as opposed to a nickname or a descriptive phrase).
    """

    text: str
    normalized: str
    actor_id: str
    lang: str = "mul"
    ambiguous: bool = False
    context: str | None = None
    case_sensitive: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    is_name: bool = False
    source: str = ""

    def valid_on(self, on: dt.date | None) -> bool:
        """Whether this alias named its actor on ``on`` (always true when ``on`` is None)."""
        return on is None or covers(self.valid_from, self.valid_to, on)


@dataclass(frozen=True, slots=True)
class Membership:
    """``actor_id`` belonged to a coalition from ``valid_from`` to ``valid_to`` (open if None)."""

    actor_id: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""

    def valid_on(self, on: dt.date | None) -> bool:
        """Whether the membership held on ``on`` (always true when ``on`` is None)."""
        return on is None or covers(self.valid_from, self.valid_to, on)


@dataclass(frozen=True, slots=True)
class Actor:
    """A conflict actor: a government, a rebel or jihadist group, a militia, a mission, …

    ``actor_id`` is ``"ucdp:<id>"`` for actors UCDP codes under their own id and a
    stable slug (``"csp"``, ``"minusma"``) otherwise. ``ucdp_ids`` lists every UCDP
    actor id under which this actor's fighting is recorded (the CSP's 2023 fighting is
    coded by UCDP under the FLA's id 8822, so the CSP carries 8822 too).
    ``first_year``/``last_year`` are the years UCDP records the actor; ``valid_from``/
    ``valid_to`` the period the actor existed under this identity, where known.

    >>> a = Actor(actor_id="ucdp:6716", name="JNIM", ucdp_ids=(6716,))
    >>> a.valid_on(dt.date(2020, 1, 1)), a.is_curated
    (True, False)
    """

    actor_id: str
    name: str
    ucdp_ids: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    country: str | None = None
    countries: tuple[str, ...] = ()
    first_year: int | None = None
    last_year: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    predecessors: tuple[str, ...] = ()
    successors: tuple[str, ...] = ()
    members: tuple[Membership, ...] = ()
    ucdp_names: tuple[str, ...] = ()
    source: str = ""
    note: str | None = None
    curated: bool = field(default=False, compare=False)

    @property
    def is_curated(self) -> bool:
        """True when the curated alias file describes this actor."""
        return self.curated

    @property
    def member_ids(self) -> tuple[str, ...]:
        """Ids of every actor that was ever a member, in file order."""
        return tuple(m.actor_id for m in self.members)

    def valid_on(self, on: dt.date | None) -> bool:
        """Whether the actor existed under this identity on ``on``.

        Uses ``valid_from``/``valid_to`` when known; an actor without dates counts as
        valid at any time (UCDP years record fighting, not existence).
        """
        return on is None or covers(self.valid_from, self.valid_to, on)

    def start(self) -> dt.date | None:
        """Best known start: ``valid_from``, else 1 January of ``first_year``."""
        if self.valid_from is not None:
            return self.valid_from
        return dt.date(self.first_year, 1, 1) if self.first_year is not None else None
