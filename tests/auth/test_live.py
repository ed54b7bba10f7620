"""Password and proxy-header sign-in through a real gunicorn, and a fuzz of the sign-in
and token routes: no answer of 500 or more."""

from __future__ import annotations

import random
import re
import string

import pytest
import requests
from idp import CLIENT_ID, CLIENT_SECRET, running_provider

from databoard import accounts
from private_site import PASSWORD, SECRET_MARK, SECRET_VALUE, csrf_token

from support import gunicorn

pytestmark = pytest.mark.slow

FUZZ_REQUESTS = 400


@pytest.fixture(scope="module")
def server(site, users_file):
    """One worker behind a (pretend) authenticating proxy, with every way to sign in."""
    with running_provider() as issuer:
        env = {
            "DATABOARD_DASHBOARD": str(site),
            "DATABOARD_SECRET_KEY": "live-test-secret-key-0123456789abcdef",
            "DATABOARD_USERS_FILE": str(users_file),
            "DATABOARD_PROXY_AUTH": "true",
            "DATABOARD_PROXY_COUNT": "1",
            "DATABOARD_OIDC_ISSUER": issuer,
            "DATABOARD_OIDC_CLIENT_ID": CLIENT_ID,
            "DATABOARD_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "DATABOARD_LOGIN_RATE_LIMIT": "100000/minute",
            "DATABOARD_CACHE_WARM": "false",
        }
        with gunicorn("--workers", "1", "--threads", "4", env=env) as url:
            yield url


def test_password_sign_in(server):
    browser = requests.Session()
    form = browser.get(server + "/auth/login?next=/d/secret", timeout=10)
    assert form.headers["Cache-Control"] == "no-store"
    answer = browser.post(
        server + "/auth/login",
        data={
            "username": "ana",
            "password": PASSWORD,
            "next": "/d/secret",
            "csrf_token": csrf_token(form.text),
        },
        timeout=10,
    )
    assert answer.url == server + "/d/secret"
    assert SECRET_MARK in answer.text
    data = browser.get(server + "/api/v1/dashboards/secret/charts/pay/data.csv", timeout=10)
    assert SECRET_VALUE in data.text
    assert requests.get(server + "/d/secret", timeout=10, allow_redirects=False).status_code == 302


def test_proxy_header_sign_in(server):
    def get(path, **headers):
        return requests.get(server + path, headers=headers, timeout=10, allow_redirects=False)

    page = get("/d/secret", **{"X-Forwarded-User": "kim", "X-Forwarded-Email": "kim@example.org"})
    assert page.status_code == 200 and SECRET_MARK in page.text
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in page.headers
    assert get("/d/secret", **{"X-Forwarded-User": "ana"}).status_code == 200
    assert get("/d/team", **{"X-Forwarded-User": "x", "X-Forwarded-Groups": "a, finance"}).ok
    assert get("/d/secret", **{"X-Forwarded-User": "eve"}).status_code == 403
    assert get("/d/secret").status_code == 302


def _noise(rng: random.Random) -> str:
    pool = rng.choice([string.printable, "/\\%.:@?#&=;'\"<>\x00\r\n", "éüßЖ中文🙂\u202e\ufeff"])
    return "".join(rng.choice(pool) for _ in range(rng.choice([0, 1, 5, 40, 300, 5000])))


def _header(value: str) -> str:
    """Return *value* as a header value requests will send: latin-1, no control characters."""
    value = value.encode("utf-8", "replace").decode("latin-1")
    return re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", "", value).strip()


def _password_form(rng, token, csrf):
    fields = ["username", "password", "next", "csrf_token", _noise(rng)]
    data = {k: _noise(rng) for k in rng.sample(fields, 3)}
    if rng.random() < 0.5:
        data["csrf_token"] = csrf
    return "POST", "/auth/login", {"data": data}


def _auth_page(rng, token, csrf):
    path = rng.choice(["/auth/login", "/auth/oidc", "/auth/account", "/auth/logout"])
    return "GET", path, {"params": {rng.choice(["next", "x", _noise(rng)]): _noise(rng)}}


def _oidc_callback(rng, token, csrf):
    names = rng.sample(["code", "state", "error", "error_description", "iss"], 2)
    return "GET", "/auth/oidc/callback", {"params": {k: _noise(rng) for k in names}}


def _api_token(rng, token, csrf):
    scheme = rng.choice(["Bearer ", "bearer ", "Basic ", "", "Bearer dbt_"])
    value = rng.choice([token[: rng.randrange(len(token))], token + _noise(rng), _noise(rng)])
    path = rng.choice(["/api/v1/dashboards", "/api/v1/dashboards/secret/charts/pay", "/d/secret"])
    return "GET", path, {"headers": {"Authorization": _header(scheme + value)}}


def _proxy_headers(rng, token, csrf):
    names = ("X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups")
    headers = {name: _header(_noise(rng)) for name in names if rng.random() < 0.7}
    path = rng.choice(["/", "/d/secret", "/api/v1/dashboards/team"])
    return "GET", path, {"headers": headers}


def _other_post(rng, token, csrf):
    path = rng.choice(["/auth/logout", "/auth/oidc/callback", "/auth/account"])
    return "POST", path, {"data": {"csrf_token": rng.choice([csrf, _noise(rng)])}}


FUZZERS = [_password_form, _auth_page, _oidc_callback, _api_token, _proxy_headers, _other_post]


def test_fuzz_sign_in_and_token_routes(server, users_file):
    """Seeded random requests (with a real CSRF token, OIDC state and API token among the
    noise) to every sign-in route and with every kind of credential: none gets a 5xx."""
    rng = random.Random(12)
    token = accounts.create_token(users_file, "ana", label="fuzz")
    session = requests.Session()
    csrf = csrf_token(session.get(server + "/auth/login", timeout=10).text)
    session.get(server + "/auth/oidc", timeout=10, allow_redirects=False)  # an OIDC state
    statuses: dict[int, int] = {}
    failures = []
    for _ in range(FUZZ_REQUESTS):
        method, path, options = rng.choice(FUZZERS)(rng, token, csrf)
        answer = session.request(
            method, server + path, timeout=20, allow_redirects=False, **options
        )
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        if answer.status_code >= 500:
            failures.append((method, path, options, answer.status_code, answer.text[:200]))
    assert not failures, failures[:3]
    assert {200, 302, 400, 401, 403} <= set(statuses), statuses
