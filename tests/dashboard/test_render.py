"""Drawing a chart, and the rows behind it without drawing it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from werkzeug.datastructures import MultiDict

from databoard import Bar, ChartRows, Dashboard, Line, MultiSelect
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


@pytest.mark.parametrize(
    ("declare", "message"),
    [
        (
            lambda board: Line(x="a", yy="b"),
            "Line(): unknown keyword 'yy'; did you mean 'y'? (keywords: x, y, color,",
        ),
        (
            lambda board: MultiSelect("region", "region", optons=["a"]),
            "MultiSelect(): unknown keyword 'optons'; did you mean 'options'? (keywords: ",
        ),
        (
            lambda board: board.add_chart("c", "C", kind=Bar(x="a", y="b"), titel="T"),
            "add_chart(): unknown keyword 'titel'; did you mean 'title'? "
            "(keywords: id, title, dataset,",
        ),
        (
            lambda board: board.add_dataset("d", source="data.csv", dats=["day"]),
            "add_dataset(): unknown keyword 'dats'; did you mean 'dates'? (keywords: name, loader,",
        ),
        (
            lambda board: Dashboard("d", titel="D"),
            "Dashboard(): unknown keyword 'titel'; did you mean 'title'? (keywords: slug, title,",
        ),
        (
            lambda board: board.add_dataset("d", lambda: None, sep=";"),
            "add_dataset(): unknown keyword 'sep' (keywords: name, loader,",
        ),
    ],
)
def test_a_mistyped_keyword_lists_the_valid_ones(declare, message):
    board = Dashboard("k", title="K", root=".")
    with pytest.raises(TypeError) as error:
        declare(board)
    assert str(error.value).startswith(message), str(error.value)


def test_reader_options_pass_for_a_file(tmp_path):
    (tmp_path / "data.csv").write_text("a;b\n1;2\n")
    board = Dashboard("k", title="K", root=tmp_path)
    board.add_dataset("d", source="data.csv", sep=";", dates=None)
    board.load()
    assert list(board.frame("d").columns) == ["a", "b"]


def test_a_dashboard_knows_the_file_that_made_it():
    board = Dashboard("here", title="Here")
    assert board.file == __file__
    assert board.root == Path(__file__).resolve().parent
