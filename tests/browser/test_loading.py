"""How a page loads: first screen first, the rest on approach or when idle, plotly.js as needed.

The World Bank page (13 charts, the map last) at a laptop's 1366x768; and two small
dashboards of our own: one without a map, one with a custom Sankey figure.
"""

from __future__ import annotations

import pytest

from databoard.dashboards.worldbank import TOP10

from support import ORDERS_CSV, bin_path, free_port, running

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
# Note each chart as it is first drawn, and add up the layout shifts.
RECORD = """
window.drawn = [];
window.drawnAt = {};
new MutationObserver(() => {
  for (const card of document.querySelectorAll(".chart.is-drawn")) {
    if (!(card.dataset.chart in drawnAt)) {
      drawn.push(card.dataset.chart);
      drawnAt[card.dataset.chart] = performance.now();
    }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });
window.shifts = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) shifts += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""
# A browser that never has an idle moment: only the screen, focus and print draw charts.
NEVER_IDLE = "window.requestIdleCallback = () => 0;"
ON_SCREEN = """() => [...document.querySelectorAll(".chart")]
  .filter((c) => {
    const box = c.getBoundingClientRect();
    return box.bottom > 0 && box.top < innerHeight;
  })
  .map((c) => c.dataset.chart)"""
FIRST_DRAWN = f"({ON_SCREEN})().every((id) => drawn.includes(id))"


@pytest.fixture
def laptop(open_watch):
    """Return ``open(*scripts)``: a watched 1366x768 page that records its drawing."""
    return lambda *scripts: open_watch(LAPTOP, RECORD, *scripts)


def requested(watch, name: str) -> int:
    return sum(1 for u in watch.requests if u.rsplit("/", 1)[-1].split("?")[0] == name)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_first_screen_is_drawn_first_without_layout_shift(live_server, open_watch, viewport):
    watch = open_watch(viewport, RECORD)
    page = watch.page
    page.goto(f"{live_server}/d/worldbank")
    watch.wait_drawn()  # the rest follow when the browser is idle, without scrolling
    first = page.evaluate(ON_SCREEN)
    assert 0 < len(first) < 13 and "world-map" not in first
    order = page.evaluate("drawn")
    assert sorted(order[: len(first)]) == sorted(first)
    assert len(order) == 13
    # The page was ready (DOMContentLoaded handled) before any chart was drawn.
    dcl = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    assert dcl < min(page.evaluate("Object.values(drawnAt)"))
    assert page.evaluate("shifts") < 0.001  # every card had its final size from the start
    assert requested(watch, "geo.js") == 1 and requested(watch, "world_110m.json") == 1
    assert requested(watch, "plotly.min.js") == 0
    assert watch.errors == [] and watch.outside() == []


def test_filters_work_before_plotly_js_is_in_and_the_newest_view_is_drawn(live_server, laptop):
    watch = laptop()
    page = watch.page
    held = []
    page.route("**/plotly/core.js", lambda route: held.append(route))  # until released
    page.goto(f"{live_server}/d/worldbank?country=USA&country=CHN", wait_until="domcontentloaded")
    page.wait_for_function("() => document.body.classList.contains('databoard-ready')")
    page.get_by_role("button", name="Remove China").click()
    page.wait_for_function("!location.search.includes('CHN')")
    page.wait_for_function("!document.querySelector('.chart.is-loading')")
    assert page.locator(".chart.is-drawn").count() == 0
    assert len(held) == 1
    held[0].continue_()
    watch.wait_drawn()
    for chart in ("arable-land", "gdp-per-capita"):
        assert watch.trace_names(chart) == ["United States"], chart
    bars = page.evaluate("document.querySelector('#chart-arable-land-latest .plot').data[0].y")
    assert list(bars) == ["United States"]
    assert watch.errors == []


def test_scrolling_draws_the_rest_and_the_map_code_comes_with_the_map(live_server, laptop):
    watch = laptop(NEVER_IDLE)
    page = watch.page
    page.goto(f"{live_server}/d/worldbank")
    page.wait_for_function(FIRST_DRAWN)
    page.wait_for_timeout(500)
    # The screen and what is near it are drawn; the bottom of the page waits.
    assert page.locator(".chart.is-drawn").count() < 13
    assert page.locator("#chart-world-map.is-drawn, #chart-internet-users.is-drawn").count() == 0
    assert requested(watch, "geo.js") == 0 and requested(watch, "world_110m.json") == 0
    for _ in range(30):
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(50)
    watch.wait_drawn()
    page.wait_for_function(
        "document.querySelectorAll('#chart-world-map path.choroplethlocation').length > 150"
    )
    assert requested(watch, "geo.js") == 1 and requested(watch, "world_110m.json") == 1
    assert watch.errors == [] and watch.outside() == []


def test_a_change_before_the_rest_is_drawn_ends_with_the_newest_view(live_server, laptop):
    watch = laptop(NEVER_IDLE)
    page = watch.page
    page.goto(f"{live_server}/d/worldbank?country=USA&country=CHN")
    page.wait_for_function(FIRST_DRAWN)
    # Two changes in a row while most charts wait, undrawn, below the screen.
    page.get_by_role("button", name="Remove China").click()
    page.get_by_label("Years from", exact=True).select_option("2000")
    page.get_by_label("Years from", exact=True).select_option("2010")
    page.wait_for_function("location.search.includes('from=2010')")
    for _ in range(30):
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(50)
    watch.wait_drawn()
    lines = ["co2-per-capita", "arable-land", "rural-population", "gdp-per-capita"]
    for chart in [*lines, "internet-users"]:
        assert watch.trace_names(chart) == ["United States"], chart
    for chart in lines:
        years = page.evaluate(f"document.querySelector('#chart-{chart} .plot').data[0].x")
        assert min(years) == 2010, chart
    assert watch.errors == []


def test_table_view_and_keyboard_reach_a_chart_not_yet_drawn(live_server, laptop):
    watch = laptop(NEVER_IDLE)
    page = watch.page
    page.goto(f"{live_server}/d/worldbank?country=IND&from=2014&to=2015")
    page.wait_for_function(FIRST_DRAWN)
    card = page.locator("#chart-internet-users")
    assert "is-drawn" not in card.get_attribute("class")
    # Table view, then back to the chart, without scrolling it into view.
    page.evaluate("document.querySelector('#chart-internet-users [data-action=table]').click()")
    card.locator("table").wait_for()
    text = card.locator("table").inner_text()
    assert text.startswith("2 rows") and "India" in text
    page.evaluate("document.querySelector('#chart-internet-users [data-action=table]').click()")
    page.wait_for_function("document.querySelector('#chart-internet-users.is-drawn')")
    assert page.evaluate("scrollY") == 0
    # Keyboard focus inside a chart draws it.
    page.evaluate(
        "document.querySelector('#chart-gdp-per-capita [data-action=table]')"
        ".focus({ preventScroll: true })"
    )
    page.wait_for_function("document.querySelector('#chart-gdp-per-capita.is-drawn')")
    assert page.evaluate("scrollY") == 0
    assert watch.trace_names("gdp-per-capita") == ["India"]
    assert watch.errors == []


def test_printing_draws_every_chart(live_server, laptop):
    watch = laptop(NEVER_IDLE)
    page = watch.page
    page.goto(f"{live_server}/d/worldbank")
    page.wait_for_function(FIRST_DRAWN)
    assert page.locator(".chart.is-drawn").count() < 13
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    watch.wait_drawn()
    assert watch.errors == []


def test_without_intersection_observer_every_chart_is_drawn(live_server, laptop):
    watch = laptop(NEVER_IDLE, "delete window.IntersectionObserver;")
    watch.page.goto(f"{live_server}/d/worldbank")
    watch.wait_drawn()
    assert watch.page.locator(".chart.is-drawn").count() == 13
    assert len(watch.trace_names("gdp-per-capita")) == len(TOP10)
    assert watch.errors == []


PLAIN = """
from databoard import Bar, Dashboard, Line

