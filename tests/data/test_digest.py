"""The data version follows content: same data, same version; any change, a new one."""

from __future__ import annotations

import pandas as pd
import pytest

from databoard import Dashboard, Line
from databoard.data.digest import dashboard_digest, frame_digest


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": pd.Categorical(["FRA", "DEU", "FRA"]),
            "name": ["France", "Germany", "France"],
            "year": [2000, 2000, 2001],
            "value": [1.5, None, 2.5],
        }
    )


def test_the_same_content_has_the_same_digest(frame):
    assert frame_digest(frame) == frame_digest(frame.copy(deep=True))


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(value=[1.5, None, 2.6]),
        lambda f: f.assign(name=["France", "Germany", "Frankreich"]),
        lambda f: f.assign(country=pd.Categorical(["FRA", "DEU", "DEU"])),
        lambda f: f.assign(year=f["year"].astype("float64")),
        lambda f: f.rename(columns={"value": "amount"}),
        lambda f: f.set_axis([5, 6, 7]),
        lambda f: f.iloc[:2],
    ],
)
def test_any_change_gives_another_digest(frame, change):
    assert frame_digest(change(frame)) != frame_digest(frame)


def board_over(frame: pd.DataFrame, title: str) -> Dashboard:
    board = Dashboard("versions", title="Versions")

    @board.dataset
    def table() -> pd.DataFrame:
        return frame.copy()

    board.add_chart("value", title, kind=Line(x="year", y="value", color="country"))
    board.load()
    return board


def test_the_version_follows_the_data_and_the_definition(frame):
    first = board_over(frame, "Value")
    assert first.version == dashboard_digest(first)
    assert board_over(frame, "Value").version == first.version
    assert board_over(frame.assign(value=0.0), "Value").version != first.version
    assert board_over(frame, "Another title").version != first.version
