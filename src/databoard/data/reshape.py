"""Reshaping for chart functions, in NumPy: the same tables pandas makes, minus its overhead.

A chart function runs on every uncached request, over a few hundred rows; there pandas'
fixed cost per call (index building, alignment, dtype checks) is most of the time. These
functions give exactly what the pandas calls named in their docstrings give, and leave
the cases they do not speed up to pandas itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def spread(
    frame: pd.DataFrame, index: list[str], column: str, value: str, names: dict[str, str]
) -> pd.DataFrame:
    """Put the values of *column* named in *names* side by side, one row per *index* values.

    The same as ``frame.pivot(index=index, columns=column, values=value)`` reindexed to
    the keys of *names*, renamed by them and reset to columns: rows in index order, a
    value missing where the data has none, and the index columns keeping their types.

    :param names: the values of *column* to keep (in this order) -> their column names.
    """
    wanted = list(names)
    keys = [frame[c] for c in index]
    numbers = frame[value]
    if not (
        all(isinstance(k.dtype, pd.CategoricalDtype) or k.dtype.kind in "iub" for k in keys)
        and numbers.dtype == np.float64
    ):
        return _pivot(frame, index, column, value, names)
    which = _position_in(frame[column], wanted)
    picked = np.flatnonzero(which >= 0)
    sortable = [_sortable(k, picked) for k in keys]
    codes = [c for c in sortable if c is not None]
    if len(codes) < len(keys):
        return _pivot(frame, index, column, value, names)  # a missing key: pandas' rules
    order = np.lexsort(codes[::-1]) if codes else np.arange(len(picked))
    sorted_codes = [c[order] for c in codes]
    starts = np.ones(len(order), dtype=bool)
    if len(order):
        starts[1:] = np.any([c[1:] != c[:-1] for c in sorted_codes], axis=0)
    row = np.cumsum(starts) - 1
    rows = int(row[-1]) + 1 if len(row) else 0
    cell = which[picked][order]
    if len(np.unique(row * len(wanted) + cell)) < len(cell):
        return _pivot(frame, index, column, value, names)  # duplicates: pandas says so
    table = np.full((rows, len(wanted)), np.nan)
    table[row, cell] = numbers.to_numpy()[picked][order]
    first = picked[order][starts]
    out = {c: k.take(first).reset_index(drop=True) for c, k in zip(index, keys, strict=True)}
    out |= {names[w]: table[:, i] for i, w in enumerate(wanted)}
    return pd.DataFrame(out)


def complete_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return the rows that have a value in every one of *columns*.

    What ``frame.dropna(subset=columns)`` keeps, found with one mask, and *frame* itself
    when no row lacks one.
    """
    keep = np.ones(len(frame), dtype=bool)
    for column in columns:
        keep &= frame[column].notna().to_numpy()
    return frame if keep.all() else frame[keep]


def _pivot(frame, index, column, value, names) -> pd.DataFrame:
    table = frame[frame[column].isin(list(names))].pivot(index=index, columns=column, values=value)
    table = table.reindex(columns=list(names)).rename(columns=names)
    table.columns.name = None
    return table.reset_index()


def _position_in(series: pd.Series, wanted: list) -> np.ndarray:
    """Return each row's value's position in *wanted*, -1 where it is not there."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories.tolist()
        lookup = np.full(len(categories) + 1, -1)  # last: a missing value
        place = {value: i for i, value in enumerate(categories)}
        for i, value in enumerate(wanted):
            if value in place:
                lookup[place[value]] = i
        return lookup[series.cat.codes.to_numpy()]
    return pd.Index(wanted, dtype=object).get_indexer(series)


def _sortable(series: pd.Series, rows: np.ndarray) -> np.ndarray | None:
    """Return numbers for the *rows* of *series* that sort them as ``pivot`` orders its rows.

    Its index levels hold the sorted values, except that a categorical level with
    categories no row uses is in the order the rows first show its values (pandas'
    ``MultiIndex.remove_unused_levels``). ``None`` for a missing category.
    """
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return series.to_numpy()[rows]
    codes = series.cat.codes.to_numpy()[rows]
    size = len(series.cat.categories)
    if (codes < 0).any():
        return None
    if np.count_nonzero(np.bincount(codes, minlength=size)) == size:
        return codes
    rank = np.zeros(size, dtype=np.intp)
    values, first = np.unique(codes, return_index=True)
    seen = values[np.argsort(first)]
    rank[seen] = np.arange(len(seen))
    return rank[codes]


#: Groups up to this size are summed in NumPy; bigger ones by pandas, whose loop is in C.
_SMALL_GROUPS = 512


def group_sums(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum *values* per group (*codes*, 0 to *size* - 1; -1 for none), as pandas does.

    The same sums as ``groupby(...).sum(min_count=1)``: missing values skipped, NaN for
    a group with none, and the same compensated (Kahan) summation in row order, so the
    last digit agrees too. Each step adds the next value of every group at once.
    """
    present = (codes >= 0) & ~np.isnan(values)
    groups, numbers = codes[present], values[present]
    counts = np.bincount(groups, minlength=size)
    if len(groups) and counts.max() > _SMALL_GROUPS:
        summed = pd.Series(numbers).groupby(groups).sum(min_count=1)
        return summed.reindex(range(size)).to_numpy(dtype=float)
    order = np.argsort(groups, kind="stable")
    groups, numbers = groups[order], numbers[order]
    rank = np.arange(len(groups)) - (np.cumsum(counts) - counts)[groups]
    by_rank = np.argsort(rank, kind="stable")
    ends = np.cumsum(np.bincount(rank, minlength=1)) if len(rank) else np.zeros(0, int)
    sums, compensation = np.zeros(size), np.zeros(size)
    start = 0
    with np.errstate(invalid="ignore"):  # infinities, as pandas adds them
        for end in ends:
            step = by_rank[start:end]
            group, value = groups[step], numbers[step]
            y = value - compensation[group]
            total = sums[group] + y
            error = total - sums[group] - y
            compensation[group] = np.where(np.isnan(error), 0.0, error)
            sums[group] = total
            start = end
    sums[counts == 0] = np.nan
    return sums
