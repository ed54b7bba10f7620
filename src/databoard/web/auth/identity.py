"""Who is asking: an API token, a trusted proxy's header, or the signed session cookie.

The viewer is worked out once per request and kept in ``g``. Whether the answer then
depends on who asks is noted too (:func:`mark_personal`), so it is never stored in a
shared cache (see :mod:`databoard.web.auth.guard`).
"""

from __future__ import annotations

import time

from flask import current_app, g, request, session

from ... import accounts
from ...access import PUBLIC, Rule, Viewer, allows, parse
from ...dashboard import Dashboard
from ...errors import DataboardError

#: Headers a trusted authenticating proxy (oauth2-proxy, Cloudflare Access, ...) sets.
PROXY_USER, PROXY_EMAIL, PROXY_GROUPS = (
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Forwarded-Groups",
)


class Unauthorized(DataboardError):
    """No one, or no valid API token, is signed in (status 401)."""

    def __init__(self, message: str, error: str = ""):
        super().__init__(message, 401)
        #: the RFC 6750 error code for ``WWW-Authenticate``, when a token was refused
        self.error = error


def rule_of(board: Dashboard | None) -> Rule:
    """Return who may see *board*: its own rule, else (or for no board) the site's."""
    return (parse(board.access) if board else None) or current_app.extensions["databoard.access"]


def current_viewer() -> Viewer | None:
    """Return who is asking, or ``None`` for an anonymous request.

    :raise Unauthorized: for an ``Authorization`` header that is not a live API token.
    """
    if "viewer" not in g:
        g.viewer = _resolve()
        if g.viewer is not None:
            mark_personal()
    return g.viewer


def mark_personal() -> None:
    """Note that this request's answer depends on who asks."""
    g.personal = True


def may_see(board: Dashboard | None) -> bool:
    """Return whether the current viewer may see *board* (``None``: a dashboard whose
    file did not load, under the site's rule).

    Showing a private dashboard (or anything of it) makes the answer personal.
    """
    rule = rule_of(board)
    allowed = allows(rule, current_viewer())
    if allowed and rule != PUBLIC:
        mark_personal()
    return allowed


def _resolve() -> Viewer | None:
    config = current_app.config
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    # Other schemes are not ours: a proxy's Basic authentication, say, passed along.
    if scheme.lower() == "bearer":
        mark_personal()
        if not token.strip():
            raise Unauthorized("the Authorization header takes 'Bearer <token>'", "invalid_request")
        viewer = None
        if config["USERS_FILE"]:
            viewer = accounts.read(config["USERS_FILE"]).check_token(token.strip())
        if viewer is None:
            raise Unauthorized("the API token is unknown, revoked or expired", "invalid_token")
        return viewer
    return (_from_proxy() if config["PROXY_AUTH"] else None) or _from_session()


def _from_proxy() -> Viewer | None:
    """Trust the proxy's headers (``init_app`` allows it only with ``PROXY_COUNT``)."""
    user = request.headers.get(PROXY_USER, "").strip()
    email = request.headers.get(PROXY_EMAIL, "").strip()
    if not user and not email:
        return None
    mark_personal()
    groups = {x.strip() for x in request.headers.get(PROXY_GROUPS, "").split(",") if x.strip()}
    return Viewer(user or email, email, frozenset(groups), "proxy")


def _from_session() -> Viewer | None:
    # Reading the session of a request without a cookie would add "Vary: Cookie" to an
    # answer that is the same for everyone.
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None
    signed_in = session.get("viewer")
    if not isinstance(signed_in, dict) or not isinstance(signed_in.get("name"), str):
        return None
    if time.time() - signed_in.get("at", 0) > current_app.config["SESSION_MAX_AGE"]:
        # The cookie's own age restarts with each answer; a sign-in's does not.
        session.clear()
        return None
    viewer = Viewer(
        signed_in["name"],
        signed_in.get("email", ""),
        frozenset(signed_in.get("groups", ())),
        signed_in.get("via", ""),
    )
    if viewer.via == "password":
        # A removed user or a changed password ends the session.
        users_file = current_app.config["USERS_FILE"]
        stamp = accounts.read(users_file).password_stamp(viewer.name) if users_file else ""
        if not stamp or stamp != signed_in.get("stamp"):
            session.clear()
            return None
    return viewer


def sign_in(viewer: Viewer, stamp: str = "") -> None:
    """Start a session for *viewer*, dropping whatever the old session held."""
    session.clear()
    session.permanent = True
    session["viewer"] = {
        "name": viewer.name,
        "email": viewer.email,
        "groups": sorted(viewer.groups),
        "via": viewer.via,
        "stamp": stamp,
        "at": int(time.time()),
    }
    g.viewer = viewer
    mark_personal()
