"""A chart that fails for one view: an error card and a JSON 500 for it alone."""

from __future__ import annotations

import logging

import pytest

from support import ORDERS_CSV

DASHBOARD = """\
import plotly.express as px
from databoard import Bar, Dashboard, MultiSelect

board = Dashboard("fragile", title="Fragile")
board.add_dataset("orders", source="data/orders.csv")
board.add_filter(MultiSelect("region", "region"))
board.add_chart("fine", "Fine", kind=Bar(x="region", y="revenue"))


@board.chart("fragile", "Fragile")
def fragile(frame, view):
    if view["region"] == ["East"]:  # fine by default, so it passes the start-up check
        raise RuntimeError("secret detail from deep inside")
    return px.bar(frame, x="region", y="units")
"""


@pytest.fixture
def client(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("fragile.py", DASHBOARD)
    return folder.app().test_client()


API = "/api/v1/dashboards/fragile/charts"


def test_the_failing_chart_is_a_json_500_without_the_traceback(client, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get(f"{API}/fragile?region=East")
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error == {
        "status": 500,
        "message": "chart 'fragile' failed; the server log has the details",
    }
    assert "secret detail" not in response.get_data(as_text=True)
    assert "secret detail from deep inside" in caplog.text
    assert "Traceback" in caplog.text


def test_the_other_charts_still_answer(client):
    assert client.get(f"{API}/fine?region=East").status_code == 200
    assert client.get(f"{API}/fragile?region=North").status_code == 200


def test_the_page_shows_an_error_card_and_draws_the_rest(client, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get("/d/fragile?region=East")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '"fragile":{"error":"chart \'fragile\' failed; the server log' in html
    assert '"fine":{"data":' in html
    assert "secret detail" not in html
    assert "secret detail from deep inside" in caplog.text
