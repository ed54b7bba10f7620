"""A tiny dashboard over the CSV file that ``TINYBOARD_CSV`` names, for the cache tests."""

from __future__ import annotations

import os

import pandas as pd

from databoard import Dashboard, Line, Range

board = Dashboard("tiny", title="Tiny")


@board.dataset
def points() -> pd.DataFrame:
    return pd.read_csv(os.environ["TINYBOARD_CSV"])


board.add_filter(Range("x", "x", params=("from", "to")))
board.add_chart("y", "Y against x", kind=Line(x="x", y="y"))
