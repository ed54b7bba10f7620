"""The authoring model and what a request does with it.

:mod:`.model` declares and loads a dashboard (datasets, filters, charts); :mod:`.view`
validates a request's filter values and selects the rows; :mod:`.render` draws a chart
from them; :mod:`.layout` places the charts on the page.
"""

from ..errors import BadParameter
from .layout import WIDTHS
from .model import Chart, Dashboard, Dataset
from .render import ChartError, ChartResult, ChartRows, figure_dict
from .view import View

__all__ = [
    "WIDTHS",
    "BadParameter",
    "Chart",
    "ChartError",
    "ChartResult",
    "ChartRows",
    "Dashboard",
    "Dataset",
    "View",
    "figure_dict",
]
