"""Briefings: what an analyst hands to a decision-maker, gathered from the store in seconds.

:func:`gather` fills a :class:`Briefing` (the contract in :mod:`accordwatch.brief._model`)
from the public functions; :func:`write` gathers and renders it to one self-contained HTML
file and, optionally, a PDF.  :func:`words` gives every word of a briefing in English or
French.

>>> from accordwatch.brief import gather, write
>>> b = gather("Mali")                                                  # doctest: +SKIP
>>> write("Central African Republic", "brief-caf.html", pdf="brief-caf.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

from ._ctx import compare_periods
from ._gather import gather, trend
from ._i18n import LANGS, fmt_date, fmt_number, fmt_period, say, words
from ._model import Briefing
from ._write import Written, default_out, summary, write

__all__ = [
    "LANGS",
    "Briefing",
    "Written",
    "compare_periods",
    "default_out",
    "fmt_date",
    "fmt_number",
    "fmt_period",
    "gather",
    "say",
    "summary",
    "trend",
    "words",
    "write",
]
