"""The rendered briefing, looked at as a person would: the HTML page opened in headless
Chromium (no network request, every chart drawn, region names on the map, tables behind the
charts, tooltips, zoom, a phone-width page that does not overflow) and the PDF's pages drawn
to PNG by pdftoppm (not blank, the provenance footer on every page).

One browser per module; the briefings are gathered once per session (conftest.py).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from accordwatch.brief._html import render_html
from accordwatch.brief._map import MAX_POINTS, STATIC_POINTS, map_spec, wound_clockwise
from accordwatch.brief._model import Accord, Briefing, EarlyWarning, MapData, Timeline
from accordwatch.brief._pdf import write_pdf

CHROMIUM = Path("/usr/bin/chromium")
LOCAL = ("file:", "data:", "about:", "blob:")
ASSESSMENTS = Path(__file__).parents[1] / "data" / "accords" / "assessments_good.csv"
SECTIONS = ["headline", "map", "timeline", "who", "accord", "warning", "key_events", "sources"]


# -- the pages ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def caf_page(caf_briefing: Briefing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "caf.html"
    path.write_text(render_html(caf_briefing), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mali_page(mali_briefing: Briefing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "mali.html"
    path.write_text(render_html(mali_briefing), encoding="utf-8")
    return path


def _emptied(b: Briefing) -> Briefing:
    """The CAF briefing with the timeline, the accord and the early warning without data, and
    a place name that tries to close the page's scripts."""
    out = copy.deepcopy(b)
    out.timeline = Timeline(title="Timeline", empty="No monthly deaths in this period.")
    out.accord = Accord(title="The accord", empty="No peace agreement is in the store.")
    out.warning = EarlyWarning(title="Early warning", empty="No forecast: no series.")
    points = out.map.points.copy()
    points.loc[points.index[0], "place"] = "</script><script>window.pwned=1</script>"
    out.map.points = points
    return out


