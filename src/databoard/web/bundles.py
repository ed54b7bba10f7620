"""Which plotly.js a page loads: partial bundles built from plotly.js, or all of it.

``static/plotly/`` holds ES modules built from the plotly.js npm package by
``frontend/build.mjs`` (see its SOURCES.md): ``core`` with the trace types the chart kinds
draw, and ``geo`` with the map types, which share one plotly.js registry. The page's
script loads the bundles a figure needs the first time it draws one, so a page without a
map never loads map code; a figure with any other trace type (a custom ``@board.chart``
figure) makes the page load the whole plotly.js of the plotly package instead.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, current_app

from ..dashboard import Dashboard
from .assets import get_assets

MANIFEST = Path(__file__).parent / "static" / "plotly" / "bundles.json"


def _manifest() -> dict:
    return current_app.extensions["databoard.bundles"]


def config() -> dict:
    """Return what the page's script needs to load plotly.js: URLs and trace types."""
    assets = get_assets()
    return {
        "bundles": {
            name: {"url": assets.url(f"plotly/{entry['file']}"), "types": entry["types"]}
            for name, entry in _manifest()["entries"].items()
        },
        "full": assets.url("plotly.min.js"),
    }


def preloads(board: Dashboard) -> list[str]:
    """Return the URLs of the core bundle's files, to fetch before the script asks.

    Only when every chart has a kind, whose trace types the core is built for; a page
    with custom figures learns which plotly.js it needs from the figures themselves.
    """
    if any(chart.kind is None for chart in board.charts.values()):
        return []
    core = _manifest()["entries"]["core"]
    return [get_assets().url(f"plotly/{name}") for name in [core["file"], *core["imports"]]]


def init_app(app: Flask) -> None:
    """Read the bundles' manifest and offer ``plotly_config()`` and ``plotly_preloads()``."""
    app.extensions["databoard.bundles"] = json.loads(MANIFEST.read_text())
    app.jinja_env.globals["plotly_config"] = config
    app.jinja_env.globals["plotly_preloads"] = preloads
