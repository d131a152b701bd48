"""Public entry points: text, document or path in → :class:`ExtractionResult` out.

>>> import datetime as dt
>>> r = extract_text("On Tuesday, clashes between the CMA and the army erupted in Ber, "
...                  "killing 12 soldiers.", published=dt.date(2023, 10, 5))
>>> e = r.events[0]
>>> e.type, e.date, e.place, e.admin1, e.fatalities
('clash', '2023-10-03', 'Ber', 'Timbuktu', 12)
>>> e.actors
['Coordination of Azawad Movements', 'Government of Mali']
>>> r.places_mentioned, r.actors_mentioned
(['Ber'], ['Coordination of Azawad Movements', 'Government of Mali'])
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from accordwatch.errors import InputError
from accordwatch.extract._actors import ActorFinder
from accordwatch.extract._claims import claims_in_text
from accordwatch.extract._claims import patterns as _claim_patterns
from accordwatch.extract._dates import find_dates
from accordwatch.extract._dates import patterns as _date_patterns
from accordwatch.extract._discourse import patterns as _capture_patterns
from accordwatch.extract._documents import document_files, document_from_bytes, iter_documents
from accordwatch.extract._events import events_in_text
from accordwatch.extract._fatalities import patterns as _death_patterns
from accordwatch.extract._lexicon import deaccent, excludes, remember_folded, trigger_table
from accordwatch.extract._model import CandidateEvent, Claim, Document, ExtractionResult
from accordwatch.extract._places import PlaceFinder
from accordwatch.extract._places import patterns as _place_patterns
from accordwatch.extract._prefilter import prepare
from accordwatch.extract._text import detect_language, forget_words

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "LANGS",
    "extract_document",
    "extract_path",
    "extract_text",
    "parse_published",
]

LANGS = ("auto", "en", "fr")
DEFAULT_MIN_CONFIDENCE = 0.5


def parse_published(value: str | dt.date | None) -> dt.date | None:
    """``YYYY-MM-DD`` (or a date) → date; ``None`` stays ``None``.

    >>> parse_published("2023-10-05")
    datetime.date(2023, 10, 5)
    """
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(
            f"publication date {value!r} is not YYYY-MM-DD; pass e.g. --published 2023-10-05"
        ) from None


def _check(lang: str, min_confidence: float) -> None:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    if not 0.0 <= min_confidence <= 1.0:
        raise InputError(f"min_confidence must be between 0 and 1; got {min_confidence}")


#: Texts at least this long (characters) are extracted with the cyclic garbage collector
#: paused: the steps make no reference cycles, and each full collection would walk every
#: span of the document again (about a sixth of the time of a 3 MB text).
_GC_PAUSE_CHARS = 200_000
_GC_LOCK = threading.Lock()
_GC_STATE = {"paused": 0, "was_enabled": 0}


@contextmanager
def _gc_paused(chars: int) -> Iterator[None]:
    """Pause the cyclic garbage collector while a long text is extracted (nested and
    concurrent extractions share one pause; it is restored as it was found)."""
    if chars < _GC_PAUSE_CHARS:
        yield
        return
    with _GC_LOCK:
        if _GC_STATE["paused"] == 0:
            _GC_STATE["was_enabled"] = int(gc.isenabled())
            gc.disable()
        _GC_STATE["paused"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_STATE["paused"] -= 1
            if _GC_STATE["paused"] == 0 and _GC_STATE["was_enabled"]:
                gc.enable()


#: Share of the work of a document done when each step ends (actors, places, dates,
#: events, claims), for progress within one document.
_STEPS = {"actors": 0.12, "places": 0.35, "dates": 0.5, "events": 0.9, "claims": 1.0}


class _Progress:
    """Tells ``report(done, total)`` how far the extraction of a ``total``-character
    document is, in characters, at most about a hundred times."""

    def __init__(self, report: Callable[[int, int], None] | None, total: int) -> None:
        self.report, self.total, self.last, self.begin = report, total, -1, 0.0
        self.step = max(1, total // 100)

    def done(self, step: str) -> None:
        """The step ``step`` is over."""
        self.begin = _STEPS[step]
        self._tell(round(self.begin * self.total))

    def within(self, step: str) -> Callable[[int], None] | None:
        """For a step that reads the text in order: ``reached(offset)`` as it goes."""
        if self.report is None:
            return None
        lo, hi = self.begin, _STEPS[step]

        def at(offset: int) -> None:
            done = round((lo + (hi - lo) * offset / max(self.total, 1)) * self.total)
            if done - self.last >= self.step:
                self._tell(done)

        return at

    def _tell(self, done: int) -> None:
        if self.report is not None and done != self.last:
            self.last = done
            self.report(min(done, self.total), self.total)


def extract_document(
    doc: Document,
    *,
    lang: str = "auto",
    country: str | None = "Mali",
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractionResult:
    """Events, places and actors of one document.

    Never raises for bad text: an empty, binary or unknown-language document gives an
    empty result whose ``warnings`` say why.  ``country`` is the context in which
    ambiguous actor names ("the army", "la junte") are resolved.  ``progress(done,
    total)`` is told how far the extraction is, in characters of the text (``total``
    once it is over; at most about a hundred calls).
    """
    _check(lang, min_confidence)
    result = ExtractionResult(warnings=list(doc.warnings))
    where = doc.path or doc.doc_id
    if not doc.text.strip():
        result.documents.append(doc)
        return result
    found = detect_language(doc.text) if lang == "auto" else lang
    if found is None:
        result.warnings.append(
            f"{where}: cannot tell the language (English or French are supported); "
            "pass --lang en or --lang fr if the text is in one of them"
        )
        result.documents.append(doc)
        return result
    doc = Document(
        doc.doc_id,
        doc.text,
        doc.path,
        doc.title,
        doc.url,
        doc.published,
        found,
        doc.sha256,
        doc.warnings,
    )
    result.documents.append(doc)
    if doc.published is None:
        result.warnings.append(
            f"{where}: no publication date; relative dates ('on Tuesday', 'il y a un mois') "
            "are left out — pass --published YYYY-MM-DD"
        )
    with _gc_paused(len(doc.text)):
        try:
            _extract_into(result, doc, found, country, min_confidence, progress)
        finally:
            forget_words()  # the kept words of this text are no longer needed
    if not result.events:
        result.warnings.append(f"{where}: no events found")
    return result


@cache
def _prepared(lang: str) -> None:
    """The patterns of ``lang``'s rules planned once, when its first text is read."""
    prepare(
        [
            *(pat for _type, pat, _lits in trigger_table(lang)),
            *(pat for pats in excludes().values() for pat in pats),
            *_date_patterns(),
            *_place_patterns(),
            *_capture_patterns(),
            *_death_patterns(lang),
            *_claim_patterns(),
        ]
    )


