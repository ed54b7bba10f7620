"""A cache in Redis, shared by app processes, and what happens when Redis goes away."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import time
import uuid

import pandas as pd
import pytest
import redis
import requests
from servers import SECRET, databoard, environment, start

from support import ORDERS_CSV, free_port

pytestmark = pytest.mark.slow  # starts servers

CHART = "/api/v1/dashboards/slow/charts/slow"
SHARED = "redis://127.0.0.1:6379/0"


def redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        pytest.fail("redis-server is not installed: apt-get install -y redis-server")
    return path


@pytest.fixture(scope="module")
def shared_redis():
    """The machine's Redis on 127.0.0.1:6379, started if it is not running."""
    client = redis.Redis.from_url(SHARED)
    try:
        client.ping()
    except redis.ConnectionError:
        subprocess.run(
            [redis_server(), "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379"]
            + ["--save", "", "--appendonly", "no"],
            check=True,
        )
        time.sleep(0.5)
        try:
            client.ping()
        except redis.ConnectionError as error:
            pytest.fail(f"no Redis on 127.0.0.1:6379 and it could not be started: {error}")
    prefix = f"databoard-test-{uuid.uuid4().hex[:8]}/"
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@contextlib.contextmanager
def own_redis(port: int):
    """A redis-server of this test's own on *port*, stopped on the way out."""
    proc = subprocess.Popen(
        [redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert proc.poll() is None and time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def app_env(url: str, prefix: str, **more: str) -> dict[str, str]:
    return environment(
        DATABOARD_SECRET_KEY=SECRET,
        DATABOARD_CACHE_TYPE="RedisCache",
        DATABOARD_CACHE_REDIS_URL=url,
        DATABOARD_CACHE_KEY_PREFIX=prefix,
        DATABOARD_CACHE_WARM="false",
        DATABOARD_METRICS="true",
        **more,
    )


def serve(folder, env):
    port = free_port()
    command = databoard("serve", "--production", "slowboard", "--workers", "1")
    command += ["--port", str(port)]
    return start(command, folder, port, env)


def lookups(server, result: str) -> float:
    text = requests.get(server.url + "/metrics", timeout=10).text
    found = re.search(rf'databoard_cache_lookups_total{{result="{result}"}} (\S+)', text)
    return float(found.group(1)) if found else 0.0


def test_two_processes_share_answers(shared_redis, tmp_path):
    env = app_env(SHARED, shared_redis)
    with serve(tmp_path / "a", env) as first, serve(tmp_path / "b", env) as second:
        url = CHART + "?mode=ok"
        made = requests.get(first.url + url, timeout=30)
        served = requests.get(second.url + url, timeout=30)
        assert made.status_code == served.status_code == 200
        assert made.headers["X-Cache"] == "miss"
        assert served.headers["X-Cache"] == "hit"
        assert served.content == made.content
        assert lookups(first, "miss") >= 1 and lookups(first, "hit") == 0
        assert lookups(second, "hit") == 1


def test_redis_going_away_and_coming_back(shared_redis, tmp_path):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0?socket_timeout=1&socket_connect_timeout=1"
    env = app_env(url, shared_redis, DATABOARD_CACHE_RETRY_SECONDS="1")
    view = CHART + "?mode=ok"

    def ready(app) -> dict:
        answer = requests.get(app.url + "/readyz", timeout=10)
        assert answer.status_code == 200
        return answer.json()

    with own_redis(port) as cache, serve(tmp_path / "app", env) as app:
        first, again = (requests.get(app.url + view, timeout=30) for _ in range(2))
        assert [first.headers["X-Cache"], again.headers["X-Cache"]] == ["miss", "hit"]

        cache.terminate()
        cache.wait(timeout=10)
        answers = [requests.get(app.url + view, timeout=30) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 6
        assert {a.headers["X-Cache"] for a in answers} == {"miss"}
        assert answers[0].json()["data"]
        status = ready(app)
        assert status["status"] == "degraded"
        assert status["cache"].startswith("degraded: RedisCache: ")
        assert app.log().count("cache unavailable, answering uncached") == 1
        assert lookups(app, "unavailable") >= 6

        with own_redis(port):
            deadline = time.monotonic() + 15
            while ready(app)["cache"] != "ok":  # the next request after the pause tries Redis
                assert time.monotonic() < deadline, app.log()
                requests.get(app.url + view, timeout=30)
                time.sleep(0.2)
            assert ready(app)["status"] == "ready"
            # The request that found Redis back stored its answer in it; it is served now.
            assert requests.get(app.url + view, timeout=30).headers["X-Cache"] == "hit"
        assert app.log().count("cache available again") == 1
        assert app.log().count("cache unavailable") == 1


def test_new_data_gets_new_keys_that_processes_share(shared_redis, tmp_path):
    """A replaced file is a new version in every key: neither process reads an answer
    made from the old data, and the new answer one made is the other's hit."""
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    data = site / "data" / "orders.csv"
    data.write_text(ORDERS_CSV)
    (site / "live.yaml").write_text(
        "title: Live\ndatasets: {orders: {source: data/orders.csv}}\n"
        "charts: [{id: total, title: Total, kind: kpi, value: revenue}]\n"
    )
    env = app_env(SHARED, shared_redis, DATABOARD_DATA_REFRESH="1")
    url = "/api/v1/dashboards/live/charts/total/data.json"

    def total(server) -> tuple[float, str]:
        answer = requests.get(server.url + url, timeout=30)
        return answer.json()["rows"][0][0], answer.headers["X-Cache"]

    def run(name: str):
        port = free_port()
        command = databoard("serve", str(site), "--production", "--workers", "1")
        return start(command + ["--port", str(port)], tmp_path / name, port, env)

    with run("a") as first, run("b") as second:
        assert total(first) == (1360.0, "miss")
        assert total(second) == (1360.0, "hit")
        new = data.with_name("new.csv")
        new.write_text(ORDERS_CSV + "2024-04-01,West,Pro,1,1000.0\n")
        new.replace(data)
        expected = float(pd.read_csv(data)["revenue"].sum())
        deadline = time.monotonic() + 30
        while (found := total(first))[0] != expected:
            assert found[0] == 1360.0 and time.monotonic() < deadline
            time.sleep(0.1)
        assert found == (expected, "miss")
        while (found := total(second))[0] != expected:
            assert found[0] == 1360.0 and time.monotonic() < deadline
            time.sleep(0.1)
        assert found == (expected, "hit")
