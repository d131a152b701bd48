"""``accordwatch brief COUNTRY``: a briefing in one self-contained HTML file (and a PDF).

A thin shell over :func:`accordwatch.brief.write`: progress goes to stderr; stdout gets
where the files were written and three lines of headline numbers.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ._common import QUICK_EXIT, DbOption, err, lazy_module, out

_brief = lazy_module("accordwatch.brief")

__all__ = ["register"]


class _Lang(str, Enum):
    en = "en"
    fr = "fr"


class _Model(str, Enum):
    conflictology = "conflictology"
    qgbm = "qgbm"


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.0f} kB"


def _brief_cmd(
    country: Annotated[
        str, typer.Argument(help="Country: name, ISO3 code or GW number (Mali, CAF, 432).")
    ],
    region: Annotated[
        str | None,
        typer.Option("--region", "-r", help="Only this admin-1 region of the country."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="First day of the period (YYYY-MM-DD, YYYY-MM or YYYY). Default: 12 months "
            "before --until.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Last day of the period (YYYY-MM-DD, YYYY-MM or YYYY). Default: the last "
            "month with data for the country.",
        ),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="HTML file to write. Default: brief-<country>.html in the current folder.",
            dir_okay=False,
        ),
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf", help="Also write the briefing as a PDF to this file.", dir_okay=False
        ),
    ] = None,
    lang: Annotated[
        _Lang, typer.Option("--lang", help="Language of the briefing.", case_sensitive=False)
    ] = _Lang.en,
    db: DbOption = None,
    model: Annotated[
        _Model | None,
        typer.Option(
            "--model",
            "-m",
            help="Forecast model when no stored forecast matches (default: the backtested "
            "default, qgbm; conflictology is fast).",
        ),
    ] = None,
    agreement: Annotated[
        int | None,
        typer.Option(
            "--agreement",
            help="Agreement to report on (UCDP paid). Default: the country's main agreement.",
        ),
    ] = None,
) -> None:
    """Write a briefing on a country: one self-contained HTML file, and a PDF.

    Headline, map, timeline, who fights whom, the accord, early warning, key events, sources.
    Example: accordwatch brief Mali --out mali.html --pdf mali.pdf
    """
    with err.status("gathering …") as status:
        written = _brief.write(
            country,
            out_file,
            pdf=pdf,
            region=region,
            since=since,
            until=until,
            lang=lang.value,
            db=db,
            model=None if model is None else model.value,
            agreement=agreement,
            progress=lambda text: status.update(text),
        )
    b = written.briefing
    lines = [_brief.say(b.lang, "summary_wrote", path=written.html, size=_size(written.html_bytes))]
    if written.pdf is not None:
        size = written.pdf.stat().st_size if written.pdf.exists() else 0
        lines.append(_brief.say(b.lang, "summary_wrote", path=written.pdf, size=_size(size)))
    for line in [*lines, *_brief.summary(b)]:
        out.print(line)
    QUICK_EXIT.set()  # the files are written and the store closed: no teardown needed


def register(app: typer.Typer) -> None:
    app.command("brief")(_brief_cmd)