@pytest.fixture(scope="module")
def empty_page(caf_briefing: Briefing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "empty.html"
    path.write_text(render_html(_emptied(caf_briefing)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def accord_page(brief_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Mali 2016–2020 on a store with the test file of implementation assessments."""
    import accordwatch.accords as ac
    from accordwatch.brief import gather

    folder = tmp_path_factory.mktemp("assessed")
    store = folder / "store.duckdb"
    shutil.copy(brief_store, store)
    ac.import_assessments(ASSESSMENTS, db=store)
    b = gather("Mali", db=store, since="2016", until="2020", model="conflictology")
    path = folder / "mali-accord.html"
    path.write_text(render_html(b), encoding="utf-8")
    return path


# -- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to open the pages")
    sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


class Opened:
    """A page opened in Chromium, with every request it made and every script error."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    opened: list[Opened] = []

    def open_(path: Path, width: int = 1280) -> Opened:
        page = browser.new_page(viewport={"width": width, "height": 900})
        seen = Opened(page)
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.goto(path.as_uri())
        # Vega draws asynchronously: wait until every chart is drawn or has failed
        page.wait_for_function(
            "document.querySelectorAll('[data-spec]').length === "
            "document.querySelectorAll('[data-rendered], [data-failed]').length",
            timeout=30_000,
        )
        opened.append(seen)
        return seen

    yield open_
    for seen in opened:
        seen.page.close()


def _charts(page: Any) -> list[dict[str, Any]]:
    """Every chart container: id, whether it was drawn, its SVG's size and number of marks."""
    return list(
        page.eval_on_selector_all(
            "[data-spec]",
            """els => els.map(el => {
                const svg = el.querySelector('svg');
                const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                return {id: el.id, rendered: el.dataset.rendered === '1',
                        failed: el.dataset.failed === '1' ? el.textContent : null,
                        width: box.width, height: box.height,
                        marks: svg ? svg.querySelectorAll('path, text, line, rect').length : 0};
            })""",
        )
    )


# -- the HTML file itself -------------------------------------------------------------------


def test_the_page_is_one_self_contained_file(caf_page: Path) -> None:
    html = caf_page.read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < 3_000_000
    assert html.count("window.vegaEmbed=") == 1  # the Vega bundle once per page
    # nothing loaded from elsewhere: no external script, stylesheet, image, font or frame
    assert all("src=" not in attrs for attrs in re.findall(r"<script\b([^>]*)>", html))
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"<(img|iframe|source|video|audio|embed|object)\b", markup)
    assert not re.search(r"<link\b", markup)
    assert "@import" not in markup and "url(" not in markup
    assert re.match(r"<!doctype html>\s*<html lang=\"en\">", html)


def test_sections_come_in_order_and_every_chart_has_alt_text_and_a_table(
    caf_page: Path,
) -> None:
    html = caf_page.read_text(encoding="utf-8")
    order = re.findall(r'<section id="([a-z_]+)"', html)
    assert order == SECTIONS
    figures = re.findall(r'<figure class="chart-figure".*?</figure>', html, re.S)
    assert len(figures) >= 6
    for fig in figures:
        assert re.search(r'aria-label="[^"]{20,}"', fig), fig[:200]
        assert "<details" in fig and "<table>" in fig and "<td" in fig


def test_every_number_names_the_command_that_reproduces_it(
    caf_page: Path, caf_briefing: Briefing
) -> None:
    html = caf_page.read_text(encoding="utf-8")
    h = caf_briefing.headline
    assert h.deaths_best is not None and h.deaths_best.command
    figure = re.search(r'<div class="figure main" title="([^"]+)">', html)
    assert figure is not None
    assert figure.group(1) == h.deaths_best.command.replace("'", "&#39;")
    for section in (caf_briefing.map, caf_briefing.timeline, caf_briefing.key_events):
        assert section.command
        shown = section.command.replace("'", "&#39;")
        assert f"<code>{shown}</code>" in html


def test_a_french_briefing_is_written_in_french(caf_briefing: Briefing) -> None:
    fr = copy.deepcopy(caf_briefing)
    fr.lang = "fr"
    html = render_html(fr)
    assert '<html lang="fr">' in html
    assert "Tableau" in html and "Morts" in html
    assert '"formatLocale"' in html and '"décembre"' in html  # axes in French too


@pytest.fixture(scope="module")
def vega_lite_schema() -> Any:
    """A validator of the Vega-Lite schema that altair ships (the renderers write the specs
    as dicts and never validate them at run time)."""
    jsonschema = pytest.importorskip("jsonschema")
    from altair.vegalite.v6.schema.core import load_schema

    schema = load_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def test_every_chart_spec_is_valid_vega_lite(
    vega_lite_schema: Any, caf_briefing: Briefing, mali_briefing: Briefing
) -> None:
    from accordwatch.brief._html import page_view

    fr = copy.deepcopy(mali_briefing)
    fr.lang = "fr"
    checked: set[str] = set()
    for b in (caf_briefing, mali_briefing, fr, _emptied(caf_briefing)):
        for static in (False, True):
            for chart in page_view(b, static=static)["charts"]:
                if chart.vega:  # the map is a Vega spec (drawn in the browser tests)
                    continue
                errors = [e.message[:300] for e in vega_lite_schema.iter_errors(chart.spec)]
                assert not errors, (chart.id, static, errors[:3])
                json.loads(chart.json)  # JSON without NaN
                checked.add(chart.id)
    assert checked == {"timeline-type", "timeline-actor", "actors", "dyads", "fan", "risk"}
    broken = copy.deepcopy(page_view(caf_briefing, static=True)["charts"][1].spec)
    broken["layer"][0]["mark"]["type"] = "bars"
    assert list(vega_lite_schema.iter_errors(broken))  # the validator does catch a bad spec


@pytest.mark.filterwarnings("ignore:Could not infer format")
def test_an_index_chart_is_valid_vega_lite_with_dates_or_named_periods(
    vega_lite_schema: Any,
) -> None:
    from accordwatch.brief._charts import index_chart
    from accordwatch.brief._html import words

    w = words("en")
    dated = pd.DataFrame(
        {
            "period": ["2016-12-31", "2016-12-31", "2017-12-31", "2017-12-31"],
            "theme": ["overall", "guarantees", "overall", "guarantees"],
            "index": [40.0, 20.0, 55.5, 30.0],
        }
    )
    named = dated.assign(period=["first", "first", "second", "second"])
    for frame in (dated, named):
        for static in (False, True):
            spec = index_chart(frame, w, static=static, description="index")
            assert spec is not None
            assert not [e.message for e in vega_lite_schema.iter_errors(spec)]
            assert ("params" in spec) == (frame is dated and not static)  # zoom in time only


def test_rings_are_wound_clockwise_for_vega() -> None:
    from shapely.geometry import shape

    ccw = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    hole = [[0.2, 0.2], [0.2, 0.4], [0.4, 0.4], [0.4, 0.2], [0.2, 0.2]]  # clockwise
    multi = {"type": "MultiPolygon", "coordinates": [[ccw["coordinates"][0], hole]]}
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"admin1": "A"}, "geometry": ccw},
            {"type": "Feature", "properties": {"admin1": "B"}, "geometry": multi},
            {"type": "Feature", "properties": {"admin1": "C"}, "geometry": None},
        ],
    }
    out = wound_clockwise(fc)
    assert [f["properties"]["admin1"] for f in out["features"]] == ["A", "B"]
    a = shape(out["features"][0]["geometry"])
    b = shape(out["features"][1]["geometry"]).geoms[0]
    assert not a.exterior.is_ccw and not b.exterior.is_ccw
    assert b.interiors[0].is_ccw  # holes the other way round


