"""The PDF of a briefing from its static page: the charts drawn to SVG by vl-convert, put in
the page as ``data:`` images, and the page laid out by WeasyPrint.

This module imports nothing of accordwatch (only the standard library, vl-convert and
WeasyPrint), so that it can also run as a script: the worker process that a
:class:`PdfWorker` starts before the briefing is gathered.  The worker loads
WeasyPrint and starts vl-convert's JavaScript engine (a second or two) while the parent
reads the store, then reads one job from stdin — ``{"html": …, "charts": [{"id", "vega",
"spec"}], "cache": folder or null}`` as JSON, or ``"parts"`` and ``"numbers"`` in place of
``"html"`` for a page laid out in two parts — and writes the PDF's bytes to stdout (on
failure: exit status 1 and the reason on stderr).

A chart's place in the page is an ``<img>`` whose ``src`` is :func:`placeholder` of its id;
:func:`fill` replaces each by the chart's SVG as a ``data:`` URI.  The PDF fetches nothing:
every image is a ``data:`` URI and any other URL is refused.

A chart's SVG depends on its spec, the vl-convert version and the fonts it measures text in,
so it is kept in a cache folder (the job's ``cache``) under a hash of the first two, and a
chart drawn before is read from there (after installing or removing fonts, empty the
folder); the folder keeps the :data:`CACHE_FILES` most recently used.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "CACHE_FILES",
    "PLACEHOLDER",
    "PdfWorker",
    "cached_svgs",
    "can_split",
    "chart_svg",
    "fill",
    "join",
    "main",
    "pdf_bytes",
    "placeholder",
    "split_pdf_bytes",
    "svg_uri",
    "warm_up",
]

#: what a chart's ``<img src>`` holds until its SVG is put in
PLACEHOLDER = "accordwatch-chart:"
#: the most chart SVGs the cache folder keeps
CACHE_FILES = 400


def placeholder(chart_id: str) -> str:
    """The ``src`` of the chart ``chart_id`` in the page before its SVG is drawn."""
    return PLACEHOLDER + chart_id


def chart_svg(spec: Mapping[str, Any], *, vega: bool) -> str:
    """The chart as SVG text (a Vega spec when ``vega``, else Vega-Lite)."""
    import vl_convert as vlc

    if vega:
        return str(vlc.vega_to_svg(dict(spec)))
    return str(vlc.vegalite_to_svg(dict(spec)))


def _key(spec: Mapping[str, Any], vega: bool) -> str:
    import vl_convert as vlc

    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    made_by = f"{getattr(vlc, '__version__', '')} {vlc.get_vega_version()} {vega}"
    return hashlib.sha256(f"{made_by}\n{text}".encode()).hexdigest()[:32]


def _keep(folder: Path, name: str, svg: str) -> None:
    """Write one SVG to the cache and drop the least recently used beyond CACHE_FILES."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=name, suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(svg)
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    kept = list(folder.glob("*.svg"))
    if len(kept) > CACHE_FILES:
        kept.sort(key=lambda p: p.stat().st_mtime)
        for old in kept[: len(kept) - CACHE_FILES]:
            old.unlink(missing_ok=True)


def cached_svgs(charts: Iterable[Mapping[str, Any]], cache: str | None) -> dict[str, str]:
    """Each chart's SVG (id → SVG): read from the ``cache`` folder when it was drawn before,
    else drawn and kept there (no folder: drawn).  A cache that cannot be read or written
    is passed by."""
    folder = Path(cache) if cache else None
    out: dict[str, str] = {}
    for chart in charts:
        spec, vega = chart["spec"], bool(chart["vega"])
        name = f"{_key(spec, vega)}.svg" if folder is not None else ""
        if folder is not None:
            try:
                out[str(chart["id"])] = (folder / name).read_text(encoding="utf-8")
                os.utime(folder / name)  # recently used
                continue
            except (OSError, UnicodeDecodeError):
                pass
        svg = chart_svg(spec, vega=vega)
        out[str(chart["id"])] = svg
        if folder is not None:
            try:
                _keep(folder, name, svg)
            except OSError:
                pass
    return out


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


def pdf_bytes(html: str, charts: Iterable[Mapping[str, Any]], cache: str | None = None) -> bytes:
    """The PDF of the static page ``html`` whose ``charts`` (``id``, ``vega``, ``spec``) are
    drawn in place of their placeholders (through the SVG cache folder ``cache``)."""
    import weasyprint  # type: ignore[import-untyped]

    page = fill(html, cached_svgs(charts, cache))
    return bytes(weasyprint.HTML(string=page, url_fetcher=_data_only()).write_pdf())


def can_split() -> bool:
    """Whether a PDF can be laid out in two parts at once here: a ``fork`` (a second process
    that shares this one's loaded libraries) and pikepdf to join them."""
    import importlib.util

    if not hasattr(os, "fork") or sys.platform != "linux":
        return False
    return importlib.util.find_spec("pikepdf") is not None  # found, not imported (0.2 s)


def _in_child(html: str, charts: list[Mapping[str, Any]], cache: str | None) -> tuple[int, int]:
    """Fork a process that lays ``html`` out and writes its PDF to a pipe: (pid, read end)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read)
            # off the worker's stdin, stdout and stderr: the parent reads those to their end
            quiet = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(quiet, fd)
            data = pdf_bytes(html, charts, cache)
            with os.fdopen(write, "wb") as fh:
                fh.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _collect(pid: int, read: int) -> bytes | None:
    """The child's PDF, or None when it failed."""
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    return data if status == 0 and data.startswith(b"%PDF") else None


