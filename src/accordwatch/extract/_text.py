"""Sentences, clauses, quotations and language of a text, with character offsets.

A small rule-based splitter (no statistical model): paragraphs at line breaks,
sentences at ``. ! ?`` followed by a capital, a digit or a quote — unless the word
before is a known abbreviation ("Gen.", "M.", "U.N.") or a single initial.

>>> t = "Gen. Diarra spoke. The army attacked Ber on Tuesday, and the CMA withdrew."
>>> [t[s.start:s.end] for s in sentences(t)]
['Gen. Diarra spoke.', 'The army attacked Ber on Tuesday, and the CMA withdrew.']
>>> [t[c[0]:c[1]] for c in clauses(t, sentences(t)[1])]
['The army attacked Ber on Tuesday', 'and the CMA withdrew.']
>>> detect_language("Les FAMa ont repris le camp de Ber après des combats.")
'fr'
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from accordwatch.extract._lexicon import any_trigger, deaccent, fold_span, lexicon

__all__ = [
    "MAX_SENTENCE",
    "Sentence",
    "clauses",
    "detect_language",
    "forget_words",
    "quote_spans",
    "sentences",
    "words",
]

_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_END_RE = re.compile(r"[.!?…]+[\"'”»’)\]]*(?=\s+[\"'“«‘(\[]?[A-Z0-9À-ÖØ-Þ])")
# Clause boundaries: coordinating and contrastive links after a comma or a semicolon.
_CLAUSE_RE = re.compile(
    r"(?:;|,\s+(?=(?:and|but|while|whereas|as|although|though|which|who|when|before|after|"
    r"et|mais|tandis|alors|lorsque|quand|qui|avant|après|apres|puis)\b))",
    re.IGNORECASE,
)
_SOFT_STOP_RE = re.compile(r"[;:,](?=\s)")
_BLANK_RE = re.compile(r"\s+")
_HAS_WORD = re.compile(r"\w")
# Longest sentence handed to the rules, in characters; a longer run (a text without
# full stops, a whole file on one line) is cut at a clause mark or a blank.
MAX_SENTENCE = 2000
_QUOTE_PAIRS = (("“", "”"), ("«", "»"), ("‘", "’"))


@dataclass(frozen=True)
class Sentence:
    """A sentence's span in the text and its index."""

    start: int
    end: int
    index: int
    paragraph: int


def words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Words of ``text[start:end]`` as ``(start, end, folded word)`` with text offsets.

    >>> words("L’armée a frappé")
    [(0, 7, "l'armee"), (8, 9, 'a'), (10, 16, 'frappe')]
    """
    end = len(text) if end is None else end
    held = getattr(_DOC_WORDS, "held", None)
    if held is not None and held[0] is text and start >= 0:
        toks = held[1]
        lo = bisect_left(toks, (start,))
        hi = bisect_left(toks, (end,), lo)
        # the same words as a scan of text[start:end] unless a word of the whole text
        # runs across ``start`` or ``end`` (the scan would cut it there)
        if (lo == 0 or toks[lo - 1][1] <= start) and (hi == 0 or toks[hi - 1][1] <= end):
            return list(toks[lo:hi])
    seg = fold_span(text, start, end)  # folding keeps one character per character
    spans = [m.span() for m in _WORD_RE.finditer(text, start, end)]
    out = [(s, e, seg[s - start : e - start]) for s, e in spans]
    if start == 0 and end == len(text) >= _DOC_WORDS_MIN:
        _DOC_WORDS.held = (text, tuple(out))
    return out


# The words of the last long text read whole in this thread, kept while its steps ask
# for the words of its sentences and clauses: a word starts only at a word character,
# so the words of a span that cuts no word of the whole text are those of the whole
# text inside it.
_DOC_WORDS = threading.local()
_DOC_WORDS_MIN = 5_000


def forget_words() -> None:
    """Let go of the words kept by :func:`words` in this thread (the text's extraction
    is over)."""
    _DOC_WORDS.held = None


def sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order (blank or whitespace-only spans are skipped).

    The last few texts' sentences are kept (places, events and claims all ask)."""
    return list(_sentences(text))


@lru_cache(maxsize=4)
def _sentences(text: str) -> tuple[Sentence, ...]:
    return tuple(_split_sentences(text))


def _split_sentences(text: str) -> list[Sentence]:
    abbrev = lexicon().abbreviations
    out: list[Sentence] = []
    pos = 0
    for par_no, line in enumerate(text.splitlines(keepends=True)):
        lstart, lend = pos, pos + len(line)
        pos = lend
        cut = lstart
        for m in _END_RE.finditer(text, lstart, lend):
            before = text[max(lstart, m.start() - 64) : m.start()]
            word = re.search(r"([\w.]+)$", before)
            token = deaccent(word.group(1)) if word else ""
            if token.rstrip(".") in abbrev or (len(token) == 1 and token.isalpha()):
                continue
            _add(out, text, cut, m.end(), par_no)
            cut = m.end()
        _add(out, text, cut, lend, par_no)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int, par: int) -> None:
    while start < end:
        while start < end and text[start].isspace():
            start += 1
        cut = _cut(text, start, end)
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start and _HAS_WORD.search(text, start, stop):
            out.append(Sentence(start, stop, len(out), par))
        start = cut


