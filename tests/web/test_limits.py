"""Long request lines: every country fits; past the limit, the app's own 414."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from databoard import config

API = "/api/v1/dashboards/worldbank"


@pytest.fixture
def every_country(app) -> str:
    """The query string selecting each of the 217 countries."""
    countries = app.extensions["databoard"].dashboards["worldbank"].filters["country"].options
    assert len(countries) == 217
    return urlencode([("country", code) for code in countries])


def test_a_view_of_every_country(client, every_country):
    query = every_country
    page = client.get(f"/d/worldbank?{query}")
    assert page.status_code == 200
    figure = client.get(f"{API}/charts/gdp-per-capita?{query}").get_json()
    assert len(figure["data"]) == 217


@pytest.mark.parametrize("path", [f"{API}/charts/gdp-per-capita", "/d/worldbank", "/nope"])
def test_past_the_limit(client, app, path, every_country):
    query = "&".join([every_country] * 4)  # 10 kB
    response = client.get(f"{path}?{query}")
    assert response.status_code == 414
    limit = app.config["MAX_REQUEST_LINE"]
    message = f"over the limit of {limit:,} bytes: select fewer values"
    if path.startswith("/api/"):
        error = response.get_json()["error"]
        assert error["status"] == 414 and error["message"].endswith(message)
    else:
        assert response.mimetype == "text/html" and message in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"]


def test_the_limit_is_checked_at_start():
    with pytest.raises(config.ConfigError, match="MAX_REQUEST_LINE: expected 256 to 8190"):
        config.load({"MAX_REQUEST_LINE": 9000}, environ={})
