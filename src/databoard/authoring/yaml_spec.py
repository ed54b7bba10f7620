"""Dashboards written as YAML, with no code: validated by pydantic, built on the Python API.

A YAML dashboard declares ``datasets`` (files with simple wrangling), ``filters`` and
``charts`` (by kind); it becomes the same :class:`~databoard.dashboard.Dashboard` a
Python module would declare. Every problem is reported with its line in the file.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from .. import access
from ..charts.kinds import Kind, KindError
from ..charts.numbers import check_spec
from ..dashboard import Chart, Dashboard
from ..filters import FILTER_KINDS
from ..security.links import check_link
from .problems import InvalidDashboards, Problem, reported
from .slugs import default_slug

SLUG = r"^[a-z0-9][a-z0-9-]*$"
#: A URL a page links to: http, https or mailto only.
Link = Annotated[str, AfterValidator(check_link)]
#: How a column's numbers are shown: ``{column: d3-format specifier}``.
Formats = dict[str, Annotated[str, AfterValidator(check_spec)]]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeltSpec(Spec):
    """Turn one column per year (or per anything matching ``columns``) into rows."""

    id: list[str]
    columns: str = r"^\d{4}$"
    var: str = "year"
    value: str = "value"


class WorldBankAPISpec(Spec):
    """Indicators downloaded from the World Bank API (``source: {worldbank_api: [...]}``)."""

    worldbank_api: list[str] = Field(min_length=1, description="indicator codes")
    countries: list[str] | None = Field(None, min_length=1, description="ISO codes; all")


class RollupSpec(Spec):
    """A rollup of an engine dataset: sums per ``by`` columns and cell of ``time`` (and
    bin of each ``along`` column)."""

    time: str = Field(description="the time (or other ordered) column views range over")
    by: list[str] = Field(default_factory=list, description="the columns series are split by")
    along: list[str] = Field(
        default_factory=list, description="numeric columns scatter charts use as x"
    )


class DatasetSpec(Spec):
    source: str | WorldBankAPISpec | None = Field(
        None, description="data file or World Bank folder, relative to this file"
    )
    connection: str | None = Field(
        None, description="a database: duckdb:///file (relative), postgresql://..., ${ENV}"
    )
    table: str | None = Field(None, description="the connection's table (schema.table)")
    sql: str | None = Field(None, description="a query on the connection, instead of table")
    engine: Literal["duckdb", "spark"] | None = Field(
        None, description="query the source file in place instead of loading it"
    )
    timeout: float | None = Field(None, description="seconds an engine query may run")
    refresh: float | None = Field(None, description="seconds between checks for new data")
    version_sql: str | None = Field(None, description="a query whose answer changes with the data")
    ttl: float | None = Field(None, description="seconds an engine dataset's version lasts")
    rollup: RollupSpec | None = Field(
        None, description="DuckDB: per-series sums by time cell that whole-range views read"
    )
    format: Literal["csv", "tsv", "parquet", "excel", "json", "worldbank"] | None = None
    options: dict[str, Any] = Field(default_factory=dict, description="pandas reader options")
    rename: dict[str, str] | None = None
    melt: MeltSpec | None = None
    dates: list[str] | None = None
    query: str | None = None
    columns: list[str] | None = None
    formats: Formats | None = Field(None, description="{column: d3-format specifier}")

    @model_validator(mode="after")
    def _one_origin(self):
        if (self.source is None) == (self.connection is None):
            raise ValueError("give one of source (a file) or connection (a database)")
        if self.connection is not None and (self.table is None) == (self.sql is None):
            raise ValueError("a connection needs one of table or sql")
        in_engine = self.connection is not None or self.engine is not None
        if not in_engine and (self.version_sql or self.ttl or self.rollup):
            raise ValueError("version_sql, ttl and rollup are for a connection or an engine")
        if in_engine and isinstance(self.source, WorldBankAPISpec):
            raise ValueError("the World Bank API source is read into memory, not by an engine")
        wrangling = [k for k in ("rename", "melt", "query", "columns") if getattr(self, k)]
        if in_engine and (wrangling or self.options or self.format):
            names = ", ".join(wrangling + ["options"] * bool(self.options))
            raise ValueError(f"{names or 'format'}: only for files loaded into memory; use sql")
        return self


class FilterSpec(Spec):
    name: str
    kind: Literal["multiselect", "range", "select", "slider"]
    column: str | None = None
    label: str | None = None
    default: Any = None
    options: list[Any] | None = None
    labels: str | dict[str, str] | None = None
    params: list[str] | None = Field(None, min_length=2, max_length=2)
    bounds: list[Any] | None = Field(None, min_length=2, max_length=2)
    none_label: str | None = None
    values: list[Any] | None = None
    interval: int | None = None
    charts: list[str] | None = Field(None, description="the ids of the charts it drives")


def _fields(model: type, exclude: set[str], override: dict[str, Any]) -> dict[str, Any]:
    """Return pydantic field definitions for the fields of the dataclass *model*.

    The YAML schema takes each field of the Python model with its type and default, so a
    field added there is accepted here; *exclude* drops the ones authors do not write
    (functions, where something was declared, state made at load), *override* gives
    ``(type, default or Field)`` where YAML differs or adds a constraint.
    """
    hints = typing.get_type_hints(model)
    fields: dict[str, Any] = {}
    for item in dataclasses.fields(model):
        if item.name in exclude:
            continue
        if item.name in override:
            fields[item.name] = override[item.name]
        elif item.default_factory is not dataclasses.MISSING:
            fields[item.name] = (hints[item.name], Field(default_factory=item.default_factory))
        elif item.default is not dataclasses.MISSING:
            fields[item.name] = (hints[item.name], item.default)
        else:
            fields[item.name] = (hints[item.name], ...)
    return fields


#: A chart; any key not among the fields of :class:`~databoard.dashboard.Chart` is an
#: option of its kind (x, y, color, ...).
ChartSpec: Any = create_model(
    "ChartSpec",
    __config__=ConfigDict(extra="allow"),
    **_fields(
        Chart,
        exclude={"func", "origin", "line"},
        override={
            "id": (str, Field(pattern=SLUG)),
            "kind": (str, ...),
            "dataset": (str | None, None),
            "width": (int | None, None),
            "formats": (Formats | None, None),
            "order": (dict[str, list[Any]] | None, None),
        },
    ),
)


def _access_rule(value: Any) -> access.Rule | None:
    return access.parse(value, where="")


#: A dashboard: the fields of :class:`~databoard.dashboard.Dashboard`; each dataset,
#: filter and chart is validated on its own (see :func:`build`), so one mistake in one
#: of them leaves the others to be checked.
DashboardSpec: Any = create_model(
    "DashboardSpec",
    __config__=ConfigDict(extra="forbid"),
    **_fields(
        Dashboard,
        exclude={"root", "file", "loaded", "version", "prefiltered", "colours", "pristine"},
        override={
            "slug": (str | None, Field(None, pattern=SLUG)),
            "attribution_url": (Link, ""),
            "license_url": (Link, ""),
            "datasets": (dict[str, Any], ...),
            "filters": (list[Any], Field(default_factory=list)),
            "charts": (list[Any], ...),
            "access": (Annotated[Any, AfterValidator(_access_rule)], None),
        },
    ),
)

#: What a dashboard field in error is replaced with, so the rest can still be checked.
_STAND_INS: dict[str, Any] = {"title": "", "datasets": {}, "charts": []}


class Lines:
    """Line numbers of every key and item of a YAML document, by path."""

    def __init__(self, node: yaml.Node | None):
        self.lines: dict[tuple, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines[(*path, key.value)] = key.start_mark.line + 1
                self._walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*path, i))

    def of(self, path: tuple) -> int | None:
        """Return the line of *path*, or of its nearest ancestor that has one."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)


