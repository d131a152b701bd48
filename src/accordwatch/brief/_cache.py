"""Files a briefing keeps in the user's cache folder between runs: what takes seconds to
build from the installed package and never changes until the package does (the Vega bundle,
the actor registry).  Each file's name carries a key of what it was built from; a file that
cannot be read or written only costs the next briefing the time to build it again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["cache_dir", "files_key", "read", "write"]


def cache_dir() -> Path:
    """The user's cache folder of accordwatch (``~/.cache/accordwatch`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("accordwatch", appauthor=False))


def files_key(paths: Iterable[Path], *extra: str) -> str:
    """A short key that changes when any of ``paths`` (files, or folders: their files) is
    changed, added or removed, or when ``extra`` does."""
    parts = list(extra)
    for path in paths:
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in found:
            try:
                st = p.stat()
            except OSError:
                parts.append(f"{p}:missing")
                continue
            parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def read(name: str) -> bytes | None:
    """The cached file ``name``, or None."""
    try:
        return (cache_dir() / name).read_bytes() or None
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Keep ``data`` as the cached file ``name`` (written atomically; errors are ignored)."""
    path = cache_dir() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
