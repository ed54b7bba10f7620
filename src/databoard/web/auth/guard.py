"""Check every dashboard request against the dashboard's rule; keep private answers private.

One check covers every page and API route of a dashboard (those with a ``slug``):
nobody signed in gets the sign-in page (pages) or a JSON 401 with ``WWW-Authenticate``
(API); someone signed in but not allowed gets a 403. An answer that depends on who asks
is sent ``Cache-Control: private, no-cache``, so no shared cache (the shipped nginx, a
CDN) keeps it, and every page and API answer varies on ``Cookie`` and ``Authorization``,
so a cache never hands an anonymous copy to someone signed in, or the other way round
(with ``PROXY_AUTH``, on the proxy's identity headers too).
"""

from __future__ import annotations

from flask import Response, current_app, g, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ...errors import DataboardError
from ...site import get_site
from .identity import Unauthorized, current_viewer, mark_personal, may_see

#: The blueprints whose answers show dashboards.
GUARDED = ("pages", "api")


def check_access() -> None:
    """Refuse a dashboard route to whoever may not see the dashboard."""
    if request.blueprint not in GUARDED:
        return
    viewer = current_viewer()
    slug = (request.view_args or {}).get("slug")
    if slug is None:
        return
    site = get_site()
    board = site.dashboards.get(slug)
    broken = site.broken_named(slug) if board is None else None
    # A broken dashboard's problems are shown only to whoever may see the dashboard.
    if (board is None and broken is None) or may_see(board if broken is None else broken.board):
        return
    mark_personal()
    if viewer is None:
        raise Unauthorized(f"sign in to see dashboard {slug!r}")
    raise DataboardError(f"{viewer.name} may not see dashboard {slug!r}", 403)


def refuse(error: Unauthorized) -> BaseResponse:
    """Answer a 401: the sign-in page for a page, JSON with ``WWW-Authenticate`` otherwise."""
    if request.blueprint == "pages" and not error.error:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    response = jsonify(error.to_dict())
    response.status_code = 401
    challenge = 'Bearer realm="databoard"'
    if error.error:
        challenge += f', error="{error.error}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def keep_private(response: Response) -> Response:
    """Mark answers that depend on who asks as private; vary shared ones on identity.

    A site where nobody can sign in answers everyone alike, and varies on nothing more.
    """
    if g.get("personal") and not response.cache_control.no_store:
        response.headers["Cache-Control"] = "private, no-cache"
    identity = current_app.extensions["databoard.identity_headers"]
    if identity and (g.get("personal") or request.blueprint in GUARDED):
        response.vary.update(identity)  # parsing Vary costs every answer: only if needed
    return response