def _extract_into(
    result: ExtractionResult,
    doc: Document,
    found: str,
    country: str | None,
    min_confidence: float,
    progress: Callable[[int, int], None] | None,
) -> None:
    """The steps of :func:`extract_document` for a document of language ``found``."""
    _prepared(found)
    remember_folded(doc.text, deaccent(doc.text))  # one folding shared by every step
    ticks = _Progress(progress, len(doc.text))
    actors = ActorFinder.default().find(doc.text, country=country, on=doc.published)
    ticks.done("actors")
    places = PlaceFinder.default().find(doc.text, exclude=[(a.start, a.end) for a in actors])
    ticks.done("places")
    dates = find_dates(doc.text, doc.published, found)
    ticks.done("dates")
    events = events_in_text(
        doc.text,
        lang=found,
        published=doc.published,
        places=places,
        actors=actors,
        doc_id=doc.doc_id,
        dates=dates,
        reached=ticks.within("events"),
    )
    ticks.done("events")
    result.events = [e for e in events if e.confidence >= min_confidence]
    result.claims = _attach(
        claims_in_text(
            doc.text,
            lang=found,
            published=doc.published,
            actors=actors,
            places=places,
            doc_id=doc.doc_id,
            dates=dates,
            reached=ticks.within("claims"),
        ),
        result.events,
    )
    ticks.done("claims")
    result.places = places
    result.actors = actors


