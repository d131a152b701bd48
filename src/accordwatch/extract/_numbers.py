"""Numbers written in digits or words, English and French.

>>> parse_number("twenty-three"), parse_number("une dizaine"), parse_number("1,200")
(23, 10, 1200)
>>> parse_number("dozens") is None
True
"""

from __future__ import annotations

import re

from accordwatch.extract._lexicon import deaccent

__all__ = ["NUMBER_RE", "parse_number"]

_UNITS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
}
# Round counts that still give a figure ("a dozen" = 12, "une dizaine" = about 10:
# the low end of what the word means).
_ROUND = {
    "a dozen": 12,
    "dozen": 12,
    "une douzaine": 12,
    "douzaine": 12,
    "une dizaine": 10,
    "dizaine": 10,
    "une quinzaine": 15,
    "quinzaine": 15,
    "une vingtaine": 20,
    "vingtaine": 20,
    "une trentaine": 30,
    "trentaine": 30,
    "une quarantaine": 40,
    "une cinquantaine": 50,
    "une centaine": 100,
    "a hundred": 100,
    "one hundred": 100,
}
_WORDS = sorted({*_UNITS, *_ROUND}, key=len, reverse=True)
_WORD_ALT = "|".join(re.escape(w) for w in _WORDS if w not in {"a", "an", "un", "une"})

#: A number in folded text: digits (1,200 / 1 200 / 1.200) or number words.
NUMBER_RE = (
    r"(?:\d{1,3}(?:[ ,.]\d{3})+|\d+"
    rf"|(?:{_WORD_ALT})(?:[- ](?:et[- ])?(?:{_WORD_ALT}))*"
    r"|(?:a|une) (?:dozen|douzaine|dizaine|quinzaine|vingtaine|trentaine|quarantaine|"
    r"cinquantaine|centaine|hundred))"
)


def parse_number(text: str) -> int | None:
    """The integer a number phrase stands for; ``None`` for vague amounts ("dozens")."""
    t = deaccent(text).strip()
    if not t:
        return None
    if re.fullmatch(r"\d{1,3}(?:[ ,.]\d{3})+|\d+", t):
        return int(re.sub(r"[ ,.]", "", t))
    if t in _ROUND:
        return _ROUND[t]
    total = 0
    current = 0
    for part in re.split(r"[- ]+", t):
        if part == "et":
            continue
        if part not in _UNITS:
            return None
        value = _UNITS[part]
        if value == 100:
            current = max(current, 1) * 100
        else:
            current += value
    total += current
    return total or None
