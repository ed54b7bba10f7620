"""`databoard serve --debug` reloads when a dashboard's data file changes."""

from __future__ import annotations

import time

import pytest
import requests

from support import ORDERS_CSV, bin_path, free_port, running

DASHBOARD = """\
title: Live
datasets: {orders: {source: data/orders.csv}}
charts: [{id: total, title: Total, kind: kpi, value: revenue}]
"""


def total(url: str) -> float:
    figure = requests.get(f"{url}/api/v1/dashboards/live/charts/total", timeout=5).json()
    return figure["data"][0]["value"]


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
        assert total(url) == 240 + 225 + 315 + 400 + 180
        time.sleep(1.1)  # a new modification time, whatever the file system's resolution
        data.write_text(ORDERS_CSV + "2024-04-01,West,Pro,1,1000.0\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if total(url) == 240 + 225 + 315 + 400 + 180 + 1000:
                    break
            except (requests.RequestException, KeyError, ValueError):
                pass  # restarting
            time.sleep(0.3)
        assert total(url) == 2360.0
