"""One look and one colour per value across a dashboard, custom figures included."""

from __future__ import annotations

import plotly.express as px
import plotly.io as pio
import pytest
from werkzeug.datastructures import MultiDict

from databoard import Bar, Dashboard, Line, MultiSelect, Pie
from databoard.charts.theme import PALETTE, TEMPLATE

GAP = px.data.gapminder()
EUROPE = GAP[GAP["continent"] == "Europe"]


def board() -> Dashboard:
    made = Dashboard("gap", title="Gapminder", root=".")
    made.add_dataset("gap", lambda: EUROPE)
    made.add_filter(MultiSelect("country", "country", default=["Germany", "France", "Italy"]))
    made.add_chart("life", "Life expectancy", kind=Line(x="year", y="lifeExp", color="country"))
    made.add_chart(
        "nordic",
        "Nordic populations",
        kind=Bar(x="year", y="pop", color="country"),
        query="country in ['Sweden', 'Norway', 'Denmark']",
        filters=(),
    )

    @made.chart("growth", "Growth")
    def growth(frame, view):
        return px.line(frame, x="year", y="gdpPercap", color="country")

    @made.chart("dark", "Dark")
    def dark(frame, view):
        return px.scatter(frame, x="gdpPercap", y="lifeExp", template="plotly_dark")

    @made.chart("shares", "Shares")
    def shares(frame, view):
        latest = frame[frame["year"] == 2007]
        return px.pie(latest, names="country", values="pop")

    made.add_chart("pie", "Pie", kind=Pie(names="country", values="pop"), filters=())
    made.load()
    return made


def colours(figure: dict) -> dict[str, str]:
    out = {}
    for trace in figure["data"]:
        out[trace["name"]] = (trace.get("line") or {}).get("color") or trace["marker"]["color"]
    return out


@pytest.mark.parametrize(
    "chosen", [["Germany", "France", "Italy"], ["Italy", "Germany"], ["Sweden", "Spain", "France"]]
)
def test_a_country_has_one_colour_on_every_chart(chosen):
    made = board()
    view = made.parse_view(MultiDict({"country": chosen}))
    life = colours(made.render("life", view).figure)
    growth = colours(made.render("growth", view).figure)
    assert list(life) == chosen  # in the order chosen
    assert life == growth == {c: PALETTE[i] for i, c in enumerate(chosen)}
    (pie,) = made.render("shares", view).figure["data"]
    assert dict(zip(pie["labels"], pie["marker"]["colors"], strict=True)) == life


def test_values_outside_the_selection_keep_the_dashboards_colour():
    made = board()
    everyone = sorted(EUROPE["country"].unique())
    fixed = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(everyone)}
    assert dict(made.colours["country"]) == fixed
    for chosen in (["Germany"], ["France", "Spain"]):  # the bars follow no filter
        view = made.parse_view(MultiDict({"country": chosen}))
        nordic = colours(made.render("nordic", view).figure)
        assert nordic == {c: fixed[c] for c in ["Denmark", "Norway", "Sweden"]}
    # The chosen ones take the selection's colours here too, the others their own.
    expected = fixed | {"France": PALETTE[0], "Spain": PALETTE[1]}
    (pie,) = made.render("pie", view).figure["data"]
    assert pie["marker"]["colors"] == [expected[c] for c in pie["labels"]]
    with pytest.raises(TypeError):  # made at load, read by every request: immutable
        made.colours["country"]["Germany"] = "#000"  # type: ignore[index]


def test_custom_figures_get_the_theme_unless_their_author_chose_one():
    made = board()
    view = made.parse_view(MultiDict())
    growth = made.render("growth", view).figure
    assert growth["layout"]["template"] == TEMPLATE
    assert "margin" not in growth["layout"]  # the template's, not plotly.express's title room
    assert made.render("dark", view).figure["layout"]["template"] == (
        pio.templates["plotly_dark"].to_plotly_json()
    )
    # Registered under its name, and Plotly's own default is left as it was.
    assert pio.templates.default == "plotly"
    assert pio.templates["databoard"].layout.colorway == tuple(PALETTE)
    assert px.line(EUROPE, x="year", y="pop").layout.template.layout.colorway != tuple(PALETTE)
