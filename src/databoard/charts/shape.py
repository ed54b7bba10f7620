"""Shape a chart's rows before they are drawn: the top N categories, dates by period.

Both are steps on the rows a kind shows (and offers for download), written as plain
functions of a DataFrame so that a query engine can run the same step in place later.
"""

from __future__ import annotations

import pandas as pd

#: The name the rows beyond the top N are summed under.
OTHER = "Other"

#: ``resample`` codes: the pandas period, the axis tick format, and the text of a label.
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


def resample(frame: pd.DataFrame, column: str, code: str) -> pd.DataFrame:
    """Return *frame* with each date of *column* moved to the start of its period.

    Rows of one period then share their date, and the kind's ``aggregate`` combines them:
    five years of daily rows become 60 monthly bars. Weeks start on Monday.

    :raise ValueError: if *column* does not hold dates.
    """
    dates = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ValueError(f"resample needs dates in {column!r}, not {dates.dtype} values")
    if getattr(dates.dt, "tz", None) is not None:  # a period has no time zone
        dates = dates.dt.tz_localize(None)
    starts = dates.dt.to_period(PERIODS[code][0]).dt.start_time
    return frame.assign(**{column: starts})


def period_labels(dates: pd.Series, code: str) -> pd.Series:
    """Return the period each date (a period start) stands for as text: ``2024 Q1``."""
    label = PERIODS[code][2]
    periods = dates.dt.to_period(PERIODS[code][0])
    text = periods.map(lambda p: None if pd.isna(p) else label(p)).astype(object)
    return text.where(periods.notna(), None)


def top_n(
    frame: pd.DataFrame, category: str, value: str, n: int, other: bool, keys=()
) -> pd.DataFrame:
    """Keep the rows of the *n* categories with the largest total *value*, largest first.

    :param keys: further columns (colour, facet) whose rows stay apart in "Other".
    :param other: sum the rows of the remaining categories as one more category,
        :data:`OTHER`, placed last.
    :return: the rows, ordered by their category's rank (then as they came).
    """
    totals = frame.groupby(category, observed=True, sort=False)[value].sum(min_count=1)
    ranked = totals.dropna().sort_values(ascending=False, kind="stable")
    kept = ranked.index[:n]
    rank = pd.Series(range(len(kept)), index=kept)
    inside = frame[frame[category].isin(kept)]
    inside = inside.assign(_rank=inside[category].map(rank).to_numpy(dtype=int))
    inside = inside.sort_values("_rank", kind="stable").drop(columns="_rank")
    rest = frame[~frame[category].isin(kept) & frame[value].notna()]
    if not other or rest.empty:
        return inside
    keys = [k for k in dict.fromkeys(keys) if k and k != category]
    if keys:
        summed = rest.groupby(keys, observed=True, sort=False)[value].sum().reset_index()
    else:
        summed = pd.DataFrame({value: [rest[value].sum()]})
    summed.insert(0, category, OTHER)
    combined = pd.concat([_as_text(inside, category), summed], ignore_index=True)
    return combined[[c for c in inside.columns if c in combined.columns]]


def _as_text(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return *frame* with *column* able to hold "Other" (categories become objects)."""
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype != object:
        return frame.assign(**{column: series.astype(object)})
    return frame
