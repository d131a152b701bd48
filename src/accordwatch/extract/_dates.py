"""Time expressions in English and French, resolved against the publication date.

Each expression keeps the precision the text supports: "on Tuesday" and "mardi
dernier" are days, "mid-August" and "il y a un mois" are months, "late 2021" and
"last year" are years.  A month or a day without a year is the latest one not after
the publication date ("in December", written in October 2023, is December 2022).

>>> import datetime as dt
>>> pub = dt.date(2023, 10, 5)   # a Thursday
>>> for d in find_dates(
...     "On Tuesday the army struck; in mid-August and in December there was fighting.", pub):
...     print(d.text, d.value, d.precision, sep=" | ")
On Tuesday | 2023-10-03 | day
in mid-August | 2023-08 | month
in December | 2022-12 | month
>>> fr = find_dates("mardi dernier, il y a un mois, fin 2021", pub, "fr")
>>> [(d.value, d.precision) for d in fr]
[('2023-10-03', 'day'), ('2023-09', 'month'), ('2021', 'year')]
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

from accordwatch.extract._lexicon import fold_span
from accordwatch.extract._model import DateMention
from accordwatch.extract._numbers import NUMBER_RE, parse_number
from accordwatch.extract._prefilter import finditer_near
from accordwatch.extract._spans import SpanIndex

__all__ = ["find_dates", "month_value", "patterns"]

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_AMBIGUOUS_MONTHS = {"may", "march", "mars", "mar", "jan", "dec", "sept", "nov", "oct"}
_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WD_ALT = "|".join(_WEEKDAYS)
_PART_OF_DAY = r"(?: (?:night|morning|evening|afternoon|soir|matin|soiree|apres-midi|nuit))?"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_QUAL = (
    r"(?:early|mid|late|the end of|end of|the beginning of|beginning of|the middle of|a la mi|mi"
    r"|debut|fin|courant|en|in|since|depuis|until|jusqu'en|by|during|over|from|de|d')"
)

_Resolver = Callable[["re.Match[str]", dt.date | None], tuple[str, str, bool] | None]


def _iso(d: dt.date) -> str:
    return d.isoformat()


def month_value(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _latest(month: int, day: int | None, pub: dt.date | None) -> int | None:
    """Year of the latest (month, day) not after ``pub``."""
    if pub is None:
        return None
    year = pub.year
    if (month, day or 1) > (pub.month, pub.day if day else 1):
        year -= 1
    return year


def _shift_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 - months
    y = d.year + m // 12
    m = m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _day_month_year(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    day, month = int(m.group("day")), _MONTHS[m.group("month").rstrip(".")]
    year = int(m.group("year")) if m.group("year") else _latest(month, day, pub)
    if year is None or day > calendar.monthrange(year, month)[1]:
        return None
    return _iso(dt.date(year, month, day)), "day", False


def _numeric(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    for day, month in ((a, b), (b, a)):  # day first, as written in the Sahel's press
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(y, month)[1]:
            return _iso(dt.date(y, month, day)), "day", False
    return None


def _iso_date(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    try:
        return _iso(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))), "day", False
    except ValueError:
        return None


def _month(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    month = _MONTHS[m.group("month").rstrip(".")]
    if m.group("year"):
        year: int | None = int(m.group("year"))
    elif m.group("last"):
        year = pub.year - 1 if pub and month >= pub.month else (pub.year if pub else None)
    else:
        year = _latest(month, None, pub)
    if year is None:
        return None
    return month_value(year, month), "month", False


def _year(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    return m.group("y"), "year", False


def _weekday(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    if pub is None:
        return None
    wd = _WEEKDAYS[m.group("wd")]
    back = (pub.weekday() - wd) % 7
    strict = bool(m.group("last") or m.group("dernier"))
    if strict and back == 0:
        back = 7
    return _iso(pub - dt.timedelta(days=back)), "day", False


_REL_DAYS = {
    "yesterday": 1,
    "hier": 1,
    "today": 0,
    "aujourd'hui": 0,
    "this morning": 0,
    "ce matin": 0,
    "last night": 1,
    "la nuit derniere": 1,
    "cette nuit": 0,
    "the day before yesterday": 2,
    "avant-hier": 2,
    "tonight": 0,
    "ce soir": 0,
}


def _relative_day(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    if pub is None:
        return None
    return _iso(pub - dt.timedelta(days=_REL_DAYS[m.group(0)])), "day", False


def _ago(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    n = parse_number(m.group("n"))
    if pub is None or n is None:
        return None
    unit = m.group("unit")
    if unit.startswith(("day", "jour")):
        return _iso(pub - dt.timedelta(days=n)), "day", False
    if unit.startswith(("week", "semaine")):
        return month_value(*_ym(pub - dt.timedelta(days=7 * n))), "month", False
    if unit.startswith(("month", "mois")):
        return month_value(*_ym(_shift_months(pub, n))), "month", False
    return str(pub.year - n), "year", False


def _ym(d: dt.date) -> tuple[int, int]:
    return d.year, d.month


_LAST = {
    "last week": ("week", -1),
    "la semaine derniere": ("week", -1),
    "la semaine passee": ("week", -1),
    "last month": ("month", -1),
    "le mois dernier": ("month", -1),
    "le mois passe": ("month", -1),
    "this month": ("month", 0),
    "ce mois-ci": ("month", 0),
    "earlier this month": ("month", 0),
    "last year": ("year", -1),
    "l'an dernier": ("year", -1),
    "l'annee derniere": ("year", -1),
    "l'an passe": ("year", -1),
    "l'annee passee": ("year", -1),
    "this year": ("year", 0),
    "earlier this year": ("year", 0),
    "cette annee": ("year", 0),
}


def _last_period(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    if pub is None:
        return None
    unit, delta = _LAST[m.group(0)]
    if unit == "week":
        return month_value(*_ym(pub - dt.timedelta(days=7))), "month", False
    if unit == "month":
        return month_value(*_ym(_shift_months(pub, -delta))), "month", False
    return str(pub.year + delta), "year", False


_VAGUE = (
    "in recent days",
    "in recent weeks",
    "in the past few days",
    "in the past week",
    "over the past week",
    "over the past few days",
    "recently",
    "currently",
    "this week",
    "ces derniers jours",
    "ces dernieres semaines",
    "depuis quelques jours",
    "recemment",
    "actuellement",
    "en ce moment",
    "cette semaine",
    "over the weekend",
    "ce week-end",
)


def _vague(m: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    if pub is None:
        return None
    return month_value(pub.year, pub.month), "month", True


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


# Order matters: longer, more precise forms first; a later pattern never overlaps an earlier hit.
_PATTERNS: list[tuple[re.Pattern[str], _Resolver]] = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), _iso_date),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), _numeric),
    (
        re.compile(
            rf"\b(?:(?:on|le) )?(?:(?:{_WD_ALT}),? )?(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)? "
            rf"(?:of )?(?P<month>{_MONTH_ALT})\.?(?:,? (?P<year>{_YEAR}))?\b"
        ),
        _day_month_year,
    ),
    (
        re.compile(
            rf"\b(?:on )?(?:(?:{_WD_ALT}),? )?"
            rf"(?P<month>{_MONTH_ALT})\.? (?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
            rf"(?:,? (?P<year>{_YEAR}))?\b"
        ),
        _day_month_year,
    ),
    (re.compile(rf"\b(?:{_alt(_REL_DAYS)})\b"), _relative_day),
    (re.compile(rf"\b(?:{_alt(_LAST)})\b"), _last_period),
    (re.compile(rf"\b(?:{_alt(_VAGUE)})\b"), _vague),
    (
        re.compile(rf"\b(?P<n>{NUMBER_RE}|an?|one) (?P<unit>days?|weeks?|months?|years?) ago\b"),
        _ago,
    ),
    (
        re.compile(
            rf"\bil y a (?P<n>{NUMBER_RE}|une?) (?P<unit>jours?|semaines?|mois|ans?|annees?)\b"
        ),
        _ago,
    ),
    (
        re.compile(
            rf"\b(?P<last>last |this past )?(?:(?:on|le|ce|this) )?"
            rf"(?P<wd>{_WD_ALT})(?P<dernier> dernier| passe)?{_PART_OF_DAY}\b"
        ),
        _weekday,
    ),
    (
        re.compile(
            rf"\b(?:(?:{_QUAL})[- ])?(?:(?:{_QUAL})[- ])?"
            rf"(?P<last>last |l'|le |la )?(?P<month>{_MONTH_ALT})"
            rf"(?: (?:de l'annee )?(?:dernier|derniere))?(?:,? (?P<year>{_YEAR}))?\b"
        ),
        _month,
    ),
    (
        re.compile(rf"\b(?:(?:{_QUAL}|the year|l'annee|annee|in the year)[- ])+(?P<y>{_YEAR})\b"),
        _year,
    ),
]


# Dates told relative to the date just given: "le même jour", "the next day", "la veille",
# "two days later".  They take the nearest earlier (non-vague) date of the text.
_ANAPHORIC = {
    "le meme jour": 0,
    "le jour meme": 0,
    "ce meme jour": 0,
    "ce jour-la": 0,
    "the same day": 0,
    "that same day": 0,
    "on the same day": 0,
    "that day": 0,
    "le lendemain": 1,
    "the next day": 1,
    "the following day": 1,
    "the day after": 1,
    "a day later": 1,
    "un jour plus tard": 1,
    "the next morning": 1,
    "la veille": -1,
    "the day before": -1,
    "the previous day": -1,
    "the eve": -1,
}
_ANAPHORIC_RE = re.compile(rf"\b(?:{_alt(_ANAPHORIC)})\b")
_LATER_RE = re.compile(
    rf"\b(?P<n>{NUMBER_RE}) (?:days? later|jours? plus tard|jours? apres|days? after(?:wards)?)\b"
)
# Every match of _LATER_RE holds one of these (its unit and the word after it): a text
# holding none has no "N days later" to look for.
_LATER_NEEDS = (
    "day later",
    "days later",
    "jour plus tard",
    "jours plus tard",
    "jour apres",
    "jours apres",
    "day after",
    "days after",
)
_ANCHOR_REACH = 600  # characters: an anaphoric date looks back this far for its anchor


def _anaphoric(
    text: str, folded: str, start: int, end: int, found: list[DateMention]
) -> list[DateMention]:
    """Resolve "the next day"-like expressions against the nearest earlier date."""
    hits: list[tuple[int, int, int]] = [
        (m.start(), m.end(), _ANAPHORIC[m.group(0)])
        for m in finditer_near(_ANAPHORIC_RE, folded, start, end)
    ]
    later = any(folded.find(need, start, end) != -1 for need in _LATER_NEEDS)
    for m in finditer_near(_LATER_RE, folded, start, end) if later else ():
        n = parse_number(m.group("n"))
        if n is not None and n <= 31:
            hits.append((m.start(), m.end(), n))
    out: SpanIndex[DateMention] = SpanIndex(found)
    for s, e, shift in sorted(hits):
        if out.overlaps(s, e):
            continue
        near = out.within(s - _ANCHOR_REACH - out.longest, s)
        anchors = [d for d in near if d.end <= s and s - d.end <= _ANCHOR_REACH and not d.vague]
        if not anchors:
            continue
        a = anchors[-1]
        if a.precision == "day":
            value = _iso(a.first_day + dt.timedelta(days=shift))
        else:
            value = a.value  # "the next day" after "in mid-August" is still August
        out.add(DateMention(s, e, text[s:e], value, a.precision, False))
    return out.items()


def _month_ok(text: str, folded: str, m: re.Match[str]) -> bool:
    """Month names that are also words ("may", "march", "mars") need a date-like context."""
    month = m.groupdict().get("month")
    if not month:
        return True
    s = m.start("month")
    word = month.rstrip(".")
    original = text[s : s + len(word)]
    if (
        word in _MONTHS
        and _MONTHS[word]
        and word
        in {
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
        }
        and word not in {"mars"}
        and not original[:1].isupper()
    ):
        return False  # English month names are capitalised
    if word in _AMBIGUOUS_MONTHS:
        before = folded[max(0, s - 12) : s]
        has_context = bool(
            re.search(
                r"(?:\bin|\bon|since|until|\bby|early|mid|late|last|\ben|depuis|"
                r"debut|\bfin|\bmi|\ble|\bde|d'|of|\d)[- ]$",
                before,
            )
        )
        has_number = bool(m.groupdict().get("day") or m.groupdict().get("year"))
        return has_context or has_number
    return True


def find_dates(
    text: str, published: dt.date | None, lang: str = "en", start: int = 0, end: int | None = None
) -> list[DateMention]:
    """Time expressions in ``text[start:end]``, resolved, in text order.

    Expressions that need the publication date are skipped when ``published`` is None.
    """
    end = len(text) if end is None else end
    folded = fold_span(text, 0, len(text))
    taken: SpanIndex[tuple[int, int]] = SpanIndex()
    found: list[DateMention] = []
    for pattern, resolve in _PATTERNS:
        for m in finditer_near(pattern, folded, start, end):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            if not _month_ok(text, folded, m):
                continue
            got = resolve(m, published)
            if got is None:
                continue
            value, precision, vague = got
            taken.add((s, e))
            found.append(DateMention(s, e, text[s:e], value, precision, vague))
    found.sort(key=lambda d: d.start)
    return _anaphoric(text, folded, start, end, found)


def patterns() -> list[re.Pattern[str]]:
    """The patterns dates are read with through the prefilter (planned when rules load)."""
    return [*(pat for pat, _resolve in _PATTERNS), _ANAPHORIC_RE, _LATER_RE]
