"""File names DuckDB reads literally.

DuckDB's file readers (``read_csv`` and the others) treat ``*``, ``?`` and ``[…]`` in a name
as a glob pattern, so ``ged[1].csv`` would load ``ged1.csv`` and ``a*.csv`` every file
starting with ``a``.  :func:`literal_path` gives a name under which DuckDB reads exactly the
one file meant: the absolute path when it has none of those characters (an absolute path also
keeps a name such as ``s3:x`` or ``~x`` from being read as a URL or a home folder), else a
symbolic link with a plain name in a new temporary folder, removed when the read is done.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import InputError

__all__ = ["GLOB_CHARACTERS", "has_glob", "literal_path"]

#: the characters that make DuckDB expand a file name as a pattern
GLOB_CHARACTERS = frozenset("*?[")


def has_glob(name: str) -> bool:
    """True when DuckDB would read ``name`` as a pattern rather than one file."""
    return any(ch in GLOB_CHARACTERS for ch in name)


def _suffixes(name: str) -> str:
    """The file's suffixes (``.csv.gz``) with no pattern characters, for the link's name."""
    base = os.path.basename(name)
    dot = base.find(".", 1)
    kept = base[dot:] if dot > 0 else ""
    return "" if has_glob(kept) else kept


@contextmanager
def literal_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """A name under which DuckDB reads exactly ``path`` (see the module docstring); valid
    inside the ``with`` block."""
    full = os.path.abspath(os.fspath(path))
    if not has_glob(full):
        yield full
        return
    folder = tempfile.mkdtemp(prefix="accordwatch-read-")
    try:
        if has_glob(folder):
            raise InputError(
                f"cannot read {full}: its name has one of {' '.join(sorted(GLOB_CHARACTERS))}, "
                f"and so has the temporary folder {folder}; set TMPDIR to a folder without them"
            )
        link = os.path.join(folder, "input" + _suffixes(full))
        try:
            os.symlink(full, link)
        except OSError:  # no symbolic links here (some Windows set-ups): a copy reads the same
            shutil.copyfile(full, link)
        yield link
    finally:
        shutil.rmtree(folder, ignore_errors=True)
