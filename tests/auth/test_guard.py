"""The guard: who gets a private dashboard's pages and API, and how answers are cached."""

from __future__ import annotations

import pytest
from flask import g

from databoard import accounts
from databoard.access import Viewer
from databoard.web import auth, cache
from private_site import PASSWORD, SECRET_MARK, SECRET_VALUE, csrf_token, sign_in

PRIVATE_URLS = [
    "/d/secret",
    "/api/v1/dashboards/secret",
    "/api/v1/dashboards/secret/charts/pay",
    "/api/v1/dashboards/secret/charts/pay/data.csv",
    "/api/v1/dashboards/secret/charts/pay/data.json",
    "/api/v1/dashboards/secret/figures/pay",
]


def test_anonymous_page_goes_to_sign_in(client):
    response = client.get("/d/secret?team=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/d/secret?team%3Dx"
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize("url", PRIVATE_URLS[1:])
def test_anonymous_api_gets_a_json_401(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="databoard"'
    assert response.json == {
        "error": {"status": 401, "message": "sign in to see dashboard 'secret'"}
    }
    assert SECRET_VALUE not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_signed_in_but_not_listed_gets_403(client, url):
    sign_in(client, "eve")
    response = client.get(url)
    assert response.status_code == 403
    assert SECRET_MARK not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_listed_user_reads_every_answer_privately(client, url):
    assert sign_in(client, "ana", next_path=url).headers["Location"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "Authorization"} <= set(response.vary)
    body = response.get_data(as_text=True)
    assert SECRET_MARK in body or SECRET_VALUE in body


def test_group_member_reads_the_group_dashboard(client):
    sign_in(client, "bob")
    assert client.get("/d/team").status_code == 200
    assert client.get("/d/secret").status_code == 403


def test_public_answers_stay_shared(client):
    response = client.get("/api/v1/dashboards/open/charts/units")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert {"Cookie", "Authorization"} <= set(response.vary)
    assert "Set-Cookie" not in response.headers


def test_index_lists_only_what_the_viewer_may_see(client):
    def listed():
        return [d["slug"] for d in client.get("/api/v1/dashboards").json["dashboards"]]

    assert listed() == ["open"]
    page = client.get("/").get_data(as_text=True)
    assert "/d/open" in page and "/d/secret" not in page and "Sign in" in page
    sign_in(client, "bob")
    assert listed() == ["open", "team"]
    page = client.get("/").get_data(as_text=True)
    assert "/d/team" in page and "/d/secret" not in page and ">bob</a>" in page


def test_cache_keys_carry_the_access_scope_and_the_viewer(client, auth_app):
    """A page names its viewer, so each has their own copy; every key names the rule."""
    sign_in(client, "ana")
    assert ">ana</a>" in client.get("/d/secret").get_data(as_text=True)
    board = auth_app.extensions["databoard"].get("secret")
    with auth_app.test_request_context("/d/secret"):
        g.viewer = Viewer("ana")
        as_ana = cache.key(board, "page", [("viewer", auth.viewer_key())])
        g.viewer = Viewer("bob")
        assert cache.key(board, "page", [("viewer", auth.viewer_key())]) != as_ana
        assert "/private-" in as_ana
        open_board = auth_app.extensions["databoard"].get("open")
        assert "/public/" in cache.key(open_board, "figure/units", [])


def test_session_cookie_flags(client):
    response = sign_in(client, "ana")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_wrong_password_and_unknown_user_are_alike(client):
    wrong = sign_in(client, "ana", "not the password")
    nobody = sign_in(client, "nobody", PASSWORD)
    assert wrong.status_code == nobody.status_code == 401
    assert "Wrong user name or password." in wrong.get_data(as_text=True)
    assert client.get("/d/secret").status_code == 302


def test_forms_need_their_csrf_token(client):
    response = client.post("/auth/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    sign_in(client, "ana")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/d/secret").status_code == 200


def test_sign_out(client):
    sign_in(client, "ana")
    account = client.get("/auth/account")
    assert account.headers["Cache-Control"] == "no-store"
    page = account.get_data(as_text=True)
    response = client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert client.get("/d/secret").status_code == 302


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil", "/\t/evil.example", ""]
)
def test_no_open_redirect_after_sign_in(client, target):
    assert sign_in(client, "ana", next_path=target).headers["Location"] == "/"


def test_changed_password_ends_the_session(client, users_file):
    sign_in(client, "ana")
    assert client.get("/d/secret").status_code == 200
    accounts.set_user(users_file, "ana", PASSWORD + "!", "ana@elsewhere.net")
    try:
        assert client.get("/d/secret").status_code == 302
    finally:
        accounts.set_user(users_file, "ana", PASSWORD, "ana@elsewhere.net")


def test_proxy_headers_count_for_nothing_unless_trusted(client):
    forged = {"X-Forwarded-User": "ana", "X-Forwarded-Email": "ana@example.org"}
    assert client.get("/d/secret", headers=forged).status_code == 302
    assert client.get("/api/v1/dashboards/secret", headers=forged).status_code == 401


def test_a_sign_in_ends_after_its_max_age_however_busy(client, auth_app):
    sign_in(client, "ana")
    assert client.get("/d/secret").status_code == 200
    with client.session_transaction() as session:
        session["viewer"]["at"] -= auth_app.config["SESSION_MAX_AGE"] + 1
    assert client.get("/d/secret").status_code == 302
