"""The in-memory backend's own shortcuts give what pandas gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.arrays import NumpyExtensionArray

from databoard.charts.base import json_ready, present
from databoard.data.engines import Condition, FrameRows
from databoard.data.engines.memory import arrays_of, condition_mask


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    """One column of every kind a dataset holds, some of each missing."""
    rows = 50
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "small": rng.integers(0, 100, rows).astype("int16"),
            "value": np.where(rng.random(rows) < 0.2, np.nan, rng.random(rows)),
            "flag": rng.random(rows) < 0.5,
            "region": pd.Categorical(rng.choice(["North", "South", None], rows)),
            "name": pd.Series(rng.choice(["a", "b", None], rows), dtype="str"),
            "objects": pd.Series(rng.choice(["x", "y"], rows), dtype=object),
            "count": pd.array(np.where(rng.random(rows) < 0.2, None, 3), dtype="Int64"),
            "when": pd.date_range("2024-01-01", periods=rows, freq="h", tz="Europe/Paris"),
            "day": pd.date_range("2024-01-01", periods=rows, freq="D"),
        },
        index=pd.Index(rng.permutation(rows) * 3, name="row"),
    )
    frame.attrs["source"] = "generated"
    return frame


@pytest.mark.parametrize(
    "positions", [[], [0], [3, 1, 4, 1, 5], list(range(0, 50, 7)), list(range(50))]
)
def test_take_gives_what_pandas_take_gives(mixed, positions):
    positions = np.array(positions, dtype=np.intp)
    got = FrameRows(mixed).take(positions)
    pd.testing.assert_frame_equal(got, mixed.take(positions))
    assert got.attrs == {"source": "generated"}


def test_arrays_read_at_once_are_each_columns_own(mixed):
    arrays = arrays_of(mixed)
    assert list(arrays) == list(mixed.columns)
    for name, array in arrays.items():
        column = mixed[name]
        expected = column.array  # a NumPy column's as a NumPy array
        expected = expected.to_numpy() if isinstance(expected, NumpyExtensionArray) else expected
        assert type(array) is type(expected) and array.dtype == expected.dtype
        assert (present(array) == column.notna().to_numpy()).all()
        assert json_ready(array).tolist() == json_ready(column).tolist()
    assert arrays_of(mixed.set_axis(["a"] * len(mixed.columns), axis=1)) is None


def test_take_with_repeated_column_names_is_pandas_take(mixed):
    frame = mixed[["small", "value"]].set_axis(["a", "a"], axis=1)
    positions = np.array([2, 0])
    pd.testing.assert_frame_equal(FrameRows(frame).take(positions), frame.take(positions))


@pytest.mark.parametrize(
    "condition",
    [
        Condition("region", "in", ("North",)),
        Condition("region", "notnull", ()),
        Condition("name", "in", ("a", "b")),
        Condition("small", "between", (10, 60)),
        Condition("value", "between", (0.2, 0.7)),
        Condition("objects", "eq", ("x",)),
    ],
)
def test_masks_read_from_the_columns_kept_ready(mixed, condition):
    rows = FrameRows(mixed)
    got, expected = rows.mask(condition), condition_mask(mixed, condition)
    assert (got is None) == (expected is None)
    if got is not None:
        np.testing.assert_array_equal(got, expected)