def split_pdf_bytes(
    parts: list[str], numbers: str, charts: Iterable[Mapping[str, Any]], cache: str | None
) -> bytes:
    """The PDF of a page laid out in two ``parts`` at once — the second in a forked process
    — and joined (:func:`join`), its pages numbered from the ``numbers`` page."""
    first_html, second_html = parts
    every = list(charts)

    def placed(html: str) -> list[Mapping[str, Any]]:
        return [c for c in every if f'src="{placeholder(str(c["id"]))}"' in html]

    first_charts, second_charts = placed(first_html), placed(second_html)
    if len(first_charts) + len(second_charts) != len(every):
        raise ValueError("a chart has no place, or two, in the parts of the page")
    pid, read = _in_child(second_html, second_charts, cache)
    try:
        first = pdf_bytes(first_html, first_charts, cache)
    finally:
        second = _collect(pid, read)
    if second is None:  # the child failed: lay the part out here
        second = pdf_bytes(second_html, second_charts, cache)
    return join([first, second], numbers)


def join(pdfs: list[bytes], numbers: str) -> bytes:
    """One PDF of the pages of ``pdfs`` in order (the first one's metadata, every part's
    bookmarks), each page numbered "n / m" by overlaying the page of the same number of the
    ``numbers`` page laid out with as many pages (its ``@@PAGES@@`` filled)."""
    import io

    import pikepdf
    import weasyprint

    out = pikepdf.open(io.BytesIO(pdfs[0]))
    for data in pdfs[1:]:
        part = pikepdf.open(io.BytesIO(data))
        offset = len(out.pages)
        out.pages.extend(part.pages)
        _copy_outline(part, out, offset)
    count = len(out.pages)
    marks = numbers.replace("@@PAGES@@", '<div class="page"></div>' * count)
    laid = weasyprint.HTML(string=marks, url_fetcher=_data_only()).write_pdf()
    stamps = pikepdf.open(io.BytesIO(laid))
    if len(stamps.pages) != count:
        raise ValueError(f"the page numbers came out on {len(stamps.pages)} pages, not {count}")
    for page, stamp in zip(out.pages, stamps.pages, strict=True):
        page.add_overlay(stamp, None)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _copy_outline(part: Any, out: Any, offset: int) -> None:
    """Append the bookmarks of ``part`` to those of ``out``, whose pages from ``offset`` on
    are ``part``'s."""
    import pikepdf

    index = {page.objgen: n for n, page in enumerate(part.pages)}

    def copied(item: Any) -> Any:
        dest = item.destination
        page = dest[0] if isinstance(dest, pikepdf.Array) and len(dest) else None
        n = index.get(page.objgen) if page is not None else None
        new = pikepdf.OutlineItem(item.title, offset + n if n is not None else offset)
        new.children.extend(copied(child) for child in item.children)
        return new

    with part.open_outline() as theirs, out.open_outline() as ours:
        # under the title (the first part's one top bookmark) when there is one
        under = ours.root[0].children if len(ours.root) == 1 else ours.root
        under.extend(copied(item) for item in theirs.root)


def warm_up() -> None:
    """Load WeasyPrint and lay out a small page in the briefing's style (fonts, text shaping
    and the stylesheet's rules are then ready for the real page).  vl-convert's engine is
    not started: the charts of a briefing made before come from the SVG cache, and a chart
    that is not there starts it when it is drawn."""
    import weasyprint

    css_file = Path(__file__).with_name("templates") / "briefing.css"
    try:
        css = css_file.read_text(encoding="utf-8")
    except OSError:
        css = ""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20">'
        '<text x="1" y="12" font-size="10">Deaths 1,234</text></svg>'
    )
    page = (
        f"<html><head><style>{css}</style></head><body><h1>A</h1><h2>B</h2><h3>C</h3>"
        '<p>d <strong>e</strong> <span class="muted">f</span></p>'
        f'<figure class="chart-figure"><img class="chart-svg" alt="g" src="{svg_uri(svg)}">'
        '</figure><table><thead><tr><th scope="col">h</th></tr></thead>'
        '<tbody><tr><td class="num">1</td></tr></tbody></table></body></html>'
    )
    weasyprint.HTML(string=page, url_fetcher=_data_only()).write_pdf()


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
        script = Path(__file__)
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

    def send(self, job: Mapping[str, Any]) -> None:
        """Give the worker its job (``html``, ``charts``, ``cache``: see the module docs)."""
        proc = self._proc
        if proc is None or self._talk is not None:
            return
        payload = json.dumps(job, ensure_ascii=False, allow_nan=False).encode("utf-8")

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


def main() -> int:
    """The worker: warm up, read one job from stdin, write its PDF to stdout."""
    try:
        warm_up()
        job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        if job.get("parts"):  # sent only where the page can be laid out in two parts
            data = split_pdf_bytes(job["parts"], job["numbers"], job["charts"], job.get("cache"))
        else:
            data = pdf_bytes(job["html"], job["charts"], job.get("cache"))
    except Exception as exc:  # the parent renders the PDF itself and shows the real error
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 1
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
