"""A place as the command line and the web API show it: one record, the same in both."""

from __future__ import annotations

import json
from collections.abc import Callable

from accordwatch.geo import Gazetteer, Place, priogrid_gid


def test_the_record_of_kidal_has_its_cell_region_and_feature() -> None:
    kidal = Gazetteer.default().lookup("Kidal")[0]
    rec = kidal.record()
    assert tuple(rec) == Place.RECORD_FIELDS
    assert rec["name"] == "Kidal" and rec["admin1"] == "Kidal"
    assert rec["feature"] == f"{kidal.feature_class}/{kidal.feature_code}"
    assert rec["priogrid_gid"] == priogrid_gid(kidal.latitude, kidal.longitude) == 155883


def test_the_command_line_shows_the_record(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = cli("places", "Tombouctou", "--format", "json", "--limit", "2")
    assert code == 0, err
    shown = json.loads(out)
    wanted = [p.record() for p in Gazetteer.default().lookup("Tombouctou", limit=2)]
    assert [r["geonameid"] for r in shown] == [r["geonameid"] for r in wanted]
    assert [sorted(r) for r in shown] == [sorted(Place.RECORD_FIELDS)] * len(wanted)
