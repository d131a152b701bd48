"""Which files a load reads: the paths a person named, with folders and patterns expanded on
purpose — never by a reader that takes a file name for a pattern."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputError
from ..sources import UcdpFormat

__all__ = ["expand_inputs"]

_PATTERN_CHARACTERS = "*?["
#: files accordwatch writes itself: the bad rows of ``--on-error quarantine`` next to a loaded
#: file, the owner record next to a store in use
_SIDE_FILES = (".rejected.csv", ".owner.json")


def _natural(path: Path) -> list[object]:
    """Sort key: the path's text with runs of digits compared by value."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(path))]


def _loadable(path: Path, suffixes: Sequence[str]) -> bool:
    name = path.name.lower()
    return (
        path.is_file()
        and not name.startswith(".")
        and not name.endswith(_SIDE_FILES)
        and name.endswith(tuple(s.lower() for s in suffixes))
    )


def _pick(candidates: list[Path], suffixes: Sequence[str], what: str) -> list[Path]:
    found = sorted((c for c in candidates if _loadable(c, suffixes)), key=_natural)
    if not found:
        others = sorted((c.name for c in candidates), key=lambda n: _natural(Path(n)))
        seen = f" (it has: {', '.join(others[:8])}{', …' if len(others) > 8 else ''})"
        raise InputError(
            f"{what} holds no file of a known format ({', '.join(suffixes)})"
            f"{seen if others else ''}"
        )
    return found


def expand_inputs(
    paths: Iterable[str | os.PathLike[str]],
    *,
    suffixes: Sequence[str] = UcdpFormat.suffixes,
) -> list[Path]:
    """The files a load of ``paths`` reads, in order.

    * A path that names an existing file is that one file — also when its name has ``*``,
      ``?`` or ``[…]`` in it: a name is never a pattern by accident.
    * A folder stands for its files of a known format (``suffixes``: UCDP's by default),
      without sub-folders, hidden files and the files accordwatch writes itself
      (``.rejected.csv`` side files of a quarantine, a store's ``.owner.json``).
    * Any other path with ``*``, ``?`` or ``[…]`` is a pattern (``**`` spans folders) and
      stands for the files of a known format it matches.

    The files of one folder or pattern come sorted by name, numbers by value
    (``GEDEvent_v25_0_9`` before ``GEDEvent_v25_0_10``); a file named twice is read once.
    Raises :class:`~accordwatch.errors.InputError` for a path that does not exist and a
    folder or pattern without such a file.

    >>> expand_inputs(["src/accordwatch/data/ucdp"])  # doctest: +SKIP
    [PosixPath('src/accordwatch/data/ucdp/GEDEvent_v23_1_CAF.csv'), ...]
    """
    out: list[Path] = []
    seen: set[str] = set()
    for given in paths:
        p = Path(given)
        text = os.fspath(given)
        if p.is_file():
            found = [p]
        elif p.is_dir():
            found = _pick(list(p.iterdir()), suffixes, f"the folder {p}")
        elif any(ch in text for ch in _PATTERN_CHARACTERS):
            matches = [Path(m) for m in glob.glob(text, recursive=True)]
            if not matches:
                raise InputError(f"no file matches the pattern {text!r}")
            found = _pick(matches, suffixes, f"the pattern {text!r}")
        else:
            raise InputError(f"{p}: no such file or folder")
        for f in found:
            key = os.path.realpath(f)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out
