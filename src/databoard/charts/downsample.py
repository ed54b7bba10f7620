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
from tsdownsample import MinMaxLTTBDownsampler

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
    note = (
        f"Downsampled: {len(shown):,} of {len(rows):,} points shown"
        f" (at most {max_points:,} per series, of up to {int(counts.max()):,});"
        " the CSV has every row."
    )
    return shown, note


def annotate(figure: dict, note: str, shown: int, total: int) -> None:
    """Add the visible downsampling *note* to *figure*, and the counts to its ``meta``."""
    layout = figure["layout"]
    layout.setdefault("annotations", []).append(
        {
            "text": note,
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
        return series.to_numpy().view(np.int64).astype(np.float64)
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
    steps, order = _sort(x)
    ys = y if order is None else y[order]
    missing = np.isnan(ys)
    ends = [np.argmin(x), np.argmax(x)]  # the first and last points
    if not missing.any():
        chosen = _thin(steps, ys, max_points - 4)
        ends += [np.argmin(y), np.argmax(y)]
    else:
        starts = _gap_starts(missing, max_points // 4) if gaps else np.empty(0, np.int64)
        present = np.flatnonzero(~missing)
        chosen = present[_thin(steps[present], ys[present], max_points - 4 - len(starts))]
        chosen = np.union1d(chosen, starts)
        if len(present):
            ends += [np.nanargmin(y), np.nanargmax(y)]
    if order is not None:
        chosen = order[chosen]
    chosen = np.union1d(chosen, ends)
    return chosen if placed is None else placed[chosen]


def _thin(x: np.ndarray, y: np.ndarray, n_out: int) -> np.ndarray:
    """Return the positions of at most *n_out* points of a series sorted by *x*."""
    if len(x) <= n_out:
        return np.arange(len(x))
    return MinMaxLTTBDownsampler().downsample(x, y, n_out=max(n_out, 3)).astype(np.int64)


def _gap_starts(missing: np.ndarray, most: int) -> np.ndarray:
    """Return where each run of missing values starts (at most *most*, spread evenly)."""
    starts = np.flatnonzero(missing & ~np.r_[False, missing[:-1]])
    return starts[np.linspace(0, len(starts) - 1, min(len(starts), most)).astype(np.int64)]


def _sort(x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Return *x* sorted and the positions that sort it (``None`` if it already was).

    Unsorted x (a scatter's cloud) is sorted by its place in 65,536 steps across the
    axis, far finer than any screen and a radix sort away, instead of a full float sort;
    the steps then stand for x, sorted exactly as MinMaxLTTB needs.
    """
    if not (x[1:] < x[:-1]).any():
        return x, None
    low, high = x.min(), x.max()
    steps = ((x - low) * (65535 / (high - low))).astype(np.uint16)
    order = np.argsort(steps, kind="stable")
    return steps[order], order
