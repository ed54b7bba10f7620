"""Layout: which charts share a grid row, and how wide each panel is."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Chart, Dashboard

#: Default panel widths (of 12 grid columns) by kind; other kinds take half a row.
WIDTHS = {"kpi": 3, "choropleth": 12, "table": 12}


def default_width(chart: Chart) -> int:
    """Return the grid width (of 12) when neither the chart nor a layout sets one."""
    return chart.width or WIDTHS.get(chart.kind.name if chart.kind else "", 6)


def rows(board: Dashboard) -> list[list[tuple[Chart, int]]]:
    """Return the charts in layout rows, each with its grid width (of 12).

    A layout row splits its width between its charts. Without a layout, KPI cards share
    a row and the other charts flow in rows of their own.
    """
    if board.layout is not None:
        return [
            [(board.charts[c], board.charts[c].width or max(12 // len(row), 1)) for c in row]
            for row in board.layout
            if row
        ]
    out: list[list[tuple[Chart, int]]] = []
    for chart in board.charts.values():
        if not out or _is_kpi(out[-1][0][0]) != _is_kpi(chart):
            out.append([])
        out[-1].append((chart, default_width(chart)))
    return out


def _is_kpi(chart: Chart) -> bool:
    return chart.kind is not None and chart.kind.name == "kpi"
