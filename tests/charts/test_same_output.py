"""Every chart draws the same bytes as the recorded renders (``same_output.json``).

Chart building is tuned for speed; this guards that no tuning changes a figure or a
download by a byte. Every chart of the World Bank dashboard, of the authoring guide's
examples and of a board using every kind and option is drawn for several views; the
figure JSON (typed arrays and downsampling included) and the rows as CSV are compared,
by digest, with the renders recorded in ``same_output.json``. A change that means to
change output records them again::

    DATABOARD_RECORD_OUTPUT=1 pytest tests/charts/test_same_output.py

The numbers themselves are checked against the data files by the API tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import numpy as np
import pandas as pd
import pytest
from werkzeug.datastructures import MultiDict

from databoard import (
    Area,
    Bar,
    Box,
    Choropleth,
    Dashboard,
    Histogram,
    Kpi,
    Line,
    MultiSelect,
    Pie,
    Range,
    Scatter,
    Table,
)
from databoard.charts import encode
from databoard.dashboards.worldbank import dashboard as worldbank

from support import ROOT

RECORDED = ROOT / "tests" / "charts" / "same_output.json"
RECORD = os.environ.get("DATABOARD_RECORD_OUTPUT") == "1"

TOP10 = "country=USA&country=CHN&country=JPN&country=DEU&country=GBR&country=IND&country=FRA"
WORLDBANK_VIEWS = [
    "",
    TOP10 + "&country=BRA&country=ITA&country=CAN",
    "country=IND&country=USA&country=NGA&from=2000&to=2010",
    "country=CHN&from=1960&to=1962",
    "country=DEU&country=FRA&from=1995&to=1995",
    "map_indicator=SP.DYN.LE00.IN&map_year=2010",
    "map_indicator=EN.ATM.CO2E.PC&map_year=1961",
    "country=ZWE&country=ARG&country=AUS&country=BRA&country=CAN&country=CHL&country=COL"
    "&country=EGY&country=ESP&country=ETH&country=IDN&country=IRN&country=KEN&country=MEX",
]


def every_kind() -> Dashboard:
    """A board drawing every kind with its options, over rows with gaps, ties and dates."""
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), "D"),
            "month": rng.integers(1, 13, n),
            "region": rng.choice(["North", "South", "East", "West", None], n),
            "shop": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "units": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 50, n)),
            "price": rng.gamma(2.0, 3.0, n).round(2),
            "iso": rng.choice(["USA", "FRA", "IND", "CHN", "BRA"], n),
        }
    )
    board = Dashboard("kinds", title="Every kind", root=".")
    board.add_dataset("sales", lambda: frame)
    board.add_filter(MultiSelect("region", "region"))
    board.add_filter(Range("month", "month", params=("from", "to")))
    charts = {
        "line": Line(x="month", y="units", color="region", aggregate="sum", markers=True),
        "line-dates": Line(x="day", y="price", color="shop", aggregate="mean"),
        "line-raw": Line(x="month", y="price", color="shop"),
        "line-plain": Line(x="day", y="units", aggregate="max"),
        "area": Area(x="month", y="units", color="region", aggregate="sum"),
        "scatter": Scatter(x="price", y="units", color="region", size="month", text="iso"),
        "scatter-trend": Scatter(x="month", y="price", color="shop", trendline=True),
        "scatter-facet": Scatter(x="price", y="units", facet="shop", color="region", log_x=True),
        "line-facet": Line(x="month", y="price", facet="region", aggregate="median"),
        "bar": Bar(x="region", y="units", color="shop", barmode="stack"),
        "bar-sorted": Bar(x="iso", y="price", color="iso", sort="descending"),
        "bar-h": Bar(x="units", y="region", orientation="h", sort="ascending", aggregate="count"),
        "histogram": Histogram(x="price", color="shop", normalize=True),
        "histogram-bins": Histogram(x="units", bins=7),
        "box": Box(y="price", x="region", color="shop"),
        "box-plain": Box(y="units"),
        "pie": Pie(names="region", values="units"),
        "pie-count": Pie(names="shop"),
        "map": Choropleth(locations="iso", color="price", hover_name="iso", aggregate="mean"),
        "table": Table(columns=["day", "region", "price"], sort="price", max_rows=20),
        "kpi": Kpi("units", x="month", over="shop", prefix="$"),
        "kpi-total": Kpi("price", aggregate="mean", suffix=" t"),
    }
    for chart_id, kind in charts.items():
        board.add_chart(chart_id, chart_id, kind=kind, unit="u")
    return board


def long_series() -> Dashboard:
    """A board with series long enough to be downsampled and sent as typed arrays."""
    rng = np.random.default_rng(11)
    per = 6000
    level = np.sin(np.arange(per) / 300) + rng.normal(0, 0.1, per)
    level[1000:1100] = np.nan
    frame = pd.DataFrame(
        {
            "sensor": pd.Categorical(np.repeat(["east", "west"], per)),
            "minute": np.tile(np.arange(per), 2),
            "level": np.tile(level, 2) + np.repeat([0.0, 1.0], per),
            "load": rng.gamma(2.0, 5.0, 2 * per),
            "temperature": rng.normal(15, 5, 2 * per),
        }
    )
    board = Dashboard("long", title="Long series", root=".")
    board.add_dataset("readings", lambda: frame)
    board.add_filter(MultiSelect("sensor", "sensor"))
    board.add_filter(Range("minute", "minute", params=("from", "to")))
    board.add_chart("level", "Level", kind=Line(x="minute", y="level", color="sensor"))
    board.add_chart(
        "cloud", "Cloud", kind=Scatter(x="temperature", y="load", color="sensor", size="level")
    )
    board.add_chart("whole", "Whole", kind=Line(x="minute", y="load", color="sensor"))
    return board


def guide_boards(tmp_path) -> list[Dashboard]:
    """The authoring guide's example dashboards, loaded as ``databoard serve`` loads them."""
    from databoard.authoring.loader import load_all

    guide = (ROOT / "docs" / "authoring.md").read_text()
    for name, text in re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", guide, re.S):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    boards = []
    for example in sorted(p for p in tmp_path.iterdir() if p.is_dir()):
        loaded, problems = load_all(example)
        assert problems == []
        boards.extend(loaded)
    return boards


