"""Extraction of a folder on a LocalCluster of two processes, in batches: the same events,
documents and warnings as in one process."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from accordwatch.extract import extract_path

from .conftest import EXTRACT


def test_test_folder_same_as_one_process(client: Any) -> None:
    from accordwatch._app.cluster import extract_on

    folder = EXTRACT / "folder"
    here = extract_path(folder, published="2023-10-05")
    there = extract_on(client, folder, published="2023-10-05", batch_size=1)
    assert there.to_dict() == here.to_dict()
    assert len(there.documents) == 3


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    """A folder of the project's own test texts (those with events) and the test folder's
    odd files: several batches."""
    folder = tmp_path / "texts"
    folder.mkdir()
    for f in sorted(EXTRACT.glob("*.txt")) + [EXTRACT / "article.html"]:
        shutil.copy(f, folder / f.name)
    for f in sorted((EXTRACT / "folder").iterdir()):
        shutil.copy(f, folder / f"z_{f.name}")
    return folder


def test_events_of_a_folder_same_as_one_process(client: Any, texts: Path) -> None:
    from accordwatch._app.cluster import extract_on

    here = extract_path(texts, published="2023-10-05", lang="auto", min_confidence=0.5)
    assert len(here.events) > 10 and here.claims is not None
    for size in (1, 2, None):
        there = extract_on(
            client, texts, published="2023-10-05", min_confidence=0.5, batch_size=size
        )
        assert there.to_dict() == here.to_dict()
        assert [e.to_dict() for e in there.events] == [e.to_dict() for e in here.events]


def test_a_single_file_is_extracted_here(client: Any) -> None:
    from accordwatch._app.cluster import extract_on

    one = EXTRACT / "dev_en.txt"
    assert extract_on(client, one).to_dict() == extract_path(one).to_dict()
