"""Rollups: a dataset's rows summed per series and time cell, kept in the engine.

A view of 100 million rows over their whole time range cannot read every row within a
chart's time budget on a small machine, however the query is written: DuckDB needs some
2 s of CPU to scan and group them. Like Cube.js's pre-aggregations and Druid's rollups, a
rollup answers such views from a few thousand rows made once from the data, per
combination of the ``by`` columns and per cell of the ``time`` column: each numeric
column's count, sum, smallest and largest value (with the time of each), and its first
and last value (with their times). It is built in the engine when the dataset loads, so
again with every new version of its data, and holds at most about :data:`CELLS` rows.

A view is read from the rollup when its filters and its chart can be said in those
terms: choices of ``by`` values, a range of time, and totals, means, extremes and counts
per ``by`` columns, or M4 over time whose buckets are at least a cell wide (they are then
made of whole cells, on the raw rows as on the rollup, so both give the same points).
The cells wholly inside the view's time range come from the rollup, the rows of the at
most two cells its ends cut from the raw rows (a range filter on a sorted file reads a
few row groups), and the parts are combined in one query. Any other view reads the raw
rows as before. Answers are the raw rows' answers: counts, extremes and M4's points are
the same values; sums and means differ at most in the last bits, summed in another order.
"""

from __future__ import annotations

import math
import uuid
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import numpy as np
import pandas as pd

from .rows import Condition

if TYPE_CHECKING:
    from .connections import Engine

#: Most rows a rollup holds, about: the cell width doubles until they fit.
CELLS = 2**15
#: Fewest whole cells a view's time range must hold to be read from the rollup: a
#: narrower range reads few raw rows (in a file in time order), with a simpler query
#: than the rollup's (whose compiling alone costs some 20 ms).
FEWEST = 32
#: Bins a rollup along a column splits that column's range into, at least (up to twice as
#: many): M4 over at least a quarter of the range (500 buckets) then has whole-bin buckets.
BINS = 2**10
#: How many times :data:`CELLS` a rollup along a column may hold.
ALONG_SHARE = 8
#: Fewest whole cells a view's time range must hold to be read from a rollup along a
#: column, whose cells are few and wide: the raw rows of even a few are many.
ALONG_FEWEST = 4
#: The in-memory database rollups are kept in, beside the dataset's own (which may be a
#: file opened read-only).
DATABASE = "databoard_rollups"


def arg_extreme(which: str, arg, key, where=None):
    """Return *arg* where *key* is smallest (``which="min"``) or largest, in DuckDB.

    Ibis writes ``argmin`` for DuckDB as ``first(arg ORDER BY key)``, which sorts every
    group: DuckDB's own ``arg_min``/``arg_max`` is one pass, many times faster.
    """
    signature = ((arg.type(), key.type()), arg.type())
    found = ibis.udf.agg.builtin(_builtin, name=f"arg_{which}", signature=signature)
    return found(arg, key, where=where)


def _builtin(arg, key):
    """Stand for an engine's own aggregate of two arguments (its body is never run)."""


def passes(column, condition: Condition):
    """Return the Ibis test of the values of *column* that meet *condition*."""
    if condition.op == "in":
        return column.isin(list(condition.values))
    if condition.op == "between":
        return column.between(*condition.values)
    if condition.op == "eq":
        return column == condition.values[0]
    if condition.op == "notnull":
        return column.notnull()
    raise ValueError(f"unknown condition {condition.op!r}")


def position(column):
    """Return where each value of an x column lies, as a number: seconds for timestamps."""
    return column.epoch_seconds() if column.type().is_timestamp() else column.cast("float64")


def seconds(value) -> float:
    """Return an end of a range on x as :func:`position` counts it in the engine."""
    if isinstance(value, int | float | np.number):
        return float(value)
    return pd.Timestamp(value).timestamp()


@dataclass(frozen=True)
class Cut:
    """How a view's conditions split between a rollup's cells and the raw rows."""

    #: the conditions the cells are narrowed by (``by`` columns, the cell itself)
    cells: tuple
    #: the first and last cell wholly inside the view's time range (``None``: all are)
    inside: tuple[int, int] | None
    #: the numeric columns the rows must have a value in
    present: frozenset


