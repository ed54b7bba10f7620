"""Vectorised filtering keeps exactly the rows the plain pandas expressions keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from werkzeug.datastructures import MultiDict

from databoard import MultiSelect, Range, Select
from databoard.data.engines import FrameRows
from databoard.data.query import row_by_row
from databoard.errors import BadParameter
from databoard.filters import Filter


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 5000
    codes = rng.choice(["a", "b", "c", "d", None], n)
    return pd.DataFrame(
        {
            "code": pd.Categorical(codes),
            "text": codes,
            "year": rng.integers(1960, 2024, n),
            "value": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
            "when": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
            "count": pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(0, 9, n)), "Int64"),
        },
        index=rng.permutation(n) * 3,  # a shuffled, sparse index: positions matter, not labels
    )


def _kept(flt, frame, value):
    """Return the rows of *frame* that *flt* keeps, the way a dashboard selects them."""
    keep = flt.mask(frame, value)
    return frame if keep is None else frame[keep]


@pytest.mark.parametrize("column", ["code", "text"])
def test_multiselect(frame, column):
    flt = MultiSelect("pick", column)
    for chosen in (["a"], ["b", "d"], ["zzz"], ["a", "b", "c", "d"]):
        expected = frame[frame[column].isin(chosen)]
        pd.testing.assert_frame_equal(_kept(flt, frame, chosen), expected)
    flt.bind([FrameRows(frame)])  # options from the data: every one is the test "has one"
    every = ["d", "c", "b", "a"]
    assert flt.condition(every).op == "notnull" and flt.condition(every[:3]).op == "in"
    pd.testing.assert_frame_equal(_kept(flt, frame, every), frame[frame[column].isin(every)])
    declared = MultiSelect("pick", column, options=every)
    declared.bind([FrameRows(frame)])
    assert declared.condition(every).op == "in"


@pytest.mark.parametrize(
    ("column", "low", "high"),
    [
        ("year", 1990, 2000),
        ("value", -0.5, 0.5),
        ("when", pd.Timestamp("2020-06-01"), pd.Timestamp("2021-01-31")),
        ("count", 2, 5),
    ],
)
def test_range(frame, column, low, high):
    flt = Range("span", column)
    kept = _kept(flt, frame, (low, high))
    series = frame[column]
    expected = frame[((series >= low) & (series <= high)).fillna(False).astype(bool)]
    pd.testing.assert_frame_equal(kept, expected)


@pytest.mark.parametrize(("column", "value"), [("code", "c"), ("text", "c"), ("count", 3)])
def test_select(frame, column, value):
    flt = Select("one", column)
    expected = frame[(frame[column] == value).fillna(False).astype(bool)]
    pd.testing.assert_frame_equal(_kept(flt, frame, value), expected)
    assert _kept(flt, frame, None) is frame


def test_a_filter_kind_must_say_how_it_filters(frame):
    class Nothing(Filter):
        pass

    with pytest.raises(NotImplementedError):
        Nothing("n", "code").mask(frame, None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("indicator_code == 'SP.POP.TOTL'", True),
        ("value > 3 and year in [1990, 2000]", True),
        ("(value * 2 > 3) & ~(year == 2000)", True),
        ("year >= @low", False),  # reads the view
        ("value > value.mean()", False),  # depends on the rows left
        ("abs(value) > 1", False),
        ("undefined_name > 1", False),
        ("`odd name` > 1", False),
    ],
)
def test_which_queries_run_once(query, expected):
    assert row_by_row(query, ["indicator_code", "value", "year"]) is expected


def test_queries_run_at_load_give_the_rows_of_queries_run_per_view(app):
    """Every World Bank chart with a query: its rows equal filtering, then querying."""
    board = app.extensions["databoard"].get("worldbank")
    assert board.prefiltered
    for args in ({}, {"country": ["IND", "BRA"], "from": ["1970"], "to": ["1980"]}):
        view = board.parse_view(MultiDict(args))
        for chart_id in board.prefiltered:
            chart = board.charts[chart_id]
            frame = board.datasets[chart.dataset].frame
            for name in board.chart_filters(chart):
                frame = _kept(board.filters[name], frame, view[name])
            expected = frame.query(chart.query)
            pd.testing.assert_frame_equal(board.chart_frame(chart, view), expected)


def test_dataset_attrs_move_off_the_frame(app):
    dataset = app.extensions["databoard"].get("worldbank").datasets["indicators"]
    assert dataset.frame.attrs == {}
    assert "indicators" in dataset.attrs


def test_dates_in_messages_have_no_midnight(frame):
    flt = Range("when", "when", params=("from", "to"))
    flt.bind([FrameRows(frame)])
    with pytest.raises(BadParameter) as error:
        flt.parse(MultiDict({"from": "2030-01-01"}))
    assert "between 2020-01-01 and 2022-06-18" in error.value.message
    assert "00:00:00" not in error.value.message
    with pytest.raises(BadParameter) as error:
        flt.parse(MultiDict({"from": "2021-03-01", "to": "2021-02-01"}))
    assert error.value.message == "'from' (2021-03-01) is after 'to' (2021-02-01)"


def test_a_multiselect_default_of_one_value_is_a_list_of_it(frame):
    flt = MultiSelect("pick", "text", default="b")
    flt.bind([FrameRows(frame)])
    assert flt.parse(MultiDict()) == ["b"]
    assert flt.problems() == []
    assert MultiSelect("pick", "text", default="zz").default == ["zz"]
