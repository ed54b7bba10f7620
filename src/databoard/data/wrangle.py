"""The simple wrangling a dashboard file can ask of a dataset, without code."""

from __future__ import annotations

import re
import warnings

import pandas as pd


class WrangleError(ValueError):
    """A wrangling step that does not fit the data (an unknown column, a bad query)."""


def _need(frame: pd.DataFrame, columns, step: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise WrangleError(
            f"{step}: unknown column {', '.join(map(repr, missing))} "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )


def melt(
    frame: pd.DataFrame,
    id: list[str],
    columns: str = r"^\d{4}$",
    var: str = "year",
    value: str = "value",
) -> pd.DataFrame:
    """Turn one-column-per-year (or any columns matching *columns*) into rows.

    Year-like column names become integers, and values become numbers.
    """
    _need(frame, id, "melt")
    pattern = re.compile(columns)
    wide = [c for c in frame.columns if pattern.search(str(c))]
    if not wide:
        raise WrangleError(f"melt: no column matches {columns!r}")
    long = frame.melt(id_vars=id, value_vars=wide, var_name=var, value_name=value)
    names = long[var].astype(str)
    if names.str.fullmatch(r"\d+").all():
        long[var] = names.astype("int64")
    long[value] = pd.to_numeric(long[value], errors="coerce")
    return long


def apply(
    frame: pd.DataFrame,
    rename: dict[str, str] | None = None,
    melt_spec: dict | None = None,
    dates: list[str] | None = None,
    query: str | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Apply the steps in a fixed order: rename, melt, parse dates, query, keep columns."""
    if rename:
        _need(frame, rename, "rename")
        frame = frame.rename(columns=rename)
    if melt_spec:
        frame = melt(frame, **melt_spec)
    for column in dates or []:
        _need(frame, [column], "dates")
        with warnings.catch_warnings():  # "could not infer format": each value is tried
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(frame[column], errors="coerce")
        given = frame[column].notna() & (frame[column].astype(str).str.strip() != "")
        if given.any() and parsed[given].isna().all():
            first = frame[column][given].iloc[0]
            raise WrangleError(f"dates: no value of {column!r} reads as a date (first: {first!r})")
        frame = frame.assign(**{column: parsed})
    if query:
        try:
            frame = frame.query(query)
        except Exception as error:  # pandas raises many types for a bad expression
            raise WrangleError(f"query {query!r}: {error}") from None
    if columns:
        _need(frame, columns, "columns")
        frame = frame[columns]
    return frame
