"""databoard: publish pandas and Plotly dashboards on the web."""

from .charts.kinds import Area, Bar, Box, Choropleth, Histogram, Kpi, Line, Pie, Scatter, Table
from .dashboard import Chart, ChartRows, Dashboard, View
from .filters import MultiSelect, Range, Select, Slider

__version__ = "0.1.0"


def create_app(test_config=None):
    """Create the Flask app serving the dashboards the settings name.

    Settings come from the defaults, a ``.env`` file, ``DATABOARD_*`` environment
    variables, then *test_config*; ``databoard config`` lists them. The dashboards and
    their data load here, once per process. A WSGI server runs
    ``databoard:create_app()``.

    :param test_config: settings overriding the others, such as
        ``{"DASHBOARD": "dashboards/", "TESTING": True}`` (a file, folder or module).
    """
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
