"""Security headers on every answer (pages, API, downloads, errors, assets), from one table.

The Content-Security-Policy allows scripts from this site only, and no inline script at
all: a page's data travels in ``<script type="application/json">`` blocks, which browsers
never run, and its code is in same-origin files (``databoard.js``, plotly.js). That needs
no nonce, so a cached page (in the app, in nginx) stays valid for every visitor; an
inline ``<script>`` added to a template would be blocked, and a test says so. Styles may
be inline because plotly.js styles the SVG it draws that way.

``Strict-Transport-Security`` is sent only on answers that went out over HTTPS, directly
or as a trusted proxy reports it (``PROXY_COUNT``), and never in debug mode.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, request

from ..config import PREFIX, ConfigError

#: The Content-Security-Policy, directive by directive; ``frame-ancestors`` is a setting.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    # plotly.js sets style attributes and adds <style> elements as it draws.
    "style-src": "'self' 'unsafe-inline'",
    # Bootstrap draws its form icons as data: URLs; plotly.js exports images as blobs.
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}

#: Headers every answer carries, besides the CSP.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Filters in a page's address can be private: other sites are not told them.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

#: One source of ``frame-ancestors``: a keyword, a scheme, or a host with optional
#: scheme, port and path (https://*.example.org:443/dashboards).
_SOURCE = re.compile(
    r"'self'|'none'|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*://)?[\w*.-]+(:(\d+|\*))?(/\S*)?"
)


def frame_ancestors(value: str) -> str:
    """Return the ``FRAME_ANCESTORS`` setting checked, as a CSP source list.

    ``self`` and ``none`` without their quotes (as a shell leaves them) are the keywords.

    :raise ConfigError: for anything but CSP sources ('self', 'none', origins).
    """
    # Shells and .env files strip the quotes of 'self'; a host named "self" is no use.
    keywords = {"self": "'self'", "none": "'none'"}
    sources = [keywords.get(source.lower(), source) for source in value.split()]
    if (
        not sources
        or not all(_SOURCE.fullmatch(s) and ";" not in s and "," not in s for s in sources)
        or ("'none'" in sources and len(sources) > 1)
    ):
        raise ConfigError(
            f"{PREFIX}FRAME_ANCESTORS: expected 'self', 'none' or origins such as "
            f"https://intranet.example.org, separated by spaces; got {value!r}"
        )
    return " ".join(sources)


def security_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """Return the headers every answer carries under *config* (HSTS aside)."""
    ancestors = frame_ancestors(config["FRAME_ANCESTORS"])
    policy = CSP | {"frame-ancestors": ancestors}
    headers = HEADERS | {
        "Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in policy.items())
    }
    # For browsers that predate frame-ancestors, where the setting can be said that way.
    legacy = {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(ancestors)
    if legacy:
        headers["X-Frame-Options"] = legacy
    return headers


def init_app(app: Flask) -> None:
    """Add the security headers to every answer; a view may set its own first."""
    table = [(name.lower(), name, value) for name, value in security_headers(app.config).items()]
    max_age = app.config["HSTS_MAX_AGE"]
    hsts = f"max-age={max_age}" if max_age else None

    @app.after_request
    def add_security_headers(response):
        # The names the answer has, read once: a setdefault per header reads them all
        # each time (some 60 us an answer).
        headers = response.headers
        present = set(headers.keys(lower=True))
        for lower, name, value in table:
            if lower not in present:
                headers.add(name, value)
        if hsts and request.is_secure and not app.debug:
            headers.setdefault("Strict-Transport-Security", hsts)
        return response
