"""The JSON API: every chart, its numbers against the source files, and every bad input."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from databoard.dashboards.worldbank import TOP10

from support import raw_indicator

API = "/api/v1/dashboards/worldbank"
CHARTS = [
    "kpi-population",
    "kpi-gdp",
    "kpi-life-expectancy",
    "kpi-co2",
    "arable-land",
    "arable-land-latest",
    "rural-population",
    "rural-vs-forest",
    "gdp-per-capita",
    "life-vs-gdp",
    "co2-per-capita",
    "internet-users",
    "world-map",
]
VIEWS = [
    "",
    "?country=IND&country=BRA&from=2000&to=2010",
    "?country=NGA&from=1960&to=2024",
    "?map_indicator=EN.ATM.CO2E.PC&map_year=2015",
]


def raw(code, country, year):
    value = raw_indicator(code).loc[country, str(year)]
    return None if pd.isna(value) else float(value)


def test_list_dashboards(client):
    body = client.get("/api/v1/dashboards").get_json()
    assert body["dashboards"] == [
        {
            "slug": "worldbank",
            "title": "World Bank development dashboard",
            "description": body["dashboards"][0]["description"],
            "url": "/d/worldbank",
            "api_url": API,
        }
    ]


def test_describe_dashboard(client):
    body = client.get(API).get_json()
    assert [c["id"] for c in body["charts"]] == CHARTS
    filters = {f["name"]: f for f in body["filters"]}
    assert filters["country"]["kind"] == "multiselect"
    assert filters["country"]["default"] == TOP10
    assert len(filters["country"]["options"]) == 217
    assert {"value": "IND", "label": "India"} in filters["country"]["options"]
    assert filters["year"]["params"] == ["from", "to"]
    assert filters["year"]["bounds"] == [1960, 2024]
    assert filters["map_indicator"]["kind"] == "select"
    charts = {c["id"]: c for c in body["charts"]}
    assert charts["world-map"]["filters"] == ["map_indicator", "map_year"]
    assert charts["arable-land"]["filters"] == ["country", "year"]
    assert charts["arable-land"]["unit"] == "hectares per person"
    assert charts["arable-land"]["updated"] == "2018-05-02"


@pytest.mark.parametrize("query", VIEWS)
@pytest.mark.parametrize("chart", CHARTS)
def test_every_chart_answers(client, chart, query):
    response = client.get(f"{API}/charts/{chart}{query}")
    assert response.status_code == 200
    figure = response.get_json()
    assert figure["data"], f"{chart} drew nothing for {query!r}"
    assert response.headers["Cache-Control"].startswith("public")


def traces_by_name(figure):
    return {t["name"]: t for t in figure["data"]}


@pytest.mark.parametrize(
    ("chart", "code"),
    [
        ("arable-land", "AG.LND.ARBL.HA.PC"),
        ("rural-population", "SP.RUR.TOTL.ZS"),
        ("gdp-per-capita", "NY.GDP.PCAP.CD"),
        ("co2-per-capita", "EN.ATM.CO2E.PC"),
        ("internet-users", "IT.NET.USER.ZS"),
    ],
)
def test_line_numbers_equal_the_source(client, chart, code):
    figure = client.get(
        f"{API}/charts/{chart}?country=IND&country=USA&from=1985&to=2016"
    ).get_json()
    names = {"India": "IND", "United States": "USA"}
    traces = traces_by_name(figure)
    assert set(traces) == set(names)
    for name, iso in names.items():
        trace = traces[name]
        assert trace["x"] == sorted(trace["x"])
        assert 1985 <= min(trace["x"]) and max(trace["x"]) <= 2016
        for year, y in zip(trace["x"], trace["y"], strict=True):
            assert y == raw(code, iso, year), (name, year)


def test_missing_years_are_gaps_not_zeros(client):
    # Chad reports internet use for 1990, then not again until the late 1990s.
    figure = client.get(f"{API}/charts/internet-users?country=TCD&country=USA&from=1990&to=2000")
    trace = traces_by_name(figure.get_json())["Chad"]
    missing = [year for year in range(1990, 2001) if raw("IT.NET.USER.ZS", "TCD", year) is None]
    assert missing, "the source should have gaps here"
    for year in missing:
        assert trace["y"][trace["x"].index(year)] is None
    assert trace["connectgaps"] is False


def test_line_axis_spans_years_with_data_only(client):
    # Arable land ends in 2015 in this vintage; the axis must not run on to 2023.
    figure = client.get(f"{API}/charts/arable-land?country=IND&from=1990&to=2023").get_json()
    assert max(figure["data"][0]["x"]) == 2015


def test_latest_bars_equal_the_source(client):
    figure = client.get(
        f"{API}/charts/arable-land-latest?country=IND&country=FRA&from=1990&to=2023"
    )
    figure = figure.get_json()
    assert figure["layout"]["title"]["text"] == "Year 2015"
    (bars,) = figure["data"]
    got = dict(zip(bars["y"], bars["x"], strict=True))
    assert got == {
        "India": raw("AG.LND.ARBL.HA.PC", "IND", 2015),
        "France": raw("AG.LND.ARBL.HA.PC", "FRA", 2015),
    }
    assert bars["x"] == sorted(bars["x"])  # the longest bar is drawn on top


def test_rural_vs_forest_points_equal_the_source(client):
    figure = client.get(f"{API}/charts/rural-vs-forest?country=BRA&from=2000&to=2005").get_json()
    (trace,) = figure["data"]
    assert len(trace["x"]) == 6
    for x, y, year in zip(trace["x"], trace["y"], range(2000, 2006), strict=True):
        assert x == raw("SP.RUR.TOTL", "BRA", year)
        assert y == raw("AG.LND.FRST.K2", "BRA", year)


def test_life_vs_gdp_bubbles_equal_the_source(client):
    figure = client.get(f"{API}/charts/life-vs-gdp?country=JPN&country=NGA&from=1990&to=2010")
    figure = figure.get_json()
    assert figure["layout"]["title"]["text"] == "Year 2010"
    assert figure["layout"]["xaxis"]["type"] == "log"
    for trace in figure["data"]:
        iso = {"Japan": "JPN", "Nigeria": "NGA"}[trace["name"]]
        assert trace["x"] == [raw("NY.GDP.PCAP.CD", iso, 2010)]
        assert trace["y"] == [raw("SP.DYN.LE00.IN", iso, 2010)]
        assert trace["marker"]["size"] == [raw("SP.POP.TOTL", iso, 2010)]


def test_world_map_covers_all_countries_for_the_latest_year(client):
    figure = client.get(f"{API}/charts/world-map").get_json()
    (trace,) = figure["data"]
    assert trace["type"] == "choropleth"
    assert trace["locationmode"] == "ISO-3"
    source = raw_indicator("NY.GDP.PCAP.CD")
    assert "2023" in figure["layout"]["title"]["text"]
    for iso, z in zip(trace["locations"], trace["z"], strict=True):
        assert z == float(source.loc[iso, "2023"])
    assert "WLD" not in trace["locations"]  # aggregates never appear as countries
    assert len(trace["locations"]) > 180


def test_world_map_for_a_chosen_indicator_and_year(client):
    query = "?map_indicator=SP.DYN.LE00.IN&map_year=1975"
    figure = client.get(f"{API}/charts/world-map{query}").get_json()
    (trace,) = figure["data"]
    got = dict(zip(trace["locations"], trace["z"], strict=True))
    assert got["IND"] == raw("SP.DYN.LE00.IN", "IND", 1975)
    assert "1975" in figure["layout"]["title"]["text"]


def test_world_map_year_without_data_says_so(client):
    figure = client.get(f"{API}/charts/world-map?map_indicator=EN.ATM.CO2E.PC&map_year=2023")
    figure = figure.get_json()
    assert figure["data"] == []
    assert "No data" in figure["layout"]["annotations"][0]["text"]


def test_kpi_totals_equal_the_source(client):
    figure = client.get(f"{API}/charts/kpi-population?country=IND&country=CHN&from=2000&to=2020")
    (indicator,) = figure.get_json()["data"]
    total_2020 = raw("SP.POP.TOTL", "IND", 2020) + raw("SP.POP.TOTL", "CHN", 2020)
    total_2000 = raw("SP.POP.TOTL", "IND", 2000) + raw("SP.POP.TOTL", "CHN", 2000)
    assert indicator["number"]["suffix"] == " B"
    assert indicator["value"] * 1e9 == pytest.approx(total_2020, rel=1e-12)
    assert indicator["delta"]["reference"] * 1e9 == pytest.approx(total_2000, rel=1e-12)
    assert indicator["title"]["text"] == "2020"


def test_kpi_weighted_mean_equals_the_source(client):
    response = client.get(
        f"{API}/charts/kpi-life-expectancy/data.csv?country=IND&country=USA&from=2010&to=2010"
    )
    table = pd.read_csv(io.StringIO(response.get_data(as_text=True)), comment="#")
    pops = {c: raw("SP.POP.TOTL", c, 2010) for c in ("IND", "USA")}
    lives = {c: raw("SP.DYN.LE00.IN", c, 2010) for c in ("IND", "USA")}
    expected = sum(pops[c] * lives[c] for c in pops) / sum(pops.values())
    assert table["value"].iloc[0] == pytest.approx(expected, rel=1e-9)


def test_csv_download_equals_the_source(client):
    response = client.get(
        f"{API}/charts/gdp-per-capita/data.csv?country=BRA&country=ITA&from=2001&to=2003"
    )
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert "# filters: country=BRA&country=ITA&from=2001&to=2003" in header
    assert "# updated: 2025-04-15" in header
    assert any(line.startswith("# source: World Bank WDI") for line in header)
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert len(table) == 6
    for row in table.itertuples():
        assert row.value == raw("NY.GDP.PCAP.CD", row.country_code, row.year)


def test_json_download_matches_csv(client):
    query = "?country=IND&from=2014&to=2015"
    body = client.get(f"{API}/charts/rural-population/data.json{query}").get_json()
    assert body["filters"] == "country=IND&from=2014&to=2015"
    assert body["updated"] == "2018-05-21"
    rows = [dict(zip(body["columns"], r, strict=True)) for r in body["rows"]]
    assert [r["value"] for r in rows] == [raw("SP.RUR.TOTL.ZS", "IND", 2014), 67.253]


def test_same_colour_for_a_country_on_every_chart(client):
    query = "?country=IND&country=USA"
    colours = set()
    for chart in ("arable-land", "gdp-per-capita", "co2-per-capita"):
        figure = client.get(f"{API}/charts/{chart}{query}").get_json()
        colours.add(traces_by_name(figure)["India"]["line"]["color"])
    assert len(colours) == 1


BAD = [
    ("?country=XXX", "country"),
    ("?country=USA&country=wld", "country"),
    ("?country=WLD", "country"),  # an aggregate is not a country
    ("?from=2010&to=2000", "from"),
    ("?from=abc", "from"),
    ("?to=20x0", "to"),
    ("?from=1959", "from"),
    ("?to=2100", "to"),
    ("?from=1990.5", "from"),
    ("?from=nan", "from"),
    ("?from=inf", "from"),
    ("?from=1e400", "from"),
    ("?from=1990&from=1991", "from"),
    ("?colour=red", "colour"),
    ("?map_indicator=NOPE", "map_indicator"),
    ("?map_year=1800", "map_year"),
    ("?map_year=latest", "map_year"),
]


@pytest.mark.parametrize(("query", "parameter"), BAD)
@pytest.mark.parametrize("suffix", ["", "/data.csv", "/data.json"])
def test_bad_input_is_a_400_naming_the_parameter(client, query, parameter, suffix):
    response = client.get(f"{API}/charts/arable-land{suffix}{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert error["parameter"] == parameter
    assert parameter in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/dashboards/nope",
        "/api/v1/dashboards/nope/charts/arable-land",
        f"{API}/charts/nope",
        f"{API}/charts/nope/data.csv",
        "/api/v1/nothing-here",
    ],
)
def test_unknown_names_are_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "query",
    ["?country=", "?from=", "?country=%00", "?country=%E2%98%83", "?from=%20%20", "?=x", "?&&"],
)
def test_odd_input_never_500(client, query):
    for chart in CHARTS:
        response = client.get(f"{API}/charts/{chart}{query}")
        assert response.status_code in (200, 400), (chart, query, response.status_code)
        strict_json(response.data)  # a gap is null: no NaN or Infinity, which JSON lacks


def strict_json(body: bytes):
    """Parse *body* as standard JSON, failing on the NaN and Infinity Python would accept."""

    def reject(constant):
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(body, parse_constant=reject)


def test_strict_json_rejects_nan():
    with pytest.raises(AssertionError, match="NaN"):
        strict_json(b'{"data": [{"y": [1, NaN]}]}')
