"""Top N with "Other", and dates by period: the numbers are pandas' own on the source file."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from databoard import Bar, Line, Pie, Table, create_app
from databoard.charts.kinds import Kind, KindError
from databoard.charts.shape import period_labels
from databoard.data.engines import FrameRows

from support import WORLDBANK_DATA

POPULATION = next(WORLDBANK_DATA.glob("API_SP.POP.TOTL_*.csv"))

BOARD = """\
slug: explore
title: Explore
datasets:
  population: {source: population.csv, format: worldbank, query: "year == 2020"}
  daily: {source: daily.csv, dates: [date]}
charts:  # the first dataset, population, unless one is named
  - {id: top-bar, title: Top, kind: bar, x: country, y: value, top: 5, other: true}
  - {id: top-h, title: Top, kind: bar, x: value, y: country, orientation: h, top: 3}
  - {id: top-pie, title: Top, kind: pie, names: country, values: value, top: 4, other: true}
  - {id: top-table, title: Top, kind: table, columns: [country, value], sort: value,
     top: 6, other: true}
  - {id: monthly, title: Monthly, kind: line, dataset: daily, x: date, y: sales,
     resample: M, aggregate: mean}
  - {id: quarterly, title: Quarterly, kind: bar, dataset: daily, x: date, y: sales, resample: Q}
  - {id: weekly, title: Weekly, kind: area, dataset: daily, x: date, y: sales, color: shop,
     resample: W, aggregate: sum}
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The bundled World Bank population file, and three years of daily sales of two shops."""
    root = tmp_path_factory.mktemp("explore")
    shutil.copy(POPULATION, root / "population.csv")
    days = pd.date_range("2021-01-01", "2023-12-31", freq="D")
    rng = np.random.default_rng(7)
    daily = pd.DataFrame(
        {
            "date": np.repeat(days, 2),
            "shop": ["A", "B"] * len(days),
            "sales": rng.integers(0, 100, 2 * len(days)).astype(float),
        }
    )
    daily.to_csv(root / "daily.csv", index=False)
    (root / "dashboard.yaml").write_text(BOARD)
    return root


@pytest.fixture(scope="module")
def client(source):
    app = create_app({"TESTING": True, "DASHBOARD": str(source), "CACHE_WARM": False})
    return app.test_client()


@pytest.fixture(scope="module")
def population_2020():
    """Population in 2020 per row of the published file, read with plain pandas."""
    table = pd.read_csv(POPULATION, skiprows=4, encoding="utf-8-sig")
    return table.set_index("Country Name")["2020"].dropna().sort_values(ascending=False)


def figure(client, chart: str) -> dict:
    response = client.get(f"/api/v1/dashboards/explore/charts/{chart}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_bar_keeps_the_top_five_and_sums_the_rest_as_other(client, population_2020):
    (trace,) = figure(client, "top-bar")["data"]
    assert trace["x"] == [*population_2020.index[:5], "Other"]
    assert trace["y"][:5] == pytest.approx(population_2020.iloc[:5].tolist())
    assert trace["y"][5] == pytest.approx(population_2020.iloc[5:].sum())
    layout = figure(client, "top-bar")["layout"]
    assert layout["xaxis"]["categoryarray"] == trace["x"]


def test_horizontal_bar_puts_the_largest_on_top_and_no_other_unless_asked(client, population_2020):
    (trace,) = figure(client, "top-h")["data"]
    assert trace["y"] == population_2020.index[:3].tolist()[::-1]  # drawn bottom up


def test_pie_and_table_top_with_other(client, population_2020):
    (pie,) = figure(client, "top-pie")["data"]
    assert pie["labels"] == [*population_2020.index[:4], "Other"]
    assert sum(pie["values"]) == pytest.approx(population_2020.sum())
    rows = client.get("/api/v1/dashboards/explore/charts/top-table/data.json").get_json()["rows"]
    assert [r[0] for r in rows[:6]] == population_2020.index[:6].tolist()
    assert rows[6][0] == f"Other ({len(population_2020) - 6:,} rows)"
    assert rows[6][1] == pytest.approx(population_2020.iloc[6:].sum())


def test_monthly_means_match_pandas_resample(client, source):
    daily = pd.read_csv(source / "daily.csv", parse_dates=["date"])
    expected = daily.resample("MS", on="date")["sales"].mean()
    (trace,) = figure(client, "monthly")["data"]
    assert len(trace["x"]) == 36
    assert trace["x"][:2] == ["2021-01-01", "2021-02-01"]
    assert trace["y"] == pytest.approx(expected.tolist())
    axis = figure(client, "monthly")["layout"]["xaxis"]
    assert axis["tickformat"] == axis["hoverformat"] == "%b %Y"


def test_quarterly_bars_are_labelled_by_quarter_and_sum_like_pandas(client, source):
    daily = pd.read_csv(source / "daily.csv", parse_dates=["date"])
    expected = daily.resample("QS", on="date")["sales"].sum()
    (trace,) = figure(client, "quarterly")["data"]
    assert trace["x"][:5] == ["2021 Q1", "2021 Q2", "2021 Q3", "2021 Q4", "2022 Q1"]
    assert trace["y"] == pytest.approx(expected.tolist())
    rows = client.get("/api/v1/dashboards/explore/charts/quarterly/data.json").get_json()
    assert rows["rows"][0][0].startswith("2021-01-01")  # downloads keep the period's date


def test_weekly_areas_per_shop_start_on_monday(client, source):
    daily = pd.read_csv(source / "daily.csv", parse_dates=["date"])
    shop_b = daily[daily["shop"] == "B"]
    expected = shop_b.resample("W-MON", on="date", label="left", closed="left")["sales"].sum()
    traces = figure(client, "weekly")["data"]
    b = next(t for t in traces if t["name"] == "B")
    assert b["x"][0] == "2020-12-28"  # the Monday of the week holding 1 January 2021
    assert b["y"] == pytest.approx(expected.tolist())


def test_period_labels():
    dates = pd.Series(pd.to_datetime(["2024-01-01", "2024-04-01", None]))
    assert period_labels(dates, "Q").tolist() == ["2024 Q1", "2024 Q2", None]
    assert period_labels(dates, "M").tolist() == ["Jan 2024", "Apr 2024", None]


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("bar", {"x": "a", "y": "b", "top": 0}, "top must be a whole number"),
        ("pie", {"names": "a", "top": "ten"}, "top must be a whole number"),
        ("table", {"top": 5}, "top needs sort"),
        ("line", {"x": "a", "y": "b", "resample": "D"}, "resample must be one of W, M, Q, Y"),
        ("line", {"x": "a", "y": "b", "resample": "M"}, "resample needs an aggregate"),
    ],
)
def test_bad_options_name_the_option(kind, options, message):
    with pytest.raises(KindError, match=message):
        Kind.from_options(kind, options)


def test_resample_of_a_column_without_dates_says_so():
    frame = pd.DataFrame({"year": [2020, 2021], "v": [1.0, 2.0]})
    with pytest.raises(ValueError, match="resample needs dates in 'year'"):
        Line(x="year", y="v", resample="Y", aggregate="sum").data(FrameRows(frame))


def test_top_keeps_other_per_colour_and_from_python():
    frame = pd.DataFrame(
        {
            "shop": pd.Categorical(["a", "b", "c", "d", "a", "d"]),
            "kind": ["x", "x", "x", "x", "y", "y"],
            "n": [5.0, 4.0, 1.0, 2.0, 3.0, 7.0],
        }
    )
    rows = Bar(x="shop", y="n", color="kind", top=2, other=True).data(FrameRows(frame))
    assert rows.values.tolist() == [
        ["d", "x", 2.0],
        ["d", "y", 7.0],
        ["a", "x", 5.0],
        ["a", "y", 3.0],
        ["Other", "x", 5.0],
    ]
    rows = FrameRows(frame)
    assert Pie(names="shop", values="n", top=1).data(rows).values.tolist() == [["d", 9.0]]
    table = Table(columns=["shop", "n"], sort="n", top=2).data(rows)
    assert table["n"].tolist() == [7.0, 5.0]
