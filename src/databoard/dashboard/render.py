"""Drawing a chart for a view: the rows behind it, then its figure.

A chart function hands its rows to a kind as a DataFrame, or as :class:`ChartRows` when
it also has something to say: a note shown above the chart, or the message an empty
chart shows instead of the generic one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..charts import downsample
from ..charts.base import empty_figure
from ..data.engines import FrameRows
from ..errors import DataboardError
from .view import View, chart_frame

if TYPE_CHECKING:
    from .model import Chart, Dashboard


class ChartError(DataboardError):
    """A chart whose function or kind failed for a view (a 500 for that chart only)."""

    def __init__(self, chart_id: str):
        super().__init__(
            f"chart {chart_id!r} could not be drawn; the server log has the details", 500
        )
        self.chart_id = chart_id


@dataclass(frozen=True)
class ChartRows:
    """What a chart function with a kind returns when the rows alone do not say it all.

    :param frame: the rows for the kind.
    :param note: a line shown above the chart (the year a map shows, say).
    :param empty_message: what the chart says when it has no rows to draw.
    """

    frame: pd.DataFrame
    note: str = ""
    empty_message: str = ""


@dataclass
class ChartResult:
    """What a chart shows for one view: the figure and the data behind it."""

    chart: Chart
    figure: dict
    frame: pd.DataFrame


def render(board: Dashboard, chart_id: str, view: View, max_points: int) -> ChartResult:
    """Compute one chart for *view*: its figure JSON and the data behind it.

    :param max_points: the most points a line or scatter trace carries; the data behind
        the chart keeps every row.
    :raise ChartError: when the chart's function or kind fails; the original exception
        is its ``__cause__``, for the server log.
    """
    chart = board.get_chart(chart_id)
    try:
        frame, made = _rows(board, chart, view)
        if isinstance(made, dict):
            return ChartResult(chart, made, frame)
        return _draw(chart, made, view, max_points)
    except DataboardError:
        raise
    except Exception as error:
        raise ChartError(chart.id) from error


def data(board: Dashboard, chart_id: str, view: View) -> pd.DataFrame:
    """Return only the rows behind a chart for *view*, as downloads offer them.

    Unlike :func:`render` it neither draws nor downsamples the figure; the function of a
    chart that draws its own figure is not called at all.
    """
    chart = board.get_chart(chart_id)
    try:
        if chart.kind is None:  # a function drawing its own figure: its rows, undrawn
            return chart_frame(board, chart, view)
        frame, made = _rows(board, chart, view)
        assert isinstance(made, ChartRows)
        return chart.kind.data(FrameRows(made.frame))
    except DataboardError:
        raise
    except Exception as error:
        raise ChartError(chart.id) from error


def _rows(board: Dashboard, chart: Chart, view: View) -> tuple[pd.DataFrame, ChartRows | dict]:
    """Return the filtered rows and what the kind draws: rows, or the figure dict the
    chart's own function drew."""
    frame = chart_frame(board, chart, view)
    if chart.func is not None:
        result = chart.func(frame, view)
        if chart.kind is None:
            return frame, figure_dict(result, chart)
        if isinstance(result, ChartRows):
            return frame, result
        if not isinstance(result, pd.DataFrame):
            raise TypeError(
                f"chart {chart.id!r}: with a kind, the function must return a DataFrame "
                f"or ChartRows, not {type(result).__name__}"
            )
        return frame, ChartRows(result)
    if chart.kind is None:
        raise TypeError(f"chart {chart.id!r} has neither a kind nor a function")
    return frame, ChartRows(frame)


def _draw(chart: Chart, made: ChartRows, view: View, max_points: int) -> ChartResult:
    assert chart.kind is not None
    rows = chart.kind.data(FrameRows(made.frame))
    if rows.empty and made.empty_message:
        return ChartResult(chart, _noted(empty_figure(chart, made.empty_message), made), rows)
    shown, thinned = downsample.reduce(chart.kind, rows, max_points)
    figure = chart.kind.figure(shown, chart, view)
    if thinned:
        downsample.annotate(figure, thinned, len(shown), len(rows), max_points)
    return ChartResult(chart, _noted(figure, made), rows)


def _noted(figure: dict, made: ChartRows) -> dict:
    if made.note:
        layout = figure["layout"]
        layout["title"] = {"text": made.note, "x": 0, "font": {"size": 12}}
        layout["margin"]["t"] = max(layout["margin"].get("t", 0), 30)
    return figure


def figure_dict(figure, chart: Chart) -> dict:
    """Return a Plotly figure (or figure dict) as a plain dict."""
    if hasattr(figure, "to_plotly_json"):
        return figure.to_plotly_json()
    if isinstance(figure, dict) and "data" in figure:
        return figure
    raise TypeError(
        f"chart {chart.id!r}: the function returned {type(figure).__name__}, not a Plotly figure"
    )
