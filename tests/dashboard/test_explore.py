"""Which filter a click on a chart sets, as the dashboard API tells the page."""

from __future__ import annotations

import pandas as pd
import pytest

from databoard import Bar, Dashboard, Histogram, Line, MultiSelect, Pie, Select
from databoard.dashboard.explore import click_target

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
