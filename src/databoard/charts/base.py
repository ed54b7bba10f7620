"""What every chart kind shares: the registry, JSON-ready columns, groups, axes, facets.

A kind is a small class holding its options (which columns go where) with two steps:
``data(frame)`` shapes the rows the chart shows (and offers for download), and
``figure(rows, chart, view)`` builds the Plotly figure dict from them. Building the dict
directly, instead of through plotly.express, keeps a chart to a few milliseconds and the
payload free of the default template. Missing values stay ``None``, so lines show gaps.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from .. import options as options_module
from ..data.engines import memory
from ..data.engines.rows import AGGREGATES, Rows
from ..frozen import Sealable, SealedWhenBuilt
from .theme import GRID, PALETTE, base_layout

if TYPE_CHECKING:
    from ..dashboard import Chart, View

KINDS: dict[str, type[Kind]] = {}


class Misfit(ValueError):
    """Rows a kind cannot draw as declared (several values where it shows one).

    The message says how to declare the chart instead; the page and ``databoard check``
    show it as it is, with the chart's id.
    """


class KindError(ValueError):
    """A chart kind given options it does not have, or columns the data lacks.

    :param option: the option at fault, when one is (a YAML problem points at its line).
    """

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.option = option


def values(series: pd.Series) -> list:
    """Return *series* as a JSON-ready list, with ``None`` where a value is missing."""
    return json_ready(series).tolist()


def _array(values):
    """Return the values of a Series or array: a NumPy array for NumPy values, else
    pandas' array of their type."""
    return memory.plain(values.array if isinstance(values, pd.Series) else values)


