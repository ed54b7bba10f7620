"""Exploring by touching: the authoring guide's example, clicked in real Chromium."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from databoard.dashboards.worldbank import TOP10

from support import ROOT, gunicorn, raw_indicator

pytestmark = pytest.mark.browser

GUIDE = (ROOT / "docs" / "authoring.md").read_text()
FILES = re.findall(r"<!-- file: explore/(\S+) -->\n```\w*\n(.*?)```", GUIDE, re.S)
PLAY_FILES = re.findall(r"<!-- file: play/(\S+) -->\n```\w*\n(.*?)```", GUIDE, re.S)
DRILL_FILES = re.findall(r"<!-- file: drill/(\S+) -->\n```\w*\n(.*?)```", GUIDE, re.S)
#: Every shop: the filter's default, which the page's URL spells out.
ALL = ["Airport", "Harbour", "Market", "Station"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The guide's explore, play and drill-down examples as one site, served by gunicorn;
    yields the base URL."""
    root = tmp_path_factory.mktemp("explore")
    for folder, files in (("explore", FILES), ("play", PLAY_FILES), ("drill", DRILL_FILES)):
        for name, text in files:
            if name.endswith(".yaml"):  # dashboards side by side, each reading its data
                slug = folder if name == "dashboard.yaml" else name.removesuffix(".yaml")
                text = text.replace("data/", f"{folder}/data/")
                (root / f"{slug}.yaml").write_text(text)
            else:
                (root / folder / name).parent.mkdir(parents=True, exist_ok=True)
                (root / folder / name).write_text(text)
    with gunicorn("--workers", "1", env={"DATABOARD_DASHBOARD": str(root)}) as url:
        yield url


@pytest.fixture
def shops(site):
    return f"{site}/d/explore"


def shops_of(page) -> list[str]:
    return parse_qs(urlparse(page.url).query).get("shop", [])


def click_bar(page, chart: str, index: int, shift: bool = False) -> None:
    """Move to the middle of a bar, then click it, as a mouse would."""
    box = page.locator(f"#chart-{chart} .bars .point path").nth(index).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    # plotly.js takes two clicks within 300 ms for a double click (which zooms out)
    page.wait_for_timeout(350)
    if shift:
        page.keyboard.down("Shift")
    page.mouse.click(x, y)
    if shift:
        page.keyboard.up("Shift")


def wait_shops(page, shops: list[str]) -> None:
    """Wait until the URL selects exactly *shops*, then until every chart is drawn."""
    wait_selected(page, "shop", shops)


def wait_selected(page, name: str, values: list[str]) -> None:
    """Wait until the URL's *name* is exactly *values*, then until every chart is drawn."""
    page.wait_for_function(
        "([name, want]) => "
        "JSON.stringify(new URLSearchParams(location.search).getAll(name)) === want",
        arg=[name, json.dumps(values, separators=(",", ":"))],
    )
    page.wait_for_function(
        "![...document.querySelectorAll('.chart')].some(c => c.classList.contains('is-loading'))"
    )


def click_at(page, x: float, y: float) -> None:
    """Move to a point, wait out plotly.js' double-click window, then click."""
    page.mouse.move(x, y)
    page.wait_for_timeout(350)
    page.mouse.click(x, y)


def scroll_to(page, chart: str) -> None:
    """Bring a chart into view at once (the page's own scrolling is smooth)."""
    page.evaluate(
        "id => document.getElementById(`chart-${id}`)"
        ".scrollIntoView({block: 'center', behavior: 'instant'})",
        chart,
    )


def click_country(page, code: str) -> None:
    """Click a country of the World Bank map at its centre, as the map projects it."""
    scroll_to(page, "world-map")
    x, y = page.evaluate(
        """code => {
        const plot = document.querySelector('#chart-world-map .plot');
        const geo = plot._fullLayout.geo._subplot;
        const shape = [...plot.querySelectorAll('path.choroplethlocation')]
          .find((p) => p.__data__.loc === code);
        const [x, y] = geo.projection(shape.__data__.ct);
        const frame = geo.bgRect.node(), svg = frame.ownerSVGElement.getBoundingClientRect();
        return [svg.left + frame.getCTM().e + x, svg.top + frame.getCTM().f + y];
        }""",
        code,
    )
    click_at(page, x, y)


