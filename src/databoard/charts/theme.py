"""The look shared by every figure: one small layout instead of Plotly's default template.

The chart kinds build their layout from :func:`base_layout`. A figure a chart function
draws with Plotly gets the same look as the Plotly template ``"databoard"``
(:data:`TEMPLATE`): :func:`apply` sets it where the author chose no template of their
own, for that figure only, so Plotly's default for the rest of the process is untouched.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any

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


#: The legend of every figure: one row below the plot, which a phone's width leaves whole.
LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}
GRID = {"gridcolor": "#e9ecef", "zerolinecolor": "#dee2e6", "automargin": True}

#: The Plotly template ``"databoard"``: what :func:`base_layout` gives the chart kinds.
TEMPLATE: dict[str, Any] = {
    "layout": {
        "font": FONT,
        "colorway": PALETTE,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 60, "r": 10, "t": 10, "b": 50},
        "legend": LEGEND,
        "hoverlabel": {"namelength": -1},
        "xaxis": GRID,
        "yaxis": GRID,
        "colorscale": {"sequential": "Viridis"},
    }
}


def base_layout(chart: Chart) -> dict:
    """Return the layout every figure starts from, naming the chart's source."""
    # A copy one level down (the template's values are flat): a kind changes its figure's
    # margins and legend in place. Every render pays for it, so no deepcopy (20 us).
    shared = TEMPLATE["layout"]
    layout = {n: dict(shared[n]) if isinstance(shared[n], dict) else shared[n] for n in _BASE}
    layout["meta"] = {"unit": chart.unit, "source": chart.source, "updated": chart.updated}
    return layout


#: What :func:`base_layout` takes from the template, in the order figures spell it.
_BASE = ("font", "paper_bgcolor", "plot_bgcolor", "margin", "legend", "hoverlabel")


@functools.cache
def register() -> None:
    """Register :data:`TEMPLATE` as Plotly's template ``"databoard"`` (once), so an author
    may also name it: ``px.line(..., template="databoard")``. Plotly's default stays."""
    import plotly.io as pio

    pio.templates["databoard"] = TEMPLATE


@functools.cache
def _default_template(name: str) -> Any:
    import plotly.io as pio

    return pio.templates[name].to_plotly_json()


def apply(figure: dict) -> None:
    """Give a figure drawn by a chart function databoard's template, unless the author
    chose another: a figure with no template, or with Plotly's default (which
    plotly.express fills in by itself), gets :data:`TEMPLATE`. The room plotly.express
    keeps above the plot for a title (a top margin of 60) goes too when there is none."""
    layout = figure.setdefault("layout", {})
    template = layout.get("template")
    if template is not None and "plotly.io" in sys.modules:
        import plotly.io as pio

        default = pio.templates.default
        if not isinstance(default, str) or template != _default_template(default):
            return
    elif template is not None:
        return
    layout["template"] = TEMPLATE
    title = layout.get("title") or {}
    if layout.get("margin") == {"t": 60} and not title.get("text"):
        del layout["margin"]


def recolour(figure: dict, colours: dict[str, str]) -> None:
    """Colour each trace of a chart function's figure named after a value of a colour
    column (a country, a region) as every chart of the dashboard colours that value.

    Traces whose colour varies point by point (a colour scale) keep theirs; a pie's
    slices are coloured by their labels.
    """
    for trace in figure.get("data", []):
        if trace.get("type") == "pie" and trace.get("labels") is not None:
            labels = [str(label) for label in trace["labels"]]
            if any(label in colours for label in labels):
                slices = [
                    colours.get(label, PALETTE[i % len(PALETTE)]) for i, label in enumerate(labels)
                ]
                trace["marker"] = (trace.get("marker") or {}) | {"colors": slices}
            continue
        colour = colours.get(str(trace.get("name")))
        if colour is None or not trace.get("name"):
            continue
        marker = trace.get("marker") or {}
        if isinstance(marker.get("color"), str | type(None)):
            trace["marker"] = marker | {"color": colour}
        if "line" in trace or "lines" in str(trace.get("mode", "")):
            trace["line"] = (trace.get("line") or {}) | {"color": colour}
