"""One way to show numbers: d3-format specifiers, chosen per column, in every place."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.express as px
import pytest
from werkzeug.datastructures import MultiDict

from databoard import Dashboard, Kpi, Line, Table
from databoard.charts.numbers import BLOCK, FormatError, check_spec, d3_format, default_spec

from support import ROOT, raw_indicator

#: (specifier, value, text) as d3-format (and so plotly.js) writes them; the examples of
#: d3-format's own documentation first.
D3_CASES = [
    (".0%", 0.123, "12%"),
    ("($.2f", -3.5, "($3.50)"),
    ("+20", 42, "                 +42"),
    (".^20", 42, ".........42........."),
    (".2s", 42e6, "42M"),
    ("#x", 48879, "0xbeef"),
    (",.2r", 4223, "4,200"),
    (".1f", 0.1 + 0.2, "0.3"),
    (",d", 8425333.0, "8,425,333"),
    ("d", 1952, "1952"),
    (",.0f", 8425333, "8,425,333"),
    ("$.3s", 2998000, "$3.00M"),
    (".1%", 0.1234, "12.3%"),
    (",.2f", -1234.5, "-1,234.50"),
    (",.2f", -0.001, "0.00"),
    ("~g", 0.1 + 0.2, "0.3"),
    ("~s", 1500, "1.5k"),
    (".3s", 0.00123, "1.23m"),
    (".4~g", 1e-7, "1e-7"),
    (".2e", 999900, "1.00e+6"),
    ("e", 12345.678, "1.234568e+4"),
    ("r", 1 / 3, "0.333333"),
    ("", 123456789.123, "123456789.123"),
    (".0f", 0.5, "1"),  # ties away from zero, as JavaScript's toFixed
    (".0f", 2.5, "3"),
    ("08.2f", -3.14159, "-0003.14"),
    ("010,d", 1234567, "01,234,567"),
    (",.2~f", 4827.70, "4,827.7"),
    ("p", 0.5, "50%"),  # plotly.js trims p, s and f without a precision: d3 alone, 50.0000%
    ("f", 2.5, "2.5"),
]


@pytest.mark.parametrize(("spec", "value", "text"), D3_CASES)
def test_d3_format(spec, value, text):
    assert d3_format(spec, value) == text


def test_missing_values_are_blank():
    assert d3_format(",d", None) == ""
    assert d3_format(",d", float("nan")) == ""


@pytest.mark.parametrize("spec", ["abc", ",.2q", 12, ".f2"])
def test_bad_specifiers_say_what_a_good_one_is(spec):
    with pytest.raises(FormatError, match="d3-format"):
        check_spec(spec)


def test_default_specs_from_the_world_bank_data():
    population = raw_indicator("SP.POP.TOTL").loc[["IND", "USA", "CHN", "NGA", "AFG"]]
    # Floats (gaps make them so) that are whole numbers: exact, with separators.
    assert default_spec("population", population["2020"]) == ",d"
    assert d3_format(",d", population.loc["IND", "2020"]) == f"{population.loc['IND', '2020']:,.0f}"
    rural = raw_indicator("SP.RUR.TOTL.ZS").loc[["IND", "USA", "CHN"]]  # three decimals
    spec = default_spec("value", rural["2015"])
    assert spec == ",.3f"
    assert d3_format(spec, rural.loc["IND", "2015"]) == f"{rural.loc['IND', '2015']:.3f}"
    years = pd.Series([1960, 2023, 2010])
    assert default_spec("year", years) == "d"
    assert default_spec("start_date", years) == "d"
    assert default_spec("count", years) == ",d"
    assert default_spec("country", pd.Series(["a", "b"])) is None
    assert default_spec("flag", pd.Series([True, False])) is None


def test_default_specs_of_long_columns_read_every_value():
    """A column is read in blocks (a download's millions of rows); the choice is the
    one its whole column gives, whichever block holds the value needing decimals."""
    whole = np.arange(3 * BLOCK + 5, dtype=float)
    assert default_spec("units", pd.Series(whole)) == ",d"
    for where in (0, BLOCK - 1, BLOCK, 3 * BLOCK + 4):
        values = whole.copy()
        values[where] = 0.25
        assert default_spec("units", pd.Series(values)) == ",.2f"
    # Blocks needing 1, 3 and 2 decimals: three for every row.
    mixed = np.concatenate([np.full(BLOCK, 0.5), np.full(BLOCK, 0.125), np.full(10, 0.75)])
    assert default_spec("share", pd.Series(mixed)) == ",.3f"
    gaps = np.full(2 * BLOCK, np.nan)
    gaps[-1] = 7.0
    assert default_spec("units", pd.Series(gaps)) == ",d"


def gapminder_board(**chart_options) -> Dashboard:
    frame = px.data.gapminder()
    board = Dashboard("gap", title="Gapminder", root=".")
    board.add_dataset("gap", lambda: frame, formats={"gdpPercap": "$,.0f"})
    for chart_id, options in chart_options.items():
        board.add_chart(chart_id, chart_id, **options)
    board.load()
    return board


def draw(board: Dashboard, chart_id: str) -> dict:
    return board.render(chart_id, board.parse_view(MultiDict())).figure


def test_table_kind_formats_each_column_one_way():
    gap = px.data.gapminder()
    board = gapminder_board(
        rows={"kind": Table(columns=["country", "year", "pop", "lifeExp", "gdpPercap"])}
    )
    (trace,) = draw(board, "rows")["data"]
    country, year, pop, life, gdp = trace["cells"]["values"]
    first = gap.iloc[0]
    assert (country[0], year[0]) == ("Afghanistan", "1952")  # a year is never 1,952
    assert pop[0] == "8,425,333" == f"{first['pop']:,}"  # exactly, never 8,425,330
    # Every life expectancy with the same three decimals; the dataset's format for GDP.
    assert life[:3] == [f"{v:.3f}" for v in gap["lifeExp"][:3]]
    assert {len(v.split(".")[1]) for v in life} == {3}
    assert gdp[0] == f"${first['gdpPercap']:,.0f}"
    assert trace["cells"]["align"] == ["left", "right", "right", "right", "right"]


def test_kpi_shows_whole_numbers_exactly_and_the_authors_format():
    gap = px.data.gapminder()
    small = gap[gap["country"] == "Iceland"]
    board = Dashboard("gap", title="Gapminder", root=".")
    board.add_dataset("gap", lambda: small)
    board.add_chart("pop", "People", kind=Kpi("pop", x="year", prefix=""))
    board.add_chart("gdp", "GDP", kind=Kpi("gdpPercap", prefix="$"), formats={"gdpPercap": ",.2f"})
    board.add_chart("life", "Life", kind=Kpi("lifeExp", aggregate="mean"))
    board.load()
    (people,) = draw(board, "pop")["data"]
    assert people["value"] == small["pop"].iloc[-1] == 301931
    assert people["number"]["valueformat"] == ",d"  # 301,931, not 301,900
    (gdp,) = draw(board, "gdp")["data"]
    assert gdp["value"] == pytest.approx(small["gdpPercap"].sum())
    assert gdp["number"] == {"prefix": "$", "suffix": "", "valueformat": ",.2f"}
    (life,) = draw(board, "life")["data"]
    assert d3_format(life["number"]["valueformat"], life["value"]) == (
        f"{small['lifeExp'].mean():.2f}".rstrip("0").rstrip(".")
    )


def test_a_kpi_of_money_shows_cents():
    tips = px.data.tips()
    board = Dashboard("tips", title="Tips", root=".")
    board.add_dataset("tips", lambda: tips)
    board.add_chart("tip", "Mean tip", kind=Kpi("tip", aggregate="mean", prefix="$"))
    board.add_chart("size", "Mean party", kind=Kpi("size", aggregate="mean"))
    board.load()
    (tip,) = draw(board, "tip")["data"]
    assert tip["value"] == pytest.approx(tips["tip"].mean())  # 2.9983
    assert (
        tip["number"]["prefix"] + d3_format(tip["number"]["valueformat"], tip["value"])
        == (f"${tips['tip'].mean():.2f}")
        == "$3.00"
    )  # never $2.998
    (size,) = draw(board, "size")["data"]
    assert d3_format(size["number"]["valueformat"], size["value"]) == (f"{tips['size'].mean():.2f}")


def test_hovers_and_axes_use_the_columns_format():
    board = gapminder_board(
        life={"kind": Line(x="year", y="lifeExp", color="country")},
        wealth={"kind": Line(x="year", y="gdpPercap", color="country")},
    )
    life = draw(board, "life")
    # Most values have three decimals, a few five: 44.50136 shows as 44.5014, as six
    # significant digits say, and so every value has four decimals.
    assert default_spec("lifeExp", px.data.gapminder()["lifeExp"]) == ",.4f"
    assert life["data"][0]["hovertemplate"] == "%{y:,.4f}"
    assert "hoverformat" not in life["layout"]["yaxis"]  # plotly picks the ticks
    wealth = draw(board, "wealth")
    assert wealth["data"][0]["hovertemplate"] == "%{y:$,.0f}"
    assert wealth["layout"]["yaxis"]["tickformat"] == "$,.0f"


def test_a_bad_format_is_an_error_naming_the_column():
    board = Dashboard("gap", title="Gapminder", root=".")
    with pytest.raises(FormatError, match="dataset 'gap': format of 'pop'"):
        board.add_dataset("gap", lambda: px.data.gapminder(), formats={"pop": ",.2q"})
    board.add_dataset("gap", lambda: px.data.gapminder())
    with pytest.raises(FormatError, match="chart 'pop': format of 'pop'"):
        board.add_chart("pop", "People", kind=Kpi("pop"), formats={"pop": "nope"})


def test_the_guides_table_of_specifiers_is_what_they_show():
    guide = (ROOT / "docs" / "authoring.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| (\S+) \| (\S+) \|$", guide, re.M)
    assert len(rows) == 5
    for spec, big, small in rows:
        assert (d3_format(spec, 1234567.891), d3_format(spec, 0.0456)) == (big, small)