def views_of(board: Dashboard) -> list[str]:
    if board is worldbank:
        return WORLDBANK_VIEWS
    views = [""]
    for flt in board.filters.values():
        options = getattr(flt, "options", None)
        if flt.kind == "multiselect" and options:
            views.append("&".join(f"{flt.name}={o}" for o in reversed(options[:3])))
            views.append(f"{flt.name}={options[-1]}")
        bounds = getattr(flt, "bounds", None)
        if flt.kind == "range" and bounds and all(isinstance(b, int) for b in bounds):
            low, high = bounds
            views.append(f"{flt.params[0]}={low}&{flt.params[1]}={(low + high) // 2}")
    return views


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def renders(board: Dashboard) -> dict[str, str]:
    board.load()
    out = {}
    for query in views_of(board):
        pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
        view = board.parse_view(MultiDict(pairs))
        for chart_id in board.charts:
            result = board.render(chart_id, view, max_points=500)
            key = f"{board.slug}/{chart_id}?{query}"
            out[key + " figure"] = digest(encode.dumps(result.figure))
            out[key + " rows"] = digest(result.frame.to_csv(index=False).encode())
    return out


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> dict[str, str]:
    boards = [worldbank, every_kind(), long_series(), *guide_boards(tmp_path_factory.mktemp("g"))]
    out: dict[str, str] = {}
    for board in boards:
        out |= renders(board)
    if RECORD:
        RECORDED.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    return out


def test_every_chart_draws_what_was_recorded(drawn):
    recorded = json.loads(RECORDED.read_text())
    assert sorted(drawn) == sorted(recorded)
    changed = sorted(k for k in drawn if drawn[k] != recorded[k])
    assert changed == []


def test_the_recording_covers_every_board_and_view(drawn):
    boards = {key.split("/")[0] for key in drawn}
    assert {"worldbank", "kinds", "long"} <= boards and len(boards) >= 6
    assert len(drawn) > 400
