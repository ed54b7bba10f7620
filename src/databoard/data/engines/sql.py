"""The SQL backend: an Ibis table expression, run by the engine as one query per answer.

Filter values reach the engine as literals that Ibis binds into its own compiled query,
never as text of ours. Each answer (a chart's rows, filter options, bounds) is one query
whose result is small: aggregates, bins, quantiles, or a limited or M4-reduced set of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import numpy as np
import pandas as pd

from .memory import FrameRows, too_many
from .rollup import Rollup, corners, passes, position, seconds
from .rows import (
    BOX_STATS,
    OTHER,
    Condition,
    RowLimitError,
    Rows,
    auto_bin_edges,
    empty_histogram,
    other_keys,
)

if TYPE_CHECKING:
    from .connections import Engine

_AGGREGATE = {
    "sum": lambda c: c.sum(),
    "mean": lambda c: c.mean(),
    "median": lambda c: c.median(),
    "min": lambda c: c.min(),
    "max": lambda c: c.max(),
}


@dataclass(frozen=True)
class TableRows:
    """Rows of an engine table, narrowed and shaped as an Ibis expression."""

    table: ibis.Table
    engine: Engine
    #: ``(column, low, high)`` of each range the rows are narrowed to: the extent of an
    #: axis known without asking the engine (:meth:`m4` buckets it)
    ranges: tuple = ()
    #: the dataset's rollups, which answer some views from far fewer rows: the first
    #: along its time column, then any along other columns (for M4 along them)
    rollups: tuple[Rollup, ...] = ()
    #: the conditions these rows are the dataset's rows narrowed by, as long as nothing
    #: else shaped them (then ``None``): what the rollup is asked with
    rolled: tuple | None = ()

    def _with(
        self, table: ibis.Table, ranges: tuple | None = None, rolled: tuple | None = None
    ) -> TableRows:
        ranges = self.ranges if ranges is None else ranges
        return TableRows(table, self.engine, ranges, self.rollups, rolled)

    def rolled_up(
        self, time: str, by: list[str], along: list[str] | None = None, **sizes: int
    ) -> TableRows:
        """Return these rows with a rollup per *by* columns and cell of *time* (built now),
        and one split by bins of each *along* column too.

        :param sizes: ``cells`` (about the most rows of the rollup) and ``fewest`` (whole
            cells a time range needs to be read from it), as :func:`.rollup.build` takes.
        """
        from .rollup import build

        made = [build(self.engine, self.table, time, by, None, **sizes)]
        for column in along or []:
            made.append(build(self.engine, self.table, time, by, column, **sizes))
        return TableRows(self.table, self.engine, self.ranges, tuple(made), ())

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.table.columns)

    def describe(self) -> str:
        """Return the (masked) database and the query these rows come from."""
        return f"{self.engine.shown}: {ibis.to_sql(self.table)}"

    def as_dates(self, columns: list[str]) -> TableRows:
        """Return these rows with *columns* read as timestamps (text, dates or numbers)."""
        if not columns:
            return self
        t = self.table
        return self._with(t.mutate(**{c: t[c].cast("timestamp") for c in columns}))

    def where(self, conditions: list[Condition]) -> TableRows:
        tests = [passes(self.table[c.column], c) for c in conditions]
        if not tests:
            return self
        narrowed = tuple((c.column, *c.values) for c in conditions if c.op == "between")
        rolled = None if self.rolled is None else (*self.rolled, *conditions)
        return self._with(self.table.filter(*tests), self.ranges + narrowed, rolled)

    def notna(self, *columns: str) -> TableRows:
        present = tuple(Condition(c, "notnull", ()) for c in columns)
        rolled = None if self.rolled is None else (*self.rolled, *present)
        tests = [self.table[c].notnull() for c in columns]
        return self._with(self.table.filter(*tests), None, rolled)

    def isin(self, column: str, values: list) -> TableRows:
        return self._with(self.table.filter(self.table[column].isin(values)))

    def aggregate(self, keys, value, how) -> TableRows:
        if not how:
            return self
        keys = list(dict.fromkeys(k for k in keys if k))
        t = self.table
        if how == "count" or value is None:
            metric = t.count().name(value or "count")
        else:
            metric = _AGGREGATE[how](t[value]).name(value)
        if self.rollups and self.rolled is not None:
            found = self.rollups[0].aggregate(t, self.rolled, keys, value, how, metric.type())
            if found is not None:
                return self._with(found)
        if not keys:
            return self._with(t.aggregate(metric))
        return self._with(t.group_by(keys).aggregate(metric).order_by(keys))

    def latest(self, keys: list[str], by: str) -> TableRows:
        """Keep, per combination of *keys*, the row with the largest *by* (any one of ties)."""
        t = self.table.filter(self.table[by].notnull())
        ranked = t.mutate(_n=ibis.row_number().over(group_by=keys, order_by=t[by].desc()))
        return self._with(ranked.filter(ranked._n == 0).drop("_n").order_by(keys))

    def nunique_by(self, key: str, column: str) -> pd.Series:
        t = self.table
        counts = self.engine.execute(t.group_by(key).aggregate(n=t[column].nunique()))
        return counts.set_index(key)["n"]

    def sort(self, column: str, ascending: bool = True) -> TableRows:
        order = self.table[column].asc() if ascending else self.table[column].desc()
        return self._with(self.table.order_by(order))

    def select(self, columns: list[str]) -> TableRows:
        return self._with(self.table.select(columns))

    def head(self, count: int) -> TableRows:
        return self._with(self.table.limit(count))

    def skip(self, count: int) -> TableRows:
        return self._with(self.table.limit(None, offset=count))

    def truncate(self, column: str, period: str) -> TableRows:
        """Move each date of *column* to the start of its period, as ``date_trunc`` does.

        Weeks start on Monday in every engine, as in pandas; a time zone is dropped
        first (the session's, UTC), as a period has none.

        :raise ValueError: if *column* does not hold dates.
        """
        c = self.table[column]
        kind = c.type()
        if not (kind.is_timestamp() or kind.is_date()):
            raise ValueError(f"resample needs dates in {column!r}, not {kind} values")
        if kind.is_timestamp() and kind.timezone is not None:
            c = c.cast("timestamp")
        start = c.truncate(period)
        if kind.is_date():
            start = start.cast("timestamp")
        moved = tuple(r for r in self.ranges if r[0] != column)
        return self._with(self.table.mutate(**{column: start}), moved)

    def top(self, category: str, value: str, n: int, other: bool, keys: list[str]):
        """Run :meth:`Rows.top` as one query: rank the totals, join, and union "Other".

        The other categories' rows are summed with a missing category and a rank after
        the last, so every column keeps its type in the engine; "Other" is named here.
        """
        t = self.table
        named = t.filter(t[category].notnull(), t[value].notnull())
        totals = named.group_by(category).aggregate(_total=named[value].sum())
        ranked = totals.mutate(
            _rank=ibis.row_number().over(order_by=[totals._total.desc(), totals[category]])
        )
        kept = ranked.filter(ranked._rank < n).select(category, "_rank")
        columns = [*t.columns, "_rank"]
        rows = t.inner_join(kept, category).select(*columns)
        if other:
            rest = t.anti_join(kept, category)
            rest = rest.filter(rest[value].notnull())
            apart = other_keys(category, keys)
            sums = {value: rest[value].sum().cast(t[value].type()), "_n": rest.count()}
            summed = rest.group_by(apart).aggregate(**sums) if apart else rest.aggregate(**sums)
            summed = summed.filter(summed._n > 0)
            fill = {c: ibis.null(t[c].type()) for c in t.columns if c not in (*apart, value)}
            summed = summed.mutate(**fill, _rank=ibis.literal(n, "int64")).select(*columns)
            rows = rows.union(summed, distinct=False)
        order = [k for k in dict.fromkeys([category, *keys]) if k]
        found = self.engine.execute(rows.order_by(["_rank", *order]))
        beyond = found.pop("_rank").to_numpy() >= n
        if beyond.any():
            shown = found[category].astype(object).to_numpy()
            found[category] = np.where(beyond, OTHER, shown)
        return found

    def count(self) -> int:
        return int(self.engine.execute(self.table.count()))

    def nunique(self, column: str) -> int:
        return int(self.engine.execute(self.table[column].nunique()))

    def distinct(self, column: str) -> list:
        t = self.table
        values = self.engine.execute(t.select(column).filter(t[column].notnull()).distinct())
        return sorted(_plain(v) for v in values[column].tolist())

    def pairs(self, column: str, labels: str) -> dict:
        t = self.table
        both = t.filter(t[column].notnull(), t[labels].notnull())
        found = self.engine.execute(both.group_by(column).aggregate(label=both[labels].min()))
        return {_plain(k): v for k, v in zip(found[column], found["label"], strict=True)}

    def bounds(self, column: str):
        c = self.table[column]
        found = self.engine.execute(self.table.aggregate(low=c.min(), high=c.max()))
        low, high = found["low"].iloc[0], found["high"].iloc[0]
        if pd.isna(low):
            return None
        return _plain(low), _plain(high)

    def histogram(self, x: str, color: str | None, bins: int | None) -> pd.DataFrame:
        t = self.table.filter(self.table[x].notnull())
        c = t[x].cast("float64")
        stats = self.engine.execute(
            t.aggregate(
                n=t.count(), low=c.min(), high=c.max(), q1=c.quantile(0.25), q3=c.quantile(0.75)
            )
        ).iloc[0]
        if not stats["n"]:
            return empty_histogram(color)
        edges = auto_bin_edges(
            int(stats["n"]), stats["low"], stats["high"], stats["q3"] - stats["q1"], bins
        )
        last = len(edges) - 2
        # The bin each value falls in, as numpy.histogram counts: [start, end), last closed.
        cases = [(c < float(edge), i) for i, edge in enumerate(edges[1:-1])]
        bucket = ibis.cases(*cases, else_=last) if cases else ibis.literal(last)
        keys = [color] if color else []
        binned = t.mutate(_bin=bucket)
        counted = self.engine.execute(
            binned.group_by([*keys, "_bin"]).aggregate(count=binned.count())
        )
        series = sorted(counted[color].unique().tolist(), key=str) if color else [x]
        grid = pd.MultiIndex.from_product([series, range(last + 1)], names=["_s", "_bin"])
        key = counted[color] if color else x
        counts = counted.assign(_s=key).set_index(["_s", "_bin"])["count"]
        counts = counts.reindex(grid, fill_value=0).reset_index()
        from ...charts.base import groups  # order series as the in-memory backend does

        order = [name for name, _, _ in groups(counts.rename(columns={"_s": "s"}), "s", None)]
        parts = [
            pd.DataFrame(
                {
                    "bin_start": edges[:-1],
                    "bin_end": edges[1:],
                    color or "series": name,
                    "count": counts.loc[counts["_s"] == name, "count"].to_numpy(dtype="int64"),
                }
            )
            for name in order
        ]
        return pd.concat(parts, ignore_index=True)

    def box(self, y: str, keys: list[str]) -> pd.DataFrame:
        t = self.table.filter(self.table[y].notnull())
        c = t[y].cast("float64")
        metrics = {
            "count": t.count(),
            "q1": c.quantile(0.25),
            "median": c.quantile(0.5),
            "q3": c.quantile(0.75),
            "mean": c.mean(),
        }
        stats = t.group_by(keys).aggregate(**metrics) if keys else t.aggregate(**metrics)
        joined = t.inner_join(stats, keys) if keys else t.cross_join(stats)
        v = joined[y].cast("float64")
        reach = (joined.q3 - joined.q1) * 1.5
        inside = joined.filter(v >= joined.q1 - reach, v <= joined.q3 + reach)
        fences = inside.group_by([*keys, *metrics]).aggregate(
            lowerfence=inside[y].cast("float64").min(),
            upperfence=inside[y].cast("float64").max(),
        )
        found = self.engine.execute(fences.order_by(keys) if keys else fences)
        found["count"] = found["count"].astype(float)
        return found[[*keys, *BOX_STATS]].reset_index(drop=True)

    def m4(self, x: str, y: str, keys: list[str], width: int) -> Rows:
        """Reduce each series longer than *width* points to about *width* rows with M4.

        The series share one x axis, so ``width / 4`` equal buckets span the x range of
        them all, as the chart's pixel columns do. Per series and bucket, the points with
        the first and last ``x`` and the smallest and largest ``y`` stay (Jugel et al.,
        VLDB 2014), so the line drawn at that width looks the same. It is one
        aggregation per bucket (``arg_min`` and ``arg_max``, no join), whose four corners
        become rows here; when no range filter on x gives the axis' ends, one quick scan
        (no grouping) finds them first. The same aggregation counts each series' rows
        with both values: a series no longer than *width* stays whole (read as it is),
        a reduced one loses its missing values (and gaps). When the dataset has a
        rollup along x and a bucket is at least one of its bins wide, each bucket is
        made of whole bins (so at most ``width / 4`` of them), and the rollup answers
        when it can (:mod:`.rollup`), the axis' ends too: the same points either way.
        """
        t = self.table
        rollup = next((r for r in self.rollups if r.along == x), None)
        extent = next(((low, high) for c, low, high in self.ranges if c == x), None)
        if extent is None:  # one quick query first: where x lies
            ends = None
            if rollup is not None and self.rolled is not None:
                ends = rollup.extent(t, self.rolled)
            if ends is None:
                at = position(t[x])
                ends = t.aggregate(low=at.min(), high=at.max())
            found = self.engine.execute(ends)
            if found.empty or pd.isna(found["low"].iloc[0]):
                return self
            low, high = float(found["low"].iloc[0]), float(found["high"].iloc[0])
        else:  # a range filter on x: its ends are the axis' (as the engine counts them)
            low, high = (seconds(end) for end in extent)
        buckets = max(width // 4, 1)
        t = t.filter(t[y].notnull(), t[x].notnull())
        aligned = rollup.aligns(low, high, buckets) if rollup is not None else None
        query = None
        if rollup is not None and aligned is not None:  # buckets of whole bins
            first, per = aligned
            t = t.mutate(_bucket=(rollup.bin(t[x]) - first) // per)
            if self.rolled is not None:
                query = rollup.m4(t, self.rolled, x, y, keys, first, per)
        else:
            scale = buckets / max(high - low, 1e-300)
            bucket = ((position(t[x]) - low) * scale).floor().cast("int64")
            t = t.mutate(_bucket=ibis.least(ibis.greatest(bucket, 0), buckets - 1))
        if query is None:
            query = corners(t, x, y, keys, duckdb=self.engine.name == "duckdb")
        found = self.engine.execute(query)
        lengths = found.groupby(keys)["_n"].sum() if keys else found["_n"]
        if found.empty or int(lengths.max()) <= width:
            return self  # short after all: every row, in one more (small) query
        parts = [
            found[[*keys, f"{corner}_x", f"{corner}_y"]].set_axis([*keys, x, y], axis=1)
            for corner in ("first", "last", "low", "high")
        ]
        points = pd.concat(parts, ignore_index=True).drop_duplicates()
        points = points.sort_values([*keys, x], kind="stable", ignore_index=True)
        return FrameRows(points)

    def to_pandas(self, limit: int | None = None) -> pd.DataFrame:
        if limit is None:
            return self.engine.execute(self.table)
        found = self.engine.execute(self.table.limit(limit + 1))
        if len(found) > limit:
            raise RowLimitError(too_many(None, limit))
        return found


def _plain(value):
    """Return a numpy scalar as the Python value filters compare query parameters with."""
    if isinstance(value, np.generic):
        return value.item()
    return value
