"""Figure JSON is lean and exact: typed arrays for long numeric arrays, plain lists else."""

from __future__ import annotations

import json

import numpy as np
import orjson
import pandas as pd
import pytest

from databoard.charts.encode import TYPED_MIN, decode, dumps, typed_array


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([1990, 1991, 2023], "i2"),
        ([-3, 0, 100], "i1"),
        ([0, 70_000], "i4"),
        ([0.5, None, 1e300, -2.25], "f8"),
        ([1, 2.5], "f8"),
        ([None, None], "f8"),
    ],
)
def test_typed_arrays_round_trip_exactly(values, dtype):
    spec = typed_array(values)
    assert spec["dtype"] == dtype
    assert decode(spec) == values


@pytest.mark.parametrize("values", [["1990", "1991"], [True, False], [1, "2"], [2**40, 2**70]])
def test_what_no_typed_array_holds_exactly_stays_a_list(values):
    assert typed_array(values) == values


def figure(n: int) -> dict:
    return {
        "data": [
            {
                "type": "scatter",
                "x": list(range(n)),
                "y": [float(i) / 3 if i % 7 else None for i in range(n)],
                "text": [str(i) for i in range(n)],
                "marker": {"size": [5] * n, "color": "#000"},
            }
        ],
        "layout": {"title": {"text": "<b>x</b>"}, "xaxis": {"range": [0, n]}},
    }


def test_only_long_arrays_of_traces_are_typed():
    short = json.loads(dumps(figure(TYPED_MIN - 1)))
    assert isinstance(short["data"][0]["y"], list)
    long = json.loads(dumps(figure(TYPED_MIN)))
    trace = long["data"][0]
    assert trace["x"]["dtype"] == "i2" and trace["y"]["dtype"] == "f8"
    assert trace["marker"]["size"]["dtype"] == "i1"
    assert isinstance(trace["text"], list)  # text stays text
    assert long["layout"]["xaxis"]["range"] == [0, TYPED_MIN]  # layout is never typed
    assert decode(trace["y"]) == figure(TYPED_MIN)["data"][0]["y"]


def test_output_is_valid_json_and_safe_inside_html():
    body = dumps({"data": [], "layout": {"title": "</script><b>"}, "v": float("nan")})
    assert b"<" not in body and b">" not in body
    assert json.loads(body) == {"data": [], "layout": {"title": "</script><b>"}, "v": None}


def test_pandas_and_numpy_values_are_encoded():
    body = orjson.loads(
        dumps(
            {
                "when": pd.Timestamp("2024-01-31"),
                "missing": pd.NaT,
                "array": np.array([1.5, np.nan]),
                "objects": np.array(["a", None], dtype=object),
                "number": np.int64(3),
            }
        )
    )
    assert body == {
        "when": "2024-01-31T00:00:00",
        "missing": None,
        "array": [1.5, None],
        "objects": ["a", None],
        "number": 3,
    }
