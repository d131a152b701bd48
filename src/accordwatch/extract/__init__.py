"""Text → candidate events with evidence, in English and French, for human review.

Pure: no store, no network.  Rules, the bundled gazetteer and actor registry, and
word lists in ``data/extract/`` do the work; no statistical model is needed.

>>> import accordwatch.extract as ex
>>> r = ex.extract_text("Le 12 août, des combats ont opposé les FAMa à la CMA près de Ber.",
...                     published="2023-10-05")
>>> [(e.type, e.date, e.place, e.admin1) for e in r.events]
[('clash', '2023-08-12', 'Ber', 'Timbuktu')]
"""

from accordwatch.extract._documents import (
    document_files,
    document_from_bytes,
    document_id,
    iter_documents,
    read_documents,
)
from accordwatch.extract._model import (
    CLAIM_KINDS,
    EVENT_TYPES,
    ActorMention,
    CandidateEvent,
    Claim,
    DateMention,
    Document,
    ExtractionResult,
    PlaceMention,
)
from accordwatch.extract.api import (
    DEFAULT_MIN_CONFIDENCE,
    LANGS,
    extract_document,
    extract_path,
    extract_text,
    parse_published,
)

__all__ = [
    "CLAIM_KINDS",
    "DEFAULT_MIN_CONFIDENCE",
    "EVENT_TYPES",
    "LANGS",
    "ActorMention",
    "CandidateEvent",
    "Claim",
    "DateMention",
    "Document",
    "ExtractionResult",
    "PlaceMention",
    "document_files",
    "document_from_bytes",
    "document_id",
    "extract_document",
    "extract_path",
    "extract_text",
    "iter_documents",
    "parse_published",
    "read_documents",
]