def _attach(claims: list[Claim], events: list[CandidateEvent]) -> list[Claim]:
    """Each claim's ``event_index``: the event told in the claim's sentence, else the
    last one told in the two sentences before it (within 400 characters).  An event whose
    toll is the claimed number loses it (a claimed toll is never a confirmed figure)."""
    for c in claims:
        if c.evidence_start is None:
            continue
        same = [
            i
            for i, e in enumerate(events)
            if e.evidence_start is not None
            and e.evidence_end is not None
            and e.evidence_start <= c.evidence_start < e.evidence_end
        ]
        before = [
            i
            for i, e in enumerate(events)
            if e.evidence_end is not None and 0 <= c.evidence_start - e.evidence_end <= 400
        ]
        pick = same or before
        if pick:
            c.event_index = pick[0] if same else pick[-1]
            ev = events[c.event_index]
            if c.place is None and ev.place is not None:
                c.place, c.geonameid, c.admin1 = ev.place, ev.geonameid, ev.admin1
                c.latitude, c.longitude = ev.latitude, ev.longitude
            if c.date is None and ev.date is not None:
                c.date, c.date_precision = ev.date, ev.date_precision
            if (
                c.kind == "deaths"
                and same
                and ev.fatalities is not None
                and ev.fatalities == c.deaths
            ):
                ev.fatalities = None  # the toll is the claimant's, not a confirmed figure
                ev.notes.append(f"toll claimed by {c.claimant}: kept as a claim")
    return claims


def extract_text(
    text: str,
    *,
    published: str | dt.date | None = None,
    lang: str = "auto",
    country: str | None = "Mali",
    doc_id: str | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> ExtractionResult:
    """Events, places and actors of a plain text (see :func:`extract_document`)."""
    if not isinstance(text, str):
        raise InputError(f"extract_text() needs a str, got {type(text).__name__}")
    doc = document_from_bytes(text.encode("utf-8"), published=parse_published(published))
    if doc_id:
        doc = Document(
            doc_id, doc.text, published=doc.published, sha256=doc.sha256, warnings=doc.warnings
        )
    return extract_document(doc, lang=lang, country=country, min_confidence=min_confidence)


def extract_path(
    path: str | Path,
    *,
    published: str | dt.date | None = None,
    lang: str = "auto",
    country: str | None = "Mali",
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    progress: Callable[[int, int, str, int], None] | None = None,
    files: list[Path] | None = None,
    file_progress: Callable[[int, int], None] | None = None,
) -> ExtractionResult:
    """Extract from a text or HTML file, or from every such file under a folder.

    ``published`` applies to documents that carry no date of their own (HTML
    ``article:published_time`` or ``<time datetime>`` win).  Documents are read one at
    a time.  ``progress(done, total, path, size)`` is called before each file is
    extracted (``done`` files finished of ``total``; ``size`` in bytes).  ``files``, a
    part of :func:`document_files` of a folder ``path`` (a batch), extracts those files
    alone; the results of consecutive batches, joined with ``ExtractionResult.extend``,
    are the folder's result.  ``file_progress(done, total)`` is told how far the file
    being extracted is, in characters (see :func:`extract_document`).
    """
    _check(lang, min_confidence)
    pub = parse_published(published)
    result = ExtractionResult()
    files = document_files(path) if files is None else files
    docs = iter_documents(path, published=pub, files=files)
    for done, doc in enumerate(docs):
        if progress is not None:
            where = doc.path or str(path)
            progress(done, len(files), where, len(doc.text.encode("utf-8")))
        if pub is not None and doc.published is None:
            doc = Document(
                doc.doc_id,
                doc.text,
                doc.path,
                doc.title,
                doc.url,
                pub,
                doc.lang,
                doc.sha256,
                doc.warnings,
            )
        result.extend(
            extract_document(
                doc,
                lang=lang,
                country=country,
                min_confidence=min_confidence,
                progress=file_progress,
            )
        )
    return result
