"""The web app in a real browser: Playwright driving Debian's Chromium against a uvicorn
server on 127.0.0.1 (tests/web/conftest.py ``live_server``).

An analyst logs in, filters the events and opens the map, accepts an event extracted from
a sentence of our own, records an assessment; an admin sees both in the audit log; a
viewer's attempt to write is refused.  Every request the browser makes is recorded: none
may leave 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: the password of the accounts tests/web/conftest.py makes (ada, ana, vic)
PASSWORD = "a long enough password"
SENTENCE = (
    "Le 3 mars 2024, des combattants du JNIM ont attaqué un poste de l'armée à Ber, "
    "faisant 4 morts."
)
#: a chart is drawn (or has failed) once its element carries one of these
_CHARTS_DONE = (
    "() => [...document.querySelectorAll('[data-spec]')]"
    ".every(e => e.dataset.rendered || e.dataset.failed)"
)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to drive the web app")
    sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def candidate(fresh_store: Any) -> int:
    """A candidate of our own in the review queue of the test's store (before the server
    owns it)."""
    import accordwatch as aw
    from accordwatch.extract import extract_text

    ids = aw.queue_extraction(extract_text(SENTENCE, published="2024-03-05"), db=fresh_store.path)
    assert len(ids) == 1
    return ids[0]


class Browser:
    """One browser context on the live server, with every request it made."""

    def __init__(self, chromium: Any, url: str, *, width: int = 1280) -> None:
        self.url = url
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context = chromium.new_context(viewport={"width": width, "height": 900})
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        response = self.page.goto(self.url + path)
        self.page.wait_for_function(_CHARTS_DONE, timeout=30_000)
        return response

    def login(self, name: str) -> None:
        self.go("/login")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("form[action='/login'] button[type=submit]")
        assert name in self.page.inner_text("header")

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.click("form[action='/logout'] button")

    def outside(self) -> list[str]:
        """Requests to anywhere but the server (127.0.0.1)."""
        return [
            u for u in self.requests if urlsplit(u).hostname != "127.0.0.1" or u.startswith("//")
        ]

    def close(self) -> None:
        self.context.close()


def test_review_assess_audit_and_a_viewer_refused(
    chromium: Any, candidate: int, live_server: Any
) -> None:
    assert urlsplit(live_server.url).hostname == "127.0.0.1"
    b = Browser(chromium, live_server.url)
    try:
        # an analyst logs in and filters the events
        b.login("ana")
        b.go("/events")
        b.page.fill("#f-country", "CAF")
        b.page.fill("#f-since", "2021")
        b.page.select_option("#f-type", "1")
        with b.page.expect_navigation():
            b.page.click("form.filters button[type=submit]")
        b.page.wait_for_function(_CHARTS_DONE, timeout=30_000)
        assert re.search(r"[\d,]+ events", b.page.inner_text("#h-found"))
        assert "country=CAF" in b.page.url and "type=1" in b.page.url
        # … and opens the map: drawn, a mark per place, a place's numbers under the pointer
        b.page.click("a[href='#map']")
        chart = b.page.locator("#chart-map")
        assert chart.get_attribute("data-rendered") == "1"
        points = chart.locator("svg .point-marks path")
        assert points.count() > 10
        chart.scroll_into_view_if_needed()
        box = points.last.bounding_box()  # the last drawn: on top of the others
        assert box is not None
        b.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tip = b.page.locator("#vg-tooltip-element")
        tip.wait_for(state="visible", timeout=5_000)
        assert "Deaths" in tip.inner_text()
        assert b.page.locator("#table tbody tr").count() > 0

        # accepts the extracted event
        b.go("/review")
        with b.page.expect_navigation():
            b.page.click(f"a[href='/review/{candidate}']")
        assert b.page.locator("mark.evidence").count() >= 1
        assert "JNIM" in b.page.inner_text("#document")
        with b.page.expect_navigation():
            b.page.click(f"form[action='/review/{candidate}/accept'] button")
        assert "the event is stored" in b.page.inner_text("main")
        assert "accepted" in b.page.inner_text("h1")

        # records an assessment
        b.go("/agreements/30")
        b.page.select_option("#a-provision", "mali2015.t3.moc")
        b.page.select_option("#a-score", "1")
        b.page.fill("#a-date", "2017-12-31")
        b.page.fill("#a-evidence", "Joint patrols began in Gao only.")
        with b.page.expect_navigation():
            b.page.click("form[action='/agreements/30/assessments'] button[type=submit]")
        b.page.wait_for_function(_CHARTS_DONE, timeout=30_000)
        assert "recorded" in b.page.inner_text("main")
        assert "Joint patrols began in Gao only." in b.page.inner_text("#history")
        assert b.page.locator("#chart-index").get_attribute("data-rendered") == "1"
        b.logout()

        # an admin sees both in the audit log
        b.login("ada")
        b.go("/admin/audit")
        log = b.page.inner_text("main")
        assert "review.accept" in log and f"candidate:{candidate}" in log
        assert "assessment.add" in log and "provision:mali2015.t3.moc" in log
        b.logout()

        # a viewer sees no form, and a write sent anyway is refused
        b.login("vic")
        b.go("/agreements/30")
        assert b.page.locator("form[action='/agreements/30/assessments']").count() == 0
        assert "Analysts record assessments" in b.page.inner_text("#assess")
        token = next(c["value"] for c in b.context.cookies() if c["name"] == "csrftoken")
        refused = b.page.evaluate(
            """async (token) => {
                const body = new URLSearchParams({provision_id: "mali2015.t3.moc", score: "2",
                    date: "2018-12-31", evidence: "from a viewer", csrftoken: token});
                const r = await fetch("/agreements/30/assessments", {method: "POST", body});
                return r.status;
            }""",
            token,
        )
        assert refused == 403
        b.go("/agreements/30")
        assert "from a viewer" not in b.page.inner_text("#history")
        assert b.errors == []
        assert b.requests and b.outside() == []
    finally:
        b.close()


def test_the_first_screen_on_a_phone(chromium: Any, live_server: Any) -> None:
    b = Browser(chromium, live_server.url, width=390)
    try:
        b.login("vic")
        for path in ("/", "/?country=CAF", "/events?country=CAF&since=2022", "/agreements/30"):
            b.go(path)
            for chart in b.page.locator("[data-spec]").all():
                assert chart.get_attribute("data-rendered") == "1", path
            # nothing wider than the phone: no sideways scrolling of the page
            assert b.page.evaluate("document.documentElement.scrollWidth") <= 390, path
        b.go("/")
        names = b.page.locator("#chart-change svg text").evaluate_all(
            "els => els.map(e => e.textContent)"
        )
        assert {"Kidal", "Gao", "Timbuktu"} <= set(names)  # region names on the map
        assert b.errors == []
        assert b.outside() == []
    finally:
        b.close()
