"""Writing a briefing: gather it, render it to one self-contained HTML file (written
atomically) and, when asked, a PDF.

The renderers are :func:`accordwatch.brief._html.render_html` (``Briefing -> str``) and
:func:`accordwatch.brief._pdf.write_pdf` (``(Briefing, Path) -> Path``); the PDF is made by a
:class:`accordwatch.brief._pdfjob.PdfWorker` started before the gathering (so that loading
WeasyPrint and vl-convert overlaps it), or in this process when the worker fails.  This
module loads neither pandas nor the renderers until :func:`write` needs them, so that the
worker starts first.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._model import Briefing

__all__ = ["Written", "default_out", "summary", "write"]


@dataclass(frozen=True)
class Written:
    """What :func:`write` wrote: the briefing, the HTML file and its size, the PDF (or None)."""

    briefing: Briefing
    html: Path
    html_bytes: int
    pdf: Path | None = None


def summary(brief: Briefing) -> list[str]:
    """Three lines in the briefing's language: the country, period and counting basis; the
    headline's deaths and events against the previous period and the year before; the
    trend (or the headline's empty-state line).

    >>> summary(gather("Mali"))  # doctest: +SKIP
    ['Mali, January–December 2022 — counted from the VIEWS country-month series …', …]
    """
    from ._ctx import SOURCE_NAMES
    from ._i18n import fmt_number, fmt_period, say

    lang, head = brief.lang, brief.headline
    period = fmt_period(brief.since, brief.until, lang)
    where = brief.country + (f" / {brief.region}" if brief.region else "")
    if head.basis == "events":
        basis = say(lang, "basis_events", source=SOURCE_NAMES.get(head.source, head.source))
    elif head.basis == "country-month":
        basis = say(lang, "basis_country_month")
    else:
        basis = say(lang, "basis_none")
    first = say(lang, "summary_period", place=where, period=period, basis=basis)
    if head.empty:
        return [first, head.empty, say(lang, "summary_trend", trend=say(lang, "trend_unknown"))]

    def number(fig: Any) -> str:
        return fmt_number(None if fig is None else fig.value, lang)

    second = say(
        lang,
        "summary_figures",
        best=number(head.deaths_best),
        low=number(head.deaths_low),
        high=number(head.deaths_high),
        events=number(head.events),
        previous=number(head.previous_deaths),
        year=number(head.year_before_deaths),
    )
    third = say(lang, "summary_trend", trend=say(lang, f"trend_{head.trend}"))
    return [first, second, third]


def default_out(country: str, suffix: str = ".html") -> Path:
    """``brief-<country>.html`` in the current folder, the country's name in lower case with
    dashes (``brief-central-african-republic.html``).

    >>> default_out("Central African Republic").name
    'brief-central-african-republic.html'
    """
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", country).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "country"
    return Path(f"brief-{slug}{suffix}")


def write(
    country: str,
    out: str | os.PathLike[str] | None = None,
    *,
    pdf: str | os.PathLike[str] | None = None,
    region: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    lang: str = "en",
    db: Any = None,
    model: str | None = None,
    agreement: int | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Written:
    """Gather the briefing on ``country`` (see :func:`accordwatch.brief.gather`) and write it
    to ``out`` (default: :func:`default_out` of the country's name) as one self-contained
    HTML file, and to ``pdf`` as a PDF when given.  The targets are checked before any work
    (never the store, a folder or a database); the HTML is written atomically.
    ``progress`` is told what is being done (for a status line)."""
    from .._app._store import store_path
    from ..export import check_out, write_atomic
    from ._pdfjob import PdfWorker

    say = progress or (lambda _text: None)
    target = Path(out) if out is not None else None
    store = store_path(db)
    if target is not None:
        check_out(target, store=store, option="--out")
    if pdf is not None:
        check_out(pdf, store=store, option="--pdf")
    # the PDF's worker loads its libraries while this process loads its own and gathers
    with PdfWorker.start() if pdf is not None else PdfWorker(None) as worker:
        from ._gather import gather
        from ._pdf import pdf_job, write_pdf

        say(f"gathering the briefing on {country} …")
        brief = gather(
            country,
            region=region,
            since=since,
            until=until,
            lang=lang,
            db=db,
            model=model,
            agreement=agreement,
            progress=say,
        )
        if target is None:
            target = default_out(brief.country)
            check_out(target, store=store, option="--out")
        from ._html import render_html

        if pdf is not None:
            worker.send(pdf_job(brief))  # laid out there while the HTML is written here
        say("writing the HTML …")
        text = render_html(brief)
        write_atomic(target, text)
        written_pdf = None
        if pdf is not None:
            say("writing the PDF …")
            written_pdf = write_pdf(brief, Path(pdf), worker.result())
    return Written(
        briefing=brief, html=target, html_bytes=len(text.encode("utf-8")), pdf=written_pdf
    )
