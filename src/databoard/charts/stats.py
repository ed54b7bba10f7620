"""Kinds that summarise a distribution: histogram and box.

Both compute their statistics on the server, so a million rows travel as a few dozen
numbers instead of a million points.
"""

from __future__ import annotations

import numpy as np

from .. import options
from . import numbers
from .base import Columns, Kind, axis, empty_figure, groups
from .theme import base_layout


class Histogram(Kind):
    """Counts of ``x`` in equal bins, one series per ``color`` value.

    :param x: the numeric column counted.
    :param color: a column whose values each get a series of bars, overlaid.
    :param bins: the number of bins; chosen from the data (at most 50) when not given.
    :param normalize: show each series as a percentage of its rows.
    """

    name = "histogram"
    column_options = ("x", "color")

    def __init__(
        self,
        x: str,
        color: str | None = None,
        bins: int | None = None,
        normalize: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        options.whole("bins", bins)
        self.x, self.color, self.bins, self.normalize = x, color, bins, normalize

    def data(self, rows):
        return rows.histogram(self.x, self.color, self.bins)

    def figure(self, frame, chart, view):
        if frame.empty or frame["count"].sum() == 0:
            return empty_figure(chart)
        series = self.color or "series"
        data = Columns(frame)
        spec = numbers.declared(chart, view).get(self.x, ",.4~g")
        traces = []
        for name, rows, colour in groups(frame, series, view):
            counts = data.numbers("count", rows)
            if self.normalize:
                counts = counts * 100 / counts.sum()
            start, end = data.numbers("bin_start", rows), data.numbers("bin_end", rows)
            traces.append(
                {
                    "type": "bar",
                    "name": str(name),
                    "x": _listed((start + end) / 2),
                    "y": counts.tolist(),
                    "width": _listed(end - start),
                    "marker": {"color": colour, "line": {"width": 0.5, "color": "#fff"}},
                    "opacity": 0.75 if self.color else 1,
                    "customdata": np.column_stack([start, end]).tolist(),
                    "hovertemplate": f"%{{customdata[0]:{spec}}} to %{{customdata[1]:{spec}}}: "
                    + ("%{y:.1f}%" if self.normalize else "%{y:,}")
                    + "<extra>%{fullData.name}</extra>",
                }
            )
        layout = base_layout(chart)
        layout["barmode"] = "overlay"
        layout["bargap"] = 0
        layout["xaxis"] = axis(self.label(self.x, chart.unit))
        layout["yaxis"] = axis("% of rows" if self.normalize else "rows")
        layout["showlegend"] = self.color is not None
        return {"data": traces, "layout": layout}


class Box(Kind):
    """Quartiles of ``y`` per ``x`` category (and ``color`` value), whiskers at 1.5 IQR.

    :param y: the numeric column summarised.
    :param x: a column of categories, one box each; one box in all without it.
    :param color: a column whose values each get a box per category, side by side.
    """

    name = "box"
    column_options = ("x", "y", "color")

    def __init__(self, y: str, x: str | None = None, color: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.color = x, y, color

    def categories(self):
        return [k for k in dict.fromkeys([self.x, self.color]) if k]

    def data(self, rows):
        return rows.box(self.y, [k for k in dict.fromkeys([self.color, self.x]) if k])

    def figure(self, frame, chart, view):
        if frame.empty:
            return empty_figure(chart)
        data = Columns(frame)
        traces = []
        for name, rows, colour in groups(frame, self.color, view):
            trace = {
                "type": "box",
                "name": str(name) if name is not None else self.label(self.y),
                "marker": {"color": colour},
                "boxmean": True,
            }
            for stat in ("q1", "median", "q3", "lowerfence", "upperfence", "mean"):
                trace[stat] = data.values(stat, rows)
            if self.x:
                trace["x"] = data.values(self.x, rows)
            traces.append(trace)
        layout = base_layout(chart)
        layout["boxmode"] = "group" if self.color and self.color != self.x else "overlay"
        layout["xaxis"] = axis(self.label(self.x) if self.x else "", type="category")
        if self.x and view.rank_of(self.x):  # as the rows come: in the declared order
            order = list(dict.fromkeys(data.values(self.x)))
            layout["xaxis"] |= {"categoryorder": "array", "categoryarray": order}
        spec = numbers.declared(chart, view).get(self.y)
        formats = {"tickformat": spec, "hoverformat": spec} if spec else {}
        layout["yaxis"] = axis(self.label(self.y, chart.unit), **formats)
        layout["showlegend"] = self.color is not None and self.color != self.x
        return {"data": traces, "layout": layout}


def _listed(numbers: np.ndarray) -> list:
    """Return floats as a list, ``None`` where missing."""
    out = numbers.astype(object)
    out[np.isnan(numbers)] = None
    return out.tolist()
