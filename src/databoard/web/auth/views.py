"""The sign-in pages: a users-file password form, OpenID Connect, the account page.

Every form carries a CSRF token (Flask-WTF), and password attempts and OpenID Connect
callbacks are rate-limited per client address and per user name (Flask-Limiter).
"""

from __future__ import annotations

import functools
import re

import requests
from authlib.common.errors import AuthlibBaseError
from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from joserfc.errors import JoseError

from ... import accounts
from ...errors import DataboardError
from . import oidc
from .identity import current_viewer, mark_personal, sign_in

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

#: Longest user name and password read from the form; longer ones are wrong anyway.
MAX_NAME, MAX_PASSWORD = 64, 1024


def _rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _user_key() -> str:
    return "user:" + request.form.get("username", "")[:MAX_NAME]


#: A path on this site: browsers drop tabs and newlines and read ``\\`` as ``/``, so
#: ``/\t/evil.example`` would leave it.
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*")


def safe_next(value: str | None) -> str:
    """Return *value* if it is a path on this site, else ``/``: no open redirects."""
    return value if value and _LOCAL_PATH.fullmatch(value) else "/"


def limit_attempts(app) -> None:
    """Rate-limit password attempts (per address and per user name) and OIDC callbacks.

    Each app gets its own limiter, with the storage its configuration names.
    """
    limiter = Limiter(get_remote_address, app=app)
    app.extensions["databoard.limiter"] = limiter
    # Every limit here is a view's own, checked by its decorator; the check Flask-Limiter
    # adds before every request is for default and blueprint limits, which there are
    # none of, and cost each page and API answer a tenth of its time.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    # So are its hooks after every request, unless its headers are on: no limit here
    # deducts on the response, and its per-request state goes with the request.
    if not app.config.get("RATELIMIT_HEADERS_ENABLED"):
        app.after_request_funcs[None] = [
            hook for hook in app.after_request_funcs[None] if limiter not in _bound(hook)
        ]
        app.teardown_request_funcs[None] = [
            hook for hook in app.teardown_request_funcs[None] if limiter not in _bound(hook)
        ]
    per_address = limiter.limit(_rate, methods=["POST"])
    per_user = limiter.limit(_rate, key_func=_user_key, methods=["POST"])
    views = app.view_functions
    views["auth.login_password"] = per_address(per_user(views["auth.login_password"]))
    views["auth.oidc_callback"] = limiter.limit(_rate)(views["auth.oidc_callback"])


def _bound(hook) -> tuple:
    """Return what a hook is bound to: a method's object, a partial's arguments."""
    if isinstance(hook, functools.partial):
        return hook.args
    return (getattr(hook, "__self__", None),)


def _back_to(path: str):
    return redirect(request.script_root + safe_next(path))


@bp.after_request
def _no_store(response):
    # Sign-in pages hold CSRF tokens and say who is signed in: never cached anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/login")
def login():
    """Offer the configured ways to sign in."""
    return _login_page(request.args.get("next"))


def _login_page(next_path: str | None, message: str = "", status: int = 200):
    config = current_app.config
    page = render_template(
        "auth/login.html",
        next_path=safe_next(next_path),
        oidc=oidc.client() is not None,
        password=bool(config["USERS_FILE"]),
        proxy=config["PROXY_AUTH"],
        message=message,
    )
    return page, status


@bp.post("/login")
def login_password():
    """Check a user name and password against the users file."""
    users_file = current_app.config["USERS_FILE"]
    next_path = request.form.get("next")
    if not users_file:
        raise DataboardError("sign-in with a password is not enabled on this site", 404)
    name = request.form.get("username", "")
    password = request.form.get("password", "")
    if not name or not password or len(name) > MAX_NAME or len(password) > MAX_PASSWORD:
        return _login_page(next_path, "Enter your user name and password.", 400)
    found = accounts.read(users_file)
    viewer = found.check_password(name, password)
    if viewer is None:
        current_app.logger.warning("failed sign-in for user %r", name)
        return _login_page(next_path, "Wrong user name or password.", 401)
    sign_in(viewer, found.password_stamp(name))
    current_app.logger.info("%s signed in with a password", name)
    return _back_to(next_path)


@bp.get("/oidc")
def oidc_start():
    """Send the browser to the identity provider."""
    client = oidc.client()
    if client is None:
        raise DataboardError("sign-in through OpenID Connect is not enabled on this site", 404)
    session["next"] = safe_next(request.args.get("next"))
    try:
        return client.authorize_redirect(url_for("auth.oidc_callback", _external=True))
    except (requests.RequestException, ValueError) as error:  # down, or no discovery document
        raise _unreachable(error) from None


@bp.get("/oidc/callback")
def oidc_callback():
    """Finish the sign-in: trade the code for tokens, check the ID token, start a session."""
    client = oidc.client()
    if client is None:
        raise DataboardError("sign-in through OpenID Connect is not enabled on this site", 404)
    if "error" in request.args:
        message = request.args.get("error_description") or request.args["error"]
        raise DataboardError(f"the identity provider refused the sign-in: {message}", 401)
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if "userinfo_endpoint" in client.load_server_metadata():
            claims |= {k: v for k, v in client.userinfo(token=token).items() if k != "sub"}
    except AuthlibBaseError as error:
        raise DataboardError(f"sign-in failed: {error.description or error.error}", 400) from None
    except requests.RequestException as error:
        raise _unreachable(error) from None
    except (JoseError, KeyError, ValueError) as error:  # a malformed answer or ID token
        raise DataboardError(f"sign-in failed: {error}", 400) from None
    if "sub" not in claims:
        raise DataboardError("sign-in failed: the identity provider sent no ID token", 400)
    next_path = session.get("next")
    viewer = oidc.viewer(claims)
    sign_in(viewer)
    current_app.logger.info("%s signed in through OpenID Connect", viewer.name)
    return _back_to(next_path)


def _unreachable(error: Exception) -> DataboardError:
    current_app.logger.warning("identity provider unreachable or broken: %r", error)
    return DataboardError("the identity provider cannot be reached; try again later", 503)


@bp.post("/logout")
def logout():
    """End the session."""
    session.clear()
    g.viewer = None
    mark_personal()
    response = _back_to("/")
    # Private pages the browser kept (to revalidate) go too: a shared computer shows none.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.get("/account")
def account():
    """Show who is signed in, and how, with the sign-out button."""
    viewer = current_viewer()
    if viewer is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return render_template("auth/account.html", viewer=viewer)