def json_ready(values) -> np.ndarray:
    """Return *values* (a Series or array) as an object array of JSON-ready values,
    ``None`` where missing.

    Numbers in NumPy columns take a direct path: pandas' general conversion costs more
    than the conversion itself on the few hundred values of a typical series.
    """
    array = _array(values)
    if isinstance(array, np.ndarray) and array.dtype.kind in "iub":
        return array.astype(object)
    if isinstance(array, np.ndarray) and array.dtype.kind == "f":
        out = array.astype(object)
        out[np.isnan(array)] = None
        return out
    series = values if isinstance(values, pd.Series) else pd.Series(array, copy=False)
    if pd.api.types.is_datetime64_any_dtype(series):
        text = series.dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
        return text.astype(object).where(series.notna(), None).to_numpy(dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    return series.to_numpy(dtype=object, na_value=None)


def present(values) -> np.ndarray:
    """Return which of *values* (a Series or array) are not missing, as booleans.

    Floats in NumPy take a direct path: a tenth of pandas' ``notna`` on a few hundred.
    """
    array = _array(values)
    if isinstance(array, np.ndarray) and array.dtype.kind == "f":
        return ~np.isnan(array)
    return np.asarray(pd.notna(array), dtype=bool)


class Columns:
    """The columns of one frame, each made JSON-ready once and read by row positions.

    A figure reads a few columns for each of its series; converting each column once
    and taking the series' rows from the NumPy array keeps pandas' fixed cost per call
    out of the per-series work. One is made per render and never shared.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._columns: dict[str, Any] | None = memory.arrays_of(frame)
        self._series: dict[str, pd.Series] = {}
        self._ready: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, column: str) -> pd.Series:
        """Return the column itself (made once: each read costs)."""
        if column not in self._series:
            self._series[column] = self.frame[column]
        return self._series[column]

    def array(self, column: str):
        """Return the column's values: a NumPy array, or pandas' array of its type (all
        read at once: one by one, each read costs more than a chart's own work)."""
        if self._columns is None:  # repeated names: pandas says which column
            return _array(self[column])
        return self._columns[column]

    def present(self, column: str) -> np.ndarray:
        """Return which rows of *column* have a value, as booleans."""
        return present(self.array(column))

    def codes(self, column: str) -> tuple[np.ndarray, Sequence]:
        """Return the column's values numbered (see :func:`numbered`)."""
        return numbered(self.array(column))

    def values(self, column: str, rows: np.ndarray | None = None) -> list:
        """Return the *rows* (positions; all when ``None``) of *column* as a JSON-ready list."""
        if column not in self._ready:
            self._ready[column] = json_ready(self.array(column))
        ready = self._ready[column]
        return (ready if rows is None else ready[rows]).tolist()

    def numbers(self, column: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Return the *rows* of a numeric *column* as floats (NaN where missing)."""
        numbers = self[column].to_numpy(dtype=float, na_value=np.nan)
        return numbers if rows is None else numbers[rows]


def groups(
    frame: pd.DataFrame | Columns,
    column: str | None,
    view: View | None,
    rows: np.ndarray | None = None,
) -> list[tuple]:
    """Split *frame* (its *rows*, positions, if given) by *column*, in the order declared
    for the column (:meth:`View.rank_of`), else as the view selects them, then by value.

    :return: ``(name, positions, colour)`` triples; *positions* index *frame*'s rows, in
        their order. A value keeps its colour on every chart: a selected value's colour
        follows its position in the viewer's selection, any other value's is the one
        the dashboard gave it at load (:attr:`Dashboard.colours`).
    """
    if rows is None:
        rows = np.arange(len(frame))
    if column is None:
        return [(None, rows, PALETTE[0])]
    codes, names = frame.codes(column) if isinstance(frame, Columns) else numbered(frame[column])
    codes = codes[rows]
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    present = {names[int(c)]: c for c in np.flatnonzero(counts)}
    order = (view.order_of(column) if view is not None else None) or []
    first = (view.rank_of(column) if view is not None else None) or order
    chosen = set(first)
    ranked = [v for v in first if v in present]
    ranked += sorted((v for v in present if v not in chosen), key=sort_key)
    position = {v: i for i, v in enumerate(order)}
    fixed = view.dashboard.colours.get(column, {}) if view is not None else {}
    where = _positions(codes, counts)

    def colour(name, i: int) -> str:
        if name in position:
            return PALETTE[position[name] % len(PALETTE)]
        return fixed.get(name) or PALETTE[i % len(PALETTE)]

    return [(name, rows[where(present[name])], colour(name, i)) for i, name in enumerate(ranked)]


def in_order(frame: pd.DataFrame, columns: list[str], view: View) -> pd.DataFrame:
    """Return *frame*'s rows in the order declared for *columns* (the first leads).

    Values the order does not list (and "Other") follow, keeping their order: the sort
    is stable. Rows of a column without a declared order stay as they are.
    """
    keys = []
    for column in columns:
        rank = view.rank_of(column) if column in frame.columns else None
        if rank:
            position = {value: i for i, value in enumerate(rank)}
            codes, names = numbered(frame[column])
            at = np.array([position.get(n, len(rank)) for n in names] + [len(rank)])
            keys.append(at[codes])  # code -1 (missing) takes the last entry
    if not keys:
        return frame
    return frame.iloc[np.lexsort(keys[::-1])]


def numbered(values) -> tuple[np.ndarray, Sequence]:
    """Number *values* (a Series or array; -1 where missing); return the numbers and the
    values numbered."""
    array = _array(values)
    if isinstance(array, pd.Categorical):  # its own codes: the .cat accessor copies them
        names = _NAMES.get(array.dtype)
        if names is None:
            names = _NAMES.setdefault(array.dtype, tuple(array.categories.tolist()))
        return array.codes, names
    codes, uniques = pd.factorize(array, use_na_sentinel=True)
    return codes, pd.Index(uniques).tolist()


#: The values of each categorical type, in order: listing a few hundred pyarrow strings
#: costs some 20 us, and every chart over the column needs them. A tuple, never changed.
_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _positions(codes: np.ndarray, counts: np.ndarray) -> Callable[[int], np.ndarray]:
    """Return a function giving the positions, in order, of the rows numbered *code*.

    A few groups are each found in one pass; many, from one stable sort.
    """
    if np.count_nonzero(counts) <= 8:
        return lambda code: np.flatnonzero(codes == code)
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(counts) + np.count_nonzero(codes < 0)
    return lambda code: order[ends[code] - counts[code] : ends[code]]


def humanize(column: str) -> str:
    """Return a snake_case name as a title: ``gdp_per_capita`` -> ``Gdp per capita``.

    Any other name (``lifeExp``, ``GDP``, ``Life expectancy``) is its author's own
    spelling and stays as it is.
    """
    text = str(column)
    if not re.fullmatch(r"[a-z0-9_]+", text):
        return text
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def sort_key(value):
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))


def empty_figure(chart: Chart, message: str = "No data for this selection") -> dict:
    """Return a blank figure that says why it is blank."""
    layout = base_layout(chart)
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    layout["annotations"] = [
        {
            "text": message,
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "font": {"size": 14, "color": "#6c757d"},
        }
    ]
    return {"data": [], "layout": layout}


def axis(title: str, log: bool = False, **extra) -> dict:
    """Return an axis with our grid style; a log axis labels powers of ten only."""
    spec: dict[str, Any] = {"title": {"text": title}, **GRID, **extra}
    if log:
        spec["type"] = "log"
        spec["dtick"] = 1
    return spec


class _Built(options_module.CheckedKeywords, SealedWhenBuilt):
    """Make a kind only from keywords it takes, and seal it once made."""


class Kind(Sealable, metaclass=_Built):
    """Base of the chart kinds; subclasses register under ``name``.

    A kind is sealed once built: one kind object draws its chart for every request, from
    any thread, so :meth:`data` and :meth:`figure` keep nothing on it.

    :param labels: display names of columns (``{"gdp": "GDP (US$)"}``).
    """

    name: ClassVar[str] = ""
    #: options naming columns, checked against the data by ``databoard check``
    column_options: ClassVar[tuple[str, ...]] = ()
    #: options naming a column whose every value gets a colour of its own
    colour_options: ClassVar[tuple[str, ...]] = ("color",)

    def __init__(self, labels: dict[str, str] | None = None):
        self.labels = dict(labels or {})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            KINDS[cls.name] = cls

    @classmethod
    def from_options(cls, kind: str, options: dict) -> Kind:
        """Build the kind *kind* from a mapping of options, naming any it does not know."""
        if kind not in KINDS:
            raise KindError(f"unknown chart kind {kind!r} (known: {', '.join(sorted(KINDS))})")
        klass = KINDS[kind]
        allowed = klass.options()
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise KindError(
                f"unknown option {', '.join(map(repr, unknown))} for kind {kind!r}"
                f"{options_module.did_you_mean(unknown[0], allowed)} "
                f"(options: {', '.join(allowed)})",
                unknown[0],
            )
        try:
            return klass(**options)
        except (TypeError, ValueError) as error:
            raise KindError(f"kind {kind!r}: {error}", getattr(error, "option", None)) from None

    @classmethod
    def options(cls) -> list[str]:
        """Return the option names this kind accepts."""
        return options_module.keywords(cls)

    def columns(self) -> list[str]:
        """Return the data columns the options name."""
        out = []
        for option in self.column_options:
            value = getattr(self, option, None)
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, list | tuple):
                out.extend(value)
        return out

    def colour_columns(self) -> list[str]:
        """Return the columns whose values this kind draws each in a colour of its own."""
        found = (getattr(self, option, None) for option in self.colour_options)
        return [column for column in found if isinstance(column, str)]

    def label(self, column: str | None, fallback: str = "") -> str:
        if column is None:
            return fallback
        return self.labels.get(column) or fallback or humanize(column)

    def clicks(self) -> list[tuple[str, str]]:
        """Return ``(column, point field)`` pairs a click on the chart can set a filter by.

        The field names where plotly.js puts the column's value in a clicked point
        (``x``, ``label``, ``location``..., or ``name``: the trace's series); the first
        pair whose column a filter uses wins.
        """
        return []

    def categories(self) -> list[str]:
        """Return the columns whose declared order (``order``, a filter's options) the
        rows of :meth:`data` follow, the first leading; ranked columns are left out."""
        return []

    def data(self, rows: Rows) -> pd.DataFrame:
        """Return the rows behind the figure, as offered for download.

        *rows* are the chart's filtered rows, in memory or in an engine; a kind asks them
        for what it shows (aggregates, bins...), so an engine computes it in place.
        """
        return rows.to_pandas()

    def figure(self, frame: pd.DataFrame, chart: Chart, view: View) -> dict:
        """Return the Plotly figure dict for the rows :meth:`data` returned."""
        raise NotImplementedError


def check_aggregate(how: str | None) -> None:
    """Raise :class:`~databoard.options.OptionError` unless *how* is ``None`` or known."""
    if how and how not in AGGREGATES:
        message = f"unknown aggregate {how!r} (known: {', '.join(AGGREGATES)})"
        raise options_module.OptionError("aggregate", message)


def aggregate(rows: Rows, keys: list, value: str | None, how: str | None) -> Rows:
    """Combine rows that share *keys* (``how`` is sum, mean, ...), or return them as they are."""
    check_aggregate(how)
    return rows.aggregate(keys, value, how)


def facet_layout(layout: dict, names: list, columns: int, x_axis: dict, y_axis: dict) -> None:
    """Lay out one panel per facet value in a grid, with each value as a panel title.

    Axis titles go on the outer panels only (x below the bottom ones, y left of the
    first column), as plotly.express does, so no title runs into the next panel.
    """
    count = len(names)
    cols = min(columns, count)
    rows = math.ceil(count / cols)
    gap_x, gap_y = 0.06, 0.16 if rows > 1 else 0.0  # room for ticks and the next title
    width = (1 - gap_x * (cols - 1)) / cols
    height = (1 - gap_y * (rows - 1)) / rows
    layout["annotations"] = []
    for i, name in enumerate(names):
        row, col = divmod(i, cols)
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        suffix = "" if i == 0 else str(i + 1)
        bottom, first = i + cols >= count, col == 0
        layout[f"xaxis{suffix}"] = x_axis | {
            "domain": [x0, x0 + width],
            "anchor": f"y{suffix}",
            **({} if bottom else {"title": {"text": ""}}),
        }
        layout[f"yaxis{suffix}"] = y_axis | {
            "domain": [y1 - height, y1],
            "anchor": f"x{suffix}",
            **({} if first else {"title": {"text": ""}}),
        }
        layout["annotations"].append(
            {
                "text": f"<b>{name}</b>",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": x0 + width / 2,
                "y": y1,
                "yanchor": "bottom",
                "font": {"size": 12},
            }
        )
    layout["margin"] = layout["margin"] | {"t": 30}
    # The page lays the panels out in one column on a phone (databoard-drawing.js).
    layout["meta"] = layout.get("meta", {}) | {"facets": count}
