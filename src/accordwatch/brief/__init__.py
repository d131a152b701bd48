"""Briefings: what an analyst hands to a decision-maker, gathered from the store in seconds.

:func:`gather` fills a :class:`Briefing` (the contract in :mod:`accordwatch.brief._model`)
from the public functions; :func:`write` gathers and renders it to one self-contained HTML
file and, optionally, a PDF.  :func:`words` gives every word of a briefing in English or
French.  :func:`make_digest` / :func:`run_digest` say what changed since the last digest
(Markdown, HTML, Atom, e-mail).

>>> from accordwatch.brief import gather, write
>>> b = gather("Mali")                                                  # doctest: +SKIP
>>> write("Central African Republic", "brief-caf.html", pdf="brief-caf.pdf")  # doctest: +SKIP

Each name loads its module on first use, so that :func:`write` can start the PDF's worker
process before pandas and the renderers are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accordwatch._lazy import lazy_attributes as _lazy_attributes

if TYPE_CHECKING:
    from ._ctx import compare_periods
    from ._digest import (
        Digest,
        DigestRun,
        atom_feed,
        email_message,
        make_digest,
        run_digest,
        send_email,
        to_html,
        to_markdown,
    )
    from ._gather import gather, trend
    from ._i18n import LANGS, fmt_date, fmt_number, fmt_period, say, words
    from ._model import Briefing
    from ._write import Written, default_out, summary, write

__all__ = [
    "LANGS",
    "Briefing",
    "Digest",
    "DigestRun",
    "Written",
    "atom_feed",
    "compare_periods",
    "default_out",
    "email_message",
    "fmt_date",
    "fmt_number",
    "fmt_period",
    "gather",
    "make_digest",
    "run_digest",
    "say",
    "send_email",
    "summary",
    "to_html",
    "to_markdown",
    "trend",
    "words",
    "write",
]

#: where each public name lives
_HOME = {
    "compare_periods": "._ctx",
    **dict.fromkeys(
        [
            "Digest",
            "DigestRun",
            "atom_feed",
            "email_message",
            "make_digest",
            "run_digest",
            "send_email",
            "to_html",
            "to_markdown",
        ],
        "._digest",
    ),
    "gather": "._gather",
    "trend": "._gather",
    **dict.fromkeys(["LANGS", "fmt_date", "fmt_number", "fmt_period", "say", "words"], "._i18n"),
    "Briefing": "._model",
    **dict.fromkeys(["Written", "default_out", "summary", "write"], "._write"),
}

__getattr__ = _lazy_attributes(__name__, _HOME)
