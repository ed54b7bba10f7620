"""A dashboard whose chart fails on its default view: a server must refuse to start."""

from __future__ import annotations

import pandas as pd

from databoard import Dashboard

board = Dashboard("broken", title="Broken board")


@board.dataset
def numbers() -> pd.DataFrame:
    return pd.DataFrame({"x": [1, 2, 3]})


@board.chart("fails", "A chart that fails")
def fails(frame: pd.DataFrame, view):
    return frame["no such column"]
