"""Places in text: gazetteer surface forms, region phrases, fuzzy spellings, and traps.

:class:`PlaceFinder` scans capitalised word sequences against every surface form of
the gazetteer (:meth:`accordwatch.geo.Gazetteer.iter_names`: English and French
variants such as "Tombouctou"/"Timbuktu").  It leaves out what is not a place in
the text even though the gazetteer has the name:

* people: a name inside a longer capitalised name ("Mohamed Amara"), next to a
  title or a speech verb ("Konaré told"), or a surname already seen in a person's
  name earlier in the document;
* things named after places: "the boat Tombouctou", "opération Barkhane";
* the country itself ("Mali") and spans already taken by an actor's name
  ("Coordination of Azawad Movements").

"X region", "région de X" become the admin-1 unit.  Directions ("towards Gao") and
modifiers ("the Kidal camp") are kept as mentions but marked ``weak`` so that an
event prefers another place in its clause.

>>> pf = PlaceFinder.default()
>>> t = "Mohamed Amara said fighting hit Ber, in the Timbuktu region, not the boat Gao."
>>> [(p.text, p.name, p.is_region) for p in pf.find(t)]
[('Ber', 'Ber', False), ('Timbuktu', 'Timbuktu', True)]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import cache, lru_cache

from accordwatch.extract._lexicon import deaccent, lexicon
from accordwatch.extract._model import PlaceMention
from accordwatch.extract._prefilter import finditer_near
from accordwatch.extract._spans import SpanIndex
from accordwatch.extract._text import sentences, words
from accordwatch.geo import AdminIndex, Gazetteer, Place, normalize_admin1
from accordwatch.geo._text import compact, variant_key
from accordwatch.geo.gazetteer import COMMON_WORDS

__all__ = ["PlaceFinder", "patterns", "split_elisions"]

_REGION_AFTER = {"region", "regions", "province", "cercle", "circle"}
_REGION_BEFORE = (
    "region de",
    "region du",
    "region d",
    "region of",
    "regions de",
    "province de",
    "cercle de",
    "cercle d",
)
_NAME_PARTS = {
    "region",
    "province",
    "cercle",
    "camp",
    "airport",
    "aeroport",
    "district",
    "commune",
    "valley",
    "vallee",
    "river",
    "fleuve",
    "lake",
    "lac",
}
_ACCORD_WORDS = frozenset(
    {"accord", "accords", "agreement", "agreements", "process", "processus", "talks"}
)
_SKIP_CODES = {"PCLI", "PCL", "CONT", "RGN"}
_MAX_WORDS = 4


def _notable(p: Place) -> bool:
    return (
        p.curated
        or p.population > 0
        or p.feature_code in {"PPLC", "PPLA", "PPLA2", "PPLA3", "ADM1", "ADM2"}
    )


class PlaceFinder:
    """Find gazetteer places in text (see the module docstring)."""

    def __init__(self, gazetteer: Gazetteer, admin: AdminIndex | None = None) -> None:
        self.gazetteer = gazetteer
        self._admin = admin or AdminIndex.default()
        self._forms: dict[str, Place] = {}
        for form, place in gazetteer.iter_names():
            self._forms.setdefault(compact(form), place)
        self._memo: dict[str, tuple[Place | None, Place | None]] = {}
        self._near_memo: dict[str, Place | None] = {}
        self._form_memo: dict[str, Place | None] = {}
        self._variants: dict[str, Place] = {
            key: place
            for key, place in gazetteer.iter_variants()
            if place.feature_class == "P" or place.curated
        }
        self._stop = frozenset().union(
            *lexicon().stopwords.values(),
            *lexicon().hedges.values(),
            *lexicon().referential.values(),
        )
        self._centroids = {
            u.admin1: (u.latitude, u.longitude) for u in self._admin.units if u.iso3 == "MLI"
        }

    @classmethod
    def default(cls) -> PlaceFinder:
        """A finder over the bundled gazetteer (cached)."""
        return _default()

    # ------------------------------------------------------------------ scanning
    def find(
        self, text: str, *, exclude: Iterable[tuple[int, int]] = (), fuzzy: bool = True
    ) -> list[PlaceMention]:
        """Place mentions in ``text`` in order; ``exclude`` spans (actors) are skipped."""
        lex = lexicon()
        blocked: SpanIndex[tuple[int, int]] = SpanIndex(exclude)
        toks = split_elisions(text, words(text))
        sents = sentences(text)
        starts = {sent.start for sent in sents}
        titled = SpanIndex(
            [
                (x.start, x.end)
                for x in sents
                if _title_case(text, _toks_between(toks, x.start, x.end))
            ]
        )
        persons: set[str] = set()
        out: list[PlaceMention] = []
        i = 0
        while i < len(toks):
            s0, _, w0 = toks[i]
            facility = w0 in {"aeroport", "airport"} and i + 1 < len(toks)
            if not text[s0].isupper() and not (facility and text[toks[i + 1][0]].isupper()):
                i += 1
                continue
            hit = self._longest(text, toks, i, blocked)
            if hit is None:
                i += 1
                continue
            j, place, near = hit  # tokens i..j-1; near: a transliteration variant
            s, e = toks[i][0], toks[j - 1][1]
            surface = text[s:e]
            prev = toks[i - 1] if i else None
            nxt = toks[j] if j < len(toks) else None
            prev_word = prev[2] if prev else ""
            if place.feature_code in _SKIP_CODES and not _is_country(place):
                i = j  # Mali itself; a foreign country is a (weak) mention
                continue
            if s in starts and toks[i][2] in self._stop:
                i += 1
                continue
            if (
                prev is not None
                and self._joined(text, prev, (s, e))
                and text[prev[0]].isupper()
                and prev_word not in self._stop
                and prev_word not in _NAME_PARTS
                and not prev_word.endswith(("'s", "’s"))
            ):
                if not titled.overlaps(s, e):
                    persons.add(deaccent(surface))
                i = j
                continue
            if (
                nxt is not None
                and self._joined(text, (s, e), nxt)
                and text[nxt[0]].isupper()
                and nxt[2] not in _NAME_PARTS
            ):
                if not titled.overlaps(s, e):
                    persons.add(deaccent(surface))
                i = j
                continue
            if self._person_cue(text, toks, i, j) or deaccent(surface) in persons:
                i = j
                continue
            name_of = lex.name_of["en"] | lex.name_of["fr"]
            if prev_word in name_of or (
                i >= 2
                and toks[i - 2][2] in name_of
                and prev_word in {"the", "le", "la", "l", "a", "an", "un"}
                and text[toks[i - 1][0] : toks[i - 1][1]] != "à"  # "opération à Tessit"
            ):
                i = j
                continue
            out.append(self._mention(text, toks, i, j, place, fuzzy_hit=near))
            i = j
        if fuzzy:
            out += self._fuzzy(text, toks, blocked, out, persons)
        out += _country_parts(text, SpanIndex(out))
        out.sort(key=lambda m: m.start)
        return out

    def _longest(
        self,
        text: str,
        toks: list[tuple[int, int, str]],
        i: int,
        blocked: SpanIndex[tuple[int, int]],
    ) -> tuple[int, Place, bool] | None:
        variant: tuple[int, Place, bool] | None = None
        top = min(_MAX_WORDS, len(toks) - i)
        s = toks[i][0]
        # no span inside a free widest window is blocked
        free = not blocked.overlaps(s, toks[i + top - 1][1])
        joined = 0  # tokens i..i+joined are separated by blanks only
        while joined < top - 1 and self._joined(text, toks[i + joined], toks[i + joined + 1]):
            joined += 1
        for n in range(top, 0, -1):
            e = toks[i + n - 1][1]
            if not free and blocked.overlaps(s, e):
                # a country named like its state ("de Mauritanie") is also a place
                country = self._form(text[s:e])
                if country is not None and _is_country(country):
                    return i + n, country, False
                continue
            if n - 1 > joined:
                continue
            if n > 1 and not text[toks[i + n - 1][0]].isupper():
                continue  # "Ber a été …" is Ber, not "Bera": a name ends on a capital word
            span = text[s:e]
            exact, near = self._lookup(span)
            if exact is not None:
                return i + n, exact, False
            if variant is None and near is not None and toks[i][2] not in self._stop:
                variant = (i + n, near, True)
        return variant  # a transliteration variant only when no exact name is found

    def _form(self, span: str) -> Place | None:
        """The place whose surface form ``span`` is, exactly (memoised)."""
        if span in self._form_memo:
            return self._form_memo[span]
        if len(self._form_memo) > 200_000:
            self._form_memo.clear()
        place = self._form_memo[span] = self._forms.get(compact(span))
        return place

    def _lookup(self, span: str) -> tuple[Place | None, Place | None]:
        """The place a span names exactly, else the place it names as a transliteration
        variant (memoised: names recur)."""
        hit = self._memo.get(span)
        if hit is not None:
            return hit
        exact = None
        for cand in (span, _strip_possessive(span)):
            exact = self._forms.get(compact(cand))
            if exact is not None:
                break
        if exact is None and "-" in span:  # "l'axe Boni-Hombori": the road from the first town
            first, _, second = span.partition("-")
            head = self._forms.get(compact(first))
            if head is not None and self._forms.get(compact(second)) is not None:
                exact = head
        near = None
        if exact is None and not span.isupper():
            key = variant_key(_strip_possessive(span))
            near = self._variants.get(key) if len(key) >= 5 else None
            if near is not None and deaccent(span).casefold() in COMMON_WORDS:
                near = None
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[span] = (exact, near)
        return exact, near

    @staticmethod
    def _joined(
        text: str,
        a: tuple[int, int] | tuple[int, int, str],
        b: tuple[int, int] | tuple[int, int, str],
    ) -> bool:
        """Only blanks (no punctuation but an elision's apostrophe: "Côte d'Ivoire")
        between two spans (start, end[, token])."""
        gap = text[a[1] : b[0]]
        return gap.strip() in ("", "'", "’") and "\n" not in gap

    def _person_cue(self, text: str, toks: list[tuple[int, int, str]], i: int, j: int) -> bool:
        lex = lexicon()
        before = toks[i - 1][2] if i else ""
        if before in lex.person_before:
            return True
        after = " ".join(t[2] for t in toks[j : j + 2])
        gap = text[toks[j - 1][1] : toks[j][0]] if j < len(toks) else ""
        if after.startswith(lex.person_after) and "," not in gap.strip(" ”’\"'"):
            return True
        # "…,” said Amara" / "said Keita": a speech verb right before the name
        return before in {
            "said",
            "says",
            "told",
            "asked",
            "declare",
            "explique",
            "ajoute",
            "affirme",
        }

    def _mention(
        self,
        text: str,
        toks: list[tuple[int, int, str]],
        i: int,
        j: int,
        place: Place,
        *,
        fuzzy_hit: bool,
    ) -> PlaceMention:
        lex = lexicon()
        s, e = toks[i][0], toks[j - 1][1]
        nxt = toks[j][2] if j < len(toks) else ""
        before2 = " ".join(t[2] for t in toks[max(0, i - 2) : i])
        before = toks[i - 1][2] if i else ""
        region = (
            place.feature_code == "ADM1" or nxt in _REGION_AFTER or before2.endswith(_REGION_BEFORE)
        )
        weak = (
            before in lex.directional["en"] | lex.directional["fr"]
            or nxt in (lex.name_after["en"] | lex.name_after["fr"])
            or (j + 1 < len(toks) and toks[j + 1][2] in _ACCORD_WORDS)  # "Algiers peace accord"
            or (before in {"d", "de"} and i >= 2 and toks[i - 2][2] in _ACCORD_WORDS)
            or place.feature_code in _SKIP_CODES
        )
        if region:
            admin1 = _admin1_of(text[s:e]) or place.admin1
            name = place.name
            for suffix in (" Region", " region", " Province"):
                name = name.removesuffix(suffix)
            lat, lon = self._centroids.get(name, (place.latitude, place.longitude))
            return PlaceMention(
                s,
                e,
                text[s:e],
                name,
                place.geonameid,
                lat,
                lon,
                admin1,
                "A",
                "ADM1",
                "admin1",
                is_region=True,
                fuzzy=fuzzy_hit,
                weak=weak,
            )
        return PlaceMention(
            s,
            e,
            text[s:e],
            place.name,
            place.geonameid,
            place.latitude,
            place.longitude,
            place.admin1,
            place.feature_class,
            place.feature_code,
            place.precision,
            fuzzy=fuzzy_hit,
            weak=weak,
        )

    def _fuzzy(
        self,
        text: str,
        toks: list[tuple[int, int, str]],
        blocked: SpanIndex[tuple[int, int]],
        found: list[PlaceMention],
        persons: set[str],
    ) -> list[PlaceMention]:
        """Near spellings of notable places for capitalised words after a locative word."""
        lex = lexicon()
        locative = {w for ws in lex.locative.values() for w in ws if " " not in w}
        taken: SpanIndex[tuple[int, int]] = SpanIndex(
            [(m.start, m.end) for m in found] + blocked.items()
        )
        out = []
        for i, (s, e, w) in enumerate(toks):
            if i == 0 or len(w) < 5 or not text[s].isupper() or toks[i - 1][2] not in locative:
                continue
            if taken.overlaps(s, e) or deaccent(text[s:e]) in persons:
                continue
            if (
                i + 1 < len(toks)
                and self._joined(text, toks[i], toks[i + 1])
                and text[toks[i + 1][0]].isupper()
            ):
                continue
            if compact(text[s:e]) in self._forms:
                continue
            best = self._near_spelling(text[s:e])
            if best is not None:
                out.append(self._mention(text, toks, i, i + 1, best, fuzzy_hit=True))
        return out

    def _near_spelling(self, word: str) -> Place | None:
        """The notable place ``word`` is a near spelling of, if any (memoised: a word
        recurs)."""
        if word in self._near_memo:
            return self._near_memo[word]
        hits = self.gazetteer.lookup(
            word, fuzzy=True, classes={"P", "A"}, limit=3, score_cutoff=88.0
        )
        hits = [p for p in hits if _notable(p) and p.feature_code not in _SKIP_CODES]
        if len(self._near_memo) > 50_000:
            self._near_memo.clear()
        best = self._near_memo[word] = hits[0] if hits else None
        return best


_ELIDED = ("l", "d", "qu", "jusqu", "lorsqu", "puisqu", "s", "n")


def split_elisions(text: str, toks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Split French elisions before a capital ("d'Anéfis", "l’Azawad") into two tokens.

    The article becomes its own token without the apostrophe ("d", "l"), so "près d'"
    reads as the locative "pres d" and the name is looked up on its own.

    >>> t = "près d'Anéfis et l'armée"
    >>> [w for _, _, w in split_elisions(t, words(t))]
    ['pres', 'd', 'anefis', 'et', "l'armee"]
    """
    out: list[tuple[int, int, str]] = []
    for s, e, w in toks:
        head, sep, rest = w.partition("'")
        cut = s + len(head) + 1
        if (
            sep
            and head in _ELIDED
            and rest
            and cut < e
            and (text[cut].isupper() or rest.startswith("aeroport"))
        ):
            out.append((s, s + len(head), head))
            out.append((cut, e, deaccent(text[cut:e])))
        else:
            out.append((s, e, w))
    return out


_PART = (
    r"(?:north|south|east|west)(?:ern|[- ]?(?:east|west)(?:ern)?)|central|"
    r"(?:nord|sud|centre|est|ouest)(?:-(?:est|ouest))?"
)
_COUNTRY_PART = re.compile(
    rf"\b(?:(?P<en>{_PART})\s+(?P<c1>Mali|Niger|Burkina(?: Faso)?)"
    rf"|(?P<fr>{_PART})(?:\s+du\s+|\s+de\s+l'|-|\s+)(?P<c2>Mali|Niger|Burkina(?: Faso)?))\b",
    re.IGNORECASE,
)
_MALI_ID = 2453866
_MALI_PARTS = {
    "n": (19.0, -1.0),
    "s": (12.5, -7.0),
    "e": (16.5, 1.5),
    "w": (14.0, -9.5),
    "c": (14.5, -4.0),
}


def _country_parts(text: str, taken: SpanIndex[PlaceMention]) -> list[PlaceMention]:
    """ "northern Mali", "le nord du Mali", "Nord-Mali", "centre du Mali": a weak,
    area-level mention named as written (never an event's place)."""
    out = []
    for m in finditer_near(_COUNTRY_PART, text):
        s, e = m.span()
        if taken.overlaps(s, e) or (m.group("c1") or m.group("c2"))[0].islower():
            continue
        part = deaccent((m.group("en") or m.group("fr")).casefold())
        key = "c" if part.startswith("c") else ("w" if "w" in part or "ou" in part else part[0])
        lat, lon = _MALI_PARTS.get(key, _MALI_PARTS["c"])
        out.append(
            PlaceMention(
                s, e, text[s:e], text[s:e], _MALI_ID, lat, lon, None, "A", "PCLI", "area", weak=True
            )
        )
    return out


def _is_country(place: Place) -> bool:
    """A foreign country of the curated supplement (Mali itself is never a mention)."""
    return place.feature_code in _SKIP_CODES and place.curated and place.admin1 is None


def _toks_between(
    toks: list[tuple[int, int, str]], start: int, end: int
) -> list[tuple[int, int, str]]:
    """The tokens of ``toks`` (sorted by start) that start in ``[start, end)``."""
    lo = bisect_left(toks, (start,))
    hi = bisect_left(toks, (end,))
    return toks[lo:hi]


def _title_case(text: str, toks: list[tuple[int, int, str]]) -> bool:
    """A headline in title case: at least 4 long words, nearly all capitalised."""
    long_words = [t for t in toks if len(t[2]) > 3]
    if len(long_words) < 4:
        return False
    caps = sum(1 for t in long_words if text[t[0]].isupper())
    return caps >= 0.8 * len(long_words)


def _strip_possessive(span: str) -> str:
    for suffix in ("'s", "’s", "s'", "s’"):
        if span.endswith(suffix):
            return span[: -len(suffix)] + ("s" if suffix.startswith("s") else "")
    return span


@lru_cache(maxsize=4096)
def _admin1_of(span: str) -> str | None:
    """:func:`~accordwatch.geo.normalize_admin1` of a region's name (names recur)."""
    return normalize_admin1(span)


@cache
def _default() -> PlaceFinder:
    return PlaceFinder(Gazetteer.default())


def patterns() -> list[re.Pattern[str]]:
    """The patterns places are read with through the prefilter (planned when rules load)."""
    return [_COUNTRY_PART]
