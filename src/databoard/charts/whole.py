"""Kinds that show a whole rather than x against y: pie, map, table and KPI."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pandas.arrays import NumpyExtensionArray

from .. import options
from ..data.engines import FrameRows
from ..data.engines.rows import OTHER
from ..data.reshape import group_sums
from . import numbers
from .base import (
    Kind,
    Misfit,
    aggregate,
    check_aggregate,
    empty_figure,
    groups,
    numbered,
    values,
)
from .theme import base_layout


class Pie(Kind):
    """Shares of ``values`` (summed) per ``names``; rows are counted when no values.

    :param names: the column of categories, one slice each.
    :param values: the numeric column summed per slice; without it, rows are counted.
    :param hole: the share of the radius left empty (0 for a full pie, below 1).
    :param top: keep the largest *top* slices, largest first.
    :param other: with ``top``, sum the remaining slices as one "Other" slice, last.
    """

    name = "pie"
    column_options = ("names", "values")
    colour_options = ("names",)

    def __init__(
        self,
        names: str,
        values: str | None = None,
        hole: float = 0.4,
        top: int | None = None,
        other: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        options.whole("top", top)
        options.fraction("hole", hole)
        self.names, self.values, self.hole = names, values, hole
        self.top, self.other = top, other

    def clicks(self):
        return [(self.names, "label")]

    def categories(self):
        return [] if self.top else [self.names]  # top: largest first

    def data(self, rows):
        how = "sum" if self.values else "count"
        value = self.values or "count"
        shown = aggregate(rows, [self.names], self.values, how).notna(value)
        if self.top:  # largest first, as below
            return shown.top(self.names, value, self.top, self.other, [])
        return shown.to_pandas().sort_values(value, ascending=False, kind="stable")

    def figure(self, frame, chart, view):
        value = self.values or "count"
        if frame.empty:
            return empty_figure(chart)
        colour_of = {name: c for name, _, c in groups(frame, self.names, view)}
        spec = numbers.hover(numbers.spec_of(frame, value, numbers.declared(chart, view)))
        trace = {
            "type": "pie",
            "labels": values(frame[self.names].astype(str)),
            "values": values(frame[value]),
            "hole": self.hole,
            "sort": False,
            "marker": {"colors": [colour_of[n] for n in frame[self.names]]},
            "hovertemplate": "%{label}: %{value" + spec + "} (%{percent})<extra></extra>",
        }
        return {"data": [trace], "layout": base_layout(chart)}


class Choropleth(Kind):
    """A world map coloured by ``color``, countries matched on ISO-3 ``locations``.

    The colour scale is clipped to the 2nd-98th percentile so a few outliers do not wash
    out every other country; the hover shows the exact value.

    :param locations: the column of ISO-3 country codes (``FRA``, ``USA``...).
    :param color: the numeric column that colours each country.
    :param hover_name: a column naming each country on hover (the code without it).
    :param colorscale: a Plotly colour scale name (``Viridis``, ``Blues``, ``RdBu``...).

    A map shows one value per location. Rows with several (one per year, say) are
    reduced as declared, or refused with a message saying how: never drawn on top of
    each other.

    :param aggregate: combine each location's values (sum, mean, median, min, max,
        count).
    :param latest: a date or year column: each location shows its value with the latest
        of it (the hover says which).
    """

    name = "choropleth"
    column_options = ("locations", "color", "hover_name")
    colour_options = ()  # its colour is a scale of numbers

    def __init__(
        self,
        locations: str,
        color: str,
        hover_name: str | None = None,
        colorscale: str = "Viridis",
        aggregate: str | None = None,
        latest: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if aggregate and latest:
            raise ValueError("give aggregate or latest, not both: each reduces to one value")
        check_aggregate(aggregate)
        self.locations, self.color, self.hover_name = locations, color, hover_name
        self.colorscale = colorscale
        self.aggregate, self.latest = aggregate, latest

    def columns(self):
        return super().columns() + ([self.latest] if self.latest else [])

    def clicks(self):
        return [(c, f) for c, f in ((self.locations, "location"), (self.hover_name, "text")) if c]

    def data(self, rows):
        rows = rows.notna(self.color)
        if self.latest:
            return rows.latest([self.locations], self.latest).to_pandas()
        keys = [self.locations, self.hover_name]
        if self.aggregate:
            return aggregate(rows, keys, self.color, self.aggregate).to_pandas()
        counts = rows.aggregate([self.locations], None, "count").to_pandas()
        if len(counts) and counts["count"].max() > 1:
            most = counts.loc[counts["count"].idxmax()]
            raise Misfit(
                f"several rows per location ({most['count']} for "
                f"{str(most[self.locations])!r}): a map shows one value each; set aggregate "
                "(sum, mean, ...) or latest (a date or year column), or narrow the rows to "
                "one per location (a select or slider on the year)"
            )
        return rows.to_pandas()

    def figure(self, frame, chart, view):
        if frame.empty:
            return empty_figure(chart)
        low, high = np.nanpercentile(frame[self.color].to_numpy(dtype=float), [2, 98])
        given = numbers.declared(chart, view)
        spec = numbers.spec_of(frame, self.color, given)
        colorbar: dict[str, Any] = {
            "title": {"text": self.label(self.color, chart.unit)},
            "thickness": 12,
        }
        if self.color in given:
            colorbar["tickformat"] = given[self.color]
        trace = {
            "type": "choropleth",
            "locationmode": "ISO-3",
            "locations": values(frame[self.locations]),
            "z": values(frame[self.color]),
            "zmin": float(low),
            "zmax": float(high) if high > low else float(low) + 1,
            "colorscale": self.colorscale,
            "marker": {"line": {"color": "#fff", "width": 0.3}},
            "colorbar": colorbar,
            "text": values(frame[self.hover_name or self.locations]),
            "hovertemplate": "%{text}: %{z" + numbers.hover(spec) + "}<extra></extra>",
        }
        if self.latest:  # the hover says which date or year each value is from
            trace["customdata"] = values(frame[self.latest])
            trace["hovertemplate"] = trace["hovertemplate"].replace(
                "<extra>", " (%{customdata})<extra>"
            )
        layout = base_layout(chart)
        layout["geo"] = {
            "showframe": False,
            "showcoastlines": False,
            "projection": {"type": "natural earth"},
            "lataxis": {"range": [-58, 85]},
        }
        layout["margin"] = {"l": 0, "r": 0, "t": 10, "b": 30}
        return {"data": [trace], "layout": layout}


class Table(Kind):
    """The rows themselves, as a Plotly table (the first ``max_rows``).

    :param columns: the columns shown, in order; every column without it.
    :param max_rows: the most rows shown; the table view and CSV have them all.
    :param sort: a column the rows are ordered by (smallest first).
    :param descending: order by ``sort`` largest first.
    :param top: keep the *top* rows with the largest ``sort`` value, largest first.
    :param other: with ``top``, add one row summing ``sort`` over the rest, "Other" in
        the first column.
    """

    name = "table"

    def __init__(
        self,
        columns: list[str] | None = None,
        max_rows: int = 100,
        sort: str | None = None,
        descending: bool = False,
        top: int | None = None,
        other: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        options.whole("top", top)
        options.whole("max_rows", max_rows)
        if top and not sort:
            raise ValueError("top needs sort: the column whose largest values are kept")
        self.show, self.max_rows = list(columns or []), max_rows
        self.sort, self.descending = sort, descending
        self.top, self.other = top, other

    def columns(self):
        return self.show + ([self.sort] if self.sort else [])

    def data(self, rows):
        if self.top:
            return self._top(rows)
        if self.sort:
            rows = rows.sort(self.sort, ascending=not self.descending)
        return (rows.select(self.show) if self.show else rows).to_pandas()

    def _top(self, rows):
        """The rows with the largest ``sort`` values, then the rest summed as "Other".

        Each step runs where the rows are: the first rows of the sorted ones, then the
        count and sum of those after them.
        """
        ranked = rows.notna(self.sort).sort(self.sort, ascending=False)
        kept = (ranked.select(self.show) if self.show else ranked).head(self.top).to_pandas()
        if not self.other:
            return kept
        rest = ranked.skip(self.top)
        count = rest.count()
        if not count:
            return kept
        extra = {self.sort: rest.aggregate([], self.sort, "sum").to_pandas()[self.sort].iloc[0]}
        first = next((c for c in kept.columns if c != self.sort), None)
        if first is not None:
            extra[first] = f"{OTHER} ({count:,} rows)"
            kept = kept.assign(**{first: kept[first].astype(object)})
        return pd.concat([kept, pd.DataFrame([extra])], ignore_index=True)

    def figure(self, frame, chart, view):
        if frame.empty:
            return empty_figure(chart)
        shown = frame.head(self.max_rows)
        specs = numbers.column_specs(shown, numbers.declared(chart, view))
        cells, align = [], []
        for column in shown.columns:
            spec = specs.get(str(column))
            series = shown[column]
            cells.append(numbers.format_column(series, spec) if spec else values(series))
            align.append("right" if spec else "left")  # numbers line up by their digits
        trace = {
            "type": "table",
            "header": {
                "values": [self.label(str(c)) for c in shown.columns],
                "fill": {"color": "#f1f3f5"},
                "align": align,
                "font": {"size": 12},
            },
            "cells": {"values": cells, "align": align, "height": 24},
        }
        layout = base_layout(chart)
        layout["margin"] = {"l": 0, "r": 0, "t": 10, "b": 10}
        if len(frame) > self.max_rows:
            layout["margin"]["t"] = 30
            layout["title"] = {
                "text": f"First {self.max_rows} of {len(frame):,} rows; download the CSV for all",
                "x": 0,
                "font": {"size": 12},
            }
        return {"data": [trace], "layout": layout}


_SCALES = [(12, " T"), (9, " B"), (6, " M")]


def _scale(value: float) -> tuple[float, str]:
    """Return the power of a thousand a headline of millions or more is shown in."""
    return next(((10.0**p, c) for p, c in _SCALES if abs(value) >= 10.0**p), (1.0, ""))


#: A KPI prefix ending in one of these shows money: cents, always two (``$3.00``).
CURRENCIES = "$€£¥₹₩₽¢"


def _headline_spec(value: float, scaled: bool, prefix: str = "") -> str:
    """Return how a KPI shows its number when the author gave no format: millions and
    more as ``8.425 M``; a whole number exactly (``12,345``, never ``12,350``); money
    with two decimals (a mean tip of 2.9983 as ``$3.00``, never ``$2.998``); else at
    most two decimals, or three significant digits below one."""
    if scaled:
        return ",.4~r"
    if math.isfinite(value) and value == round(value):
        return ",d"
    symbol = prefix.strip()[-1:]
    if symbol and symbol in CURRENCIES:
        return ",.2f"
    return ",.2~f" if abs(value) >= 1 else ".3~r"


def _numbers(series: pd.Series) -> bool:
    return isinstance(series.array, NumpyExtensionArray) and series.dtype.kind in "iu"


class Kpi(Kind):
    """A headline number: ``value`` combined for the last ``x``, with the change since the first.

    :param value: the numeric column shown.
    :param x: a column of periods (years, dates): the number is the last one's, with
        the change since the first; without it, all rows combine into one number.
    :param over: with a column here, only ``x`` values where every one of its values
        has data count, so a total never drops because one country has not reported.
    :param aggregate: how rows combine (sum, mean, ...).
    :param prefix: text before the number (``$``).
    :param suffix: text after the number (`` t``, ``%``).
    """

    name = "kpi"
    column_options = ("value", "x", "over")
    _size: ClassVar[dict] = {"margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "height": 150}

    def __init__(
        self,
        value: str,
        x: str | None = None,
        over: str | None = None,
        aggregate: str = "sum",
        prefix: str = "",
        suffix: str = "",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.value, self.x, self.over = value, x, over
        self.aggregate, self.prefix, self.suffix = aggregate, prefix, suffix

    def data(self, rows):
        frame = rows.frame if isinstance(rows, FrameRows) else None
        if frame is not None and self.x is not None and self.aggregate == "sum":
            if _numbers(frame[self.x]):
                return self._sums(frame)
        present = rows.notna(self.value)
        if self.over and self.x:
            wanted = rows.nunique(self.over)
            counts = present.nunique_by(self.x, self.over)
            present = present.isin(self.x, counts[counts == wanted].index.tolist())
        keys = [self.x] if self.x else []
        return aggregate(present, keys, self.value, self.aggregate).to_pandas()

    def _sums(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Total ``value`` per ``x`` in NumPy: what the pandas path gives, with less overhead."""
        value = frame[self.value].to_numpy(dtype=float, na_value=np.nan)
        keep = ~np.isnan(value)
        xs, at = np.unique(frame[self.x].to_numpy(), return_inverse=True)
        if self.over:
            over, names = numbered(frame[self.over])
            count = len(names)
            pairs = np.unique(at[keep] * (count + 1) + over[keep] + 1)
            pairs = pairs[pairs % (count + 1) != 0]  # a missing ``over`` is not counted
            per_x = np.bincount(pairs // (count + 1), minlength=len(xs))
            keep &= (per_x == len(np.unique(over[over >= 0])))[at]
        totals = group_sums(np.where(keep, at, -1), value, len(xs))
        kept = np.bincount(at[keep], minlength=len(xs)) > 0
        return pd.DataFrame({self.x: xs[kept], self.value: totals[kept]})

    def figure(self, frame, chart, view):
        if frame.empty or frame[self.value].isna().all():
            figure = empty_figure(chart)
            figure["layout"].update(self._size)
            return figure
        sums = frame[self.value].to_numpy(dtype=float)
        spec = numbers.declared(chart, view).get(self.value)
        scale, letter = (1.0, "") if spec else _scale(sums[-1])
        trace: dict[str, Any] = {
            "type": "indicator",
            "mode": "number",
            "value": sums[-1] / scale,
            "number": {
                "prefix": self.prefix,
                "suffix": letter + self.suffix,
                "valueformat": spec or _headline_spec(sums[-1] / scale, bool(letter), self.prefix),
            },
        }
        if self.x is not None:
            years = values(frame[self.x])
            trace["title"] = {"text": str(years[-1]), "font": {"size": 13}}
            if years[0] != years[-1] and math.isfinite(sums[0]) and sums[0]:
                trace["mode"] = "number+delta"
                trace["delta"] = {
                    "reference": sums[0] / scale,
                    "relative": True,
                    "valueformat": ".1%",
                    "suffix": f" since {years[0]}",
                }
        return {"data": [trace], "layout": base_layout(chart) | self._size}