def test_map_points_are_aggregated_below_vegas_limit() -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    n = 12_000
    points = pd.DataFrame(
        {
            "latitude": rng.uniform(2, 11, n),
            "longitude": rng.uniform(14, 27, n),
            "deaths": rng.integers(0, 50, n).astype(float),
            "events": 1,
            "place": "somewhere",
        }
    )
    words = {k: k for k in ("col_admin1", "col_deaths", "col_events", "col_date", "col_source")}
    words |= {"title_points": "points", "title_from_text": "text", "title_regions": "regions"}
    spec = map_spec(MapData(points=points), words)
    assert spec is not None
    drawn = next(d for d in spec["data"] if d["name"] == "points")["values"]
    assert 0 < len(drawn) <= MAX_POINTS
    assert sum(p["deaths"] for p in drawn) <= points["deaths"].sum()
    json.dumps(spec, allow_nan=False)  # no NaN reaches the page
    some = points.head(3 * STATIC_POINTS)  # few enough to be drawn one by one on the page
    every = map_spec(MapData(points=some), words)
    static = map_spec(MapData(points=some), words, static=True)
    assert every is not None and static is not None
    alls = next(d for d in every["data"] if d["name"] == "points")["values"]
    few = next(d for d in static["data"] if d["name"] == "points")["values"]
    assert len(alls) == len(some)
    assert len(few) == STATIC_POINTS  # the PDF's map: the deadliest places only
    assert min(p["deaths"] for p in few) >= sorted(p["deaths"] for p in alls)[-STATIC_POINTS]


