"""Fresh data under ``databoard serve --production``: every gunicorn worker serves a replaced
data file after the refresh interval, never a half-written one, and keeps the old data
(with ``/readyz`` saying stale) while a replacement is broken; no restart."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest
import requests
from servers import SECRET, databoard, environment, start

from support import ORDERS_CSV, free_port

pytestmark = pytest.mark.slow

DASHBOARD = """\
title: Live
datasets:
  orders: {source: data/orders.csv, dates: [date]}
filters:
  - {name: region, kind: multiselect, column: region}
charts:
  - {id: total, title: Total, kind: kpi, value: revenue}
  - {id: by-region, title: By region, kind: bar, x: region, y: revenue, aggregate: sum}
"""
#: 40 more orders, so a half-written file would be a different total
MORE = ORDERS_CSV + "".join(f"2024-04-{1 + i % 28:02d},West,Pro,1,{100 + i}.0\n" for i in range(40))
WORKERS = 2


def total(url: str) -> float:
    """The KPI's total, from a new connection each time (so from any worker)."""
    answer = requests.get(
        f"{url}/api/v1/dashboards/live/charts/total/data.json",
        headers={"Connection": "close"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["rows"][0][0]


def expected(path) -> float:
    return float(pd.read_csv(path)["revenue"].sum())


def settled(url: str, value: float, seconds: float = 30, run: int = 12) -> None:
    """Wait until *run* answers in a row (from any worker) say *value*."""
    deadline = time.monotonic() + seconds
    streak = 0
    while streak < run:
        assert time.monotonic() < deadline, f"never {run} answers of {value} in a row"
        streak = streak + 1 if total(url) == value else 0
        time.sleep(0.05)


def readyz(url: str) -> dict:
    return requests.get(f"{url}/readyz", headers={"Connection": "close"}, timeout=10).json()


def stale_while_serving(url: str, good: float, seconds: float = 30) -> dict:
    """Poll ``/readyz`` (from any worker) until one says a dataset is stale; every answer
    meanwhile must be the data before. Return that ``/readyz`` answer."""
    deadline = time.monotonic() + seconds
    while True:
        assert total(url) == good
        body = readyz(url)
        if body["stale"]:
            return body
        assert time.monotonic() < deadline, "no worker ever said the data is stale"
        time.sleep(0.05)


def replace(path, text: str) -> None:
    new = path.with_name(".orders.csv.new")
    new.write_text(text)
    os.replace(new, path)


@pytest.fixture
def served(tmp_path):
    (tmp_path / "site" / "data").mkdir(parents=True)
    (tmp_path / "site" / "data" / "orders.csv").write_text(ORDERS_CSV)
    (tmp_path / "site" / "live.yaml").write_text(DASHBOARD)
    port = free_port()
    env = environment(DATABOARD_SECRET_KEY=SECRET, DATABOARD_DATA_REFRESH="1")
    command = databoard("serve", str(tmp_path / "site"), "--production", "--port", str(port))
    with start(command + ["--workers", str(WORKERS)], tmp_path / "run", port, env) as server:
        yield server, tmp_path / "site" / "data" / "orders.csv"


def test_workers_serve_new_data_and_never_a_broken_or_half_file(served):
    server, data = served
    url = server.url
    assert total(url) == expected(data) == 1360.0

    # replaced atomically: every worker serves the new numbers after the interval
    replace(data, MORE)
    settled(url, expected(data))
    good = expected(data)
    assert good != 1360.0

    # written in place and cut off mid-line, as a writer that is not done leaves it:
    # not served while the writer finishes (the last order's revenue would read as 77)
    complete = MORE + "2024-05-01,North,Basic,3,777.0\n"
    with open(data, "w") as f:
        f.write(complete[:-4])
    body = stale_while_serving(url, good)
    assert "last line is cut off" in body["stale"][0]["why"]
    with open(data, "a") as f:
        f.write(complete[-4:])
    settled(url, expected(data))
    good = expected(data)
    assert good == 1360.0 + sum(100 + i for i in range(40)) + 777.0

    # broken (the column the charts use is gone): the old data serves, /readyz says stale
    replace(data, MORE.replace("revenue", "takings"))
    body = stale_while_serving(url, good)
    assert body["status"] == "degraded"
    [stale] = body["stale"]
    assert stale["dataset"] == "orders" and "unknown column 'revenue'" in stale["why"]
    for _ in range(20):
        assert total(url) == good
    time.sleep(2.5)  # more checks of the same bad file: logged once per worker, not each time
    logged = server.log().count("dataset orders keeps its older data")
    assert 1 <= logged <= WORKERS, server.log()

    # fixed: served, and ready again
    replace(data, ORDERS_CSV)
    settled(url, expected(data))
    deadline = time.monotonic() + 30
    streak = 0
    while streak < 8:  # every worker says ready (answers come from any of them)
        assert time.monotonic() < deadline, readyz(url)
        streak = streak + 1 if readyz(url)["status"] == "ready" else 0
        time.sleep(0.05)
