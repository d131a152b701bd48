"""The pages (web/_pages.py) through FastAPI's TestClient on a copy of the seeded store:
every page answers a viewer, output is escaped, forms carry the CSRF field, a viewer's
write is refused, an analyst's is done and audited; and the data behind the first screen
and the explorer agree with ``accordwatch.stats``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: the password of the accounts tests/web/conftest.py makes (ada, ana, vic)
PASSWORD = "a long enough password"

#: a sentence of our own for the review queue, with markup that must never reach a page raw
SCRIPT_SENTENCE = (
    "Le 20 avril 2024, des hommes armés ont tué 3 civils à Gao <script>alert('x')</script>."
)
JNIM_SENTENCE = (
    "Le 3 mars 2024, des combattants du JNIM ont attaqué un poste de l'armée à Ber, "
    "faisant 4 morts."
)

#: every page a viewer can open on the seeded store
PAGES = [
    "/",
    "/?country=CAF",
    "/?country=Central%20African%20Republic&months=12&until=2021-06",
    "/?country=CAF&months=3&until=",
    "/events",
    "/events?country=CAF&since=2020&type=1",
    "/events?country=Mali&source=text",
    "/events?country=CAF&page=2",
    "/actors/CMA",
    "/actors/FPRC",
    "/places/Ber",
    "/places/Bangui",
    "/agreements",
    "/agreements?country=Mali",
    "/agreements/30",
    "/review",
    "/review?status=all",
    "/review/1",
    "/briefing",
    "/digest",
]


def _login(client: Any, name: str) -> None:
    client.get("/login")
    token = client.cookies.get("csrftoken")
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "next": "/", "csrftoken": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]


def _client(path: Path) -> Any:
    from fastapi.testclient import TestClient

    from accordwatch.web import create_app

    return TestClient(create_app(path), raise_server_exceptions=False)


def _queue(db: Path, sentence: str, published: str) -> int:
    import accordwatch as aw
    from accordwatch.extract import extract_text

    ids = aw.queue_extraction(extract_text(sentence, published=published), db=db)
    assert ids, f"the extractor found no event in {sentence!r}"
    return ids[0]


@pytest.fixture(scope="module")
def queued(web_store: Any) -> Any:
    """The module's web store with two candidates of our own in the review queue."""
    _queue(web_store.path, JNIM_SENTENCE, "2024-03-05")
    _queue(web_store.path, SCRIPT_SENTENCE, "2024-04-22")
    return web_store


@pytest.fixture(scope="module")
def viewer(queued: Any) -> Iterator[Any]:
    """A client logged in as the viewer ``vic``, on the store with queued candidates."""
    with _client(queued.path) as client:
        _login(client, "vic")
        yield client


@pytest.fixture
def analyst(fresh_store: Any) -> Iterator[Any]:
    """A client logged in as the analyst ``ana`` on a store of the test's own."""
    with _client(fresh_store.path) as client:
        _login(client, "ana")
        client.store = fresh_store  # type: ignore[attr-defined]
        yield client


def _pending(client: Any) -> list[int]:
    html = client.get("/review?status=pending").text
    return sorted({int(m) for m in re.findall(r'href="/review/(\d+)"', html)})


# -- every page -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_a_viewer(viewer: Any, path: str) -> None:
    r = viewer.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<title>" in html and "vic" in html  # the page, for this user
    # no asset from another site: every src/href is on this server (or an anchor)
    for url in re.findall(r'(?:src|action)="([^"]*)"', html):
        assert url.startswith("/"), url
    assert "cdn" not in html.lower()


def test_a_page_with_charts_loads_the_bundle_from_this_server(viewer: Any) -> None:
    html = viewer.get("/?country=CAF").text
    src = re.search(r'<script type="module" src="(/assets/vega-[^"]+\.js)"', html)
    assert src is not None
    r = viewer.get(src.group(1))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert "immutable" in r.headers["cache-control"]
    assert "window.vegaEmbed" in r.text
    assert viewer.get("/assets/vega-0.0-0.0.js").status_code == 404
    specs = re.findall(r'<script type="application/json" id="spec-([a-z-]+)">', html)
    assert specs == ["change"]


def _anonymous(client: Any) -> Any:
    """A client without cookies on the same running app (its store already owned)."""
    from fastapi.testclient import TestClient

    return TestClient(client.app, raise_server_exceptions=False)


