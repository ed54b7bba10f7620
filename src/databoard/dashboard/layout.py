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


def scopes(board: Dashboard) -> dict[str, str]:
    """Return, per filter, the sentence its control shows saying which charts it drives.

    A filter applies to every chart whose dataset has its column unless told otherwise,
    so a viewer is told when a control leaves some charts alone: "Drives: World map",
    or "Drives all charts but: World map" when that is shorter.
    """
    out = {}
    for name in board.filters:
        driven = board.driven_by(name)
        others = [c for c in board.charts.values() if c not in driven]
        if not others:
            out[name] = "Drives all charts"
        elif not driven:
            out[name] = "Drives no chart"
        elif len(driven) <= len(others):
            out[name] = "Drives: " + ", ".join(c.title for c in driven)
        else:
            out[name] = "Drives all charts but: " + ", ".join(c.title for c in others)
    return out


def card_controls(board: Dashboard) -> dict[str, list[str]]:
    """Return, per chart, the filters without a column shown in its card: each in the
    card of the first chart it drives (a control appears once on a page)."""
    out: dict[str, list[str]] = {chart_id: [] for chart_id in board.charts}
    for name, flt in board.filters.items():
        driven = board.driven_by(name) if flt.column is None else []
        if driven:
            out[driven[0].id].append(name)
    return out
