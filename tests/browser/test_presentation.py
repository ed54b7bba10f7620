"""How a dashboard looks in real Chromium: numbers, colours, filter scope, phone layout.

The Gapminder table that plotly ships is served by gunicorn as a Python dashboard with
facets, a table, a map and a figure of its author's own; each test looks at it at a
laptop's width (1366 px) or a phone's (375 px) and measures what a person would see.
"""

from __future__ import annotations

import itertools

import plotly.express as px
import pytest

from databoard.charts.numbers import d3_format, default_spec
from databoard.charts.theme import PALETTE

from support import gunicorn

pytestmark = pytest.mark.browser

GAPMINDER = px.data.gapminder()
CHOSEN = ["Afghanistan", "Germany", "France", "Brazil", "India", "Kenya"]  # four continents

DASHBOARD = f"""\
import plotly.express as px

from databoard import ChartRows, Choropleth, Dashboard, Line, MultiSelect, Select, Table

board = Dashboard("gapminder", title="Gapminder")
board.add_dataset("gap", source="gapminder.csv", formats={{"gdpPercap": "$,.0f"}})
board.add_filter(MultiSelect("country", "country", default={CHOSEN!r}))
board.add_filter(Select("map_year", "year", label="Map year", charts=["map"], default=2007))
board.add_chart(
    "life",
    "Life expectancy by continent",
    kind=Line(x="year", y="lifeExp", color="country", facet="continent", facet_columns=3),
    width=12,
)
columns = ["country", "continent", "year", "lifeExp", "pop", "gdpPercap", "iso_alpha"]
board.add_chart("rows", "Rows", kind=Table(columns=columns))


@board.chart(
    "map",
    "Map",
    kind=Choropleth(locations="iso_alpha", color="lifeExp", aggregate="mean"),
    filters=["map_year"],
)
def world(frame, view):
    note = f"Life expectancy at birth in {{view['map_year']}}, the mean where codes repeat"
    return ChartRows(frame, note=note)


@board.chart("growth", "GDP per capita")
def growth(frame, view):
    return px.line(frame, x="year", y="gdpPercap", color="country")
"""

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 800}

#: A grid of specifiers and numbers on which three formatters must agree: plotly.js's
#: own d3-format, the page's (databoard-numbers.js) and the server's (numbers.py).
SPECS = [",d", "d", ",.0f", ",.2f", ".1f", "$,.2f", "$.3s", ".3s", "~s", ".1%", ".0%"]
SPECS += [",.2r", ".4~g", "~g", ".2e", "e", "+.2f", "(,.2f", "08.2f", ",.2~f", ".3~r", "p"]
NUMBERS = [0, 1, -1, 0.5, 2.5, 1952, 8425333, 1234567.891, 0.0456, -0.001, 1e-7]
NUMBERS += [123456789.123, 42e6, 0.1 + 0.2, 2998000, 999900, 12345.678, 1 / 3, -2.5]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("presentation")
    GAPMINDER.to_csv(root / "gapminder.csv", index=False)
    (root / "gapminder.py").write_text(DASHBOARD)
    env = {"DATABOARD_DASHBOARD": str(root / "gapminder.py")}
    with gunicorn("--workers", "1", env=env) as url:
        yield f"{url}/d/gapminder"


def opened(open_watch, site, viewport):
    watch = open_watch(viewport)
    watch.page.goto(site)
    watch.wait_drawn()
    return watch


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate(
        """s => [...document.querySelectorAll(s)].map(e => {
             const r = e.getBoundingClientRect();
             return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width};
           })""",
        selector,
    )


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["right"]
        and b["x"] < a["right"]
        and a["y"] < b["bottom"]
        and b["y"] < a["bottom"]
    )


def table_texts(page, chart: str) -> dict[str, list[str]]:
    """Return the Table view of *chart*, column by column, as shown."""
    card = page.locator(f"#chart-{chart}")
    card.get_by_role("button", name="Table").click()
    card.locator(".table-view table").wait_for()
    return page.evaluate(
        """id => {
             const table = document.querySelector(`#chart-${id} .table-view table`);
             const heads = [...table.tHead.rows[0].cells].map(c => c.textContent);
             const rows = [...table.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent));
             return Object.fromEntries(heads.map((h, i) => [h, rows.map(r => r[i])]));
           }""",
        chart,
    )


