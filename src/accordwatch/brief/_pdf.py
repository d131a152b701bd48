"""A :class:`~accordwatch.brief._model.Briefing` as a PDF: the same sections as the HTML page,
with static SVG charts (vl-convert) and no JavaScript, laid out by WeasyPrint on A4 pages whose
bottom margin carries the provenance line and the page number.

Tables behind the charts are cut to their first rows (the HTML page has them in full); the
PDF fetches nothing: every image is a ``data:`` URI and any other URL is refused.

:func:`write_pdf` makes the PDF in this process, or writes the one a
:class:`accordwatch.brief._pdfjob.PdfWorker` made from :func:`pdf_job`: a worker process
started before the briefing is gathered, which loads WeasyPrint and vl-convert meanwhile and
lays the PDF out while this process writes the HTML page (:func:`accordwatch.brief.write`
uses it, and makes the PDF here when the worker cannot be started or fails).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from . import _pdfjob
from ._html import Chart, page_view, render_template, stylesheet
from ._model import Briefing

__all__ = ["SECOND_PART", "chart_svg", "pdf_bytes", "pdf_job", "render_pdf_html", "write_pdf"]


def chart_svg(chart: Chart) -> str:
    """The chart as SVG text (Vega for the map, Vega-Lite for the others)."""
    return _pdfjob.chart_svg(chart.spec, vega=chart.vega)


#: the section the second part of a PDF laid out in two parts starts with
SECOND_PART = "warning"


def _split(sections: list[Any]) -> int:
    """Where the sections are cut in two parts of about the same layout work: before
    :data:`SECOND_PART` (the first part: the headline, map, timeline, who fights whom and
    the accord; the second: early warning, its two charts and tables, the key events and
    the sources)."""
    keys = [s.key for s in sections]
    cut = keys.index(SECOND_PART) if SECOND_PART in keys else len(keys) // 2
    return cut if 0 < cut < len(keys) else 0


def pdf_job(b: Briefing, *, split: bool = True) -> dict[str, Any]:
    """What the PDF is made from: the charts (``id``, ``vega``, ``spec``), the folder their
    SVGs are cached in (``cache``: the user cache's ``charts``) and the briefing's static
    page with a placeholder for each chart — as one document (``html``), or, when ``split``
    is asked and this machine can lay a page out in two parts at once
    (:func:`_pdfjob.can_split`), as two ``parts`` (two documents without page numbers, the
    second starting on a new page) with the ``numbers`` page that numbers them once joined
    (see :func:`_pdfjob.split_pdf_bytes`).  Only the form the worker lays out is rendered."""
    from . import _cache
    from ._html import pdf_numbers

    view = page_view(b, static=True)
    css = stylesheet()
    charts = [{"id": c.id, "vega": c.vega, "spec": c.spec} for c in view["charts"]]
    job: dict[str, Any] = {"charts": charts, "cache": str(_cache.cache_dir() / "charts")}
    cut = _split(view["sections"]) if split and _pdfjob.can_split() else 0
    if cut:
        sections = view["sections"]
        job["parts"] = [
            render_template({**view, "sections": sections[:cut]}, css=css, part=1),
            render_template({**view, "sections": sections[cut:]}, css=css, part=2),
        ]
        job["numbers"] = pdf_numbers()
    else:
        job["html"] = render_template(view, css=css)
    return job


def render_pdf_html(b: Briefing) -> str:
    """The HTML WeasyPrint lays out: the briefing's page with static SVG charts."""
    job = pdf_job(b, split=False)
    return _pdfjob.fill(job["html"], _pdfjob.cached_svgs(job["charts"], job["cache"]))


def pdf_bytes(b: Briefing) -> bytes:
    """The briefing's PDF, made in this process (as one document)."""
    job = pdf_job(b, split=False)
    return _pdfjob.pdf_bytes(job["html"], job["charts"], job["cache"])


def _check_target(path: Path) -> None:
    if path.exists() and path.is_dir():
        raise InputError(f"{path} is a folder; give the PDF a file name, e.g. {path / 'brief.pdf'}")


def write_pdf(b: Briefing, path: Path, data: bytes | None = None) -> Path:
    """Write the briefing's PDF to ``path`` (atomically, with the mode a new file gets from
    the umask) and return the path; ``data`` is the PDF when it was made already (by a
    :class:`PdfWorker`)."""
    from ..export import write_atomic

    out = Path(path)
    _check_target(out)
    return write_atomic(out, data if data is not None else pdf_bytes(b))
