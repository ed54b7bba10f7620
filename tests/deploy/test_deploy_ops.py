"""Probes, request ids, the access log, metrics and proxy handling, in-process."""

from __future__ import annotations

import json
import logging
import re

import pytest
from servers import links

from databoard import Dashboard, create_app
from databoard.logs import JsonFormatter, RequestIdFilter
from databoard.site import Site
from databoard.web.ops import check_site


def make_app(**config):
    return create_app({"TESTING": True, "DASHBOARD": "slowboard", **config})


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


def test_healthz_and_readyz(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() | {"load_seconds": 0} == {
        "status": "ready",
        "dashboards": ["slow"],
        "load_seconds": 0,
        "problems": [],
        "cache": "ok",
        "broken": [],
        "stale": [],
    }


def test_not_ready_without_loaded_dashboards():
    assert check_site(Site()) == ["no dashboard is loaded"]
    loaded, unloaded = Dashboard("a", title="A"), Dashboard("b", title="B")
    loaded.loaded = True
    assert check_site(Site({"a": loaded, "b": unloaded})) == ["b: its data is not loaded"]


def test_invalid_dashboards_never_serve():
    """A chart failing on its default view stops the start: no server is ever unready."""
    with pytest.raises(ValueError, match="chart 'fails'"):
        make_app(DASHBOARD="brokenboard")


def test_request_id_generated(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("4bf92f3577b34da6a3ce929d0e0e4736", True),
        ("req-2024.10:edge/7", True),
        ("has spaces", False),
        ("x" * 129, False),
        ("", False),
    ],
)
def test_request_id_accepted_if_sane(client, incoming, kept):
    response = client.get("/api/v1/dashboards", headers={"X-Request-ID": incoming})
    assert (response.headers["X-Request-ID"] == incoming) is kept
    assert re.fullmatch(r"[\w.:@/+=-]{1,128}", response.headers["X-Request-ID"])


def test_request_id_on_errors(client):
    response = client.get("/api/v1/dashboards/nope", headers={"X-Request-ID": "err-1"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "err-1"


def access_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "databoard.access"]


def test_access_log(client, caplog):
    caplog.set_level(logging.DEBUG, logger="databoard.access")
    client.get("/api/v1/dashboards?x=1", headers={"X-Request-ID": "log-1"})
    client.get("/healthz")
    page, probe = access_records(caplog)
    assert page.levelno == logging.INFO
    assert page.http["path"] == "/api/v1/dashboards?x=1"
    assert page.http["status"] == 200
    assert page.http["duration_ms"] >= 0
    assert page.getMessage().startswith('127.0.0.1 "GET /api/v1/dashboards?x=1" 200 ')
    assert probe.levelno == logging.DEBUG  # probes do not drown the log


def test_log_lines_carry_the_request_id():
    app = make_app()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"
    with app.test_request_context():
        from flask import g

        g.request_id = "abc"
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        record.http = {"status": 200}
        RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc"
    assert line["status"] == 200
    assert line["message"] == "hello"
    assert line["level"] == "INFO"


def test_metrics_off_by_default(client):
    assert client.get("/metrics").status_code == 404


def count(text: str, route: str, status: str) -> float:
    pattern = (
        rf'databoard_http_requests_total\{{method="GET",route="{re.escape(route)}",'
        rf'status="{status}"\}} (\S+)'
    )
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_requests_and_errors():
    client = make_app(METRICS=True).test_client()
    before = client.get("/metrics").get_data(as_text=True)
    client.get("/api/v1/dashboards")
    client.get("/api/v1/dashboards")
    client.get("/api/v1/dashboards/nope")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; charset=utf-8")
    after = response.get_data(as_text=True)
    route = "/api/v1/dashboards"
    assert count(after, route, "200") - count(before, route, "200") == 2
    assert count(after, route + "/<slug>", "404") - count(before, route + "/<slug>", "404") == 1
    assert 'databoard_http_request_duration_seconds_bucket{le="0.005",method="GET"' in after


def test_server_errors_are_counted():
    client = make_app(METRICS=True).test_client()
    chart = "/api/v1/dashboards/<slug>/charts/<chart_id>"
    pattern = rf'server_errors_total\{{method="GET",route="{re.escape(chart)}"\}} (\S+)'

    def errors() -> float:
        found = re.search(pattern, client.get("/metrics").get_data(as_text=True))
        return float(found.group(1)) if found else 0.0

    before = errors()
    response = client.get("/api/v1/dashboards/slow/charts/slow?mode=fail")
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    assert errors() - before == 1


def test_url_prefix():
    client = make_app(URL_PREFIX="/team/boards/").test_client()
    index = client.get("/team/boards/")
    assert index.status_code == 302
    assert index.headers["Location"] == "/team/boards/d/slow"
    page = client.get("/team/boards/d/slow")
    assert page.status_code == 200
    local = [link for link in links(page.get_data(as_text=True)) if not link.startswith("#")]
    assert local and all(link.startswith("/team/boards/") for link in local)
    api = client.get("/team/boards/api/v1/dashboards").get_json()
    assert api["dashboards"][0]["url"] == "/team/boards/d/slow"
    assert client.get("/team/boards/readyz").status_code == 200


@pytest.mark.parametrize("path", ["/d/slow", "/team", "/team/boardsX/d/slow", "/healthz"])
def test_outside_the_url_prefix(path):
    client = make_app(URL_PREFIX="/team/boards").test_client()
    response = client.get(path)
    assert response.status_code == 404
    assert "this site is served under /team/boards/" in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"]


@pytest.mark.parametrize(("proxies", "seen"), [(0, "10.0.0.2"), (1, "203.0.113.9")])
def test_forwarded_headers_trusted_only_from_proxies(caplog, proxies, seen):
    caplog.set_level(logging.INFO, logger="databoard.access")
    client = make_app(PROXY_COUNT=proxies).test_client()
    client.get(
        "/api/v1/dashboards",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    [record] = access_records(caplog)
    assert record.http["remote_addr"] == seen
