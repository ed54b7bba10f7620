"""A real gunicorn process serving ``databoard:create_app()`` on loopback."""

from __future__ import annotations

import re

import pytest
import requests

from databoard.dashboards.worldbank import TOP10


def test_page(live_server):
    response = requests.get(f"{live_server}/d/worldbank", timeout=10)
    assert response.status_code == 200
    assert "World Bank development dashboard" in response.text
    assert response.headers["Content-Encoding"] in ("br", "gzip")


def test_api(live_server):
    response = requests.get(
        f"{live_server}/api/v1/dashboards/worldbank/charts/gdp-per-capita", timeout=10
    )
    assert response.status_code == 200
    assert len(response.json()["data"]) == len(TOP10)
    bad = requests.get(f"{live_server}/api/v1/dashboards/worldbank/charts/gdp-per-capita?from=x")
    assert bad.status_code == 400
    assert bad.json()["error"]["parameter"] == "from"


@pytest.mark.parametrize(
    ("pattern", "least"),
    [
        (r'href="(/static/[0-9a-f]{12}/plotly/core\.js)"', 100_000),  # the partial bundle
        (r'"(/static/[0-9a-f]{12}/plotly\.min\.js)"', 3_000_000),  # the whole plotly.js
    ],
)
def test_plotly_assets(live_server, pattern, least):
    html = requests.get(f"{live_server}/d/worldbank", timeout=10).text
    url = re.search(pattern, html).group(1)
    response = requests.get(live_server + url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] in ("br", "gzip")
    assert len(response.content) > least  # decoded
    assert "ETag" in response.headers
