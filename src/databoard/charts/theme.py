"""The look shared by every figure: one small layout instead of Plotly's default template."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..dashboard import Chart

#: Colours for series, in selection order (Okabe-Ito based, readable by colour-blind viewers).
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#8C564B",
    "#332288",
    "#999933",
    "#7F7F7F",
    "#882255",
    "#44AA99",
]

FONT = {
    "family": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    "size": 12,
    "color": "#212529",
}


def base_layout(chart: Chart) -> dict:
    """Return the layout every figure starts from, naming the chart's source."""
    layout = {
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 60, "r": 10, "t": 10, "b": 50},
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        "hoverlabel": {"namelength": -1},
        "meta": {"unit": chart.unit, "source": chart.source, "updated": chart.updated},
    }
    return layout
