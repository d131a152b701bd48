"""Alias normalisation: case-, accent- and punctuation-insensitive keys with offsets.

Two spellings of one name must give the same key, whatever their case, accents,
hyphens, apostrophes or punctuation::

    >>> normalize("Forces armées maliennes")
    'forces armees maliennes'
    >>> normalize("AL-QAÏDA")
    'al qaida'
    >>> normalize("l’armée") == normalize("L'ARMEE")
    True

:func:`tokens_with_offsets` keeps, for every normalised word, where it sits in the
original text, so matches can be reported as spans of the caller's string::

    >>> tokens_with_offsets("Le MNLA, à Kidal.")
    [('le', 0, 2), ('mnla', 3, 7), ('a', 9, 10), ('kidal', 11, 16)]
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["fold_char", "normalize", "shape", "tokens_with_offsets"]

# Letters that NFKD does not decompose but that readers treat as two letters.
_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O"}


@lru_cache(maxsize=8192)
def fold_char(ch: str, *, keep_case: bool = False) -> str:
    """Fold one character: strip accents, expand ligatures, lower-case unless ``keep_case``.

    Returns ``""`` for combining marks and ``" "`` for anything that is not a letter
    or digit (punctuation, spaces, dashes, apostrophes).

    >>> fold_char("É"), fold_char("É", keep_case=True), fold_char("-"), fold_char("œ")
    ('e', 'E', ' ', 'oe')
    """
    if ch in _LIGATURES:
        out = _LIGATURES[ch]
        return out if keep_case else out.lower()
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    if not kept:
        return ""
    if not all(c.isalnum() for c in kept):
        return " "
    return kept if keep_case else kept.casefold()


def _fold(text: str, *, keep_case: bool) -> str:
    parts = [fold_char(ch, keep_case=keep_case) for ch in text]
    return " ".join("".join(parts).split())


def normalize(text: str) -> str:
    """Return the lookup key of ``text``: lower-case, no accents, words joined by one space.

    >>> normalize("  Jama'at Nusrat al-Islam wal-Muslimin ")
    'jama at nusrat al islam wal muslimin'
    """
    return _fold(text, keep_case=False)


def shape(text: str) -> str:
    """Like :func:`normalize` but keeping letter case (for case-sensitive aliases).

    >>> shape("IS-GS"), shape("is")
    ('IS GS', 'is')
    """
    return _fold(text, keep_case=True)


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Split ``text`` into normalised words, each with its ``[start, end)`` span in ``text``.

    >>> tokens_with_offsets("FAMa/Wagner")
    [('fama', 0, 4), ('wagner', 5, 11)]
    """
    out: list[tuple[str, int, int]] = []
    word: list[str] = []
    start = 0
    end = 0
    for i, ch in enumerate(text):
        folded = fold_char(ch)
        if folded == "":
            # A combining mark belongs to the word it follows.
            if word:
                end = i + 1
            continue
        if folded == " ":
            if word:
                out.append(("".join(word), start, end))
                word = []
            continue
        if not word:
            start = i
        word.append(folded)
        end = i + 1
    if word:
        out.append(("".join(word), start, end))
    return out
