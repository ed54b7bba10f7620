"""The authoring model: a dashboard is datasets, filters and charts.

Datasets are functions returning a pandas DataFrame, loaded once per process. Filters
narrow the datasets by column. A chart takes its filtered dataset and either hands a
DataFrame to a chart kind (line, bar, ...) or returns a Plotly figure itself::

    board = Dashboard("sales", title="Sales")

    @board.dataset
    def orders():
        return pd.read_csv("orders.csv")

    board.add_filter(MultiSelect("region", "region"))
    board.add_chart("revenue", title="Revenue", dataset="orders", kind=Line(x="month", y="revenue"))
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .charts.kinds import Kind
from .errors import BadParameter, DataboardError, NotFound
from .filters import Filter, MultiSelect


@dataclass
class Dataset:
    """A named table, made by *loader* once per process."""

    name: str
    loader: Callable[[], pd.DataFrame]
    frame: pd.DataFrame | None = None

    def load(self) -> pd.DataFrame:
        """Call the loader and keep its result."""
        frame = self.loader()
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"dataset {self.name!r}: the loader returned {type(frame).__name__}, "
                "not a pandas DataFrame"
            )
        self.frame = frame
        return frame


@dataclass
class Chart:
    """One panel of a dashboard.

    :param id: stable identifier, used in URLs.
    :param dataset: the dataset it draws from.
    :param kind: the chart kind drawing the data, or ``None`` when *func* returns a figure.
    :param func: ``func(frame, view)`` returning a DataFrame for *kind*, or a Plotly
        figure when there is no kind.
    :param query: a pandas query applied after the filters; ``@name`` reads a filter.
    :param filters: names of the filters this chart follows; by default every filter
        whose column the dataset has.
    """

    id: str
    title: str
    dataset: str
    kind: Kind | None = None
    func: Callable[..., Any] | None = None
    query: str | None = None
    filters: tuple[str, ...] | None = None
    unit: str = ""
    source: str = ""
    updated: str = ""
    description: str = ""
    width: int = 6

    def describe(self) -> dict:
        """Return the chart's JSON description."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind.name if self.kind else "figure",
            "unit": self.unit,
            "source": self.source,
            "updated": self.updated,
            "description": self.description,
            "width": self.width,
        }


