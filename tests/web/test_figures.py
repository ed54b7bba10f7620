"""Several charts' figures in one answer: JSON lines, each the chart's own, sent as made."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest

from databoard import create_app

from support import raw_indicator

API = "/api/v1/dashboards/worldbank"
VIEW = "country=IND&country=BRA&from=2000&to=2010"
ASKED = ["gdp-per-capita", "kpi-population", "world-map", "life-vs-gdp"]


def lines(body: bytes) -> list[dict]:
    assert body.endswith(b"\n")
    return [json.loads(line) for line in body.splitlines()]


def test_each_line_is_the_charts_own_answer_in_the_order_asked(client):
    response = client.get(f"{API}/figures/{'/'.join(ASKED)}?{VIEW}")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    found = lines(response.data)
    assert [line["id"] for line in found] == ASKED
    for line in found:
        alone = client.get(f"{API}/charts/{line['id']}?{VIEW}")
        assert line["figure"] == alone.get_json()


def test_numbers_equal_the_source(client):
    (line,) = lines(client.get(f"{API}/figures/gdp-per-capita?{VIEW}").data)
    traces = {t["name"]: t for t in line["figure"]["data"]}
    source = raw_indicator("NY.GDP.PCAP.CD")
    for name, code in (("India", "IND"), ("Brazil", "BRA")):
        shown = dict(zip(traces[name]["x"], traces[name]["y"], strict=True))
        assert shown[2005] == pytest.approx(float(source.loc[code, "2005"]), rel=1e-12)
        assert set(shown) == set(range(2000, 2011))


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_compressed_as_the_client_accepts(client, encoding):
    url = f"{API}/figures/{'/'.join(ASKED)}?{VIEW}"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": encoding})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    unpack = brotli.decompress if encoding == "br" else gzip.decompress
    assert unpack(packed.data) == plain.data
    for response in (plain, packed):
        assert "Accept-Encoding" in response.vary
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        assert response.headers["X-Accel-Buffering"] == "no"  # nginx passes each line on


def test_a_figure_made_here_is_cached_for_the_chart_alone(client):
    view = "country=JPN&from=1971&to=1999"
    assert lines(client.get(f"{API}/figures/gdp-per-capita/co2-per-capita?{view}").data)
    for chart in ("gdp-per-capita", "co2-per-capita"):
        assert client.get(f"{API}/charts/{chart}?{view}").headers["X-Cache"] == "hit"


def test_a_chart_asked_twice_comes_once(client):
    found = lines(client.get(f"{API}/figures/kpi-gdp/kpi-gdp/kpi-co2").data)
    assert [line["id"] for line in found] == ["kpi-gdp", "kpi-co2"]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("figures/kpi-gdp/nope?from=2000", 404, "dashboard 'worldbank' has no chart 'nope'"),
        ("figures/kpi-gdp?from=abc", 400, "'from' must be a number, not 'abc'"),
        ("figures/kpi-gdp?colour=red", 400, "unknown parameter 'colour'"),
    ],
)
def test_bad_input_is_one_json_error(client, path, status, message):
    response = client.get(f"{API}/{path}")
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["message"].startswith(message)


BOARD = """\
import os
from pathlib import Path

import pandas as pd

from databoard import Bar, Dashboard, Select

board = Dashboard("calls", title="Calls")


@board.dataset
def rows():
    return pd.DataFrame({"k": ["a", "b", "c"], "v": [1.0, 2.0, 3.0]})


board.add_filter(Select("k", "k"))
board.add_chart("bars", "Bars", kind=Bar(x="k", y="v"))


@board.chart("counted", "Counted")
def counted(frame, view):
    with open(os.environ["CALLS_FILE"], "a") as calls:
        calls.write(",".join(frame["k"]) + "\\n")
    return {"data": [{"type": "bar", "x": list(frame["k"]), "y": list(frame["v"])}]}


@board.chart("fragile", "Fragile")
def fragile(frame, view):
    if list(frame["k"]) == ["c"]:
        raise RuntimeError("c breaks this chart")
    return {"data": [{"type": "bar", "x": list(frame["k"]), "y": list(frame["v"])}]}
"""


@pytest.fixture
def calls_app(tmp_path, monkeypatch):
    (tmp_path / "calls.py").write_text(BOARD)
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("CALLS_FILE", str(calls))
    app = create_app({"TESTING": True, "DASHBOARD": str(tmp_path / "calls.py")})
    calls.write_text("")  # what loading drew is not this test's
    return app, calls


def test_each_line_is_sent_before_the_next_chart_is_made(calls_app):
    app, calls = calls_app
    url = "/api/v1/dashboards/calls/figures/bars/counted?k=b"
    response = app.test_client().get(url, buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    assert json.loads(first)["id"] == "bars"
    assert calls.read_text() == ""  # the second chart is not made yet
    rest = b"".join(chunks)
    response.close()
    assert json.loads(rest)["figure"]["data"][0]["x"] == ["b"]
    assert calls.read_text() == "b\n"


def test_a_failing_chart_gets_its_error_line_and_the_others_come(calls_app, caplog):
    app, _ = calls_app
    body = app.test_client().get("/api/v1/dashboards/calls/figures/fragile/bars?k=c").data
    fragile, bars = lines(body)
    assert fragile["id"] == "fragile"
    assert fragile["error"]["status"] == 500
    assert fragile["error"]["message"].startswith("chart 'fragile' failed")
    assert "c breaks" not in body.decode()  # the cause is for the log, not the client
    assert "figure" not in fragile
    assert bars["figure"]["data"][0]["x"] == ["c"]
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert logged and logged[0].exc_info[1].args == ("c breaks this chart",)
