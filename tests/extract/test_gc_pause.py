"""The garbage collector is paused while a long text is extracted, and restored after."""

from __future__ import annotations

import gc

import pytest

from accordwatch.extract import api, extract_text
from accordwatch.extract._documents import document_from_bytes

_TEXT = "Des hommes armés ont attaqué un poste de l'armée à Boni mardi. " * 40


@pytest.fixture(autouse=True)
def _short_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "_GC_PAUSE_CHARS", 1000)  # "long" without a slow test


def _seen_during(text: str) -> set[bool]:
    seen: set[bool] = set()
    doc = document_from_bytes(text.encode("utf-8"))
    api.extract_document(doc, progress=lambda done, total: seen.add(gc.isenabled()))
    return seen


def test_paused_for_a_long_text_and_restored() -> None:
    assert gc.isenabled()
    assert _seen_during(_TEXT) == {False}
    assert gc.isenabled()


def test_left_alone_for_a_short_text_and_when_already_off() -> None:
    assert _seen_during("Des hommes armés ont attaqué Boni mardi. " * 5) == {True}
    gc.disable()
    try:
        extract_text(_TEXT, published="2024-01-02")
        assert not gc.isenabled()  # not switched on by the extraction
    finally:
        gc.enable()
