"""Filters that match nothing say why: an unknown region, source, actor or type of violence is
an error with close suggestions (as an unknown country is); a valid filter that matches no
event stays an empty result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import accordwatch as aw
from accordwatch.actors import UnknownActor
from accordwatch.errors import InputError, NotFound
from accordwatch.store import EventFilter, Store

SLICE = Path(__file__).parents[1] / "data" / "ucdp" / "ged_caf_slice.csv"


@pytest.fixture
def news_store() -> Iterator[Store]:
    """An in-memory store holding one accepted news event (source ``text:<doc id>``)."""
    from accordwatch.extract import extract_text

    text = "On Tuesday, clashes between the army and the CSP erupted near Ber, killing 9 soldiers."
    with Store.open(":memory:") as store:
        store.skip_seed()
        result = extract_text(text, published="2024-03-14")
        aw.review_accept(aw.queue_extraction(result, db=store)[0], db=store)
        yield store


# -- regions ------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [aw.events, aw.stats, aw.event_records])
def test_unknown_region_is_not_found_with_suggestions(seeded_db: Path, call: object) -> None:
    with pytest.raises(NotFound, match=r"no region 'Ouakaa'.*Did you mean: .*'Ouaka") as info:
        call(seeded_db, region="Ouakaa")  # type: ignore[operator]
    assert "stats --by region" in str(info.value)
    with pytest.raises(NotFound, match="no region 'Narnia'"):
        call(seeded_db, region="Narnia")  # type: ignore[operator]


def test_a_bundled_alias_is_suggested_by_its_canonical_name(seeded_db: Path) -> None:
    with pytest.raises(NotFound, match=r"Did you mean: 'Timbuktu'\?"):
        aw.events(seeded_db, region="Tombouctoo")


def test_known_regions_without_events_are_empty_not_errors(seeded_db: Path) -> None:
    # bundled admin-1 units (Mali) without events in the seeded store: no such events
    for spelling in ("Gao", "Région de Mopti", "Ménaka"):
        assert aw.events(seeded_db, region=spelling).empty
    # a region known only from the stored events still filters, in any case
    assert len(aw.events(seeded_db, region="OUAKA")) > 100
    assert aw.events(seeded_db, region="Ouaka", since="2030").empty


def test_region_of_another_country(seeded_db: Path) -> None:
    with pytest.raises(
        InputError, match="'Kidal' is not in Niger; it is an admin-1 region of Mali"
    ):
        aw.events(seeded_db, country="Niger", region="Kidal")
    with pytest.raises(InputError, match="not in Mali.*Bamako, Gao, Kayes, Kidal"):
        aw.stats(seeded_db, country="MLI", region="Ouaka")
    # one of the named countries has it: valid (no such events here)
    assert aw.events(seeded_db, country=["Niger", "Mali"], region="Gao").empty
    # the admin-1 units of the Central African Republic are not bundled, so its stored
    # events are all there is to go by: not certain, an empty result
    assert aw.events(seeded_db, country="CAF", region="Kidal").empty
    assert len(aw.events(seeded_db, country="CAF", region="Ouaka")) > 100


def test_ambiguous_region_is_settled_by_the_country(seeded_db: Path) -> None:
    with pytest.raises(InputError, match=r"Komoé \(Burkina Faso\).*add --country"):
        aw.events(seeded_db, region="Comoe")
    assert aw.events(seeded_db, country="Burkina Faso", region="Comoe").empty
    assert aw.events(seeded_db, country=["BFA", "CIV"], region="Comoe").empty
    with pytest.raises(InputError, match="'Comoe' is not in Mali; .*Burkina Faso"):
        aw.events(seeded_db, country="Mali", region="Comoe")


def test_region_of_a_news_event(news_store: Store) -> None:
    [region] = aw.events(news_store)["admin1"].tolist()
    assert len(aw.events(news_store, region=region)) == 1
    assert len(aw.events(news_store, country="Mali", region=region)) == 1


# -- sources ------------------------------------------------------------------------------------
def test_unknown_source_lists_the_known_ones(seeded_db: Path) -> None:
    with pytest.raises(
        NotFound, match=r"no source 'bogus'.*the store holds text:doc-3880c9e3a48f, ucdp-ged\."
    ):
        aw.events(seeded_db, source="bogus")
    with pytest.raises(NotFound, match=r"Did you mean: 'ucdp-ged'"):
        aw.stats(seeded_db, source="ucdp_ged")
    with pytest.raises(NotFound, match="no source 'text:doc-none'"):
        aw.events(seeded_db, source=["ucdp-ged", "text:doc-none"])


def test_source_families_in_any_case_and_stored_sources(seeded_db: Path, news_store: Store) -> None:
    assert len(aw.events(seeded_db, source="UCDP-GED")) == 1848
    for family in ("acled", "ucdp-candidate"):  # known families, no events here
        assert aw.events(seeded_db, source=family).empty
    assert len(aw.events(seeded_db, source="TEXT")) == 9  # the bundled text events
    [source] = aw.events(news_store)["source"].tolist()
    assert source.startswith("text:")
    assert len(aw.events(news_store, source=source)) == 1
    assert len(aw.events(news_store, source="text")) == 1
    with pytest.raises(NotFound, match=f"the store holds {source}"):
        aw.events(news_store, source="text:doc-none")


# -- actors -------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [aw.events, aw.stats])
def test_unknown_actor_suggests(seeded_db: Path, call: object) -> None:
    with pytest.raises(UnknownActor, match=r"no actor 'Selekka'.*Did you mean: 'Seleka'") as info:
        call(seeded_db, actor="Selekka")  # type: ignore[operator]
    assert "Seleka" in info.value.suggestions and "search()" not in str(info.value)
    with pytest.raises(NotFound, match="Check the spelling"):
        call(seeded_db, actor="Zorglub")  # type: ignore[operator]


def test_actors_known_only_from_the_stored_events(empty_db: Path, tmp_path: Path) -> None:
    from csvrows import read_rows, write_rows

    header, rows = read_rows(SLICE)
    for r in rows[:3]:
        r[header.index("side_b")] = "Front de Libération du Zorglub"
        r[header.index("side_b_new_id")] = "999001"
    aw.ingest_ucdp(write_rows(tmp_path / "z.csv", header, rows), db=empty_db)
    assert len(aw.events(empty_db, actor="front de libération du zorglub")) == 3
    assert len(aw.events(empty_db, actor="999001")) == 3  # a UCDP id the registry lacks
    with pytest.raises(UnknownActor, match="Did you mean: .*'Front de Libération du Zorglub'"):
        aw.stats(empty_db, actor="Front de Liberation du Zorglob")


def test_known_actor_without_events_is_empty(seeded_db: Path) -> None:
    assert aw.events(seeded_db, actor="JNIM").empty


# -- types of violence and blank values --------------------------------------------------------
@pytest.mark.parametrize("value", ["7", 7, "0", "state", ["1", "9"]])
def test_type_of_violence(seeded_db: Path, value: object) -> None:
    if value == "state":
        assert len(aw.events(seeded_db, type_of_violence=value)) > 0  # type: ignore[arg-type]
        return
    with pytest.raises(InputError, match="type of violence .* unknown; use 1/state-based"):
        aw.stats(seeded_db, type_of_violence=value)


@pytest.mark.parametrize("option", ["country", "region", "actor", "source"])
def test_a_blank_filter_value_is_refused_not_ignored(seeded_db: Path, option: str) -> None:
    with pytest.raises(InputError, match=f"--{option} is empty"):
        aw.events(seeded_db, **{option: "  "})


# -- the store methods behind it ---------------------------------------------------------------
def test_store_lookups(seeded_db: Path, news_store: Store) -> None:
    with Store.open(seeded_db, read_only=True) as store:
        assert store.has_events(EventFilter(regions={"ouaka"}))
        assert not store.has_events(EventFilter(regions={"narnia"}))
        assert {"Ouaka", "Ouaka province"} <= set(store.stored_regions())
        assert store.stored_sources() == ["text:doc-3880c9e3a48f", "ucdp-ged"]
        names = store.stored_actor_names()
        assert {"UPC", "Government of Central African Republic"} <= set(names)
        assert names == sorted(names) and "" not in names
    [source] = news_store.stored_sources()
    assert source.startswith("text:")
    assert news_store.stored_actor_names()  # the actors list of a news event


# -- through the CLI ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["events", "--region", "Narnia"], 3, "no region 'Narnia'"),
        (["events", "--region", "Ouakaa"], 3, "Did you mean: 'Ouaka"),
        (["stats", "--source", "bogus"], 3, "no source 'bogus'"),
        (["stats", "--actor", "Selekka"], 3, "Did you mean: 'Seleka'"),
        (["events", "--actor", "Zorglub"], 3, "no actor 'Zorglub'"),
        (["events", "--type", "7"], 2, "type of violence '7' unknown"),
        (["stats", "--country", "Niger", "--region", "Kidal"], 2, "region of Mali"),
        (["events", "--region", "Comoe"], 2, "add --country"),
    ],
)
def test_cli_says_why(cli: object, seeded_db: Path, args: list[str], code: int, says: str) -> None:
    rc, out, err = cli(*args, "--db", str(seeded_db))  # type: ignore[operator]
    assert rc == code and out == ""
    assert says in " ".join(err.split()) and "Traceback" not in err
