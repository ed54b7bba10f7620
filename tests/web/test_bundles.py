"""The partial plotly.js bundles: built from the plotly.js the plotly package ships, served
fingerprinted, and covering every trace type the chart kinds draw."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

import pytest

from databoard.web.bundles import MANIFEST

MANIFEST_DATA = json.loads(MANIFEST.read_text())


def page_config(client, path="/d/worldbank") -> dict:
    html = client.get(path).get_data(as_text=True)
    return json.loads(re.search(r'id="databoard-config">(.*?)</script>', html).group(1))


def test_same_plotly_js_version_as_the_plotly_package():
    shipped = (Path(str(files("plotly"))) / "package_data" / "plotly.min.js").read_text()[:200]
    version = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", shipped).group(1)
    assert MANIFEST_DATA["plotly.js"] == version
    sources = (MANIFEST.parent / "SOURCES.md").read_text()
    assert f"plotly.js **{version}**" in sources and "MIT" in sources
    for entry in MANIFEST_DATA["entries"].values():
        head = (MANIFEST.parent / entry["file"]).read_text()[:200]
        assert f"plotly.js {version}" in head and "MIT" in head


def test_every_trace_type_the_worldbank_page_draws_is_in_a_partial_bundle(client):
    html = client.get("/d/worldbank").get_data(as_text=True)
    state = json.loads(re.search(r'id="databoard-state">(.*?)</script>', html).group(1))
    types = {t.get("type", "scatter") for f in state["figures"].values() for t in f["data"]}
    bundled = {t for e in MANIFEST_DATA["entries"].values() for t in e["types"]}
    assert {"scatter", "bar", "choropleth", "indicator"} <= types <= bundled
    assert "choropleth" not in MANIFEST_DATA["entries"]["core"]["types"]


@pytest.mark.parametrize("name", ["core", "geo"])
def test_bundles_and_their_chunks_are_served_for_good(client, name):
    url = page_config(client)["plotly"]["bundles"][name]["url"]
    folder = url.rsplit("/", 1)[0]
    entry = MANIFEST_DATA["entries"][name]
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.data == (MANIFEST.parent / entry["file"]).read_bytes()
    for chunk in entry["imports"]:
        # The bundle imports its chunks by relative URL: the same fingerprinted folder.
        assert f'from"./{chunk}"' in response.get_data(as_text=True).replace(" ", "")
        answer = client.get(f"{folder}/{chunk}")
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_page_of_kinds_preloads_the_core_bundle(client):
    html = client.get("/d/worldbank").get_data(as_text=True)
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    core = MANIFEST_DATA["entries"]["core"]
    assert [u.rsplit("/", 1)[1] for u in preloaded] == [core["file"], *core["imports"]]
    assert "geo.js" not in " ".join(preloaded)
    assert page_config(client)["plotly"]["full"].endswith("/plotly.min.js")
