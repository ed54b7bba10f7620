"""OpenID Connect when the provider is down or says no: clean answers, no 5xx but 503."""

from __future__ import annotations

from idp import CLIENT_ID, CLIENT_SECRET, running_provider

from databoard import create_app

from support import free_port


def _app(site, issuer: str):
    config = {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }
    return create_app({"TESTING": True, "CACHE_WARM": False, "DASHBOARD": str(site), **config})


def test_provider_down_is_a_503(site):
    client = _app(site, f"http://127.0.0.1:{free_port()}").test_client()
    answer = client.get("/auth/oidc?next=/d/secret")
    assert answer.status_code == 503
    assert "identity provider cannot be reached" in answer.get_data(as_text=True)


def test_provider_refusal_is_a_401(site):
    with running_provider() as issuer:
        client = _app(site, issuer).test_client()
        start = client.get("/auth/oidc?next=/d/secret")
        assert start.status_code == 302 and start.headers["Location"].startswith(issuer)
        assert "code_challenge_method=S256" in start.headers["Location"]
        refused = client.get("/auth/oidc/callback?error=access_denied&state=x")
        assert refused.status_code == 401
        assert "refused the sign-in: access_denied" in refused.get_data(as_text=True)
        assert client.get("/d/secret").status_code == 302
