"""Serve behind a reverse proxy: under a URL prefix, trusting only the proxy's headers.

With ``URL_PREFIX=/dashboards`` the proxy passes ``/dashboards/...`` on unchanged and the
app serves it as ``/...`` with ``/dashboards`` as its script root, so every URL the app
makes (``url_for``, asset URLs, the API URLs in a page) carries the prefix. The prefix
is configuration, not a request header, so no client can move the site.

``X-Forwarded-For``, ``-Proto``, ``-Host`` and ``-Port`` are believed only from the
``PROXY_COUNT`` proxies in front; with the default 0, from nobody.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

OUTSIDE = "databoard.outside_prefix"


class PrefixMiddleware:
    """Move the URL prefix from ``PATH_INFO`` to ``SCRIPT_NAME``; mark paths outside it."""

    def __init__(self, wsgi_app, prefix: str):
        self.wsgi_app = wsgi_app
        self.prefix = prefix

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix) :]
        else:
            # Answered by the app (not here) so the 404 gets a request id and a log line.
            environ[OUTSIDE] = True
        return self.wsgi_app(environ, start_response)


def _refuse_outside_prefix():
    if request.environ.get(OUTSIDE):
        abort(404, f"nothing here: this site is served under {current_app.config['URL_PREFIX']}/")


def init_app(app: Flask) -> None:
    """Wrap the app for its ``URL_PREFIX`` and ``PROXY_COUNT`` settings."""
    if app.config["URL_PREFIX"]:
        app.wsgi_app = PrefixMiddleware(app.wsgi_app, app.config["URL_PREFIX"])
        app.before_request(_refuse_outside_prefix)
    count = app.config["PROXY_COUNT"]
    if count:
        trusted = dict.fromkeys(("x_for", "x_proto", "x_host", "x_port"), count)
        app.wsgi_app = ProxyFix(app.wsgi_app, **trusted)
