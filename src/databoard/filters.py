"""Filters: the controls a viewer sets, each stored in the query string.

A filter with a ``column`` narrows every dataset that has that column; one without is a
parameter that chart functions read from the view. Each kind validates its own query
parameters, so a bad value is a 400 naming the parameter, never a 500.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from . import options
from .charts.base import humanize
from .data.engines.memory import condition_mask
from .data.engines.rows import Condition, Rows
from .errors import BadParameter
from .frozen import Sealable

FILTER_KINDS: dict[str, type[Filter]] = {}


class Filter(Sealable):
    """Base of all filter kinds; subclasses register themselves under ``kind``.

    :meth:`bind` completes a filter from the data at load; the dashboard then seals it,
    as every request's thread reads it.

    :param name: the filter's name, used in the view and by default as its parameter.
    :param column: the dataset column it narrows, or ``None`` for a chart parameter.
    :param label: the text shown next to the control.
    :param default: the value when the query string does not set it.
    :param charts: the ids of the charts it drives; by default every chart whose
        dataset has its column (and, for a filter without a column, the charts that
        list it in their ``filters``). A chart's own ``filters`` list wins over this.
    :param line: the line of the dashboard file declaring it, for error messages (set
        by :meth:`~databoard.Dashboard.add_filter` when not given).
    """

    kind: ClassVar[str] = ""

    def __init__(
        self,
        name: str,
        column: str | None = None,
        *,
        label: str | None = None,
        default: Any = None,
        charts: Sequence[str] | str | None = None,
        line: int | None = None,
        **unknown,
    ):
        options.check_keywords(f"{type(self).__name__}()", unknown, options.keywords(type(self)))
        self.name = name
        self.column = column
        self.label = label or humanize(name)
        self.default = default
        if isinstance(charts, str):
            charts = [charts]
        if charts is not None and not all(isinstance(c, str) for c in charts):
            raise ValueError(f"charts is a list of chart ids, not {charts!r}")
        self.charts: tuple[str, ...] | None = tuple(charts) if charts is not None else None
        self.line = line

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:
            FILTER_KINDS[cls.kind] = cls

    @property
    def params(self) -> tuple[str, ...]:
        """Return the query-string parameters this filter reads."""
        return (self.name,)

    def bind(self, datasets: Sequence[Rows]) -> None:
        """Derive options or bounds from the rows of the datasets that have the column."""

    def problems(self) -> list[str]:
        """Return what is wrong with the filter as bound to the data (a default that is
        not an option, say); ``databoard check`` reports each, and a server refuses them.
        """
        return []

    def parse(self, args) -> Any:
        """Return the filter's value from a multi-valued mapping of query arguments."""
        raise NotImplementedError

    def condition(self, value: Any) -> Condition | None:
        """Return the test *value* puts on the column, or ``None`` if every row passes.

        A condition is data (column, operator, values), so any backend applies it: a
        pandas mask in memory, a ``WHERE`` that Ibis binds in an engine. A kind that
        defines only :meth:`mask` works on in-memory datasets only.
        """
        raise NotImplementedError(f"{type(self).__name__} has no condition for an engine")

    def mask(self, frame: pd.DataFrame, value: Any) -> np.ndarray | None:
        """Return which rows of *frame* pass, as booleans, or ``None`` if every row does.

        A dashboard combines the masks of all its filters and selects the rows once,
        instead of copying the table once per filter. A kind defines this or
        :meth:`condition`; this default applies the condition as the in-memory backend
        does (:func:`~databoard.data.engines.memory.condition_mask`).
        """
        condition = self.condition(value)
        return None if condition is None else condition_mask(frame, condition)

    def to_query(self, value: Any) -> list[tuple[str, str]]:
        """Return the query-string pairs that reproduce *value*."""
        raise NotImplementedError

    def describe(self) -> dict:
        """Return the filter's JSON description for the API and the page."""
        return {
            "name": self.name,
            "kind": self.kind,
            "label": self.label,
            "column": self.column,
            "params": list(self.params),
            "default": _json(self.default),
            "charts": list(self.charts) if self.charts is not None else None,
        }


def _single(args, param: str) -> str | None:
    values = args.getlist(param)
    if len(values) > 1:
        raise BadParameter(param, f"'{param}' may be given once, not {len(values)} times")
    return values[0] if values else None


def _json(value: Any) -> Any:
    """Return *value* ready for JSON: dates as the text the query string uses."""
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return param_text(value) if isinstance(value, pd.Timestamp) else value


def param_text(value: Any) -> str:
    """Return *value* as query-string text (dates as ISO dates)."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def _ordered(value: Any) -> bool:
    """Return whether a range can hold *value*: a number, a year or a date."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float | np.number | pd.Timestamp | datetime.date)


def in_zone_of(stamp: pd.Timestamp, like: pd.Timestamp) -> pd.Timestamp:
    """Return *stamp* comparable with *like*, a value of the column it filters.

    A time with a zone (``2023-06-01T00:00Z``) is converted to the column's zone, or to
    UTC without a zone when the column has none (naive columns are taken as UTC); a time
    without a zone is taken as the column's own.
    """
    if like.tz is not None:
        return stamp.tz_localize(like.tz) if stamp.tz is None else stamp.tz_convert(like.tz)
    return stamp if stamp.tz is None else stamp.tz_convert("UTC").tz_localize(None)


