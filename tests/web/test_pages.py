"""The HTML pages: a requested view is rendered with its figures inline."""

from __future__ import annotations

import json
import re

import pytest


def state_of(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="databoard-state">(.*?)</script>', html, re.S
    )
    assert match, "the page carries its state"
    return json.loads(match.group(1))


def test_index_redirects_to_the_only_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/d/worldbank"


def test_default_view_has_every_figure_inline(client, app):
    response = client.get("/d/worldbank")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    state = state_of(html)
    board = app.extensions["databoard"].get("worldbank")
    assert set(state["figures"]) == set(board.charts)
    assert all(figure["data"] for figure in state["figures"].values())
    assert state["query"] == (
        "country=USA&country=CHN&country=JPN&country=DEU&country=GBR&country=IND"
        "&country=FRA&country=BRA&country=ITA&country=CAN&from=1990&to=2023"
        "&map_indicator=NY.GDP.PCAP.CD"
    )
    for chart in board.charts:
        assert f'id="chart-{chart}"' in html


def test_requested_view_is_rendered_directly(client):
    html = client.get("/d/worldbank?country=IND&from=2000&to=2005&map_year=2001").get_data(
        as_text=True
    )
    state = state_of(html)
    assert state["view"]["country"] == ["IND"]
    assert state["view"]["year"] == [2000, 2005]
    names = {t["name"] for t in state["figures"]["gdp-per-capita"]["data"]}
    assert names == {"India"}
    assert "2001" in state["figures"]["world-map"]["layout"]["title"]["text"]
    assert "<option selected>2000</option>" in html
    assert 'value="IND" selected' in html


def test_footer_names_source_licence_and_data_dates(client):
    html = client.get("/d/worldbank").get_data(as_text=True)
    assert "The World Bank, World Development Indicators" in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    for date in ("2018-05-02", "2018-05-21", "2023-03-01", "2025-04-15"):
        assert f"updated {date}" in html


def test_page_uses_no_cdn(client):
    html = client.get("/d/worldbank").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    local = [u for u in urls if u.startswith("/")]
    external = [u for u in urls if not u.startswith(("/", "#", "?"))]
    # Only the attribution and licence links leave the site; no script or style does.
    assert all(u.startswith("https://") and "cdn" not in u for u in external)
    assert any(u.endswith("/plotly/core.js") for u in local)
    assert any("bootstrap.min.css" in u for u in local)
    for tag in re.findall(r"<(?:script|link)[^>]*>", html):
        assert "http" not in tag, tag


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/d/worldbank?country=XXX", 400, "unknown value &#39;XXX&#39; for &#39;country&#39;"),
        ("/d/worldbank?from=2020&to=1990", 400, "is after"),
        ("/d/nope", 404, "no dashboard"),
        ("/nothing", 404, "404: Not found"),
    ],
)
def test_errors_are_html_pages(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert text in response.get_data(as_text=True)
