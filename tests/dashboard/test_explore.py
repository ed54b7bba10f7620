"""Which filter a click on a chart sets, as the dashboard API tells the page."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from databoard import (
    Bar,
    Dashboard,
    Histogram,
    Line,
    MultiSelect,
    Pie,
    Select,
    Slider,
    create_app,
)
from databoard.cli import main
from databoard.dashboard.explore import click_target, link_problem

from support import ROOT

GUIDE = (ROOT / "docs" / "authoring.md").read_text()
EXPLORE_FILES = re.findall(r"<!-- file: explore/(\S+) -->\n```\w*\n(.*?)```", GUIDE, re.S)

SALES = pd.DataFrame(
    {"shop": ["a", "b"], "name": ["A", "B"], "region": ["x", "y"], "n": [1.0, 2.0]}
)


def board() -> Dashboard:
    made = Dashboard("t", title="T", root=".")
    made.add_dataset("sales", lambda: SALES)
    made.add_filter(MultiSelect("shop", "shop", labels="name"))
    made.add_filter(Select("region", "region"))
    return made


@pytest.mark.parametrize(
    ("kind", "click", "expected"),
    [
        (Bar(x="shop", y="n"), None, ("shop", "shop", "x", "value")),
        (Bar(x="n", y="name", orientation="h"), None, ("shop", "name", "y", "label")),
        (Bar(x="n", y="region", orientation="h"), None, ("region", "region", "y", "value")),
        (Line(x="n", y="n", color="name"), None, ("shop", "name", "name", "label")),
        (Bar(x="shop", y="n", color="region"), "region", ("region", "region", "name", "value")),
        (Pie(names="region", values="n"), None, ("region", "region", "label", "value")),
        (Bar(x="shop", y="n"), False, None),
        (Bar(x="shop", y="n"), "n", None),  # no filter uses it
        (Histogram(x="shop"), None, None),
    ],
)
def test_click_target(kind, click, expected):
    made = board()
    chart = made.add_chart("c", "C", kind=kind, click=click)
    target = click_target(made, chart)
    keys = ("filter", "column", "point", "by")
    assert (tuple(target[k] for k in keys) if target else None) == expected


def test_the_world_bank_charts_say_what_a_click_sets(client):
    charts = client.get("/api/v1/dashboards/worldbank").get_json()["charts"]
    click = {c["id"]: c["click"] for c in charts}
    assert click["gdp-per-capita"] == {
        "filter": "country",
        "column": "country",
        "point": "name",
        "by": "label",
    }
    assert click["world-map"]["column"] == "country_code"
    assert click["world-map"]["by"] == "value"
    assert click["arable-land-latest"]["point"] == "y"


@pytest.fixture(scope="module")
def guide_client(tmp_path_factory):
    """The authoring guide's explore example, served by the Flask app."""
    root = tmp_path_factory.mktemp("guide") / "explore"  # its dashboard.yaml is /d/explore
    for name, text in EXPLORE_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    app = create_app({"TESTING": True, "DASHBOARD": str(root), "CACHE_WARM": False})
    return app.test_client(), pd.read_csv(root / "data" / "sales.csv")


def test_linked_options_follow_the_other_filters_like_pandas(guide_client):
    client, sales = guide_client
    answer = client.get("/api/v1/dashboards/explore/options?city=Port&shop=Market&shop=Harbour")
    assert answer.status_code == 200
    linked = answer.get_json()["filters"]
    port = sales[sales["city"] == "Port"]
    assert linked["shop"]["options"] == sorted(port["shop"].unique())
    assert linked["shop"]["stale"] == ["Market"]  # selected, but no rows in Port
    both = sales[sales["shop"].isin(["Market", "Harbour"])]
    assert linked["city"] == {"options": sorted(both["city"].unique()), "stale": []}
    unfiltered = client.get("/api/v1/dashboards/explore/options").get_json()["filters"]
    assert unfiltered["shop"]["options"] == sorted(sales["shop"].unique())


def test_linked_options_name_a_bad_parameter(guide_client):
    client, _ = guide_client
    answer = client.get("/api/v1/dashboards/explore/options?city=Atlantis")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["parameter"] == "city"