def _coerce(value: str, like: Any, param: str) -> Any:
    """Turn the text *value* into the type of *like* (int, float, date or text)."""
    if isinstance(like, pd.Timestamp):
        try:
            return in_zone_of(pd.Timestamp(value), like)
        except ValueError:
            raise BadParameter(
                param, f"'{param}' must be a date like 2024-01-31, not {value!r}"
            ) from None
    if isinstance(like, bool) or not isinstance(like, int | float):
        return value
    try:
        number = float(value)
    except ValueError:
        raise BadParameter(param, f"'{param}' must be a number, not {value!r}") from None
    if isinstance(like, int):
        if not number.is_integer():
            raise BadParameter(param, f"'{param}' must be a whole number, not {value!r}")
        return int(number)
    return number


def _listed(values: Sequence, most: int = 12) -> str:
    """Return *values* as query-string text for a message, the first *most* of them."""
    shown = ", ".join(param_text(v) for v in values[:most])
    return shown + (f", ... ({len(values)} in all)" if len(values) > most else "")


def _not_among(default: Any, values: Sequence, what: str = "options") -> list[str]:
    """Return the problem of each of *default*'s values that is not among *values*."""
    allowed = set(values)
    wanted = default if isinstance(default, list | tuple) else [default]
    return [
        f"default {param_text(v)!r} is not among the {what} ({_listed(values)})"
        for v in wanted
        if v not in allowed
    ]


def _unique(datasets: Sequence[Rows], column: str) -> list:
    return sorted({v for rows in datasets for v in rows.distinct(column)})


class _Choice(Filter):
    """Shared option handling of the select kinds.

    :param options: the values offered, in order; by default every value of the column
        in the datasets that have it, sorted.
    :param labels: the text shown for each option: a mapping ``{option: text}``, or a
        column holding it (``country`` beside ``country_code``).
    """

    def __init__(self, name, column=None, *, options=None, labels=None, **kwargs):
        super().__init__(name, column, **kwargs)
        self.options: tuple = tuple(options) if options is not None else ()
        #: options listed by the author are also the order charts show the values in
        self.declared = options is not None
        #: a column holding each option's display text, or a mapping option -> text
        self.labels = labels
        self.option_labels: dict = dict(labels) if isinstance(labels, dict) else {}
        self._allowed = frozenset(self.options)

    def bind(self, datasets):
        if not datasets or self.column is None:
            return
        if not self.options:
            self.options = tuple(_unique(datasets, self.column))
        if isinstance(self.labels, str):
            labels: dict = {}
            for rows in reversed(datasets):  # the first dataset's label wins
                labels |= rows.pairs(self.column, self.labels)
            self.option_labels = labels
            self.options = tuple(sorted(self.options, key=lambda o: str(labels.get(o, o))))
        self._allowed = frozenset(self.options)
        if isinstance(self.default, list | tuple):
            self.default = [self._as_option(v) for v in self.default]
        elif self.default is not None:
            self.default = self._as_option(self.default)

    def _as_option(self, value):
        """Return *value* as the option it names (``"2020"`` for the year 2020), if any."""
        if value in self._allowed or not self.options:
            return value
        try:
            option = _coerce(param_text(value), self.options[0], self.name)
        except BadParameter:
            return value
        return option if option in self._allowed else value

    def problems(self):
        if self.default is None or not self.options:
            return []
        return _not_among(self.default, self.options)

    def label_of(self, option) -> str:
        """Return the display text of *option*."""
        return str(self.option_labels.get(option, option))

    def _check(self, value: str, param: str):
        if not self.options:  # an empty column: nothing to check against, no row passes
            return value
        option = _coerce(value, self.options[0], param)
        if option not in self._allowed:
            raise BadParameter(param, f"unknown value {value!r} for '{param}'")
        return option

    def describe(self):
        return super().describe() | {
            "options": [{"value": _json(o), "label": self.label_of(o)} for o in self.options]
        }


class MultiSelect(_Choice):
    """Pick any number of categories; the parameter repeats (``?country=USA&country=CHN``).

    With no parameter the default applies (all options if the default is ``None``); a
    default of one value (``default: North``) is a list of it.
    """

    kind = "multiselect"

    def __init__(self, name, column=None, **kwargs):
        super().__init__(name, column, **kwargs)
        if self.default is not None and not isinstance(self.default, list | tuple):
            self.default = [self.default]

    def parse(self, args):
        values = args.getlist(self.name)
        if not values:
            return list(self.default) if self.default is not None else list(self.options)
        chosen = []
        for value in values:
            option = self._check(value, self.name)
            if option not in chosen:
                chosen.append(option)
        return chosen

    def condition(self, value):
        if not self.declared and self.options and self._allowed.issubset(value):
            # Every value the data has: only rows without one fail. An engine tests that
            # from the column's null flags instead of comparing each row with each value.
            return Condition(self.column, "notnull", ())
        return Condition(self.column, "in", tuple(value))

    def to_query(self, value):
        return [(self.name, param_text(v)) for v in value]


