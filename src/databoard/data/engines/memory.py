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
        """Return the rows at *positions*, as ``frame.take`` does (see :func:`take`)."""
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
        if how == "sum" and value is not None:
            once = _sums_of_one(self.frame, keys, value)
            if once is not None:
                return FrameRows(once)
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
        ranked = _ranked(self.frame, category, value, n)
        if ranked is None:
            return _top(self.frame, category, value, n, other, keys)
        kept, rest = ranked
        if not other or not rest.any():
            return self.take(kept)
        apart = other_keys(category, keys)
        if apart or len(self.frame.columns) != 2:
            inside, outside = self.take(kept), self.frame[rest]
            return _with_other(inside, outside, category, value, apart)
        return _with_total(self.frame, kept, rest, category, value)

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
    arrays = map(plain, frame._iter_column_arrays())
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


def _top(frame: pd.DataFrame, category: str, value: str, n: int, other: bool, keys: list[str]):
    """Return :meth:`FrameRows.top`'s answer, computed with pandas whatever the columns."""
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
    return _with_other(inside, rest, category, value, other_keys(category, keys))


def _with_other(
    inside: pd.DataFrame, rest: pd.DataFrame, category: str, value: str, apart: list[str]
) -> pd.DataFrame:
    """Return the rows *inside*, then *rest* summed per *apart* keys as :data:`OTHER`."""
    if apart:
        grouped = rest.groupby(apart, observed=True, dropna=False, sort=True)
        summed = grouped[value].sum().reset_index()
    else:
        summed = pd.DataFrame({value: [rest[value].sum()]})
    summed.insert(0, category, OTHER)
    named = inside.assign(**{category: inside[category].astype(object)})
    combined = pd.concat([named, summed], ignore_index=True)
    return combined[[c for c in inside.columns if c in combined.columns]]


#: Value types whose sums the shortcuts below reproduce bit for bit.
_SUMMED = (np.dtype(np.float64), np.dtype(np.int64))


def _numbers(frame: pd.DataFrame, value: str) -> np.ndarray | None:
    """Return the column *value* as a numpy array if its sums are reproduced here."""
    array = frame[value].array
    if not isinstance(array, NumpyExtensionArray) or array.dtype.numpy_dtype not in _SUMMED:
        return None
    return array.to_numpy()


def _negative_zero(numbers: np.ndarray) -> bool:
    """Whether *numbers* hold a -0.0, whose sum alone pandas gives as 0.0 or -0.0 depending
    on the order of the rows; every other value alone sums to itself."""
    return numbers.dtype.kind == "f" and bool((np.signbit(numbers) & (numbers == 0)).any())


def _group_numbers(frame: pd.DataFrame, keys: list[str]) -> np.ndarray | None:
    """Number each row's combination of *keys* in the order groupby(sort=True) puts them
    (a missing key last), or ``None`` for key types not numbered here."""
    group = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for key in keys:
        array = frame[key].array
        if isinstance(array, pd.Categorical):
            count = len(array.categories) + 1
            codes = np.where(array.codes < 0, count - 1, array.codes).astype(np.int64)
        elif isinstance(array, NumpyExtensionArray) and array.dtype.kind in "iu":
            uniques, codes = np.unique(array.to_numpy(), return_inverse=True)
            count = len(uniques)
        else:
            return None
        size *= count
        if size >= 2**62:
            return None
        group = group * count + codes
    return group


def _sums_of_one(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame | None:
    """Return ``groupby(keys)[value].sum(min_count=1).reset_index()`` when every combination
    of *keys* occurs once (one row per country and year, say): nothing is added, the rows
    only take the groups' order. ``None`` when a combination repeats or a type is unusual.
    """
    columns = frame.columns
    if frame.attrs or not len(frame) or not columns.is_unique or value in keys:
        return None
    if not all(k in columns for k in keys) or value not in columns:
        return None
    numbers = _numbers(frame, value)
    if numbers is None or _negative_zero(numbers):
        return None
    group = _group_numbers(frame, keys)
    if group is None:
        return None
    order = np.argsort(group, kind="stable")
    ordered = group[order]
    if (ordered[1:] == ordered[:-1]).any():
        return None
    arrays = [_take(plain(frame[k].array), order) for k in keys]
    arrays.append(numbers.take(order))
    return pd.DataFrame(dict(zip([*keys, value], arrays, strict=True)))


def _ranked(frame: pd.DataFrame, category: str, value: str, n: int):
    """Return the positions of the top *n* categories' rows in rank order and which rows
    are left for "Other", when each category of a categorical *category* holds one row;
    ``None`` otherwise (the caller then asks pandas).

    With one row a category, its total is its value: ranking is a sort of the rows.
    """
    columns = frame.columns
    if frame.attrs or not columns.is_unique or category == value:
        return None
    if category not in columns or value not in columns:
        return None
    array = frame[category].array
    numbers = _numbers(frame, value)
    if not isinstance(array, pd.Categorical) or numbers is None:
        return None
    codes = array.codes
    named = codes >= 0
    if np.bincount(codes[named], minlength=1).max() > 1:
        return None
    present = ~np.isnan(numbers) if numbers.dtype.kind == "f" else np.ones(len(codes), bool)
    rows = np.flatnonzero(named & present)
    rows = rows[np.argsort(codes[rows], kind="stable")]  # the totals, by category
    totals = numbers[rows]
    # pandas' stable descending sort: ascending over the reversed totals, reversed back
    last = len(totals) - 1
    order = (last - np.argsort(totals[::-1], kind="stable"))[::-1]
    kept = rows[order[:n]]
    rest = present.copy()
    rest[kept] = False
    return kept, rest


def _with_total(
    frame: pd.DataFrame, kept: np.ndarray, rest: np.ndarray, category: str, value: str
) -> pd.DataFrame:
    """Return the rows at *kept* of a frame of only *category* and *value*, then the
    *rest* summed as :data:`OTHER`, as :func:`_with_other` would."""
    numbers = frame[value].to_numpy()
    total = numbers[rest].sum(dtype=numbers.dtype)  # as pandas sums a Series
    names = np.asarray(frame[category].array.take(kept), dtype=object)
    arrays = {
        category: np.append(names, np.array([OTHER], dtype=object)),
        value: np.append(numbers[kept], total),
    }
    # from the arrays as they are: a frame built from a dict would make the names strings
    return pd.DataFrame._from_arrays(
        [arrays[c] for c in frame.columns],
        columns=frame.columns,
        index=pd.RangeIndex(len(kept) + 1),
        verify_integrity=False,
    )


def plain(array):
    """Return a column's values, as a numpy array when they are plain numpy values."""
    return array.to_numpy() if isinstance(array, NumpyExtensionArray) else array


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
