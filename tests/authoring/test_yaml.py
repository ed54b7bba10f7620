"""YAML dashboards: datasets with wrangling, every filter kind, charts by kind, the API."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from support import ORDERS_CSV

ORDERS = pd.read_csv(io.StringIO(ORDERS_CSV), parse_dates=["date"])

DASHBOARD = """\
title: Orders
description: Orders by region.
datasets:
  orders:
    source: data/orders.csv
    dates: [date]
    rename: {units: quantity}
    query: "revenue > 0"
  scores:
    source: data/scores.csv
    melt: {id: [team], var: year, value: score}
filters:
  - {name: region, kind: multiselect, column: region, default: [North, South]}
  - {name: date, kind: range, column: date, params: [from, to]}
  - {name: product, kind: select, column: product}
  - {name: year, kind: range, column: year}
  - {name: minimum, kind: select, options: [0, 200, 300], default: 0, none_label: Any}
charts:
  - {id: total, title: Revenue, kind: kpi, value: revenue}
  - {id: by-region, title: Revenue by region, kind: bar, x: region, y: revenue, unit: US$}
  - {id: big, title: Big orders, kind: table, query: "revenue >= @minimum",
     filters: [region, date, minimum]}
  - {id: scores, title: Scores, kind: line, dataset: scores, x: year, y: score, color: team}
layout:
  - [total]
  - [by-region, big]
  - [scores]
"""


@pytest.fixture
def client(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("data/scores.csv", "team,2021,2022\nRed,10,12\nBlue,8,\n")
    folder.write("orders.yaml", DASHBOARD)
    return folder.app().test_client()


API = "/api/v1/dashboards/orders"


def test_described_like_any_dashboard(client):
    body = client.get(API).get_json()
    filters = {f["name"]: f for f in body["filters"]}
    assert filters["region"]["options"] == [
        {"value": v, "label": v} for v in ["East", "North", "South"]
    ]
    assert filters["region"]["default"] == ["North", "South"]
    assert filters["date"]["bounds"] == ["2024-01-15", "2024-03-02"]
    assert filters["year"]["bounds"] == [2021, 2022]
    assert filters["product"]["options"][0] == {"value": "Basic", "label": "Basic"}
    assert [c["id"] for c in body["charts"]] == ["total", "by-region", "big", "scores"]
    assert {c["id"]: c["filters"] for c in body["charts"]}["scores"] == ["year"]


def test_default_view_numbers_equal_pandas(client):
    figure = client.get(f"{API}/charts/by-region").get_json()
    (trace,) = figure["data"]
    expected = ORDERS[ORDERS.region.isin(["North", "South"])].groupby("region")["revenue"].sum()
    assert dict(zip(trace["x"], trace["y"], strict=True)) == expected.to_dict()


def test_every_filter_kind_narrows_the_data(client):
    query = "?region=North&region=East&from=2024-02-01&to=2024-03-02&product=Basic"
    (trace,) = client.get(f"{API}/charts/by-region{query}").get_json()["data"]
    rows = ORDERS[
        ORDERS.region.isin(["North", "East"])
        & (ORDERS.date >= "2024-02-01")
        & (ORDERS.date <= "2024-03-02")
        & (ORDERS["product"] == "Basic")
    ]
    assert (
        dict(zip(trace["x"], trace["y"], strict=True))
        == rows.groupby("region")["revenue"].sum().to_dict()
    )


def test_wrangling_and_a_query_parameter(client):
    body = client.get(f"{API}/charts/big/data.json?minimum=300&region=East").get_json()
    assert body["columns"][:4] == ["date", "region", "product", "quantity"]
    assert [r[1] for r in body["rows"]] == ["East"]
    assert body["rows"][0][4] == 400.0


def test_melted_years_are_rows_with_gaps(client):
    figure = client.get(f"{API}/charts/scores").get_json()
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["Red"]["y"] == [10.0, 12.0]
    assert traces["Blue"]["y"] == [8.0, None]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?region=West", "region"),
        ("?from=not-a-date", "from"),
        ("?from=2024-03-01&to=2024-02-01", "from"),
        ("?to=2024-12-31", "to"),
        ("?from=2023-01-01", "from"),
        ("?product=Gold", "product"),
        ("?minimum=100", "minimum"),
        ("?year_from=1990", "year_from"),
        ("?colour=red", "colour"),
    ],
)
def test_bad_values_are_400s_naming_the_parameter(client, query, parameter):
    response = client.get(f"{API}/charts/big{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_page_lays_out_rows_and_date_inputs(client):
    html = client.get("/d/orders").get_data(as_text=True)
    assert html.count('class="row g-3 mb-3"') == 3
    assert 'class="col-12 col-xl-6"' in html  # two charts share the second row
    assert 'type="date"' in html and 'value="2024-01-15"' in html
    assert '<option value="">All</option>' in html  # product: no choice keeps every row
    assert 'name="minimum"' in html.split('id="chart-big"')[1]  # a parameter in its card