def test_pages_need_a_login(viewer: Any) -> None:
    anonymous = _anonymous(viewer)
    for path in ("/", "/events?country=CAF", "/review/1", "/agreements/30"):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=/"), path


def test_anonymous_reading_when_the_operator_allows_it(viewer: Any) -> None:
    anonymous = _anonymous(viewer)
    viewer.app.state.anonymous_read = True
    try:
        r = anonymous.get("/agreements/30")
        assert r.status_code == 200
        assert "Record the assessment" not in r.text  # reading only
        assert "Log in" in r.text
        pending = _pending(viewer)
        anonymous.get("/login")
        token = anonymous.cookies.get("csrftoken")
        r = anonymous.post(
            f"/review/{pending[0]}/reject",
            data={"reason": "x", "csrftoken": token},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert _pending(viewer) == pending  # nothing was decided
    finally:
        viewer.app.state.anonymous_read = False


def test_unknown_things_are_404_pages_that_say_what_to_do(viewer: Any) -> None:
    r = viewer.get("/actors/Nobody%20At%20All")
    assert r.status_code == 404
    assert "no actor" in r.text.lower() or "unknown actor" in r.text.lower()
    assert viewer.get("/agreements/999999").status_code == 404
    assert viewer.get("/review/999999").status_code == 404
    assert viewer.get("/?country=Atlantis").status_code == 404
    r = viewer.get("/events?country=Atlantis")
    assert r.status_code == 404
    assert 'role="alert"' in r.text and "Atlantis" in r.text  # the form is shown again
    r = viewer.get("/events?since=yesterday&min_deaths=&region=")
    assert r.status_code == 400 and "is not a date" in r.text
    assert viewer.get("/events?since=&min_deaths=&actor=&type=").status_code == 200
    assert viewer.get("/events?min_deaths=many").status_code == 400
    assert viewer.get("/?months=0").status_code == 422
    assert viewer.get("/?until=soon").status_code == 400
    assert viewer.get("/events?page=0").status_code == 422
    assert viewer.get("/events?after=garbage").status_code == 400


# -- escaping and forms ---------------------------------------------------------------------
def test_markup_in_a_candidate_is_shown_escaped(viewer: Any) -> None:
    ids = _pending(viewer)
    pages = [viewer.get(f"/review/{i}").text for i in ids]
    page = next(p for p in pages if "alert(" in p)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page
    assert '<mark class="evidence">' in page  # the evidence is marked …
    assert re.search(r'<mark class="place">\s*Gao\s*</mark>', page)  # … and its place
    queue = viewer.get("/review").text
    assert "<script>alert" not in queue and "&lt;script&gt;" in queue


def test_a_reviewed_event_with_markup_is_shown_escaped(fresh_store: Any) -> None:
    cid = _queue(fresh_store.path, SCRIPT_SENTENCE, "2024-04-22")
    with _client(fresh_store.path) as client:
        _login(client, "ana")
        token = client.cookies.get("csrftoken")
        r = client.post(
            f"/review/{cid}/accept",
            data={"not_duplicate": "true", "csrftoken": token},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].endswith("done=accepted")
        for path in ("/events?country=Mali&source=text", f"/review/{cid}", "/digest"):
            page = client.get(path).text
            assert "<script>alert" not in page, path
        events = client.get("/events?country=Mali&source=text").text
        assert "&lt;script&gt;alert(" in events  # the reviewed event's evidence, escaped


def test_post_forms_carry_the_csrf_field(analyst: Any) -> None:
    pages = ["/agreements/30", "/review/1", "/", "/events"]
    ids = _pending(analyst)
    pages += [f"/review/{i}" for i in ids]
    seen = 0
    for path in pages:
        html = analyst.get(path).text
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S):
            seen += 1
            assert 'name="csrftoken"' in form, form[:200]
    assert seen >= 2  # at least log out and the assessment form


