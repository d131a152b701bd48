"""``POST /api/ingest``: an admin loads an uploaded UCDP GED / Candidate file.

The upload is saved to a temporary file on the server, then loaded by
:func:`accordwatch.ingest_ucdp` on the server's writer thread, in one transaction: readers
keep being served the state before it meanwhile, and see the whole load once it commits —
never half of it.  Bad rows stop the load (nothing is written) and are listed.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from .. import _api
from ..errors import InputError
from ._api_common import Admin, api_router, json_safe
from ._app import write
from ._auth import audit

__all__ = [
    "MAX_UPLOAD",
    "ingest",
    "router",
]

router = api_router("ingest")

#: the largest upload accepted (a whole GED release, zipped, is about 60 MB)
MAX_UPLOAD = 2 * 1024**3
_SUFFIXES = (".csv", ".csv.gz", ".zip", ".json", ".geojson")


def _save(upload: UploadFile, folder: Path) -> Path:
    """The upload saved under its own base name in ``folder`` (the name tells the reader
    the format and the release)."""
    name = Path(upload.filename or "upload.csv").name or "upload.csv"
    if not name.lower().endswith(_SUFFIXES):
        raise InputError(
            f"file {name!r}: give a UCDP GED or Candidate file ({', '.join(_SUFFIXES)})"
        )
    target = folder / name
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise InputError(f"file {name!r} is larger than {MAX_UPLOAD >> 30} GB")
            out.write(chunk)
    return target


@router.post("/ingest", summary="Load an uploaded UCDP file (admin)")
async def ingest(
    request: Request,
    user: Admin,
    file: Annotated[UploadFile, File(description="GED/Candidate CSV, .csv.gz, .zip or JSON.")],
    source: Annotated[
        Literal["auto", "ucdp-ged", "ucdp-candidate"], Form(description="Dataset.")
    ] = "auto",
) -> JSONResponse:
    """Load the file (new rows added, changed rows updated with their old versions kept in
    history, unchanged rows left alone); answers with the ingest report."""
    folder = Path(tempfile.mkdtemp(prefix="accordwatch-upload-"))
    try:
        path = await asyncio.to_thread(_save, file, folder)
        report: Any = await write(
            request, _api.ingest_ucdp, path, source=None if source == "auto" else source
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    body = json_safe(report.to_dict())
    await audit(
        request,
        user,
        "ingest.ucdp",
        f"file:{Path(file.filename or 'upload').name}",
        None,
        {k: body.get(k) for k in ("run_id", "rows_read", "inserted", "updated", "unchanged")},
    )
    return JSONResponse(body)
