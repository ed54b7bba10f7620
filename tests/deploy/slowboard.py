"""A tiny dashboard whose loading and chart a test can hold, to watch a server meanwhile.

``SLOWBOARD_GATE``: a file path. Loading touches ``<gate>.loading`` and then waits until
the gate file exists, so a test can look at a server that has not loaded its data yet.
``SLOWBOARD_RELEASE``: a file path. With ``?mode=hold`` the chart touches
``<release>.started`` and waits until the release file exists: a request that stays in
flight as long as needed. With ``?mode=fail`` it raises: a server error on demand. Its
default view is quick, so the checks at start-up pass.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from databoard import Dashboard, Select

#: How long a held step waits for its file before giving up, so no test can hang.
LIMIT = 30

board = Dashboard("slow", title="Slow board", description="A dashboard for deploy tests.")
board.add_filter(Select("mode", options=["ok", "hold", "fail"], default="ok"))


def hold(variable: str, step: str) -> None:
    """If *variable* names a file: touch ``<file>.<step>``, then wait until the file exists."""
    path = os.environ.get(variable)
    if not path:
        return
    Path(f"{path}.{step}").touch()
    deadline = time.monotonic() + LIMIT
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.02)


@board.dataset
def numbers() -> pd.DataFrame:
    hold("SLOWBOARD_GATE", "loading")
    return pd.DataFrame({"x": [1, 2, 3], "y": [2.0, 4.0, 8.0]})


@board.chart("slow", "Slow chart", filters=("mode",))
def slow(frame: pd.DataFrame, view) -> go.Figure:
    if view["mode"] == "fail":
        raise RuntimeError("failing on demand")
    if view["mode"] == "hold":
        hold("SLOWBOARD_RELEASE", "started")
    return go.Figure(go.Scatter(x=frame["x"].tolist(), y=frame["y"].tolist()))
