"""Keep spreadsheets from running what a CSV download holds.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to Excel, LibreOffice and Google Sheets (``=cmd|' /C calc'!A0``). As OWASP advises, such
text cells get a leading single quote, which spreadsheets read as "this is text" and
hide. Numbers are left alone, so ``-3.5`` stays a number, whether it is in a number
column or written as text. Only CSV downloads are escaped; the JSON API keeps every
value exactly.
"""

from __future__ import annotations

import re

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def escape_cell(value):
    """Return *value* with a leading ``'`` if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _escape_column(column: pd.Series) -> pd.Series | None:
    """Return *column* escaped, or ``None`` if it has no text a spreadsheet would run."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = list(column.cat.categories)
        renamed = [escape_cell(c) for c in categories]
        if renamed == categories:
            return None
        if len(set(renamed)) == len(renamed):  # each value escaped once, not per row
            return column.cat.rename_categories(renamed)
        column = column.astype(object)
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return None
    try:
        risky = column.str.match(r"[=+\-@\t\r]", na=False)
    except AttributeError:  # no text in it at all
        return None
    if not risky.any():
        return None
    escaped = column.astype(object).copy()
    escaped[risky] = column[risky].map(escape_cell)
    return escaped


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return *frame* with :func:`escape_cell` applied to its text cells and column names.

    Number, boolean and date columns are returned untouched (and *frame* is not changed).
    """
    escaped = {}
    for position, (_, column) in enumerate(frame.items()):
        done = _escape_column(column)
        if done is not None:
            escaped[position] = done
    columns = [escape_cell(name) for name in frame.columns]
    if not escaped and columns == list(frame.columns):
        return frame
    out = frame.copy(deep=False)
    for position, column in escaped.items():
        out.isetitem(position, column)
    out.columns = columns
    return out


def comment(text: str) -> str:
    """Return *text* on one line, for a ``# name: value`` line above the rows.

    A line break in a title or filter value would otherwise start a row of its own,
    where a formula could hide.
    """
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", str(text))
