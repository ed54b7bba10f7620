"""Kinds that plot ``y`` against ``x``: line, area, scatter and bar, with facets and trends."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import options
from ..data.engines import memory
from ..data.engines.rows import OTHER
from ..data.reshape import complete_rows
from . import downsample, numbers, shape
from .base import (
    Columns,
    Kind,
    aggregate,
    axis,
    check_aggregate,
    empty_figure,
    facet_layout,
    groups,
    present,
    values,
)
from .theme import PALETTE, base_layout


def trim_missing(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Drop rows before the first and after the last ``x`` that has any ``y`` value.

    Interior gaps stay (and draw as gaps); empty years at the ends would only stretch
    the axis past the data.
    """
    arrays = memory.arrays_of(frame)  # None for repeated names: pandas says which
    xs = frame[x] if arrays is None else arrays[x]
    having = present(frame[y] if arrays is None else arrays[y])
    if having.all():
        return frame  # every x has its y: nothing to trim (and no copy of millions of x)
    if not having.any():
        return frame.iloc[0:0]
    if arrays is None or not (isinstance(xs, np.ndarray) and xs.dtype.kind in "iuf"):
        xs = frame[x]  # dates, text: compared by pandas
        seen = xs[having]
        return frame[(xs >= seen.min()) & (xs <= seen.max())]
    seen = xs[having]
    keep = (xs >= seen.min()) & (xs <= seen.max())
    if keep.all():  # most series need no trimming
        return frame
    return memory.take(frame, arrays.values(), np.flatnonzero(keep))


def trend(rows: pd.DataFrame, x: str, y: str) -> tuple[list, list] | None:
    """Return the ends of the least-squares line through the rows, or None if undefined."""
    points = rows[[x, y]].dropna()
    if len(points) < 2:
        return None
    xs = points[x]
    if pd.api.types.is_datetime64_any_dtype(xs):
        numeric = xs.astype("int64").to_numpy(float)
    else:
        numeric = xs.to_numpy(float)
    if np.ptp(numeric) == 0:
        return None
    # The closed form with NumPy's own sums, not np.polyfit: LAPACK's least squares picks
    # CPU-specific kernels, so its last digits (and a cached figure's bytes) vary by machine.
    ys = points[y].to_numpy(float)
    mean_x, mean_y = numeric.sum() / len(numeric), ys.sum() / len(ys)
    dx = numeric - mean_x
    slope = float((dx * (ys - mean_y)).sum() / (dx * dx).sum())
    intercept = mean_y - slope * mean_x
    ends = [numeric.min(), numeric.max()]
    return values(pd.Series([xs.min(), xs.max()])), [float(slope * e + intercept) for e in ends]


def in_order(data: Columns, column: str, rows: np.ndarray) -> np.ndarray:
    """Return the order that sorts *column* of *data* at *rows* by value, missing last.

    The order is the one a stable ``sort_values`` gives; a series already sorted (as most come)
    keeps its own.
    """
    values = data.array(column)
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        numbers = values[rows]
        if not (numbers[1:] < numbers[:-1]).any() and not np.isnan(numbers).any():
            return np.arange(len(rows))
        missing = np.isnan(numbers)
        known = np.flatnonzero(~missing)
        order = numbers[known].argsort(kind="stable")  # ties as they come, on every CPU
        return np.concatenate([known[order], np.flatnonzero(missing)])
    part = data[column].iloc[rows].reset_index(drop=True)
    if part.is_monotonic_increasing:
        return np.arange(len(rows))
    return part.sort_values(kind="stable").index.to_numpy()


