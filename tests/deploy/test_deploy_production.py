"""``databoard serve --production``: gunicorn with several workers, as a real process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from servers import (
    SECRET,
    children,
    databoard,
    environment,
    gunicorn_with_config,
    start,
    wait_for,
    wait_until_answers,
)

from support import free_port

# Every test here starts servers.
pytestmark = pytest.mark.slow

WORKERS = 3


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The World Bank dashboard under ``databoard serve --production``, JSON logs, metrics."""
    port = free_port()
    env = environment(
        DATABOARD_SECRET_KEY=SECRET, DATABOARD_LOG_FORMAT="json", DATABOARD_METRICS="true"
    )
    command = databoard("serve", "--production", "--port", str(port), "--workers", str(WORKERS))
    with start(command, tmp_path_factory.mktemp("production"), port, env) as server:
        yield server


def log_lines(server) -> list[dict]:
    """Return the server's log lines, each parsed as JSON (a line that is not fails)."""
    return [json.loads(line) for line in server.log().splitlines()]


def test_serves_with_several_workers(production):
    def booted() -> set[int]:
        lines = log_lines(production)
        return {line["pid"] for line in lines if "Booting worker" in line["message"]}

    wait_for(lambda: len(booted()) >= WORKERS, production)
    assert len(booted()) == WORKERS
    assert any(line["message"].startswith("serving worldbank at") for line in log_lines(production))


def test_pages_and_api_answer(production):
    page = requests.get(production.url + "/d/worldbank", timeout=10)
    assert page.status_code == 200
    assert "World Bank development dashboard" in page.text
    chart = requests.get(
        production.url + "/api/v1/dashboards/worldbank/charts/gdp-per-capita?country=IND",
        timeout=10,
    )
    assert chart.status_code == 200
    assert [trace["name"] for trace in chart.json()["data"]] == ["India"]
    bad = requests.get(production.url + "/api/v1/dashboards/worldbank/charts/nope", timeout=10)
    assert bad.status_code == 404
    assert bad.json()["error"]["status"] == 404


