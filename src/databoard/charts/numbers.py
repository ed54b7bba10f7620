"""How numbers are shown: d3-format specifiers, one per column, the same everywhere.

Plotly formats axes, hovers and KPI values with d3-format (``tickformat``,
``hoverformat``, ``%{y:,.0f}``); the page's Table view formats with the same rules
(``databoard-numbers.js``), and the table kind's cells are formatted here. So a column
has one specifier, given by the author (a dataset's or a chart's ``formats``) or chosen
from its values (:func:`default_spec`): whole numbers exactly with thousands separators
(``,d``), years never grouped (``d``), other numbers with the same decimals down the
column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from .base import Columns

#: ``[[fill]align][sign][symbol][0][width][,][.precision][~][type]``, as d3-format reads it
SPEC = re.compile(
    r"^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(?:\.(\d+))?(~)?([a-z%])?$", re.I
)
TYPES = set("bcdeEfFgGnoprsxX%")
PREFIXES = ["y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"]
#: Integer columns with one of these words in their name hold years or periods: no commas.
YEARLIKE = re.compile(r"(^|[^a-z])(year|yr|date|period|quarter|month|week|day)s?([^a-z]|$)", re.I)
#: The most decimals a column is shown with by default.
MAX_DECIMALS = 6


class FormatError(ValueError):
    """A format specifier d3-format does not read."""


def check_spec(spec: Any) -> str:
    """Return *spec* if d3-format reads it, else raise :class:`FormatError` saying why."""
    if not isinstance(spec, str):
        raise FormatError(f"a format is a d3-format text such as ',.0f', not {spec!r}")
    match = SPEC.match(spec)
    if match is None or (match.group(10) and match.group(10) not in TYPES):
        raise FormatError(
            f"{spec!r} is not a d3-format specifier (examples: ',d', ',.2f', '$.3s', '.1%')"
        )
    return spec


def check_specs(formats: Mapping | None, where: str) -> dict[str, str]:
    """Return *formats* (column -> specifier) checked, naming *where* in an error."""
    if formats is None:
        return {}
    if not isinstance(formats, Mapping):
        raise FormatError(f"{where}: formats is a mapping of column to d3-format, not {formats!r}")
    out = {}
    for column, spec in formats.items():
        try:
            out[str(column)] = check_spec(spec)
        except FormatError as error:
            raise FormatError(f"{where}: format of {column!r}: {error}") from None
    return out


# -- the d3-format algorithm, for one number --------------------------------------------


def _exact(x: float) -> Decimal:
    return Decimal(x)


def _to_fixed(x: float, p: int) -> str:
    """``Number.prototype.toFixed``: ties round away from zero, as JavaScript does."""
    return str(_exact(x).quantize(Decimal(1).scaleb(-p), rounding=ROUND_HALF_UP))


def _to_exponential(x: float, p: int) -> str:
    """``Number.prototype.toExponential``: ``1.23e+4``."""
    if x == 0:
        return ("0." + "0" * p if p else "0") + "e+0"
    exponent = _exact(x).adjusted()
    digits = _exact(x).scaleb(-exponent).quantize(Decimal(1).scaleb(-p), rounding=ROUND_HALF_UP)
    if abs(digits) >= 10:  # 9.99 rounded up to 10.0
        exponent += 1
        digits = _exact(x).scaleb(-exponent).quantize(Decimal(1).scaleb(-p), ROUND_HALF_UP)
    sign = "+" if exponent >= 0 else "-"
    return f"{digits}e{sign}{abs(exponent)}"


def _to_precision(x: float, p: int) -> str:
    """``Number.prototype.toPrecision``: fixed, or exponential for very large or small."""
    if x == 0:
        return "0." + "0" * (p - 1) if p > 1 else "0"
    text = _to_exponential(x, p - 1)
    exponent = int(text[text.index("e") + 1 :])
    if exponent < -6 or exponent >= p:
        return text
    return _to_fixed(x, max(0, p - 1 - exponent))


def _decimal_parts(x: float, p: int) -> tuple[str, int]:
    """Return the significant digits of *x* to *p* places and its decimal exponent."""
    text = _to_exponential(x, p - 1)
    mantissa, exponent = text.split("e")
    return mantissa.replace(".", ""), int(exponent)


def _rounded(x: float, p: int) -> str:
    coefficient, exponent = _decimal_parts(x, p)
    if exponent < 0:
        return "0." + "0" * (-exponent - 1) + coefficient
    if len(coefficient) > exponent + 1:
        return coefficient[: exponent + 1] + "." + coefficient[exponent + 1 :]
    return coefficient + "0" * (exponent - len(coefficient) + 1)


def _prefixed(x: float, p: int) -> tuple[str, int]:
    """The ``s`` type: digits and the SI prefix's exponent (k, M, G...)."""
    coefficient, exponent = _decimal_parts(x, p)
    shift = max(-8, min(8, math.floor(exponent / 3))) * 3
    i = exponent - shift + 1
    n = len(coefficient)
    if i == n:
        return coefficient, shift
    if i > n:
        return coefficient + "0" * (i - n), shift
    if i > 0:
        return coefficient[:i] + "." + coefficient[i:], shift
    return "0." + "0" * (-i) + _decimal_parts(x, max(1, p + i))[0], shift


