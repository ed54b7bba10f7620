"""Exploring: which filter a click on a chart sets, and which options the filters leave.

A click sets a filter the page already has, so the value lives in the URL like any other
filter value and the back button undoes it; the server only says which filter a chart's
click drives and where plotly.js puts the clicked value. Linked options are computed
here, from the loaded rows, so the page never has to guess them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..filters import Filter, MultiSelect, Select, param_text

if TYPE_CHECKING:
    from .model import Chart, Dashboard
    from .view import View


def click_target(board: Dashboard, chart: Chart) -> dict | None:
    """Return what a click on *chart* sets, or ``None`` when a click sets nothing.

    :return: ``{"filter", "column", "point", "by"}``: the filter's name, the column
        clicked, the plotly.js point field holding its value, and ``value`` or ``label``
        (the column holds the filter's display names, as a country name for a code).
    """
    if chart.kind is None or chart.click is False or chart.link:
        return None
    return _match(chart, board.filters.values())


def _match(chart: Chart, filters: Iterable[Filter]) -> dict | None:
    """Return the first of the chart's clickable columns that one of *filters* uses."""
    assert chart.kind is not None
    points = chart.kind.clicks()
    if isinstance(chart.click, str):
        points = [(c, p) for c, p in points if c == chart.click]
    for column, point in points:
        for flt in filters:
            if not isinstance(flt, MultiSelect | Select) or flt.column is None:
                continue
            if column == flt.column or column == flt.labels:
                by = "value" if column == flt.column else "label"
                return {"filter": flt.name, "column": column, "point": point, "by": by}
    return None


def link_target(chart: Chart, boards: Mapping[str, Dashboard]) -> dict | None:
    """Return where a click on *chart* leads: the filter of another dashboard it sets.

    :return: ``{"dashboard", "filter", "column", "point", "by", "values"}``, where
        ``values`` maps each clickable text to the filter value it stands for; ``None``
        when the chart has no ``link`` (or one :func:`link_problem` reports).
    """
    if not chart.link or chart.kind is None or link_problem(chart, boards):
        return None
    target = boards[chart.link["dashboard"]]
    flt = target.filters[chart.link["filter"]]
    found = _match(chart, [flt])
    assert found is not None and isinstance(flt, MultiSelect | Select)
    if found["by"] == "label":
        values = {flt.label_of(o): param_text(o) for o in flt.options}
    else:
        values = {param_text(o): param_text(o) for o in flt.options}
    return found | {"dashboard": target.slug, "values": values}


def link_problem(chart: Chart, boards: Mapping[str, Dashboard]) -> str:
    """Return what is wrong with the chart's ``link``, or ``""``."""
    link = chart.link or {}
    if set(link) != {"dashboard", "filter"}:
        return "link needs exactly 'dashboard' and 'filter', as {dashboard: d, filter: f}"
    target = boards.get(link["dashboard"])
    if target is None:
        return f"link: unknown dashboard {link['dashboard']!r} (known: {', '.join(boards)})"
    flt = target.filters.get(link["filter"])
    if not isinstance(flt, MultiSelect | Select) or flt.column is None:
        choices = [n for n, f in target.filters.items() if isinstance(f, MultiSelect | Select)]
        return (
            f"link: dashboard {target.slug!r} has no select or multiselect filter "
            f"{link['filter']!r} (it has: {', '.join(choices) or 'none'})"
        )
    if chart.kind is None or _match(chart, [flt]) is None:
        return (
            f"link: a click on this chart gives no value of {flt.column!r}, the column "
            f"of filter {flt.name!r} of {target.slug!r}"
        )
    return ""


def linked_options(board: Dashboard, view: View) -> dict[str, dict]:
    """Return, per choice filter, the options the other filters leave any rows for.

    Choosing Europe as the continent narrows the countries to Europe's: a value is an
    option if some chart the filter drives has rows for it, under the other filters
    that chart follows (a map's year, driving the map alone, leaves every country of
    the line charts). A filter that drives no chart reads every dataset with its
    column, under every other filter. Selected values outside them are returned as
    ``stale``, so the page can say a value in the URL no longer has data instead of
    dropping it.

    :return: ``{name: {"options": [...], "stale": [...]}}``, values as the query string
        writes them.
    """
    follows = [(c.dataset, tuple(board.chart_filters(c))) for c in board.charts.values()]
    linked = {}
    for name, flt in board.filters.items():
        if not isinstance(flt, MultiSelect | Select) or flt.column is None:
            continue
        reads = {(d, names) for d, names in follows if name in names}
        if not reads:
            reads = {(d, tuple(board.filters)) for d in board.datasets}
        found: set = set()
        for dataset, names in sorted(reads):
            rows = board.rows_of(dataset)
            if flt.column not in rows.columns:
                continue
            conditions = [
                condition
                for other_name in names
                if other_name != name and board.filters[other_name].column in rows.columns
                if (condition := board.filters[other_name].condition(view[other_name])) is not None
            ]
            found.update(v for v in rows.where(conditions).distinct(flt.column) if v == v)
        chosen = view[name] if isinstance(flt, MultiSelect) else [view[name]]
        linked[name] = {
            "options": [param_text(o) for o in flt.options if o in found],
            "stale": [param_text(v) for v in chosen if v is not None and v not in found],
        }
    return linked
