"""A dataset straight from the World Bank API, against a local fake of the API.

``source: {worldbank_api: [...]}`` downloads into the cache folder, reads the files with
the World Bank reader, downloads again on its schedule, and keeps serving what it has
when the API fails. Nothing here reaches the internet.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from test_worldbank_api import GDP, OBSERVATIONS, PATH
from werkzeug import Response

from databoard import create_app
from databoard.authoring.problems import InvalidDashboards
from databoard.cli import main
from databoard.data import worldbank_api

DASHBOARD = """\
title: GDP
datasets:
  gdp:
    source: {worldbank_api: [NY.GDP.MKTP.CD]}
    refresh: 1
filters:
  - {name: country, kind: multiselect, column: country_code}
charts:
  - {id: total, title: GDP, kind: kpi, value: value}
"""
KPI = "/api/v1/dashboards/gdp/charts/total"


class FakeAPI:
    """Serves the sample observations, scaled by ``factor``, or ``failure`` if set."""

    def __init__(self, httpserver):
        self.factor = 1.0
        self.updated = "2025-07-01"
        self.failure: Response | None = None
        self.requests = 0
        httpserver.expect_request(PATH).respond_with_handler(self.handle)
        self.url = httpserver.url_for("/v2")

    def rows(self) -> list[dict]:
        scaled = []
        for row in OBSERVATIONS:
            value = None if row["value"] is None else row["value"] * self.factor
            scaled.append(row | {"value": value})
        return scaled

    def handle(self, request):
        self.requests += 1
        if self.failure is not None:
            return self.failure
        rows = self.rows()
        header = {"page": 1, "pages": 1, "sourceid": "2", "lastupdated": self.updated}
        return Response(json.dumps([header, rows]), content_type="application/json")

    def total(self, countries=None) -> float:
        rows = self.rows()
        return sum(
            r["value"]
            for r in rows
            if r["value"] is not None and (countries is None or r["countryiso3code"] in countries)
        )


@pytest.fixture
def api(httpserver):
    return FakeAPI(httpserver)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "gdp.yaml").write_text(DASHBOARD)
    return tmp_path


def make_app(folder, api):
    return create_app(
        {
            "TESTING": True,
            "DASHBOARD": str(folder / "site"),
            "DATA_CACHE_DIR": str(folder / "cache"),
            "WORLDBANK_API_URL": api.url,
        }
    )


def check_now(app) -> None:
    time.sleep(1.05)
    app.extensions["databoard"].refresher.check()


def kpi(client, query: str = "") -> float:
    """Return the KPI's number in full (the figure shows it scaled, 82.3 T)."""
    return client.get(f"{KPI}/data.json{query}").get_json()["rows"][0][0]


def test_downloads_into_the_cache_and_charts_the_api_numbers(folder, api):
    app = make_app(folder, api)
    client = app.test_client()
    assert kpi(client) == pytest.approx(api.total(), rel=1e-12)
    assert kpi(client, "?country=BRA&country=ARG") == pytest.approx(
        api.total({"BRA", "ARG"}), rel=1e-12
    )
    files = list((folder / "cache").rglob("API_*.csv"))
    assert [f.name for f in files] == [worldbank_api.file_name(GDP)]
    figure = client.get(KPI).get_json()
    assert figure["data_as_of"] == "2025-07-01"  # the API's "last updated" date
    csv = client.get(KPI + "/data.csv").get_data(as_text=True)
    assert "# data_as_of: 2025-07-01\r\n" in csv


def test_a_fresh_download_is_used_without_asking_the_api(folder, api):
    make_app(folder, api)
    asked = api.requests
    app = make_app(folder, api)  # another process would find the same cache
    assert api.requests == asked
    assert kpi(app.test_client()) == pytest.approx(api.total(), rel=1e-12)


def test_refreshes_on_its_schedule(folder, api):
    app = make_app(folder, api)
    client = app.test_client()
    app.extensions["databoard"].refresher.check()  # schedules the first check
    api.factor, api.updated = 2.0, "2025-08-01"
    check_now(app)
    assert kpi(client) == pytest.approx(api.total(), rel=1e-12)
    assert client.get(KPI).get_json()["data_as_of"] == "2025-08-01"


FAILURES = {
    "HTTP 500": Response("oops", status=500),
    "malformed JSON": Response('[{"page": 1', content_type="application/json"),
    "empty page": Response(json.dumps([{"page": 1, "pages": 0, "total": 0}, None])),
}


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_an_api_failure_keeps_the_data_and_says_stale(folder, api, failure):
    app = make_app(folder, api)
    client = app.test_client()
    first = api.total()
    app.extensions["databoard"].refresher.check()  # schedules the first check
    api.factor, api.failure = 3.0, FAILURES[failure]
    check_now(app)
    assert kpi(client) == pytest.approx(first, rel=1e-12)  # the earlier download serves
    body = client.get("/readyz").get_json()
    assert body["status"] == "degraded"
    [stale] = body["stale"]
    assert stale["dataset"] == "gdp" and "World Bank API failed" in stale["why"]
    assert GDP in stale["why"]
    api.failure = None
    check_now(app)
    assert kpi(client) == pytest.approx(api.total(), rel=1e-12) != first
    assert client.get("/readyz").get_json()["stale"] == []


def test_check_downloads_with_the_settings_of_the_environment(folder, api, monkeypatch):
    monkeypatch.setenv("DATABOARD_WORLDBANK_API_URL", api.url)
    monkeypatch.setenv("DATABOARD_DATA_CACHE_DIR", str(folder / "cli-cache"))
    result = CliRunner().invoke(main, ["check", str(folder / "site")])
    assert result.exit_code == 0, result.output
    assert "ok: gdp" in result.output
    assert api.requests == 1
    assert list((folder / "cli-cache").rglob(worldbank_api.file_name(GDP)))


def test_no_download_and_no_api_stops_the_start_with_the_reason(folder, api):
    api.failure = Response('[{"page": 1', content_type="application/json")
    with pytest.raises(InvalidDashboards, match="NY.GDP.MKTP.CD.*not valid JSON"):
        make_app(folder, api)
