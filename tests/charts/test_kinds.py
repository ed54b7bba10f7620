"""Every chart kind, as a pure builder from a DataFrame to a figure dict."""

from __future__ import annotations

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
    Scatter,
    Table,
)
from databoard.charts.kinds import KINDS, Kind, KindError

SALES = pd.DataFrame(
    {
        "month": [1, 2, 3, 4, 1, 2, 3, 4, 1, 1],
        "region": ["N", "N", "N", "N", "S", "S", "S", "S", "E", "E"],
        "units": [10.0, 12.0, np.nan, 16.0, 5.0, 6.0, 7.0, 9.0, 3.0, 4.0],
        "price": [2.0, 2.5, 3.0, 3.5, 1.0, 1.5, 2.0, 2.5, 9.0, 8.0],
        "iso": ["USA", "USA", "USA", "USA", "FRA", "FRA", "FRA", "FRA", "IND", "IND"],
    }
)


def render(kind: Kind, frame: pd.DataFrame = SALES, query: str = ""):
    board = Dashboard("t", title="T", root=".")
    board.add_dataset("sales", lambda: frame)
    if "region=" in query:
        board.add_filter(MultiSelect("region", "region"))
    board.add_chart("c", "C", kind=kind, unit="units")
    board.load()
    view = board.parse_view(MultiDict([tuple(p.split("=")) for p in query.split("&") if p]))
    return board.render("c", view)


def by_name(figure):
    return {t["name"]: t for t in figure["data"] if "trend" not in t["name"]}


def test_every_kind_is_registered():
    assert set(KINDS) == {
        "area",
        "bar",
        "box",
        "choropleth",
        "histogram",
        "kpi",
        "line",
        "pie",
        "scatter",
        "table",
    }


def test_line_one_series_per_colour_with_gaps():
    figure = render(Line(x="month", y="units", color="region")).figure
    north = by_name(figure)["N"]
    assert north["x"] == [1, 2, 3, 4]
    assert north["y"] == [10.0, 12.0, None, 16.0]
    assert north["connectgaps"] is False
    assert figure["layout"]["yaxis"]["title"]["text"] == "units"


def test_colours_follow_the_selection_order():
    figure = render(Line(x="month", y="units", color="region"), query="region=S&region=N").figure
    names = [t["name"] for t in figure["data"]]
    assert names == ["S", "N"]
    assert figure["data"][0]["line"]["color"] == "#0072B2"


def test_trendline_is_least_squares_per_series():
    figure = render(Scatter(x="month", y="price", color="region", trendline=True)).figure
    trend = {t["name"]: t for t in figure["data"]}["S trend"]
    slope, intercept = np.polyfit([1, 2, 3, 4], [1.0, 1.5, 2.0, 2.5], 1)
    assert trend["x"] == [1, 4]
    assert trend["y"] == pytest.approx([slope + intercept, 4 * slope + intercept])
    assert trend["line"]["dash"] == "dash"


def test_aggregate_sums_rows_sharing_x_and_colour():
    result = render(Line(x="month", y="units", color="region", aggregate="sum"))
    east = by_name(result.figure)["E"]
    assert east["y"] == [7.0]
    assert len(result.frame) == 9


def test_facets_get_their_own_axes_and_titles():
    figure = render(Scatter(x="month", y="price", facet="region")).figure
    axes = sorted(t.get("xaxis", "x") for t in figure["data"])
    assert axes == ["x", "x2", "x3"]
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == ["<b>E</b>", "<b>N</b>", "<b>S</b>"]
    assert figure["layout"]["xaxis2"]["domain"][0] > figure["layout"]["xaxis"]["domain"][1]


def test_log_axes():
    figure = render(Scatter(x="month", y="price", log_x=True, log_y=True)).figure
    assert figure["layout"]["xaxis"]["type"] == "log"
    assert figure["layout"]["yaxis"]["type"] == "log"


def test_area_stacks():
    figure = render(Area(x="month", y="units", color="region")).figure
    assert {t["stackgroup"] for t in figure["data"]} == {"one"}


def test_scatter_bubbles():
    figure = render(Scatter(x="month", y="price", size="units", text="iso")).figure
    (trace,) = figure["data"]
    assert trace["marker"]["sizemode"] == "area"
    assert trace["marker"]["size"] == SALES.dropna()["units"].tolist()
    assert trace["text"][0] == "USA"


def test_bar_sums_per_category_and_sorts():
    result = render(Bar(x="region", y="units", sort="descending"))
    (trace,) = result.figure["data"]
    assert trace["x"] == ["N", "S", "E"]
    assert trace["y"] == [38.0, 27.0, 7.0]
    order = result.figure["layout"]["xaxis"]["categoryarray"]
    assert order == ["N", "S", "E"]


def test_horizontal_bar_puts_categories_on_y():
    figure = render(Bar(x="units", y="region", orientation="h", sort="descending")).figure
    (trace,) = figure["data"]
    assert trace["orientation"] == "h"
    assert trace["y"][-1] == "N"  # plotly draws the last bar on top
    assert figure["layout"]["yaxis"]["type"] == "category"


