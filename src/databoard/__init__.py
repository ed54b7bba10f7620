"""databoard: publish pandas and Plotly dashboards on the web."""

from .charts.kinds import Area, Bar, Box, Choropleth, Histogram, Kpi, Line, Pie, Scatter, Table
from .dashboard import Chart, ChartRows, Dashboard, View
from .filters import MultiSelect, Range, Select, Slider

__version__ = "0.1.0"


def create_app(test_config=None):
    """Create the Flask app (see :func:`databoard.web.app.create_app`)."""
    from .web.app import create_app as factory

    return factory(test_config)


__all__ = [
    "Area",
    "Bar",
    "Box",
    "Histogram",
    "Pie",
    "Table",
    "Chart",
    "ChartRows",
    "Choropleth",
    "Dashboard",
    "Kpi",
    "Line",
    "MultiSelect",
    "Range",
    "Scatter",
    "Select",
    "Slider",
    "View",
    "create_app",
]
