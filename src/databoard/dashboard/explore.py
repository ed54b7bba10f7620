"""Exploring: which filter a click on a chart sets, and which options the filters leave.

A click sets a filter the page already has, so the value lives in the URL like any other
filter value and the back button undoes it; the server only says which filter a chart's
click drives and where plotly.js puts the clicked value. Linked options are computed
here, from the loaded rows, so the page never has to guess them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..filters import MultiSelect, Select, param_text

if TYPE_CHECKING:
    from .model import Chart, Dashboard
    from .view import View


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


def linked_options(board: Dashboard, view: View) -> dict[str, dict]:
    """Return, per choice filter, the options the other filters leave any rows for.

    Choosing Europe as the continent narrows the countries to Europe's: each filter's
    column is read from the rows every *other* filter keeps, in every dataset that has
    the column. Selected values outside them are returned as ``stale``, so the page can
    say a value in the URL no longer has data instead of dropping it.

    :return: ``{name: {"options": [...], "stale": [...]}}``, values as the query string
        writes them.
    """
    linked = {}
    for name, flt in board.filters.items():
        if not isinstance(flt, MultiSelect | Select) or flt.column is None:
            continue
        found: set = set()
        for dataset in board.datasets:
            frame = board.frame(dataset)
            if flt.column not in frame.columns:
                continue
            keep = None
            for other_name, other in board.filters.items():
                if other_name == name or other.column not in frame.columns:
                    continue
                mask = other.mask(frame, view[other_name])
                if mask is not None:
                    keep = mask if keep is None else keep & mask
            column = frame[flt.column] if keep is None else frame[flt.column][keep]
            found.update(column.dropna().unique().tolist())
        chosen = view[name] if isinstance(flt, MultiSelect) else [view[name]]
        linked[name] = {
            "options": [param_text(o) for o in flt.options if o in found],
            "stale": [param_text(v) for v in chosen if v is not None and v not in found],
        }
    return linked
