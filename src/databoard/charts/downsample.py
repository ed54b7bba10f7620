"""Thin long line and scatter series before they are sent, and say so on the chart.

A browser draws a few thousand points per trace as fast as it draws a few hundred, but a
million points cost seconds to send and to draw, and a chart is no more than a couple of
thousand pixels wide. So each series (one per ``color`` and ``facet`` value) keeps at most
``max_points`` rows, picked by MinMaxLTTB from tsdownsample: min-max preselection, then
largest-triangle-three-buckets, which keeps the shape of the series, its peaks and its
troughs. The first, last, smallest and largest points are always kept, and the start of
each run of missing values too, so gaps still show. The rows behind the chart (CSV and
JSON downloads) stay complete; only the figure is thinned.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from tsdownsample import LTTBDownsampler, MinMaxLTTBDownsampler

from .base import Kind

#: The most points a trace carries by default (the ``MAX_POINTS`` setting).
MAX_POINTS = 2000
#: Kinds whose series are thinned; stacked areas are not, as their bands share x values.
KINDS = ("line", "scatter")
#: Up to this many series, each is found with one pass over the rows; above, by sorting.
_FEW = 8


def reduce(kind: Kind, rows: pd.DataFrame, max_points: int = MAX_POINTS):
    """Return *rows* with no series longer than *max_points*, and a note if any was cut.

    :return: ``(rows, note)``; *rows* itself and ``None`` when nothing needed thinning.
    """
    if kind.name not in KINDS or len(rows) <= max_points or not _plottable(kind, rows):
        return rows, None
    codes, counts = _series_codes(rows, [c for c in (kind.facet, kind.color) if c])
    long = np.flatnonzero(counts > max_points)
    if not len(long):
        return rows, None
    keep = (counts <= max_points)[codes]  # short series stay whole
    x, y = _as_numbers(rows[kind.x], kind.log_x), _as_numbers(rows[kind.y], kind.log_y)
    for part in _parts(codes, long, counts):
        picked = _pick(x[part], y[part], max_points, kind.name == "line")
        if isinstance(part, slice):
            keep[part.start + picked] = True
        else:
            keep[part[picked]] = True
    shown = rows[keep]
    return shown, f"Downsampled: {len(shown):,} of {len(rows):,} points shown"


def annotate(figure: dict, note: str, shown: int, total: int, max_points: int) -> None:
    """Add the visible downsampling *note* to *figure*, and the counts to its ``meta``."""
    layout = figure["layout"]
    layout.setdefault("annotations", []).append(
        {
            "text": note,
            "hovertext": f"At most {max_points:,} points per series are drawn; "
            "the table and the CSV have every row.",
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 1,
            "y": 1,
            "xanchor": "right",
            "yanchor": "bottom",
            "font": {"size": 11, "color": "#6c757d"},
        }
    )
    layout["margin"] = layout.get("margin", {}) | {"t": max(layout["margin"].get("t", 0), 30)}
    layout.setdefault("meta", {})["downsampled"] = {"shown": shown, "total": total}


def _plottable(kind: Kind, rows: pd.DataFrame) -> bool:
    """Tell whether x and y are numbers or dates, which MinMaxLTTB needs."""
    x, y = rows[kind.x], rows[kind.y]
    numeric = pd.api.types.is_numeric_dtype
    return (numeric(x) or pd.api.types.is_datetime64_any_dtype(x)) and numeric(y)


def _as_numbers(series: pd.Series, log: bool = False) -> np.ndarray:
    """Return *series* as floats on the axis' own scale (NaN where it cannot be drawn)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.array.asi8.astype(np.float64)  # with or without a time zone
        values[series.isna().to_numpy()] = np.nan
        return values
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(values > 0, np.log10(values), np.nan)
    return values


