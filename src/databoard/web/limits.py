"""Refuse request lines longer than ``MAX_REQUEST_LINE`` with the app's own 414.

A view of all 217 World Bank countries is a request line of about 2,700 bytes, over
gunicorn's default limit of 4,094, which answers with a bare HTML page. Production
gunicorn takes up to 8,190 bytes (its most, :func:`databoard.server.gunicorn_options`)
and the app itself refuses lines over the setting, so a client gets a 414 it can read:
JSON for the API, the error page for a page.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, current_app, request

from ..errors import DataboardError


def request_line_bytes() -> int:
    """Return the length of this request's line (``GET /path?query HTTP/1.1``) in bytes.

    The target is the one the client sent (``RAW_URI``) where the server gives it.
    """
    environ = request.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if target is None:
        path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        query = environ.get("QUERY_STRING", "")
        target = path + ("?" + query if query else "")
    method, protocol = environ.get("REQUEST_METHOD", ""), environ.get("SERVER_PROTOCOL", "")
    # WSGI strings are latin-1: a character is a byte.
    return len(method) + len(target) + len(protocol) + 2


def _refuse_long_request_line() -> None:
    limit = current_app.config["MAX_REQUEST_LINE"]
    length = request_line_bytes()
    if length > limit:
        raise DataboardError(
            f"the request line is {length:,} bytes long, over the limit of "
            f"{limit:,} bytes: select fewer values",
            414,
        )


def init_app(app: Flask) -> None:
    """Check the request line before anything else reads the request."""
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_long_request_line)
