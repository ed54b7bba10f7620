"""The World Bank dashboard in real headless Chromium, against a real gunicorn."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from databoard.dashboards.worldbank import TOP10

pytestmark = pytest.mark.browser


def query_of(url: str) -> dict:
    return parse_qs(urlparse(url).query)


def test_draws_every_chart_offline(live_server, watch):
    watch.page.goto(f"{live_server}/d/worldbank")
    watch.wait_drawn()
    page = watch.page
    assert page.locator(".chart").count() == 13
    assert page.locator(".chart.is-drawn").count() == 13
    # The map has country shapes, drawn from the shapes the app serves itself.
    page.wait_for_function(
        "document.querySelectorAll('#chart-world-map path.choroplethlocation').length > 150"
    )
    assert any("world_110m.json" in u for u in watch.requests)
    assert page.locator("#chart-gdp-per-capita .scatterlayer .trace").count() == len(TOP10)
    assert watch.outside() == []
    assert watch.errors == []
    # First paint needs no data request: figures came inline with the page.
    assert not any("/api/" in u for u in watch.requests)


def test_changing_countries_redraws_and_updates_url(live_server, watch):
    page = watch.page
    page.goto(f"{live_server}/d/worldbank?country=USA&country=CHN&from=2000&to=2015")
    watch.wait_drawn()
    assert watch.trace_names("gdp-per-capita") == ["United States", "China"]
    before = len(watch.requests)

    search = page.get_by_role("combobox", name="Countries")
    search.fill("Nigeria")
    search.press("Enter")
    page.wait_for_function("location.search.includes('country=NGA')")
    watch.wait_drawn()
    assert watch.trace_names("gdp-per-capita") == ["United States", "China", "Nigeria"]
    assert query_of(page.url)["country"] == ["USA", "CHN", "NGA"]
    assert query_of(page.url)["from"] == ["2000"]
    # One request asks for every chart the change redraws, and only those.
    (asked,) = [u for u in watch.requests[before:] if "/api/" in u and "/options" not in u]
    charts = urlparse(asked).path.partition("/figures/")[2].split("/")
    assert "gdp-per-capita" in charts and len(charts) == 12
    assert "world-map" not in charts, "the map does not follow countries"
    assert query_of(asked)["country"] == ["USA", "CHN", "NGA"]
    assert page.url.endswith("&from=2000&to=2015&map_indicator=NY.GDP.PCAP.CD")

    # A copied link reopens the same view.
    copied = page.url
    fresh = page.context.new_page()
    fresh.goto(copied)
    fresh.wait_for_function(
        "[...document.querySelectorAll('.chart')].every(c => c.classList.contains('is-drawn'))"
    )
    names = fresh.evaluate(
        "document.querySelector('#chart-gdp-per-capita .plot').data.map(t => t.name)"
    )
    assert names == ["United States", "China", "Nigeria"]
    assert fresh.locator(".chip").all_inner_texts() == ["United States", "China", "Nigeria"]
    fresh.close()

    # Back returns to the previous view, forward to the new one.
    page.go_back()
    page.wait_for_function("!location.search.includes('NGA')")
    watch.wait_drawn()
    assert watch.trace_names("gdp-per-capita") == ["United States", "China"]
    assert page.locator(".chip").all_inner_texts() == ["United States", "China"]
    page.go_forward()
    page.wait_for_function("location.search.includes('NGA')")
    watch.wait_drawn()
    assert watch.trace_names("gdp-per-capita") == ["United States", "China", "Nigeria"]
    assert watch.errors == []


def test_keyboard_removes_a_country_and_changes_years(live_server, watch):
    page = watch.page
    page.goto(f"{live_server}/d/worldbank?country=USA&country=IND")
    watch.wait_drawn()
    page.get_by_role("button", name="Remove India").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("!location.search.includes('IND')")
    page.get_by_label("Years from", exact=True).select_option("2010")
    page.wait_for_function("location.search.includes('from=2010')")
    watch.wait_drawn()
    assert watch.trace_names("co2-per-capita") == ["United States"]
    years = page.evaluate("document.querySelector('#chart-co2-per-capita .plot').data[0].x")
    assert min(years) == 2010


def test_map_controls_redraw_only_the_map(live_server, watch):
    page = watch.page
    page.goto(f"{live_server}/d/worldbank")
    watch.wait_drawn()
    before = len(watch.requests)
    page.get_by_label("Map indicator", exact=True).select_option("SP.DYN.LE00.IN")
    page.wait_for_function("location.search.includes('map_indicator=SP.DYN.LE00.IN')")
    watch.wait_drawn()
    fetched = [u for u in watch.requests[before:] if "/api/" in u]
    assert len(fetched) == 1 and "/charts/world-map?" in fetched[0]
    title = page.evaluate("document.querySelector('#chart-world-map .plot').layout.title.text")
    assert title.startswith("Life expectancy at birth")


def test_table_view_and_csv_link(live_server, watch):
    page = watch.page
    page.goto(f"{live_server}/d/worldbank?country=IND&from=2014&to=2015")
    watch.wait_drawn()
    card = page.locator("#chart-rural-population")
    card.get_by_role("button", name="Table").click()
    table = card.locator("table")
    table.wait_for()
    assert "67.253" in table.inner_text()
    assert card.locator(".plot").is_hidden()
    href = card.get_by_role("link", name="CSV").get_attribute("href")
    assert href.endswith("/charts/rural-population/data.csv?country=IND&from=2014&to=2015")
    with page.expect_download() as download:
        card.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "worldbank-rural-population.csv"


def test_phone_width(live_server, browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, is_mobile=True, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/d/worldbank")
    page.wait_for_function(
        "[...document.querySelectorAll('.chart')].every(c => c.classList.contains('is-drawn'))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    width = page.evaluate("document.querySelector('#chart-gdp-per-capita .plot').offsetWidth")
    assert 300 <= width <= 375
    context.close()
