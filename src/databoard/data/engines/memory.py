"""The in-memory backend: a loaded pandas frame, computed with pandas and numpy."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.arrays import NumpyExtensionArray

from .rows import BOX_STATS, OTHER, Condition, RowLimitError, empty_histogram, other_keys


@dataclass(frozen=True)
class FrameRows:
    """Rows held in memory; every step is a pandas operation on the frame."""

    frame: pd.DataFrame

    @functools.cached_property
    def columns(self) -> tuple[str, ...]:
        # Asked on every request (which filters a chart follows); listing a frame's
        # columns costs some 60 us when their names are pyarrow strings.
        return tuple(self.frame.columns)

    @functools.cached_property
    def _arrays(self) -> tuple | None:
        """Each column's values, or ``None`` when column names repeat and a name does
        not say which column."""
        arrays = arrays_of(self.frame)
        return None if arrays is None else tuple(arrays.values())

    @functools.cached_property
    def _series(self) -> dict:
        """Each column as a Series, read once (filters test a few on every request)."""
        return dict(self.frame.items()) if self.frame.columns.is_unique else {}

    def mask(self, condition: Condition) -> np.ndarray | None:
        """Return which rows pass *condition* (see :func:`condition_mask`)."""
        if condition.column in self._series:
            return condition_mask(self._series, condition)
        return condition_mask(self.frame, condition)

    def take(self, positions: np.ndarray) -> pd.DataFrame:
        """Return the rows at *positions*, as ``frame.take`` does, at a third of its cost.

        pandas checks and fills each block of a take (some 25 us a column); the columns
        taken one by one are the same values, with the same types, index and ``attrs``.
        """
        if self._arrays is None:
            return self.frame.take(positions)
        return take(self.frame, self._arrays, positions)

    def where(self, conditions: list[Condition]) -> FrameRows:
        """Keep the rows passing every condition, selecting them once."""
        keep = None
        for condition in conditions:
            mask = condition_mask(self.frame, condition)
            if mask is not None:
                keep = mask if keep is None else keep & mask
        return self if keep is None else FrameRows(self.frame[keep])

    def notna(self, *columns: str) -> FrameRows:
        frame = self.frame
        for column in columns:
            frame = frame[frame[column].notna()]
        return FrameRows(frame)

    def isin(self, column: str, values: list) -> FrameRows:
        return FrameRows(self.frame[self.frame[column].isin(values)])

    def aggregate(self, keys, value, how) -> FrameRows:
        if not how:
            return self
        keys = list(dict.fromkeys(k for k in keys if k))
        if not keys:
            frame = self.frame.assign(_all=0)
            return FrameRows(
                FrameRows(frame).aggregate(["_all"], value, how).frame.drop(columns="_all")
            )
        grouped = self.frame.groupby(keys, observed=True, dropna=False, sort=True)
        if how == "count" or value is None:
            return FrameRows(grouped.size().rename(value or "count").reset_index())
        if how == "sum":
            return FrameRows(grouped[value].sum(min_count=1).reset_index())
        return FrameRows(grouped[value].agg(how).reset_index())

    def latest(self, keys: list[str], by: str) -> FrameRows:
        """Keep, per combination of *keys*, the row with the largest *by* (the last of ties)."""
        frame = self.frame[self.frame[by].notna()]
        ordered = frame.sort_values([*keys, by], kind="stable")
        return FrameRows(ordered.drop_duplicates(keys, keep="last"))

    def nunique_by(self, key: str, column: str) -> pd.Series:
        return self.frame.groupby(key, observed=True)[column].nunique()

    def sort(self, column: str, ascending: bool = True) -> FrameRows:
        # Stable: ties keep their order, the same on every machine (NumPy's default sort
        # picks CPU-specific kernels, which order ties differently).
        return FrameRows(self.frame.sort_values(column, ascending=ascending, kind="stable"))

    def select(self, columns: list[str]) -> FrameRows:
        return FrameRows(self.frame[columns])

    def head(self, count: int) -> FrameRows:
        return FrameRows(self.frame.head(count))

    def skip(self, count: int) -> FrameRows:
        return FrameRows(self.frame.iloc[count:])

    def truncate(self, column: str, period: str) -> FrameRows:
        """Move each date of *column* to the start of its period (weeks start on Monday).

        :raise ValueError: if *column* does not hold dates.
        """
        dates = self.frame[column]
        if not pd.api.types.is_datetime64_any_dtype(dates):
            raise ValueError(f"resample needs dates in {column!r}, not {dates.dtype} values")
        if getattr(dates.dt, "tz", None) is not None:  # a period has no time zone
            dates = dates.dt.tz_localize(None)
        starts = dates.dt.to_period(period).dt.start_time
        return FrameRows(self.frame.assign(**{column: starts}))

    def top(self, category: str, value: str, n: int, other: bool, keys: list[str]):
        frame = self.frame
        totals = frame.groupby(category, observed=True, sort=True)[value].sum(min_count=1)
        ranked = totals.dropna().sort_values(ascending=False, kind="stable")
        kept = ranked.index[:n]
        rank = pd.Series(range(len(kept)), index=kept)
        chosen = frame[category].isin(kept)
        inside = frame[chosen]
        inside = inside.assign(_rank=inside[category].map(rank).to_numpy(dtype=int))
        inside = inside.sort_values("_rank", kind="stable").drop(columns="_rank")
        rest = frame[~chosen & frame[value].notna()]
        if not other or rest.empty:
            return inside
        apart = other_keys(category, keys)
        if apart:
            grouped = rest.groupby(apart, observed=True, dropna=False, sort=True)
            summed = grouped[value].sum().reset_index()
        else:
            summed = pd.DataFrame({value: [rest[value].sum()]})
        summed.insert(0, category, OTHER)
        named = inside.assign(**{category: inside[category].astype(object)})
        combined = pd.concat([named, summed], ignore_index=True)
        return combined[[c for c in inside.columns if c in combined.columns]]

    def count(self) -> int:
        return len(self.frame)

    def nunique(self, column: str) -> int:
        return int(self.frame[column].nunique())

    def distinct(self, column: str) -> list:
        return sorted(self.frame[column].dropna().unique().tolist())

    def pairs(self, column: str, labels: str) -> dict:
        pairs = self.frame[[column, labels]].dropna().drop_duplicates(column)
        return dict(zip(pairs[column], pairs[labels], strict=True))

    def bounds(self, column: str):
        values = self.frame[column].dropna()
        if values.empty:
            return None
        low, high = values.min(), values.max()
        return (low.item(), high.item()) if hasattr(low, "item") else (low, high)

    def histogram(self, x: str, color: str | None, bins: int | None) -> pd.DataFrame:
        from ...charts.base import groups

        rows = self.frame[self.frame[x].notna()]
        numbers = rows[x].to_numpy(dtype=float)
        if len(numbers) == 0:
            return empty_histogram(color)
        edges = np.histogram_bin_edges(numbers, bins=bins or "auto")
        if not bins and len(edges) > 51:
            edges = np.histogram_bin_edges(numbers, bins=50)
        parts = []
        for name, group, _ in groups(rows, color, None):
            counts, _ = np.histogram(numbers[group], bins=edges)
            parts.append(
                pd.DataFrame(
                    {
                        "bin_start": edges[:-1],
                        "bin_end": edges[1:],
                        color or "series": name if name is not None else x,
                        "count": counts,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def box(self, y: str, keys: list[str]) -> pd.DataFrame:
        rows = self.frame[self.frame[y].notna()]
        if rows.empty:
            return pd.DataFrame(columns=[*keys, *BOX_STATS])
        if not keys:
            return pd.DataFrame([_box_stats(rows[y])], columns=list(BOX_STATS))
        grouped = rows.groupby(keys, observed=True, sort=True)[y]
        return grouped.apply(_box_stats).unstack().reset_index()

    def m4(self, x: str, y: str, keys: list[str], width: int) -> FrameRows:
        """Keep every row: in memory, long series are thinned after the chart's data step."""
        return self

    def to_pandas(self, limit: int | None = None) -> pd.DataFrame:
        if limit is not None and len(self.frame) > limit:
            raise RowLimitError(too_many(len(self.frame), limit))
        return self.frame


