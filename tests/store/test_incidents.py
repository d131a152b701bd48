"""One incident, several sources: the linking rules, the store's blocked join against the rules
applied pair by pair, idempotent re-runs, analysts' unlinks, links and counted choices.

The store holds the bundled CAR GED events and accepted news events (source ``text:…``)
made from a sample of them: moved a few km, a day later, the same actors — as a newspaper
reports what UCDP codes — plus records that must not be linked."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import accordwatch as aw
from accordwatch._app import incidents as inc
from accordwatch.errors import InputError, NotFound
from accordwatch.sources import Batch
from accordwatch.store import Store, ingest_batches
from accordwatch.store.schema import rows_to_table

DOC = "text:doc-fixture"


def _text_rows(ged: pd.DataFrame) -> list[dict[str, Any]]:
    """News-like records of a sample of GED events, and a few that match nothing."""
    rng = random.Random(17)
    rows: list[dict[str, Any]] = []
    usable = ged[(ged["where_prec"] <= 2) & (ged["date_prec"] == 1)]
    for i, r in enumerate(usable.iloc[::12].to_dict("records")):
        km = rng.uniform(0.5, 8.0)
        bearing = rng.uniform(0, 360)
        lat = r["latitude"] + km / 111.2 * _cos(bearing)
        lon = r["longitude"] + km / 111.2 * _sin(bearing) / _cos(r["latitude"])
        rows.append(
            {
                "source": DOC,
                "source_event_id": f"doc-fixture-{i}",
                "date_start": r["date_start"].date() + dt.timedelta(days=rng.choice([0, 1])),
                "latitude": lat,
                "longitude": lon,
                "where_prec": 1,
                "date_prec": 1,
                "side_a": r["side_a"],
                "side_b": r["side_b"],
                "event_type": "attack_on_civilians" if r["type_of_violence"] == 3 else "clash",
                "type_of_violence": r["type_of_violence"],
                "country": r["country"],
                "country_id": r["country_id"],
                "best": int(r["best"]) + 5,
                "low": int(r["best"]) + 5,
                "high": int(r["best"]) + 5,
            }
        )
    for row in rows:
        row["date_end"] = row["date_start"]
    return rows


def _cos(deg: float) -> float:
    import math

    return math.cos(math.radians(deg))


def _sin(deg: float) -> float:
    import math

    return math.sin(math.radians(deg))


def _add(db: Path | Store, rows: list[dict[str, Any]], source: str = DOC) -> None:
    for r in rows:
        r.setdefault("date_end", r["date_start"])
    batch = Batch(file=source, source=source, table=rows_to_table(rows), rows_read=len(rows))
    if isinstance(db, Store):
        ingest_batches(db, [batch], kind="review")
        return
    with Store.open(db) as st:
        ingest_batches(st, [batch], kind="review")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    path = tmp_path_factory.mktemp("incidents") / "template.duckdb"
    with Store.open(path) as st:
        st.skip_seed()
    data = Path(__file__).parents[2] / "src" / "accordwatch" / "data" / "ucdp"
    aw.ingest_ucdp(data / "GEDEvent_v23_1_CAF.csv", db=path)
    ged = aw.events(path)
    _add(path, _text_rows(ged))
    return path, ged


@pytest.fixture
def db(template: tuple[Path, pd.DataFrame], tmp_path: Path) -> Path:
    target = tmp_path / "store.duckdb"
    shutil.copy(template[0], target)
    return target


@pytest.fixture(scope="module")
def linked(template: tuple[Path, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the template, linked once (read-only tests share it)."""
    path = tmp_path_factory.mktemp("linked") / "linked.duckdb"
    shutil.copy(template[0], path)
    inc.link_incidents(path)
    return path


def _members(db: Path) -> pd.DataFrame:
    with Store.open(db, read_only=True) as st:
        return st.incident_members()


def _log(db: Path) -> pd.DataFrame:
    with Store.open(db, read_only=True) as st:
        return st.incident_log()


def _ged(template: tuple[Path, pd.DataFrame], n: int = 0) -> dict[str, Any]:
    ged = template[1]
    rec = ged[(ged["where_prec"] == 1) & (ged["date_prec"] == 1)].iloc[n]
    return {str(k): v for k, v in rec.items()}


