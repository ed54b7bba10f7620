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
    pools = [
        string.printable,
        "/\\%.:@?#&=;'\"<>\x00\r\n",
        "éüßЖ中文🙂\u202e\ufeff",
    ]
    pool = rng.choice(pools)
    return "".join(rng.choice(pool) for _ in range(rng.choice([0, 1, 5, 40, 300, 5000])))


def test_fuzz_sign_in_and_token_routes(server, users_file):
    rng = random.Random(12)
    token = accounts.create_token(users_file, "ana", label="fuzz")
    session = requests.Session()
    form = session.get(server + "/auth/login", timeout=10).text
    csrf = csrf_token(form)
    session.get(server + "/auth/oidc", timeout=10, allow_redirects=False)  # a state to play with
    answers: dict[int, int] = {}
    failures = []
    for _ in range(FUZZ_REQUESTS):
        kind = rng.randrange(6)
        headers = {}
        if kind == 0:
            data = {
                k: _noise(rng)
                for k in rng.sample(["username", "password", "next", "csrf_token", _noise(rng)], 3)
            }
            if rng.random() < 0.5:
                data["csrf_token"] = csrf
            method, path, kwargs = "post", "/auth/login", {"data": data}
        elif kind == 1:
            method, path = (
                "get",
                rng.choice(["/auth/login", "/auth/oidc", "/auth/account", "/auth/logout"]),
            )
            kwargs = {"params": {rng.choice(["next", "x", _noise(rng)]): _noise(rng)}}
        elif kind == 2:
            params = {
                k: _noise(rng)
                for k in rng.sample(["code", "state", "error", "error_description", "iss"], 2)
            }
            method, path, kwargs = "get", "/auth/oidc/callback", {"params": params}
        elif kind == 3:
            scheme = rng.choice(["Bearer ", "bearer ", "Basic ", "", "Bearer dbt_"])
            value = rng.choice(
                [token[: rng.randrange(len(token))], token + _noise(rng), _noise(rng)]
            )
            headers["Authorization"] = (scheme + value).encode("utf-8", "replace").decode("latin-1")
            method = "get"
            path = rng.choice(
                ["/api/v1/dashboards", "/api/v1/dashboards/secret/charts/pay", "/d/secret"]
            )
            kwargs = {}
        elif kind == 4:
            for name in ("X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups"):
                if rng.random() < 0.7:
                    headers[name] = _noise(rng).encode("utf-8", "replace").decode("latin-1")
            method, path, kwargs = (
                "get",
                rng.choice(["/", "/d/secret", "/api/v1/dashboards/team"]),
                {},
            )
        else:
            method, path = (
                "post",
                rng.choice(["/auth/logout", "/auth/oidc/callback", "/auth/account"]),
            )
            kwargs = {"data": {"csrf_token": rng.choice([csrf, _noise(rng)])}}
        headers = {
            k: re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", "", v).strip() for k, v in headers.items()
        }
        answer = getattr(session, method)(
            server + path, headers=headers, timeout=20, allow_redirects=False, **kwargs
        )
        answers[answer.status_code] = answers.get(answer.status_code, 0) + 1
        if answer.status_code >= 500:
            failures.append((method, path, kwargs, headers, answer.status_code, answer.text[:200]))
    assert not failures, failures[:3]
    assert set(answers) >= {200, 302, 400, 401}, answers