def arrays_of(frame: pd.DataFrame) -> dict[str, Any] | None:
    """Return each column of *frame* by name: a NumPy array for a NumPy column, else
    pandas' array of its type; ``None`` when names repeat.

    Read in one pass: ``frame[name]`` makes a Series each time, some 12 us a column,
    more than a chart's work on a few hundred rows.
    """
    if not frame.columns.is_unique:
        return None
    arrays = (
        a.to_numpy() if isinstance(a, NumpyExtensionArray) else a
        for a in frame._iter_column_arrays()
    )
    return dict(zip(frame.columns.tolist(), arrays, strict=True))


def take(frame: pd.DataFrame, arrays, positions: np.ndarray) -> pd.DataFrame:
    """Return the rows of *frame* at *positions*, as ``frame.take`` does, at a third of its
    cost: pandas checks and fills each block of a take (some 25 us a column); taken one
    by one from *arrays* (:func:`arrays_of`), the columns are the same values, with the
    same types, index and ``attrs``."""
    taken = [_take(array, positions) for array in arrays]
    index = frame.index.take(positions)
    # DataFrame(dict) would check and regroup the columns again: another 100+ us.
    out = pd.DataFrame._from_arrays(
        taken, columns=frame.columns, index=index, verify_integrity=False
    )
    keeps = frame.attrs or not frame.flags.allows_duplicate_labels
    return out.__finalize__(frame) if keeps else out


