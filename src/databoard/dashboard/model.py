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

import copy
import dataclasses
import functools
import inspect
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pandas as pd

from .. import access as access_rules
from ..charts import downsample, numbers, theme
from ..charts.kinds import Kind
from ..data import sources, versions, wrangle
from ..data.digest import dashboard_digest
from ..data.engines import FrameRows, Rows
from ..data.engines.datasets import engine_loader
from ..data.query import row_by_row
from ..data.versions import FileProbe, QueryProbe, Version
from ..data.worldbank_source import APIProbe, WorldBankAPI
from ..errors import NotFound
from ..filters import Filter
from ..frozen import Sealable
from ..options import CheckedKeywords, check_keywords, keywords, seconds, whole
from ..security.links import check_link
from ..security.masking import mask_url
from . import colours, layout, render, view
from .render import ROW_LIMIT, ChartResult
from .view import View


@functools.cache
def _reader_options() -> frozenset[str]:
    """Return the options the pandas readers of data files take."""
    readers = (pd.read_csv, pd.read_excel, pd.read_json, pd.read_parquet)
    return frozenset(name for reader in readers for name in keywords(reader))


def _declaring_file() -> str:
    """Return the file of the code that made the dashboard being made.

    The frames of the making itself (this module, the dataclass's ``__init__``, the
    keyword check) are skipped.
    """
    frame: FrameType | None = sys._getframe(1)
    ours = {__file__, inspect.getfile(CheckedKeywords)}
    while frame is not None:
        name = frame.f_code.co_filename
        if name not in ours and not name.startswith("<"):
            return name
        frame = frame.f_back
    return ""


def _line_in(file: str) -> int | None:
    """Return the line of *file* that the current call came from, if it came from there."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == file:
            return frame.f_lineno
        frame = frame.f_back
    return None


@dataclass
class Dataset(Sealable):
    """A named table, made by *loader* once per process (sealed when its dashboard loads).

    The loader returns a pandas DataFrame (held in memory) or the rows of a table in a
    SQL engine (:class:`~databoard.data.engines.sql.TableRows`), queried per chart. New
    data never changes a loaded dataset: a new one is loaded beside it and swapped in
    whole with a new dashboard (:mod:`databoard.refresh`).
    """

    name: str
    loader: Callable[[], pd.DataFrame | Rows]
    frame: pd.DataFrame | None = None
    #: the rows charts ask for what they show: the frame in memory, or an engine's table
    rows: Rows | None = None
    #: where it was declared, for error messages: a function name, or a line in a file
    origin: str = ""
    line: int | None = None
    #: the data file it reads, if any (watched by ``serve --debug``)
    source: Path | None = None
    #: the ``attrs`` the loader's frame came with
    attrs: dict = field(default_factory=dict, repr=False)
    #: how its number columns are shown: ``{column: d3-format specifier}``
    formats: dict[str, str] = field(default_factory=dict)
    #: seconds between checks for new data; ``None``: the site's ``DATA_REFRESH``
    refresh: float | None = None
    #: what tells new data from old (:mod:`databoard.data.versions`); ``None``: nothing,
    #: the loader's data never changes while the process runs
    probe: FileProbe | APIProbe | QueryProbe | None = None
    #: the data's version, in every cache key, and the date it is as of
    version: Version | None = None

    def load(self) -> pd.DataFrame | None:
        """Call the loader and keep its result, with its version.

        The frame's ``attrs`` move to :attr:`attrs`: pandas deep-copies them on every
        operation on the frame, which can cost more than the operation itself.

        :raise versions.Unsettled: if the files changed while they were read.
        """
        files = self.probe if isinstance(self.probe, FileProbe | APIProbe) else None
        stamp = files.stamp() if files is not None and not isinstance(files, APIProbe) else ()
        frame = self.loader()
        if isinstance(files, APIProbe):  # downloaded by the loader: its files now
            stamp = files.files().stamp()
        if not isinstance(frame, pd.DataFrame) and hasattr(frame, "engine"):
            self.rows = frame
            if isinstance(self.probe, QueryProbe):
                self.version = self.probe.version(frame, self.probe.stamp(frame))
            elif files is not None:  # a file queried in place: its sizes and times
                self.version = files.version({}, stamp)
            else:
                self.version = QueryProbe().version(frame, ())
            return None
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"dataset {self.name!r}: the loader returned {type(frame).__name__}, "
                "not a pandas DataFrame"
            )
        self.attrs, frame.attrs = frame.attrs, {}
        self.frame = frame
        self.rows = FrameRows(frame)
        if files is not None:
            self.version = files.version(self.attrs, stamp)
        else:
            self.version = versions.of_frame(frame, self.attrs)
        return frame

    def look(self) -> tuple:
        """Return what the probe sees now, to compare with :attr:`version`'s stamp.

        :raise versions.ProbeError: if the source cannot be checked now.
        """
        if isinstance(self.probe, QueryProbe):
            return self.probe.stamp(self.rows)
        return self.probe.stamp() if self.probe is not None else ()

    def declared(self) -> Dataset:
        """Return a new, unloaded dataset declared as this one."""
        return dataclasses.replace(self, frame=None, rows=None, attrs={}, version=None)


def _order(order: Any) -> dict[str, tuple]:
    """Return a chart's ``order`` as ``{column: (value, ...)}``, refusing any other shape."""
    if not isinstance(order, dict) or not all(
        isinstance(values, list | tuple) and len(set(values)) == len(values)
        for values in order.values()
    ):
        raise ValueError(
            f"order must map columns to lists of their values, each once, "
            f"such as {{day: [Thur, Fri, Sat, Sun]}}, not {order!r}"
        )
    return {str(column): tuple(values) for column, values in order.items()}


