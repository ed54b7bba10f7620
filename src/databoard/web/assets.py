"""Static assets served by the app itself, fingerprinted and pre-compressed.

The whole plotly.js comes from the plotly package; Bootstrap's CSS, the partial plotly.js
bundles and the map shapes from our own static folder (each folder's ``SOURCES.md`` says
where its files are from), so a page needs no CDN and works offline. Each URL holds a hash
of the file's content (``/static/<hash>/plotly.min.js``), which lets the browser keep it
for a year; the files of one subfolder share the hash of the whole folder, because they
refer to each other by relative URLs (plotly.js's code chunks, the map shapes). The gzip
and brotli forms are made once per process (:mod:`.encoding`).
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, url_for

from . import encoding

bp = Blueprint("assets", __name__)

_OWN = Path(__file__).parent / "static"


def _sources() -> dict[str, Path]:
    """Map each asset's public name to the installed file behind it."""
    plotly = Path(str(files("plotly"))) / "package_data"
    found = {"plotly.min.js": plotly / "plotly.min.js"}
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

    @property
    def encodings(self) -> tuple[str, ...]:
        """Return the encodings worth offering: none for an already compressed image."""
        return () if self.mimetype == "image/png" else encoding.ENCODINGS

    def encoded(self, name: str) -> bytes:
        """Return the content compressed with encoding *name*, compressing it once."""
        with self._lock:
            if name not in self._encoded:
                self._encoded[name] = encoding.compress(self.data, name, 9)
            return self._encoded[name]


class Assets:
    """The asset files, read once, keyed by public name."""

    def __init__(self):
        self.files: dict[str, Asset] = {}
        folders: dict[str, str] = {}
        for name, path in _sources().items():
            data = path.read_bytes()
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            digest = hashlib.sha256(data).hexdigest()
            self.files[name] = Asset(path, data, digest[:12], mimetype)
            folder = name.rpartition("/")[0]
            folders[folder] = folders.get(folder, "") + digest
        for name, asset in self.files.items():
            if folder := name.rpartition("/")[0]:
                asset.digest = hashlib.sha256(folders[folder].encode()).hexdigest()[:12]

    def url(self, name: str) -> str:
        """Return the fingerprinted URL of asset *name*."""
        return url_for("assets.static", digest=self.files[name].digest, name=name)

    def folder_url(self, name: str) -> str:
        """Return the URL of the folder holding asset *name* (plotly.js adds file names)."""
        return self.url(name).rsplit("/", 1)[0] + "/"


def get_assets() -> Assets:
    return current_app.extensions["databoard.assets"]


@bp.route("/static/<digest>/<path:name>")
def static(digest: str, name: str):
    """Serve an asset; a current hash may be cached for good, an old one briefly."""
    asset = get_assets().files.get(name)
    if asset is None:
        abort(404, f"no asset {name!r}")
    chosen = encoding.negotiate(asset.encodings)
    response = Response(mimetype=asset.mimetype)
    response.set_etag(f"{asset.digest}-{chosen or 'identity'}")
    if digest == asset.digest:
        max_age = current_app.config["STATIC_MAX_AGE"]
        response.headers["Cache-Control"] = f"public, max-age={max_age}, immutable"
    else:
        response.headers["Cache-Control"] = "public, max-age=60"
    return encoding.send(response, asset.encoded(chosen) if chosen else asset.data, chosen)


def init_app(app: Flask) -> None:
    """Read the assets and offer ``asset_url(name)`` to templates."""
    app.extensions["databoard.assets"] = Assets()
    app.register_blueprint(bp)
    app.jinja_env.globals["asset_url"] = lambda name: get_assets().url(name)
    app.jinja_env.globals["asset_folder_url"] = lambda name: get_assets().folder_url(name)
