"""Vocabulary of the accord tracker: themes, tree levels, scores, UCDP provision flags.

>>> normalize_theme("Defence and security")
'defence-security'
>>> parse_score("2"), parse_score("Reversed")
('2', 'reversed')
>>> score_points("3"), score_points("reversed")
(3, 0)
>>> when_text(dt.date(2021, 1, 1), "year"), period_end(dt.date(2021, 1, 1), "year")
('2021', datetime.date(2021, 12, 31))
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ..errors import InputError

__all__ = [
    "LEVELS",
    "PRECISIONS",
    "SCORES",
    "SCORE_LABELS",
    "THEMES",
    "UCDP_FLAGS",
    "level_rank",
    "normalize_theme",
    "parse_date",
    "parse_score",
    "period_end",
    "score_points",
    "split_list",
    "when_text",
]

#: The five implementation themes (the pillars the agreement's Monitoring Committee and
#: the Independent Observer report on, plus guarantees), keyed by a short slug.
THEMES: dict[str, str] = {
    "political-institutional": "Political and institutional",
    "defence-security": "Defence and security",
    "socio-economic": "Socio-economic and cultural development",
    "reconciliation-justice-humanitarian": "Reconciliation, justice and humanitarian questions",
    "guarantees": "Guarantees and international support",
}

_THEME_WORDS: dict[str, tuple[str, ...]] = {
    "political-institutional": ("political", "institution", "governance", "politique"),
    "defence-security": ("defence", "defense", "security", "securite", "military"),
    "socio-economic": ("socio", "economic", "development", "developpement", "cultural"),
    "reconciliation-justice-humanitarian": (
        "reconciliation",
        "justice",
        "humanitarian",
        "humanitaire",
    ),
    "guarantees": ("guarantee", "garantie", "monitoring", "international support", "suivi"),
}

#: Levels of the provision tree, outermost first.
LEVELS: tuple[str, ...] = ("title", "chapter", "article", "commitment")

#: How exactly a milestone's date is known.  The bundled milestone files write the date to
#: that precision (``2015-06-20``, ``2022-12``, ``2021``); the store keeps the first day of
#: the period with the precision beside it.
PRECISIONS: tuple[str, ...] = ("day", "month", "year")

#: Peace Accords Matrix scale plus two states PAM does not score.
SCORES: tuple[str, ...] = ("0", "1", "2", "3", "reversed", "suspended")
SCORE_LABELS: dict[str, str] = {
    "0": "not started",
    "1": "minimal",
    "2": "intermediate",
    "3": "full",
    "reversed": "reversed",
    "suspended": "suspended",
}

#: UCDP Peace Agreement Dataset provision flags: column → (label, theme or None).
UCDP_FLAGS: dict[str, tuple[str, str | None]] = {
    "cease": ("Ceasefire", "defence-security"),
    "intarmy": ("Integration into the army", "defence-security"),
    "ddr": ("Disarmament, demobilisation and reintegration", "defence-security"),
    "withd": ("Withdrawal of foreign forces", "defence-security"),
    "mil_prov": ("Military provisions (any)", "defence-security"),
    "pp": ("Rebel group becomes a political party", "political-institutional"),
    "intgov": ("Integration into government", "political-institutional"),
    "intciv": ("Integration into the civil service", "political-institutional"),
    "elections": ("Elections", "political-institutional"),
    "interim": ("Interim government", "political-institutional"),
    "natalks": ("National talks", "political-institutional"),
    "shagov": ("Power sharing in government", "political-institutional"),
    "pol_prov": ("Political provisions (any)", "political-institutional"),
    "aut": ("Autonomy", "political-institutional"),
    "fed": ("Federalism", "political-institutional"),
    "ind": ("Independence", "political-institutional"),
    "ref": ("Referendum", "political-institutional"),
    "shaloc": ("Power sharing in local government", "political-institutional"),
    "regdev": ("Regional development", "socio-economic"),
    "cul": ("Cultural freedoms", "socio-economic"),
    "demarcation": ("Border demarcation", "political-institutional"),
    "locgov": ("Local government", "political-institutional"),
    "terr_prov": ("Territorial provisions (any)", "political-institutional"),
    "amn": ("Amnesty", "reconciliation-justice-humanitarian"),
    "pris": ("Release of prisoners", "reconciliation-justice-humanitarian"),
    "recon": ("Reconciliation", "reconciliation-justice-humanitarian"),
    "return": ("Return of refugees and displaced persons", "reconciliation-justice-humanitarian"),
    "justice_prov": ("Justice provisions (any)", "reconciliation-justice-humanitarian"),
    "reaffirm": ("Reaffirms an earlier agreement", None),
    "outlin": ("Outlines a process for further talks", None),
    "pko": ("Peacekeeping operation", "guarantees"),
    "gender": ("Gender provisions", None),
    "co_impl": ("Commission or committee to oversee implementation", "guarantees"),
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def normalize_theme(value: str | None) -> str | None:
    """The theme slug for ``value`` (a slug, a label or a close wording); None if empty.

    Raises :class:`InputError` for a value that names no theme.
    """
    if value is None or not str(value).strip():
        return None
    folded = _fold(str(value))
    slug = re.sub(r"[^a-z]+", "-", folded).strip("-")
    if slug in THEMES:
        return slug
    for key, label in THEMES.items():
        if folded == _fold(label):
            return key
    hits = [key for key, words in _THEME_WORDS.items() if any(w in folded for w in words)]
    if len(hits) == 1:
        return hits[0]
    raise InputError(f"theme {value!r} is not one of: {', '.join(THEMES)}")


def level_rank(level: str) -> int:
    """0 for a title … 3 for a commitment; InputError for anything else."""
    key = str(level).strip().lower()
    if key not in LEVELS:
        raise InputError(f"level {level!r} is not one of: {', '.join(LEVELS)}")
    return LEVELS.index(key)


def parse_score(value: object) -> str:
    """A score as stored: '0'…'3', 'reversed' or 'suspended'."""
    text = str(value).strip().lower()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text in SCORES:
        return text
    raise InputError(
        f"score {value!r} is not allowed; use 0, 1, 2, 3 (PAM scale), reversed or suspended"
    )


def score_points(score: str, previous: int | None = None) -> int | None:
    """Points a score contributes to the index.

    0–3 count as themselves; ``reversed`` counts 0 (the work was undone); ``suspended``
    keeps the points reached before the suspension (``previous``), 0 if there were none.
    """
    if score in ("0", "1", "2", "3"):
        return int(score)
    if score == "reversed":
        return 0
    if score == "suspended":
        return previous if previous is not None else 0
    raise InputError(f"unknown score {score!r}")


def parse_date(value: object, what: str = "date") -> dt.date:
    """A ``YYYY-MM-DD`` date (a ``date`` passes through); InputError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date; use YYYY-MM-DD") from None


def split_list(value: object) -> list[str]:
    """'a; b;c' → ['a', 'b', 'c'] (empty items dropped; None/NaN → [])."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _precision(precision: object) -> str:
    """The precision as stored; a missing one (None, NaN, empty) is ``day``."""
    missing = precision is None or precision != precision or not str(precision).strip()
    key = "day" if missing else str(precision).strip().lower()
    if key not in PRECISIONS:
        raise InputError(f"date precision {precision!r} is not one of: {', '.join(PRECISIONS)}")
    return key


def when_text(date: dt.date, precision: object = "day") -> str:
    """A date written to its precision: ``2015-06-20``, ``2022-12`` or ``2021``."""
    key = _precision(precision)
    text = date.isoformat()
    return text if key == "day" else text[:7] if key == "month" else text[:4]


def period_end(date: dt.date, precision: object = "day") -> dt.date:
    """The last day of the period a date known to ``precision`` stands for."""
    key = _precision(precision)
    if key == "day":
        return date
    if key == "year":
        return dt.date(date.year, 12, 31)
    following = (date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