def _like(rec: dict[str, Any], eid: str, **changes: Any) -> dict[str, Any]:
    row = {
        "source": DOC,
        "source_event_id": eid,
        "date_start": rec["date_start"].date(),
        "latitude": rec["latitude"],
        "longitude": rec["longitude"],
        "where_prec": 1,
        "date_prec": 1,
        "side_a": rec["side_a"],
        "side_b": rec["side_b"],
        "type_of_violence": rec["type_of_violence"],
        "country": rec["country"],
        "country_id": rec["country_id"],
        "best": 1,
    }
    row.update(changes)
    return row


# -- the rules ------------------------------------------------------------------------------------
def test_date_rule_reads_each_records_range_and_precision() -> None:
    assert inc.date_gap_days("2023-05-01", "2023-05-31", "2023-05-20", None) == 0
    assert inc.date_gap_days("2023-05-01", None, "2023-05-03", None) == 2
    acled_week = {"source": "acled", "date_start": "2024-03-15", "date_prec": 2}
    assert inc.date_span(acled_week) == (dt.date(2024, 3, 12), dt.date(2024, 3, 18))
    ged_range = {
        "source": "ucdp-ged",
        "date_start": "2024-03-01",
        "date_end": "2024-03-31",
        "date_prec": 4,
    }
    assert inc.date_span(ged_range) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))


def test_place_rule_reads_location_precision() -> None:
    assert inc.place_radius_km(1) == 0.0
    assert inc.place_radius_km(2) == 25.0
    assert inc.place_radius_km(4) == 150.0
    assert inc.place_radius_km(6) is None  # country only
    assert inc.place_radius_km(7) is None  # at sea
    assert inc.place_radius_km(None) == 50.0  # unknown: as admin-2
    assert round(inc.great_circle_km(0, 0, 0, 1), 1) == 111.2


def test_types_compatible_by_family() -> None:
    assert inc.type_family(1, None) == "fighting"
    assert inc.type_family(None, "Battles") == "fighting"
    assert inc.type_family(3, "drone_strike") == "remote"
    assert inc.types_compatible("remote", "civilians")
    assert inc.types_compatible(None, "fighting")
    assert not inc.types_compatible("fighting", "civilians")
    assert not inc.types_compatible("nonviolent", "fighting")


def test_actors_compared_through_the_registry_entity_and_lineage() -> None:
    a = {"source": "ucdp-ged", "side_a": "Government of Mali", "side_b": "MUJAO"}
    b = {"source": "text:d", "side_a": "FAMa", "side_b": "JNIM", "country": "Mali"}
    from accordwatch.actors import ActorRegistry

    reg = ActorRegistry.default()
    ra, rb = inc._record_actors(a, reg), inc._record_actors(b, reg)
    match, shared = inc.actor_match(
        {k: v[0] for k, v in ra.items()}, {k: v[0] for k, v in rb.items()}
    )
    assert (match, shared) == ("entity", ["ucdp:72"])  # FAMa is the Government of Mali
    ra = inc._record_actors({"source": "x", "side_a": "MUJAO"}, reg)
    rb = inc._record_actors({"source": "x", "side_a": "JNIM"}, reg)
    match, _ = inc.actor_match({k: v[0] for k, v in ra.items()}, {k: v[0] for k, v in rb.items()})
    assert match == "lineage"  # MUJAO → al-Mourabitoun → JNIM
    assert inc.actor_match({}, {"ucdp:72": "ucdp:72"}) == ("unknown", [])
    assert inc.actor_match({"ucdp:1": "ucdp:1"}, {"ucdp:2": "ucdp:2"}) == ("none", [])


def test_event_keys() -> None:
    assert inc.event_key("ucdp-ged|12") == ("ucdp-ged", "12")
    assert inc.event_key("acled/MLI1") == ("acled", "MLI1")
    assert inc.event_key("text:doc-1|doc-1-2") == ("text:doc-1", "doc-1-2")
    with pytest.raises(InputError, match="SOURCE|ID"):
        inc.event_key("12345")


