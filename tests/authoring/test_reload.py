"""`databoard serve --debug` stays up through mistakes: it loads again when a dashboard or
data file changes, shows the problems in place of the dashboard, and the dashboard again
once they are fixed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd
import pytest
import requests

from support import ORDERS_CSV, bin_path, debug_scaffold, free_port, running

DASHBOARD = """\
title: Live
datasets: {orders: {source: data/orders.csv}}
charts: [{id: total, title: Total, kind: kpi, value: revenue}]
"""


def total(url: str) -> float:
    figure = requests.get(f"{url}/api/v1/dashboards/live/charts/total", timeout=5).json()
    return figure["data"][0]["value"]


def eventually(check: Callable[[], bool], seconds: float = 30) -> None:
    """Wait until *check* holds (a server reloading may not answer meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, KeyError, ValueError):
            pass
        time.sleep(0.2)
    assert check()


@pytest.mark.slow
def test_debug_server_reloads_on_data_change(tmp_path):
    (tmp_path / "data").mkdir()
    data = tmp_path / "data" / "orders.csv"
    data.write_text(ORDERS_CSV)
    (tmp_path / "live.yaml").write_text(DASHBOARD)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [bin_path("databoard"), "serve", str(tmp_path / "live.yaml"), "--port", str(port)]
    with running([*command, "--debug"], url):
        assert total(url) == pd.read_csv(data)["revenue"].sum()
        data.write_text(ORDERS_CSV + "2024-04-01,West,Pro,1,1000.0\n")
        eventually(lambda: total(url) == pd.read_csv(data)["revenue"].sum())


@pytest.mark.slow
def test_a_mistake_shows_its_problems_until_it_is_fixed(tmp_path):
    with debug_scaffold(tmp_path) as (url, file):
        good = file.read_text()
        assert requests.get(f"{url}/d/shop", timeout=10).status_code == 200
        token = requests.get(f"{url}/-/live", timeout=10).json()["token"]
        process = token.split("-")[0]

        mistake = good.replace("    y: revenue\n", "    y: revenu\n", 1)
        line = good[: good.index("  - id: revenue-by-month")].count("\n") + 1  # the chart's line
        file.write_text(mistake)
        # a page waiting for a change is answered once the site has loaded again
        assert requests.get(f"{url}/-/live?token={token}", timeout=30).json()["token"] != token
        page = requests.get(f"{url}/d/shop", timeout=10)
        assert page.status_code == 503
        assert f"shop/dashboard.yaml:{line}</code>" in page.text
        assert "unknown column &#39;revenu&#39;; did you mean &#39;revenue&#39;?" in page.text
        answer = requests.get(f"{url}/api/v1/dashboards/shop", timeout=10)
        assert answer.status_code == 503
        assert answer.json()["error"]["problems"][0]["line"] == line

        file.write_text(good)
        eventually(lambda: requests.get(f"{url}/d/shop", timeout=10).status_code == 200)
        sales = pd.read_csv(file.parent / "data" / "sales.csv")
        kpi = requests.get(f"{url}/api/v1/dashboards/shop/charts/units-total", timeout=10).json()
        assert (
            kpi["data"][0]["value"] == sales[sales["month"] == sales["month"].max()]["units"].sum()
        )
        # the same server all along: its process token never changed (only its loads)
        assert requests.get(f"{url}/-/live", timeout=10).json()["token"].split("-")[0] == process
