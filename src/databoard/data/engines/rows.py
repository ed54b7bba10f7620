"""The operations a chart kind may ask of its rows, whatever computes them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

#: How rows sharing keys combine.
AGGREGATES = ("sum", "mean", "median", "min", "max", "count")
#: Columns of :meth:`Rows.box`'s answer, after the keys.
BOX_STATS = ("count", "q1", "median", "q3", "lowerfence", "upperfence", "mean")
#: The name the rows beyond :meth:`Rows.top`'s categories are summed under.
OTHER = "Other"


class RowLimitError(ValueError):
    """More rows than a chart function may receive; the message says how to narrow them."""


@dataclass(frozen=True)
class Condition:
    """One filter's test on one column: ``in`` a list, ``between`` two values, ``eq``, or
    ``notnull`` (any value: the test of a choice of every value).

    The values travel as data to the backend (a pandas mask, or literals Ibis binds),
    never as text pasted into a query.
    """

    column: str
    op: str
    values: tuple


class Rows(Protocol):
    """The rows of a dataset as far as they are narrowed, not yet computed.

    Every method returning ``Rows`` only describes more work; :meth:`to_pandas`,
    :meth:`distinct`, :meth:`bounds`, :meth:`count`, :meth:`top` and the other methods
    returning pandas objects run it.

    ``truncate(column, period)`` moves each date to the start of its period (``W`` a week
    starting on Monday, ``M``, ``Q``, ``Y``), so that an ``aggregate`` grouped by it
    combines a period's rows.
    ``top(category, value, n, other, keys)`` keeps the rows of the *n* categories with
    the largest total *value*, largest first (ties by category), then as they came in
    *keys* order; with *other*, the rows of the remaining categories (a missing category
    among them) summed per further key as one more category, :data:`OTHER`, last.
    ``skip(count)`` drops the first *count* rows (of a sorted answer).
    """

    @property
    def columns(self) -> tuple[str, ...]: ...

    def where(self, conditions: list[Condition]) -> Rows: ...

    def notna(self, *columns: str) -> Rows: ...

    def isin(self, column: str, values: list) -> Rows: ...

    def aggregate(self, keys: list[str], value: str | None, how: str | None) -> Rows: ...

    def latest(self, keys: list[str], by: str) -> Rows: ...

    def nunique_by(self, key: str, column: str) -> pd.Series: ...

    def sort(self, column: str, ascending: bool = True) -> Rows: ...

    def select(self, columns: list[str]) -> Rows: ...

    def head(self, count: int) -> Rows: ...

    def skip(self, count: int) -> Rows: ...

    def truncate(self, column: str, period: str) -> Rows: ...

    def top(
        self, category: str, value: str, n: int, other: bool, keys: list[str]
    ) -> pd.DataFrame: ...

    def count(self) -> int: ...

    def nunique(self, column: str) -> int: ...

    def distinct(self, column: str) -> list: ...

    def pairs(self, column: str, labels: str) -> dict: ...

    def bounds(self, column: str) -> tuple[Any, Any] | None: ...

    def histogram(self, x: str, color: str | None, bins: int | None) -> pd.DataFrame: ...

    def box(self, y: str, keys: list[str]) -> pd.DataFrame: ...

    def m4(self, x: str, y: str, keys: list[str], width: int) -> Rows: ...

    def to_pandas(self, limit: int | None = None) -> pd.DataFrame: ...


def auto_bin_edges(count: int, low: float, high: float, iqr: float, bins: int | None):
    """Return histogram bin edges as numpy's ``"auto"`` rule picks them (at most 50).

    Engines give the count, range and quartiles of a column in one query; numpy's rule
    needs nothing more, so an engine's histogram has the bins the in-memory one has.
    """
    if high == low:  # numpy: one bin of width one around the only value
        return np.linspace(low - 0.5, high + 0.5, (bins or 1) + 1)
    if bins is None:
        sturges = (high - low) / (math.log2(count) + 1.0)
        freedman = 2.0 * iqr * count ** (-1.0 / 3.0)
        width = min(freedman, sturges) if freedman else sturges
        bins = max(int(math.ceil((high - low) / width)), 1)
        if bins > 50:
            bins = 50
    return np.linspace(low, high, bins + 1)


def empty_histogram(color: str | None) -> pd.DataFrame:
    return pd.DataFrame(columns=["bin_start", "bin_end", color or "series", "count"])


def other_keys(category: str, keys: list[str]) -> list[str]:
    """Return the keys (colour, facet) whose rows stay apart in "Other", in order."""
    return [k for k in dict.fromkeys(keys) if k and k != category]
