"""Chart kinds: pure builders from a DataFrame to a Plotly figure dict.

Each kind is a small class holding its options (which columns go where) and a
``figure(frame, chart, view)`` method. They build the figure JSON directly instead of
going through plotly.express, which keeps a chart request to a few milliseconds and the
payload free of the default template. Missing values stay ``None``, so lines show gaps.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from .theme import PALETTE, base_layout

if TYPE_CHECKING:
    from ..dashboard import Chart, View

KINDS: dict[str, type[Kind]] = {}


def values(series: pd.Series) -> list:
    """Return *series* as a JSON-ready list, with ``None`` where a value is missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    array = series.to_numpy(dtype=object, na_value=None)
    return array.tolist()


def groups(frame: pd.DataFrame, column: str | None, view: View | None) -> list[tuple]:
    """Split *frame* by *column*, ordered as the view selects them (then by name).

    :return: ``(name, rows, colour)`` triples; a value keeps its colour on every chart
        because the colour follows its position in the viewer's selection.
    """
    if column is None:
        return [(None, frame, PALETTE[0])]
    present = frame[column].dropna().unique().tolist()
    order = (view.order_of(column) if view is not None else None) or []
    ranked = [v for v in order if v in present] + sorted(
        (v for v in present if v not in order), key=str
    )
    position = {v: i for i, v in enumerate(order)}
    out = []
    for i, name in enumerate(ranked):
        colour = PALETTE[position.get(name, i) % len(PALETTE)]
        out.append((name, frame[frame[column] == name], colour))
    return out


