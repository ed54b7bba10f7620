"""Drawing a chart for a view: the rows behind it, then its figure.

A chart kind asks the chart's rows (in memory or in a SQL engine) for what it shows. A
chart function gets those rows as a DataFrame (at most ``row_limit`` from an engine) and
hands its own to a kind as a DataFrame, or as :class:`ChartRows` when it also has
something to say: a note shown above the chart, or the message an empty chart shows
instead of the generic one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..charts import downsample, theme
from ..charts.base import Misfit, empty_figure, in_order
from ..data.engines import FrameRows, RowLimitError, Rows
from ..data.engines.connections import EngineError
from ..errors import DataboardError
from . import colours
from .view import View, chart_rows

if TYPE_CHECKING:
    from .model import Chart, Dashboard


#: The most rows a chart function receives from a dataset in an engine (``ROW_LIMIT``).
ROW_LIMIT = 1_000_000


class EngineUnavailable(DataboardError):
    """An engine that cannot answer now: a 503 naming its host, or 504 past the timeout."""

    def __init__(self, error: EngineError):
        super().__init__(str(error), 504 if error.timed_out else 503)


class RowLimitExceeded(DataboardError):
    """More rows than a chart function may receive: a 400 saying how to narrow them."""

    def __init__(self, error: RowLimitError):
        super().__init__(str(error), 400)


class ChartError(DataboardError):
    """A chart whose function or kind failed for a view (a 500 for that chart only)."""

    def __init__(self, chart_id: str):
        super().__init__(f"chart {chart_id!r} failed; the server log has the details", 500)
        self.chart_id = chart_id


class ChartMisfit(DataboardError):
    """Rows that do not fit the chart as declared: a 500 saying how to declare it."""

    def __init__(self, chart_id: str, reason: str):
        super().__init__(f"chart {chart_id!r}: {reason}", 500)
        self.reason = reason


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


@dataclass(frozen=True)
class _Drawing:
    """What a kind draws from: rows in memory or an engine, and what a function added."""

    rows: Rows
    note: str = ""
    empty_message: str = ""


def render(
    board: Dashboard, chart_id: str, view: View, max_points: int, row_limit: int = ROW_LIMIT
) -> ChartResult:
    """Compute one chart for *view*: its figure JSON and the data behind it.

    :param max_points: the most points a line or scatter trace carries; the data behind
        the chart keeps every row.
    :param row_limit: the most rows a chart function receives from an engine.
    :raise ChartError: when the chart's function or kind fails; the original exception
        is its ``__cause__``, for the server log.
    """
    chart = board.get_chart(chart_id)
    view = view.for_chart(chart)
    try:
        frame, made = _rows(board, chart, view, row_limit)
        if isinstance(made, dict):
            return ChartResult(chart, made, frame)
        return _draw(chart, made, view, max_points)
    except Exception as error:
        raise _error(chart, error) from error


def data(board: Dashboard, chart_id: str, view: View, row_limit: int = ROW_LIMIT) -> pd.DataFrame:
    """Return only the rows behind a chart for *view*, as downloads offer them.

    Unlike :func:`render` it neither draws nor downsamples the figure; the function of a
    chart that draws its own figure is not called at all.
    """
    chart = board.get_chart(chart_id)
    view = view.for_chart(chart)
    try:
        if chart.kind is None:  # a function drawing its own figure: its rows, undrawn
            return _frame(chart_rows(board, chart, view), row_limit)
        _, made = _rows(board, chart, view, row_limit)
        assert isinstance(made, _Drawing)
        return _data(chart, made, view)
    except Exception as error:
        raise _error(chart, error) from error


def _error(chart: Chart, error: Exception) -> DataboardError:
    """Return the error to answer with: ours as it is, an engine's 503/504, rows that do
    not fit the chart as declared with their reason, else a 500."""
    if isinstance(error, DataboardError):
        return error
    if isinstance(error, Misfit):
        return ChartMisfit(chart.id, str(error))
    if isinstance(error, EngineError):
        return EngineUnavailable(error)
    if isinstance(error, RowLimitError):
        return RowLimitExceeded(error)
    return ChartError(chart.id)


def _frame(rows: Rows, row_limit: int) -> pd.DataFrame:
    """Return *rows* as a DataFrame: whole in memory, at most *row_limit* from an engine."""
    return rows.to_pandas(limit=None if isinstance(rows, FrameRows) else row_limit)


def _rows(
    board: Dashboard, chart: Chart, view: View, row_limit: int
) -> tuple[pd.DataFrame | None, _Drawing | dict]:
    """Return the filtered rows as a frame (if one was made) and what the kind draws:
    rows, or the figure dict the chart's own function drew."""
    rows = chart_rows(board, chart, view)
    if chart.func is None:
        if chart.kind is None:
            raise TypeError(f"chart {chart.id!r} has neither a kind nor a function")
        return (rows.frame if isinstance(rows, FrameRows) else None), _Drawing(rows)
    frame = _frame(rows, row_limit)
    result = chart.func(frame, view)
    if chart.kind is None:
        return frame, figure_dict(result, chart, view)
    if isinstance(result, ChartRows):
        return frame, _Drawing(FrameRows(result.frame), result.note, result.empty_message)
    if not isinstance(result, pd.DataFrame):
        raise TypeError(
            f"chart {chart.id!r}: with a kind, the function must return a DataFrame "
            f"or ChartRows, not {type(result).__name__}"
        )
    return frame, _Drawing(FrameRows(result))


def _data(chart: Chart, made: _Drawing, view: View) -> pd.DataFrame:
    """Return the rows the chart's kind shows, in the order declared for its categories."""
    assert chart.kind is not None
    return in_order(chart.kind.data(made.rows), chart.kind.categories(), view)


def _draw(chart: Chart, made: _Drawing, view: View, max_points: int) -> ChartResult:
    assert chart.kind is not None
    rows = _data(chart, made, view)
    if rows.empty and made.empty_message:
        return ChartResult(chart, _noted(empty_figure(chart, made.empty_message), made), rows)
    shown, thinned = downsample.reduce(chart.kind, rows, max_points)
    figure = chart.kind.figure(shown, chart, view)
    if thinned:
        downsample.annotate(figure, thinned, len(shown), len(rows), max_points)
    return ChartResult(chart, _noted(figure, made), rows)


def _noted(figure: dict, made: _Drawing) -> dict:
    if made.note:
        layout = figure["layout"]
        layout["title"] = {"text": made.note, "x": 0, "font": {"size": 12}}
        layout["margin"]["t"] = max(layout["margin"].get("t", 0), 30)
    return figure


def figure_dict(figure, chart: Chart, view: View | None = None) -> dict:
    """Return a Plotly figure (or figure dict) as a plain dict, in the dashboard's look.

    With a *view*, it gets databoard's template (unless its author chose one) and each
    trace named after a value of a colour column that value's colour on every chart.
    """
    if hasattr(figure, "to_plotly_json"):
        figure = figure.to_plotly_json()
    elif not (isinstance(figure, dict) and "data" in figure):
        raise TypeError(
            f"chart {chart.id!r}: the function returned {type(figure).__name__}, "
            "not a Plotly figure"
        )
    if view is not None:  # a copy: a dict the function returned may be one it keeps
        layout, traces = dict(figure.get("layout") or {}), [dict(t) for t in figure["data"]]
        figure = {**figure, "data": traces, "layout": layout}
        theme.apply(figure)
        theme.recolour(figure, colours.by_name(view))
    return figure