@dataclass(frozen=True, eq=False)
class Rollup:
    """A dataset's rollup: its cells in the engine, and what they are made of."""

    cells: ibis.Table
    time: str
    by: tuple[str, ...]
    measures: tuple[str, ...]
    #: cell width, in the time column's units (seconds for timestamps): a power of two
    grain: float
    #: fewest whole cells a time range must hold to be read from the rollup
    fewest: int = FEWEST
    #: the column M4's buckets run along, and its bins' width (``along`` is the time
    #: column, whose bins are the cells, unless the rollup splits them by another)
    along: str = ""
    step: float = 0.0

    @property
    def bins(self) -> str:
        """The name of the cells' bin numbers along :attr:`along`."""
        return "_cell" if self.along == self.time else "_bin"

    def bin(self, column):
        """Return the bin number of each value of the :attr:`along` *column*."""
        return (position(column) / self.step).floor().cast("int64")

    def start(self, cell: int, kind):
        """Return the first value of *cell* as a literal of the time column's type."""
        if kind.is_timestamp():
            value = pd.Timestamp(int(cell * self.grain), unit="s")
            value = value.tz_localize("UTC") if kind.timezone else value
            return ibis.literal(value, type=kind)
        if kind.is_integer():  # of the column's own type, so row groups are skipped
            return ibis.literal(int(cell * self.grain), type=kind)
        return ibis.literal(cell * self.grain, type=kind)

    def cut(self, conditions: tuple) -> Cut | None:
        """Return how *conditions* apply to the cells, or ``None`` if they cannot."""
        cells: list[Condition] = []
        present: set[str] = set()
        inside = None
        for condition in conditions:
            column, op = condition.column, condition.op
            if column in self.by and op in ("in", "eq", "notnull"):
                cells.append(condition)
            elif column == self.time and op == "notnull":
                cells.append(Condition("_cell", "notnull", ()))
            elif column == self.along and op == "notnull":
                cells.append(Condition(self.bins, "notnull", ()))
            elif column == self.time and op == "between" and inside is None:
                low, high = (seconds(end) / self.grain for end in condition.values)
                inside = (math.ceil(low), math.floor(high) - 1)
                if inside[1] - inside[0] + 1 < max(self.fewest, 1):
                    return None
            elif column in self.measures and op == "notnull":
                present.add(column)
            else:
                return None
        return Cut(tuple(cells), inside, frozenset(present))

    def aligns(self, low: float, high: float, buckets: int) -> tuple[int, int] | None:
        """Return M4's whole-bin buckets over *low* to *high*: the first bin and the
        bins per bucket, or ``None`` when a bucket would be narrower than a bin."""
        if (high - low) / buckets < self.step:
            return None
        first = math.floor(low / self.step)
        count = math.floor(high / self.step) - first + 1
        return first, math.ceil(count / buckets)

    def extent(self, raw: ibis.Table, conditions: tuple) -> ibis.Table | None:
        """Return the smallest and largest value of :attr:`along` (``low``, ``high``) in
        the rows narrowed by *conditions* (*raw*), read from the rollup, or ``None``."""
        cut = self.cut(conditions)
        if cut is None or cut.present:
            return None
        cells = self._narrowed(cut)
        parts = [cells.select(low=cells._low, high=cells._high)]
        for edge in self._edges(raw, cut):
            at = position(edge[self.along])
            parts.append(edge.aggregate(low=at.min(), high=at.max()))
        union = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
        return union.aggregate(low=union.low.min(), high=union.high.max())

    def aggregate(self, raw: ibis.Table, conditions: tuple, keys, value, how, kind):
        """Return :meth:`TableRows.aggregate`'s table read from the rollup, or ``None``.

        :param raw: the rows narrowed by *conditions*, for the cells the range cuts.
        :param kind: the type of the raw rows' answer, which this one is cast to.
        """
        cut = self.cut(conditions)
        if cut is None or not set(keys) <= set(self.by) or how not in _COMBINE:
            return None
        counted = value if value is not None and how != "count" else None
        if counted is not None and (counted not in self.measures or cut.present - {counted}):
            return None
        if len(cut.present) > 1:
            return None
        rows = f"{next(iter(cut.present))}__n" if cut.present else "_rows"
        cells = self._narrowed(cut)
        names = {"_n": cells[rows]}
        if counted is not None:
            names |= {f"_{p}": cells[f"{counted}__{p}"] for p in ("sum", "min", "max")}
            names["_values"] = cells[f"{counted}__n"]
        parts = [cells.select(*keys, **names)]
        for edge in self._edges(raw, cut):
            sums = {"_n": edge.count()}
            if counted is not None:
                v = edge[counted]
                sums |= {"_sum": v.sum(), "_min": v.min(), "_max": v.max(), "_values": v.count()}
            found = edge.group_by(keys).aggregate(**sums) if keys else edge.aggregate(**sums)
            parts.append(found.select(*keys, *names))
        union = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
        metric = _COMBINE[how](union).cast(kind).name(value or "count")
        if not keys:
            return union.aggregate(metric)
        return union.group_by(keys).having(union._n.sum() > 0).aggregate(metric).order_by(keys)

    def m4(self, raw: ibis.Table, conditions: tuple, x: str, y: str, keys, first: int, per: int):
        """Return the M4 corners of :meth:`TableRows.m4` read from the rollup, or ``None``.

        :param raw: the rows narrowed by *conditions*, each with its ``_bucket``.
        :param first: the first bin of the first bucket; *per*: bins per bucket.
        """
        cut = self.cut(conditions)
        if cut is None or x != self.along or y not in self.measures or cut.present - {y}:
            return None
        if not set(keys) <= set(self.by):
            return None
        cells = self._narrowed(cut)
        cells = cells.filter(cells[f"{y}__n"] > 0, cells[self.bins].notnull())
        value = {p: cells[f"{y}__{p}"].cast("float64") for p in ("first", "last", "min", "max")}
        parts = [
            cells.select(
                *keys,
                _bucket=(cells[self.bins] - first) // per,
                _n=cells[f"{y}__n"],
                first_x=cells[f"{y}__first_x"],
                first_y=value["first"],
                last_x=cells[f"{y}__last_x"],
                last_y=value["last"],
                low_x=cells[f"{y}__min_x"],
                low_y=value["min"],
                high_x=cells[f"{y}__max_x"],
                high_y=value["max"],
            )
        ]
        for edge in self._edges(raw, cut):
            parts.append(corners(edge, x, y, keys))
        union = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
        return union.group_by([*keys, "_bucket"]).aggregate(
            _n=union._n.sum(),
            first_x=union.first_x.min(),
            first_y=arg_extreme("min", union.first_y, union.first_x),
            last_x=union.last_x.max(),
            last_y=arg_extreme("max", union.last_y, union.last_x),
            low_x=arg_extreme("min", union.low_x, union.low_y),
            low_y=union.low_y.min(),
            high_x=arg_extreme("max", union.high_x, union.high_y),
            high_y=union.high_y.max(),
        )

    def _narrowed(self, cut: Cut) -> ibis.Table:
        cells = self.cells
        tests = [passes(cells[c.column], c) for c in cut.cells]
        if cut.inside is not None:
            tests.append(cells._cell.between(*cut.inside))
        return cells.filter(*tests) if tests else cells

    def _edges(self, raw: ibis.Table, cut: Cut) -> list[ibis.Table]:
        """Return the raw rows of the cells the view's time range cuts: before the first
        whole cell and after the last (DuckDB skips the row groups outside both)."""
        if cut.inside is None:
            return []
        column = raw[self.time]
        kind = column.type()
        before, after = self.start(cut.inside[0], kind), self.start(cut.inside[1] + 1, kind)
        return [raw.filter((column < before) | (column >= after))]