board = Dashboard("plain", title="Plain")
board.add_dataset("orders", source="orders.csv", dates=["date"])
board.add_chart("revenue", "Revenue", kind=Line(x="date", y="revenue", color="region"))
board.add_chart("units", "Units", kind=Bar(x="region", y="units", aggregate="sum"))
"""
CUSTOM = """
import plotly.graph_objects as go

from databoard import Dashboard, Line

board = Dashboard("custom", title="Custom")
board.add_dataset("orders", source="orders.csv", dates=["date"])
board.add_chart("revenue", "Revenue", kind=Line(x="date", y="revenue", color="region"))


@board.chart("flows", "Units from region to product")
def flows(frame, view):
    links = frame.groupby(["region", "product"], as_index=False)["units"].sum()
    nodes = sorted(set(links["region"])) + sorted(set(links["product"]))
    return go.Figure(
        go.Sankey(
            node={"label": nodes},
            link={
                "source": [nodes.index(r) for r in links["region"]],
                "target": [nodes.index(p) for p in links["product"]],
                "value": links["units"].tolist(),
            },
        )
    )
"""


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("boards")
    (root / "orders.csv").write_text(ORDERS_CSV)
    (root / "plain.py").write_text(PLAIN)
    (root / "custom.py").write_text(CUSTOM)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([bin_path("databoard"), "serve", str(root), "--port", str(port)], url):
        yield url


def test_a_page_without_a_map_loads_no_map_code(small_site, watch):
    watch.page.goto(f"{small_site}/d/plain")
    watch.wait_drawn()
    watch.page.wait_for_load_state("networkidle")
    assert requested(watch, "core.js") == 1
    assert requested(watch, "geo.js") == 0 and requested(watch, "world_110m.json") == 0
    assert requested(watch, "plotly.min.js") == 0
    assert watch.errors == [] and watch.outside() == []


def test_a_custom_figure_of_another_trace_type_draws_with_all_of_plotly(small_site, watch):
    watch.page.goto(f"{small_site}/d/custom")
    watch.wait_drawn()
    assert watch.page.locator("#chart-flows .sankey .sankey-node").count() == 5
    assert watch.page.locator(".chart.has-error").count() == 0
    assert requested(watch, "plotly.min.js") == 1
    assert requested(watch, "core.js") == 0 and requested(watch, "geo.js") == 0
    assert watch.errors == [] and watch.outside() == []