def _trim(text: str) -> str:
    """Drop insignificant trailing zeros (and a lone point) from a number's digits."""
    start = end = -1
    for i in range(1, len(text)):
        char = text[i]
        if char == ".":
            start = end = i
        elif char == "0":
            if start == 0:
                start = i
            end = i
        elif not char.isdigit():
            break
        elif start > 0:
            start = 0
    return text[:start] + text[end + 1 :] if start > 0 else text


def _group(digits: str) -> str:
    head, rest = digits[: len(digits) % 3 or 3], digits[len(digits) % 3 or 3 :]
    return ",".join([head, *[rest[i : i + 3] for i in range(0, len(rest), 3)]])


def as_plotly(spec: str) -> str:
    """Return *spec* as plotly.js reads it: it trims the zeros of a few specifiers
    (``p``, ``s``, ``f`` without a precision; its ``Lib.adjustFormat``), so ``p`` shows
    50% where d3-format alone shows 50.0000%."""
    if not spec or re.match(r"^\d[.]\df", spec) or re.search(r"[.]\d%", spec):
        return spec
    if spec == "0.f":
        return "~f"
    if re.match(r"^\d%", spec):
        return "~%"
    if re.match(r"^\ds", spec):
        return "~s"
    sign = re.match(r"^[+\-( ]?", spec).group(0)
    rest = spec[len(sign) :]
    if not re.match(r"^[~,.0$#]", rest) and re.search(r"[&fps]", rest):
        return sign + "~" + rest
    return spec


