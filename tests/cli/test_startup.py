"""The CLI starts fast: heavy libraries load only in the commands that use them."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("lightgbm", "sklearn", "matplotlib", "scoringrules", "dateparser", "spacy", "scipy", "statsmodels")


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, accordwatch.cli; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"`import accordwatch.cli` pulls in {out}: import them inside the command functions"