class View(dict):
    """The validated value of every filter of a dashboard, keyed by filter name."""

    def __init__(self, dashboard: Dashboard, values: dict):
        super().__init__(values)
        self.dashboard = dashboard

    def query(self, names: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """Return the query-string pairs of this view (of the named filters only)."""
        pairs = []
        for name, flt in self.dashboard.filters.items():
            if names is None or name in names:
                pairs.extend(flt.to_query(self[name]))
        return pairs

    def key(self) -> tuple:
        """Return a hashable, normalised form of the view (for cache keys)."""
        return tuple(self.query())

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


@dataclass
class ChartResult:
    """What a chart shows for one view: the figure and the data behind it."""

    chart: Chart
    figure: dict
    frame: pd.DataFrame


@dataclass
class Dashboard:
    """A page of charts over shared filters.

    :param slug: the name in URLs (``/d/<slug>``).
    :param attribution: the data's source and licence, shown in the page footer.
    """

    slug: str
    title: str
    description: str = ""
    attribution: str = ""
    attribution_url: str = ""
    license: str = ""
    license_url: str = ""
    datasets: dict[str, Dataset] = field(default_factory=dict)
    filters: dict[str, Filter] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    loaded: bool = False

    # -- declaring --------------------------------------------------------------------

    def dataset(self, func: Callable[[], pd.DataFrame] | None = None, *, name: str = ""):
        """Register a dataset loader; usable as ``@board.dataset`` or a plain call."""
        if func is None:
            return functools.partial(self.dataset, name=name)
        self.add_dataset(name or func.__name__, func)
        return func

    def add_dataset(self, name: str, loader: Callable[[], pd.DataFrame]) -> Dataset:
        """Register *loader* as the dataset *name*."""
        if name in self.datasets:
            raise ValueError(f"{self.slug}: dataset {name!r} is declared twice")
        self.datasets[name] = Dataset(name, loader)
        return self.datasets[name]

    def add_filter(self, flt: Filter) -> Filter:
        """Register a filter; its parameters must not clash with another's."""
        taken = {p for f in self.filters.values() for p in f.params}
        clash = taken.intersection(flt.params)
        if flt.name in self.filters or clash:
            raise ValueError(f"{self.slug}: filter {flt.name!r} clashes with {sorted(clash)}")
        self.filters[flt.name] = flt
        return flt

    def add_chart(self, id: str, title: str, **options) -> Chart:
        """Register a chart; *options* are the fields of :class:`Chart`."""
        if id in self.charts:
            raise ValueError(f"{self.slug}: chart {id!r} is declared twice")
        options.setdefault("dataset", next(iter(self.datasets), ""))
        self.charts[id] = Chart(id=id, title=title, **options)
        return self.charts[id]

    def chart(self, id: str, title: str, **options):
        """Register the decorated function as a chart (see :class:`Chart` ``func``)."""

        def decorator(func):
            self.add_chart(id, title, func=func, **options)
            return func

        return decorator

    # -- loading ----------------------------------------------------------------------

    def load(self) -> None:
        """Load every dataset, then derive filter options and bounds from the data."""
        for dataset in self.datasets.values():
            dataset.load()
        for flt in self.filters.values():
            if flt.column is not None:
                frames = [d.frame for d in self.datasets.values() if flt.column in d.frame.columns]
                flt.bind(frames)
        self.loaded = True

    # -- viewing ----------------------------------------------------------------------

    def parse_view(self, args) -> View:
        """Validate query arguments into a :class:`View`.

        :raise BadParameter: for an unknown parameter or a bad value.
        """
        known = {p for f in self.filters.values() for p in f.params}
        for param in args.keys():
            if param not in known:
                allowed = ", ".join(sorted(known)) or "none"
                raise BadParameter(param, f"unknown parameter '{param}' (allowed: {allowed})")
        return View(self, {name: f.parse(args) for name, f in self.filters.items()})

    def get_chart(self, chart_id: str) -> Chart:
        """Return the chart *chart_id*, or raise a 404 error."""
        try:
            return self.charts[chart_id]
        except KeyError:
            raise NotFound(f"dashboard {self.slug!r} has no chart {chart_id!r}") from None

    def chart_filters(self, chart: Chart) -> list[str]:
        """Return the names of the filters that *chart* follows."""
        if chart.filters is not None:
            return list(chart.filters)
        columns = self.datasets[chart.dataset].frame.columns
        return [n for n, f in self.filters.items() if f.column in columns]

    def chart_frame(self, chart: Chart, view: View) -> pd.DataFrame:
        """Return the chart's dataset narrowed by the filters it follows."""
        frame = self.datasets[chart.dataset].frame
        for name in self.chart_filters(chart):
            flt = self.filters[name]
            if flt.column is not None and flt.column in frame.columns:
                frame = flt.apply(frame, view[name])
        if chart.query:
            frame = frame.query(chart.query, local_dict=dict(view))
        return frame

    def render(self, chart_id: str, view: View) -> ChartResult:
        """Compute one chart for *view*: its figure JSON and the data behind it."""
        chart = self.get_chart(chart_id)
        frame = self.chart_frame(chart, view)
        if chart.func is not None:
            result = chart.func(frame, view)
            if chart.kind is None:
                return ChartResult(chart, figure_dict(result, chart), frame)
            frame = result
        if chart.kind is None:
            raise DataboardError(f"chart {chart.id!r} has neither a kind nor a function", 500)
        figure = chart.kind.figure(frame, chart, view)
        note = frame.attrs.get("note")
        if note:
            figure["layout"]["title"] = {"text": note, "x": 0, "font": {"size": 12}}
            figure["layout"]["margin"]["t"] = max(figure["layout"]["margin"].get("t", 0), 30)
        return ChartResult(chart, figure, chart.kind.data(frame))


def figure_dict(figure, chart: Chart) -> dict:
    """Return a Plotly figure (or figure dict) as a plain dict."""
    if hasattr(figure, "to_plotly_json"):
        return figure.to_plotly_json()
    if isinstance(figure, dict) and "data" in figure:
        return figure
    raise TypeError(
        f"chart {chart.id!r}: the function returned {type(figure).__name__}, not a Plotly figure"
    )


__all__ = ["BadParameter", "Chart", "ChartResult", "Dashboard", "Dataset", "View"]
