"""Long line and scatter series are thinned before they are sent, keeping their shape
(first, last, lowest and highest points, and gaps), with a note; downloads stay whole."""

from __future__ import annotations

import io

import bigdash
import pandas as pd
import pytest

from databoard import Line, Scatter
from databoard.charts import downsample
from databoard.charts.encode import TYPED_MIN, decode

from support import ROOT, gunicorn

API = "/api/v1/dashboards/big"


@pytest.fixture(scope="module")
def readings() -> pd.DataFrame:
    return bigdash.readings()


def test_a_line_keeps_its_ends_extremes_and_gaps(readings):
    kind = Line(x="minute", y="level", color="sensor")
    shown, note = downsample.reduce(kind, readings, 500)
    assert note == f"Downsampled: {len(shown):,} of {len(readings):,} points shown"
    for sensor, rows in readings.groupby("sensor", observed=True):
        kept = shown[shown["sensor"] == sensor]
        assert 100 < len(kept) <= 500
        levels = rows["level"]
        for label in (rows.index[0], rows.index[-1], levels.idxmax(), levels.idxmin()):
            assert label in kept.index
        gap = kept[kept["minute"].between(bigdash.GAP.start, bigdash.GAP.stop - 1)]
        assert gap["level"].isna().any(), "the gap must still break the line"


def test_a_scatter_keeps_its_outermost_points(readings):
    shuffled = readings.sample(frac=1.0, random_state=3)
    kind = Scatter(x="temperature", y="load", color="sensor")
    shown, note = downsample.reduce(kind, shuffled, 300)
    assert note
    for sensor, rows in shuffled.groupby("sensor", observed=True):
        kept = shown[shown["sensor"] == sensor]
        assert len(kept) <= 300
        for column in ("temperature", "load"):
            assert {rows[column].idxmin(), rows[column].idxmax()} <= set(kept.index)


@pytest.mark.parametrize("zone", [None, "Europe/Paris"])
def test_dates_on_x_are_thinned_too(readings, zone):
    rows = readings[readings["sensor"] == "a"].copy()
    rows["when"] = pd.date_range("2024-01-01", periods=len(rows), freq="min", tz=zone)
    rows.loc[rows.index[10], "when"] = pd.NaT  # cannot be placed: left out
    shown, note = downsample.reduce(Line(x="when", y="level"), rows, 400)
    assert note and len(shown) <= 400
    assert shown["when"].notna().all()
    assert {rows.index[0], rows.index[-1], rows["level"].idxmax()} <= set(shown.index)


def test_short_series_are_left_alone(readings):
    rows = readings[readings["minute"] < 100]
    shown, note = downsample.reduce(Line(x="minute", y="level", color="sensor"), rows, 500)
    assert shown is rows
    assert note is None


def test_other_kinds_are_left_alone(readings):
    from databoard.charts.kinds import Bar

    kind = Bar(x="minute", y="level", color="sensor")
    assert downsample.reduce(kind, readings, 500)[0] is readings


def test_the_figure_is_thin_and_says_so(big_client, readings):
    figure = big_client.get(f"{API}/charts/level").get_json()
    limit = big_client.application.config["MAX_POINTS"]
    assert len(figure["data"]) == 2
    for number, trace in enumerate(figure["data"]):
        assert isinstance(trace["y"], dict) and trace["y"]["dtype"] == "f8"  # typed array
        xs, ys = decode(trace["x"]), decode(trace["y"])
        assert TYPED_MIN <= len(xs) == len(ys) <= limit
        assert xs[0] == 0 and xs[-1] == bigdash.PER_SENSOR - 1
        assert max(y for y in ys if y is not None) == 50 + number
        assert min(y for y in ys if y is not None) == -50 - number
        assert None in ys
    (note,) = figure["layout"]["annotations"]
    assert note["text"].startswith("Downsampled: ")
    assert "the table and the CSV have every row" in note["hovertext"]
    assert figure["layout"]["meta"]["downsampled"] == {
        "shown": sum(len(decode(t["x"])) for t in figure["data"]),
        "total": len(readings),
    }


def test_downloads_keep_every_row(big_client, readings):
    csv = big_client.get(f"{API}/charts/level/data.csv").get_data(True)
    table = pd.read_csv(io.StringIO(csv), comment="#")
    assert len(table) == len(readings)
    rows = big_client.get(f"{API}/charts/load/data.json").get_json()["rows"]
    assert len(rows) == len(readings)


def test_the_points_limit_is_a_setting():
    from databoard import create_app

    app = create_app(
        {"TESTING": True, "DASHBOARD": "bigdash", "CACHE_WARM": False, "MAX_POINTS": 300}
    )
    figure = app.test_client().get(f"{API}/charts/level").get_json()
    assert all(len(decode(t["x"])) <= 300 for t in figure["data"])
    assert all(isinstance(t["x"], list) for t in figure["data"])  # below TYPED_MIN: plain


@pytest.mark.browser
def test_the_browser_draws_typed_arrays_and_shows_the_note(browser):
    env = {"PYTHONPATH": str(ROOT / "tests" / "charts"), "DATABOARD_DASHBOARD": "bigdash"}
    with gunicorn("--workers", "1", env=env) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(url + "/d/big")
        page.wait_for_function(
            "[...document.querySelectorAll('.chart')].every(c => c.classList.contains('is-drawn'))"
        )
        # plotly.js decodes the typed arrays into the traces it draws (_fullData)
        drawn = page.evaluate(
            "document.querySelector('#chart-level .plot')._fullData"
            ".map(t => [t.y.length, Array.from(t.y).filter(Number.isNaN).length])"
        )
        notes = page.evaluate(
            "[...document.querySelectorAll('#chart-level .annotation-text')]"
            ".map(e => e.textContent)"
        )
        context.close()
    assert errors == []
    assert len(drawn) == 2
    assert all(1000 < length <= 2000 and gaps for length, gaps in drawn)
    assert any(text.startswith("Downsampled") for text in notes)
