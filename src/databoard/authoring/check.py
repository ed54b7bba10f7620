"""Check dashboards the way a viewer would meet them: data, columns, every chart.

``databoard check`` prints what this finds; ``serve`` refuses to start on any of it.
Loading the data (:func:`load_data`) and checking (:func:`check`) are separate steps;
:func:`load_and_check` does both for every dashboard of a file, folder or module.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.datastructures import MultiDict

from ..charts import downsample
from ..dashboard import Chart, ChartError, ChartResult, Dashboard, View
from ..dashboard.explore import click_target, link_problem
from ..dashboard.view import query_problem
from ..data import sources
from ..data.engines.connections import EngineError
from ..errors import DataboardError
from ..options import did_you_mean
from ..security.links import check_link
from . import loader
from .problems import Problem, Reported, describe_exception, line_in


def _unknown(column: str, columns) -> str:
    names = [str(c) for c in columns]
    return f"unknown column {column!r}{did_you_mean(column, names)} (columns: {', '.join(names)})"


def _unknown_chart(chart_id: str, charts) -> str:
    ids = list(charts)
    return f"unknown chart {chart_id!r}{did_you_mean(chart_id, ids)} (charts: {', '.join(ids)})"


def _problem(board: Dashboard, item, label: str, message: str, error=None) -> Problem:
    """Return a problem of a dataset, filter or chart, with its line (or function)."""
    origin = getattr(item, "origin", "")
    line = item.line
    if line is None and error is not None and board.file:
        line = line_in(error, Path(board.file))
    where = f"{label} ({origin})" if origin else label
    return Problem(board.file or board.slug, f"{where}: {message}", line)


def load_data(board: Dashboard) -> list[Problem]:
    """Load each of *board*'s datasets not loaded yet; return the ones that fail.

    Loading is its own step, so :func:`check` reads data that is already there.
    """
    problems: list[Problem] = []
    # Checked when the dashboard is made too; this catches a link set on it afterwards.
    for name in ("attribution_url", "license_url"):
        try:
            check_link(getattr(board, name), name)
        except ValueError as error:
            problems.append(Problem(board.file or board.slug, str(error)))
    for dataset in board.datasets.values():
        if dataset.rows is not None:
            continue  # a module's dashboard, loaded by an earlier app in this process
        try:
            dataset.load()
        except Reported:
            continue  # its declaration's problems are reported
        except Exception as error:
            message = describe_exception(error)
            problem = _problem(board, dataset, f"dataset {dataset.name!r}", message, error)
            if isinstance(error, EngineError) and error.unreachable:
                problem = dataclasses.replace(problem, unreachable=True)
            problems.append(problem)
    return problems


def data_warnings(board: Dashboard) -> list[Problem]:
    """Return what reading *board*'s data files noticed without failing, per dataset."""
    warnings = []
    for dataset in board.datasets.values():
        if dataset.source is None:
            continue
        name = os.path.relpath(dataset.source, board.root or ".")
        for note in sources.warnings(dataset.source):
            message = f"dataset {dataset.name!r}: {name}: {note}"
            warnings.append(_problem(board, dataset, "warning", message))
    return warnings


@dataclass
class Checked:
    """Dashboards loaded and checked, and what the check drew on the way."""

    boards: list[Dashboard]
    problems: list[Problem]
    #: each chart drawn for its dashboard's default view, by slug then chart id
    drawn: dict[str, dict[str, ChartResult]] = field(default_factory=dict)
    #: dashboards whose database did not answer, with why (only when asked to wait)
    waiting: dict[str, tuple[Dashboard, tuple[Problem, ...]]] = field(default_factory=dict)
    #: what is odd but still serves (a data file's last line cut short)
    warnings: list[Problem] = field(default_factory=list)


def load_and_check(
    target: str | Path, max_points: int = downsample.MAX_POINTS, wait: bool = False
) -> Checked:
    """Load the dashboards of *target* and their data, then check each one.

    ``databoard check`` prints the problems; a server refuses to start on any, and
    caches the charts the check drew instead of drawing them again.

    :param wait: a dashboard whose only problem is a database that does not answer goes
        to :attr:`Checked.waiting` instead of the problems (a server waits for it).
    """
    boards, problems = loader.load_all(target)
    checked = Checked([], problems)
    for board in boards:
        drawn: dict[str, ChartResult] = {}
        found = load_and_check_board(board, max_points, drawn)
        if wait and found and all(p.unreachable for p in found):
            checked.waiting[board.slug] = (board, tuple(found))
            continue
        checked.boards.append(board)
        checked.drawn[board.slug] = drawn
        checked.problems += found
        checked.warnings += data_warnings(board)
    by_slug = {board.slug: board for board in boards}
    for board in boards:
        for chart in board.charts.values():
            if chart.link and (message := link_problem(chart, by_slug)):
                checked.problems.append(_problem(board, chart, f"chart {chart.id!r}", message))
            elif isinstance(chart.click, str) and click_target(board, chart) is None:
                message = f"click: no select or multiselect filter uses {chart.click!r}" + (
                    ""
                    if chart.kind is None
                    else f", or a click on a {chart.kind.name} chart gives no value of it"
                )
                checked.problems.append(_problem(board, chart, f"chart {chart.id!r}", message))
    return checked