class Select(_Choice):
    """Pick one option, or none: then a filter on a column keeps every row.

    :param none_label: the text of the "no choice" option, shown when the default is
        ``None`` ("All"; a chart parameter may say what it does instead).
    """

    kind = "select"

    def __init__(self, name, column=None, *, none_label: str = "All", **kwargs):
        super().__init__(name, column, **kwargs)
        self.none_label = none_label

    def describe(self):
        return super().describe() | {"none_label": self.none_label}

    def parse(self, args):
        value = _single(args, self.name)
        if value is None or value == "":
            return self.default
        return self._check(value, self.name)

    def condition(self, value):
        return None if value is None else Condition(self.column, "eq", (value,))

    def to_query(self, value):
        return [] if value is None else [(self.name, param_text(value))]


class Range(Filter):
    """A closed interval of numbers, years or dates, as two parameters.

    Its value in a view is a ``(low, high)`` tuple, both ends included. A range over a
    text column is a ``databoard check`` problem (a select fits text).

    :param params: the names of the lower and upper parameters; by default
        ``<name>_from`` and ``<name>_to``.
    :param bounds: the smallest and largest allowed values; derived from the data if
        not given.
    """

    kind = "range"

    def __init__(self, name, column=None, *, params=None, bounds=None, **kwargs):
        super().__init__(name, column, **kwargs)
        self._params = tuple(params) if params else (f"{name}_from", f"{name}_to")
        self.bounds = tuple(bounds) if bounds else None

    @property
    def params(self):
        return self._params

    def bind(self, datasets):
        if self.bounds is None and datasets and self.column is not None:
            found = [b for b in (rows.bounds(self.column) for rows in datasets) if b]
            if found:
                self.bounds = (min(b[0] for b in found), max(b[1] for b in found))
        if self.default is None and self.bounds is not None:
            self.default = self.bounds

    def problems(self):
        if self.bounds is None:
            return []
        if not all(_ordered(b) for b in self.bounds):
            low, high = (param_text(b) for b in self.bounds)
            held = f"column {self.column!r} holds" if self.column else "its bounds are"
            return [
                f"a range needs numbers, years or dates, but {held} text ({low!r} to "
                f"{high!r}); use a select or multiselect"
            ]
        return []

    def parse(self, args):
        if self.default is None:  # an empty column has no bounds: the range keeps every row
            return None
        low_param, high_param = self._params
        low, high = self.default
        bounds = self.bounds or self.default
        value = []
        for param, fallback in ((low_param, low), (high_param, high)):
            text = _single(args, param)
            if text is None or text == "":
                value.append(fallback)
                continue
            number = _coerce(text, bounds[0], param)
            if not bounds[0] <= number <= bounds[1]:
                low, high = param_text(bounds[0]), param_text(bounds[1])
                raise BadParameter(param, f"'{param}' must be between {low} and {high}, not {text}")
            value.append(number)
        if value[0] > value[1]:
            low, high = param_text(value[0]), param_text(value[1])
            raise BadParameter(low_param, f"'{low_param}' ({low}) is after '{high_param}' ({high})")
        return tuple(value)

    def condition(self, value):
        return None if value is None else Condition(self.column, "between", tuple(value))

    def to_query(self, value):
        if value is None:
            return []
        return [(p, param_text(v)) for p, v in zip(self._params, value, strict=True)]

    def describe(self):
        return super().describe() | {"bounds": _json(self.bounds) if self.bounds else None}


class Slider(Filter):
    """One value of a number, year or date column at a time, with a play button.

    The page steps through :attr:`values` when played, redrawing the charts the slider
    drives as an animation (the Gapminder year); paused, the URL holds the step shown.

    :param values: the steps; by default every value of the column, in order.
    :param interval: milliseconds between two steps when playing.
    :param default: the step shown first; by default the last (the latest year).
    """

    kind = "slider"

    def __init__(self, name, column=None, *, values=None, interval: int = 800, **kwargs):
        super().__init__(name, column, **kwargs)
        self.values: tuple = tuple(values) if values is not None else ()
        options.whole("interval", interval, least=50)
        self.interval = interval

    def bind(self, frames):
        if not self.values and frames and self.column is not None:
            self.values = tuple(_unique(frames, self.column))
        if self.default is None and self.values:
            self.default = self.values[-1]

    def problems(self):
        if self.default is None or not self.values:
            return []
        return _not_among(self.default, self.values, "values")

    def parse(self, args):
        text = _single(args, self.name)
        if text is None or text == "" or not self.values:
            return self.default
        value = _coerce(text, self.values[0], self.name)
        if value not in self.values:
            raise BadParameter(self.name, f"unknown value {text!r} for '{self.name}'")
        return value

    def condition(self, value):
        return None if value is None else Condition(self.column, "eq", (value,))

    def to_query(self, value):
        return [] if value is None else [(self.name, param_text(value))]

    def describe(self):
        return super().describe() | {"values": _json(self.values), "interval": self.interval}
