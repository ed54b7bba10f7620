"""``LIVE_RELOAD`` (``serve --debug``): a saved file reloads the site in place; a mistake
is served as its problems until the next save fixes it; pages wait on ``/-/live``."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from databoard.web import live

from support import ORDERS_CSV

GOOD = """\
title: Orders
datasets:
  orders: {source: data/orders.csv}
charts:
  - {id: total, title: Total, kind: kpi, value: revenue}
"""
PYTHON = """\
from databoard import Dashboard, Kpi
from _names import TITLE

board = Dashboard("py", title=TITLE)
board.add_dataset("orders", source="data/orders.csv")
board.add_chart("total", "Total", kind=Kpi("revenue"))
"""


@pytest.fixture
def site(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("orders.yaml", GOOD)
    return folder


def token(client, seen: str | None = None) -> str:
    query = f"?token={seen}" if seen else ""
    answer = client.get(f"/-/live{query}")
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.get_json()["token"]


def total(client, slug: str = "orders") -> float:
    figure = client.get(f"/api/v1/dashboards/{slug}/charts/total").get_json()
    return figure["data"][0]["value"]


def test_a_mistake_shows_its_problems_and_the_fix_the_dashboard(site):
    client = site.app(LIVE_RELOAD=True).test_client()
    first = token(client)
    page = client.get("/d/orders").text
    assert re.search(rf'src="[^"]+/live\.js" data-url="/-/live" data-token="{first}"', page)

    site.write("orders.yaml", GOOD.replace("value: revenue", "value: revenu"))
    second = token(client, first)  # answered as soon as the site loads again
    assert second != first
    broken = client.get("/d/orders")
    assert broken.status_code == 503
    assert "orders.yaml:5</code>" in broken.text
    assert "unknown column &#39;revenu&#39;; did you mean &#39;revenue&#39;?" in broken.text
    assert f'data-token="{second}"' in broken.text  # the problems page follows the files too

    site.write("orders.yaml", GOOD.replace("title: Orders", "title: Orders fixed"))
    page = client.get("/d/orders")  # any request looks at the files first
    assert page.status_code == 200
    assert '<h1 class="h3 mb-0">Orders fixed</h1>' in page.text
    assert token(client) not in (first, second)
    assert total(client) == pd.read_csv(site.root / "data" / "orders.csv")["revenue"].sum()


def test_data_and_new_files_reload_too(site):
    client = site.app(LIVE_RELOAD=True).test_client()
    first = token(client)
    site.write("data/orders.csv", ORDERS_CSV + "2024-04-01,West,Pro,1,1000.0\n")
    # Data files are checked every second; the change reaches the pages' token too.
    assert token(client, first) != first
    assert total(client) == pd.read_csv(site.root / "data" / "orders.csv")["revenue"].sum()
    site.write("second.yaml", GOOD.replace("Orders", "Second"))
    slugs = [d["slug"] for d in client.get("/api/v1/dashboards").get_json()["dashboards"]]
    assert slugs == ["orders", "second"]


def test_a_python_dashboards_helpers_run_again(site):
    site.write("py.py", PYTHON)
    site.write("_names.py", "TITLE = 'First'\n")
    client = site.app(LIVE_RELOAD=True).test_client()
    assert client.get("/api/v1/dashboards/py").get_json()["title"] == "First"
    site.write("_names.py", "TITLE = 'Second title'\n")
    assert client.get("/api/v1/dashboards/py").get_json()["title"] == "Second title"


def test_an_unchanged_site_answers_the_same_token_after_the_wait(site, monkeypatch):
    monkeypatch.setattr(live, "WAIT", 0.3)
    client = site.app(LIVE_RELOAD=True).test_client()
    first = token(client)
    assert token(client, first) == first


def test_without_live_reload_pages_do_not_wait(site):
    client = site.app().test_client()
    assert client.get("/-/live").status_code == 404
    assert "live.js" not in client.get("/d/orders").text
