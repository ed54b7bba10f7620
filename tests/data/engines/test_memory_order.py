"""Sorting in memory keeps ties in their order: the same rows on every machine."""

from __future__ import annotations

import numpy as np
import pandas as pd

from databoard.charts.base import Columns
from databoard.charts.xy import in_order
from databoard.data.engines import FrameRows

#: Many ties among few values: NumPy's default sort (CPU-specific kernels) mixes them up.
VALUES = np.random.default_rng(7).integers(0, 5, 5_000).astype(float)


def test_sorting_rows_keeps_ties_in_their_order():
    frame = pd.DataFrame({"price": VALUES, "id": np.arange(len(VALUES))})
    for ascending in (True, False):
        ordered = FrameRows(frame).sort("price", ascending=ascending).frame
        for _, tied in ordered.groupby("price"):
            assert tied["id"].is_monotonic_increasing


def test_a_series_drawn_in_x_order_keeps_ties_in_their_order():
    data = Columns(pd.DataFrame({"x": VALUES}))
    order = in_order(data, "x", np.arange(len(VALUES)))
    assert (VALUES[order][1:] >= VALUES[order][:-1]).all()
    for value in np.unique(VALUES):
        assert (np.diff(order[VALUES[order] == value]) > 0).all()
