"""Sign in through OpenID Connect in Chromium, against a provider the test runs itself."""

from __future__ import annotations

import pytest
import requests
from idp import CLIENT_ID, CLIENT_SECRET, running_provider

from private_site import SECRET_MARK, SECRET_VALUE

from support import gunicorn

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oidc_site(site):
    """gunicorn serving the site, signing in through the test provider."""
    with running_provider() as issuer:
        env = {
            "DATABOARD_DASHBOARD": str(site),
            "DATABOARD_SECRET_KEY": "oidc-test-secret-key-0123456789abcdef",
            "DATABOARD_OIDC_ISSUER": issuer,
            "DATABOARD_OIDC_CLIENT_ID": CLIENT_ID,
            "DATABOARD_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "DATABOARD_CACHE_WARM": "false",
        }
        with gunicorn("--workers", "1", "--threads", "4", env=env) as url:
            yield url


def sign_in_through_provider(page, url: str, user: str, path: str) -> None:
    page.goto(url + path, wait_until="domcontentloaded")
    assert "/auth/login" in page.url
    page.click("text=Sign in with your organisation")
    page.wait_for_selector("#username")
    assert page.url.startswith("http://127.0.0.1") and "/authorize?" in page.url
    page.fill("#username", user)
    with page.expect_navigation(url=lambda u: u.startswith(url), wait_until="domcontentloaded"):
        page.click("text=Continue")


def test_sign_in_and_see_the_private_dashboard(oidc_site, browser):
    context = browser.new_context(bypass_csp=True)  # for wait_for_function
    page = context.new_page()
    try:
        sign_in_through_provider(page, oidc_site, "carol", "/d/secret")
        assert page.url == oidc_site + "/d/secret"
        page.wait_for_function("document.querySelector('#chart-pay .plot')?.data?.length > 0")
        assert SECRET_MARK in page.title()
        values = page.evaluate("document.querySelector('#chart-pay .plot').data[0].y")
        assert max(values) == float(SECRET_VALUE)
        assert page.locator("header a", has_text="carol").count() == 1
        cookie = next(c for c in context.cookies() if c["name"] == "session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        # The same browser reads the API; a client without the cookie does not.
        answer = page.request.get(oidc_site + "/api/v1/dashboards/secret/charts/pay/data.csv")
        assert answer.status == 200 and SECRET_VALUE in answer.text()
        assert answer.headers["cache-control"] == "private, no-cache"
        anonymous = requests.get(oidc_site + "/api/v1/dashboards/secret/charts/pay", timeout=10)
        assert anonymous.status_code == 401
        page.goto(oidc_site + "/auth/account")
        page.click("text=Sign out")
        page.goto(oidc_site + "/d/secret")
        assert "/auth/login" in page.url
    finally:
        context.close()


def test_unverified_email_is_not_enough(oidc_site, browser):
    context = browser.new_context(bypass_csp=True)  # for wait_for_function
    page = context.new_page()
    try:
        sign_in_through_provider(page, oidc_site, "mallory", "/d/secret")
        assert "may not see dashboard 'secret'" in page.content()
        assert SECRET_VALUE not in page.content()
    finally:
        context.close()


def test_groups_come_from_the_provider(oidc_site, browser):
    context = browser.new_context(bypass_csp=True)  # for wait_for_function
    page = context.new_page()
    try:
        sign_in_through_provider(page, oidc_site, "dave", "/d/team")
        assert page.url == oidc_site + "/d/team"
        assert "Finance team" in page.title()
    finally:
        context.close()


def test_forged_callback_is_refused(oidc_site):
    answer = requests.get(
        oidc_site + "/auth/oidc/callback?code=x&state=forged", timeout=10, allow_redirects=False
    )
    assert answer.status_code == 400
    assert "sign-in failed" in answer.text