def trim_missing(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Drop rows before the first and after the last x that has any y value.

    Interior gaps stay (and draw as gaps); empty years at the ends would only stretch
    the axis past the data.
    """
    present = frame.loc[frame[y].notna(), x]
    if present.empty:
        return frame.iloc[0:0]
    return frame[(frame[x] >= present.min()) & (frame[x] <= present.max())]


class Kind:
    """Base of the chart kinds; subclasses register under ``name``."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        KINDS[cls.name] = cls

    def figure(self, frame: pd.DataFrame, chart: Chart, view: View) -> dict:
        """Return the Plotly figure dict for *frame*."""
        raise NotImplementedError

    def data(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return the table behind the figure, as offered for download."""
        return frame


def _empty(chart: Chart, message: str = "No data for this selection") -> dict:
    layout = base_layout(chart)
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    layout["annotations"] = [
        {
            "text": message,
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "font": {"size": 14, "color": "#6c757d"},
        }
    ]
    return {"data": [], "layout": layout}


def _axis(title: str, log: bool = False, **extra) -> dict:
    axis: dict[str, Any] = {
        "title": {"text": title},
        "gridcolor": "#e9ecef",
        "zerolinecolor": "#dee2e6",
        "automargin": True,
        **extra,
    }
    if log:
        axis["type"] = "log"
        axis["dtick"] = 1  # label powers of ten only; minor labels crowd a small chart
    return axis


class Line(Kind):
    """One line per ``color`` group of ``y`` against ``x``."""

    name = "line"

    def __init__(
        self,
        x: str,
        y: str,
        color: str | None = None,
        *,
        log_y: bool = False,
        x_title: str = "",
        y_title: str = "",
    ):
        self.x, self.y, self.color, self.log_y = x, y, color, log_y
        self.x_title, self.y_title = x_title, y_title

    def figure(self, frame, chart, view):
        frame = trim_missing(frame, self.x, self.y)
        if frame.empty:
            return _empty(chart)
        traces = []
        for name, rows, colour in groups(frame, self.color, view):
            rows = rows.sort_values(self.x)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": str(name) if name is not None else self.y,
                    "x": values(rows[self.x]),
                    "y": values(rows[self.y]),
                    "line": {"color": colour, "width": 2},
                    "connectgaps": False,
                    "hovertemplate": "%{y:,.4~g}" + (f" {chart.unit}" if chart.unit else ""),
                }
            )
        layout = base_layout(chart)
        layout["hovermode"] = "x unified"
        layout["xaxis"] = _axis(self.x_title or self.x)
        layout["yaxis"] = _axis(self.y_title or chart.unit or self.y, self.log_y)
        return {"data": traces, "layout": layout}


class Bar(Kind):
    """Bars of ``value`` per ``category``, horizontal and sorted by default."""

    name = "bar"

    def __init__(
        self,
        category: str,
        value: str,
        *,
        color: str | None = None,
        horizontal: bool = True,
        sort: bool = True,
        value_title: str = "",
    ):
        self.category, self.value, self.color = category, value, color
        self.horizontal, self.sort, self.value_title = horizontal, sort, value_title

    def figure(self, frame, chart, view):
        frame = frame[frame[self.value].notna()]
        if frame.empty:
            return _empty(chart)
        if self.sort:
            # Plotly draws the first horizontal bar at the bottom: sort ascending there.
            frame = frame.sort_values(self.value, ascending=self.horizontal)
        colours = None
        if self.color:
            colour_of = {name: c for name, _, c in groups(frame, self.color, view)}
            colours = [colour_of[v] for v in frame[self.color]]
        cats, vals = values(frame[self.category]), values(frame[self.value])
        trace: dict[str, Any] = {
            "type": "bar",
            "orientation": "h" if self.horizontal else "v",
            "x": vals if self.horizontal else cats,
            "y": cats if self.horizontal else vals,
            "marker": {"color": colours or PALETTE[0]},
            "hovertemplate": "%{y}: %{x:,.4~g}" if self.horizontal else "%{x}: %{y:,.4~g}",
            "name": "",
        }
        layout = base_layout(chart)
        value_axis = _axis(self.value_title or chart.unit or self.value)
        category_axis = {"automargin": True, "type": "category"}
        layout["xaxis"] = value_axis if self.horizontal else category_axis
        layout["yaxis"] = category_axis if self.horizontal else value_axis
        layout["showlegend"] = False
        return {"data": [trace], "layout": layout}


class Scatter(Kind):
    """Points of ``y`` against ``x``; optional ``color`` groups and bubble ``size``."""

    name = "scatter"

    def __init__(
        self,
        x: str,
        y: str,
        color: str | None = None,
        *,
        size: str | None = None,
        text: str | None = None,
        log_x: bool = False,
        log_y: bool = False,
        x_title: str = "",
        y_title: str = "",
        size_title: str = "",
        max_size: int = 60,
    ):
        self.x, self.y, self.color, self.size, self.text = x, y, color, size, text
        self.log_x, self.log_y = log_x, log_y
        self.x_title, self.y_title, self.size_title = x_title, y_title, size_title
        self.max_size = max_size

    def figure(self, frame, chart, view):
        needed = [c for c in (self.x, self.y, self.size) if c]
        frame = frame.dropna(subset=needed)
        if frame.empty:
            return _empty(chart)
        sizeref = None
        if self.size:
            largest = float(frame[self.size].max()) or 1.0
            sizeref = 2.0 * largest / self.max_size**2
        hover = [
            f"{self.x_title or self.x}: %{{x:,.4~g}}",
            f"{self.y_title or self.y}: %{{y:,.4~g}}",
        ]
        if self.size:
            hover.append(f"{self.size_title or self.size}: %{{marker.size:,.4~g}}")
        if self.text:
            hover.insert(0, "<b>%{text}</b>")
        traces = []
        for name, rows, colour in groups(frame, self.color, view):
            marker: dict[str, Any] = {"color": colour, "line": {"width": 0.5, "color": "#fff"}}
            if self.size:
                marker |= {
                    "size": values(rows[self.size]),
                    "sizemode": "area",
                    "sizeref": sizeref,
                    "sizemin": 3,
                    "opacity": 0.75,
                }
            trace = {
                "type": "scatter",
                "mode": "markers",
                "name": str(name) if name is not None else self.y,
                "x": values(rows[self.x]),
                "y": values(rows[self.y]),
                "marker": marker,
                "hovertemplate": "<br>".join(hover) + "<extra>%{fullData.name}</extra>",
            }
            if self.text:
                trace["text"] = values(rows[self.text])
            traces.append(trace)
        layout = base_layout(chart)
        layout["xaxis"] = _axis(self.x_title or self.x, self.log_x)
        layout["yaxis"] = _axis(self.y_title or self.y, self.log_y)
        return {"data": traces, "layout": layout}


class Choropleth(Kind):
    """A world map coloured by ``value``, with countries matched on ISO-3 ``locations``.

    The colour scale is clipped to the 2nd-98th percentile so a few outliers do not
    wash out every other country; the hover shows the exact value.
    """

    name = "choropleth"

    def __init__(
        self,
        locations: str,
        value: str,
        *,
        names: str | None = None,
        colorscale: str = "Viridis",
        value_title: str = "",
    ):
        self.locations, self.value, self.names = locations, value, names
        self.colorscale, self.value_title = colorscale, value_title

    def figure(self, frame, chart, view):
        frame = frame[frame[self.value].notna()]
        if frame.empty:
            return _empty(chart, frame.attrs.get("empty_message", "No data for this selection"))
        z = frame[self.value].to_numpy(dtype=float)
        low, high = np.nanpercentile(z, [2, 98])
        trace = {
            "type": "choropleth",
            "locationmode": "ISO-3",
            "locations": values(frame[self.locations]),
            "z": values(frame[self.value]),
            "zmin": float(low),
            "zmax": float(high) if high > low else float(low) + 1,
            "colorscale": self.colorscale,
            "marker": {"line": {"color": "#fff", "width": 0.3}},
            "colorbar": {"title": {"text": self.value_title or chart.unit}, "thickness": 12},
            "hovertemplate": "%{text}: %{z:,.4~g}<extra></extra>",
            "text": values(frame[self.names or self.locations]),
        }
        layout = base_layout(chart)
        layout["geo"] = {
            "showframe": False,
            "showcoastlines": False,
            "projection": {"type": "natural earth"},
            "lataxis": {"range": [-58, 85]},
        }
        layout["margin"] = {"l": 0, "r": 0, "t": 10, "b": 30}
        return {"data": [trace], "layout": layout}


_SCALES = [(12, " T"), (9, " B"), (6, " M")]


class Kpi(Kind):
    """A headline number: ``value`` summed for the last ``x``, with the change since the first.

    Only ``x`` values where every group of ``over`` has a value count, so a total never
    drops because one country has not reported yet.
    """

    name = "kpi"

    def __init__(
        self,
        x: str,
        value: str,
        *,
        over: str | None = None,
        prefix: str = "",
        suffix: str = "",
        aggregate: str = "sum",
    ):
        self.x, self.value, self.over = x, value, over
        self.prefix, self.suffix, self.aggregate = prefix, suffix, aggregate

    def series(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return the aggregated value per ``x`` for the complete ``x`` values."""
        rows = frame[frame[self.value].notna()]
        if self.over:
            wanted = frame[self.over].nunique()
            counts = rows.groupby(self.x, observed=True)[self.over].nunique()
            rows = rows[rows[self.x].isin(counts[counts == wanted].index)]
        totals = rows.groupby(self.x, observed=True)[self.value].agg(self.aggregate)
        return totals.reset_index()

    def figure(self, frame, chart, view):
        totals = self.series(frame)
        if totals.empty:
            figure = _empty(chart)
            figure["layout"].update(self._size)
            return figure
        years, sums = totals[self.x].tolist(), totals[self.value].to_numpy(dtype=float)
        scale, letter = next(
            ((10.0**p, c) for p, c in _SCALES if abs(sums[-1]) >= 10.0**p), (1, "")
        )
        trace: dict[str, Any] = {
            "type": "indicator",
            "mode": "number+delta",
            "value": sums[-1] / scale,
            "number": {
                "prefix": self.prefix,
                "suffix": letter + self.suffix,
                "valueformat": ",.4~r" if letter else ",.4~g",
            },
            "title": {"text": str(years[-1]), "font": {"size": 13}},
            "delta": {
                "reference": sums[0] / scale,
                "relative": True,
                "valueformat": ".1%",
                "suffix": f" since {years[0]}",
            },
        }
        if years[0] == years[-1] or not math.isfinite(sums[0]):
            trace["mode"] = "number"
        return {"data": [trace], "layout": base_layout(chart) | self._size}

    _size: ClassVar[dict] = {"margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "height": 150}

    def data(self, frame):
        return self.series(frame)
