"""Categories keep the order an author declares, on every kind and backend (plotly's tips).

A chart's ``order:`` comes first; without it a select or multiselect's listed options
order the values of its column; without either, each kind keeps its own order.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from databoard import create_app

from support import plotly_dataset

TIPS = pd.read_csv(io.BytesIO(plotly_dataset("tips")))
WEEK = ["Thur", "Fri", "Sat", "Sun"]
MEALS = ["Lunch", "Dinner"]

CHARTS = """\
  - {id: bar, title: Tips by day, kind: bar, x: day, y: tip, color: sex}
  - {id: box, title: Spread by day, kind: box, x: day, y: tip, color: smoker}
  - {id: pie, title: Share by day, kind: pie, names: day, values: tip}
  - {id: line, title: By party size, kind: line, x: size, y: tip, color: day, aggregate: mean}
  - {id: meal, title: By meal, kind: box, x: time, y: tip, order: {time: [Lunch, Dinner]}}
  - {id: smokers, title: Smokers, kind: pie, names: smoker, order: {smoker: ['Yes', 'No']}}
  - {id: weekend, title: Weekend first, kind: bar, x: day, y: total_bill,
     order: {day: [Sun, Sat, Fri, Thur], sex: [Male, Female]}, color: sex}
  - {id: ranked, title: Ranked, kind: bar, x: day, y: tip, sort: descending}
  - {id: across, title: Across, kind: bar, x: tip, y: day, orientation: h}
