"""A :class:`~accordwatch.brief._model.Briefing` as a PDF: the same sections as the HTML page,
with static SVG charts (vl-convert) and no JavaScript, laid out by WeasyPrint on A4 pages whose
bottom margin carries the provenance line and the page number.

Tables behind the charts are cut to their first rows (the HTML page has them in full); the
PDF fetches nothing: every image is a ``data:`` URI and any other URL is refused.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._html import Chart, page_view, render_template, stylesheet
from ._model import Briefing

__all__ = ["chart_svg", "render_pdf_html", "write_pdf"]


def chart_svg(chart: Chart) -> str:
    """The chart as SVG text (Vega for the map, Vega-Lite for the others)."""
    import vl_convert as vlc

    if chart.vega:
        return str(vlc.vega_to_svg(chart.spec))
    return str(vlc.vegalite_to_svg(chart.spec))


def render_pdf_html(b: Briefing) -> str:
    """The HTML WeasyPrint lays out: the briefing's page with static SVG charts."""
    view = page_view(b, static=True)
    for chart in view["charts"]:
        chart.svg = chart_svg(chart)
    return render_template(view, css=stylesheet())


def _data_only() -> Any:
    """WeasyPrint's URL fetcher for ``data:`` URIs only: the page holds everything it needs,
    and nothing is fetched from a disk or the network."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols={"data"})


def write_pdf(b: Briefing, path: Path) -> Path:
    """Write the briefing's PDF to ``path`` (atomically: a temporary file beside it, then
    renamed) and return the path."""
    import weasyprint  # type: ignore[import-untyped]

    out = Path(path)
    if out.exists() and out.is_dir():
        raise InputError(f"{out} is a folder; give the PDF a file name, e.g. {out / 'brief.pdf'}")
    html = render_pdf_html(b)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        weasyprint.HTML(string=html, url_fetcher=_data_only()).write_pdf(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