def test_ready_after_load(production):
    response = requests.get(production.url + "/readyz", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["dashboards"] == ["worldbank"]


def test_request_id_in_response_and_access_log(production):
    own = requests.get(production.url + "/api/v1/dashboards", timeout=10)
    given = requests.get(
        production.url + "/api/v1/dashboards", headers={"X-Request-ID": "trace-42"}, timeout=10
    )
    assert re.fullmatch(r"[0-9a-f]{32}", own.headers["X-Request-ID"])
    assert given.headers["X-Request-ID"] == "trace-42"

    def access() -> dict[str, dict]:
        lines = log_lines(production)
        return {line["request_id"]: line for line in lines if line["logger"] == "databoard.access"}

    # The worker writes the line right after the answer.
    wait_for(lambda: {"trace-42", own.headers["X-Request-ID"]} <= access().keys(), production)
    assert access()["trace-42"]["status"] == 200
    assert access()["trace-42"]["path"] == "/api/v1/dashboards"


def test_metrics_add_up_every_worker(production):
    route = "/api/v1/dashboards/<slug>"
    for _ in range(12):  # separate connections, so several workers answer
        requests.get(production.url + "/api/v1/dashboards/worldbank", timeout=10)
    text = requests.get(production.url + "/metrics", timeout=10).text
    pattern = rf'databoard_http_requests_total\{{[^}}]*route="{re.escape(route)}"[^}}]*\}} (\S+)'
    counts = [float(v) for v in re.findall(pattern, text)]
    assert sum(counts) == 12
    assert "databoard_http_request_duration_seconds_bucket" in text


def cache_gauge(text: str, name: str) -> dict[int, float]:
    """Return the per-process values of the gauge *name*, by process id."""
    found = re.findall(rf'{name}\{{pid="(\d+)"\}} (\S+)', text)
    return {int(pid): float(value) for pid, value in found}


def test_metrics_show_each_workers_cache(production):
    for year in range(1990, 2002):  # new views, separate connections: several workers
        requests.get(f"{production.url}/api/v1/dashboards/worldbank?from={year}", timeout=10)
        requests.get(f"{production.url}/d/worldbank?from={year}", timeout=30)
    text = requests.get(production.url + "/metrics", timeout=10).text
    size, entries = (
        cache_gauge(text, "databoard_cache_bytes"),
        cache_gauge(text, "databoard_cache_entries"),
    )
    workers = set(children(production.proc.pid))
    filled = set(size) & workers
    assert len(filled) >= 2, text
    assert set(size) <= workers | {production.proc.pid}  # the server warmed its own
    assert set(entries) == set(size)
    assert all(0 < size[pid] <= 16 * 2**20 and entries[pid] > 0 for pid in filled)
    ended = filled.pop()
    os.kill(ended, signal.SIGKILL)  # gunicorn starts another; the old one's values go
    wait_for(lambda: not Path(f"/proc/{ended}").exists(), production)
    wait_for(lambda: len(children(production.proc.pid)) == WORKERS, production)
    (started,) = set(children(production.proc.pid)) - workers

    def sizes() -> dict[int, float]:
        text = requests.get(production.url + "/metrics", timeout=10).text
        return cache_gauge(text, "databoard_cache_bytes")

    # The new worker says what it holds once it has started (post_worker_init), a moment
    # after the process exists.
    wait_for(lambda: started in sizes(), production)
    size = sizes()
    assert ended not in size
    assert size[started] > 0  # the answers the server cached before it forked


@pytest.mark.parametrize(
    "command",
    [
        lambda: databoard("serve", "--production", "--port", str(free_port())),
        lambda: gunicorn_with_config(free_port()),
    ],
    ids=["databoard-serve", "gunicorn-config"],
)
def test_no_secret_key_refuses_to_start(tmp_path, command):
    result = subprocess.run(
        command(), cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "production needs a secret key" in result.stderr
    assert "DATABOARD_SECRET_KEY=$(python3 -c 'import secrets" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("args", "variables", "message"),
    [
        (["--production", "--debug"], {}, "--debug is for development"),
        (["--workers", "2"], {}, "--workers needs --production"),
        (["--production"], {"DATABOARD_PORT": "eighty"}, "DATABOARD_PORT: expected a whole"),
        (["--production", "no_such_module"], {}, "no_such_module"),
        (["--production", "brokenboard"], {}, "chart 'fails'"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(tmp_path, args, variables, message):
    result = subprocess.run(
        databoard("serve", *args, "--port", str(free_port())),
        cwd=tmp_path,
        env=environment(DATABOARD_SECRET_KEY=SECRET, **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_not_ready_before_the_data_is_loaded(tmp_path):
    """The data loads before the port opens: until then a probe cannot even connect."""
    gate = tmp_path / "gate"
    port = free_port()
    env = environment(DATABOARD_SECRET_KEY=SECRET, SLOWBOARD_GATE=str(gate))
    command = databoard("serve", "--production", "slowboard", "--port", str(port), "--workers", "2")
    with start(command, tmp_path, port, env, ready=None) as server:
        wait_for(Path(f"{gate}.loading").exists, server)
        assert server.proc.poll() is None
        for path in ("/readyz", "/healthz"):
            with pytest.raises(requests.ConnectionError):
                requests.get(server.url + path, timeout=5)
        gate.touch()
        wait_until_answers(server, "/readyz")
        response = requests.get(server.url + "/readyz", timeout=5)
        assert response.json()["dashboards"] == ["slow"]
        log = server.log()
        assert log.index("serving slow at") < log.index("Listening at")


def test_sigterm_lets_a_request_in_flight_finish(tmp_path):
    release = tmp_path / "release"
    port = free_port()
    env = environment(DATABOARD_SECRET_KEY=SECRET, SLOWBOARD_RELEASE=str(release))
    command = databoard("serve", "--production", "slowboard", "--port", str(port), "--workers", "2")
    with start(command, tmp_path, port, env, ready="/healthz") as server:
        answers = []
        chart = server.url + "/api/v1/dashboards/slow/charts/slow?mode=hold"

        def fetch():
            try:
                answers.append(requests.get(chart, timeout=60))
            except requests.RequestException as error:
                answers.append(error)

        slow = threading.Thread(target=fetch)
        slow.start()
        wait_for(Path(f"{release}.started").exists, server)
        server.proc.send_signal(signal.SIGTERM)
        # The request is still in flight while the server begins its shutdown...
        wait_for(lambda: "Handling signal: term" in server.log(), server)
        assert slow.is_alive()
        assert server.proc.poll() is None
        # ...and completes once the chart is done.
        release.touch()
        slow.join(timeout=60)
        assert server.proc.wait(timeout=60) == 0, server.log()
    [answer] = answers
    assert isinstance(answer, requests.Response), answer
    assert answer.status_code == 200
    assert answer.json()["data"][0]["y"] == [2.0, 4.0, 8.0]
