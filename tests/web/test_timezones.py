"""A range filter given a time with a zone (``?to=2024-01-02T00:00Z``) is converted, not a 500.

Naive date columns are taken as UTC, so the time is converted to UTC and its zone dropped;
a column with a zone gets the time in its own zone. In memory and in DuckDB alike.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from databoard import create_app

#: The readings: one every three hours over four days.
STAMPS = pd.date_range("2024-01-01", periods=32, freq="3h")

DASHBOARD = """\
title: Zones
datasets:
  r: {dataset}
filters:
  - {{name: when, kind: range, column: ts, params: [from, to]}}
charts:
  - {{id: line, title: Level, kind: line, x: ts, y: level}}
  - {{id: rows, title: Rows, kind: table, columns: [ts, level]}}
"""
DATASETS = {
    "memory": "{source: r.csv, dates: [ts]}",
    "memory-zoned": "{source: r.parquet}",
    "duckdb": "{source: r.parquet, engine: duckdb}",
    "duckdb-zoned": "{source: r.parquet, engine: duckdb}",
}


@pytest.fixture(scope="module", params=list(DATASETS))
def zoned(request, tmp_path_factory):
    """A client of the dashboard over the readings in one backend; its rows; their zone."""
    zone = "Europe/Berlin" if request.param.endswith("zoned") else None
    tmp_path = tmp_path_factory.mktemp(request.param)
    frame = pd.DataFrame({"ts": STAMPS.tz_localize(zone), "level": range(len(STAMPS))})
    frame.to_parquet(tmp_path / "r.parquet")
    frame.to_csv(tmp_path / "r.csv", index=False)
    (tmp_path / "zones.yaml").write_text(DASHBOARD.format(dataset=DATASETS[request.param]))
    app = create_app({"TESTING": True, "DASHBOARD": str(tmp_path)})
    return app.test_client(), frame, zone


def expected_levels(frame, zone, low=None, high=None) -> list[int]:
    """The levels pandas keeps for the bounds, each converted as documented."""
    keep = pd.Series(True, index=frame.index)
    for bound, test in ((low, frame.ts.__ge__), (high, frame.ts.__le__)):
        if bound is not None:
            stamp = pd.Timestamp(bound)
            stamp = stamp.tz_convert(zone) if zone else stamp.tz_convert("UTC").tz_localize(None)
            keep &= test(stamp)
    return frame.level[keep].tolist()


QUERIES = [
    {"to": "2024-01-02T00:00Z"},
    {"to": "2024-01-02T02:00+02:00"},
    {"from": "2024-01-01T05:30-01:00", "to": "2024-01-03T12:00:00+00:00"},
    {"from": "2024-01-02T00:00:00.000Z"},
]


@pytest.mark.parametrize("query", QUERIES)
def test_downloads_keep_the_converted_range(zoned, query):
    client, frame, zone = zoned
    expected = expected_levels(frame, zone, query.get("from"), query.get("to"))
    assert 0 < len(expected) < len(frame)
    for chart in ("line", "rows"):
        path = f"/api/v1/dashboards/zones/charts/{chart}"
        answer = client.get(f"{path}/data.json", query_string=query)
        assert answer.status_code == 200, answer.data
        rows = json.loads(answer.data)["rows"]
        assert [row[1] for row in rows] == expected
        answer = client.get(f"{path}/data.csv", query_string=query)
        assert answer.status_code == 200, answer.data
        csv = pd.read_csv(io.BytesIO(answer.data), comment="#")
        assert csv["level"].tolist() == expected


@pytest.mark.parametrize("query", QUERIES)
def test_the_page_and_figure_draw_the_converted_range(zoned, query):
    client, frame, zone = zoned
    expected = expected_levels(frame, zone, query.get("from"), query.get("to"))
    page = client.get("/d/zones", query_string=query)
    assert page.status_code == 200, page.data
    figure = client.get("/api/v1/dashboards/zones/charts/line", query_string=query)
    assert figure.status_code == 200, figure.data
    (trace,) = json.loads(figure.data)["data"]
    assert trace["y"] == expected


@pytest.mark.parametrize(
    "path",
    [
        "/d/zones",
        "/api/v1/dashboards/zones/charts/line",
        "/api/v1/dashboards/zones/charts/line/data.csv",
        "/api/v1/dashboards/zones/charts/rows/data.json",
    ],
)
@pytest.mark.parametrize("text", ["2024-01-02T25:00Z", "yesterday-ish", "2024-01-02T00:00+99:00"])
def test_an_unreadable_time_is_a_400_naming_the_parameter(zoned, path, text):
    client, _, _ = zoned
    answer = client.get(path, query_string={"to": text}, headers={"Accept": "application/json"})
    assert answer.status_code == 400, answer.data
    if path.startswith("/api/"):
        assert answer.get_json()["error"]["parameter"] == "to"
    assert b"&#39;to&#39; must be a date" in answer.data or b"'to' must be a date" in answer.data