def _cut(text: str, start: int, end: int) -> int:
    """Where the sentence starting at ``start`` stops: ``end``, or for a run longer than
    :data:`MAX_SENTENCE` characters the last clause mark (``; : ,``) or else the last
    blank in the second half of the window, else the window's end."""
    if end - start <= MAX_SENTENCE:
        return end
    limit = start + MAX_SENTENCE
    half = start + MAX_SENTENCE // 2
    for pattern in (_SOFT_STOP_RE, _BLANK_RE):
        last = None
        for m in pattern.finditer(text, half, limit):
            last = m
        if last is not None:
            return last.end()
    return limit


def clauses(text: str, sent: Sentence) -> list[tuple[int, int]]:
    """Clause spans of one sentence: split at ";" and at ", and/but/while/which/…".

    Splits never fall inside a quotation, and a clause is at least three words.
    """
    quotes = quote_spans(text, sent.start, sent.end)
    cuts = [sent.start]
    for m in _CLAUSE_RE.finditer(text, sent.start, sent.end):
        if any(q0 <= m.start() < q1 for q0, q1 in quotes):
            continue
        if len(words(text, cuts[-1], m.start())) >= 3:
            cuts.append(m.end())
    spans = []
    for i, c0 in enumerate(cuts):
        c1 = cuts[i + 1] if i + 1 < len(cuts) else sent.end
        while c0 < c1 and text[c0].isspace():
            c0 += 1
        end = c1
        while end > c0 and text[end - 1] in " ,;":
            end -= 1
        spans.append((c0, end))
    # a trailing fragment too short to stand alone joins the previous clause
    if len(spans) > 1 and len(words(text, *spans[-1])) < 3:
        last = spans.pop()
        spans[-1] = (spans[-1][0], last[1])
    return spans


def quote_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of quoted speech (curly quotes, guillemets, straight double quotes)."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for opening, closing in _QUOTE_PAIRS:
        i = text.find(opening, start, end)
        while i != -1:
            j = text.find(closing, i + 1, end)
            if j == -1:
                break
            if opening == "‘" and j - i < 3:  # an apostrophe, not a quote
                i = text.find(opening, j + 1, end)
                continue
            spans.append((i, j + 1))
            i = text.find(opening, j + 1, end)
    straight = [m.start() for m in re.finditer('"', text[start:end])]
    for a, b in zip(straight[0::2], straight[1::2], strict=False):
        spans.append((start + a, start + b + 1))
    return sorted(spans)


def detect_language(text: str) -> str | None:
    """``"en"``, ``"fr"`` or ``None`` when the text is too short or neither language.

    Counts frequent function words of each language; needs two of them (one in a
    very short text), at least 15 % of the words, and a clear majority.

    A text too short for that is told by accents, elisions, English endings and the
    event words of each language.

    >>> detect_language("The army said it attacked the base."), detect_language("Kidal 2023")
    ('en', None)
    >>> detect_language("Gunmen killed 12 villagers near Gao yesterday.")
    'en'
    """
    stop = lexicon().stopwords
    counts = {lang: 0 for lang in stop}
    toks = [w for _, _, w in words(text[:20000])]
    for w in toks:
        for lang, ws in stop.items():
            if w in ws:
                counts[lang] += 1
        if "'" in w:  # l'armee, d'un: French elision
            counts["fr"] += 1 if w.split("'")[0] in {"l", "d", "qu", "n", "s", "j", "c"} else 0
    best = max(counts, key=lambda k: counts[k])
    total = sum(counts.values())
    enough = counts[best] >= 2 or (len(toks) <= 6 and counts[best] >= 1)
    if not enough or counts[best] < 0.15 * max(len(toks), 1) or counts[best] < 0.6 * total:
        return _short_text_language(text[:2000], toks) if len(toks) < 40 else None
    return best


_FRENCH_LETTERS = frozenset("éèêëàâçùûôîïœ")


def _short_text_language(text: str, toks: list[str]) -> str | None:
    """A text too short for function words ("Gunmen killed 12 villagers near Gao."):
    French accents and elisions against English endings (-ed, -ing, 's), and which
    language's event words it holds."""
    if len(toks) < 2:
        return None
    folded = deaccent(text)
    fr = sum(ch in _FRENCH_LETTERS for ch in text.casefold())
    fr += sum(1 for w in toks if w[:2] in {"l'", "d'"})
    en = sum(1 for w in toks if len(w) > 4 and w.endswith(("ed", "ing"))) + sum(
        1 for w in toks if w.endswith("'s")
    )
    fr += 2 * bool(any_trigger("fr").search(folded))
    en += 2 * bool(any_trigger("en").search(folded))
    if fr == en:
        return None
    return "fr" if fr > en else "en"
