"""The application factory."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Response
from flask_compress import Compress

from .. import config, site
from . import api, assets, auth, bundles, cache, errors, headers, limits, live, ops, pages

compress = Compress()


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: defaults, a ``.env`` file, ``DATABOARD_*`` variables, *test_config*.

    The dashboards and their data are loaded here, once per process, before the first
    request (and before gunicorn forks its workers when it preloads the app).
    """
    app = Flask(__name__, static_folder=None)
    loaded = config.load(test_config)
    app.config.from_mapping(loaded.values)
    for note in loaded.notes:
        app.logger.warning("%s", note)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        ["text/html", "application/json", "text/csv", "text/css", "application/javascript"],
    )
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # An uncached answer waits for its compression. Quality 2 compresses a World Bank chart
    # (10 KB) in 40-60 us, 4 in 90-175 us for 3% fewer bytes; the page's HTML comes out 8%
    # bigger, under 1% of a first visit's bytes (plotly.js and the other assets are
    # compressed once, harder: see assets).
    app.config.setdefault("COMPRESS_BR_LEVEL", 2)
    # Big downloads: gzip keeps a stream's memory flat (brotli's window takes some 30 MiB).
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["gzip", "br"])
    if not app.debug:
        app.logger.setLevel(logging.INFO)

    # Answers compressed once already (cached ones, assets: encoding.send) skip
    # Flask-Compress's checks, some 30 us each.
    app.config.setdefault("COMPRESS_REGISTER", False)
    compress.init_app(app)
    app.after_request(_compress)
    cache.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    assets.init_app(app)
    bundles.init_app(app)
    drawn = site.init_app(app)
    live.init_app(app)
    ops.init_app(app)
    auth.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    if app.config["CACHE_WARM"]:
        pages.warm(app, drawn)
    return app


def _compress(response: Response) -> Response:
    """Compress an answer in the encoding the client takes, unless it is already."""
    if "Content-Encoding" in response.headers:
        return response
    return compress.after_request(response)
