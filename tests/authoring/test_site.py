"""A folder of three dashboards is a site: an index of cards, each page, one API."""

from __future__ import annotations

import re

import pytest
import requests

from support import ORDERS_CSV, gunicorn

# Every test here starts servers.
pytestmark = pytest.mark.slow

PYTHON = """\
import plotly.express as px
from databoard import Dashboard

board = Dashboard("python-one", title="Python one", description="Made in Python.")
board.add_dataset("orders", source="data/orders.csv")


@board.chart("units", "Units")
def units(frame, view):
    return px.histogram(frame, x="units")
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "data").mkdir()
    (root / "data" / "orders.csv").write_text(ORDERS_CSV)
    for slug, kind in (("yaml-one", "bar"), ("yaml-two", "pie")):
        options = "x: region, y: revenue" if kind == "bar" else "names: region, values: revenue"
        (root / f"{slug}.yaml").write_text(
            f"title: {slug.title()}\ndescription: A {kind} chart.\n"
            "datasets: {orders: {source: data/orders.csv}}\n"
            f"charts: [{{id: main, title: Main, kind: {kind}, {options}}}]\n"
        )
    (root / "python_one.py").write_text(PYTHON)
    (root / "_helpers.py").write_text("raise RuntimeError('not a dashboard: never imported')\n")
    (root / "notes.txt").write_text("ignored")
    with gunicorn("--workers", "2", env={"DATABOARD_DASHBOARD": str(root)}) as url:
        yield url


def test_index_lists_a_card_per_dashboard(site):
    response = requests.get(site + "/", timeout=10)
    assert response.status_code == 200
    links = re.findall(r'<a class="stretched-link" href="([^"]+)">([^<]+)</a>', response.text)
    assert links == [
        ("/d/python-one", "Python one"),
        ("/d/yaml-one", "Yaml-One"),
        ("/d/yaml-two", "Yaml-Two"),
    ]
    assert "Made in Python." in response.text


def test_every_dashboard_page_and_chart(site):
    body = requests.get(site + "/api/v1/dashboards", timeout=10).json()
    assert [d["slug"] for d in body["dashboards"]] == ["python-one", "yaml-one", "yaml-two"]
    for board in body["dashboards"]:
        assert requests.get(site + board["url"], timeout=10).status_code == 200
        detail = requests.get(site + board["api_url"], timeout=10).json()
        for chart in detail["charts"]:
            figure = requests.get(site + chart["url"], timeout=10).json()
            assert figure["data"], (board["slug"], chart["id"])


def test_pie_totals_equal_the_file(site):
    figure = requests.get(site + "/api/v1/dashboards/yaml-two/charts/main", timeout=10).json()
    (trace,) = figure["data"]
    assert dict(zip(trace["labels"], trace["values"], strict=True)) == {
        "North": 555.0,
        "East": 400.0,
        "South": 405.0,
    }
