"""Sign in through any OpenID Connect provider (Keycloak, Entra ID, Okta, Google, ...).

Authlib does the protocol: discovery, the authorization-code flow with PKCE and a
nonce, and the checks of the ID token (signature from the provider's JWKS, issuer,
audience, expiry). This module only configures it and turns the claims into a viewer.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from ...access import Viewer
from ...config import ConfigError

NAME = "oidc"
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def init_app(app: Flask) -> None:
    """Register the provider named by ``OIDC_ISSUER``, if any."""
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    if not issuer:
        return
    parts = urlsplit(issuer)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        raise ConfigError(f"DATABOARD_OIDC_ISSUER: expected an https:// URL, got {issuer!r}")
    if not app.config["OIDC_CLIENT_ID"]:
        raise ConfigError("DATABOARD_OIDC_ISSUER is set: set DATABOARD_OIDC_CLIENT_ID too")
    oauth = OAuth(app)
    oauth.register(
        NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256"},
    )
    app.extensions["databoard.oidc"] = oauth


def client():
    """Return the app's OpenID Connect client, or ``None`` if none is configured."""
    oauth = current_app.extensions.get("databoard.oidc")
    return oauth.create_client(NAME) if oauth else None


def viewer(claims: dict) -> Viewer:
    """Return the viewer the ID token's (and userinfo's) *claims* describe.

    The name is ``preferred_username`` (else ``sub``); the email counts only if the
    provider says it verified it; groups come from the ``OIDC_GROUPS_CLAIM`` claim.
    """
    name = claims.get("preferred_username") or claims["sub"]
    email = claims.get("email", "") if claims.get("email_verified") is True else ""
    groups = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    if isinstance(groups, str):
        groups = [groups]
    return Viewer(str(name), str(email), frozenset(str(x) for x in groups), "oidc")