# -- the blocked join against the rules -----------------------------------------------------------
def test_blocked_join_finds_exactly_what_the_rules_find_pair_by_pair(
    template: tuple[Path, pd.DataFrame],
) -> None:
    path, ged = template
    with Store.open(path, read_only=True) as st:
        flt = inc._scope(st, None, None, None)
        found, _ = inc._candidates(st, flt, inc.DEFAULTS, inc._registry())
        text = st.select_events(aw.store.EventFilter(sources={"text"}))
    assert len(found) > 100
    by_b = {(r["b_source"], r["b_id"]): r for r in found.to_pylist()}
    ged_recs = ged.to_dict("records")
    for t in text.to_dict("records"):
        day = t["date_start"]
        near = [
            g
            for g in ged_recs
            if abs((g["date_start"] - day).days) <= 40 and abs(g["latitude"] - t["latitude"]) < 3
        ]
        scores = {}
        for g in near:
            why = inc.explain_pair(g, t)
            if why["linkable"]:
                scores[(g["source"], g["source_event_id"])] = why["score"]
        key = (t["source"], t["source_event_id"])
        if not scores:
            assert key not in by_b, f"{key} linked by SQL but by no rule"
            continue
        assert key in by_b, f"{key} missed by the blocked join"
        best = max(scores.values())
        got = by_b[key]
        assert abs(got["score"] - best) < 1e-6
        assert scores[(got["a_source"], got["a_id"])] == pytest.approx(best)


# -- linking --------------------------------------------------------------------------------------
def test_link_all_links_the_same_incident_and_counts_the_ged_figure(linked: Path) -> None:
    members = _members(linked)
    texts = members[members["ev_source"] == DOC]
    assert len(texts) >= 10
    assert not texts["counted"].any()
    counted = members[members["counted"]]
    assert set(counted["ev_source"]) == {"ucdp-ged"}
    assert members.groupby("incident_id")["counted"].sum().eq(1).all()
    one = inc.incident_show(int(texts.iloc[0]["incident_id"]), db=linked)
    side = one["members"]
    assert list(side["ev_source"]) == ["ucdp-ged", DOC]  # counted first, side by side
    assert {"date_start", "where_description", "side_a", "best", "low", "high"} <= set(side)
    expl = side.iloc[1]["explanation"]
    assert expl["actor_match"] in ("entity", "lineage")
    assert expl["days"] <= 1 and expl["km"] <= expl["limit_km"]
    assert "date" in expl["rules"] and "place" in expl["rules"]
    assert one["counted_because"].startswith("source precedence")


def test_link_all_again_changes_nothing(linked: Path, tmp_path: Path) -> None:
    path = tmp_path / "again.duckdb"
    shutil.copy(linked, path)
    before, log = _members(path), _log(path)
    again = inc.link_incidents(path)
    assert (again["linked"], again["unlinked"]) == (0, 0)
    pd.testing.assert_frame_equal(_members(path), before)
    assert len(_log(path)) == len(log)


def test_records_that_are_not_the_same_incident_stay_apart(
    template: tuple[Path, pd.DataFrame], db: Path
) -> None:
    g = _ged(template, 3)
    rows = [
        _like(g, "far", latitude=g["latitude"] + 1.5),  # 165 km away
        _like(g, "late", date_start=g["date_start"].date() + dt.timedelta(days=3)),
        _like(g, "others", side_a="Government of Chad", side_b="Government of Sudan"),
        _like(g, "protest", event_type="political", type_of_violence=None),
        _like(g, "vague", where_prec=6),  # only the country is known
        _like(
            g,
            "year",
            date_start=dt.date(g["date_start"].year, 1, 1),
            date_end=dt.date(g["date_start"].year, 12, 31),
            date_prec=5,
        ),
    ]
    _add(db, rows)
    inc.link_incidents(db)
    members = _members(db)
    linked_ids = set(members[members["ev_source"] == DOC]["ev_id"])
    assert not linked_ids & {"far", "late", "others", "protest", "vague", "year"}
    why = inc.incident_why(f"{DOC}|others", f"ucdp-ged|{g['source_event_id']}", db=db)
    assert why["rules_now"]["actors"]["match"] == "none"
    assert not why["rules_now"]["linkable"]
    assert why["rules_now"]["date"]["ok"] and why["rules_now"]["place"]["ok"]


def test_month_precision_and_admin1_precision_can_link(
    template: tuple[Path, pd.DataFrame], db: Path
) -> None:
    g = _ged(template, 5)
    first = g["date_start"].date().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows = [
        _like(g, "month", date_start=first, date_end=last, date_prec=4),
        _like(g, "region", latitude=g["latitude"] + 0.9, where_prec=4),  # 100 km, admin-1
    ]
    _add(db, rows)
    inc.link_incidents(db)
    members = _members(db)
    assert {"month", "region"} <= set(members[members["ev_source"] == DOC]["ev_id"])