def click_point(page, chart: str, series: str, index: int) -> None:
    """Click the *index*-th point of a line chart's *series*, where plotly.js draws it."""
    scroll_to(page, chart)
    x, y = page.evaluate(
        """([chart, series, index]) => {
        const plot = document.querySelector(`#chart-${chart} .plot`);
        const trace = plot.data.find((t) => t.name === series);
        const layout = plot._fullLayout, box = plot.getBoundingClientRect();
        return [
          layout.xaxis.d2p(trace.x[index]) + layout.xaxis._offset + box.left,
          layout.yaxis.d2p(trace.y[index]) + layout.yaxis._offset + box.top,
        ];
        }""",
        [chart, series, index],
    )
    click_at(page, x, y)


def chip_text(page) -> str:
    return page.locator(".crossfilter .crossfilter-chip").inner_text().strip()


def pie_labels(page) -> list[str]:
    return page.evaluate("document.querySelector('#chart-share .plot').data[0].labels")


def test_click_a_bar_filters_the_other_charts_shift_adds_and_back_undoes_it(shops, watch):
    page = watch.page
    page.goto(shops)
    watch.wait_drawn()
    assert pie_labels(page) == ["Harbour", "Market", "Station", "Other"]
    assert page.locator(".crossfilter").is_hidden()

    click_bar(page, "top-shops", 0)  # the largest: Harbour
    wait_shops(page, ["Harbour"])
    assert pie_labels(page) == ["Harbour"]
    quarters = page.evaluate("document.querySelector('#chart-quarters .plot').data[0]")
    assert quarters["x"] == ["2024 Q1", "2024 Q2", "2024 Q3"]
    assert quarters["y"] == [120 + 95, 130, 110]  # Harbour's rows of the guide's CSV
    chip = page.locator(".crossfilter .crossfilter-chip")
    assert chip.inner_text().strip() == "Shop: Harbour"

    click_bar(page, "top-shops", 1, shift=True)  # Shift adds Market
    wait_shops(page, ["Harbour", "Market"])
    assert pie_labels(page) == ["Harbour", "Market"]
    assert chip.inner_text().strip() == "Shop: Harbour, Market"

    page.go_back()
    wait_shops(page, ["Harbour"])
    page.go_back()  # back to every shop
    wait_shops(page, ALL)
    assert pie_labels(page) == ["Harbour", "Market", "Station", "Other"]
    assert page.locator(".crossfilter").is_hidden()

    click_bar(page, "quarters", 0)  # a quarter is no shop: nothing changes
    click_bar(page, "top-shops", 2)  # "Other" stands for several shops: nothing changes
    page.wait_for_function("document.getElementById('status').textContent.includes('Other')")
    assert shops_of(page) == ALL
    click_bar(page, "top-shops", 1)  # Market; a second click brings every shop back
    wait_shops(page, ["Market"])
    click_bar(page, "top-shops", 1)
    wait_shops(page, ALL)
    click_bar(page, "top-shops", 0)
    wait_shops(page, ["Harbour"])
    page.get_by_role("button", name="Clear the shop selection").click()
    wait_shops(page, ALL)
    assert page.locator(".crossfilter").is_hidden()
    page.locator("#chart-share .slice path").nth(2).click()  # the pie's Station slice
    wait_shops(page, ["Station"])
    assert watch.errors == []


def test_resting_on_a_bar_fetches_what_its_click_shows_before_the_click(shops, watch):
    page = watch.page
    figures: list[str] = []
    page.on("request", lambda r: figures.append(r.url) if "/charts/" in r.url else None)
    page.goto(shops)
    watch.wait_drawn()
    box = page.locator("#chart-top-shops .bars .point path").nth(1).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # Market's bar; no click yet
    page.wait_for_function("databoard.prefetched.size > 0")
    ahead = [url for url in figures if "shop=Market" in url]
    assert ahead and shops_of(page) == ALL  # asked for, not shown
    asked = len(figures)
    page.wait_for_timeout(350)  # no double click
    page.mouse.click(x, y)
    wait_shops(page, ["Market"])
    assert figures[asked:] == []  # the click drew what the rest fetched
    assert pie_labels(page) == ["Market"]
    assert watch.errors == []


