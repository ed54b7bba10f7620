"""A DuckDB dataset under ``databoard serve --production``: each worker its own database.

DuckDB's state does not survive a fork (its threads stay behind): a worker using the
database the server opened before forking answers slowly, and aborts as it exits.
"""

from __future__ import annotations

import signal

import pytest
import requests
from servers import SECRET, children, databoard, environment, start, wait_for

from support import free_port, readings

pytestmark = pytest.mark.slow

BOARD = """\
title: Readings
datasets:
  r:
    source: readings.parquet
    engine: duckdb
    rollup: {time: ts, by: [region], along: [value]}
charts:
  - {id: sums, title: Sums, kind: bar, x: region, y: units, aggregate: sum}
  - {id: points, title: Points, kind: scatter, x: value, y: units, color: region}
"""


def test_each_worker_opens_its_own_duckdb_and_exits_cleanly(tmp_path):
    frame = readings()
    frame.to_parquet(tmp_path / "readings.parquet")
    (tmp_path / "readings.yaml").write_text(BOARD)
    port = free_port()
    env = environment(DATABOARD_SECRET_KEY=SECRET)
    command = databoard(
        "serve",
        "--production",
        str(tmp_path / "readings.yaml"),
        "--port",
        str(port),
        "--workers",
        "2",
    )
    with start(command, tmp_path, port, env) as server:
        workers = children(server.proc.pid)
        # each worker loaded the dataset into a database of its own before it served
        for pid in workers:
            wait_for(lambda pid=pid: f"worker {pid}: dataset r loaded" in server.log(), server)
        expected = frame.groupby("region")["units"].sum().to_dict()
        for _ in range(8):  # enough requests for both workers
            url = f"{server.url}/api/v1/dashboards/readings/charts/sums"
            figure = requests.get(url, timeout=30).json()
            bars = figure["data"][0]
            assert dict(zip(bars["x"], bars["y"], strict=True)) == expected
            points = requests.get(f"{server.url}/api/v1/dashboards/readings/charts/points")
            assert points.status_code == 200
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=60) == 0, server.log()
    log = server.log()
    assert "SIGABRT" not in log and "terminate called" not in log, log