@dataclass(frozen=True)
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
    :param title: the card's heading.
    :param unit: the values' unit, shown on the value axis or colour bar.
    :param source: where the data comes from, shown under the chart.
    :param updated: when the data was last updated, shown with the source.
    :param description: a sentence under the title saying what the chart shows.
    :param width: grid columns (of 12) the card takes; by default from its kind.
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
    #: the column a click on the chart filters by; by default the first of its kind's
    #: clickable columns (x, colour, locations...) that a filter uses; ``False``: none
    click: str | bool | None = None
    #: a click opens another dashboard of the site with the clicked value as its filter:
    #: ``{"dashboard": slug, "filter": name}``
    link: dict[str, str] | None = None
    #: how columns are shown, over its dataset's ``formats``: ``{column: d3-format}``
    formats: dict[str, str] | None = None
    #: the order categories are shown in, ``{column: [value, ...]}`` (x, colour, pie
    #: slices); by default a select or multiselect's listed options, else by value
    order: dict[str, tuple] | None = None
    #: where it was declared, for error messages: a function name, or a line in a file
    origin: str = ""
    #: the line of the dashboard file declaring it (a YAML dashboard sets it)
    line: int | None = None

    def __post_init__(self):
        whole("width", self.width, most=12)
        if self.order is not None:
            object.__setattr__(self, "order", _order(self.order))

    @property
    def default_width(self) -> int:
        """Return the grid width (of 12) when neither the chart nor a layout sets one."""
        return layout.default_width(self)

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