def test_resting_on_a_table_value_fetches_what_its_button_shows(shops, watch):
    page = watch.page
    figures: list[str] = []
    page.on("request", lambda r: figures.append(r.url) if "/api/" in r.url else None)
    page.goto(shops)
    watch.wait_drawn()
    page.locator("#chart-top-shops [data-action=table]").click()
    market = page.locator("#chart-top-shops .table-view").get_by_role("button", name="Market")
    market.focus()  # the keyboard rests on Market; no Enter yet
    page.wait_for_function("databoard.prefetched.size > 0")
    assert any("shop=Market" in url for url in figures) and shops_of(page) == ALL
    asked = len(figures)
    page.keyboard.press("Enter")
    wait_shops(page, ["Market"])
    assert [u for u in figures[asked:] if "/options" not in u and "/data.json" not in u] == []
    assert watch.errors == []


def test_the_table_view_filters_by_keyboard_at_phone_width(shops, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(shops)
        page.wait_for_function("document.querySelector('#chart-top-shops.is-drawn')")
        table = page.locator("#chart-top-shops [data-action=table]")
        table.focus()
        page.keyboard.press("Enter")
        market = page.locator("#chart-top-shops .table-view").get_by_role("button", name="Market")
        market.focus()
        page.keyboard.press("Enter")
        wait_shops(page, ["Market"])
        chip = page.locator(".crossfilter .crossfilter-chip")
        chip.wait_for()
        box = chip.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, "nothing sticks out sideways"
    finally:
        context.close()


def test_options_follow_the_other_filters_and_stale_values_stay_marked(shops, watch):
    page = watch.page
    page.goto(f"{shops}?city=Port&shop=Market&shop=Harbour")
    watch.wait_drawn()
    stale = page.locator(".multiselect[data-filter=shop] .chip-stale")
    stale.wait_for()
    assert stale.count() == 1
    assert "Market" in stale.inner_text() and "(no data)" in stale.inner_text()
    offered = page.evaluate(
        "[...document.querySelectorAll('#filter-shop-options option')].map(o => o.value)"
    )
    assert offered == ["Airport", "Harbour"]  # Port's shops only
    assert shops_of(page) == ["Market", "Harbour"]  # the URL keeps what it asked for
    assert watch.errors == []


def test_play_steps_with_figures_fetched_ahead_back_restores_and_keys_move(site, watch):
    page = watch.page
    page.goto(f"{site}/d/play")
    watch.wait_drawn()
    assert parse_qs(urlparse(page.url).query)["year"] == ["1952"]
    page.evaluate(
        """() => {
        window.steps = [];
        const output = document.querySelector('.slider-value');
        new MutationObserver(() => window.steps.push(output.textContent))
          .observe(output, {childList: true, characterData: true, subtree: true});
        }"""
    )
    before = len(watch.requests)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("document.querySelector('.slider-play').textContent === 'Play'")
    watch.wait_drawn()
    assert page.evaluate("window.steps") == ["1977", "2007"]
    assert parse_qs(urlparse(page.url).query)["year"] == ["2007"]  # paused: the URL holds it
    bubbles = page.evaluate("document.querySelector('#chart-bubbles .plot').data")
    sweden = next(t for t in bubbles if t["name"] == "Europe")
    assert sweden["x"] == [33860] and sweden["y"] == [80.9]
    fetched = [u for u in watch.requests[before:] if "/charts/" in u]
    assert len(fetched) == len(set(fetched)) == 4, fetched  # 2 charts x 2 steps, each once

    page.go_back()
    page.wait_for_function("location.search === '?year=1952'")
    watch.wait_drawn()
    assert page.locator(".slider-value").inner_text() == "1952"
    people = page.evaluate("document.querySelector('#chart-people .plot').data[0]")
    assert people["y"] == [56602560, 372000000, 33119096, 7124673]

    page.get_by_role("slider", name="Year").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.search === '?year=1977'")
    watch.wait_drawn()
    people = page.evaluate("document.querySelector('#chart-people .plot').data[0]")
    assert people["y"] == [114313951, 634000000, 62209173, 8251648]
    assert watch.errors == []


def test_a_drill_down_link_opens_the_other_dashboard_filtered(site, watch):
    page = watch.page
    page.goto(f"{site}/d/continents")
    watch.wait_drawn()
    bars = page.evaluate("document.querySelector('#chart-people .plot').data[0].x")
    click_bar(page, "people", bars.index("Asia"))
    page.wait_for_url(f"{site}/d/countries?continent=Asia")
    watch.wait_drawn()
    shown = page.evaluate("document.querySelector('#chart-people .plot').data[0]")
    assert shown["x"] == ["India", "Japan"] and shown["y"] == [1438, 124]
    page.go_back()
    page.wait_for_url(f"{site}/d/continents")
    # By keyboard: the Table view's continents are links.
    watch.wait_drawn()
    page.locator("#chart-people [data-action=table]").click()
    link = page.locator("#chart-people .table-view").get_by_role("link", name="Europe")
    assert link.get_attribute("href") == "/d/countries?continent=Europe"
    assert watch.errors == []


def test_click_a_country_on_the_map_filters_the_other_charts_and_back_restores(live_server, watch):
    page = watch.page
    page.goto(f"{live_server}/d/worldbank?country=USA&country=CHN&from=2000&to=2015")
    watch.wait_drawn()
    page.wait_for_function(
        "document.querySelectorAll('#chart-world-map path.choroplethlocation').length > 150"
    )
    shown = "document.querySelector('#chart-world-map .plot').data[0].z"
    world = page.evaluate(shown)
    assert chip_text(page) == "Countries: United States, China"

    click_country(page, "BRA")
    wait_selected(page, "country", ["BRA"])
    assert watch.trace_names("gdp-per-capita") == ["Brazil"]
    assert watch.trace_names("internet-users") == ["Brazil"]
    (line,) = page.evaluate("document.querySelector('#chart-gdp-per-capita .plot').data")
    brazil = raw_indicator("NY.GDP.PCAP.CD").loc["BRA"]
    assert line["x"] == list(range(2000, 2016))
    assert line["y"] == pytest.approx([brazil[str(year)] for year in line["x"]])
    assert chip_text(page) == "Countries: Brazil"
    assert page.evaluate(shown) == world  # the map follows its own filters only

    page.go_back()
    wait_selected(page, "country", ["USA", "CHN"])
    assert watch.trace_names("gdp-per-capita") == ["United States", "China"]
    assert chip_text(page) == "Countries: United States, China"
    assert watch.errors == []


def test_click_a_point_on_a_line_picks_its_series_and_back_restores(live_server, watch):
    page = watch.page
    page.goto(f"{live_server}/d/worldbank?country=USA&country=CHN&from=2000&to=2015")
    watch.wait_drawn()
    before = page.evaluate("document.querySelector('#chart-kpi-population .plot').data[0].value")

    # the hover shows both countries at that year; the click is on China's line
    click_point(page, "gdp-per-capita", "China", 10)
    wait_selected(page, "country", ["CHN"])
    assert watch.trace_names("gdp-per-capita") == ["China"]
    assert watch.trace_names("internet-users") == ["China"]
    population = raw_indicator("SP.POP.TOTL").loc["CHN", "2015"]
    kpi = page.evaluate("document.querySelector('#chart-kpi-population .plot').data[0]")
    assert kpi["value"] * 1e9 == pytest.approx(population, rel=1e-3)  # shown in billions
    assert chip_text(page) == "Countries: China"

    click_point(page, "gdp-per-capita", "China", 3)  # China again: back to the default
    wait_selected(page, "country", list(TOP10))
    page.go_back()
    wait_selected(page, "country", ["CHN"])
    page.go_back()
    wait_selected(page, "country", ["USA", "CHN"])
    assert watch.trace_names("gdp-per-capita") == ["United States", "China"]
    after = page.evaluate("document.querySelector('#chart-kpi-population .plot').data[0].value")
    assert after == before
    assert watch.errors == []
