"""Static assets served by the app itself, fingerprinted and pre-compressed.

Bootstrap comes from Bootstrap-Flask, plotly.js from the plotly package and the map
shapes from our own static folder, so a page needs no CDN and works offline. Each URL
holds a hash of the file's content (``/static/<hash>/plotly.min.js``), which lets the
browser keep it for a year; the gzip and brotli forms are made once per process.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import brotli
from flask import Blueprint, Flask, Response, abort, current_app, request, url_for

bp = Blueprint("assets", __name__)

_OWN = Path(__file__).parent / "static"


def _sources() -> dict[str, Path]:
    """Map each asset's public name to the installed file behind it."""
    bootstrap = Path(str(files("flask_bootstrap"))) / "static" / "bootstrap5"
    plotly = Path(str(files("plotly"))) / "package_data"
    found = {
        "bootstrap.min.css": bootstrap / "css" / "bootstrap.min.css",
        "plotly.min.js": plotly / "plotly.min.js",
    }
    for path in sorted(_OWN.rglob("*")):
        if path.is_file() and not path.name.endswith(".md"):
            found[path.relative_to(_OWN).as_posix()] = path
    return found


@dataclass
class Asset:
    path: Path
    data: bytes
    digest: str
    mimetype: str
    _encoded: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def encoded(self, encoding: str) -> bytes:
        """Return the content compressed with *encoding*, compressing it once."""
        with self._lock:
            if encoding not in self._encoded:
                if encoding == "br":
                    self._encoded[encoding] = brotli.compress(self.data, quality=9)
                else:
                    self._encoded[encoding] = gzip.compress(self.data, 9, mtime=0)
            return self._encoded[encoding]


class Assets:
    """The asset files, read once, keyed by public name."""

    def __init__(self):
        self.files: dict[str, Asset] = {}
        for name, path in _sources().items():
            data = path.read_bytes()
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            digest = hashlib.sha256(data).hexdigest()[:12]
            self.files[name] = Asset(path, data, digest, mimetype)

    def url(self, name: str) -> str:
        """Return the fingerprinted URL of asset *name*."""
        return url_for("assets.static", digest=self.files[name].digest, name=name)

    def folder_url(self, name: str) -> str:
        """Return the URL of the folder holding asset *name* (plotly.js adds file names)."""
        return self.url(name).rsplit("/", 1)[0] + "/"


def get_assets() -> Assets:
    return current_app.extensions["databoard.assets"]


def _preferred_encoding() -> str | None:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding]:
            return encoding
    return None


@bp.route("/static/<digest>/<path:name>")
def static(digest: str, name: str):
    """Serve an asset; a current hash may be cached for good, an old one briefly."""
    asset = get_assets().files.get(name)
    if asset is None:
        abort(404, f"no asset {name!r}")
    encoding = _preferred_encoding() if asset.mimetype != "image/png" else None
    response = Response(
        asset.encoded(encoding) if encoding else asset.data, mimetype=asset.mimetype
    )
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(f"{asset.digest}-{encoding or 'identity'}")
    if digest == asset.digest:
        max_age = current_app.config["STATIC_MAX_AGE"]
        response.headers["Cache-Control"] = f"public, max-age={max_age}, immutable"
    else:
        response.headers["Cache-Control"] = "public, max-age=60"
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Read the assets and offer ``asset_url(name)`` to templates."""
    app.extensions["databoard.assets"] = Assets()
    app.register_blueprint(bp)
    app.jinja_env.globals["asset_url"] = lambda name: get_assets().url(name)
    app.jinja_env.globals["asset_folder_url"] = lambda name: get_assets().folder_url(name)
