"""The bundled admin-1 GeoJSON is parsed once per process and shared: the index of units
and the briefing's outlines are built from the same features."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from accordwatch.errors import InputError
from accordwatch.geo import AdminIndex, admin1_features


def test_the_features_are_parsed_once_and_are_the_bundled_files() -> None:
    first = admin1_features()
    assert first is admin1_features()  # the same parse
    path = files("accordwatch").joinpath("data", "geo", "sahel_admin1_ne10m.geojson")
    on_disk = json.loads(path.read_text(encoding="utf-8"))["features"]
    assert list(first) == on_disk


def test_the_default_index_is_the_one_read_from_the_file() -> None:
    path = files("accordwatch").joinpath("data", "geo", "sahel_admin1_ne10m.geojson")
    from_file = AdminIndex.from_geojson(Path(str(path)))
    default = AdminIndex.default()
    assert default.units == from_file.units
    assert len(default.units) == len(admin1_features())
    assert default.normalize("Tombouctou", country="MLI") == "Timbuktu"


def test_features_that_are_not_a_list_are_refused_with_the_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "units.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": {"a": 1}}', encoding="utf-8")
    with pytest.raises(InputError, match=r"units\.geojson.*'features' is not a list"):
        AdminIndex.from_geojson(bad)
