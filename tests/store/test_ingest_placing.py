"""The engine's per-row placing (a layout without a guess of admin1, such as ACLED's): every
row gets what ``place_admin1`` decides for its place, each distinct place asked once, from any
number of DuckDB threads at once; a failure of placing itself is raised, not taken for a bad
row."""

from __future__ import annotations

import threading
from typing import Any

import pyarrow as pa
import pytest

from accordwatch.sources._ged_csv import place_admin1
from accordwatch.store import ingest as ingest_mod

PLACES: list[tuple[Any, Any, Any]] = [
    (16.7735, -3.0074, "Tombouctou"),  # in Timbuktu's polygon
    (18.4411, 1.4078, "Kidal"),
    (14.4843, -4.1827, None),  # no name: the polygon decides
    (None, None, "Segou"),  # no point: the name decides
    (None, None, None),
    (3.45, 5.12, None),  # at sea: nothing
    (16.7735, -3.0074, "Mopti"),  # the same point, another name: another place
]


def _columns(rows: list[tuple[Any, Any, Any]]) -> tuple[pa.Array, pa.Array, pa.Array]:
    lat, lon, adm = zip(*rows, strict=True)
    return pa.array(lat, pa.float64()), pa.array(lon, pa.float64()), pa.array(adm, pa.string())


def test_rows_get_what_place_admin1_decides_each_place_asked_once() -> None:
    asked: list[tuple[Any, Any, Any]] = []

    def decide(places: list[tuple[Any, Any, Any]]) -> list[str | None]:
        asked.extend(places)
        return place_admin1(places)

    place = ingest_mod._place_rows(decide, [])
    rows = PLACES * 40 + PLACES[::-1]
    got = place(*_columns(rows)).to_pylist()
    assert got == place_admin1(rows)
    assert got[0] == "Timbuktu" and sorted(map(str, asked)) == sorted(map(str, PLACES))
    again = place(*_columns(PLACES[2:] + PLACES[:2])).to_pylist()
    assert again == place_admin1(PLACES[2:] + PLACES[:2]) and len(asked) == len(PLACES)
    empty = (pa.array([], pa.float64()), pa.array([], pa.float64()), pa.array([], pa.string()))
    assert place(*empty).to_pylist() == []


def test_threads_calling_at_once_get_their_own_rows_right() -> None:
    place = ingest_mod._place_rows(place_admin1, [])
    chunks = [PLACES[i:] + PLACES[:i] for i in range(len(PLACES))] * 6
    want = [place_admin1(c) for c in chunks]
    got: list[list[str | None] | None] = [None] * len(chunks)

    def work(i: int) -> None:
        got[i] = place(*_columns(chunks[i])).to_pylist()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(chunks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == want


def test_a_failure_of_placing_is_kept_to_be_raised() -> None:
    failed: list[BaseException] = []

    def broken(places: list[tuple[Any, Any, Any]]) -> list[str | None]:
        raise RuntimeError("polygons missing")

    place = ingest_mod._place_rows(broken, failed)
    with pytest.raises(RuntimeError):
        place(*_columns(PLACES))
    assert [str(e) for e in failed] == ["polygons missing"]
    with pytest.raises(RuntimeError, match="polygons missing"):
        ingest_mod._placing_failed(failed)
    from accordwatch.errors import InputError

    ingest_mod._placing_failed([InputError("latitude out of range")])  # a bad row: no raise


def test_places_sharing_a_hash_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    # every place the same hash: each row must still get its own place's name
    monkeypatch.setattr(ingest_mod, "_place_hash", lambda y, x, code: np.zeros(len(y), "uint64"))
    asked: list[tuple[Any, Any, Any]] = []

    def decide(places: list[tuple[Any, Any, Any]]) -> list[str | None]:
        asked.extend(places)
        return place_admin1(places)

    place = ingest_mod._place_rows(decide, [])
    for rows in (PLACES * 3, PLACES[::-1] * 2, PLACES[3:]):
        assert place(*_columns(rows)).to_pylist() == place_admin1(rows)
    assert sorted(map(str, asked)) == sorted(map(str, PLACES))


def test_a_point_written_as_minus_zero_is_placed_as_zero() -> None:
    rows: list[tuple[Any, Any, Any]] = [(0.0, 0.0, "Gao"), (-0.0, 0.0, "Gao"), (0.0, -0.0, "Gao")]
    place = ingest_mod._place_rows(place_admin1, [])
    assert place(*_columns(rows * 2)).to_pylist() == place_admin1(rows * 2)