_COMBINE = {
    "sum": lambda u: u._sum.sum(),
    "mean": lambda u: u._sum.sum().cast("float64") / u._values.sum(),
    "min": lambda u: u._min.min(),
    "max": lambda u: u._max.max(),
    "count": lambda u: u._n.sum(),
}


def corners(t: ibis.Table, x: str, y: str, keys, duckdb: bool = True) -> ibis.Table:
    """Return M4's corners of each series' bucket (``_bucket``) of the rows *t*.

    :param duckdb: the rows are in DuckDB, whose own ``arg_min``/``arg_max`` is one pass
        (:func:`arg_extreme`); other engines take Ibis' ``argmin``/``argmax``.
    """
    by = arg_extreme if duckdb else _ibis_extreme
    value = t[y].cast("float64")
    return t.group_by([*keys, "_bucket"]).aggregate(
        _n=t.count(),
        first_x=t[x].min(),
        first_y=by("min", value, t[x]),
        last_x=t[x].max(),
        last_y=by("max", value, t[x]),
        low_x=by("min", t[x], value),
        low_y=value.min(),
        high_x=by("max", t[x], value),
        high_y=value.max(),
    )


def _ibis_extreme(which: str, arg, key):
    """Return *arg* where *key* is smallest (``which="min"``) or largest, as Ibis writes it."""
    return arg.argmin(key) if which == "min" else arg.argmax(key)