def test_a_thinned_pdf_map_says_so(caf_briefing: Briefing) -> None:
    import dataclasses

    from accordwatch.brief._html import page_view

    pts = caf_briefing.map.points
    assert pts is not None and len(pts) > 5
    many = pd.concat([pts] * (STATIC_POINTS // len(pts) + 1), ignore_index=True)
    many["latitude"] = many["latitude"] + many.index * 1e-4  # distinct places
    b = dataclasses.replace(caf_briefing, map=dataclasses.replace(caf_briefing.map, points=many))
    hints = [
        blk["chart"].hint
        for sec in page_view(b, static=True)["sections"]
        for blk in sec.blocks
        if blk["kind"] == "chart" and blk["chart"].id == "map"
    ]
    assert hints and f"{STATIC_POINTS} deadliest of {len(many):,} places" in hints[0]
    page_hints = [
        blk["chart"].hint
        for sec in page_view(b)["sections"]
        for blk in sec.blocks
        if blk["kind"] == "chart" and blk["chart"].id == "map"
    ]
    assert "deadliest" not in page_hints[0]


# -- in the browser -------------------------------------------------------------------------


def test_the_page_makes_no_network_request_and_draws_every_chart(
    open_page: Any, caf_page: Path
) -> None:
    seen = open_page(caf_page)
    assert seen.requests and all(u.startswith(LOCAL) for u in seen.requests), seen.requests
    assert not seen.errors
    charts = _charts(seen.page)
    assert {c["id"] for c in charts} >= {
        "chart-map",
        "chart-timeline-type",
        "chart-timeline-actor",
        "chart-actors",
        "chart-dyads",
        "chart-fan",
        "chart-risk",
    }
    for c in charts:
        assert c["rendered"] and c["failed"] is None, c
        assert c["width"] > 300 and c["height"] > 50, c
        assert c["marks"] > 10, c


def test_the_event_map_shows_every_place_and_the_regions(
    open_page: Any, caf_page: Path, caf_briefing: Briefing
) -> None:
    seen = open_page(caf_page)
    page = seen.page
    circles = page.locator("#chart-map svg .point-marks path")
    assert circles.count() == len(caf_briefing.map.points) > 100
    # no outlines are bundled for the CAF: the regions are named in the table, shown open
    regions = page.locator("#figure-map details[open] table").first
    assert regions.is_visible()
    for name in ("Ouaka", "Haute-Kotto", "Bangui"):
        assert page.get_by_role("cell", name=name, exact=True).first.is_visible()
    # a tooltip on a point says where, when and how many died
    box = circles.first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("#vg-tooltip-element")
    tip.wait_for(state="visible", timeout=5_000)
    assert "Deaths" in tip.inner_text()


def test_region_names_are_on_the_map_and_it_zooms(open_page: Any, mali_page: Path) -> None:
    seen = open_page(mali_page)
    page = seen.page
    assert all(u.startswith(LOCAL) for u in seen.requests)
    labels = page.locator("#chart-map svg .label-text text")
    names = set(labels.evaluate_all("els => els.map(e => e.textContent)"))
    assert {"Timbuktu", "Kidal", "Gao", "Mopti", "Bamako"} <= names
    assert page.locator("#chart-map svg text", has_text="Kidal").first.is_visible()
    shapes = page.locator("#chart-map svg .region-shapes path")
    assert shapes.count() >= 9
    page.locator("#chart-map").scroll_into_view_if_needed()  # wheel events need it on screen
    before = page.locator("#chart-map svg").bounding_box()
    kidal = labels.filter(has_text="Kidal").first.bounding_box()
    assert before is not None and kidal is not None
    page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
    page.mouse.wheel(0, -600)  # zoom in about the middle of the map
    page.wait_for_timeout(300)
    after = labels.filter(has_text="Kidal").first.bounding_box()
    assert after is not None
    moved = abs(after["x"] - kidal["x"]) + abs(after["y"] - kidal["y"])
    assert moved > 20 and after["width"] > kidal["width"], (kidal, after)  # labels grow too
    # dragging pans the map by as much as the pointer moved
    page.mouse.down()
    page.mouse.move(before["x"] + before["width"] / 2 + 80, before["y"] + 50, steps=4)
    page.mouse.up()
    dragged = labels.filter(has_text="Kidal").first.bounding_box()
    assert dragged is not None and abs(dragged["x"] - after["x"] - 80) < 3


def test_the_timeline_marks_milestones_to_their_precision(
    open_page: Any, mali_page: Path, mali_briefing: Briefing
) -> None:
    months = mali_briefing.timeline.milestones
    assert not months.empty and "month" in set(months["precision"])
    seen = open_page(mali_page)
    chart = seen.page.locator("#chart-timeline-type svg")
    # a month-precision milestone is a shaded span as wide as a month's bar, not a rule
    spans = chart.locator(".mark-rect path")
    assert spans.count() >= 1
    bars = chart.locator(".mark-rect path, .mark-bar path")
    widths = [b["width"] for b in (x.bounding_box() for x in bars.all()) if b]
    span = spans.first.bounding_box()
    assert span is not None and span["width"] > 10
    assert max(widths) >= span["width"] * 0.8
    table = seen.page.locator("#timeline details[open] table").last
    assert "month" in table.inner_text()


def test_the_accord_shows_its_index_stalled_provisions_and_latest_evidence(
    open_page: Any, accord_page: Path
) -> None:
    seen = open_page(accord_page)
    page = seen.page
    accord = page.locator("section#accord")
    assert "terminated" in accord.locator("dl.accord").inner_text()
    chart = next(c for c in _charts(page) if c["id"] == "chart-index")
    assert chart["rendered"] and chart["marks"] > 10
    legend = accord.locator("#chart-index svg .role-legend").first.text_content() or ""
    assert "overall" in legend and "defence-security" in legend
    stalled = accord.locator("table", has_text="mali2015.t3.c8.cantonment").first
    assert "reversed" in stalled.inner_text() and stalled.is_visible()
    assert accord.get_by_text("Authorities not functioning").first.is_visible()


def test_an_empty_section_says_so_in_one_line_and_draws_no_chart(
    open_page: Any, empty_page: Path
) -> None:
    seen = open_page(empty_page)
    page = seen.page
    assert not seen.errors and page.evaluate("window.pwned") is None
    for key, line in (
        ("timeline", "No monthly deaths in this period."),
        ("accord", "No peace agreement is in the store."),
        ("warning", "No forecast: no series."),
    ):
        section = page.locator(f"section#{key}")
        assert section.locator("p.empty").inner_text() == line
        assert section.locator("[data-spec], svg, canvas, table").count() == 0
    assert all(c["rendered"] for c in _charts(page))
    assert page.locator("#chart-map svg").count() == 1
    assert page.get_by_text("</script><script>window.pwned=1</script>").count() >= 1


def test_the_page_reads_on_a_phone(open_page: Any, caf_page: Path) -> None:
    seen = open_page(caf_page, width=390)
    page = seen.page
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390, overflow
    for c in _charts(page):
        assert c["rendered"] and 250 < c["width"] <= 390, c
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 14


# -- the PDF --------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} not found: install poppler-utils to draw the PDF's pages")
    return found


@pytest.fixture(scope="module")
def caf_pdf(caf_briefing: Briefing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pdf(caf_briefing, tmp_path_factory.mktemp("pdf") / "caf.pdf")


def test_the_pdfs_first_page_is_not_blank(caf_pdf: Path, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    pdftoppm = _tool("pdftoppm")
    subprocess.run(
        [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(caf_pdf), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    dark = image.point(lambda v: 255 if v < 200 else 0)
    ink = ImageStat.Stat(dark).mean[0] / 255  # the share of pixels that are not paper
    assert ink > 0.02, ink
    assert ImageStat.Stat(image).stddev[0] > 20


def test_every_pdf_page_carries_the_provenance_footer(
    caf_pdf: Path, caf_briefing: Briefing
) -> None:
    pdftotext = _tool("pdftotext")
    text = subprocess.run(
        [pdftotext, "-layout", str(caf_pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3
    version = caf_briefing.provenance.version
    for n, page in enumerate(pages, start=1):
        assert f"accordwatch {version}" in page, n
        assert re.search(rf"(?<!\d){n}\s*/\s*{len(pages)}(?!\d)", page), n
    # the same sections as the page, with static charts and no script
    for title in ("Headline", "Timeline", "Who fights whom", "Early warning", "Key events"):
        assert title in text
    raw = caf_pdf.read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw
    # every dataset with its licence and attribution, in full (the page's table clips them)
    flat = " ".join(text.split())
    for src in caf_briefing.sources:
        assert " ".join(src.name.split())[:40] in flat, src.name
        assert " ".join(src.licence.split())[:40] in flat, src.licence


def test_the_pdf_lists_sources_as_blocks_and_leaves_out_an_empty_region_table(
    caf_briefing: Briefing, mali_briefing: Briefing
) -> None:
    from accordwatch.brief._pdf import render_pdf_html

    def region_table(html: str) -> bool:
        return "Deaths by admin-1 region" in html

    caf, mali = render_pdf_html(caf_briefing), render_pdf_html(mali_briefing)
    sources = caf[caf.index('id="sources"') :]
    assert "<table" not in sources and sources.count('class="source-entry"') == len(
        caf_briefing.sources
    )
    assert region_table(caf)  # CAF's regions have figures from its events
    assert (
        mali_briefing.map.regions is not None and mali_briefing.map.regions["deaths"].isna().all()
    )
    assert not region_table(mali)  # Mali's have none (country-month basis): names on the map
    assert region_table(render_html(mali_briefing))  # the page keeps the table


def test_chart_svgs_are_drawn_once_and_then_read_from_the_cache(
    caf_briefing: Briefing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accordwatch.brief import _pdf, _pdfjob

    charts = _pdf.pdf_job(caf_briefing)["charts"][:3]
    folder = tmp_path / "charts"
    drawn = _pdfjob.cached_svgs(charts, str(folder))
    assert len(list(folder.glob("*.svg"))) == 3
    assert all(svg.lstrip().startswith("<svg") for svg in drawn.values())

    def no_drawing(*args: object, **kwargs: object) -> str:
        raise AssertionError("drawn again")

    monkeypatch.setattr(_pdfjob, "chart_svg", no_drawing)
    assert _pdfjob.cached_svgs(charts, str(folder)) == drawn  # read back, not drawn
    changed = copy.deepcopy(charts[0])
    changed["spec"]["description"] = "another chart"
    with pytest.raises(AssertionError, match="drawn again"):
        _pdfjob.cached_svgs([changed], str(folder))
    monkeypatch.undo()
    monkeypatch.setattr(_pdfjob, "CACHE_FILES", 2)  # the least recently used go
    _pdfjob.cached_svgs([changed], str(folder))
    assert len(list(folder.glob("*.svg"))) == 2
    assert _pdfjob.cached_svgs(charts[:1], None) == {charts[0]["id"]: drawn[charts[0]["id"]]}


def test_templates_are_compiled_once_and_then_read_from_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import jinja2

    from accordwatch.brief import _cache, _html

    monkeypatch.setattr(_cache, "cache_dir", lambda: tmp_path)
    _html._environment.cache_clear()
    view = {"static": True, "provenance": "p", "sections": [], "w": {}, "sources": {"rows": []}}
    try:
        _html._environment().get_template("briefing.html.j2").render(**view)
        kept = list((tmp_path / "templates").glob("*.cache"))
        assert len(kept) >= 2  # the page and the PDF's page rules it imports
        compiled: list[str] = []
        real = jinja2.Environment.compile

        def counted(self: jinja2.Environment, *args: Any, **kwargs: Any) -> Any:
            compiled.append(str(args[1] if len(args) > 1 else kwargs.get("name")))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(jinja2.Environment, "compile", counted)
        _html._environment.cache_clear()  # a new process: the cache folder answers
        _html._environment().get_template("briefing.html.j2").render(**view)
        assert compiled == []
    finally:
        _html._environment.cache_clear()


def test_the_pdfs_lists_show_their_first_rows_and_say_how_many_the_page_has(
    caf_briefing: Briefing,
) -> None:
    from accordwatch.brief._html import _LIST_ROWS_PDF, page_view

    def tables(static: bool) -> dict[str, Any]:
        sec = next(
            s for s in page_view(caf_briefing, static=static)["sections"] if s.key == "key_events"
        )
        return {blk["table"].caption: blk["table"] for blk in sec.blocks if blk["kind"] == "table"}

    deadliest = caf_briefing.key_events.deadliest
    assert len(deadliest) > _LIST_ROWS_PDF
    pdf, page = tables(True), tables(False)
    for caption, table in pdf.items():
        assert len(table.rows) <= _LIST_ROWS_PDF
        assert page[caption].rows[: len(table.rows)] == table.rows  # the first ones
    first = pdf["Deadliest events"]
    assert f"{_LIST_ROWS_PDF} of {len(deadliest)}" in first.note
    assert len(page["Deadliest events"].rows) == len(deadliest)
