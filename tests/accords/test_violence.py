"""Links to violence, timeline and accord health — on the real events and series in the store."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

import accordwatch.accords as ac
from accordwatch.store import Store


def _one(store: Store, query: str, params: list | None = None) -> tuple:
    """The first row of a check query the test computes on its own."""
    return tuple(store.query(query, params).iloc[0])


def test_violations_car_2019_against_direct_count(adb: Path) -> None:
    # Political Agreement for Peace and Reconciliation in the CAR (6 Feb 2019), real GED 23.1
    # events.
    v = ac.violations(1641, db=adb)
    assert v.date_start.min().date() >= dt.date(2019, 2, 6)
    parties = ac.show_agreement(1641, adb)["parties"]
    ids = sorted(
        {
            int(p["ucdp_actor_id"])
            for p in parties
            if p["role"] != "third-party" and p["ucdp_actor_id"]
        }
    )
    with Store.open(adb) as store:
        n = _one(
            store,
            "SELECT count(*) FROM events WHERE date_start >= DATE '2019-02-06' AND "
            "(side_a_new_id IN (SELECT unnest(?::BIGINT[])) "
            "OR side_b_new_id IN (SELECT unnest(?::BIGINT[])))",
            [ids, ids],
        )[0]
    assert len(v) == n > 0
    between = v[v.relation == "between signatories"]
    assert (
        len(between) > 0 and between.signatory_a.notna().all() and between.signatory_b.notna().all()
    )
    assert (v[v.relation == "signatory vs civilians"].type_of_violence == 3).all()


def test_provision_events_by_party(adb: Path, tmp_path: Path) -> None:
    spec = tmp_path / "car.yaml"
    spec.write_text(
        "agreement: 1641\nprovisions:\n"
        "  - {id: car.t1, level: title, title: Security, theme: defence-security, source: test}\n"
        "  - {id: car.t1.gov, level: commitment, parent: car.t1,"
        " title: Government forces commitment,"
        " parties: Government of Central African Republic; Nobody Known, source: test}\n"
    )
    ac.load_provisions(spec, db=adb)
    ev = ac.provision_events("car.t1.gov", db=adb)
    assert ev.attrs["unmatched_parties"] == ["Nobody Known"]
    assert ((ev.side_a_new_id == 86) | (ev.side_b_new_id == 86)).all()
    assert ev.date_start.min().date() >= dt.date(2019, 2, 6)
    with Store.open(adb) as store:
        n = _one(
            store,
            "SELECT count(*) FROM events WHERE date_start >= DATE '2019-02-06' "
            "AND (side_a_new_id = 86 OR side_b_new_id = 86)",
        )[0]
    assert len(ev) == n


def test_events_near_a_point_match_haversine(adb: Path) -> None:
    # Bangui, taken from the coordinates GED itself uses for the capital's events.
    with Store.open(adb) as store:
        lat, lon = _one(
            store,
            "SELECT latitude, longitude FROM events "
            "WHERE where_coordinates ILIKE 'Bangui%' LIMIT 1",
        )
        near = store.select_events_near(
            points=[("Bangui", lat, lon)],
            radius_km=30,
            columns=["latitude", "longitude", "source_event_id"],
        )
        allev = store.query("SELECT latitude, longitude FROM events")

    def km(a: float, b: float) -> float:
        p1, p2, dl = math.radians(lat), math.radians(a), math.radians(b - lon)
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 6371.0 * 2 * math.asin(math.sqrt(h))

    expected = sum(km(a, b) <= 30 for a, b in zip(allev.latitude, allev.longitude, strict=True))
    assert len(near) == expected > 0
    assert (near.near_place == "Bangui").all()


def test_mali_places_resolve() -> None:
    from accordwatch.accords._links import resolve_places

    points, skipped = resolve_places(["Kidal", "Ber", "Taoudenit", "Nowhere-at-all"])
    assert [p[0] for p in points] == ["Kidal", "Ber"]
    assert skipped == ["Taoudenit", "Nowhere-at-all"]
    assert points[0][1] == pytest.approx(18.44, abs=0.05)


def test_mali_timeline_with_monthly_fatalities(adb: Path) -> None:
    tl = ac.timeline(30, db=adb).set_index("month")
    assert tl.loc[dt.date(2015, 5, 1), "milestone_kinds"] == "signature"
    assert "agreement_signed" in tl.loc[dt.date(2015, 6, 1), "milestone_kinds"]
    assert "termination" in tl.loc[dt.date(2024, 1, 1), "milestone_kinds"]
    with Store.open(adb) as store:
        june = _one(
            store,
            "SELECT ged_sb FROM country_month WHERE gwcode = 432 AND year = 2015 AND month = 6",
        )[0]
    assert tl.loc[dt.date(2015, 6, 1), "fatalities"] == june
    assert tl.fatalities_source.iloc[0] == "views"
    assert math.isnan(tl.loc[dt.date(2023, 8, 1), "fatalities"])  # VIEWS series ends in 2022
    by_country = ac.timeline(country="Mali", db=adb)
    assert (
        by_country.milestone_kinds.str.contains("agreement_signed").sum() >= 5
    )  # 1991 … 2015 signatures


def test_health_status_and_index(adb: Path, data: Path) -> None:
    ac.import_assessments(data / "assessments_good.csv", db=adb)
    h = ac.health(30, db=adb).set_index("month")
    assert h.index[0] == dt.date(2015, 6, 1) and h.index[-1] == dt.date(2024, 1, 1)
    assert h.loc[dt.date(2024, 1, 1), "status"] == "terminated"
    assert h.loc[dt.date(2015, 7, 1), "index"] == 100.0
    assert h.loc[dt.date(2019, 6, 1), "reversed_or_suspended"] == 1
    assert h.loc[dt.date(2019, 6, 1), "status"] == "strained"
    monthly = ac.implementation_index(30, db=adb, freq="M", until="2020-12-31").set_index("date")
    assert h.loc[dt.date(2018, 3, 1), "index"] == monthly.loc[dt.date(2018, 3, 31), "index"]
    assert set(h.status) <= {"advancing", "stalled", "strained", "terminated"}
