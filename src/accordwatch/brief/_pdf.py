"""A :class:`~accordwatch.brief._model.Briefing` as a PDF: the same sections as the HTML page,
with static SVG charts (vl-convert) and no JavaScript, laid out by WeasyPrint on A4 pages whose
bottom margin carries the provenance line and the page number.

Tables behind the charts are cut to their first rows (the HTML page has them in full); the
PDF fetches nothing: every image is a ``data:`` URI and any other URL is refused.

:func:`write_pdf` makes the PDF in this process.  :class:`PdfWorker` makes it in a worker
process (:mod:`accordwatch.brief._pdfjob`) started before the briefing is gathered, which
loads WeasyPrint and vl-convert meanwhile and lays the PDF out while this process writes the
HTML page; :func:`accordwatch.brief.write` uses it, and makes the PDF here when the worker
cannot be started or fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import _pdfjob
from ._html import Chart, page_view, render_template, stylesheet
from ._model import Briefing

__all__ = ["PdfWorker", "chart_svg", "pdf_bytes", "pdf_job", "render_pdf_html", "write_pdf"]


def chart_svg(chart: Chart) -> str:
    """The chart as SVG text (Vega for the map, Vega-Lite for the others)."""
    return _pdfjob.chart_svg(chart.spec, vega=chart.vega)


def pdf_job(b: Briefing) -> dict[str, Any]:
    """What the PDF is made from: the briefing's static page (``html``) with a placeholder
    for each chart, and the charts (``id``, ``vega``, ``spec``)."""
    view = page_view(b, static=True)
    charts = [{"id": c.id, "vega": c.vega, "spec": c.spec} for c in view["charts"]]
    return {"html": render_template(view, css=stylesheet()), "charts": charts}


def render_pdf_html(b: Briefing) -> str:
    """The HTML WeasyPrint lays out: the briefing's page with static SVG charts."""
    job = pdf_job(b)
    svgs = {c["id"]: _pdfjob.chart_svg(c["spec"], vega=c["vega"]) for c in job["charts"]}
    return _pdfjob.fill(job["html"], svgs)


def pdf_bytes(b: Briefing) -> bytes:
    """The briefing's PDF, made in this process."""
    job = pdf_job(b)
    return _pdfjob.pdf_bytes(job["html"], job["charts"])


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


class PdfWorker:
    """A worker process that makes one PDF: started early (:meth:`start`), given the job
    when the briefing is gathered (:meth:`send`: the job is written to it from a thread, so
    that this process goes on meanwhile), asked for the PDF's bytes at the end
    (:meth:`result`: None when it failed — make the PDF in this process then).  Use it as
    a context manager: leaving the block stops a worker that is still running."""

    def __init__(self, proc: subprocess.Popen[bytes] | None) -> None:
        self._proc = proc
        self._talk: threading.Thread | None = None
        self._out: tuple[bytes, bytes] | None = None

    @classmethod
    def start(cls) -> PdfWorker:
        """Start the worker (a worker that cannot be started makes :meth:`result` None)."""
        script = Path(_pdfjob.__file__)
        if not sys.executable or not script.is_file():
            return cls(None)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-P", str(script)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError:
            return cls(None)
        return cls(proc)

    def send(self, b: Briefing) -> None:
        """Give the worker the briefing's PDF job."""
        proc = self._proc
        if proc is None or self._talk is not None:
            return
        payload = json.dumps(pdf_job(b), ensure_ascii=False, allow_nan=False).encode("utf-8")

        def talk() -> None:
            try:
                self._out = proc.communicate(payload)
            except (OSError, ValueError):  # the worker is gone: result() says so
                self._out = None

        self._talk = threading.Thread(target=talk, name="accordwatch-pdf", daemon=True)
        self._talk.start()

    def result(self) -> bytes | None:
        """The PDF's bytes, or None when the worker failed or was never sent a job."""
        proc, talk = self._proc, self._talk
        if proc is None or talk is None:
            return None
        talk.join()
        self._proc = None
        if self._out is None or proc.returncode != 0:
            return None
        data = self._out[0]
        return data if data.startswith(b"%PDF") else None

    def close(self) -> None:
        """Stop the worker if it is still running."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        if self._talk is not None:
            self._talk.join()
        else:
            proc.communicate()

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