def d3_format(spec: str, value: Any) -> str:
    """Return *value* formatted by the d3-format specifier *spec*, as plotly.js shows it.

    Supports what authors write: fill and alignment, sign, ``$``, width, ``,``,
    precision, ``~`` and the types ``d f e g r s % p n``; ``""`` if *value* is missing.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    fill, align, sign, symbol, zero, width, comma, precision, trim, kind = SPEC.match(
        as_plotly(check_spec(spec))
    ).groups()
    if zero:
        fill, align = fill or "0", align or "="
    fill, align, sign = fill or " ", align or ">", sign or "-"
    width_n = int(width) if width else 0
    prec = int(precision) if precision is not None else None
    trimmed = bool(trim)
    kind = kind or ""
    if kind == "n":
        comma, kind = ",", "g"
    elif kind not in TYPES:
        prec = 12 if prec is None else prec
        trimmed, kind = True, "g"
    if prec is None:
        prec = 6
    elif kind in "gprs":
        prec = max(1, min(21, prec))
    else:
        prec = max(0, min(20, prec))
    x = float(value)
    negative = x < 0 or math.copysign(1, x) < 0
    x = abs(x)
    suffix = "%" if kind in "%p" else ""
    prefix = (
        "$" if symbol == "$" else ("0" + kind.lower() if symbol == "#" and kind in "boxX" else "")
    )
    si = 0
    if math.isinf(x):
        text = "Infinity"
    elif kind == "d":
        text = str(int(_exact(x).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    elif kind in "fF":
        text = _to_fixed(x, prec)
    elif kind == "%":
        text = _to_fixed(x * 100, prec)
    elif kind in "eE":
        text = _to_exponential(x, prec)
    elif kind in "gG":
        text = _to_precision(x, prec)
    elif kind == "r":
        text = _rounded(x, prec)
    elif kind == "p":
        text = _rounded(x * 100, prec)
    elif kind == "s":
        text, si = _prefixed(x, prec)
    else:  # b, o, x, X, c: whole numbers in another base, rarely wanted in a table
        n = int(round(x))
        text = {"b": f"{n:b}", "o": f"{n:o}", "x": f"{n:x}", "X": f"{n:X}"}.get(kind, str(n))
    if trimmed:
        text = _trim(text)
    if negative and sign != "+" and _is_zero(text):
        negative = False  # -0.001 shown as "0.00" has no sign
    before = ("-" if sign != "(" else "(") if negative else ("" if sign in "-(" else sign)
    after = (PREFIXES[8 + si // 3] if kind == "s" else "") + suffix
    after += ")" if negative and sign == "(" else ""
    number, tail = text, ""
    for i, char in enumerate(text):
        if not char.isdigit():
            number, tail = text[:i], text[i:]
            break
    if comma and not zero:
        number = _group(number)
    head = before + prefix
    length = len(head) + len(number) + len(tail) + len(after)
    padding = fill * (width_n - length) if length < width_n else ""
    if comma and zero and padding:
        number = _group(padding + number)[-(width_n - len(tail) - len(after) - len(head)) :]
        padding = ""
    if align == "<":
        return head + number + tail + after + padding
    if align == "=":
        return head + padding + number + tail + after
    if align == "^":
        half = len(padding) // 2
        return padding[:half] + head + number + tail + after + padding[half:]
    return padding + head + number + tail + after


def _is_zero(text: str) -> bool:
    return not any(c in "123456789" for c in text.split("e")[0])


# -- choosing a column's specifier ----------------------------------------------------


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def default_spec(name: Any, series) -> str | None:
    """Return the specifier a numeric column is shown with when its author gave none.

    Whole numbers (integer columns, and floats whose every value is whole) are shown
    exactly, with thousands separators unless the name says years or dates; other
    numbers with the fewest decimals (at most :data:`MAX_DECIMALS`) that show every value
    of the column to six significant digits, the same decimals on every row.

    :param series: the column, or its values (a NumPy or pandas array).
    :return: ``None`` for a column that is not numbers (text, dates, booleans).
    """
    dtype = series.dtype
    # Every chart draw asks this of its columns: plain numpy columns skip pandas' checks.
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return _whole(name)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        numbers = np.asarray(series)
    elif _numeric(series) and not isinstance(series, np.ndarray):
        numbers = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        return None
    # Block by block, so a download of millions of rows holds a few temporaries of one
    # block, not of the column. The fewest decimals all blocks take is the largest any
    # block needs, confirmed over every block when there are several.
    blocks = [numbers[start : start + BLOCK] for start in range(0, len(numbers), BLOCK)]
    decimals = WHOLE
    for block in blocks:
        decimals = _decimals(block, decimals)
    while len(blocks) > 1 and WHOLE < decimals < MAX_DECIMALS:
        if all(_decimals(block, decimals) == decimals for block in blocks):
            break
        decimals += 1
    return _whole(name) if decimals == WHOLE else f",.{decimals}f"


#: Values a number column's format is chosen from at a time.
BLOCK = 1 << 16
#: What :func:`_decimals` says of whole numbers.
WHOLE = -1


def _decimals(numbers: np.ndarray, least: int) -> int:
    """Return the fewest decimals, from *least* on, showing every finite value of
    *numbers* to six significant digits (:data:`WHOLE` if they are all whole numbers)."""
    numbers = numbers[np.isfinite(numbers)]
    size = np.abs(numbers)
    if least == WHOLE:
        if not numbers.size or ((size < 2**53).all() and (numbers == np.round(numbers)).all()):
            return WHOLE
        least = 0
    tolerance = np.maximum(size * 5e-6, 0.5 * 10.0**-MAX_DECIMALS)
    for decimals in range(least, MAX_DECIMALS):
        if (np.abs(np.round(numbers, decimals) - numbers) <= tolerance).all():
            return decimals
    return MAX_DECIMALS


def _whole(name: Any) -> str:
    return "d" if YEARLIKE.search(str(name)) else ",d"


def column_specs(frame: pd.DataFrame, declared: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the specifier of every numeric column of *frame*: *declared* first, then
    the default (:func:`default_spec`)."""
    declared = declared or {}
    specs = {}
    for column in frame.columns:
        spec = declared.get(str(column)) or default_spec(column, frame[column])
        if spec:
            specs[str(column)] = spec
    return specs


def spec_of(frame: pd.DataFrame | Columns, column: str | None, declared: Mapping[str, str]) -> str:
    """Return the specifier of one *column* of *frame* (``""`` for text or none).

    :param frame: a DataFrame, or the :class:`~.base.Columns` a figure reads it through
        (each column is taken from the frame once).
    """
    if column is None:
        return ""
    if column in declared:
        return declared[column]
    if isinstance(frame, Columns):  # the column's array, read with the others
        values = frame.array(column) if column in frame.frame.columns else None
    else:
        values = frame[column] if column in frame.columns else None
    return "" if values is None else default_spec(column, values) or ""


def format_column(series: pd.Series, spec: str) -> list:
    """Return the values of *series* as text by *spec* (numbers only; others as they are)."""
    out = []
    for value in series.tolist():
        if isinstance(value, int | float | np.number) and not isinstance(value, bool):
            out.append(d3_format(spec, value))
        elif value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            out.append("")
        else:
            out.append(value)
    return out


def declared(chart: Any, view: Any) -> dict[str, str]:
    """Return the specifiers the author gave for *chart*'s columns (its dataset's, then
    its own); a view carries its dashboard, which knows the dataset's."""
    board = getattr(view, "dashboard", None)
    return board.formats_of(chart) if board is not None else dict(chart.formats or {})


def hover(spec: str) -> str:
    """Return the hovertemplate format of a specifier: ``:,d`` (``""`` shows as is)."""
    return f":{spec}" if spec else ""