def test_same_source_family_is_never_linked(template: tuple[Path, pd.DataFrame], db: Path) -> None:
    g = _ged(template, 7)
    _add(db, [_like(g, "cand-1", source="ucdp-candidate")], source="ucdp-candidate")
    inc.link_incidents(db)
    members = _members(db)
    assert "ucdp-candidate" not in set(members["ev_source"])


def test_scope_limits_the_run(template: tuple[Path, pd.DataFrame], db: Path) -> None:
    done = inc.link_incidents(db, country="Central African Republic", since="2020-01-01")
    assert done["linked"] > 0
    with Store.open(db, read_only=True) as st:
        members = st.incident_members()
        days = st.query(
            "SELECT min(date_start) FROM events e JOIN incident_members m "
            "ON e.source = m.ev_source AND e.source_event_id = m.ev_id"
        ).iloc[0, 0]
    assert len(members) and days >= pd.Timestamp("2020-01-01") - pd.Timedelta(days=1)
    with pytest.raises(NotFound, match="Mali"):  # the store holds no events of Mali
        inc.link_incidents(db, country="Mali")


# -- analysts' decisions --------------------------------------------------------------------------
def test_unlink_is_kept_by_later_runs_and_logged(linked: Path, tmp_path: Path) -> None:
    path = tmp_path / "unlink.duckdb"
    shutil.copy(linked, path)
    members = _members(path)
    t = members[members["ev_source"] == DOC].iloc[0]
    key = f"{t['ev_source']}|{t['ev_id']}"
    done = inc.incident_unlink(key, reason="a different attack", by="amina", db=path)
    assert done["dissolved"]  # its incident had two records
    partner = f"{t['matched_source']}|{t['matched_id']}"
    inc.link_incidents(path)
    assert not inc.incident_why(key, partner, db=path)["same_incident"]
    inc.link_incidents(path)
    assert not inc.incident_why(key, partner, db=path)["same_incident"]
    log = _log(path)
    entry = log[log["action"] == "unlink"].iloc[0]
    assert (entry["who"], entry["reason"]) == ("amina", "a different attack")
    why = inc.incident_why(key, partner, db=path)
    assert why["separated_by_analyst"] and why["rules_now"]["linkable"]
    with pytest.raises(InputError, match="say why"):
        inc.incident_unlink(key, reason=" ", by="amina", db=path)


def test_manual_link_stays_and_lifts_a_separation(
    template: tuple[Path, pd.DataFrame], db: Path
) -> None:
    g = _ged(template, 9)
    _add(db, [_like(g, "elsewhere", latitude=g["latitude"] + 2.0)])
    a, b = f"ucdp-ged|{g['source_event_id']}", f"{DOC}|elsewhere"
    shown = inc.incident_link(a, b, reason="the paper misplaced the village", by="amina", db=db)
    assert len(shown["members"]) == 2 and set(shown["members"]["how"]) == {"manual"}
    inc.link_incidents(db)
    assert inc.incident_why(a, b, db=db)["same_incident"]
    inc.incident_unlink(b, reason="no, two events", by="moussa", db=db)
    assert inc.incident_why(a, b, db=db)["separated_by_analyst"]
    inc.incident_link(a, b, reason="yes after all", by="amina", db=db)
    assert not inc.incident_why(a, b, db=db)["separated_by_analyst"]
    actions = list(_log(db)["action"])
    assert actions.count("link") == 2 and actions.count("unlink") == 1


def test_analyst_chooses_whose_figure_counts(linked: Path, tmp_path: Path) -> None:
    path = tmp_path / "count.duckdb"
    shutil.copy(linked, path)
    members = _members(path)
    t = members[members["ev_source"] == DOC].iloc[0]
    key = f"{t['ev_source']}|{t['ev_id']}"
    shown = inc.incident_count(
        int(t["incident_id"]), key, reason="GED lumps two days", by="amina", db=path
    )
    side = shown["members"]
    assert side.iloc[0]["ev_source"] == DOC and bool(side.iloc[0]["counted"])
    assert "amina" in shown["counted_because"]
    inc.link_incidents(path)  # the linker keeps the analyst's choice
    assert inc.incident_show(key, db=path)["members"].iloc[0]["ev_source"] == DOC
    back = inc.incident_count(
        int(t["incident_id"]), None, reason="back to GED", by="amina", db=path
    )
    assert back["members"].iloc[0]["ev_source"] == "ucdp-ged"
    with pytest.raises(InputError, match="not a member"):
        inc.incident_count(int(t["incident_id"]), "ucdp-ged|1", reason="x", by="a", db=path)


