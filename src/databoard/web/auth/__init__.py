"""Private dashboards: who may see what, and the ways to sign in.

A viewer signs in through OpenID Connect, a trusted authenticating proxy's headers, or
a users file; scripts send an API token. :mod:`.guard` checks every dashboard request
against the dashboard's rule (:mod:`databoard.access`).
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Flask, Request, g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from ... import access, accounts
from ...config import ConfigError
from . import guard, oidc
from .identity import (
    PROXY_EMAIL,
    PROXY_GROUPS,
    PROXY_USER,
    Unauthorized,
    current_viewer,
    may_see,
    rule_of,
)
from .views import bp, limit_attempts

csrf = CSRFProtect()

__all__ = ["current_viewer", "init_app", "may_see", "rule_of", "viewer_key"]


def site_rule(value: str):
    """Return the ``ACCESS`` setting as a rule: ``public`` or a JSON mapping.

    :raise ConfigError: naming the setting, for anything else.
    """
    try:
        return access.parse(json.loads(value) if value.lstrip().startswith("{") else value)
    except ValueError as error:
        raise ConfigError(f"DATABOARD_ACCESS: {error}") from None


def viewer_key() -> str:
    """Return who is signed in, for the cache key of an answer that shows it."""
    viewer = g.get("viewer")
    return viewer.name if viewer else ""


def init_app(app: Flask) -> None:
    """Set up sessions, CSRF protection, rate limits, the sign-in routes and the guard.

    Call it after the dashboards are loaded: a private dashboard on a site with no way
    to sign in is a configuration error.

    :raise ConfigError: for settings that do not fit together.
    """
    config = app.config
    app.extensions["databoard.access"] = site_rule(config["ACCESS"])
    sign_in_enabled = bool(config["OIDC_ISSUER"] or config["USERS_FILE"] or config["PROXY_AUTH"])
    _check(app, sign_in_enabled)
    # The request headers an answer may depend on (see guard.keep_private).
    headers: tuple[str, ...] = ("Cookie", "Authorization") if sign_in_enabled else ()
    if config["PROXY_AUTH"]:
        headers += (PROXY_USER, PROXY_EMAIL, PROXY_GROUPS)
    app.extensions["databoard.identity_headers"] = headers
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=config["SESSION_MAX_AGE"])
    config["SESSION_COOKIE_SAMESITE"] = config["SESSION_COOKIE_SAMESITE"] or "Lax"
    config["SESSION_COOKIE_HTTPONLY"] = True
    # Failed sign-ins are counted where every worker sees them: in the operator's
    # RATELIMIT_STORAGE_URI, else the shared Redis cache, else (alone) each worker's memory.
    redis_cache = "redis" in str(config["CACHE_TYPE"]).lower() and config.get("CACHE_REDIS_URL")
    config.setdefault("RATELIMIT_STORAGE_URI", redis_cache or "memory://")
    config.setdefault("RATELIMIT_KEY_PREFIX", "databoard-login")
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.session_interface = CookieSessions()
    csrf.init_app(app)
    oidc.init_app(app)
    app.register_blueprint(bp)
    limit_attempts(app)
    app.before_request(guard.check_access)
    app.after_request(guard.keep_private)
    app.register_error_handler(Unauthorized, guard.refuse)

    @app.context_processor
    def signed_in():
        return {"viewer": g.get("viewer"), "sign_in_enabled": sign_in_enabled}


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a request without the cookie (a chart, an asset:
    most requests) gets its empty session without the signer Flask would build first."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def _check(app: Flask, sign_in_enabled: bool) -> None:
    config = app.config
    if config["PROXY_AUTH"] and not config["PROXY_COUNT"]:
        raise ConfigError(
            "DATABOARD_PROXY_AUTH trusts a proxy's X-Forwarded-User: it needs "
            "DATABOARD_PROXY_COUNT=1 (or more), the proxies that set it"
        )
    site_wide = app.extensions["databoard.access"]
    boards = app.extensions["databoard"].dashboards.values()
    private = [b.slug for b in boards if (b.access or site_wide) != access.PUBLIC]
    if private and not sign_in_enabled:
        raise ConfigError(
            f"dashboard(s) {', '.join(private)} are private, but no one can sign in: set "
            "DATABOARD_OIDC_ISSUER, DATABOARD_USERS_FILE or DATABOARD_PROXY_AUTH"
        )
    if config["USERS_FILE"]:
        try:
            accounts.read(config["USERS_FILE"])
        except accounts.AccountsError as error:
            raise ConfigError(f"DATABOARD_USERS_FILE: {error}") from None
