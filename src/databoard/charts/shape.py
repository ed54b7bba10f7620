"""Options that shape a chart's rows: the top N categories, dates by period.

The steps themselves are :class:`~databoard.data.engines.Rows` operations (``top``,
``truncate``), so they run where the rows are, in pandas or in the engine; here are
the ``resample`` codes and the labels a period is drawn with.
"""

from __future__ import annotations

import pandas as pd

#: ``resample`` codes (as :meth:`Rows.truncate` takes them): the pandas period, the axis
#: tick format, and the text of a label.
PERIODS = {
    "W": ("W", "%d %b %Y", lambda p: f"Week of {p.start_time:%d %b %Y}"),
    "M": ("M", "%b %Y", lambda p: f"{p.start_time:%b %Y}"),
    "Q": ("Q", "%Y Q%q", lambda p: f"{p.year} Q{p.quarter}"),
    "Y": ("Y", "%Y", lambda p: f"{p.year}"),
}


def check_period(code: str | None) -> None:
    """Raise ``ValueError`` naming the codes when *code* is not a ``resample`` code."""
    if code is not None and code not in PERIODS:
        raise ValueError(f"resample must be one of {', '.join(PERIODS)}, not {code!r}")


def period_labels(dates: pd.Series, code: str) -> pd.Series:
    """Return the period each date (a period start) stands for as text: ``2024 Q1``."""
    label = PERIODS[code][2]
    periods = dates.dt.to_period(PERIODS[code][0])
    text = periods.map(lambda p: None if pd.isna(p) else label(p)).astype(object)
    return text.where(periods.notna(), None)