def load_and_check_board(
    board: Dashboard, max_points: int = downsample.MAX_POINTS, drawn: dict | None = None
) -> list[Problem]:
    """Load one dashboard's data (if not loaded yet), then check it; return what fails."""
    return load_data(board) + check(board, max_points, drawn)


def check(
    board: Dashboard,
    max_points: int = downsample.MAX_POINTS,
    drawn: dict[str, ChartResult] | None = None,
) -> list[Problem]:
    """Check *board* and draw each chart for the default view; return every problem.

    Each check that does not depend on another's failure runs: the columns of every
    filter and chart are checked against the datasets that loaded (see
    :func:`load_data`; a chart over a dataset that did not load is skipped). Once every
    dataset is loaded, the dashboard is loaded, each filter is checked against the data
    and its default, and every chart without a problem so far is drawn.

    :param drawn: if given, receives each chart drawn, by chart id.
    """
    problems: list[Problem] = []
    loaded = {name: d.rows for name, d in board.datasets.items() if d.rows is not None}
    complete = len(loaded) == len(board.datasets)
    columns = sorted({str(c) for rows in loaded.values() for c in rows.columns})
    broken: set[str] = set()  # filters with a problem: the charts they drive are not drawn
    for flt in board.filters.values():
        if flt.column is not None and complete and flt.column not in columns:
            broken.add(flt.name)
            message = _unknown(flt.column, columns)
            problems.append(_problem(board, flt, f"filter {flt.name!r}", message))
        for chart_id in flt.charts or ():
            chart = board.charts.get(chart_id)
            if chart is None:
                message = f"charts: {_unknown_chart(chart_id, board.charts)}"
            elif chart.filters is not None and flt.name not in chart.filters:
                listed = ", ".join(chart.filters) or "none"
                message = f"charts: chart {chart_id!r} follows only its filters ({listed})"
            elif flt.column is not None and chart.dataset in loaded:
                if flt.column in loaded[chart.dataset].columns:
                    continue
                message = (
                    f"charts: chart {chart_id!r} cannot follow it: its dataset "
                    f"{chart.dataset!r} has no column {flt.column!r}"
                )
            else:
                continue
            problems.append(_problem(board, flt, f"filter {flt.name!r}", message))
    for row in board.layout or []:
        for chart_id in row:
            if chart_id not in board.charts:
                problems.append(Problem(board.file, f"layout: unknown chart {chart_id!r}"))
    ready = []
    for chart in board.charts.values():
        found = _chart_problems(board, chart, loaded)
        problems += found
        if not found and chart.dataset in loaded:
            ready.append(chart)
    if not complete:
        return problems  # filters are bound to every dataset: none is drawn without all
    try:
        board.load()  # binds the filters to the data and versions it
    except Exception as error:
        return [*problems, Problem(board.file, f"filters: {describe_exception(error)}")]
    values = {}
    for flt in board.filters.values():
        label = f"filter {flt.name!r}"
        if flt.name in broken:
            continue
        wrong = flt.problems()
        try:
            values[flt.name] = flt.parse(MultiDict())
        except DataboardError as error:
            wrong.append(f"default: {error.message}")
        problems += [_problem(board, flt, label, message) for message in wrong]
        if wrong:
            broken.add(flt.name)
    view = View(board, values)
    for chart in ready:
        if broken.intersection(board.chart_filters(chart)):
            continue
        label = f"chart {chart.id!r}"
        try:
            result = board.render(chart.id, view, max_points)
        except ChartError as error:
            cause = error.__cause__ or error
            message = f"raised {describe_exception(cause)}"
            problems.append(_problem(board, chart, label, message, cause))
            continue
        except DataboardError as error:  # an engine down, rows that do not fit the kind...
            message = getattr(error, "reason", error.message)
            problems.append(_problem(board, chart, label, message, error))
            continue
        if drawn is not None:
            drawn[chart.id] = result
    return problems


def _chart_problems(board: Dashboard, chart: Chart, loaded: dict) -> list[Problem]:
    """Return what is wrong with *chart* that its dataset's columns tell."""
    label = f"chart {chart.id!r}"
    if chart.dataset not in board.datasets:
        known = ", ".join(board.datasets) or "none"
        message = f"unknown dataset {chart.dataset!r} (known: {known})"
        return [_problem(board, chart, label, message)]
    if chart.dataset not in loaded:
        return []  # its dataset did not load: that is the problem reported
    rows = loaded[chart.dataset]
    problems = []
    if chart.kind is not None and chart.func is None:
        for column in chart.kind.columns():
            if column not in rows.columns:
                problems.append(_problem(board, chart, label, _unknown(column, rows.columns)))
    for column in chart.order or {}:
        if column not in rows.columns:
            message = f"order: {_unknown(column, rows.columns)}"
            problems.append(_problem(board, chart, label, message))
    if wrong := query_problem(board, chart):
        problems.append(_problem(board, chart, label, wrong))
    return problems
