"""`databoard serve` on a folder with a broken dashboard: production refuses to start
(strict) unless told otherwise; development serves the others."""

from __future__ import annotations

import secrets
import subprocess

import pytest
import requests

from support import ORDERS_CSV, bin_path, free_port, running

pytestmark = pytest.mark.slow

GOOD = """\
title: Orders
datasets: {orders: {source: data/orders.csv}}
charts: [{id: total, title: Total, kind: kpi, value: revenue}]
"""
PROBLEM = "bad.yaml:3: chart 'total': unknown column 'revenu'; did you mean 'revenue'?"
PRODUCTION = {"DATABOARD_SECRET_KEY": secrets.token_hex(32)}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text(ORDERS_CSV)
    (tmp_path / "orders.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(GOOD.replace("value: revenue", "value: revenu"))
    return tmp_path


def serve(folder, *options: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [bin_path("databoard"), "serve", str(folder), "--port", str(free_port())]
    return subprocess.run(
        [*command, *options], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.mark.parametrize("options", [("--production",), ("--strict",)])
def test_strict_refuses_to_start(folder, options, monkeypatch):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    result = serve(folder, *options)
    assert result.returncode == 1
    assert PROBLEM in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("options", [(), ("--production", "--no-strict", "--workers", "1")])
def test_not_strict_serves_the_others(folder, options):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [bin_path("databoard"), "serve", str(folder), "--port", str(port), *options]
    with running(command, url, env=PRODUCTION):
        assert requests.get(f"{url}/d/orders", timeout=10).status_code == 200
        page = requests.get(f"{url}/d/bad", timeout=10)
        assert page.status_code == 503
        assert "bad.yaml:3</code>" in page.text
        ready = requests.get(f"{url}/readyz", timeout=10)
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded"
        assert [b["slug"] for b in ready.json()["broken"]] == ["bad"]
