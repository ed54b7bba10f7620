"""Security headers: one table, on every kind of answer; HSTS only over HTTPS."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from databoard import config, create_app
from databoard.config import ConfigError
from databoard.settings import DEFAULTS
from databoard.web.headers import security_headers

from support import ORDERS_CSV

#: The table, pinned: a change here is a change of the site's security posture.
EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "SAMEORIGIN",
}
API = "/api/v1/dashboards/worldbank"


def test_the_table_is_pinned():
    assert security_headers(DEFAULTS) == EXPECTED


def asset_url(client) -> str:
    html = client.get("/d/worldbank").get_data(as_text=True)
    return re.search(r'src="(/static/[0-9a-f]{12}/databoard\.js)"', html).group(1)


@pytest.mark.parametrize(
    ("path", "status", "headers"),
    [
        ("/", 302, {}),
        ("/d/worldbank", 200, {}),
        ("/d/worldbank?from=x", 400, {}),
        (f"{API}/charts/gdp-per-capita", 200, {}),
        (f"{API}/charts/gdp-per-capita?country=XXX", 400, {}),
        (f"{API}/charts/gdp-per-capita/data.csv", 200, {}),
        (f"{API}/charts/nope", 404, {}),
        ("/no/such/page", 404, {}),
        ("/healthz", 200, {}),
        ("/static/0123456789ab/favicon.svg", 200, {}),
        ("ASSET", 200, {}),
        ("ASSET", 304, {"If-None-Match": "ETAG"}),
        ("/d/worldbank", 304, {"If-None-Match": "ETAG"}),
        ("/d/worldbank?" + "country=USA&" * 800, 414, {}),
    ],
)
def test_every_answer_carries_them(client, path, status, headers):
    if path == "ASSET":
        path = asset_url(client)
    if headers.get("If-None-Match") == "ETAG":
        headers = {"If-None-Match": client.get(path).headers["ETag"]}
    response = client.get(path, headers=headers)
    assert response.status_code == status
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, name
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    root = tmp_path_factory.mktemp("orders")
    (root / "orders.csv").write_text(ORDERS_CSV)
    (root / "orders.yaml").write_text(
        "title: Orders\ndatasets:\n  orders: {source: orders.csv}\n"
        "charts:\n  - {id: by-region, title: By region, kind: bar, x: region, y: revenue}\n"
    )
    return root


def small_app(board, **settings):
    return create_app({"TESTING": True, "DASHBOARD": str(board), "CACHE_WARM": False, **settings})


def hsts(app, base_url="http://localhost", **headers) -> str | None:
    response = app.test_client().get("/d/orders", base_url=base_url, headers=headers)
    return response.headers.get("Strict-Transport-Security")


def test_hsts_only_over_https(board):
    direct = small_app(board)
    assert hsts(direct, "https://dashboards.example.org") == "max-age=31536000"
    assert hsts(direct) is None
    # X-Forwarded-Proto is believed only from a trusted proxy.
    assert hsts(direct, **{"X-Forwarded-Proto": "https"}) is None
    proxied = small_app(board, PROXY_COUNT=1)
    assert hsts(proxied, **{"X-Forwarded-Proto": "https"}) == "max-age=31536000"
    assert hsts(proxied, **{"X-Forwarded-Proto": "http"}) is None
    assert hsts(small_app(board, HSTS_MAX_AGE=600), "https://x.example") == "max-age=600"
    assert hsts(small_app(board, HSTS_MAX_AGE=0), "https://x.example") is None


def test_no_hsts_in_debug_mode(board):
    app = small_app(board, DEBUG=True)
    assert app.debug
    assert hsts(app, "https://localhost") is None


def test_frame_ancestors_is_a_setting(board):
    app = small_app(board, FRAME_ANCESTORS="'self'  https://intranet.example.org")
    response = app.test_client().get("/d/orders")
    policy = response.headers["Content-Security-Policy"]
    assert policy.endswith("; frame-ancestors 'self' https://intranet.example.org")
    assert "X-Frame-Options" not in response.headers  # it cannot say that
    none = small_app(board, FRAME_ANCESTORS="'none'").test_client().get("/d/orders")
    assert none.headers["X-Frame-Options"] == "DENY"


def test_frame_ancestors_keywords_survive_a_shell(tmp_path):
    """``DATABOARD_FRAME_ANCESTORS='self'`` reaches the app as ``self``: still the keyword."""
    (tmp_path / ".env").write_text("DATABOARD_FRAME_ANCESTORS='self'\n")
    values = config.load(environ={"DATABOARD_ENV_FILE": str(tmp_path / ".env")}).values
    assert values["FRAME_ANCESTORS"] == "self"
    assert security_headers(values)["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    values["FRAME_ANCESTORS"] = "none"
    assert security_headers(values)["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "'self'; script-src *",
        "https://a.example, https://b.example",
        "'none' 'self'",
        "'unsafe-inline'",
        "https://a.example\nX-Evil: 1",
    ],
)
def test_bad_frame_ancestors_stop_the_start(board, value):
    with pytest.raises(ConfigError, match="DATABOARD_FRAME_ANCESTORS: expected"):
        small_app(board, FRAME_ANCESTORS=value)


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


@pytest.mark.parametrize("path", ["/d/worldbank", "/d/worldbank?from=x", "/nope"])
def test_pages_hold_no_inline_script(client, path):
    """The policy forbids inline scripts: a page has only same-origin files and data blocks.

    An inline ``<script>`` added to a template would be blocked by browsers; put the code
    in a file under ``web/static/`` instead.
    """
    parser = Scripts()
    parser.feed(client.get(path).get_data(as_text=True))
    for attrs in parser.scripts:
        if "src" in attrs:
            assert attrs["src"].startswith("/static/"), attrs
        else:
            assert attrs.get("type") == "application/json", attrs
