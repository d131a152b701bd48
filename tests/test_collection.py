"""The collected tests themselves: each has a node id of its own (pytest-xdist hands tests to
its workers by node id, so tests sharing one would run once between them)."""

from __future__ import annotations

from collections import Counter

import pytest


def test_every_test_has_a_node_id_of_its_own(request: pytest.FixtureRequest) -> None:
    ids = Counter(item.nodeid for item in request.session.items)
    assert [nodeid for nodeid, n in ids.items() if n > 1] == []
