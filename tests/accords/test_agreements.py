"""Agreements: the UCDP Peace Agreement Dataset in the store, search and detail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import accordwatch as aw
import accordwatch.accords as ac
from accordwatch.errors import InputError, NotFound
from accordwatch.store import Store


def test_all_agreements_loaded_with_flags_and_parties(adb: Path) -> None:
    with Store.open(adb) as store:
        assert store.count("accord_agreements") == 374
        assert store.count("accord_flags") == 374 * len(ac.UCDP_FLAGS)
        ids = store.query("SELECT DISTINCT agreement_id FROM accord_parties").agreement_id
        assert len(ids) == 374


def test_mali_agreements_in_date_order(adb: Path) -> None:
    frame = ac.list_agreements(adb, country="Mali")
    assert frame.agreement_id.tolist() == [1039, 1041, 1040, 1609, 1517, 30]
    assert frame.signed.iloc[-1].date() == dt.date(2015, 6, 20)
    assert (frame.countries == "Mali").all()
    # ISO3 code and GW number find the same agreements
    assert (
        ac.list_agreements(adb, country="MLI").agreement_id.tolist() == frame.agreement_id.tolist()
    )
    assert (
        ac.list_agreements(adb, country="432").agreement_id.tolist() == frame.agreement_id.tolist()
    )


def test_search_by_actor_year_and_lineage(adb: Path) -> None:
    cma = ac.list_agreements(adb, actor="CMA")
    assert set(cma.agreement_id) == {1609, 1517, 30}
    # The FLA (2024) has signed nothing itself; its lineage reaches back to the CMA.
    assert ac.list_agreements(adb, actor="FLA").empty
    assert set(ac.list_agreements(adb, actor="FLA", lineage=True).agreement_id) == {1609, 1517, 30}
    in_2015 = ac.list_agreements(adb, country="Mali", year=2015)
    assert set(in_2015.agreement_id) == {1517, 30}
    with pytest.raises(InputError):
        ac.list_agreements(adb, year=2015, since=2010)


def test_unknown_country_and_agreement(adb: Path) -> None:
    with pytest.raises(NotFound, match="Mali"):
        ac.list_agreements(adb, country="Malli")
    with pytest.raises(NotFound, match="accords list"):
        ac.show_agreement(999999, adb)
    with pytest.raises(InputError):
        ac.show_agreement("thirty", adb)


def test_show_mali_2015(adb: Path) -> None:
    rec = ac.show_agreement(30, adb)
    assert rec["name"].startswith("Accord for peace and reconciliation in Mali")
    assert rec["signed"] == dt.date(2015, 6, 20)
    assert rec["conflict_ids"] == [372] and rec["dyad_ids"] == [11985]
    parties = pd.DataFrame(rec["parties"])
    warring = parties[parties.role == "warring"]
    assert sorted(warring.ucdp_actor_id.astype(int)) == [72, 1158]
    assert set(warring.actor_id) == {"ucdp:72", "ucdp:1158"}
    assert {"Algeria", "MINUSMA"} <= set(parties[parties.role == "third-party"].name)
    coded = {f["flag"] for f in rec["ucdp_provisions"]}
    # UCDP codes DDR, army integration, power sharing, regional development, PKO … but no ceasefire
    assert {
        "ddr",
        "intarmy",
        "shagov",
        "regdev",
        "locgov",
        "recon",
        "return",
        "pko",
        "co_impl",
    } <= coded
    assert "cease" not in coded
    assert rec["provisions"]["title"] == 7
    assert {r["key"] for r in rec["references"]} == {"pam_score_7y", "io_fulfilled_2018"}
    assert all(m["source"] for m in rec["milestones"])


def test_third_parties_are_not_warring(adb: Path) -> None:
    # Ouagadougou 2013: UCDP lists Burkina Faso, Nigeria, AU … among the actors; only
    # the Government of Mali and the CMA fight in its dyad.
    rec = ac.show_agreement(1609, adb)
    parties = pd.DataFrame(rec["parties"])
    assert sorted(parties[parties.role == "warring"].ucdp_actor_id.astype(int)) == [72, 1158]
    assert 84 in set(parties[parties.role == "signatory"].ucdp_actor_id.astype(int))  # Nigeria


def _seeded_before_accords(path: Path) -> None:
    """A store seeded before the accord tables were filled: empty accord tables, no events."""
    with Store.open(path) as store:
        store.set_meta("seeded_at", "2024-01-01T00:00:00+00:00")
        assert store.count("accord_agreements") == 0 and store.needs_accords()


def _assert_accords_filled(path: Path) -> None:
    with Store.open(path, read_only=True) as store:
        assert not store.needs_accords()
        assert store.count("accord_agreements") == 374
        assert store.count("accord_provisions") > 0
        # only the accord tables and the bundled text events were filled, not the GED sample
        assert store.count("events") == 9
        assert store.get_meta("accords_seeded_at")


def test_store_made_before_the_migration_loads_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _seeded_before_accords(path)
    frame = ac.list_agreements(db=path, text="algiers")  # a read: filled once, then read-only
    assert 30 in set(frame.agreement_id)
    _assert_accords_filled(path)


def test_store_made_before_the_migration_loads_on_a_write(tmp_path: Path, data: Path) -> None:
    path = tmp_path / "old.duckdb"
    _seeded_before_accords(path)
    result = ac.import_assessments(data / "assessments_good.csv", db=path)
    assert result["imported"] == 6
    _assert_accords_filled(path)


def test_store_older_than_the_accord_tables_is_migrated_and_filled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import accordwatch.store.db as db_module

    path = tmp_path / "v1.duckdb"
    first = db_module._migrations()[:1]  # a store as the first release made it
    with monkeypatch.context() as m:
        m.setattr(db_module, "_migrations", lambda: first)
        with Store.open(path) as store:
            store.set_meta("seeded_at", "2024-01-01T00:00:00+00:00")
            assert store.schema_version() == 1
            assert store.needs_accords()  # no accord tables at all
    aw.open_store(path).close()  # a read-write open migrates it and fills them
    _assert_accords_filled(path)
    assert ac.show_agreement(30, path)["signed"] == dt.date(2015, 6, 20)


def test_store_kept_empty_gets_no_agreements(empty_db: Path) -> None:
    assert ac.list_agreements(db=empty_db).empty
    with pytest.raises(NotFound, match="init --empty"):
        ac.show_agreement(30, empty_db)
    with Store.open(empty_db, read_only=True) as store:
        assert not store.needs_accords() and store.count("accord_agreements") == 0


def test_read_while_the_store_is_open_read_only(adb: Path) -> None:
    with Store.open(adb, read_only=True) as held:
        frame = ac.list_agreements(db=adb, country="Mali")
        assert 30 in set(frame.agreement_id)
        assert "Algiers" in ac.show_agreement(30, adb)["name"]
        assert held.count("accord_agreements") == 374
