"""Exploring by touching a chart: which filter a click on it sets.

A click sets a filter the page already has, so the value lives in the URL like any other
filter value and the back button undoes it; the server only says which filter a chart's
click drives and where plotly.js puts the clicked value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..filters import MultiSelect, Select

if TYPE_CHECKING:
    from .model import Chart, Dashboard


def click_target(board: Dashboard, chart: Chart) -> dict | None:
    """Return what a click on *chart* sets, or ``None`` when a click sets nothing.

    :return: ``{"filter", "column", "point", "by"}``: the filter's name, the column
        clicked, the plotly.js point field holding its value, and ``value`` or ``label``
        (the column holds the filter's display names, as a country name for a code).
    """
    if chart.kind is None or chart.click is False:
        return None
    points = chart.kind.clicks()
    if isinstance(chart.click, str):
        points = [(c, p) for c, p in points if c == chart.click]
    for column, point in points:
        for flt in board.filters.values():
            if not isinstance(flt, MultiSelect | Select) or flt.column is None:
                continue
            if column == flt.column or column == flt.labels:
                by = "value" if column == flt.column else "label"
                return {"filter": flt.name, "column": column, "point": point, "by": by}
    return None