"""
DATASETS = {
    "memory": "{source: tips.csv}",
    "duckdb": "{source: tips.parquet, engine: duckdb}",
}


def client_of(folder, dataset: str, filters: str):
    TIPS.to_csv(folder / "tips.csv", index=False)
    TIPS.to_parquet(folder / "tips.parquet")
    (folder / "tips.yaml").write_text(
        f"title: Tips\ndatasets:\n  tips: {dataset}\nfilters:\n{filters}charts:\n{CHARTS}"
    )
    return create_app({"TESTING": True, "DASHBOARD": str(folder)}).test_client()


@pytest.fixture(scope="module", params=list(DATASETS))
def ordered(request, tmp_path_factory):
    """The tips dashboard whose day filter lists the days of the week in order."""
    filters = "  - {name: day, kind: multiselect, column: day, options: [Thur, Fri, Sat, Sun]}\n"
    filters += "  - {name: meal, kind: select, column: time}\n"
    return client_of(tmp_path_factory.mktemp(request.param), DATASETS[request.param], filters)


@pytest.fixture(scope="module", params=list(DATASETS))
def unordered(request, tmp_path_factory):
    """The same with options taken from the data (sorted by value)."""
    filters = "  - {name: day, kind: multiselect, column: day}\n"
    return client_of(tmp_path_factory.mktemp(request.param), DATASETS[request.param], filters)


def figure(client, chart: str, query: str = "") -> dict:
    answer = client.get(f"/api/v1/dashboards/tips/charts/{chart}{query}")
    assert answer.status_code == 200, answer.data
    return answer.get_json()


def rows(client, chart: str, query: str = "") -> pd.DataFrame:
    answer = client.get(f"/api/v1/dashboards/tips/charts/{chart}/data.csv{query}")
    assert answer.status_code == 200, answer.data
    return pd.read_csv(io.BytesIO(answer.data), comment="#")


def test_bars_follow_the_filter_order(ordered):
    drawn = figure(ordered, "bar")
    assert drawn["layout"]["xaxis"]["categoryarray"] == WEEK
    sums = TIPS.groupby(["day", "sex"])["tip"].sum()
    for trace in drawn["data"]:
        assert trace["x"] == WEEK
        assert trace["y"] == pytest.approx([sums[day, trace["name"]] for day in WEEK])
    assert list(dict.fromkeys(rows(ordered, "bar")["day"])) == WEEK


def test_horizontal_bars_read_the_order_top_down(ordered):
    """Plotly puts the first category at the bottom, so the axis lists them reversed."""
    drawn = figure(ordered, "across")
    assert drawn["layout"]["yaxis"]["categoryarray"] == WEEK[::-1]
    (trace,) = drawn["data"]
    assert trace["x"] == pytest.approx(TIPS.groupby("day")["tip"].sum()[trace["y"]].tolist())


def test_boxes_follow_the_filter_order(ordered):
    drawn = figure(ordered, "box")
    assert drawn["layout"]["xaxis"]["categoryarray"] == WEEK
    for trace in drawn["data"]:
        assert trace["x"] == WEEK
        tips = TIPS[TIPS.smoker == trace["name"]].groupby("day")["tip"]
        assert trace["median"] == pytest.approx(tips.median()[WEEK].tolist())
    assert list(dict.fromkeys(rows(ordered, "box")["day"])) == WEEK


def test_pie_slices_follow_the_filter_order(ordered):
    (trace,) = figure(ordered, "pie")["data"]
    assert trace["labels"] == WEEK
    assert trace["values"] == pytest.approx(TIPS.groupby("day")["tip"].sum()[WEEK].tolist())
    assert rows(ordered, "pie")["day"].tolist() == WEEK


def test_line_colours_follow_the_filter_order(ordered):
    drawn = figure(ordered, "line")
    assert [trace["name"] for trace in drawn["data"]] == WEEK
    means = TIPS.groupby(["day", "size"])["tip"].mean()
    for trace in drawn["data"]:
        assert trace["y"] == pytest.approx(means[trace["name"]][trace["x"]].tolist())


def test_a_selection_keeps_the_declared_order(ordered):
    """Picked Sunday first, the days still read Thursday to Sunday."""
    query = "?day=Sun&day=Thur"
    assert figure(ordered, "box", query)["layout"]["xaxis"]["categoryarray"] == ["Thur", "Sun"]
    assert figure(ordered, "pie", query)["data"][0]["labels"] == ["Thur", "Sun"]
    assert [t["name"] for t in figure(ordered, "line", query)["data"]] == ["Thur", "Sun"]


def test_a_chart_order_comes_first(ordered):
    drawn = figure(ordered, "weekend")
    assert drawn["layout"]["xaxis"]["categoryarray"] == WEEK[::-1]
    assert [trace["name"] for trace in drawn["data"]] == ["Male", "Female"]
    assert figure(ordered, "meal")["data"][0]["x"] == MEALS
    (trace,) = figure(ordered, "smokers")["data"]
    assert trace["labels"] == ["Yes", "No"]
    assert trace["values"] == TIPS.smoker.value_counts()[["Yes", "No"]].tolist()


def test_ranked_bars_stay_ranked(ordered):
    (trace,) = figure(ordered, "ranked")["data"]
    assert (
        trace["x"] == TIPS.groupby("day")["tip"].sum().sort_values(ascending=False).index.tolist()
    )


def test_without_a_declared_order_each_kind_keeps_its_own(unordered):
    """Options from the data are sorted by value; a pie keeps its largest slice first."""
    alphabetical = sorted(WEEK)
    assert [trace["x"] for trace in figure(unordered, "box")["data"]] == [alphabetical] * 2
    (trace,) = figure(unordered, "pie")["data"]
    assert (
        trace["labels"]
        == TIPS.groupby("day")["tip"].sum().sort_values(ascending=False).index.tolist()
    )
    assert [trace["name"] for trace in figure(unordered, "line")["data"]] == alphabetical
    assert figure(unordered, "meal")["data"][0]["x"] == MEALS


def test_check_names_an_order_on_an_unknown_column_or_of_the_wrong_shape(tmp_path):
    from click.testing import CliRunner

    from databoard.cli import main

    TIPS.to_csv(tmp_path / "tips.csv", index=False)
    (tmp_path / "tips.yaml").write_text(
        "title: Tips\ndatasets:\n  tips: {source: tips.csv}\ncharts:\n"
        "  - {id: a, title: A, kind: box, x: day, y: tip, order: {dya: [Thur, Fri]}}\n"
        "  - {id: b, title: B, kind: pie, names: day, order: {day: [Sun, Sun]}}\n"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'tips.yaml'}:5: chart 'a': order: unknown column 'dya'; did you mean 'day'?"
        in result.output
    )
    assert (
        f"{tmp_path / 'tips.yaml'}:6: chart 'b': order must map columns to lists" in result.output
    )


def test_the_python_api_takes_an_order(tmp_path):
    from databoard import Box, Dashboard
    from databoard.dashboard import render

    TIPS.to_csv(tmp_path / "tips.csv", index=False)
    board = Dashboard("tips", title="Tips", root=tmp_path)
    board.add_dataset("tips", source="tips.csv")
    board.add_chart("box", "Box", kind=Box(x="day", y="tip"), order={"day": WEEK})
    board.load()
    drawn = render.render(board, "box", board.parse_view({}), 2000)
    assert drawn.figure["data"][0]["x"] == WEEK
