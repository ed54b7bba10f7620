"""Figure JSON, lean and fast: orjson, with plotly.js typed arrays for long numeric arrays.

A numeric array of a trace becomes ``{"dtype": "f8", "bdata": <base64>}`` once it holds
:data:`TYPED_MIN` values or more. Below that a plain list is kept: a short array of
ordinary values (a year, ``67.253``) is no larger as text, every JSON reader can use it
as it is, and the browser parses it as fast. Long arrays, which only big datasets give
after downsampling, are where the binary form pays: fewer bytes for full-precision
floats, integers in 1, 2 or 4 bytes, and no number parsing in the browser.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import math

import numpy as np
import orjson
import pandas as pd

#: The fewest values an array needs before it is sent as a typed array.
TYPED_MIN = 1000

#: Trace keys whose values are data arrays (the rest are styles, labels, templates).
_ARRAY_KEYS = frozenset({"x", "y", "z", "lat", "lon", "values", "size", "customdata"})
_NUMBER = (int, float)
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
_INT_TYPES = (("i1", np.int8), ("i2", np.int16), ("i4", np.int32))


def dumps(obj) -> bytes:
    """Encode *obj* (a figure, or anything holding figures) as JSON bytes.

    NaN and infinities become ``null`` (gaps, never zeros). ``<`` and ``>`` are escaped,
    so the result can be inlined in an HTML ``<script>`` element as it is.
    """
    body = orjson.dumps(_typed(obj), default=_default, option=_OPTIONS)
    return body.replace(b"<", b"\\u003c").replace(b">", b"\\u003e")


def typed_array(values: list) -> dict | list:
    """Return *values* as a plotly.js typed array spec, or unchanged if not all numbers.

    Whole numbers get the smallest integer type that holds them (none past 32 bits: they
    stay a list); anything else (or a missing value) makes the array float64, with NaN
    for a missing value.
    """
    if not all(v is None or (type(v) in _NUMBER) for v in values):
        return values
    if all(type(v) is int for v in values):
        low, high = (min(values), max(values)) if values else (0, 0)
        for code, kind in _INT_TYPES:
            info = np.iinfo(kind)
            if info.min <= low and high <= info.max:
                return _spec(code, np.array(values, dtype=kind))
        return values  # beyond 32 bits: no typed array of plotly.js holds them exactly
    return _spec("f8", np.array(values, dtype=np.float64))


def decode(value):
    """Return a typed array spec as a list (``None`` for NaN); leave anything else alone.

    The inverse of :func:`typed_array`, for Python clients of the API and for tests.
    """
    if not (isinstance(value, dict) and "bdata" in value):
        return value
    dtype = {"f8": np.float64, **{code: kind for code, kind in _INT_TYPES}}[value["dtype"]]
    array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtype)
    return [None if isinstance(v, float) and math.isnan(v) else v for v in array.tolist()]


def _spec(code: str, array: np.ndarray) -> dict:
    return {"dtype": code, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def _typed(obj):
    """Return *obj* with the long arrays of each figure's traces as typed arrays."""
    if isinstance(obj, dict):
        if isinstance(obj.get("data"), list) and "layout" in obj:
            return {**obj, "data": [_trace(t) for t in obj["data"]]}
        return {k: _typed(v) for k, v in obj.items()}
    return obj


def _trace(trace):
    if not isinstance(trace, dict):
        return trace
    out = {}
    for key, value in trace.items():
        if isinstance(value, dict):
            value = _trace(value)
        elif key in _ARRAY_KEYS and isinstance(value, list) and len(value) >= TYPED_MIN:
            value = typed_array(value)
        out[key] = value
    return out


def _default(value):
    """Encode what orjson does not know: pandas and plotly objects, decimals, sets."""
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime.date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
