"""Every chart kind, by name: ``KINDS["line"]`` is :class:`Line`."""

from .base import KINDS, Kind, KindError
from .stats import Box, Histogram
from .whole import Choropleth, Kpi, Pie, Table
from .xy import Area, Bar, Line, Scatter

__all__ = [
    "KINDS",
    "Area",
    "Bar",
    "Box",
    "Choropleth",
    "Histogram",
    "Kind",
    "KindError",
    "Kpi",
    "Line",
    "Pie",
    "Scatter",
    "Table",
]
