"""Text folding shared by the admin-1 and gazetteer name matchers (private).

>>> fold("Région  de Tombouctou")
'region de tombouctou'
>>> fold("Ti-n-Zaouâtene"), compact("Ti-n-Zaouâtene")
('ti n zaouatene', 'tinzaouatene')
>>> compact("N’Tillit") == compact("N'Tillit") == compact("ntillit")
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["compact", "fold"]

_NON_ALNUM = re.compile(r"[\W_]+")
# Letters NFKD does not decompose into base + accent.
_SPECIAL = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ɛ": "e", "ɔ": "o"}
)


def fold(text: str) -> str:
    """Lower-case, strip accents, turn apostrophes/hyphens/punctuation into spaces."""
    bare = text.casefold()
    if not bare.isascii():
        decomposed = unicodedata.normalize("NFKD", bare)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        bare = bare.translate(_SPECIAL)
    return _NON_ALNUM.sub(" ", bare).strip()


def compact(text: str) -> str:
    """:func:`fold` without spaces: the key used for exact name matching."""
    return fold(text).replace(" ", "")
