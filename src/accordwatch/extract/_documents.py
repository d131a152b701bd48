"""Reading inputs: plain text, HTML (boilerplate stripped) or a folder of files.

Bad input never raises here: an empty file, a binary file or undecodable bytes
give a :class:`Document` with empty text and a warning that says what is wrong.

>>> doc = document_from_bytes(b"<html><head><title>T</title></head><body><nav>Menu</nav>"
...     b"<article><p>The army attacked Ber.</p></article><footer>(c)</footer></body></html>")
>>> doc.title, doc.text
('T', 'The army attacked Ber.')
>>> document_from_bytes(b"\\x00\\x01\\x02binary").warnings
('the input looks binary (3 control bytes in the first 4 KB); give a text or HTML file',)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from accordwatch.errors import NotFound
from accordwatch.extract._model import Document

__all__ = [
    "document_files",
    "document_from_bytes",
    "document_id",
    "iter_documents",
    "read_documents",
]

_SKIP_TAGS = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "noscript",
    "button",
    "svg",
    "iframe",
    "select",
    "template",
    "figure",
    "figcaption",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "br",
    "section",
    "article",
    "main",
    "tr",
    "td",
    "pre",
    "dd",
    "dt",
}
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr"}
_TEXT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml", ""}


def document_id(text: str) -> str:
    """A stable id for a text: ``doc-`` and 12 hex digits of its SHA-256.

    >>> document_id("Hello")
    'doc-185f8db32271'
    """
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: dict[str, list[str]] = {"all": [], "main": []}
        self.main_depth = 0
        self.title: str | None = None
        self.url: str | None = None
        self.published: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in {"og:title"} and not self.title:
                self.title = a.get("content")
            elif key == "og:url" and not self.url:
                self.url = a.get("content")
            elif (
                key
                in {
                    "article:published_time",
                    "datepublished",
                    "date",
                    "dc.date",
                    "pubdate",
                    "publish-date",
                }
                and not self.published
            ):
                self.published = a.get("content")
            return
        if tag == "link" and a.get("rel", "").lower() == "canonical" and not self.url:
            self.url = a.get("href")
            return
        if tag == "time" and a.get("datetime") and not self.published:
            self.published = a["datetime"]
        if tag == "title":
            self._in_title = True
        if tag in _VOID:
            if tag == "br":
                self._emit("\n")
            return
        if tag in _SKIP_TAGS:
            self.skip += 1
        if tag in {"article", "main"}:
            self.main_depth += 1
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        if tag in _BLOCK_TAGS:
            self._emit("\n")
        if tag in {"article", "main"} and self.main_depth:
            self.main_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data.strip()
            return
        if not self.skip:
            self._emit(data)

    def _emit(self, s: str) -> None:
        self.parts["all"].append(s)
        if self.main_depth:
            self.parts["main"].append(s)

    def text(self) -> str:
        raw = "".join(
            self.parts["main"] if "".join(self.parts["main"]).strip() else self.parts["all"]
        )
        lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in raw.splitlines()]
        return "\n".join(ln for ln in lines if ln)


def _looks_html(raw: str, name: str | None) -> bool:
    if name and Path(name).suffix.lower() in {".html", ".htm", ".xhtml"}:
        return True
    head = raw[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or bool(
        re.search(r"<(?:p|div|body|article)\b[^>]*>", head)
    )


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def document_from_bytes(
    data: bytes, *, path: str | None = None, published: dt.date | None = None
) -> Document:
    """A :class:`Document` from raw bytes (UTF-8, UTF-16 with BOM or Windows-1252)."""
    sha = hashlib.sha256(data).hexdigest()
    where = path or "the input"
    if not data.strip():
        return Document(
            document_id(""),
            "",
            path=path,
            published=published,
            sha256=sha,
            warnings=(f"{where} is empty; nothing to extract",),
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        head = data[:4096]
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls:
            return Document(
                document_id(""),
                "",
                path=path,
                published=published,
                sha256=sha,
                warnings=(
                    f"{where} looks binary ({controls} control bytes in the "
                    "first 4 KB); give a text or HTML file",
                ),
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    title = url = None
    if _looks_html(text, path):
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        title, url = parser.title, parser.url
        published = published or _parse_date(parser.published)
        text = parser.text()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings: tuple[str, ...] = ()
    if not text.strip():
        warnings = (f"{where} has no readable text",)
    return Document(
        document_id(text),
        text,
        path=path,
        title=title,
        url=url,
        published=published,
        sha256=sha,
        warnings=warnings,
    )


def read_documents(path: str | Path, *, published: dt.date | None = None) -> list[Document]:
    """The document at ``path``, or every text/HTML file under a folder (sorted by path).

    Raises :class:`~accordwatch.errors.NotFound` when ``path`` does not exist.
    """
    return list(iter_documents(path, published=published))


def document_files(path: str | Path) -> list[Path]:
    """The files :func:`iter_documents` reads: ``path`` itself, or the visible files under
    a folder, sorted by path.  Raises :class:`~accordwatch.errors.NotFound` when ``path``
    does not exist."""
    p = Path(path)
    if not p.exists():
        raise NotFound(f"no file or folder {p}; give a text file, an HTML file or a folder of them")
    if p.is_file():
        return [p]
    return sorted(
        f
        for f in p.rglob("*")
        if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
    )


def iter_documents(
    path: str | Path, *, published: dt.date | None = None, files: list[Path] | None = None
) -> Iterator[Document]:
    """Like :func:`read_documents`, one document at a time (a folder is never held in
    memory whole).  ``files`` is :func:`document_files` of ``path`` when already known."""
    p = Path(path)
    files = document_files(p) if files is None else files
    if p.is_file():
        yield document_from_bytes(p.read_bytes(), path=str(p), published=published)
        return
    if not files:
        yield Document(
            document_id(""),
            "",
            path=str(p),
            published=published,
            warnings=(f"the folder {p} holds no files",),
        )
        return
    for f in files:
        if f.suffix.lower() not in _TEXT_SUFFIXES:
            yield Document(
                document_id(""),
                "",
                path=str(f),
                published=published,
                warnings=(f"{f} skipped: not a .txt/.md/.html file",),
            )
            continue
        yield document_from_bytes(f.read_bytes(), path=str(f), published=published)