def test_the_table_view_shows_numbers_as_the_table_kind_does(site, open_watch):
    page = opened(open_watch, site, LAPTOP).page
    shown = table_texts(page, "rows")
    afghanistan = GAPMINDER[GAPMINDER.country == "Afghanistan"].iloc[0]
    assert shown["year"][0] == "1952"  # never 1,952
    assert shown["pop"][0] == f"{afghanistan['pop']:,}" == "8,425,333"  # never 8,425,330
    assert shown["gdpPercap"][0] == f"${afghanistan['gdpPercap']:,.0f}"  # the author's format
    # The table kind's own cells say the same, column by column.
    kind = page.evaluate(
        "() => {const t = document.querySelector('#chart-rows .plot').data[0];"
        " return Object.fromEntries(t.header.values.map((h, i) => [h, t.cells.values[i]]));}"
    )
    assert kind["Pop"][: len(shown["pop"])] == shown["pop"]
    assert kind["Year"][: len(shown["year"])] == shown["year"]
    assert kind["lifeExp"][: len(shown["lifeExp"])] == shown["lifeExp"]
    life = table_texts(page, "life")
    spec = default_spec("lifeExp", GAPMINDER[GAPMINDER.country.isin(CHOSEN)]["lifeExp"])
    assert life["year"][0] == "1952"
    assert life["lifeExp"][0] == d3_format(spec, afghanistan["lifeExp"])


def test_three_formatters_agree(site, open_watch):
    page = opened(open_watch, site, LAPTOP).page
    plotly, ours = page.evaluate(
        """([specs, numbers]) => databoard.bundle("core").then((Plotly) => {
             const div = document.createElement("div");
             document.body.appendChild(div);
             const cells = specs.map(() => numbers);
             return Plotly.newPlot(div, [{type: "table", cells: {values: cells, format: specs}}],
                                   {height: 30 * numbers.length + 200})
               .then(() => {
                 const shown = [...div.querySelectorAll(".y-column")].map(column =>
                   [...column.querySelectorAll(".cell-text")].map(t => t.textContent)
                     .slice(0, numbers.length));
                 const ours = specs.map(s => numbers.map(n => databoard.formatNumber(s, n)));
                 return [shown, ours];
               });
           })""",
        [SPECS, NUMBERS],
    )
    server = [[d3_format(spec, n) for n in NUMBERS] for spec in SPECS]
    for spec, by_plotly, by_page, by_server in zip(SPECS, plotly, ours, server, strict=True):
        assert by_page == by_server, spec
        assert by_plotly == by_server, spec
    assert len(plotly) == len(SPECS)


def test_custom_figures_share_the_theme_and_the_colours(site, open_watch):
    page = opened(open_watch, site, LAPTOP).page
    growth = page.evaluate(
        "() => {const p = document.querySelector('#chart-growth .plot');"
        " return {bg: p._fullLayout.plot_bgcolor, colorway: p._fullLayout.colorway,"
        " legend: p._fullLayout.legend.orientation,"
        " colours: Object.fromEntries(p.data.map(t => [t.name, t.line.color]))};}"
    )
    assert growth["bg"] == "rgba(0,0,0,0)" and growth["colorway"] == PALETTE
    assert growth["legend"] == "h"
    life = page.evaluate(
        "() => Object.fromEntries(document.querySelector('#chart-life .plot').data"
        ".filter(t => t.showlegend !== false).map(t => [t.name, t.line.color]))"
    )
    expected = {country: PALETTE[i] for i, country in enumerate(CHOSEN)}
    assert growth["colours"] == life == expected


