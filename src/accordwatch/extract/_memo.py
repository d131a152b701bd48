"""Answers remembered while one document is read, so that a rule asked twice about the
same span (by the place, event and claim steps) works it out once.

The memo belongs to the document's text (by identity) and to the thread reading it: a
new text, or another thread, starts empty.

>>> text = "Gao"
>>> memo = per_text(text, "demo")
>>> memo[(0, 3)] = True
>>> per_text(text, "demo")
{(0, 3): True}
>>> per_text("Kidal", "demo")
{}
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["per_text"]

_LOCAL = threading.local()


def per_text(text: str, name: str) -> dict[Any, Any]:
    """The memo ``name`` of ``text`` in this thread (empty when ``text`` is new here)."""
    state: tuple[str, dict[str, dict[Any, Any]]] | None = getattr(_LOCAL, "state", None)
    if state is None or state[0] is not text:
        state = (text, {})
        _LOCAL.state = state
    memo = state[1].get(name)
    if memo is None:
        memo = state[1][name] = {}
    return memo
