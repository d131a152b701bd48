"""The CLI starts fast: heavy libraries load only in the commands that use them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = (
    "lightgbm",
    "sklearn",
    "matplotlib",
    "scoringrules",
    "dateparser",
    "spacy",
    "scipy",
    "statsmodels",
)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = f"import sys, accordwatch.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", (
        f"`import accordwatch.cli` pulls in {out}: import them inside the command functions"
    )


def test_the_cli_starts_without_pandas_and_names_the_library_default_model() -> None:
    """pandas alone costs a quarter of a second of every command's start-up, and the bulk
    ingest never needs it; the forecast commands spell out the default model for the same
    reason, so it must stay the library's."""
    code = "import sys, accordwatch.cli; print('pandas' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False", (
        "`import accordwatch.cli` imports pandas: import it inside the functions that use it"
    )

    from accordwatch.cli import forecast_cmds
    from accordwatch.forecast import DEFAULT_MODEL

    assert forecast_cmds._DEFAULT.value == DEFAULT_MODEL
    from accordwatch.forecast import SUBNATIONAL_DEFAULT

    assert forecast_cmds._SUBNATIONAL_DEFAULT.value == SUBNATIONAL_DEFAULT


def test_a_clean_csv_of_new_events_loads_without_pandas_or_pyarrow(
    ged_slice: Path, empty_db: Path
) -> None:
    """The one-pass load is DuckDB plus a little Python: importing the Arrow stack would cost
    more start-up time than the whole load's Python work."""
    code = (
        "import sys, accordwatch as aw; "
        f"r = aw.ingest_ucdp({str(ged_slice)!r}, db={str(empty_db)!r}); "
        "print(r.inserted, [m for m in ('pandas', 'pyarrow') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "39 []", out
