"""The peace-accord tracker: agreements, provisions, assessments, milestones, links to violence.

What an agreement's monitor does, kept machine-readable, dated and sourced:

* **agreements** — the UCDP Peace Agreement Dataset (374 agreements, provision flags,
  UCDP conflict/dyad/actor ids): :func:`list_agreements`, :func:`show_agreement`;
* **provisions** — a tree (title → chapter → article → commitment) with theme, responsible
  parties, places and deadlines, bundled for Mali's 2015 agreement and extensible from YAML
  or CSV: :func:`provisions`, :func:`provision_tree`, :func:`load_provisions`;
* **assessments** — dated, append-only Peace Accords Matrix scores (0–3, reversed,
  suspended) with assessor, evidence and source: :func:`assess`, :func:`import_assessments`,
  :func:`export_assessments`, :func:`assessments`;
* **index** — PAM-style implementation index over time, overall, by theme or by party,
  and published comparison points: :func:`implementation_index`, :func:`comparison`;
* **violence** — events involving a provision's parties or places, signatories' fighting
  after signature, a monthly timeline and an "accord health" summary:
  :func:`provision_events`, :func:`violations`, :func:`timeline`, :func:`health`.

The functions that read or change the store live in the application layer
(:mod:`accordwatch._app.accords`); this package holds the pure domain code and offers them
under its own name through lazy attributes — a deliberate upward re-export, so that
``from accordwatch.accords import assess`` keeps working while no module here imports
``store/`` or ``_app/``.

>>> from accordwatch.accords import THEMES, SCORES
>>> len(THEMES), SCORES[-2:]
(5, ('reversed', 'suspended'))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accordwatch._lazy import lazy_attributes as _lazy_attributes

from ._assessments import compute_index
from ._model import LEVELS, SCORE_LABELS, SCORES, THEMES, UCDP_FLAGS
from ._provisions import parse_provisions, tree_frame

if TYPE_CHECKING:
    from accordwatch._app.accords import (
        assess,
        assessments,
        comparison,
        export_assessments,
        health,
        implementation_index,
        import_assessments,
        list_agreements,
        load_provisions,
        provision_events,
        provision_tree,
        provisions,
        show_agreement,
        timeline,
        violations,
    )

__all__ = [
    "LEVELS",
    "SCORES",
    "SCORE_LABELS",
    "THEMES",
    "UCDP_FLAGS",
    "assess",
    "assessments",
    "comparison",
    "compute_index",
    "export_assessments",
    "health",
    "implementation_index",
    "import_assessments",
    "list_agreements",
    "load_provisions",
    "parse_provisions",
    "provision_events",
    "provision_tree",
    "provisions",
    "show_agreement",
    "timeline",
    "tree_frame",
    "violations",
]

#: the store-using functions, found in the application layer on first use
_APP = "accordwatch._app.accords"
_HOME = {
    name: _APP
    for name in (
        "assess",
        "assessments",
        "comparison",
        "export_assessments",
        "health",
        "implementation_index",
        "import_assessments",
        "list_agreements",
        "load_provisions",
        "provision_events",
        "provision_tree",
        "provisions",
        "show_agreement",
        "timeline",
        "violations",
    )
}

__getattr__ = _lazy_attributes(__name__, _HOME)
