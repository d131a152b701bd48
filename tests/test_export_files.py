"""Files accordwatch writes atomically keep the permissions a user expects."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from accordwatch.export import write_atomic


def test_a_new_file_obeys_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        import accordwatch.export as ex

        ex._umask.cache_clear()
        new = write_atomic(tmp_path / "brief.html", "<p>x</p>")
        assert stat.S_IMODE(new.stat().st_mode) == 0o640  # not mkstemp's 0600
        kept = tmp_path / "digest.md"
        kept.write_text("old")
        kept.chmod(0o604)
        write_atomic(kept, b"new")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_bytes() == b"new"
    finally:
        os.umask(old)
        ex._umask.cache_clear()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
