"""Assets come from installed packages, fingerprinted, compressed and cached for good."""

from __future__ import annotations

import gzip
import re
from importlib.resources import files
from pathlib import Path

import brotli
import pytest


def asset_url(client, name):
    html = client.get("/d/worldbank").get_data(as_text=True)
    match = re.search(rf'"(/static/[0-9a-f]{{12}}/{re.escape(name)})"', html)
    assert match, name
    return match.group(1)


def test_plotly_js_is_the_one_shipped_with_plotly(client):
    url = asset_url(client, "plotly.min.js")
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    shipped = Path(str(files("plotly"))) / "package_data" / "plotly.min.js"
    assert response.data == shipped.read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_assets_are_compressed(client, encoding, decode):
    url = asset_url(client, "bootstrap.min.css")
    plain = client.get(url, headers={"Accept-Encoding": "identity"}).data
    response = client.get(url, headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert response.headers["Vary"] == "Accept-Encoding"
    assert decode(response.data) == plain
    assert len(response.data) < len(plain) / 4


def test_conditional_request_gets_304(client):
    url = asset_url(client, "databoard.js")
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_stale_fingerprint_is_served_briefly(client):
    url = asset_url(client, "databoard.js")
    stale = re.sub(r"/static/[0-9a-f]{12}/", "/static/000000000000/", url)
    response = client.get(stale)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_map_shapes_are_served_where_plotly_asks(client):
    html = client.get("/d/worldbank").get_data(as_text=True)
    folder = re.search(r'"topojsonURL": "([^"]+)"', html).group(1)
    response = client.get(folder + "world_110m.json", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert b'"countries"' in response.data


def test_unknown_asset_is_404(client):
    assert client.get("/static/000000000000/nope.js").status_code == 404
