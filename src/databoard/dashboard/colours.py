"""One colour per value across a dashboard: Germany is the same blue on every chart.

At load, each column that charts colour by (a kind's ``color``, a pie's ``names``) and
each column of a choice filter (and its labels) gets a colour per value, in the
filter's order of options, else sorted. A viewer's selection in a multi-select comes
first: its values take the palette in the order chosen, so the few on screen never
share a colour. Figures drawn by chart functions are coloured by their traces' names.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..charts.base import sort_key
from ..charts.theme import PALETTE
from ..filters import MultiSelect, Select

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .model import Dashboard
    from .view import View

#: Columns with more values than this (ids, numbers) get no colours of their own.
MOST_VALUES = 5_000


def build(board: Dashboard) -> Mapping[str, Mapping[Any, str]]:
    """Return ``{column: {value: colour}}`` for every colour column of a loaded *board*."""
    ordered: dict[str, list] = {}
    for flt in board.filters.values():
        if isinstance(flt, MultiSelect | Select) and flt.column is not None:
            ordered.setdefault(flt.column, list(flt.options))
            if isinstance(flt.labels, str):
                ordered.setdefault(flt.labels, [flt.label_of(o) for o in flt.options])
    for chart in board.charts.values():
        for column in chart.kind.colour_columns() if chart.kind is not None else []:
            if column in ordered:
                continue
            found: set = set()
            for name in board.datasets:
                rows = board.rows_of(name)
                if column in rows.columns:
                    found.update(v for v in rows.distinct(column) if v == v)
            ordered[column] = sorted(found, key=sort_key)
    return MappingProxyType(
        {
            column: MappingProxyType(
                {value: PALETTE[i % len(PALETTE)] for i, value in enumerate(values)}
            )
            for column, values in ordered.items()
            if len(values) <= MOST_VALUES
        }
    )


def by_name(view: View) -> dict[str, str]:
    """Return the colour of every value by its text, as the view colours it: for the
    traces of a figure a chart function drew, which are named after values."""
    board = view.dashboard
    out: dict[str, str] = {}
    for mapping in board.colours.values():
        for value, colour in mapping.items():
            out.setdefault(str(value), colour)
    for name, flt in board.filters.items():
        if isinstance(flt, MultiSelect) and flt.column is not None:
            for i, value in enumerate(view[name]):
                colour = PALETTE[i % len(PALETTE)]
                out[str(value)] = out[flt.label_of(value)] = colour
    return out
