"""The authoring model: a dashboard is datasets, filters and charts.

Datasets are functions returning a pandas DataFrame, loaded once per process. Filters
narrow the datasets by column. A chart takes its filtered dataset and either hands a
DataFrame to a chart kind (line, bar, ...) or returns a Plotly figure itself::

    board = Dashboard("sales", title="Sales")

    board.add_dataset("orders", source="orders.csv")   # relative to this file

    board.add_filter(MultiSelect("region", "region"))
    board.add_chart("revenue", "Revenue", kind=Line(x="month", y="revenue", color="region"))

    @board.chart("top", "Top products")
    def top(frame, view):
        return px.bar(frame.nlargest(10, "revenue"), x="product", y="revenue")
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .charts import downsample
from .charts.kinds import Kind
from .data import sources, wrangle
from .data.digest import dashboard_digest
from .data.query import row_by_row
from .errors import BadParameter, DataboardError, NotFound
from .filters import Filter, MultiSelect

#: Default panel widths (of 12 grid columns) by kind; other kinds take half a row.
WIDTHS = {"kpi": 3, "choropleth": 12, "table": 12}


class ChartError(DataboardError):
    """A chart whose function or kind failed for a view (a 500 for that chart only)."""

    def __init__(self, chart_id: str):
        super().__init__(
            f"chart {chart_id!r} could not be drawn; the server log has the details", 500
        )
        self.chart_id = chart_id


@dataclass
class Dataset:
    """A named table, made by *loader* once per process."""

    name: str
    loader: Callable[[], pd.DataFrame]
    frame: pd.DataFrame | None = None
    #: where it was declared, for error messages: a function name, or a line in a file
    origin: str = ""
    line: int | None = None
    #: the data file it reads, if any (watched by ``serve --debug``)
    source: Path | None = None
    #: the ``attrs`` the loader's frame came with
    attrs: dict = field(default_factory=dict, repr=False)

    def load(self) -> pd.DataFrame:
        """Call the loader and keep its result.

        The frame's ``attrs`` move to :attr:`attrs`: pandas deep-copies them on every
        operation on the frame, which can cost more than the operation itself.
        """
        frame = self.loader()
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"dataset {self.name!r}: the loader returned {type(frame).__name__}, "
                "not a pandas DataFrame"
            )
        self.attrs, frame.attrs = frame.attrs, {}
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
    width: int | None = None
    #: where it was declared, for error messages: a function name, or a line in a file
    origin: str = ""
    line: int | None = None

    @property
    def default_width(self) -> int:
        """Return the grid width (of 12) when neither the chart nor a layout sets one."""
        return self.width or WIDTHS.get(self.kind.name if self.kind else "", 6)

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
            "width": self.default_width,
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
    #: the folder data files are read from; by default the declaring file's folder
    root: Path | None = None
    #: the file that declares the dashboard, for error messages
    file: str = ""
    #: rows of chart ids; by default charts flow in declaration order
    layout: list[list[str]] | None = None
    datasets: dict[str, Dataset] = field(default_factory=dict)
    filters: dict[str, Filter] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    loaded: bool = False
    #: a digest of the loaded data and the definition, in every cache key
    version: str = ""
    #: per chart whose query keeps the same rows in every view: those rows, found at load
    prefiltered: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.root is None:
            caller = inspect.stack(0)[2].filename  # the module that declared the dashboard
            self.file = self.file or caller
            self.root = Path(caller).resolve().parent
        self.root = Path(self.root)

    # -- declaring --------------------------------------------------------------------

    def dataset(self, func: Callable[[], pd.DataFrame] | None = None, *, name: str = ""):
        """Register a dataset loader; usable as ``@board.dataset`` or a plain call."""
        if func is None:
            return functools.partial(self.dataset, name=name)
        self.add_dataset(name or func.__name__, func)
        return func

    def add_dataset(
        self,
        name: str,
        loader: Callable[[], pd.DataFrame] | None = None,
        *,
        source: str | None = None,
        format: str | None = None,
        rename: dict[str, str] | None = None,
        melt: dict | None = None,
        dates: list[str] | None = None,
        query: str | None = None,
        columns: list[str] | None = None,
        origin: str = "",
        line: int | None = None,
        **read_options,
    ) -> Dataset:
        """Register a dataset, made by *loader* or read from the file *source*.

        :param source: a data file (or World Bank folder) relative to :attr:`root`;
            nothing outside that folder is read.
        :param format: the file format when its ending does not say it.
        :param rename: ``{old: new}`` column names; then *melt* (one column per year to
            rows), *dates* (columns to parse as dates), *query* (a pandas query) and
            *columns* (the ones to keep) apply, in that order.
        """
        if name in self.datasets:
            raise ValueError(f"{self.slug}: dataset {name!r} is declared twice")
        if (loader is None) == (source is None):
            raise ValueError(f"{self.slug}: dataset {name!r} needs a loader or a source")
        if source is not None:
            root = self.root

            def loader():
                frame = sources.read(root, source, format, **read_options)
                return wrangle.apply(frame, rename, melt, dates, query, columns)

        origin = origin or ("" if source else f"{loader.__name__}()")
        path = self.root / source if source is not None else None
        self.datasets[name] = Dataset(name, loader, origin=origin, line=line, source=path)
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
            self.add_chart(id, title, func=func, origin=f"{func.__name__}()", **options)
            return func

        return decorator

    # -- loading ----------------------------------------------------------------------

    def load(self) -> None:
        """Load every dataset (once), then derive filter options and bounds from the data."""
        for dataset in self.datasets.values():
            if dataset.frame is None:
                dataset.load()
        for flt in self.filters.values():
            if flt.column is not None:
                frames = [d.frame for d in self.datasets.values() if flt.column in d.frame.columns]
                flt.bind(frames)
        for chart in self.charts.values():
            frame = self.datasets[chart.dataset].frame
            if chart.query and row_by_row(chart.query, frame.columns):
                self.prefiltered[chart.id] = frame.query(chart.query)
        self.version = dashboard_digest(self)
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
        """Return the chart's dataset narrowed by the filters it follows.

        The filters' masks are combined and the rows selected once; a query that keeps
        the same rows in every view ran at load (:attr:`prefiltered`).
        """
        prefiltered = chart.id in self.prefiltered
        frame = self.prefiltered[chart.id] if prefiltered else self.datasets[chart.dataset].frame
        keep = None
        for name in self.chart_filters(chart):
            flt = self.filters[name]
            if flt.column is not None and flt.column in frame.columns:
                mask = flt.mask(frame, view[name])
                if mask is not None:
                    keep = mask if keep is None else keep & mask
        if keep is not None:
            frame = frame[keep]
        if chart.query and not prefiltered:
            frame = frame.query(chart.query, local_dict=dict(view))
        return frame

    def rows(self) -> list[list[tuple[Chart, int]]]:
        """Return the charts in layout rows, each with its grid width (of 12).

        A layout row splits its width between its charts. Without a layout, KPI cards
        share a row and the other charts flow in rows of their own.
        """
        if self.layout is not None:
            return [
                [(self.charts[c], self.charts[c].width or max(12 // len(row), 1)) for c in row]
                for row in self.layout
                if row
            ]
        rows: list[list[tuple[Chart, int]]] = []
        for chart in self.charts.values():
            if not rows or _is_kpi(rows[-1][0][0]) != _is_kpi(chart):
                rows.append([])
            rows[-1].append((chart, chart.default_width))
        return rows

    def render(
        self, chart_id: str, view: View, max_points: int = downsample.MAX_POINTS
    ) -> ChartResult:
        """Compute one chart for *view*: its figure JSON and the data behind it.

        :param max_points: the most points a line or scatter trace carries; the data
            behind the chart keeps every row.
        :raise ChartError: when the chart's function or kind fails; the original
            exception is its ``__cause__``, for the server log.
        """
        chart = self.get_chart(chart_id)
        try:
            return self._render(chart, view, max_points)
        except DataboardError:
            raise
        except Exception as error:
            raise ChartError(chart.id) from error

    def _render(self, chart: Chart, view: View, max_points: int) -> ChartResult:
        frame = self.chart_frame(chart, view)
        if chart.func is not None:
            result = chart.func(frame, view)
            if chart.kind is None:
                return ChartResult(chart, figure_dict(result, chart), frame)
            if not isinstance(result, pd.DataFrame):
                raise TypeError(
                    f"chart {chart.id!r}: with a kind, the function must return a DataFrame, "
                    f"not {type(result).__name__}"
                )
            frame = result
        if chart.kind is None:
            raise TypeError(f"chart {chart.id!r} has neither a kind nor a function")
        rows = chart.kind.data(frame)
        shown, thinned = downsample.reduce(chart.kind, rows, max_points)
        figure = chart.kind.figure(shown, chart, view)
        if thinned:
            downsample.annotate(figure, thinned, len(shown), len(rows), max_points)
        note = frame.attrs.get("note")
        if note:
            figure["layout"]["title"] = {"text": note, "x": 0, "font": {"size": 12}}
            figure["layout"]["margin"]["t"] = max(figure["layout"]["margin"].get("t", 0), 30)
        return ChartResult(chart, figure, rows)


def _is_kpi(chart: Chart) -> bool:
    return chart.kind is not None and chart.kind.name == "kpi"


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