def test_errors_name_what_is_wrong(linked: Path) -> None:
    with pytest.raises(NotFound, match="no incident 999999"):
        inc.incident_show(999999, db=linked)
    with pytest.raises(NotFound, match="not linked"):
        inc.incident_show("ucdp-ged|no-such", db=linked)
    with pytest.raises(NotFound, match="no event"):
        inc.incident_why("ucdp-ged|no-such", "acled|x", db=linked)


def test_counts_leave_out_the_members_not_counted(
    template: tuple[Path, pd.DataFrame], linked: Path
) -> None:
    members = _members(linked)
    hidden = members[~members["counted"]]
    stats = aw.stats(linked, by=["source"]).set_index("source")
    before = aw.stats(template[0], by=["source"]).set_index("source")
    left = int(stats["events"].get("text", 0))
    assert left == before.loc["text", "events"] - len(hidden)
    assert stats.loc["ucdp-ged", "deaths_best"] == before.loc["ucdp-ged", "deaths_best"]
    # a linked record is still a stored one: naming its source is no error
    shown = aw.events(linked, source="text", limit=None)
    assert not set(shown["source_event_id"]) & set(hidden["ev_id"])
    with Store.open(linked, read_only=True) as st, Store.open(template[0], read_only=True) as t:
        series, plain = st.state_based_country_months(), t.state_based_country_months()
        listed = st.count_events(aw.store.EventFilter())
        assert listed == t.count_events(aw.store.EventFilter()) - len(hidden)
    text = aw.events(template[0], source="text", type_of_violence=1)
    gone = set(hidden["ev_id"])
    hidden_deaths = int(text[text["source_event_id"].isin(gone)]["best"].sum())
    assert int(series["best"].sum()) == int(plain["best"].sum()) - hidden_deaths


def test_unlink_takes_the_record_out_of_the_incident_for_good(
    template: tuple[Path, pd.DataFrame], db: Path
) -> None:
    """An unlinked record is not part of its incident: not joined again with any of its
    members — those of the time of the unlink and those that join it later — and
    ``incidents why`` says who separated them, when and why."""
    g = _ged(template, 5)
    ged = f"ucdp-ged|{g['source_event_id']}"
    _add(db, [_like(g, "acled-1", source="acled")], source="acled")
    _add(db, [_like(g, "three-1", best=9)])
    inc.link_incidents(db)
    text, acled = f"{DOC}|three-1", "acled|acled-1"
    shown = inc.incident_show(text, db=db)
    assert set(shown["members"]["ev_source"]) == {"ucdp-ged", "acled", DOC}
    first = int(shown["incident_id"])
    inc.incident_unlink(text, reason="a different attack", by="amina", db=db)
    assert inc.link_incidents(db)["linked"] == 0
    for other in (ged, acled):
        why = inc.incident_why(text, other, db=db)
        assert not why["same_incident"] and why["separated_by_analyst"]
        assert why["separation"]["by"] == "amina"
        assert why["separation"]["reason"] == "a different attack"
        assert why["rules_now"]["linkable"]  # the rules would link them: the analyst decided
    assert why["unlinks"] == [
        {
            "event": text,
            "incident_id": first,
            "by": "amina",
            "at": why["unlinks"][0]["at"],
            "reason": "a different attack",
        }
    ]
    # a record that joins the incident later is separated from the unlinked one too
    _add(db, [_like(g, "acled-2", source="acled")], source="acled")
    done = inc.link_incidents(db)
    assert inc.incident_show("acled|acled-2", db=db)["incident_id"] == first
    later = inc.incident_why(text, "acled|acled-2", db=db)
    assert later["separated_by_analyst"] and later["separation"]["by"] == "amina"
    assert inc.event_incident(text, db=db)["incident_id"] is None
    again = inc.link_incidents(db)  # nothing left to change
    assert (again["linked"], again["unlinked"]) == (0, 0) and done["linked"] == 1
    # an analyst who links it back lifts its separations from the incident's members
    inc.incident_link(ged, text, reason="the same after all", by="moussa", db=db)
    for other in (acled, "acled|acled-2"):
        assert not inc.incident_why(text, other, db=db)["separated_by_analyst"]
    assert inc.incident_show(text, db=db)["incident_id"] == first