class XY(Kind):
    """Options shared by the x/y kinds.

    :param x: the column along the horizontal axis (categories, numbers or dates).
    :param y: the column of the values plotted against it.
    :param color: a column whose values each get a series (and a colour).
    :param facet: a column whose values each get a panel.
    :param facet_columns: how many panels side by side before the next row.
    :param log_x: a logarithmic x axis (labelled at powers of ten).
    :param log_y: a logarithmic y axis.
    :param aggregate: combine rows sharing x, colour and facet (sum, mean, ...).
    :param trendline: add a least-squares line per series.
    :param resample: ``W``, ``M``, ``Q`` or ``Y``: dates of ``x`` become the start of
        their week, month, quarter or year, and ``aggregate`` combines each period's rows.
    """

    column_options = ("x", "y", "color", "facet")

    def __init__(
        self,
        x: str,
        y: str,
        color: str | None = None,
        facet: str | None = None,
        facet_columns: int = 3,
        log_x: bool = False,
        log_y: bool = False,
        aggregate: str | None = None,
        trendline: bool = False,
        resample: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        options.whole("facet_columns", facet_columns)
        check_aggregate(aggregate)
        self.x, self.y, self.color, self.facet = x, y, color, facet
        self.facet_columns = facet_columns
        self.log_x, self.log_y = log_x, log_y
        self.aggregate, self.trendline = aggregate, trendline
        shape.check_period(resample)
        if resample and not aggregate:
            raise ValueError("resample needs an aggregate (sum, mean, ...) to combine a period")
        self.resample = resample

    def data(self, rows):
        if self.resample:
            rows = rows.truncate(self.x, self.resample)
        rows = aggregate(rows, [self.facet, self.x, self.color], self.y, self.aggregate)
        if self.name in downsample.KINDS:  # in an engine, long series are reduced there
            keys = [k for k in dict.fromkeys([self.facet, self.color]) if k]
            rows = rows.m4(self.x, self.y, keys, downsample.MAX_POINTS)
        return rows.to_pandas()

    def clicks(self):
        return [(c, f) for c, f in ((self.color, "name"), (self.x, "x")) if c]

    def traces(
        self, data: Columns, rows: np.ndarray, name, colour: str, chart, specs: dict
    ) -> list[dict]:
        """Return the traces of one series: the rows of *data* at the positions *rows*.

        :param specs: the d3-format specifier of each shown column (see :mod:`.numbers`).
        """
        raise NotImplementedError

    def specs(self, frame: Columns, given: dict[str, str]) -> dict[str, str]:
        """Return the specifier of each column the hovers show: *given* by the author,
        else chosen from the values (:func:`.numbers.spec_of`)."""
        shown = [self.x, self.y, getattr(self, "size", None)]
        return {c: numbers.spec_of(frame, c, given) for c in shown if c}

    def x_axis(self, chart, given: dict | None = None) -> dict:
        if self.resample:  # ticks and hover name the period, not its first day
            form = shape.PERIODS[self.resample][1]
            return axis(self.label(self.x), tickformat=form, hoverformat=form)
        return axis(self.label(self.x), self.log_x, **_declared(given, self.x))

    def y_axis(self, chart, given: dict | None = None) -> dict:
        return axis(self.label(self.y, chart.unit), self.log_y, **_declared(given, self.y))

    def figure(self, frame, chart, view):
        data = Columns(frame)
        if frame.empty or not data.present(self.y).any():
            return empty_figure(chart)
        given = numbers.declared(chart, view)
        specs = self.specs(data, given)
        panels = groups(data, self.facet, view)
        traces: list[dict] = []
        seen: set = set()
        for i, (_, panel, _) in enumerate(panels):
            for name, rows, colour in groups(data, self.color, view, panel):
                for trace in self.traces(data, rows, name, colour, chart, specs):
                    trace["legendgroup"] = str(name)
                    if name in seen or self.color is None:
                        trace["showlegend"] = False
                    if i:
                        trace["xaxis"], trace["yaxis"] = f"x{i + 1}", f"y{i + 1}"
                    traces.append(trace)
                seen.add(name)
                if self.trendline:
                    traces.extend(self._trend(frame.iloc[rows], name, colour, i))
        layout = base_layout(chart)
        if self.facet:
            names = [name for name, _, _ in panels]
            x_axis, y_axis = self.x_axis(chart, given), self.y_axis(chart, given)
            facet_layout(layout, names, self.facet_columns, x_axis, y_axis)
        else:
            layout["xaxis"], layout["yaxis"] = self.x_axis(chart, given), self.y_axis(chart, given)
        layout["showlegend"] = self.color is not None
        return {"data": traces, "layout": layout}

    def _trend(self, rows, name, colour, panel: int) -> list[dict]:
        line = trend(rows, self.x, self.y)
        if line is None:
            return []
        trace = {
            "type": "scatter",
            "mode": "lines",
            "name": f"{name} trend" if name is not None else "trend",
            "x": line[0],
            "y": line[1],
            "line": {"color": colour, "dash": "dash", "width": 1.5},
            "legendgroup": str(name),
            "showlegend": False,
            "hoverinfo": "skip",
        }
        if panel:
            trace["xaxis"], trace["yaxis"] = f"x{panel + 1}", f"y{panel + 1}"
        return [trace]

    def series_name(self, name) -> str:
        return str(name) if name is not None else self.label(self.y)


class Line(XY):
    """One line per ``color`` value; missing values are gaps, never zeros.

    :param markers: draw a dot at every point as well as the line.
    """

    name = "line"

    def __init__(self, x: str, y: str, color: str | None = None, markers: bool = False, **kwargs):
        super().__init__(x, y, color, **kwargs)
        self.markers = markers

    def data(self, rows):
        return trim_missing(super().data(rows), self.x, self.y)

    def traces(self, data, rows, name, colour, chart, specs):
        rows = rows[in_order(data, self.x, rows)]
        unit = f" {chart.unit}" if chart.unit else ""
        return [
            {
                "type": "scatter",
                "mode": "lines+markers" if self.markers else "lines",
                "name": self.series_name(name),
                "x": data.values(self.x, rows),
                "y": data.values(self.y, rows),
                "line": {"color": colour, "width": 2},
                "connectgaps": False,
                "hovertemplate": "%{y" + numbers.hover(specs[self.y]) + "}" + unit,
            }
        ]

    def figure(self, frame, chart, view):
        figure = super().figure(frame, chart, view)
        if figure["data"] and not self.facet:
            figure["layout"]["hovermode"] = "x unified"
        return figure


class Area(Line):
    """Stacked areas, one per ``color`` value."""

    name = "area"

    def traces(self, data, rows, name, colour, chart, specs):
        (trace,) = super().traces(data, rows, name, colour, chart, specs)
        trace["stackgroup"] = "one"
        trace["fillcolor"] = colour
        trace["connectgaps"] = True  # a gap in a stack would tear every band above it
        return [trace]


class Scatter(XY):
    """Points of ``y`` against ``x``; ``size`` makes bubbles, ``text`` names them.

    :param size: a numeric column giving each point's area (a bubble chart).
    :param text: a column naming each point, shown on hover.
    :param max_size: the diameter in pixels of the largest bubble.
    """

    name = "scatter"
    column_options = (*XY.column_options, "size", "text")

    def __init__(
        self,
        x: str,
        y: str,
        color: str | None = None,
        size: str | None = None,
        text: str | None = None,
        max_size: int = 60,
        **kwargs,
    ):
        super().__init__(x, y, color, **kwargs)
        options.whole("max_size", max_size)
        self.size, self.text, self.max_size = size, text, max_size

    def clicks(self):
        return [(c, f) for c, f in ((self.color, "name"), (self.text, "text")) if c]

    def data(self, rows):
        frame = super().data(rows)
        return complete_rows(frame, [c for c in (self.x, self.y, self.size) if c])

    def figure(self, frame, chart, view):
        figure = super().figure(frame, chart, view)
        if self.size and not frame.empty:
            # One scale for every series, so equal values draw equal bubbles across colours.
            largest = float(frame[self.size].max()) or 1.0
            for trace in figure["data"]:
                if "size" in trace.get("marker", {}):
                    trace["marker"]["sizeref"] = 2.0 * largest / self.max_size**2
        return figure

    def traces(self, data, rows, name, colour, chart, specs):
        hover = [
            f"{self.label(self.x)}: %{{x{numbers.hover(specs[self.x])}}}",
            f"{self.label(self.y, chart.unit)}: %{{y{numbers.hover(specs[self.y])}}}",
        ]
        marker: dict[str, Any] = {"color": colour, "line": {"width": 0.5, "color": "#fff"}}
        if self.size:
            size = numbers.hover(specs[self.size])
            hover.append(f"{self.label(self.size)}: %{{marker.size{size}}}")
            marker |= {
                "size": data.values(self.size, rows),
                "sizemode": "area",
                "sizeref": None,  # set by figure(), from every series' largest value
                "sizemin": 3,
                "opacity": 0.75,
            }
        trace = {
            "type": "scatter",
            "mode": "markers",
            "name": self.series_name(name),
            "x": data.values(self.x, rows),
            "y": data.values(self.y, rows),
            "marker": marker,
            "hovertemplate": "<br>".join(hover) + "<extra>%{fullData.name}</extra>",
        }
        if self.text:
            trace["text"] = data.values(self.text, rows)
            trace["hovertemplate"] = "<b>%{text}</b><br>" + trace["hovertemplate"]
        return [trace]


class Bar(XY):
    """Bars; ``orientation: h`` puts categories on the y axis (as plotly.express does).

    :param orientation: ``v`` (bars up from the x axis) or ``h`` (categories on the y
        axis, bars to the right: long labels stay readable).
    :param sort: ``descending`` or ``ascending`` orders bars by value; ``None`` keeps
        the data's order.
    :param barmode: ``group`` or ``stack`` bars of different ``color`` values.
    :param top: keep the categories with the largest total value, largest first.
    :param other: with ``top``, sum the remaining categories as one "Other" bar, last.
    """

    name = "bar"

    def __init__(
        self,
        x: str,
        y: str,
        color: str | None = None,
        orientation: str = "v",
        sort: str | None = None,
        barmode: str = "group",
        aggregate: str | None = "sum",
        top: int | None = None,
        other: bool = False,
        **kwargs,
    ):
        super().__init__(x, y, color, aggregate=aggregate, **kwargs)
        if orientation not in ("v", "h"):
            raise ValueError(f"orientation must be 'v' or 'h', not {orientation!r}")
        if sort not in (None, "ascending", "descending"):
            raise ValueError(f"sort must be 'ascending' or 'descending', not {sort!r}")
        options.whole("top", top)
        self.orientation, self.sort, self.barmode = orientation, sort, barmode
        self.top, self.other = top, other

    @property
    def _value(self) -> str:
        return self.x if self.orientation == "h" else self.y

    @property
    def _category(self) -> str:
        return self.y if self.orientation == "h" else self.x

    def clicks(self):
        point = "y" if self.orientation == "h" else "x"
        return [(c, f) for c, f in ((self._category, point), (self.color, "name")) if c]

    def categories(self):
        ranked = self.sort or self.top or self.resample  # bars by value, or periods
        return [c for c in (None if ranked else self._category, self.color) if c]

    def data(self, rows):
        keys = [self.facet, self._category, self.color]
        if self.resample:
            rows = rows.truncate(self._category, self.resample)
        shown = aggregate(rows, keys, self._value, self.aggregate).notna(self._value)
        if not self.top:
            frame = shown.to_pandas()
            if self.sort:
                ascending = (self.sort == "ascending") != (self.orientation == "h")
                frame = frame.sort_values(self._value, ascending=ascending, kind="stable")
            return frame
        frame = shown.top(self._category, self._value, self.top, self.other, keys)
        if self.sort == "ascending":  # smallest of the top first; "Other" stays last
            named = frame[self._category] != OTHER
            frame = pd.concat([frame[named].iloc[::-1], frame[~named]])
        if self.orientation == "h":  # Plotly draws the first horizontal bar at the bottom
            frame = frame.iloc[::-1]
        return frame

    def figure(self, frame, chart, view):
        if self.resample and not frame.empty:  # one readable label per period: "2024 Q1"
            labels = shape.period_labels(frame[self._category], self.resample)
            frame = frame.assign(**{self._category: labels})
        if self.color is not None and self.color == self._category and not self.facet:
            figure = self._one_trace(frame, chart, view)
        else:
            figure = super().figure(frame, chart, view)
        layout = figure["layout"]
        layout["barmode"] = self.barmode
        ranked = self.sort or self.top or self.resample
        if (ranked or view.rank_of(self._category)) and figure["data"]:
            order = list(dict.fromkeys(values(frame[self._category])))
            if self.orientation == "h" and not ranked:  # a declared order reads top down
                order.reverse()
            key = "yaxis" if self.orientation == "h" else "xaxis"
            for name in [k for k in layout if k.startswith(key)]:
                layout[name] |= {"categoryorder": "array", "categoryarray": order}
        return figure

    def _one_trace(self, frame, chart, view) -> dict:
        """Colour each bar by its own category: one trace, no legend needed."""
        if frame.empty:
            return empty_figure(chart)
        colour_of = {name: c for name, _, c in groups(frame, self.color, view)}
        data = Columns(frame)
        given = numbers.declared(chart, view)
        specs = self.specs(data, given)
        (trace,) = self.traces(data, np.arange(len(frame)), None, PALETTE[0], chart, specs)
        trace["marker"]["color"] = [colour_of[v] for v in frame[self.color]]
        trace["name"] = ""
        layout = base_layout(chart)
        layout["xaxis"], layout["yaxis"] = self.x_axis(chart, given), self.y_axis(chart, given)
        layout["showlegend"] = False
        return {"data": [trace], "layout": layout}

    def x_axis(self, chart, given=None):
        if self.orientation == "h":
            return axis(self.label(self.x, chart.unit), self.log_x, **_declared(given, self.x))
        return axis(self.label(self.x), type="category")

    def y_axis(self, chart, given=None):
        if self.orientation == "h":
            return axis(self.label(self.y), type="category")
        return axis(self.label(self.y, chart.unit), self.log_y, **_declared(given, self.y))

    def traces(self, data, rows, name, colour, chart, specs):
        value = numbers.hover(specs[self._value])
        template = f"%{{y}}: %{{x{value}}}" if self.orientation == "h" else f"%{{x}}: %{{y{value}}}"
        return [
            {
                "type": "bar",
                "orientation": self.orientation,
                "name": self.series_name(name),
                "x": data.values(self.x, rows),
                "y": data.values(self.y, rows),
                "marker": {"color": colour},
                "hovertemplate": template + "<extra></extra>",
            }
        ]


def _declared(given: dict | None, column: str) -> dict:
    """Return an axis's tick and hover format: the author's specifier for *column*, if any
    (Plotly's own choice of ticks is better than a default specifier)."""
    spec = (given or {}).get(column)
    return {"tickformat": spec, "hoverformat": spec} if spec else {}
