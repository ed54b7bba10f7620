"""The World Bank development dashboard, written on databoard's public API.

Data: World Development Indicators bulk downloads bundled in ``data/`` (see its
SOURCES.md), The World Bank, CC BY 4.0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from databoard import (
    Bar,
    ChartRows,
    Choropleth,
    Dashboard,
    Kpi,
    Line,
    MultiSelect,
    Range,
    Scatter,
    Select,
)
from databoard.data.reshape import complete_rows, group_sums, spread
from databoard.data.worldbank import read_folder, scan_folder

DATA = Path(__file__).parent / "data"
INDICATORS = scan_folder(DATA)

ARABLE = "AG.LND.ARBL.HA.PC"
FOREST = "AG.LND.FRST.K2"
RURAL = "SP.RUR.TOTL"
RURAL_PCT = "SP.RUR.TOTL.ZS"
GDP = "NY.GDP.MKTP.CD"
GDP_PC = "NY.GDP.PCAP.CD"
LIFE = "SP.DYN.LE00.IN"
POP = "SP.POP.TOTL"
CO2 = "EN.ATM.CO2E.PC"
INTERNET = "IT.NET.USER.ZS"

#: The top-10 economies of the classic exercise.
TOP10 = ["USA", "CHN", "JPN", "DEU", "GBR", "IND", "FRA", "BRA", "ITA", "CAN"]

dashboard = Dashboard(
    "worldbank",
    title="World Bank development dashboard",
    description=(
        "Land use, population, income, health and emissions of the world's economies, "
        "from the World Development Indicators."
    ),
    attribution="The World Bank, World Development Indicators",
    attribution_url="https://datacatalog.worldbank.org/search/dataset/0037712",
    license="CC BY 4.0",
    license_url="https://creativecommons.org/licenses/by/4.0/",
)


@dashboard.dataset
def indicators() -> pd.DataFrame:
    """Every bundled indicator for the 217 countries (aggregates left out)."""
    tidy = read_folder(DATA)
    countries = tidy[~tidy["is_aggregate"]].copy()
    for column in ("country", "country_code"):
        countries[column] = countries[column].cat.remove_unused_categories()
    return countries


dashboard.add_filter(
    MultiSelect("country", "country_code", label="Countries", labels="country", default=TOP10)
)
dashboard.add_filter(
    Range("year", "year", label="Years", params=("from", "to"), default=(1990, 2023))
)
dashboard.add_filter(
    Select(
        "map_indicator",
        label="Map indicator",
        options=sorted(INDICATORS, key=lambda c: INDICATORS[c].name),
        labels={code: ind.name for code, ind in INDICATORS.items()},
        default=GDP_PC,
    )
)
dashboard.add_filter(
    Select(
        "map_year",
        label="Map year",
        options=list(range(1960, 2025)),
        default=None,
        none_label="Latest available",
    )
)


def source(*codes: str) -> dict:
    """Return the unit, source and data date of a chart over the indicators *codes*."""
    return {
        "source": "World Bank WDI: " + "; ".join(f"{INDICATORS[c].name} ({c})" for c in codes),
        "updated": max(INDICATORS[c].updated for c in codes),
    }


def indicator(code: str) -> str:
    """Return a query selecting one indicator."""
    return f"indicator_code == {code!r}"


def unit(code: str) -> str:
    """Return the unit of an indicator: the part of its name in brackets."""
    name = INDICATORS[code].name
    return name[name.rfind("(") + 1 : -1] if name.endswith(")") else name


def wide(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Put the indicators *columns* (code -> new name) side by side, one row per country-year."""
    return spread(frame, ["country", "country_code", "year"], "indicator_code", "value", columns)


def latest_complete_year(frame: pd.DataFrame, needed: list[str]) -> ChartRows | pd.DataFrame:
    """Keep the latest year in which the most countries have all *needed* values."""
    complete = complete_rows(frame, needed)
    if complete.empty:
        return complete
    # one row per country and year, so a year's rows are its countries
    years, counts = np.unique(complete["year"].to_numpy(), return_counts=True)
    year = years[counts == counts.max()].max()
    return ChartRows(complete[complete["year"] == year], note=f"Year {year}")


def line(chart_id: str, title: str, code: str, **options) -> None:
    """Add a chart of one indicator over time, one line per country."""
    dashboard.add_chart(
        chart_id,
        title,
        kind=Line(x="year", y="value", color="country", labels={"year": "Year"}),
        query=indicator(code),
        unit=unit(code),
        **source(code),
        **options,
    )


# -- KPI cards: totals of the selection in the latest complete year -------------------


