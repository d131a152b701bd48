"""The PDF of a briefing from its static page: the charts drawn to SVG by vl-convert, put in
the page as ``data:`` images, and the page laid out by WeasyPrint.

This module imports nothing of accordwatch (only the standard library, vl-convert and
WeasyPrint), so that it can also run as a script: a worker process that
:mod:`accordwatch.brief._pdf` starts before the briefing is gathered.  The worker loads
WeasyPrint and starts vl-convert's JavaScript engine (a second or two) while the parent
reads the store, then reads one job from stdin — ``{"html": …, "charts": [{"id", "vega",
"spec"}]}`` as JSON — and writes the PDF's bytes to stdout (on failure: exit status 1 and
the reason on stderr).

A chart's place in the page is an ``<img>`` whose ``src`` is :func:`placeholder` of its id;
:func:`fill` replaces each by the chart's SVG as a ``data:`` URI.  The PDF fetches nothing:
every image is a ``data:`` URI and any other URL is refused.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "PLACEHOLDER",
    "chart_svg",
    "fill",
    "main",
    "pdf_bytes",
    "placeholder",
    "svg_uri",
    "warm_up",
]

#: what a chart's ``<img src>`` holds until its SVG is put in
PLACEHOLDER = "accordwatch-chart:"


def placeholder(chart_id: str) -> str:
    """The ``src`` of the chart ``chart_id`` in the page before its SVG is drawn."""
    return PLACEHOLDER + chart_id


def chart_svg(spec: Mapping[str, Any], *, vega: bool) -> str:
    """The chart as SVG text (a Vega spec when ``vega``, else Vega-Lite)."""
    import vl_convert as vlc

    if vega:
        return str(vlc.vega_to_svg(dict(spec)))
    return str(vlc.vegalite_to_svg(dict(spec)))


def svg_uri(svg: str) -> str:
    """SVG text as a ``data:`` URI."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def fill(html: str, svgs: Mapping[str, str]) -> str:
    """``html`` with each chart's placeholder replaced by its SVG (``svgs``: id → SVG)."""
    for chart_id, svg in svgs.items():
        mark = f'src="{placeholder(chart_id)}"'
        if mark not in html:
            raise ValueError(f"the page has no place for the chart {chart_id!r}")
        html = html.replace(mark, f'src="{svg_uri(svg)}"')
    if f'src="{PLACEHOLDER}' in html:
        raise ValueError("a chart of the page was not drawn")
    return html


def _data_only() -> Any:
    """WeasyPrint's URL fetcher for ``data:`` URIs only: the page holds everything it needs,
    and nothing is fetched from a disk or the network."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols={"data"})


def pdf_bytes(html: str, charts: Iterable[Mapping[str, Any]]) -> bytes:
    """The PDF of the static page ``html`` whose ``charts`` (``id``, ``vega``, ``spec``) are
    drawn in place of their placeholders."""
    import weasyprint  # type: ignore[import-untyped]

    svgs = {str(c["id"]): chart_svg(c["spec"], vega=bool(c["vega"])) for c in charts}
    page = fill(html, svgs)
    return bytes(weasyprint.HTML(string=page, url_fetcher=_data_only()).write_pdf())


def warm_up() -> None:
    """Load WeasyPrint and start vl-convert's engine (what the first PDF would wait for)."""
    import vl_convert as vlc
    import weasyprint  # noqa: F401

    vlc.vega_to_svg({"width": 1, "height": 1, "marks": []})


def main() -> int:
    """The worker: warm up, read one job from stdin, write its PDF to stdout."""
    try:
        warm_up()
        job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        data = pdf_bytes(job["html"], job["charts"])
    except Exception as exc:  # the parent renders the PDF itself and shows the real error
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 1
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
