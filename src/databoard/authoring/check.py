"""Check loaded dashboards the way a viewer would meet them: data, columns, every chart.

``databoard check`` prints what this finds; ``serve`` refuses to start on any of it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from werkzeug.datastructures import MultiDict

from ..dashboard import Chart, ChartError, Dashboard, Dataset
from ..errors import DataboardError
from .problems import Problem, describe_exception, line_in


def _unknown(column: str, columns) -> str:
    names = [str(c) for c in columns]
    close = difflib.get_close_matches(column, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown column {column!r}{hint} (columns: {', '.join(names)})"


def _where(item: Dataset | Chart, label: str) -> str:
    return f"{label} ({item.origin})" if item.origin else label


def _problem(board: Dashboard, item, label: str, message: str, error=None) -> Problem:
    line = item.line
    if line is None and error is not None and board.file:
        line = line_in(error, Path(board.file))
    return Problem(board.file or board.slug, f"{_where(item, label)}: {message}", line)


def check(board: Dashboard) -> list[Problem]:
    """Load *board*'s data and draw each chart for the default view; return what fails.

    The dashboard is left loaded, so a clean check is also the start-up of a server.
    """
    problems: list[Problem] = []
    for dataset in board.datasets.values():
        try:
            dataset.load()
        except Exception as error:
            message = describe_exception(error)
            problems.append(_problem(board, dataset, f"dataset {dataset.name!r}", message, error))
    if problems:
        return problems
    frames = {name: d.frame for name, d in board.datasets.items()}
    for flt in board.filters.values():
        if flt.column is None:
            continue
        having = [f for f in frames.values() if flt.column in f.columns]
        if not having:
            columns = sorted({str(c) for f in frames.values() for c in f.columns})
            problems.append(
                Problem(board.file, f"filter {flt.name!r}: {_unknown(flt.column, columns)}")
            )
            continue
    for row in board.layout or []:
        for chart_id in row:
            if chart_id not in board.charts:
                problems.append(Problem(board.file, f"layout: unknown chart {chart_id!r}"))
    if problems:
        return problems
    try:
        board.load()  # binds the filters to the data and versions it
    except Exception as error:
        return [Problem(board.file, f"filters: {describe_exception(error)}")]
    try:
        view = board.parse_view(MultiDict())
    except DataboardError as error:
        return [Problem(board.file, f"filter defaults: {error.message}")]
    for chart in board.charts.values():
        label = f"chart {chart.id!r}"
        if chart.dataset not in board.datasets:
            known = ", ".join(board.datasets) or "none"
            problems.append(
                _problem(board, chart, label, f"unknown dataset {chart.dataset!r} (known: {known})")
            )
            continue
        if chart.kind is not None and chart.func is None:
            columns = frames[chart.dataset].columns
            missing = [c for c in chart.kind.columns() if c not in columns]
            if missing:
                for column in missing:
                    problems.append(_problem(board, chart, label, _unknown(column, columns)))
                continue
        try:
            board.render(chart.id, view)
        except ChartError as error:
            cause = error.__cause__
            message = f"raised {describe_exception(cause)}"
            problems.append(_problem(board, chart, label, message, cause))
    return problems