def _take(array, positions: np.ndarray):
    """Return the values of one column at *positions*, of the same type."""
    if isinstance(array, np.ndarray):
        return array.take(positions)
    if isinstance(array, pd.Categorical):  # its codes, without pandas' fill checks
        return pd.Categorical.from_codes(
            array.codes.take(positions), dtype=array.dtype, validate=False
        )
    return array.take(positions)


def too_many(count: int | None, limit: int) -> str:
    """Return the message of a :class:`RowLimitError`."""
    found = f"{count:,} rows" if count is not None else f"more than {limit:,} rows"
    return (
        f"{found} match this view, more than the {limit:,} a chart function may receive "
        "(the ROW_LIMIT setting); narrow the filters, or use a chart kind, which runs in "
        "the engine"
    )


def condition_mask(
    frame: pd.DataFrame | Mapping[str, pd.Series], condition: Condition
) -> np.ndarray | None:
    """Return which rows of *frame* pass *condition*, as booleans, or ``None`` if all do.

    :param frame: the rows, or their columns by name.

    ``None`` spares the caller a mask to combine and a copy of every row to select.
    """
    column = frame[condition.column]
    if condition.op == "in":
        if not isinstance(column.dtype, pd.CategoricalDtype):
            return column.isin(condition.values).to_numpy()
        # One lookup per row in a table of the categories, much faster than isin; the
        # Categorical's own codes, as the .cat accessor would copy them into a Series.
        categorical = column.array
        found = _positions(categorical.categories, condition.values)
        chosen = np.zeros(len(categorical.categories) + 1, dtype=bool)  # last: missing
        chosen[found[found >= 0]] = True
        codes = categorical.codes
        if chosen[:-1].all() and (not len(codes) or codes.min() >= 0):
            return None
        return chosen[codes]
    if condition.op == "between":
        low, high = condition.values
        if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf":
            column = column.to_numpy()  # plain numbers: compare without pandas' overhead
            # whole numbers are never missing: every row may pass
            if column.dtype.kind in "iu" and len(column):
                if low <= column.min() and column.max() <= high:
                    return None
        keep = (column >= low) & (column <= high)
        return keep if isinstance(keep, np.ndarray) else keep.to_numpy(dtype=bool, na_value=False)
    if condition.op == "eq":
        return (column == condition.values[0]).to_numpy(dtype=bool, na_value=False)
    if condition.op == "notnull":
        if isinstance(column.dtype, pd.CategoricalDtype):
            present = column.array.codes >= 0
        else:
            present = column.notna().to_numpy()
        return None if present.all() else present
    raise ValueError(f"unknown condition {condition.op!r}")


def _positions(index: pd.Index, values) -> np.ndarray:
    """Return where each of *values* is in *index* (-1 where absent).

    A few values are looked up one by one in the index's own hash table, which it keeps;
    building an index of them to match costs more than that.
    """
    if len(values) > 32:
        return index.get_indexer(pd.Index(list(values), dtype=object))
    found = []
    for value in values:
        try:
            found.append(index.get_loc(value))
        except (KeyError, TypeError):
            found.append(-1)
    return np.array(found, dtype=np.intp)


def _box_stats(series: pd.Series) -> pd.Series:
    numbers = series.to_numpy(dtype=float)
    q1, median, q3 = np.percentile(numbers, [25, 50, 75])
    reach = 1.5 * (q3 - q1)
    inside = numbers[(numbers >= q1 - reach) & (numbers <= q3 + reach)]
    return pd.Series(
        {
            "count": len(numbers),
            "q1": q1,
            "median": median,
            "q3": q3,
            "lowerfence": inside.min(),
            "upperfence": inside.max(),
            "mean": numbers.mean(),
        }
    )
