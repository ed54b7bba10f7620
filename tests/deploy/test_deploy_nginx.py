"""nginx with the shipped site in front of gunicorn with the shipped configuration."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest
import requests
from servers import (
    SECRET,
    environment,
    gunicorn_with_config,
    links,
    nginx,
    require_nginx,
    start,
    wait_for,
)

from support import bin_path, free_port

# Every test here starts servers.
pytestmark = pytest.mark.slow

PREFIX = "/dashboards"


@pytest.fixture(scope="module")
def root_site(tmp_path_factory):
    """``gunicorn -c deploy/gunicorn.conf.py`` behind nginx, at the root of the site."""
    require_nginx()
    folder = tmp_path_factory.mktemp("root")
    port = free_port()
    env = environment(
        DATABOARD_SECRET_KEY=SECRET,
        DATABOARD_PROXY_COUNT="1",
        DATABOARD_METRICS="true",
        DATABOARD_WORKERS="2",
    )
    with start(gunicorn_with_config(port), folder / "app", port, env) as app:
        with nginx(folder / "nginx", port) as proxy:
            yield app, proxy


@pytest.fixture(scope="module")
def prefixed_site(tmp_path_factory):
    """The same under ``/dashboards/``, as the guide describes."""
    require_nginx()
    folder = tmp_path_factory.mktemp("prefixed")
    port = free_port()
    env = environment(
        DATABOARD_SECRET_KEY=SECRET,
        DATABOARD_PROXY_COUNT="1",
        DATABOARD_URL_PREFIX=PREFIX,
        DATABOARD_WORKERS="2",
    )
    with start(gunicorn_with_config(port), folder / "app", port, env, f"{PREFIX}/readyz") as app:
        with nginx(folder / "nginx", port, prefix=PREFIX) as proxy:
            yield app, proxy


def page_state(html: str) -> dict:
    """Return the JSON state a dashboard page hands to its script."""
    found = re.search(r'<script type="application/json" id="databoard-state">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_page_and_api_through_nginx(root_site):
    _, proxy = root_site
    page = requests.get(proxy.url + "/", timeout=10)
    assert page.status_code == 200
    assert page.url == proxy.url + "/d/worldbank"
    assert page.headers["Server"].startswith("nginx")
    assert page.headers["Content-Encoding"] in ("br", "gzip")
    api = requests.get(proxy.url + "/api/v1/dashboards/worldbank/charts/co2-per-capita", timeout=10)
    assert api.status_code == 200
    assert api.json()["data"]


def test_assets_cached_for_a_year(root_site):
    _, proxy = root_site
    html = requests.get(proxy.url + "/d/worldbank", timeout=10).text
    assets = [link for link in links(html) if "/static/" in link]
    assert any(link.endswith("/plotly/core.js") for link in assets)
    for link in assets:
        first = requests.get(proxy.url + link, timeout=10)
        again = requests.get(proxy.url + link, timeout=10)
        assert first.status_code == again.status_code == 200, link
        assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert again.headers["X-Cache-Status"] == "HIT", link
        assert again.content == first.content


def test_nginx_gzips_what_the_app_does_not(root_site):
    _, proxy = root_site
    metrics = requests.get(proxy.url + "/metrics", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert metrics.status_code == 200
    assert metrics.headers["Content-Encoding"] == "gzip"
    assert "databoard_http_requests_total" in metrics.text


def test_request_id_shared_by_nginx_and_app(root_site):
    app, proxy = root_site
    response = requests.get(proxy.url + "/api/v1/dashboards", timeout=10)
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    access_log = proxy.output.parent / "access.log"
    # nginx writes its log line once the answer is sent, so maybe just after we read it.
    wait_for(lambda: request_id in access_log.read_text(), proxy, timeout=5)
    wait_for(lambda: f"[{request_id}] databoard.access: 127.0.0.1 " in app.log(), app, timeout=5)


def test_client_cannot_forge_its_address_through_nginx(root_site):
    app, proxy = root_site
    response = requests.get(
        proxy.url + "/api/v1/dashboards", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10
    )
    line = next(
        line for line in app.log().splitlines() if f"[{response.headers['X-Request-ID']}]" in line
    )
    assert "databoard.access: 127.0.0.1 " in line
    assert "203.0.113.9" not in line


def test_every_link_under_the_prefix_answers(prefixed_site):
    _, proxy = prefixed_site
    page = requests.get(proxy.url + PREFIX + "/", timeout=10)
    assert page.status_code == 200
    assert page.url == f"{proxy.url}{PREFIX}/d/worldbank"
    local = [unescape(link) for link in links(page.text) if not link.startswith(("http", "#"))]
    assert len(local) > 5
    for link in local:
        assert link.startswith(PREFIX + "/"), link
        response = requests.get(proxy.url + link, timeout=10)
        assert response.status_code == 200, link


def test_api_urls_in_the_page_state_carry_the_prefix(prefixed_site):
    _, proxy = prefixed_site
    page = requests.get(f"{proxy.url}{PREFIX}/d/worldbank?country=FRA&country=DEU", timeout=10)
    state = page_state(page.text)
    assert state["url"] == f"{PREFIX}/d/worldbank"
    assert state["api_url"] == f"{PREFIX}/api/v1/dashboards/worldbank"
    for chart in state["charts"]:
        assert chart["url"].startswith(f"{PREFIX}/api/v1/dashboards/worldbank/charts/")
        figure = requests.get(f"{proxy.url}{chart['url']}?{state['query']}", timeout=10)
        assert figure.status_code == 200, chart["url"]
        data = requests.get(f"{proxy.url}{chart['url']}/data.json?{state['query']}", timeout=10)
        assert data.status_code == 200, chart["url"]
    config = re.search(r'id="databoard-config">(.*?)</script>', page.text).group(1)
    topojson = json.loads(config)["topojsonURL"]
    assert topojson.startswith(f"{PREFIX}/static/")
    shapes = requests.get(f"{proxy.url}{topojson}world_110m.json", timeout=10)
    assert shapes.status_code == 200


def test_prefixed_assets_cached(prefixed_site):
    _, proxy = prefixed_site
    html = requests.get(f"{proxy.url}{PREFIX}/d/worldbank", timeout=10).text
    plotly = next(link for link in links(html) if link.endswith("/plotly/core.js"))
    requests.get(proxy.url + plotly, timeout=10)
    again = requests.get(proxy.url + plotly, timeout=10)
    assert again.headers["X-Cache-Status"] == "HIT"
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_outside_the_prefix(prefixed_site):
    app, proxy = prefixed_site
    assert requests.get(proxy.url + "/d/worldbank", timeout=10).status_code == 404
    direct = requests.get(app.url + "/api/v1/dashboards", timeout=10)
    assert direct.status_code == 404
    assert direct.json()["error"]["message"].endswith("this site is served under /dashboards/")
    bare = requests.get(proxy.url + PREFIX, allow_redirects=False, timeout=10)
    assert bare.status_code == 301
    assert bare.headers["Location"].endswith(PREFIX + "/")


# -- what the shipped site caches ---------------------------------------------------


def test_pages_and_api_answers_are_cached_for_their_max_age(root_site):
    _, proxy = root_site
    for path in (
        "/d/worldbank?country=NGA",
        "/api/v1/dashboards/worldbank/charts/gdp-per-capita?from=1999",
    ):
        first = requests.get(proxy.url + path, timeout=10)
        again = requests.get(proxy.url + path, timeout=10)
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert first.headers["X-Cache-Status"] == "MISS", path
        assert again.headers["X-Cache-Status"] == "HIT", path
        assert again.content == first.content
        assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]  # nginx's own


def test_uncacheable_answers_always_reach_the_app(root_site):
    _, proxy = root_site
    for path in ("/healthz", "/api/v1/dashboards"):  # no Cache-Control: not stored
        statuses = {requests.get(proxy.url + path, timeout=10).headers["X-Cache-Status"]}
        statuses.add(requests.get(proxy.url + path, timeout=10).headers["X-Cache-Status"])
        assert statuses == {"MISS"}, path


@pytest.fixture(scope="module")
def echo_site(tmp_path_factory):
    """The shipped site in front of an app that sends whatever caching headers it is asked."""
    require_nginx()
    folder = tmp_path_factory.mktemp("echo")
    port = free_port()
    command = [bin_path("gunicorn"), "--bind", f"127.0.0.1:{port}", "headersapp:app"]
    with start(command, folder / "app", port, environment(), ready="/"):
        with nginx(folder / "nginx", port) as proxy:
            yield proxy


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("cache=public, max-age=60", True),
        ("cache=private, max-age=60", False),
        ("cache=no-store", False),
        ("cache=public, max-age=60&cookie=1", False),
        ("", False),
    ],
)
def test_private_answers_and_cookies_are_never_stored(echo_site, query, stored):
    path = f"/?{query}&n={free_port()}"  # a path of its own
    bodies = [requests.get(echo_site.url + path, timeout=10).text for _ in range(3)]
    assert (len(set(bodies)) == 1) == stored, bodies


def test_requests_with_credentials_bypass_the_cache(echo_site):
    path = f"/?cache=public, max-age=60&n={free_port()}"
    stored = requests.get(echo_site.url + path, timeout=10).text
    assert requests.get(echo_site.url + path, timeout=10).text == stored
    signed_in = requests.get(
        echo_site.url + path, headers={"Authorization": "Bearer x"}, timeout=10
    )
    assert signed_in.text != stored


def test_concurrent_misses_wait_for_the_first(echo_site):
    """proxy_cache_lock: the app answers a new URL once, however many ask at once."""
    path = f"/?cache=public, max-age=60&wait=0.5&n={free_port()}"
    with ThreadPoolExecutor(6) as pool:
        bodies = list(
            pool.map(lambda _: requests.get(echo_site.url + path, timeout=10).text, range(6))
        )
    assert len(set(bodies)) == 1, bodies


def test_expired_answers_are_refreshed_and_served_stale_while_the_app_is_down(tmp_path):
    port = free_port()
    command = [bin_path("gunicorn"), "--bind", f"127.0.0.1:{port}", "headersapp:app"]
    path = f"/?cache=public, max-age=1&n={port}"
    expiry = 2.5  # nginx counts whole seconds: max-age=1 may last until the second after next

    def ask() -> requests.Response:
        return requests.get(proxy.url + path, timeout=10)

    with nginx(tmp_path / "nginx", port) as proxy:
        with start(command, tmp_path / "app", port, environment(), ready="/"):
            first = ask()
            assert first.headers["X-Cache-Status"] == "MISS"
            time.sleep(expiry)
            refreshing = ask()  # the old answer at once, while nginx asks the app again
            assert refreshing.headers["X-Cache-Status"] == "STALE"
            assert refreshing.text == first.text
            deadline = time.monotonic() + 10
            while (refreshed := ask()).text == first.text:
                assert time.monotonic() < deadline, "the expired answer was never refreshed"
                time.sleep(0.05)
            assert refreshed.headers["X-Cache-Status"] == "HIT"
        time.sleep(expiry)  # the app is gone and the answer expired again
        for _ in range(2):
            stale = ask()
            assert stale.status_code == 200 and stale.headers["X-Cache-Status"] == "STALE"
            assert stale.text == refreshed.text
