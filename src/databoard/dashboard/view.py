"""A view: the validated filter values of one request, and the rows they select."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..data.engines import FrameRows, Rows
from ..errors import BadParameter
from ..filters import Filter, MultiSelect, _Choice

if TYPE_CHECKING:
    from .model import Chart, Dashboard


class View(dict):
    """The validated value of every filter of a dashboard, keyed by filter name: the
    ``view`` a chart function receives, as ``func(frame, view)``.

    The function's ``frame`` already holds only the rows the filters it follows keep;
    ``view`` says what was chosen, for a title, a note or a filter without a column
    (a chart parameter). ``view[name]`` is, by the filter's kind:

    - ``MultiSelect``: a list of the chosen options, in the order chosen (every option
      when none is chosen and there is no default);
    - ``Select``: the chosen option, or ``None`` for "All";
    - ``Range``: a ``(low, high)`` tuple (``None`` when its column has no data);
    - ``Slider``: the step shown.

    Values have the column's type: numbers, ``pandas.Timestamp`` for dates, or text.

    :param orders: the ``order`` of the chart being drawn (see :meth:`for_chart`).
    """

    def __init__(self, dashboard: Dashboard, values: dict, orders: dict | None = None):
        super().__init__(values)
        self.dashboard = dashboard
        self.orders = orders or {}

    def for_chart(self, chart: Chart) -> View:
        """Return this view as *chart* is drawn in it: with the chart's own ``order``."""
        return View(self.dashboard, self, chart.order) if chart.order else self

    def rank_of(self, column: str) -> list | None:
        """Return the order *column*'s values are shown in, if one is declared.

        The chart's ``order`` for the column comes first, then the options a select or
        multiselect on the column lists; ``None`` leaves the order to the chart kind.
        """
        if column in self.orders:
            return list(self.orders[column])
        for flt in self.dashboard.filters.values():
            if isinstance(flt, _Choice) and flt.declared:
                if column == flt.column:
                    return list(flt.options)
                if column == flt.labels:
                    return [flt.label_of(v) for v in flt.options]
        return None

    def query(self, names: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """Return the query-string pairs of this view (of the named filters only)."""
        pairs = []
        for name, flt in self.dashboard.filters.items():
            if names is None or name in names:
                pairs.extend(flt.to_query(self[name]))
        return pairs

    def order_of(self, column: str) -> list | None:
        """Return the selected values of a multi-select on *column*, in selection order.

        Charts use it so each selected value keeps one colour on every chart.
        """
        for name, flt in self.dashboard.filters.items():
            if not isinstance(flt, MultiSelect):
                continue
            if column == flt.column:
                return list(self[name])
            if column == flt.labels:
                return [flt.label_of(v) for v in self[name]]
        return None


def parse_view(board: Dashboard, args) -> View:
    """Validate query arguments (a multi-valued mapping) into a :class:`View` of *board*.

    :raise BadParameter: for an unknown parameter or a bad value.
    """
    known = {p for f in board.filters.values() for p in f.params}
    for param in args.keys():
        if param not in known:
            allowed = ", ".join(sorted(known)) or "none"
            raise BadParameter(param, f"unknown parameter '{param}' (allowed: {allowed})")
    return View(board, {name: f.parse(args) for name, f in board.filters.items()})


def chart_frame(board: Dashboard, chart: Chart, view: View) -> pd.DataFrame:
    """Return the chart's dataset narrowed by the filters it follows.

    The filters' masks are combined and the rows selected once; a query that keeps the
    same rows in every view ran at load (:attr:`Dashboard.prefiltered`).
    """
    prefiltered = chart.id in board.prefiltered
    rows = board.prefiltered[chart.id] if prefiltered else board.rows_of(chart.dataset)
    assert isinstance(rows, FrameRows)
    frame = rows.frame
    keep = None
    for name in board.chart_filters(chart):
        flt = board.filters[name]
        if flt.column is not None and flt.column in rows.columns:
            mask = _mask(rows, flt, view[name])
            if mask is not None:
                keep = mask if keep is None else keep & mask
    if keep is not None and not keep.all():  # a copy of every row would only cost
        frame = rows.take(np.flatnonzero(keep))
    if chart.query and not prefiltered:
        frame = frame.query(chart.query, local_dict=dict(view))
    return frame


def _mask(rows: FrameRows, flt: Filter, value) -> np.ndarray | None:
    """Return which of *rows* pass *flt* at *value*, or ``None`` if all do.

    A filter that tests its condition (every built-in one) reads the column the rows
    keep ready; one with a mask of its own gets the frame.
    """
    if type(flt).mask is Filter.mask:
        condition = flt.condition(value)
        return None if condition is None else rows.mask(condition)
    return flt.mask(rows.frame, value)


def chart_rows(board: Dashboard, chart: Chart, view: View) -> Rows:
    """Return the chart's rows narrowed by the filters it follows, not yet computed.

    In memory this is :func:`chart_frame`; in an engine, the filters' conditions become
    the ``WHERE`` of every query the chart's kind asks for.
    """
    dataset = board.datasets[chart.dataset]
    if dataset.frame is not None:
        return FrameRows(chart_frame(board, chart, view))
    if problem := query_problem(board, chart):
        raise ValueError(f"chart {chart.id!r}: {problem}")
    rows = board.rows_of(chart.dataset)
    conditions = []
    for name in board.chart_filters(chart):
        flt = board.filters[name]
        if flt.column is not None and flt.column in rows.columns:
            condition = flt.condition(view[name])
            if condition is not None:
                conditions.append(condition)
    return rows.where(conditions)


def query_problem(board: Dashboard, chart: Chart) -> str | None:
    """Return why *chart*'s ``query`` cannot run, if it cannot: its rows are in an engine."""
    if chart.query and board.datasets[chart.dataset].frame is None:
        return "query is for datasets in memory; put the condition in the dataset's sql instead"
    return None