def build(
    engine: Engine,
    table: ibis.Table,
    time: str,
    by: list[str],
    along: str | None = None,
    cells: int = CELLS,
    fewest: int = FEWEST,
) -> Rollup:
    """Make the rollup of *table* per *by* columns and cell of *time*, in the engine.

    The cell width is the smallest power of two (at least 1 for whole numbers and
    dates) that keeps the rollup within *cells* rows, from the number of *by*
    combinations and the time column's range. The cells are dropped with the rollup.
    A time range of fewer than *fewest* whole cells reads the raw rows.

    :param along: a column the cells are split by too, in bins (:data:`BINS` over its
        range, a power of two wide): for M4 along it. Such a rollup may hold
        :data:`ALONG_SHARE` times *cells* rows and needs at most :data:`ALONG_FEWEST`
        whole cells.
    :raise ValueError: if a column is missing or of the wrong type, or the engine is
        not DuckDB.
    """
    if engine.name != "duckdb":
        raise ValueError(f"rollup needs a DuckDB engine, not {engine.name}")
    schema = table.schema()
    ordered = {"time": time, "along": along or time}
    for column in [*ordered.values(), *by]:
        if column not in schema:
            raise ValueError(f"rollup: no column {column!r} (columns: {', '.join(schema)})")
    for role, column in ordered.items():
        kind = schema[column]
        if not (kind.is_numeric() or kind.is_timestamp()):
            raise ValueError(f"rollup: {role} column {column!r} holds {kind}, not numbers or dates")
    along = ordered["along"]
    skip = {time, along, *by}
    measures = tuple(c for c, k in schema.items() if k.is_numeric() and c not in skip)
    span = _span(engine, table, time)
    series = int(engine.execute(table.select(*by).distinct().count())) if by else 1
    step = 0.0
    if along != time:
        span_along = _span(engine, table, along)
        step = _power(span_along / BINS, schema[along], up=False)
        series *= max(math.ceil(span_along / step), 1)
        cells, fewest = cells * ALONG_SHARE, min(fewest, ALONG_FEWEST)
    grain = _power(series * span / cells, schema[time])
    step = step or grain
    t = table.mutate(_cell=(position(table[time]) / grain).floor().cast("int64"))
    keys = [*by, "_cell"]
    if along != time:
        t = t.mutate(_bin=(position(t[along]) / step).floor().cast("int64"))
        keys.append("_bin")
    x = t[along]
    sums: dict = {"_rows": t.count(), "_low": position(x).min(), "_high": position(x).max()}
    for m in measures:
        v = t[m]
        both = v.notnull() & x.notnull()
        sums |= {
            f"{m}__n": v.count(),
            f"{m}__sum": v.sum().cast("float64" if v.type().is_floating() else "int64"),
            f"{m}__min": v.min(),
            f"{m}__min_x": arg_extreme("min", x, v, where=both),
            f"{m}__max": v.max(),
            f"{m}__max_x": arg_extreme("max", x, v, where=both),
            f"{m}__first_x": x.min(where=both),
            f"{m}__first": arg_extreme("min", v, x, where=both),
            f"{m}__last_x": x.max(where=both),
            f"{m}__last": arg_extreme("max", v, x, where=both),
        }
    con = engine.connection()
    con.raw_sql(f"ATTACH IF NOT EXISTS ':memory:' AS {DATABASE} (READ_WRITE)")
    name = f"rollup_{uuid.uuid4().hex}"
    made = con.create_table(name, t.group_by(keys).aggregate(**sums), database=(DATABASE, "main"))
    rollup = Rollup(made, time, tuple(by), measures, grain, fewest, along, step)
    weakref.finalize(rollup, _drop, engine, name)
    return rollup


def _span(engine: Engine, table: ibis.Table, column: str) -> float:
    """Return how far the values of *column* spread, as :func:`position` counts them."""
    at = position(table[column])
    found = engine.execute(table.aggregate(low=at.min(), high=at.max()))
    low, high = found["low"].iloc[0], found["high"].iloc[0]
    return 0.0 if pd.isna(low) else float(high) - float(low)


def _power(wanted: float, kind, up: bool = True) -> float:
    """Return the power of two nearest *wanted* (above, or below unless *up*): a width
    of cells or bins, at least 1 for whole numbers and dates."""
    exponent = math.log2(max(wanted, 2.0**-30))
    power = 2.0 ** (math.ceil(exponent) if up else math.floor(exponent))
    return max(power, 1.0) if kind.is_timestamp() or kind.is_integer() else power


def _drop(engine: Engine, name: str) -> None:
    """Drop a rollup's cells once nothing reads them (a new version replaced them)."""
    if not engine.opened:  # closed (before a fork, at exit): the cells went with it
        return
    try:
        con = ibis.duckdb.from_connection(engine.base().con.cursor())
        con.drop_table(name, database=(DATABASE, "main"), force=True)
        con.disconnect()
    except Exception:  # noqa: S110  the engine was closed: the cells went with it
        pass
