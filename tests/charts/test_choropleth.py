"""A map shows one value per location: rows with several are reduced as declared, or refused.

Every case runs on the rows in memory and in DuckDB (the file queried in place), through
the same kind; the values drawn are checked against pandas on the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from databoard import Choropleth, Dashboard, Select, create_app
from databoard.cli import main
from databoard.dashboard.render import ChartMisfit

YEARS = [1997, 2002, 2007]


@pytest.fixture(scope="module")
def gapminder(tmp_path_factory) -> tuple[pd.DataFrame, object]:
    """Three years per country, the latest year missing for one of them."""
    rng = np.random.default_rng(3)
    countries = ["AFG", "BRA", "CHN", "DEU", "NGA"]
    frame = pd.DataFrame(
        [(c, f"{c} name", y) for c in countries for y in YEARS],
        columns=["iso_alpha", "country", "year"],
    )
    frame["lifeExp"] = rng.normal(60, 8, len(frame)).round(2)
    frame.loc[(frame.iso_alpha == "NGA") & (frame.year == 2007), "lifeExp"] = np.nan
    root = tmp_path_factory.mktemp("gapminder")
    frame.to_parquet(root / "gapminder.parquet")
    return frame, root


def draw(gapminder, backend: str, kind: Choropleth, query: str = ""):
    frame, root = gapminder
    board = Dashboard("map", title="Map", root=root)
    if backend == "memory":
        board.add_dataset("gap", lambda: frame)
    else:
        board.add_dataset("gap", source="gapminder.parquet", engine="duckdb")
    board.add_filter(Select("year", "year"))
    board.add_chart("life", "Life expectancy", kind=kind)
    board.load()
    view = board.parse_view(MultiDict([tuple(p.split("=")) for p in query.split("&") if p]))
    return board.render("life", view)


def shown(result) -> dict:
    (trace,) = result.figure["data"]
    return dict(zip(trace["locations"], trace["z"], strict=True))


BACKENDS = ["memory", "duckdb"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_several_values_per_location_are_refused_naming_the_chart(gapminder, backend):
    with pytest.raises(ChartMisfit) as error:
        draw(gapminder, backend, Choropleth(locations="iso_alpha", color="lifeExp"))
    assert error.value.status == 500
    assert error.value.message.startswith(
        "chart 'life': several rows per location (3 for 'AFG'): a map shows one value each; "
        "set aggregate (sum, mean, ...) or latest (a date or year column)"
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_row_per_location_needs_nothing_declared(gapminder, backend):
    frame, _ = gapminder
    result = draw(gapminder, backend, Choropleth("iso_alpha", "lifeExp"), "year=2002")
    expected = frame[frame.year == 2002].set_index("iso_alpha")["lifeExp"]
    assert shown(result) == pytest.approx(expected.to_dict())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("how", ["mean", "max", "count"])
def test_aggregate_combines_each_location(gapminder, backend, how):
    frame, _ = gapminder
    kind = Choropleth("iso_alpha", "lifeExp", hover_name="country", aggregate=how)
    result = draw(gapminder, backend, kind)
    grouped = frame[frame.lifeExp.notna()].groupby("iso_alpha")["lifeExp"]
    expected = grouped.size() if how == "count" else grouped.agg(how)
    assert shown(result) == pytest.approx(expected.to_dict())
    assert result.figure["data"][0]["text"][0] == "AFG name"


@pytest.mark.parametrize("backend", BACKENDS)
def test_latest_shows_each_locations_latest_value_and_says_when(gapminder, backend):
    frame, _ = gapminder
    kind = Choropleth("iso_alpha", "lifeExp", hover_name="country", latest="year")
    result = draw(gapminder, backend, kind)
    present = frame[frame.lifeExp.notna()]
    rows = present.loc[present.groupby("iso_alpha")["year"].idxmax()].set_index("iso_alpha")
    assert shown(result) == pytest.approx(rows["lifeExp"].to_dict())
    (trace,) = result.figure["data"]
    years = dict(zip(trace["locations"], trace["customdata"], strict=True))
    assert years == {c: int(y) for c, y in rows["year"].items()}
    assert years["NGA"] == 2002  # its 2007 value is missing
    assert "(%{customdata})" in trace["hovertemplate"]


def test_aggregate_and_latest_exclude_each_other():
    with pytest.raises(ValueError, match="give aggregate or latest, not both"):
        Choropleth("iso", "v", aggregate="mean", latest="year")
    with pytest.raises(ValueError, match="unknown aggregate 'avg'"):
        Choropleth("iso", "v", aggregate="avg")


def test_check_refuses_the_stacked_map_with_its_line(gapminder, tmp_path):
    frame, _ = gapminder
    frame.to_csv(tmp_path / "gapminder.csv", index=False)
    path = tmp_path / "map.yaml"
    path.write_text(
        "title: Map\n"
        "datasets:\n"
        "  gap: {source: gapminder.csv}\n"
        "charts:\n"
        "  - {id: stacked, title: Stacked, kind: choropleth, locations: iso_alpha,"
        " color: lifeExp}\n"
        "  - {id: latest, title: Latest, kind: choropleth, locations: iso_alpha,"
        " color: lifeExp, latest: year}\n"
        "  - {id: wrong, title: Wrong, kind: choropleth, locations: iso_alpha,"
        " color: lifeExp, latest: yaer}\n"
    )
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:5: chart 'stacked': several rows per location (3 for 'AFG'): a map shows "
        "one value each" in result.output
    )
    assert f"{path}:7: chart 'wrong': unknown column 'yaer'; did you mean 'year'?" in result.output
    assert "'latest'" not in result.output
    assert "2 problems found" in result.output


def test_the_api_and_page_say_why_the_map_is_refused(gapminder, tmp_path):
    frame, _ = gapminder
    frame.to_csv(tmp_path / "gapminder.csv", index=False)
    (tmp_path / "map.yaml").write_text(
        "title: Map\n"
        "datasets:\n"
        "  gap: {source: gapminder.csv}\n"
        "filters:\n"
        "  - {name: year, kind: multiselect, column: year, default: [2007]}\n"
        "charts:\n"
        "  - {id: life, title: Life, kind: choropleth, locations: iso_alpha, color: lifeExp}\n"
    )
    app = create_app({"TESTING": True, "DASHBOARD": str(tmp_path / "map.yaml")})
    client = app.test_client()
    assert client.get("/api/v1/dashboards/map/charts/life").status_code == 200  # one year
    answer = client.get("/api/v1/dashboards/map/charts/life?year=1997&year=2002")
    assert answer.status_code == 500
    message = answer.get_json()["error"]["message"]
    assert message.startswith("chart 'life': several rows per location (2 for 'AFG')")
    page = client.get("/d/map?year=1997&year=2002").get_data(as_text=True)
    assert "several rows per location (2 for" in page