@dataclass
class Dashboard(Sealable, metaclass=CheckedKeywords):
    """A page of charts over shared filters; sealed, with its datasets and filters, by
    :meth:`load`, since every request's thread reads them from then on.

    :param slug: the name in URLs (``/d/<slug>``).
    :param title: the page's heading and title.
    :param description: a line under the title.
    :param attribution: the data's source, shown in the page footer.
    :param attribution_url: a link for it (http, https or mailto).
    :param license: the data's licence, shown in the footer.
    :param license_url: a link to the licence's text.
    :param access: who may see it: ``"public"``, ``{"users": [...], "groups": [...],
        "emails": [...]}``, or ``None`` for the site's rule (see :mod:`databoard.access`).
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
    access: access_rules.Rule | dict | None = None
    datasets: dict[str, Dataset] = field(default_factory=dict)
    filters: dict[str, Filter] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    loaded: bool = False
    #: a digest of the loaded data and the definition, in every cache key
    version: str = ""
    #: per chart whose query keeps the same rows in every view: those rows, found at load
    prefiltered: dict[str, FrameRows] = field(default_factory=dict, repr=False)
    #: ``{column: {value: colour}}`` of every colour column, made at load (see
    #: :mod:`.colours`)
    colours: Mapping[str, Mapping[Any, str]] = field(default_factory=dict, init=False, repr=False)
    #: the dashboard as declared, before any data: what :meth:`fresh` copies
    pristine: Dashboard | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.root is None:
            caller = _declaring_file()
            self.file = self.file or caller
            self.root = Path(caller).resolve().parent
        self.root = Path(self.root)
        for name in ("attribution_url", "license_url"):
            check_link(getattr(self, name), name)
        self.access = access_rules.parse(self.access, f"{self.slug}: access")

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
        source: str | dict | None = None,
        format: str | None = None,
        rename: dict[str, str] | None = None,
        melt: dict | None = None,
        dates: list[str] | None = None,
        query: str | None = None,
        columns: list[str] | None = None,
        connection: str | None = None,
        table: str | None = None,
        sql: str | None = None,
        engine: str | None = None,
        timeout: float | None = None,
        formats: dict[str, str] | None = None,
        refresh: float | None = None,
        version_sql: str | None = None,
        ttl: float | None = None,
        rollup: dict | None = None,
        origin: str = "",
        line: int | None = None,
        **read_options,
    ) -> Dataset:
        """Register a dataset, made by *loader* or read from the file *source*.

        :param source: a data file (or World Bank folder) relative to :attr:`root`;
            nothing outside that folder is read. ``{"worldbank_api": [codes],
            "countries": [codes]}`` downloads indicators from the World Bank API instead.
        :param format: the file format when its ending does not say it.
        :param rename: ``{old: new}`` column names; then *melt* (one column per year to
            rows), *dates* (columns to parse as dates), *query* (a pandas query) and
            *columns* (the ones to keep) apply, in that order.
        :param connection: a database to query instead of loading (``duckdb:///file``
            relative to :attr:`root`, ``postgresql://...``; ``${NAME}`` reads the
            environment), with *table* (``schema.table``) or *sql* (a query).
        :param engine: ``duckdb`` (or ``spark``) queries the file *source* in place
            instead of loading it.
        :param timeout: seconds a query of an engine dataset may run (default 30); past
            it the chart answers 504.
        :param formats: ``{column: d3-format specifier}``, how charts, tables and hovers
            show the column's numbers (``",.0f"``, ``"$.3s"``, ``".1%"``).
        :param refresh: seconds between checks for new data (default: the site's
            ``DATA_REFRESH``; a day for the World Bank API).
        :param version_sql: for an engine dataset, a query whose answer changes with the
            data (``SELECT max(updated_at) FROM t``), asked every *refresh* seconds.
        :param ttl: for an engine dataset without *version_sql*, seconds a version of its
            data lasts.
        :param rollup: for a DuckDB dataset, ``{"time": column, "by": [columns]}``: sums
            per series and time cell, built with each version of the data, that views
            over long time ranges read instead of every row; ``"along": [columns]`` adds
            them per bin of each such column too, for scatter charts with it as x
            (authoring guide, "Data in a database").
        """
        allowed = keywords(self.add_dataset)
        if source is None or connection is not None or engine is not None:
            check_keywords("add_dataset()", read_options, allowed)
        else:
            more = ", or an option of the pandas reader: pandas.read_csv, read_excel, ..."
            check_keywords("add_dataset()", read_options, allowed, _reader_options(), more)
        seconds("timeout", timeout)
        seconds("ttl", ttl)
        seconds("refresh", refresh, zero=True)
        if name in self.datasets:
            raise ValueError(f"{self.slug}: dataset {name!r} is declared twice")
        if sum(x is not None for x in (loader, source, connection)) != 1:
            raise ValueError(
                f"{self.slug}: dataset {name!r} needs one of a loader, a source or a connection"
            )
        in_engine = connection is not None or engine is not None
        if (version_sql is not None or ttl is not None or rollup) and not in_engine:
            raise ValueError(
                f"{self.slug}: dataset {name!r}: version_sql, ttl and rollup are for engine "
                "datasets"
            )
        root = Path(self.root or ".")  # always set by __post_init__
        path = None
        probe: FileProbe | APIProbe | QueryProbe | None = None
        if isinstance(source, dict):
            if in_engine:
                raise ValueError(f"{self.slug}: dataset {name!r}: the World Bank API is no engine")
            api = worldbank_api_source(source, refresh)
            probe = APIProbe(api)

            def download() -> pd.DataFrame:
                return wrangle.apply(api.read(), rename, melt, dates, query, columns)

            loader = download
            origin = origin or "World Bank API"
        elif in_engine:
            loader = engine_loader(
                root, connection, table, sql, source, engine, dates, timeout, rollup, read_options
            )
            origin = origin or mask_url(connection or engine or "")
            if version_sql or ttl or source is None:
                probe = QueryProbe(version_sql, table, ttl, time.time())
            else:
                probe = FileProbe(root, source, content=False)
        elif source is not None:
            path = root / source
            probe = FileProbe(root, source)

            def read() -> pd.DataFrame:
                frame = sources.read(root, source, format, **read_options)
                return wrangle.apply(frame, rename, melt, dates, query, columns)

            loader = read
        assert loader is not None
        origin = origin or ("" if source else f"{getattr(loader, '__name__', 'loader')}()")
        shown = numbers.check_specs(formats, f"{self.slug}: dataset {name!r}")
        self.datasets[name] = Dataset(
            name,
            loader,
            origin=origin,
            # a loader's own problems carry their line in it; a file's, this call's
            line=line if line is not None or origin else _line_in(self.file),
            source=path,
            formats=shown,
            refresh=refresh,
            probe=probe,
        )
        return self.datasets[name]

    def add_filter(self, flt: Filter) -> Filter:
        """Register a filter; its parameters must not clash with another's.

        A filter declared without a ``line`` gets the line of this call in the
        dashboard's file, so that a problem with it says where it is.
        """
        taken = {p for f in self.filters.values() for p in f.params}
        clash = taken.intersection(flt.params)
        if flt.name in self.filters or clash:
            raise ValueError(f"{self.slug}: filter {flt.name!r} clashes with {sorted(clash)}")
        if flt.line is None:
            flt.line = _line_in(self.file)
        self.filters[flt.name] = flt
        return flt

    def add_chart(self, id: str, title: str, **options) -> Chart:
        """Register a chart; *options* are the fields of :class:`Chart`.

        A chart drawn by a kind alone gets the line of this call in the dashboard's file
        (a function's problems carry their line in it), so a problem says where it is.
        """
        check_keywords("add_chart()", options, [f.name for f in dataclasses.fields(Chart)])
        if id in self.charts:
            raise ValueError(f"{self.slug}: chart {id!r} is declared twice")
        options.setdefault("dataset", next(iter(self.datasets), ""))
        if options.get("func") is None and options.get("line") is None:
            options["line"] = _line_in(self.file)
        if options.get("formats") is not None:
            options["formats"] = numbers.check_specs(options["formats"], f"chart {id!r}")
        self.charts[id] = Chart(id=id, title=title, **options)
        return self.charts[id]

    def chart(self, id: str, title: str, **options):
        """Register the decorated function ``func(frame, view)`` as a chart.

        *frame* holds the chart's rows, narrowed by the filters it follows, and *view*
        what the viewer chose (see :class:`View`). Without ``kind`` the function returns
        a Plotly figure; with one, the rows the kind draws (a DataFrame, or
        :class:`ChartRows` to add a note). *options* are the fields of :class:`Chart`.
        """

        def decorator(func):
            self.add_chart(id, title, func=func, origin=f"{func.__name__}()", **options)
            return func

        return decorator

    # -- loading ----------------------------------------------------------------------

    def load(self) -> None:
        """Load every dataset (once), then derive filter options and bounds from the data.

        A loaded dashboard is sealed; loading it again (a second app in the same process
        serving the same module) changes nothing.
        """
        if self.loaded:
            return
        if self.pristine is None:
            self.pristine = self._declared()
        for dataset in self.datasets.values():
            if dataset.rows is None:
                dataset.load()
        for flt in self.filters.values():
            if flt.column is not None:
                having = [self.rows_of(n) for n in self.datasets]
                flt.bind([r for r in having if flt.column in r.columns])
        for chart in self.charts.values():
            if self.datasets[chart.dataset].frame is None:  # in an engine
                continue
            frame = self.frame(chart.dataset)
            if chart.query and row_by_row(chart.query, frame.columns):
                self.prefiltered[chart.id] = FrameRows(frame.query(chart.query))
        self.colours = colours.build(self)
        if any(c.func is not None and c.kind is None for c in self.charts.values()):
            if "plotly" in sys.modules:  # the author's figures come from Plotly
                theme.register()
        self.version = dashboard_digest(self)
        self.loaded = True
        for part in [*self.datasets.values(), *self.filters.values(), self]:
            part.seal()

    def _declared(self) -> Dashboard:
        """Return a copy of this dashboard as declared: datasets unloaded, filters unbound."""
        twin = copy.copy(self)
        twin.datasets = {name: d.declared() for name, d in self.datasets.items()}
        twin.filters = copy.deepcopy(self.filters)
        twin.prefiltered = {}
        twin.colours = {}
        twin.loaded = False
        twin.version = ""
        twin.pristine = None
        return twin

    def fresh(self, keep: dict[str, Dataset] | None = None) -> Dashboard:
        """Return a new, unloaded dashboard declared as this one, to load new data into.

        :param keep: loaded datasets to take over as they are (data that did not change);
            they are immutable, so both dashboards can share them.
        """
        if self.pristine is None:
            raise RuntimeError(f"{self.slug}: load the dashboard before making a fresh one")
        twin = self.pristine._declared()
        twin.datasets |= {name: d for name, d in (keep or {}).items() if name in twin.datasets}
        twin.pristine = self.pristine
        return twin

    # -- viewing (the work is done in view.py, render.py and layout.py) -------------------

    def frame(self, dataset: str) -> pd.DataFrame:
        """Return the loaded frame of *dataset*.

        :raise RuntimeError: if the dashboard has not been loaded.
        """
        frame = self.datasets[dataset].frame
        if frame is None:
            raise RuntimeError(f"{self.slug}: dataset {dataset!r} is not loaded yet")
        return frame

    def rows_of(self, dataset: str) -> Rows:
        """Return the rows of *dataset*: its frame in memory, or its table in an engine.

        :raise RuntimeError: if the dashboard has not been loaded.
        """
        rows = self.datasets[dataset].rows
        if rows is None:
            raise RuntimeError(f"{self.slug}: dataset {dataset!r} is not loaded yet")
        return rows

    def get_chart(self, chart_id: str) -> Chart:
        """Return the chart *chart_id*, or raise a 404 error."""
        try:
            return self.charts[chart_id]
        except KeyError:
            raise NotFound(f"dashboard {self.slug!r} has no chart {chart_id!r}") from None

    def data_as_of(self, chart: Chart) -> str:
        """Return the date the chart's data is as of (ISO 8601), ``""`` if unknown.

        A file's modification time, the "Last Updated Date" of World Bank files, or for
        an engine the time its version query answered (or the data was last checked).
        """
        dataset = self.datasets.get(chart.dataset)
        version = dataset.version if dataset is not None else None
        return version.as_of if version is not None else ""

    def chart_filters(self, chart: Chart) -> list[str]:
        """Return the names of the filters that *chart* follows: its own ``filters``
        list, else each filter naming it in its ``charts``, and each filter without
        ``charts`` whose column its dataset has."""
        if chart.filters is not None:
            return list(chart.filters)
        columns = self.rows_of(chart.dataset).columns
        return [
            n
            for n, f in self.filters.items()
            if (chart.id in f.charts if f.charts is not None else f.column in columns)
        ]

    def driven_by(self, name: str) -> list[Chart]:
        """Return the charts the filter *name* drives, in the dashboard's order."""
        return [c for c in self.charts.values() if name in self.chart_filters(c)]

    def formats_of(self, chart: Chart) -> dict[str, str]:
        """Return the d3-format specifier of each column the author formatted for *chart*:
        its dataset's ``formats``, then its own."""
        dataset = self.datasets.get(chart.dataset)
        return {**(dataset.formats if dataset else {}), **(chart.formats or {})}

    def parse_view(self, args) -> View:
        """Validate query arguments into a :class:`View` of every filter's value.

        :param args: a multi-valued mapping, such as Flask's ``request.args`` or a
            ``werkzeug.datastructures.MultiDict``; an empty one gives the defaults.
        :raise BadParameter: for an unknown parameter or a bad value (a 400 naming it).
        """
        return view.parse_view(self, args)

    def chart_frame(self, chart: Chart, selected: View) -> pd.DataFrame:
        """Return the chart's dataset narrowed by the filters it follows."""
        return view.chart_frame(self, chart, selected)

    def chart_rows(self, chart: Chart, selected: View) -> Rows:
        """Return the chart's rows narrowed by its filters, in memory or in an engine."""
        return view.chart_rows(self, chart, selected)

    def rows(self) -> list[list[tuple[Chart, int]]]:
        """Return the charts in layout rows, each with its grid width (of 12)."""
        return layout.rows(self)

    def render(
        self,
        chart_id: str,
        selected: View,
        max_points: int = downsample.MAX_POINTS,
        row_limit: int = ROW_LIMIT,
    ) -> ChartResult:
        """Draw one chart for a view: its Plotly figure dict and the rows behind it.

        :param max_points: the most points a line or scatter trace carries (longer
            series are downsampled); the rows keep every point.
        :param row_limit: the most rows a chart function receives from an engine.
        :return: a ``ChartResult`` with ``figure`` and ``frame``.
        :raise ChartError: when the chart's function or kind fails for this view.
        """
        return render.render(self, chart_id, selected, max_points, row_limit)

    def data(self, chart_id: str, selected: View, row_limit: int = ROW_LIMIT) -> pd.DataFrame:
        """Return the rows behind one chart for a view, without drawing it."""
        return render.data(self, chart_id, selected, row_limit)


def worldbank_api_source(spec: dict, refresh: float | None) -> WorldBankAPI:
    """Return the World Bank API source ``{"worldbank_api": [codes], "countries": [...]}``."""
    unknown = set(spec) - {"worldbank_api", "countries"}
    if unknown:
        raise ValueError(f"source: unknown key {sorted(unknown)[0]!r} (worldbank_api, countries)")
    codes, countries = spec.get("worldbank_api"), spec.get("countries") or ["all"]
    if not codes or isinstance(codes, str) or isinstance(countries, str):
        raise ValueError("source: worldbank_api and countries are lists of codes")
    return WorldBankAPI(
        tuple(map(str, codes)),
        tuple(map(str, countries)),
        **({"refresh": float(refresh)} if refresh is not None else {}),
    )
