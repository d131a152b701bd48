"""Text files people give accordwatch: which encoding they are in, and what to say when a
file is not text accordwatch can read.

A file is read as UTF-8; a byte-order mark makes the encoding unambiguous, so UTF-8 with a
BOM and UTF-16 or UTF-32 with one are read too.  Anything else (Latin-1, Windows-1252,
UTF-16 without a BOM, a binary file) is refused with the line and the bytes at fault and
the command that converts the file.

>>> decode_text("année".encode("utf-16"), "f.csv")
'année'
>>> decode_text("année".encode("latin-1"), "f.csv")
Traceback (most recent call last):
...
accordwatch.errors.InputError: f.csv, line 1: not UTF-8 text (byte 0xe9 at byte 4 of the line \
is not valid UTF-8; in Latin-1 it would be 'é'). accordwatch reads UTF-8 (or UTF-16 with a \
byte-order mark); convert the file first, e.g. iconv -f latin1 -t utf-8 f.csv > f.utf8.csv
"""

from __future__ import annotations

import re
from pathlib import PurePath

from .errors import InputError

__all__ = [
    "NUL_BYTES",
    "binary_kind",
    "bom_encoding",
    "convert_command",
    "decode_text",
    "encoding_error",
    "to_utf8",
    "utf8_error",
]

#: Byte-order marks, longest first (the UTF-32 LE mark starts like the UTF-16 LE one).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

#: First bytes of files that are not text, and what they are.
_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "a zip archive (an Excel workbook is one)"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Word document"),
)


#: What :func:`binary_kind` calls a file with NUL bytes and no UTF-16/UTF-32 byte-order mark.
NUL_BYTES = "binary data (NUL bytes), or UTF-16 text without a byte-order mark"


def binary_kind(head: bytes) -> str | None:
    """What a file that starts with ``head`` is when it is not text (gzip, zip, Parquet,
    a DuckDB database …, or "binary data" for NUL bytes without a UTF-16/32 byte-order
    mark), else None.

    >>> binary_kind(b"PK\\x03\\x04..."), binary_kind(b"id,year\\n")
    ('a zip archive (an Excel workbook is one)', None)
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[8:12] == b"DUCK":
        return "a DuckDB database"
    if bom_encoding(head)[0] == "utf-8" and b"\x00" in head[:4096]:
        return NUL_BYTES
    return None


def bom_encoding(head: bytes) -> tuple[str, int]:
    """(codec, length of its byte-order mark) of a file that starts with ``head``;
    ``("utf-8", 0)`` when there is no mark.

    >>> bom_encoding(b"\\xff\\xfeid")
    ('utf-16-le', 2)
    """
    for mark, codec in _BOMS:
        if head.startswith(mark):
            return codec, len(mark)
    return "utf-8", 0


def decode_text(data: bytes, label: str) -> str:
    """The text of a file's bytes (without its byte-order mark); raises
    :class:`~accordwatch.errors.InputError` from :func:`encoding_error` when they are not
    text in the encoding their mark (or its absence: UTF-8) says."""
    codec, skip = bom_encoding(data)
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise encoding_error(data, label, exc) from None


def to_utf8(data: bytes, label: str) -> bytes:
    """UTF-8 bytes of a file without its byte-order mark: UTF-8 as it is (not checked here:
    a parser checks it as it reads, see :func:`utf8_error`), UTF-16/UTF-32 with a mark
    converted."""
    codec, skip = bom_encoding(data)
    if codec == "utf-8":
        return data[skip:]
    return decode_text(data, label).encode("utf-8")


def utf8_error(data: bytes, label: str) -> InputError | None:
    """The :func:`encoding_error` of the first bytes of ``data`` that are not UTF-8, or None
    when it all is."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return encoding_error(data, label, exc)
    return None


def encoding_error(data: bytes, label: str, exc: UnicodeDecodeError) -> InputError:
    """An InputError that says where ``data`` stops being text in ``exc.encoding`` (line and
    byte), what the bytes would be in the likely encoding, and how to convert the file."""
    codec = exc.encoding.replace("_", "-").lower()
    _, skip = bom_encoding(data)
    start = max(exc.start, 0)
    before = data[:start]
    line_start = before.rfind(b"\n") + 1
    if codec.startswith("utf-8"):
        line = before.count(b"\n") + 1
        column = start - line_start + 1
    else:  # count the lines of what decoded
        text = before[skip:].decode(codec, "replace")
        line = text.count("\n") + 1
        column = len(text) - text.rfind("\n")
    bad = data[start : max(exc.end, start + 1)]
    where = f"{label}, line {line}"
    if not codec.startswith("utf-8"):
        return InputError(
            f"{where}: not valid {exc.encoding.upper()} text although the file starts with "
            f"a {exc.encoding.upper()} byte-order mark ({exc.reason} at character {column} of "
            "the line); save it again as UTF-8"
        )
    if b"\x00" in data[:4096]:
        return InputError(
            f"{where}: not UTF-8 text — it holds NUL bytes, so it is UTF-16 without a "
            "byte-order mark or not a text file at all. Convert a UTF-16 file first, e.g. "
            + convert_command(label, "utf-16le")
        )
    source, shown = _likely_encoding(data, bad)
    hint = f"; in {source} it would be {shown!r}" if shown else ""
    return InputError(
        f"{where}: not UTF-8 text (byte{'s' if len(bad) > 1 else ''} "
        f"{' '.join(f'0x{b:02x}' for b in bad[:4])} at byte {column} of the line "
        f"{'are' if len(bad) > 1 else 'is'} not valid UTF-8{hint}). accordwatch reads UTF-8 "
        "(or UTF-16 with a byte-order mark); convert the file first, e.g. "
        + convert_command(label, "cp1252" if source == "Windows-1252" else "latin1")
    )


def convert_command(label: str, encoding: str) -> str:
    """A shell command that converts the file ``label`` (a path, or ``archive!member``)
    from ``encoding`` to UTF-8.

    >>> convert_command("d/GED.csv.gz", "latin1")
    'gunzip -c GED.csv.gz | iconv -f latin1 -t utf-8 > GED.utf8.csv'
    >>> convert_command("d/GED.zip!GED.csv", "latin1")
    'unzip -p GED.zip GED.csv | iconv -f latin1 -t utf-8 > GED.utf8.csv'
    """
    archive, _, member = label.rpartition("!")
    name = PurePath(member).name or "FILE"
    reader = ""
    if archive:
        reader = f"unzip -p {PurePath(archive).name} {member} | "
    elif name.lower().endswith(".gz"):
        reader = f"gunzip -c {name} | "
        name = name[:-3]
    stem, dot, suffix = name.rpartition(".")
    target = f"{stem}.utf8.{suffix}" if dot else f"{name}.utf8"
    convert = f"iconv -f {encoding} -t utf-8"
    return f"{reader}{convert} > {target}" if reader else f"{convert} {name} > {target}"


def _likely_encoding(data: bytes, bad: bytes) -> tuple[str, str]:
    """(name, the bad bytes decoded) in the single-byte encoding the file most likely is:
    Windows-1252 when bytes that are not UTF-8 fall in that code page's 0x80–0x9F range
    (curly quotes, the euro sign …), else Latin-1."""
    undecodable = data[: 1 << 20].decode("utf-8", "surrogateescape")
    if re.search("[\udc80-\udc9f]", undecodable):
        return "Windows-1252", bad.decode("cp1252", "replace")
    return "Latin-1", bad.decode("latin-1")
