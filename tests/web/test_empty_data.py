"""An empty dataset is a valid state: every chart says "No data", nothing answers 500.

A header-only CSV once passed ``check`` and ``/readyz`` and then made the API answer 500.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from databoard import create_app

HEADER = "ts,region,site,code,units,value,year\n"
CHARTS = {
    "line": "{kind: line, x: ts, y: value, color: region}",
    "area": "{kind: area, x: ts, y: value, color: region, aggregate: sum, resample: M}",
    "scatter": "{kind: scatter, x: units, y: value, size: units, color: region, trendline: true}",
    "bar": "{kind: bar, x: region, y: value, color: site, top: 3, other: true}",
    "histogram": "{kind: histogram, x: value, color: region}",
    "box": "{kind: box, y: value, x: region, color: site}",
    "box-alone": "{kind: box, y: value}",
    "pie": "{kind: pie, names: site, values: units, top: 2, other: true}",
    "choropleth": "{kind: choropleth, locations: code, color: value}",
    "table": "{kind: table, columns: [ts, region, value], sort: value, top: 3, other: true}",
    "kpi": "{kind: kpi, value: units, x: year, over: region}",
}
FILTERS = """\
  - {name: region, kind: multiselect, column: region}
  - {name: site, kind: select, column: site}
  - {name: when, kind: range, column: ts, params: [from, to]}
  - {name: units, kind: range, column: units}
  - {name: year, kind: slider, column: year}
"""
DATASETS = {
    "memory": "{source: r.csv, dates: [ts]}",
    "duckdb": "{source: r.parquet, engine: duckdb}",
}
VIEWS = ["", "?region=North", "?from=2024-01-01&to=2024-02-01T00:00Z", "?units_from=1&year=2007"]


def empty_frame() -> pd.DataFrame:
    """No rows, with the types the columns would have."""
    frame = pd.read_csv(io.StringIO(HEADER + "2024-01-01,North,a,USA,1,1.5,2007\n"))
    return frame.astype({"ts": "datetime64[ns]"}).iloc[:0]


@pytest.fixture(scope="module", params=list(DATASETS))
def client(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    (folder / "r.csv").write_text(HEADER)
    empty_frame().to_parquet(folder / "r.parquet")
    charts = "".join(f"  - {{id: {i}, title: {i}, {spec[1:]}\n" for i, spec in CHARTS.items())
    (folder / "empty.yaml").write_text(
        f"title: Empty\ndatasets:\n  r: {DATASETS[request.param]}\n"
        f"filters:\n{FILTERS}charts:\n{charts}"
    )
    return create_app({"TESTING": True, "DASHBOARD": str(folder)}).test_client()


def no_data(figure: dict) -> bool:
    texts = [a["text"] for a in figure["layout"].get("annotations", [])]
    return not figure["data"] and texts == ["No data for this selection"]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("chart", list(CHARTS))
def test_every_chart_kind_says_no_data(client, chart, view):
    answer = client.get(f"/api/v1/dashboards/empty/charts/{chart}{view}")
    assert answer.status_code == 200, answer.data
    assert no_data(answer.get_json())


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("chart", list(CHARTS))
def test_downloads_of_an_empty_chart_are_empty(client, chart, view):
    answer = client.get(f"/api/v1/dashboards/empty/charts/{chart}/data.csv{view}")
    assert answer.status_code == 200, answer.data
    assert pd.read_csv(io.BytesIO(answer.data), comment="#").empty
    answer = client.get(f"/api/v1/dashboards/empty/charts/{chart}/data.json{view}")
    assert answer.status_code == 200, answer.data
    assert json.loads(answer.data)["rows"] == []


@pytest.mark.parametrize("view", VIEWS)
def test_the_page_draws_every_chart_as_no_data(client, view):
    answer = client.get(f"/d/empty{view}")
    assert answer.status_code == 200, answer.data
    page = answer.get_data(as_text=True)
    assert "could not be drawn" not in page
    assert page.count("No data for this selection") >= len(CHARTS)


def test_filters_of_empty_columns_have_no_options_or_bounds(client):
    answer = client.get("/api/v1/dashboards/empty")
    assert answer.status_code == 200, answer.data
    filters = {f["name"]: f for f in answer.get_json()["filters"]}
    assert filters["region"]["options"] == [] and filters["site"]["options"] == []
    assert filters["when"]["bounds"] is None and filters["units"]["bounds"] is None
    assert filters["year"]["values"] == []
    for view in VIEWS:
        answer = client.get(f"/api/v1/dashboards/empty/options{view}")
        assert answer.status_code == 200, answer.data


def test_an_empty_site_is_ready(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.data