#: libyaml's parser when PyYAML has it: ten times faster, which a reload while editing feels
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, loader) -> tuple[Any, Any]:
    """Return the node tree (for the lines) and the data of *text*."""
    return yaml.compose(text, Loader=loader), yaml.load(text, Loader=loader)


def read(path: Path) -> tuple[Any, Lines]:
    """Parse a YAML file, keeping the line of every key.

    :raise InvalidDashboards: for a YAML syntax error, with its line.
    """
    text = path.read_text(encoding="utf-8")
    try:
        try:
            node, data = _parse(text, FAST_LOADER)
        except yaml.YAMLError:
            # The pure-Python parser words mistakes as documented; a mistake is worth it.
            node, data = _parse(text, yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise InvalidDashboards(
            [Problem(str(path), f"not valid YAML: {error.problem}", line)]
        ) from None
    return data, Lines(node)


def _pydantic_message(error: Mapping[str, Any], where: tuple = ()) -> str:
    place = ".".join(str(p) for p in (*where, *error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"unknown key {place!r}"
    if error["type"] == "missing":
        return f"{place}: required"
    return f"{place}: {error['msg']}"


def load(path: Path) -> Dashboard:
    """Build the dashboard a YAML file declares.

    :raise InvalidDashboards: listing every problem in the file, each with its line.
    """
    board, problems = build(path)
    if problems or board is None:
        raise InvalidDashboards(problems)
    return board


def build(path: Path) -> tuple[Dashboard | None, list[Problem]]:
    """Build what a YAML file declares, and say what is wrong with it.

    Every dataset, filter and chart is validated on its own: one in error is reported
    and left out, and the dashboard is built from the others, so ``databoard check``
    goes on to check their data (a chart over a dataset left out is left out too).

    :return: the dashboard (``None`` if the file declares none at all) and the problems,
        each with its line; a dashboard with problems is for checking, not serving.
    :raise InvalidDashboards: for a file that is not YAML.
    """
    data, lines = read(path)
    if not isinstance(data, dict):
        return None, [Problem(str(path), "expected a mapping with title, datasets and charts", 1)]
    problems: list[Problem] = []

    def problem(message: str, *where) -> None:
        problems.append(Problem(str(path), message, lines.of(where)))

    failed: set = set()  # the dashboard's own fields in error

    def valid(model: Any, raw: Any, *where) -> Any:
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for e in error.errors():
                problem(_pydantic_message(e, where), *where, *e["loc"])
                if not where:
                    failed.add(e["loc"][0] if e["loc"] else None)
            return None

    spec = valid(DashboardSpec, data)
    if spec is None:  # the fields in error are left out (or stood in for): check the rest
        kept = {k: v for k, v in data.items() if k not in failed}
        try:
            spec = DashboardSpec.model_validate(_STAND_INS | kept)
        except ValidationError:
            return None, problems
    for name in ("datasets", "charts"):
        if name in data and name not in failed and not getattr(spec, name):
            problem(f"{name}: give at least one", name)
    board = Dashboard(
        spec.slug or default_slug(path),
        root=path.parent,
        file=str(path),
        **spec.model_dump(exclude={"slug", "datasets", "filters", "charts"}),
    )
    for name, raw in spec.datasets.items():
        ds = valid(DatasetSpec, raw, "datasets", name)
        try:
            if ds is not None:
                _add_dataset(board, name, ds, lines.of(("datasets", name)))
                continue
        except (TypeError, ValueError) as error:
            option = getattr(error, "option", None) or "source"
            where = ("options", option) if option in ds.options else (option,)
            problem(f"dataset {name!r}: {error}", "datasets", name, *where)
        board.add_dataset(name, reported)  # what depends on it is not checked
    for i, raw in enumerate(spec.filters):
        fs = valid(FilterSpec, raw, "filters", i)
        if fs is None:
            continue
        options = fs.model_dump(exclude={"name", "kind", "column"}, exclude_none=True)
        try:
            flt = FILTER_KINDS[fs.kind](
                fs.name, fs.column, line=lines.of(("filters", i)), **options
            )
            board.add_filter(flt)
        except (TypeError, ValueError) as error:
            problem(
                f"filter {fs.name!r}: {error}",
                "filters",
                i,
                getattr(error, "option", None) or "name",
            )
    declared = list(spec.datasets)
    ids = [raw.get("id") if isinstance(raw, dict) else None for raw in spec.charts]
    for i, raw in enumerate(spec.charts):
        cs = valid(ChartSpec, raw, "charts", i)
        if cs is None:
            continue
        if cs.id in ids[:i]:
            problem(f"chart {cs.id!r} is declared twice", "charts", i, "id")
            continue
        dataset = cs.dataset or (declared[0] if declared else "")
        if dataset not in declared:
            known = ", ".join(declared)
            problem(
                f"chart {cs.id!r}: unknown dataset {dataset!r} (known: {known})",
                "charts",
                i,
                "dataset",
            )
            continue
        try:
            kind = Kind.from_options(cs.kind, dict(cs.model_extra or {}))
        except (KindError, ValueError) as error:
            problem(
                f"chart {cs.id!r}: {error}", "charts", i, getattr(error, "option", None) or "kind"
            )
            continue
        fields = cs.model_dump(
            exclude={"id", "title", "kind", "dataset", *(cs.model_extra or {})},
            exclude_none=True,
        )
        try:
            board.add_chart(
                cs.id, cs.title, kind=kind, dataset=dataset, line=lines.of(("charts", i)), **fields
            )
        except ValueError as error:
            problem(
                f"chart {cs.id!r}: {error}", "charts", i, getattr(error, "option", None) or "id"
            )
    for i, row in enumerate(spec.layout or []):
        for chart_id in row:
            if chart_id not in ids:
                problem(f"layout: unknown chart {chart_id!r}", "layout", i)
    if board.layout:  # charts left out for their problems leave the layout too
        board.layout = [[c for c in row if c in board.charts] for row in board.layout]
    return board, problems


def _add_dataset(board: Dashboard, name: str, ds: Any, line: int | None) -> None:
    """Declare the dataset *ds* (a :class:`DatasetSpec`) on *board*."""
    source = ds.source
    if isinstance(source, WorldBankAPISpec):
        source = source.model_dump(exclude_none=True)
    board.add_dataset(
        name,
        source=source,
        format=ds.format,
        rename=ds.rename,
        melt=ds.melt.model_dump() if ds.melt else None,
        dates=ds.dates,
        query=ds.query,
        columns=ds.columns,
        connection=ds.connection,
        table=ds.table,
        sql=ds.sql,
        engine=ds.engine,
        timeout=ds.timeout,
        formats=ds.formats,
        refresh=ds.refresh,
        version_sql=ds.version_sql,
        ttl=ds.ttl,
        rollup=ds.rollup.model_dump() if ds.rollup else None,
        line=line,
        **ds.options,
    )
