"""Hardening as deployed: gunicorn with the shipped configuration, nginx in front."""

from __future__ import annotations

import socket
from urllib.parse import urlencode, urlparse

import pytest
import requests
from servers import SECRET, environment, gunicorn_with_config, nginx, require_nginx, start, wait_for

from support import free_port

pytestmark = pytest.mark.slow

API = "/api/v1/dashboards/worldbank"
FORGED = '2026-05-04 10:00:00,123 INFO [1] [-] databoard.access: 6.6.6.6 "GET /admin" 200'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``gunicorn -c deploy/gunicorn.conf.py`` (text logs) behind the shipped nginx site."""
    require_nginx()
    folder = tmp_path_factory.mktemp("security")
    port = free_port()
    env = environment(DATABOARD_SECRET_KEY=SECRET, DATABOARD_PROXY_COUNT="1", DATABOARD_WORKERS="1")
    with start(gunicorn_with_config(port), folder / "app", port, env) as app:
        with nginx(folder / "nginx", port) as proxy:
            yield app, proxy


@pytest.fixture(scope="module")
def every_country(site) -> str:
    app, _ = site
    options = requests.get(f"{app.url}{API}", timeout=10).json()["filters"][0]["options"]
    countries = [option["value"] for option in options]
    assert len(countries) == 217
    return urlencode([("country", c) for c in countries])


def request_line(query: str, path: str = f"{API}/charts/gdp-per-capita") -> int:
    return len(f"GET {path}?{query} HTTP/1.1")


@pytest.mark.parametrize("through", ["gunicorn", "nginx"])
def test_a_view_of_every_country(site, every_country, through):
    server = site[0] if through == "gunicorn" else site[1]
    query = every_country + "&from=1960&to=2023"
    assert request_line(query) > 2600
    page = requests.get(f"{server.url}/d/worldbank?{query}", timeout=60)
    assert page.status_code == 200
    figure = requests.get(f"{server.url}{API}/charts/gdp-per-capita?{query}", timeout=60)
    assert figure.status_code == 200 and len(figure.json()["data"]) == 217


@pytest.mark.parametrize("through", ["gunicorn", "nginx"])
def test_past_the_limit_a_json_414(site, every_country, through):
    server = site[0] if through == "gunicorn" else site[1]
    query = "&".join([every_country] * 3)  # about 7,900 bytes
    query += "&country=USA" * ((8100 - request_line(query)) // len("&country=USA"))
    assert 8000 < request_line(query) <= 8190  # past the app's limit, within gunicorn's
    response = requests.get(f"{server.url}{API}/charts/gdp-per-capita?{query}", timeout=30)
    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == 414 and "over the limit of 8,000 bytes" in error["message"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def raw_get(url: str, target: str) -> bytes:
    """Send a request line exactly as given (a client that does not normalise it)."""
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return b"".join(iter(lambda: sock.recv(65536), b""))


def test_a_line_break_in_the_path_cannot_forge_a_log_line(site):
    app, proxy = site
    target = "/d/worldbank%0a" + FORGED.replace(" ", "%20").replace('"', "%22")
    for server in (app, proxy):
        assert raw_get(server.url, target).startswith(b"HTTP/1.1 404")
    wait_for(lambda: app.log().count("/d/worldbank\\n2026-05-04") == 2, app)
    lines = app.log().splitlines()
    assert not any(line.startswith("2026-05-04 10:00:00,123") for line in lines)
    forged = [line for line in lines if "/d/worldbank\\n2026-05-04" in line]
    assert all("databoard.access:" in line and line.rstrip().endswith("ms") for line in forged)


def test_hsts_only_from_the_trusted_proxy(site):
    app, proxy = site
    # nginx sets X-Forwarded-Proto from its own scheme (http here), whatever the client says.
    via_nginx = requests.get(
        f"{proxy.url}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10
    )
    assert "Strict-Transport-Security" not in via_nginx.headers
    # The app trusts one proxy; speaking as that proxy, HTTPS gets HSTS.
    as_proxy = requests.get(f"{app.url}/healthz", headers={"X-Forwarded-Proto": "https"})
    assert as_proxy.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_headers_on_assets_cached_by_nginx(site):
    _, proxy = site
    html = requests.get(f"{proxy.url}/d/worldbank", timeout=30).text
    asset = html.split('src="', 2)[1].split('"', 1)[0]
    for _ in range(2):  # a miss, then nginx's cached copy
        response = requests.get(proxy.url + asset, timeout=30)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Cache-Status"] == "HIT"