def test_histogram_counts_equal_numpy():
    result = render(Histogram(x="price", bins=4))
    counts, edges = np.histogram(SALES["price"], bins=4)
    assert result.frame["count"].tolist() == counts.tolist()
    assert result.frame["bin_start"].tolist() == pytest.approx(edges[:-1].tolist())
    (trace,) = result.figure["data"]
    assert trace["y"] == counts.tolist()


def test_box_statistics_equal_numpy():
    result = render(Box(y="price", x="region"))
    stats = result.frame.set_index("region")
    north = SALES.loc[SALES.region == "N", "price"]
    assert stats.loc["N", "median"] == north.median()
    assert stats.loc["N", "q1"] == np.percentile(north, 25)
    assert stats.loc["N", "upperfence"] == north.max()
    (trace,) = result.figure["data"]
    assert trace["type"] == "box"
    assert trace["x"] == ["E", "N", "S"]


def test_pie_sums_values_per_name():
    result = render(Pie(names="region", values="units"))
    (trace,) = result.figure["data"]
    assert dict(zip(trace["labels"], trace["values"], strict=True)) == {
        "N": 38.0,
        "S": 27.0,
        "E": 7.0,
    }


def test_pie_counts_rows_without_values():
    (trace,) = render(Pie(names="region")).figure["data"]
    assert dict(zip(trace["labels"], trace["values"], strict=True)) == {"N": 4, "S": 4, "E": 2}


def test_choropleth_uses_iso3():
    kind = Choropleth(locations="iso", color="price", aggregate="max")
    (trace,) = render(kind).figure["data"]
    assert trace["locationmode"] == "ISO-3"
    assert dict(zip(trace["locations"], trace["z"], strict=True)) == {
        "FRA": 2.5,
        "IND": 9.0,
        "USA": 3.5,
    }


def test_table_sorted_and_limited():
    result = render(Table(columns=["region", "price"], sort="price", descending=True, max_rows=3))
    (trace,) = result.figure["data"]
    assert trace["header"]["values"] == ["Region", "Price"]
    assert trace["cells"]["values"][1] == ["9.0", "8.0", "3.5"]  # one column, one format
    assert "First 3 of 10 rows" in result.figure["layout"]["title"]["text"]
    assert len(result.frame) == 10  # the download stays complete


def test_kpi_latest_total_and_change():
    (trace,) = render(Kpi("units", x="month")).figure["data"]
    assert trace["value"] == 16.0 + 9.0
    assert trace["delta"]["reference"] == 10.0 + 5.0 + 3.0 + 4.0
    assert trace["title"]["text"] == "4"


def test_kpi_over_skips_incomplete_periods():
    result = render(Kpi("units", x="month", over="region"))
    assert result.frame["month"].tolist() == [1]  # only month 1 has all three regions


def test_dates_become_iso_text():
    frame = SALES.assign(day=pd.to_datetime("2024-01-01") + pd.to_timedelta(SALES["month"], "D"))
    (trace, *_) = render(Line(x="day", y="units"), frame=frame).figure["data"]
    assert trace["x"][0] == "2024-01-02"


def test_empty_selection_says_so():
    figure = render(Line(x="month", y="units"), frame=SALES.iloc[0:0]).figure
    assert figure["data"] == []
    assert "No data" in figure["layout"]["annotations"][0]["text"]


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("donut", {}, "unknown chart kind 'donut'"),
        ("line", {"x": "a", "y": "b", "colour": "c"}, "unknown option 'colour' for kind 'line'"),
        ("line", {"x": "a"}, "missing 1 required positional argument: 'y'"),
        ("bar", {"x": "a", "y": "b", "orientation": "diagonal"}, "orientation must be"),
        ("table", {"max_rows": -5}, "max_rows must be a whole number of at least 1, not -5"),
        ("table", {"max_rows": 2.5}, "max_rows must be a whole number"),
        ("histogram", {"x": "a", "bins": 0}, "bins must be a whole number of at least 1"),
        ("line", {"x": "a", "y": "b", "facet_columns": 0}, "facet_columns must be"),
        ("scatter", {"x": "a", "y": "b", "max_size": -1}, "max_size must be"),
        ("pie", {"names": "a", "hole": 1.5}, "hole must be a number from 0 up to 1, not 1.5"),
    ],
)
def test_options_are_checked(kind, options, message):
    with pytest.raises(KindError, match=message):
        Kind.from_options(kind, options)


def test_numeric_options_are_checked_in_python_too():
    with pytest.raises(ValueError, match="max_rows must be a whole number of at least 1"):
        Table(max_rows=-5)
    with pytest.raises(ValueError, match="width must be a whole number from 1 to 12, not 13"):
        Dashboard("t", title="T", root=".").add_chart("c", "C", kind=Table(), width=13)


@pytest.mark.parametrize(
    ("column", "title"),
    [
        ("gdp_per_capita", "Gdp per capita"),
        ("pop", "Pop"),
        ("lifeExp", "lifeExp"),
        ("GDP", "GDP"),
        ("Life expectancy", "Life expectancy"),
    ],
)
def test_only_snake_case_names_are_prettified(column, title):
    assert Line(x=column, y="y").label(column) == title
    assert MultiSelect(column, column).label == title
