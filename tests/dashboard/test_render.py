"""Drawing a chart, and the rows behind it without drawing it."""

from __future__ import annotations

import pandas as pd
import pytest
from werkzeug.datastructures import MultiDict

from databoard import Bar, ChartRows, Dashboard, MultiSelect
from databoard.dashboard import ChartError

ROWS = pd.DataFrame({"region": ["North", "South", "East"], "revenue": [1.0, 2.0, 3.0]})


def board() -> Dashboard:
    made = Dashboard("rows", title="Rows")
    made.add_dataset("sales", lambda: ROWS.copy())
    made.add_filter(MultiSelect("region", "region"))

    @made.chart("drawn", "Drawn by its function")
    def drawn(frame, view):
        raise RuntimeError("the figure fails")

    @made.chart("noted", "Noted", kind=Bar(x="region", y="revenue"))
    def noted(frame, view):
        shown = frame[frame["revenue"] < 3]
        return ChartRows(shown, note=f"{len(shown)} regions", empty_message="None under 3")

    made.load()
    return made


def test_the_rows_of_a_figure_chart_come_without_drawing_it():
    made = board()
    view = made.parse_view(MultiDict({"region": ["North", "East"]}))
    with pytest.raises(ChartError):
        made.render("drawn", view)
    rows = made.data("drawn", view)
    pd.testing.assert_frame_equal(rows, ROWS[ROWS["region"].isin(["North", "East"])])


def test_chart_rows_give_a_note_and_the_empty_message():
    made = board()
    south = made.parse_view(MultiDict({"region": "South"}))
    result = made.render("noted", south)
    assert result.figure["layout"]["title"]["text"] == "1 regions"
    assert result.frame["revenue"].tolist() == [2.0]
    pd.testing.assert_frame_equal(made.data("noted", south), result.frame)

    east = made.parse_view(MultiDict({"region": "East"}))
    empty = made.render("noted", east)
    assert empty.figure["data"] == []
    assert empty.figure["layout"]["annotations"][0]["text"] == "None under 3"
    assert empty.figure["layout"]["title"]["text"] == "0 regions"
    assert made.data("noted", east).empty
