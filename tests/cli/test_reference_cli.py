"""`accordwatch actors` and `accordwatch places`."""

from __future__ import annotations

import json


def test_actor_by_french_name_with_lineage(cli) -> None:
    code, out, _ = cli("actors", "Coordination des Mouvements de l'Azawad", "--format", "json")
    info = json.loads(out)
    assert code == 0 and info["ucdp_ids"] == [1158]
    assert info["lineage"][-1] == "Azawad Liberation Front"


def test_actor_on_a_date_follows_the_name_change(cli) -> None:
    code, out, _ = cli("actors", "FLA", "--on", "2023-09-15", "--format", "json")
    assert code == 0 and json.loads(out)["actor_id"] == "csp"


def test_unknown_actor_exits_3(cli) -> None:
    code, _, err = cli("actors", "JNMI")
    assert code == 3 and "JNIM" in err


def test_places_french_english_and_fuzzy(cli) -> None:
    code, out, _ = cli("places", "Tombouctou", "--format", "json")
    first = json.loads(out)[0]
    assert code == 0 and first["name"] == "Timbuktu" and first["admin1"] == "Timbuktu"
    assert first["priogrid_gid"] == 153714
    code, out, _ = cli("places", "Tessalite", "--fuzzy", "--format", "json")
    assert json.loads(out)[0]["name"] == "Tessalit"
    code, _, err = cli("places", "Atlantis")
    assert code == 3 and "--fuzzy" in err