def kpi_of(code: str, weights: str | None = None):
    """Return a chart function that totals *code* per year (weighted mean if *weights*)."""

    def compute(frame: pd.DataFrame, view) -> pd.DataFrame:
        if not weights:
            return wide(frame, {code: "value"})
        table = wide(frame, {code: "value", weights: "weight"})
        value, weight = table["value"].to_numpy(), table["weight"].to_numpy()
        valid = ~np.isnan(value) & ~np.isnan(weight)
        years, year = np.unique(table["year"].to_numpy(), return_inverse=True)
        totals = group_sums(year, np.where(valid, weight, np.nan), len(years))
        with np.errstate(invalid="ignore", divide="ignore"):
            table["value"] = np.where(valid, value * (weight / totals[year]), np.nan)
        return table

    return compute


KPIS = [
    ("kpi-population", "Population", POP, None, {}),
    ("kpi-gdp", "GDP", GDP, None, {"prefix": "$"}),
    ("kpi-life-expectancy", "Life expectancy", LIFE, POP, {"suffix": " years"}),
    ("kpi-co2", "CO2 per person", CO2, POP, {"suffix": " t"}),
]
for chart_id, title, code, weights, fmt in KPIS:
    dashboard.chart(
        chart_id,
        title,
        kind=Kpi("value", x="year", over="country_code", **fmt),
        unit=unit(code) + (", population-weighted" if weights else ", total"),
        **source(code, *([weights] if weights else [])),
    )(kpi_of(code, weights))


# -- charts ----------------------------------------------------------------------------

line("arable-land", "Arable land per person", ARABLE)


@dashboard.chart(
    "arable-land-latest",
    "Arable land per person, latest year",
    kind=Bar(
        x="value",
        y="country",
        color="country",
        orientation="h",
        sort="descending",
        aggregate=None,
        labels={"country": "Country"},
    ),
    query=indicator(ARABLE),
    unit=unit(ARABLE),
    **source(ARABLE),
)
def arable_land_latest(frame: pd.DataFrame, view) -> ChartRows | pd.DataFrame:
    """The latest year in the range with data for the most selected countries."""
    return latest_complete_year(frame, ["value"])


line("rural-population", "Rural population, share of total", RURAL_PCT)


@dashboard.chart(
    "rural-vs-forest",
    "Rural population against forest area",
    kind=Scatter(
        x="rural_population",
        y="forest_area",
        color="country",
        text="country",
        log_x=True,
        log_y=True,
        labels={
            "rural_population": "Rural population (people)",
            "forest_area": "Forest area (sq. km)",
        },
    ),
    unit="people; sq. km",
    description="One point per country and year.",
    **source(RURAL, FOREST),
)
def rural_vs_forest(frame: pd.DataFrame, view) -> pd.DataFrame:
    table = wide(frame, {RURAL: "rural_population", FOREST: "forest_area"})
    return complete_rows(table, ["rural_population", "forest_area"])


line("gdp-per-capita", "GDP per capita", GDP_PC)


@dashboard.chart(
    "life-vs-gdp",
    "Life expectancy against GDP per capita",
    kind=Scatter(
        x="gdp_per_capita",
        y="life_expectancy",
        size="population",
        color="country",
        text="country",
        log_x=True,
        labels={
            "gdp_per_capita": "GDP per capita (current US$, log scale)",
            "life_expectancy": "Life expectancy at birth (years)",
            "population": "Population",
        },
    ),
    unit="current US$; years",
    description="Bubble size is population. Latest year in the range with all three values.",
    **source(GDP_PC, LIFE, POP),
)
def life_vs_gdp(frame: pd.DataFrame, view) -> ChartRows | pd.DataFrame:
    needed = ["gdp_per_capita", "life_expectancy", "population"]
    table = wide(frame, {GDP_PC: needed[0], LIFE: needed[1], POP: needed[2]})
    return latest_complete_year(table, needed)


line("co2-per-capita", "CO2 emissions per person", CO2)
line("internet-users", "Internet users, share of population", INTERNET)


@dashboard.chart(
    "world-map",
    "World map",
    kind=Choropleth(locations="country_code", color="value", hover_name="country"),
    filters=("map_indicator", "map_year"),
    description="All countries, for the chosen indicator and year (latest with data if not set).",
    source="World Bank WDI",
    updated=max(ind.updated for ind in INDICATORS.values()),
)
def world_map(frame: pd.DataFrame, view) -> ChartRows:
    code = view["map_indicator"]
    rows = frame[(frame["indicator_code"] == code) & frame["value"].notna()]
    years = rows["year"].unique()
    year = (
        view["map_year"] if view["map_year"] is not None else (years.max() if len(years) else None)
    )
    out = rows[rows["year"] == year]
    name = INDICATORS[code].name
    span = f"; it has data for {years.min()}-{years.max()}" if len(years) else ""
    return ChartRows(
        out,
        note=f"{name}, {year} (updated {INDICATORS[code].updated})",
        empty_message=f"No data for {name} in {year}{span}",
    )
