"""Which charts a filter drives: declared with ``charts``, shown, honoured and checked."""

from __future__ import annotations

import re

import plotly.express as px
import pytest
from click.testing import CliRunner

from databoard.cli import main

GAPMINDER = px.data.gapminder()

BOARD = """\
title: Gapminder
datasets:
  gap: {source: gap.csv}
filters:
  - {name: country, kind: multiselect, column: country, default: [Norway, Kuwait, Chad]}
  - {name: map_year, kind: select, column: year, label: Map year, charts: [map], default: 1952}
charts:
  - {id: life, title: Life expectancy, kind: line, x: year, y: lifeExp, color: country}
  - {id: map, title: Map, kind: choropleth, locations: iso_alpha, color: lifeExp,
     hover_name: country}
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from databoard import create_app

    root = tmp_path_factory.mktemp("scope")
    # Kuwait has no rows before 1962 here, so the map's year could hide it from lists.
    GAPMINDER[~((GAPMINDER.country == "Kuwait") & (GAPMINDER.year < 1962))].to_csv(
        root / "gap.csv", index=False
    )
    (root / "gap.yaml").write_text(BOARD)
    return create_app({"TESTING": True, "DASHBOARD": str(root / "gap.yaml")}).test_client()


API = "/api/v1/dashboards/gap"


def test_a_scoped_filter_narrows_only_its_charts(client):
    life = client.get(f"{API}/charts/life?map_year=1952")
    years = {t["name"]: t["x"] for t in life.get_json()["data"]}
    for country in ("Norway", "Chad"):  # every year, not 1952 alone
        assert years[country] == GAPMINDER[GAPMINDER.country == country]["year"].tolist()
    (shown,) = client.get(f"{API}/charts/map?map_year=1977").get_json()["data"]
    chosen = GAPMINDER.country.isin(["Norway", "Kuwait", "Chad"])  # it follows them too
    in_1977 = GAPMINDER[(GAPMINDER.year == 1977) & chosen]
    assert shown["locations"] == in_1977["iso_alpha"].tolist()
    assert shown["z"] == in_1977["lifeExp"].tolist()
    # The line chart's cached answer is found whatever the map's year.
    again = client.get(f"{API}/charts/life?map_year=2007")
    assert again.headers["X-Cache"] == "hit"
    assert again.headers["ETag"] == life.headers["ETag"]


def test_the_api_and_the_page_say_what_each_filter_drives(client):
    filters = {f["name"]: f for f in client.get(API).get_json()["filters"]}
    assert filters["map_year"]["charts"] == ["map"]
    assert filters["map_year"]["drives"] == ["map"]
    assert filters["country"]["charts"] is None
    assert filters["country"]["drives"] == ["life", "map"]
    page = client.get("/d/gap").get_data(as_text=True)
    scope = r'id="filter-(\w+)-scope" class="form-text filter-scope">([^<]*)<'
    said = dict(re.findall(scope, page))
    assert said == {"country": "Drives all charts", "map_year": "Drives: Map"}
    assert 'aria-describedby="filter-map_year-scope"' in page


def test_linked_options_follow_the_scope(client):
    # The map's year does not narrow the countries: Kuwait, without rows in 1952, stays.
    linked = client.get(f"{API}/options?map_year=1952").get_json()["filters"]
    assert "Kuwait" in linked["country"]["options"]
    assert linked["country"]["stale"] == []


GAP_AND_CODES = "  gap: {source: gap.csv}\n  codes: {source: codes.csv}"


def check(path):
    result = CliRunner().invoke(main, ["check", str(path)])
    return result.exit_code, result.output


def test_unknown_or_overruled_charts_are_check_problems(tmp_path):
    GAPMINDER.head(50).to_csv(tmp_path / "gap.csv", index=False)
    path = tmp_path / "gap.yaml"
    path.write_text(BOARD.replace("charts: [map]", "charts: [mapp, life]"))
    code, output = check(path)
    assert code == 1
    assert (
        f"{path}:6: filter 'map_year': charts: unknown chart 'mapp'; did you mean 'map'? "
        "(charts: life, map)"
    ) in output, output
    path.write_text(BOARD.replace("color: country}", "color: country, filters: [country]}"))
    path.write_text(path.read_text().replace("charts: [map]", "charts: [map, life]"))
    code, output = check(path)
    assert code == 1
    assert (
        f"{path}:6: filter 'map_year': charts: chart 'life' follows only its filters (country)"
    ) in output, output
    path.write_text(BOARD.replace("column: year, label", "column: continent, label"))
    path.write_text(path.read_text().replace("  gap: {source: gap.csv}", GAP_AND_CODES))
    path.write_text(path.read_text().replace("hover_name: country}", "dataset: codes}"))
    (tmp_path / "codes.csv").write_text("iso_alpha,lifeExp\nNOR,80\n")
    code, output = check(path)
    assert code == 1
    assert (
        f"{path}:7: filter 'map_year': charts: chart 'map' cannot follow it: its dataset "
        "'codes' has no column 'continent'"
    ) in output, output


def test_in_python_too():
    from databoard import Dashboard, Line, Select

    board = Dashboard("gap", title="Gapminder", root=".")
    board.add_dataset("gap", lambda: GAPMINDER)
    board.add_filter(Select("map_year", "year", charts="map", default=1952))
    board.add_chart("life", "Life", kind=Line(x="year", y="lifeExp", color="country"))
    board.add_chart("map", "Map", kind=Line(x="year", y="pop"))
    board.load()
    assert board.chart_filters(board.charts["life"]) == []
    assert [c.id for c in board.driven_by("map_year")] == ["map"]
    with pytest.raises(ValueError, match="charts is a list of chart ids"):
        Select("map_year", "year", charts=[1])