PLAY_FILES = re.findall(r"<!-- file: play/(\S+) -->\n```\w*\n(.*?)```", GUIDE, re.S)


@pytest.fixture(scope="module")
def play_client(tmp_path_factory):
    """The authoring guide's slider example, served by the Flask app."""
    root = tmp_path_factory.mktemp("guide") / "play"  # its dashboard.yaml is /d/play
    for name, text in PLAY_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    app = create_app({"TESTING": True, "DASHBOARD": str(root), "CACHE_WARM": False})
    return app.test_client(), pd.read_csv(root / "data" / "countries.csv")


def test_slider_shows_one_step_as_pandas_does(play_client):
    client, countries = play_client
    detail = client.get("/api/v1/dashboards/play").get_json()
    (year,) = detail["filters"]
    assert year["values"] == sorted(countries["year"].unique().tolist())
    assert (year["kind"], year["default"], year["interval"]) == ("slider", 1952, 600)
    figure = client.get("/api/v1/dashboards/play/charts/people?year=1977").get_json()
    rows = countries[countries["year"] == 1977]
    assert figure["data"][0]["y"] == rows.groupby("country")["population"].sum().tolist()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=1960", "unknown value '1960' for 'year'"),
        ("year=nineteen", "'year' must be a number"),
        ("year=1952&year=1977", "'year' may be given once"),
    ],
)
def test_slider_names_a_bad_step(play_client, query, message):
    client, _ = play_client
    answer = client.get(f"/api/v1/dashboards/play/charts/people?{query}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["parameter"] == "year"
    assert message in answer.get_json()["error"]["message"]


def test_slider_interval_is_checked():
    with pytest.raises(ValueError, match="interval must be a whole number"):
        Slider("year", "year", interval=10)


DRILL_FILES = re.findall(r"<!-- file: drill/(\S+) -->\n```\w*\n(.*?)```", GUIDE, re.S)


def test_a_link_says_where_a_click_leads(tmp_path):
    for name, text in DRILL_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    app = create_app({"TESTING": True, "DASHBOARD": str(tmp_path), "CACHE_WARM": False})
    client = app.test_client()
    (chart,) = client.get("/api/v1/dashboards/continents").get_json()["charts"]
    assert chart["click"] is None  # the link wins
    link = chart["link"]
    assert (link["url"], link["filter"], link["point"]) == ("/d/countries", "continent", "x")
    assert link["values"]["Europe"] == "Europe" and "Other" not in link["values"]


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ({"dashboard": "nowhere", "filter": "shop"}, "unknown dashboard 'nowhere'"),
        ({"dashboard": "t", "filter": "nope"}, "has no select or multiselect filter 'nope'"),
        ({"dashboard": "t"}, "link needs exactly 'dashboard' and 'filter'"),
        ({"dashboard": "t", "filter": "region"}, "gives no value of 'region'"),
    ],
)
def test_link_problems_name_what_is_wrong(link, message):
    made = board()
    chart = made.add_chart("c", "C", kind=Bar(x="shop", y="n"), link=link)
    assert message in link_problem(chart, {"t": made})


def test_check_reports_a_broken_link_with_its_line(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "s.csv").write_text("shop,n\na,1\n")
    (tmp_path / "board.yaml").write_text(
        "title: B\n"
        "datasets: {s: {source: data/s.csv}}\n"
        "charts:\n"
        "  - {id: c, title: C, kind: bar, x: shop, y: n,\n"
        "     link: {dashboard: shops, filter: shop}}\n"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code != 0
    assert "board.yaml:4" in result.output
    assert "unknown dashboard 'shops'" in result.output


def test_check_reports_a_click_column_no_filter_uses(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "s.csv").write_text("shop,n\na,1\n")
    (tmp_path / "board.yaml").write_text(
        "title: B\n"
        "datasets: {s: {source: data/s.csv}}\n"
        "filters: [{name: shop, kind: multiselect, column: shop}]\n"
        "charts: [{id: c, title: C, kind: bar, x: shop, y: n, click: n}]\n"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code != 0
    assert "click: no select or multiselect filter uses 'n'" in result.output