def test_each_filter_says_what_it_drives_and_drives_only_that(site, open_watch):
    watch = opened(open_watch, site, LAPTOP)
    page = watch.page
    assert page.locator("#filter-map_year-scope").inner_text() == "Drives: Map"
    assert page.locator("#filter-country-scope").inner_text() == "Drives all charts but: Map"
    before = len(watch.requests)
    page.get_by_label("Map year").select_option("1952")
    page.wait_for_function("location.search.includes('map_year=1952')")
    watch.wait_drawn()
    fetched = [u for u in watch.requests[before:] if "/api/" in u and "/options" not in u]
    assert len(fetched) == 1 and "/charts/map?" in fetched[0], fetched
    years = page.evaluate(
        "Array.from(document.querySelector('#chart-growth .plot')._fullData[0].x)"
    )
    assert years == sorted(GAPMINDER["year"].unique().tolist())  # not cut to 1952


def test_laptop_layout(site, open_watch):
    page = opened(open_watch, site, LAPTOP).page
    panels = boxes(page, "#chart-life .nsewdrag")
    assert len(panels) == 4 and len({round(p["x"]) for p in panels}) == 3  # three columns
    for title, panel in itertools.product(boxes(page, "#chart-life [class$=title]"), panels):
        assert not overlap(title, panel)
    ticks = boxes(page, "#chart-life .xtick text")
    for name, tick in itertools.product(boxes(page, "#chart-life .annotation"), ticks):
        assert not overlap(name, tick)  # a panel's name clear of the ticks above it
    body = page.locator("#chart-rows .card-body")
    assert body.evaluate("e => e.scrollWidth <= e.clientWidth")  # the table fits
    geo, bar = boxes(page, "#chart-map .geo .bg")[0], boxes(page, "#chart-map .cbbg")[0]
    assert bar["x"] >= geo["right"] - 1  # the colour bar beside the map


def test_phone_layout(site, open_watch):
    page = opened(open_watch, site, PHONE).page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Facets: one panel per row, no title running into another panel.
    panels = boxes(page, "#chart-life .nsewdrag")
    assert len(panels) == 4 and len({round(p["x"]) for p in panels}) == 1
    for a, b in itertools.combinations(panels, 2):
        assert not overlap(a, b)
    titles = boxes(page, "#chart-life [class$=title], #chart-life .annotation")
    for title, panel in itertools.product(titles, panels):
        assert not overlap(title, panel)
    # The table is as wide as its text and scrolls inside its card; no cell is clipped.
    body = page.locator("#chart-rows .card-body")
    assert body.evaluate("e => e.scrollWidth > e.clientWidth")
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('#chart-rows .column-cell')].filter(cell => {
             const rect = cell.querySelector('.cell-rect').getBoundingClientRect();
             const text = cell.querySelector('.cell-text').getBoundingClientRect();
             return text.width > 0 && (text.right > rect.right || text.x < rect.x);
           }).length"""
    )
    assert clipped == 0
    # The map takes the card's width, its colour bar below it.
    geo, bar = boxes(page, "#chart-map .geo .bg")[0], boxes(page, "#chart-map .cbbg")[0]
    card = boxes(page, "#chart-map .plot")[0]
    assert geo["width"] >= 0.9 * card["width"]
    assert bar["y"] >= geo["bottom"] - 1
    (note,) = boxes(page, "#chart-map .gtitle")  # in lines that fit the phone
    assert card["x"] <= note["x"] and note["right"] <= card["right"] and note["y"] >= card["y"]
    # The Table view scrolls inside its card too, every cell whole.
    shown = table_texts(page, "rows")
    assert shown["pop"][0] == "8,425,333"
    assert page.evaluate(
        "() => [...document.querySelectorAll('#chart-rows .table-view td')]"
        ".every(td => td.scrollWidth <= td.clientWidth)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_crossing_the_breakpoint_lays_the_facets_out_again(site, open_watch):
    page = opened(open_watch, site, LAPTOP).page
    page.set_viewport_size(PHONE)
    page.wait_for_function(
        "new Set([...document.querySelectorAll('#chart-life .nsewdrag')]"
        ".map(e => Math.round(e.getBoundingClientRect().x))).size === 1"
    )
    page.set_viewport_size(LAPTOP)
    page.wait_for_function(
        "new Set([...document.querySelectorAll('#chart-life .nsewdrag')]"
        ".map(e => Math.round(e.getBoundingClientRect().x))).size === 3"
    )