def test_a_post_without_the_csrf_token_is_refused(analyst: Any) -> None:
    r = analyst.post(
        "/agreements/30/assessments",
        data={
            "provision_id": "mali2015.t3.moc",
            "score": "1",
            "date": "2017-12-31",
            "evidence": "joint patrols in Gao only",
        },
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert (
        "assessment" not in analyst.get("/agreements/30").text.split("Assessment history")[1][:20]
    )


def test_a_viewers_writes_are_refused(viewer: Any) -> None:
    token = viewer.cookies.get("csrftoken")
    ids = _pending(viewer)
    assert ids
    attempts = [
        (
            "/agreements/30/assessments",
            {
                "provision_id": "mali2015.t3.moc",
                "score": "2",
                "date": "2018-12-31",
                "evidence": "x",
            },
        ),
        (f"/review/{ids[0]}/accept", {}),
        (f"/review/{ids[0]}/reject", {"reason": "not news"}),
        (f"/review/{ids[0]}/edit", {"place": "Gao"}),
    ]
    for path, form in attempts:
        r = viewer.post(path, data={**form, "csrftoken": token}, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
        assert "needs the role" in r.text or "analyst" in r.text
    assert _pending(viewer) == ids  # nothing was decided
    page = viewer.get("/agreements/30").text
    assert "Assessment history (0)" in page
    assert "Analysts record assessments" in page  # no form for a viewer
    assert "Analysts decide" in viewer.get(f"/review/{ids[0]}").text


# -- an analyst's writes --------------------------------------------------------------------
def _audit(path: Path) -> list[dict[str, Any]]:
    from accordwatch._app import users

    rows: list[dict[str, Any]] = users.audit_entries(db=path)
    return rows


def test_an_analyst_records_an_assessment_and_it_is_audited(analyst: Any) -> None:
    token = analyst.cookies.get("csrftoken")
    form = {
        "provision_id": "mali2015.t3.moc",
        "score": "1",
        "date": "2017-12-31",
        "evidence": "Joint patrols began in Gao only <b>bold?</b>",
        "source_url": "https://example.org/report",
        "csrftoken": token,
    }
    r = analyst.post("/agreements/30/assessments", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/agreements/30?recorded=")
    page = analyst.get(r.headers["location"]).text
    assert "Assessment history (1)" in page and "recorded" in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page and "<b>bold?" not in page
    assert 'id="spec-index"' in page  # the index chart, now that there is an assessment
    # the same assessment twice is refused, shown on the form, and not recorded
    again = analyst.post("/agreements/30/assessments", data=form, follow_redirects=False)
    assert again.status_code == 400
    assert 'role="alert"' in again.text and "Assessment history (1)" in again.text
    # a score that is not one is refused before anything is written
    bad = analyst.post(
        "/agreements/30/assessments", data={**form, "score": "7"}, follow_redirects=False
    )
    assert bad.status_code == 422
    analyst.close()  # the app lets the store go
    entries = [e for e in _audit(analyst.store.path) if e["action"] == "assessment.add"]
    assert len(entries) == 1
    assert entries[0]["user"] == "ana" and entries[0]["target"] == "provision:mali2015.t3.moc"
    assert entries[0]["before"] is None and entries[0]["after"]["score"] in (1, "1")


def test_an_analyst_decides_candidates_and_each_decision_is_audited(
    fresh_store: Any,
) -> None:
    import accordwatch as aw

    jnim = _queue(fresh_store.path, JNIM_SENTENCE, "2024-03-05")
    script = _queue(fresh_store.path, SCRIPT_SENTENCE, "2024-04-22")
    with _client(fresh_store.path) as client:
        _login(client, "ana")
        token = client.cookies.get("csrftoken")
        page = client.get(f"/review/{jnim}").text
        assert re.search(r'<mark class="actor">\s*JNIM\s*</mark>', page)
        first_screen = "/?country=Mali&months=1&until=2024-03"
        assert '"place": "Ber"' not in client.get(first_screen).text
        r = client.post(f"/review/{jnim}/accept", data={"csrftoken": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/review/{jnim}?done=accepted"
        assert "the event is stored" in client.get(r.headers["location"]).text
        assert '"place": "Ber"' in client.get(first_screen).text  # on the map at once
        # editing, then a refusal that is shown on the page (a reason is needed) …
        r = client.post(
            f"/review/{script}/edit",
            data={"fatalities": "5", "csrftoken": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        r = client.post(f"/review/{script}/edit", data={"fatalities": "many", "csrftoken": token})
        assert r.status_code == 400 and "whole number" in r.text
        r = client.post(f"/review/{script}/reject", data={"reason": "", "csrftoken": token})
        assert r.status_code == 422
        r = client.post(
            f"/review/{script}/reject",
            data={"reason": "a test sentence", "csrftoken": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        # … and a decided candidate cannot be decided again
        r = client.post(f"/review/{script}/accept", data={"csrftoken": token})
        assert r.status_code == 400 and "already rejected" in r.text
        events = client.get("/events?country=Mali&source=text").text
        assert "JNIM" in events or "Nusrat" in events
    assert aw.review_show(jnim, db=fresh_store.path)["status"] == "accepted"
    rejected = aw.review_show(script, db=fresh_store.path)
    assert rejected["status"] == "rejected" and rejected["fatalities"] == 5
    assert "by ana" in rejected["log"][-1]["detail"]
    actions = [(e["action"], e["target"]) for e in _audit(fresh_store.path)]
    assert ("review.accept", f"candidate:{jnim}") in actions
    assert ("review.edit", f"candidate:{script}") in actions
    assert ("review.reject", f"candidate:{script}") in actions
    edit = next(e for e in _audit(fresh_store.path) if e["action"] == "review.edit")
    assert edit["before"]["fatalities"] != 5 and edit["after"]["fatalities"] == 5


def test_a_duplicate_is_shown_beside_the_stored_event(fresh_store: Any) -> None:
    sentence = (
        "En août 2023, de violents affrontements ont opposé la CMA et l'armée malienne "
        "près de Ber, faisant 12 morts."
    )
    cid = _queue(fresh_store.path, sentence, "2023-10-05")
    with _client(fresh_store.path) as client:
        _login(client, "ana")
        page = client.get(f"/review/{cid}").text
        assert "Looks like a stored event" in page
        assert "text:doc-3880c9e3a48f|" in page  # the seeded event it duplicates
        assert 'name="not_duplicate"' in page


# -- briefing and digest --------------------------------------------------------------------
def test_the_briefing_form_hands_over_to_the_api(viewer: Any) -> None:
    r = viewer.get(
        "/briefing/download?country=Central African Republic&lang=fr&format=pdf&since=2022",
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == (
        "/api/briefings/Central%20African%20Republic?format=pdf&lang=fr&download=true&since=2022"
    )
    assert viewer.get("/briefing/download?country=", follow_redirects=False).status_code == 422
    form = viewer.get("/briefing").text
    assert 'action="/briefing/download"' in form and 'name="lang"' in form


def test_the_digest_page_does_not_move_the_mark(fresh_store: Any) -> None:
    from accordwatch._app.digest import digest_history

    before = digest_history(fresh_store.path)
    with _client(fresh_store.path) as client:
        _login(client, "vic")
        for _ in range(2):
            page = client.get("/digest")
            assert page.status_code == 200
            assert 'href="/api/digest.atom"' in page.text and "<h1>" in page.text
    assert digest_history(fresh_store.path) == before


# -- the data behind the pages --------------------------------------------------------------
def test_the_change_by_region_adds_up_to_the_stats(seeded_db: Path) -> None:
    import accordwatch as aw
    from accordwatch.web import _pages_data as data

    ov = data.overview("CAF", months=6, until="2021-12", db=seeded_db)
    assert ov["period"] == ("2021-07-01", "2021-12-31")
    assert ov["previous"] == ("2021-01-01", "2021-06-30")
    now = aw.stats(seeded_db, by=["source"], country="CAF", since="2021-07", until="2021-12")
    before = aw.stats(seeded_db, by=["source"], country="CAF", since="2021-01", until="2021-06")
    assert ov["totals"]["now"] == float(now["deaths_best"].sum())
    assert ov["totals"]["before"] == float(before["deaths_best"].sum())
    assert sum(r["change"] for r in ov["regions"]) == ov["change"]
    changes = [abs(r["change"]) for r in ov["regions"]]
    assert changes == sorted(changes, reverse=True)
    assert not ov["geometry"]  # no bundled outlines for the CAF: points at the regions
    assert all(r["lat"] is not None for r in ov["regions"] if r["events"])
    assert ov["accord"] is not None


def test_mali_without_counted_events_shows_outlines_and_the_series(seeded_db: Path) -> None:
    from accordwatch.web import _pages_charts as charts
    from accordwatch.web import _pages_data as data

    ov = data.overview("Mali", db=seeded_db)
    assert ov["source"] is None and ov["totals"]["now"] is not None
    assert len(ov["geometry"]["features"]) == 9
    assert all(r["change"] is None for r in ov["regions"])
    assert ov["accord"]["status"]["status"] == "terminated"
    assert ov["accord"]["milestones"][0]["date"] >= ov["accord"]["milestones"][-1]["date"]
    spec = charts.change_map(ov["regions"], ov["geometry"], ov["text_points"])
    assert spec is not None
    shapes = spec["layer"][0]
    assert shapes["mark"]["invalid"] == "show"  # regions not counted are drawn, grey
    assert len(shapes["data"]["values"]) == 9


def test_explorer_counts_pages_and_facets(seeded_db: Path) -> None:
    import accordwatch as aw
    from accordwatch.errors import InputError
    from accordwatch.web import _pages_data as data

    flt = {"country": ["CAF"], "since": "2020"}
    first = data.explorer(flt, per_page=20, db=seeded_db)
    second = data.explorer(flt, after=first["next"], per_page=20, db=seeded_db)
    stats = aw.stats(seeded_db, by=["source"], country="CAF", since="2020")
    total = int(stats["events"].sum())
    assert first["total"] == second["total"] == total
    assert first["deaths"] == float(stats["deaths_best"].sum())
    newest = aw.event_records(seeded_db, country="CAF", since="2020", limit=40)
    shown = [r["event_id"] for r in first["rows"] + second["rows"]]
    assert shown == [r["source_event_id"] for r in newest]
    assert sum(f["events"] for f in first["facets"]["type"]) == total
    assert sum(t["events"] for t in first["timeline"]) == total
    assert sum(y["events"] for y in first["facets"]["year"]) == total
    assert first["facets"]["actor"] and not first["actor_facet_left_out"]
    assert len(first["points"]) > 0 and first["map_note"] == ""
    with pytest.raises(InputError, match="page link"):
        data.explorer(flt, after="not-a-cursor", db=seeded_db)


def test_highlight_cuts_text_into_marked_pieces() -> None:
    from accordwatch.web._pages_data import highlight

    text = "CMA and army clash at Ber"
    spans = [(0, 3, "actor"), (22, 25, "place"), (0, len(text), "evidence")]
    assert highlight(text, spans) == [
        ("CMA", "actor"),
        (" and army clash at ", "evidence"),
        ("Ber", "place"),
    ]
    assert highlight("abc", [(-5, 99, "x")]) == [("abc", "x")]
    assert highlight("", []) == []


def test_the_charts_are_valid_vega_lite(seeded_db: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from altair.vegalite.v6.schema.core import load_schema

    from accordwatch.web import _pages_charts as charts
    from accordwatch.web import _pages_data as data

    schema = load_schema()
    check = jsonschema.validators.validator_for(schema)(schema)
    specs = []
    for country in ("CAF", "Mali"):
        ov = data.overview(country, db=seeded_db)
        specs.append(charts.change_map(ov["regions"], ov["geometry"], ov["text_points"]))
    ex = data.explorer({"country": ["CAF"]}, db=seeded_db)
    specs.append(charts.timeline_chart(ex["timeline"]))
    for spec in specs:
        assert spec is not None
        assert not [e.message[:200] for e in check.iter_errors(spec)]
    text = charts.spec_json({"description": "</script><b>&"})
    assert "<" not in text and ">" not in text and "&" not in text


def test_the_pages_show_what_they_are_for(viewer: Any) -> None:
    """The parts the issue lists, page by page: the explorer's filters, facets, map and
    timeline; an actor's aliases, lineage, dyads and events; a place's region; an
    agreement's provisions tree, assessment history and implementation index over time; the
    first screen's map of change, alerts, the accord's status and its milestones."""
    explorer = viewer.get("/events?country=CAF&since=2020").text
    for part in ('id="f-country"', 'id="f-type"', 'id="h-map"', 'id="h-timeline"', 'id="table"'):
        assert part in explorer, part
    assert "Facet" in explorer or "facet" in explorer
    cma = viewer.get("/actors/CMA").text
    assert 'id="h-aliases"' in cma and 'id="h-lineage"' in cma
    assert "Coordination des mouvements de l" in cma and "<ol>" in cma  # its lineage listed
    fprc = viewer.get("/actors/FPRC").text
    assert "<h3>Dyads</h3>" in fprc and "Latest events" in fprc
    assert 'id="h-region"' in viewer.get("/places/Bangui").text
    accord = viewer.get("/agreements/30").text
    for part in ('id="h-tree"', 'id="h-history"', 'id="h-index"'):  # the index's chart:
        assert part in accord, part  # from the first assessment (test_browser.py draws it)
    first = viewer.get("/").text
    for part in ('id="h-change"', 'id="h-alerts"', 'id="h-accord"', "Latest milestones"):
        assert part in first, part
    assert 'id="chart-change"' in first
