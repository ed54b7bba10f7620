"""Private dashboards behind the shipped nginx, which caches pages and API answers as
their Cache-Control allows: nothing private reaches a client that is not signed in,
however the requests interleave."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from servers import DEPLOY, SECRET, environment, gunicorn_with_config, nginx, require_nginx, start

from private_site import PASSWORD, SECRET_MARK, SECRET_VALUE, csrf_token, write_site, write_users

from support import free_port

pytestmark = pytest.mark.slow

REQUESTS = 1000
PATHS = [
    "/d/secret",
    "/api/v1/dashboards/secret/charts/pay/data.json",
    "/api/v1/dashboards/secret",
    "/api/v1/dashboards/secret/charts/pay",
    "/api/v1/dashboards/secret/charts/pay/data.csv",
    "/api/v1/dashboards",
    "/",
    "/d/open",
    "/api/v1/dashboards/open/charts/units",
]


def test_the_shipped_site_caches_pages_and_api_answers():
    """The test below means something only if nginx would keep what the app allows."""
    site = (DEPLOY / "nginx" / "databoard.conf").read_text()
    assert re.search(r"^\s*proxy_cache databoard_cache;", site, re.M)
    assert "proxy_ignore_headers" not in site


@pytest.fixture(scope="module")
def private_site(tmp_path_factory):
    require_nginx()
    folder = tmp_path_factory.mktemp("private")
    users = write_users(folder / "users.yaml")
    port = free_port()
    env = environment(
        DATABOARD_SECRET_KEY=SECRET * 2,
        DATABOARD_PROXY_COUNT="1",
        DATABOARD_PROXY_AUTH="true",
        DATABOARD_USERS_FILE=str(users),
        DATABOARD_DASHBOARD=str(write_site(folder / "site")),
        DATABOARD_WORKERS="2",
        DATABOARD_LOGIN_RATE_LIMIT="1000/minute",
    )
    with start(gunicorn_with_config(port), folder / "app", port, env) as app:
        with nginx(folder / "nginx", port) as proxy:
            yield app, proxy


def sign_in(url: str) -> str:
    """Sign ana in through nginx; return her session cookie (Secure: sent by hand here)."""
    form = requests.get(url + "/auth/login", timeout=10)
    cookie = form.cookies["session"]
    answer = requests.post(
        url + "/auth/login",
        data={"username": "ana", "password": PASSWORD, "csrf_token": csrf_token(form.text)},
        headers={"Cookie": f"session={cookie}"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    set_cookie = answer.headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in set_cookie
    return answer.cookies["session"]


def test_no_private_bytes_for_anonymous_clients(private_site):
    _, proxy = private_site
    cookie = sign_in(proxy.url)
    rng = random.Random(8)
    plan = []
    for _ in range(REQUESTS):
        kind = rng.choice(["anonymous", "forged", "signed-in"])
        headers = {"Cookie": f"session={cookie}"} if kind == "signed-in" else {}
        if kind == "forged":
            headers = {"X-Forwarded-User": "ana", "X-Forwarded-Email": "ana@example.org"}
        plan.append((kind, rng.choice(PATHS), headers))

    def fetch(step):
        kind, path, headers = step
        answer = requests.get(proxy.url + path, headers=headers, allow_redirects=False, timeout=30)
        return kind, path, answer.status_code, answer.content, answer.headers

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetch, plan))

    private_bytes = [
        (kind, path, status)
        for kind, path, status, body, _ in results
        if kind != "signed-in" and (SECRET_MARK.encode() in body or SECRET_VALUE.encode() in body)
    ]
    assert private_bytes == []
    served = [(kind, path, status) for kind, path, status, *_ in results if kind == "signed-in"]
    assert all(status == 200 for _, _, status in served), served
    secret = [
        body for kind, path, _, body, _ in results if kind == "signed-in" and "secret" in path
    ]
    assert secret and all(SECRET_MARK.encode() in b or SECRET_VALUE.encode() in b for b in secret)
    refused = {
        status for kind, path, status, *_ in results if kind != "signed-in" and "secret" in path
    }
    assert refused <= {302, 401}
    hits = [h.get("X-Cache-Status") for kind, path, *_, h in results if "open" in path]
    assert "HIT" in hits, "nginx caches the public answers"
