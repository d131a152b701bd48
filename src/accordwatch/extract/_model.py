"""Value types of the extractor: documents, mentions, candidate events, results.

Everything here is plain data with a ``to_dict()`` that gives the JSON contract of
``accordwatch extract --format json`` (see DESIGN.md).

>>> ev = CandidateEvent(date="2023-08", date_precision="month", type="clash",
...                     evidence="Clashes erupted in Ber.", confidence=0.8)
>>> ev.to_dict()["date"], ev.to_dict()["fatalities"]
('2023-08', None)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = [
    "EVENT_TYPES",
    "CLAIM_KINDS",
    "ActorMention",
    "CandidateEvent",
    "Claim",
    "DateMention",
    "Document",
    "ExtractionResult",
    "PlaceMention",
]

#: Event types, as listed in DESIGN.md.
EVENT_TYPES: tuple[str, ...] = (
    "clash",
    "airstrike",
    "drone_strike",
    "attack_on_civilians",
    "base_seizure",
    "base_handover",
    "ambush",
    "ied",
    "blockade",
    "displacement",
    "political",
)


@dataclass(frozen=True)
class Document:
    """One input text with what is known about it.

    ``doc_id`` is stable for the same text (a hash prefix), so re-reading a file
    gives the same id and the review queue does not fill up twice.
    """

    doc_id: str
    text: str
    path: str | None = None
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    lang: str | None = None
    sha256: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "lang": self.lang,
            "sha256": self.sha256,
            "chars": len(self.text),
        }


@dataclass(frozen=True)
class PlaceMention:
    """A gazetteer place found in the text (``start``/``end`` index the document text)."""

    start: int
    end: int
    text: str
    name: str
    geonameid: int
    latitude: float
    longitude: float
    admin1: str | None
    feature_class: str
    feature_code: str
    precision: str
    is_region: bool = False
    fuzzy: bool = False
    weak: bool = False  # a modifier ("the Kidal camp") or a direction ("towards Gao")


@dataclass(frozen=True)
class ActorMention:
    """An actor of the registry found in the text."""

    start: int
    end: int
    text: str
    actor_id: str
    name: str
    kind: str | None = None
    fuzzy: bool = False


@dataclass(frozen=True)
class DateMention:
    """A time expression resolved against the publication date.

    ``value`` is ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``precision`` is
    ``day``, ``month`` or ``year``; ``vague`` marks "in recent days",
    "currently" and the like (the date is the publication month).
    """

    start: int
    end: int
    text: str
    value: str
    precision: str
    vague: bool = False

    @property
    def first_day(self) -> dt.date:
        parts = [int(p) for p in self.value.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])


@dataclass
class CandidateEvent:
    """One event the text reports, waiting for a person's review."""

    type: str
    evidence: str
    confidence: float
    date: str | None = None
    date_precision: str | None = None
    place: str | None = None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_precision: str | None = None
    geonameid: int | None = None
    actors: list[str] = field(default_factory=list)
    actor_ids: list[str] = field(default_factory=list)
    fatalities: int | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    trigger: str | None = None
    background: bool = False
    doc_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The event as in the JSON contract (plus a few extra keys after ``confidence``)."""
        d = asdict(self)
        ordered = {
            k: d[k]
            for k in (
                "date",
                "date_precision",
                "place",
                "admin1",
                "latitude",
                "longitude",
                "actors",
                "type",
                "fatalities",
                "evidence",
                "confidence",
            )
        }
        ordered["confidence"] = round(float(self.confidence), 3)
        for k in (
            "location_precision",
            "geonameid",
            "actor_ids",
            "evidence_start",
            "evidence_end",
            "trigger",
            "background",
            "doc_id",
            "notes",
        ):
            ordered[k] = d[k]
        return ordered


#: What a party's statement can claim.
CLAIM_KINDS: tuple[str, ...] = ("deaths", "capture", "responsibility", "other")


@dataclass
class Claim:
    """A party's own statement about an event, kept apart from confirmed figures.

    "L'armée affirme avoir neutralisé 30 terroristes" is a claim by the army
    (``claimant``) of ``deaths=30`` among ``target`` ("terroristes"); "JNIM claimed the
    attack" is a ``responsibility`` claim.  ``event_index`` is the position in
    :attr:`ExtractionResult.events` of the event the claim is about, when one was found.
    A claim's number never enters an event's ``fatalities``.

    >>> Claim(claimant="FAMa", kind="deaths", deaths=30, evidence="...").to_dict()["deaths"]
    30
    """

    claimant: str
    kind: str
    evidence: str
    claimant_id: str | None = None
    deaths: int | None = None
    target: str | None = None
    date: str | None = None
    date_precision: str | None = None
    place: str | None = None
    geonameid: int | None = None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    event_index: int | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    confidence: float = 0.5
    doc_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["confidence"] = round(float(self.confidence), 3)
        return d


@dataclass
class ExtractionResult:
    """Events and mentions found in one or more documents."""

    events: list[CandidateEvent] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def places_mentioned(self) -> list[str]:
        """Distinct place names in order of first mention (region units as "X region")."""
        return list(dict.fromkeys(p.name for p in self.places))

    @property
    def actors_mentioned(self) -> list[str]:
        """Distinct actor names in order of first mention."""
        return list(dict.fromkeys(a.name for a in self.actors))

    def extend(self, other: ExtractionResult) -> None:
        offset = len(self.events)
        self.events += other.events
        self.claims += [
            c if c.event_index is None else replace(c, event_index=c.event_index + offset)
            for c in other.claims
        ]
        self.places += other.places
        self.actors += other.actors
        self.documents += other.documents
        self.warnings += other.warnings

    def to_dict(self) -> dict[str, Any]:
        """``{"events", "claims", "places_mentioned", "actors_mentioned", "documents",
        "warnings"}``."""
        return {
            "events": [e.to_dict() for e in self.events],
            "claims": [c.to_dict() for c in self.claims],
            "places_mentioned": self.places_mentioned,
            "actors_mentioned": self.actors_mentioned,
            "documents": [d.to_dict() for d in self.documents],
            "warnings": list(self.warnings),
        }