def _series_codes(rows: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Number each row's series (its facet and colour values) from 0; count each series."""
    codes = np.zeros(len(rows), dtype=np.int64)
    for column in columns:
        series = rows[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            own, size = series.cat.codes.to_numpy(), len(series.cat.categories)
        else:
            own, uniques = pd.factorize(series, use_na_sentinel=True)
            size = len(uniques)
        codes = codes * (size + 1) + (own + 1)  # a missing value (-1) is a series too
    if len(columns) > 1:
        codes = pd.factorize(codes)[0]  # keep the numbers small when columns multiply
    return codes, np.bincount(codes)


def _parts(codes: np.ndarray, long: np.ndarray, counts: np.ndarray) -> Iterator:
    """Yield where each series in *long* is: a slice if its rows are together, else positions.

    Rows sorted by series (as most tables are) give slices, which cost no copy.
    """
    ends = np.cumsum(counts)
    if not (codes[1:] < codes[:-1]).any():
        for code in long:
            yield slice(int(ends[code] - counts[code]), int(ends[code]))
    elif len(long) <= _FEW:
        for code in long:
            yield np.flatnonzero(codes == code)
    else:
        order = np.argsort(codes, kind="stable")
        for code in long:
            yield order[ends[code] - counts[code] : ends[code]]


def _pick(x: np.ndarray, y: np.ndarray, max_points: int, gaps: bool) -> np.ndarray:
    """Return the positions (into *x*, *y*) of at most *max_points* points to draw.

    :param gaps: keep a missing value where each run of them starts (lines break there).
    """
    placed = np.flatnonzero(~np.isnan(x)) if np.isnan(x).any() else None
    if placed is not None:
        x, y = x[placed], y[placed]
    missing = np.isnan(y)
    starts = _gap_starts(x, missing, max_points // 4) if gaps else np.empty(0, np.int64)
    ends = [np.argmin(x), np.argmax(x)]  # the first and last points
    if not missing.any():
        chosen = _thin(x, y, max_points - 4)
        ends += [np.argmin(y), np.argmax(y)]
    else:
        present = np.flatnonzero(~missing)
        chosen = present[_thin(x[present], y[present], max_points - 4 - len(starts))]
        if len(present):
            ends += [np.nanargmin(y), np.nanargmax(y)]
    chosen = np.union1d(np.union1d(chosen, starts), ends)
    return chosen if placed is None else placed[chosen]


def _thin(x: np.ndarray, y: np.ndarray, n_out: int) -> np.ndarray:
    """Return the positions of at most *n_out* points that keep the shape of the series."""
    if len(x) <= n_out:
        return np.arange(len(x))
    n_out = max(n_out, 3)
    if not (x[1:] < x[:-1]).any():
        return MinMaxLTTBDownsampler().downsample(x, y, n_out=n_out).astype(np.int64)
    # Points in no order of x (a scatter's cloud): MinMaxLTTB's first step, the lowest and
    # highest point of each of 4 * n_out slices of the x axis, found without sorting
    # millions of points; then LTTB over those few thousand, sorted.
    slices = 4 * n_out
    low, high = x.min(), x.max()
    where = ((x - low) * ((slices - 1) / (high - low))).astype(np.int32)
    top = np.full(slices, -np.inf)
    np.maximum.at(top, where, y)
    bottom = np.full(slices, np.inf)
    np.minimum.at(bottom, where, y)
    kept = np.flatnonzero((y == top[where]) | (y == bottom[where]))
    kept = kept[np.argsort(x[kept], kind="stable")]
    return kept[LTTBDownsampler().downsample(x[kept], y[kept], n_out=n_out).astype(np.int64)]


def _gap_starts(x: np.ndarray, missing: np.ndarray, most: int) -> np.ndarray:
    """Return where each run of missing values (in x order) starts, at most *most* of them."""
    if not missing.any():
        return np.empty(0, np.int64)
    order = np.argsort(x, kind="stable") if (x[1:] < x[:-1]).any() else np.arange(len(x))
    runs = missing[order]
    starts = order[np.flatnonzero(runs & ~np.r_[False, runs[:-1]])]
    return starts[np.linspace(0, len(starts) - 1, min(len(starts), most)).astype(np.int64)]
