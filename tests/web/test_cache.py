"""Cached answers are correct: same view, same bytes; another view, never another's answer;
new data, never an old answer; ETags give 304s; every encoding holds the same body."""

from __future__ import annotations

import gzip
import json
import logging

import brotli
import pytest
import requests
from werkzeug.datastructures import MultiDict

from databoard import create_app
from databoard.web.views import figure_body

from support import gunicorn

API = "/api/v1/dashboards/worldbank"
CHART = f"{API}/charts/gdp-per-capita"


def decoded(response) -> bytes:
    """Return the body of *response*, uncompressed."""
    encoding = response.headers.get("Content-Encoding")
    data = response.get_data()
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    assert encoding is None
    return data


@pytest.mark.parametrize(
    "url",
    [
        f"{CHART}?country=BRA&country=IND&from=1995&to=2005",
        f"{API}/charts/life-vs-gdp?country=NGA&country=EGY",
        f"{API}/charts/world-map?map_indicator=SP.POP.TOTL&map_year=2001",
        f"{API}/charts/arable-land/data.csv?country=KEN&from=1970",
        f"{API}/charts/arable-land/data.json?country=KEN&from=1971",
        "/d/worldbank?country=PER&country=CHL&from=1980&to=2010",
    ],
)
def test_same_view_twice_gives_the_same_bytes_from_the_cache(fresh_client, url):
    first = fresh_client.get(url, headers={"Accept-Encoding": "br"})
    second = fresh_client.get(url, headers={"Accept-Encoding": "br"})
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache"] == "miss"
    assert second.headers["X-Cache"] == "hit"
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


VIEWS = [
    {"country": ["USA"], "from": ["1990"], "to": ["2000"]},
    {"country": ["USA"], "from": ["1990"], "to": ["2001"]},
    {"country": ["CHN", "USA"]},
    {"country": ["USA", "CHN"]},  # the same countries in another order: other colours
    {"country": ["FRA"], "map_year": ["2000"]},
    {"country": ["FRA"], "map_year": ["2001"]},
]


@pytest.mark.parametrize("chart_id", ["gdp-per-capita", "kpi-population", "world-map"])
def test_each_view_gets_its_own_figure(fresh_app, fresh_client, chart_id):
    """Asked in turn, twice, every view's answer is the figure computed for that view."""
    board = fresh_app.extensions["databoard"].get("worldbank")
    max_points = fresh_app.config["MAX_POINTS"]
    for _ in range(2):
        for args in VIEWS:
            query = "&".join(f"{k}={v}" for k, values in args.items() for v in values)
            answer = fresh_client.get(f"{API}/charts/{chart_id}?{query}")
            view = board.parse_view(MultiDict(args))
            expected = figure_body(board, chart_id, board.render(chart_id, view, max_points).figure)
            assert answer.data == expected, query


def test_the_page_inlines_the_chart_answers(fresh_client):
    page = fresh_client.get("/d/worldbank?country=JPN&country=KOR&from=2000").get_data(True)
    state = json.loads(page.split('id="databoard-state">')[1].split("</script>")[0])
    for chart_id, figure in state["figures"].items():
        answer = fresh_client.get(f"{API}/charts/{chart_id}?country=JPN&country=KOR&from=2000")
        assert answer.headers["X-Cache"] == "hit"  # made while the page was
        assert answer.get_json() == figure


def test_the_default_view_is_cached_at_start(fresh_client):
    assert fresh_client.get("/d/worldbank").headers["X-Cache"] == "hit"
    assert fresh_client.get(CHART).headers["X-Cache"] == "hit"


def test_warming_uses_the_keys_of_requests_under_a_url_prefix():
    app = create_app({"TESTING": True, "URL_PREFIX": "/dashboards"})
    page = app.test_client().get("/dashboards/d/worldbank")
    assert page.status_code == 200
    assert page.headers["X-Cache"] == "hit"
    assert 'href="/dashboards/static/' in page.get_data(True)


@pytest.mark.parametrize(
    "url", [CHART, f"{API}/charts/arable-land/data.csv", "/d/worldbank?country=ITA"]
)
def test_a_matching_etag_gets_304(fresh_client, url):
    first = fresh_client.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = fresh_client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "br"})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert "Accept-Encoding" in again.headers["Vary"]
    other = fresh_client.get(url, headers={"If-None-Match": 'W/"not-this-one"'})
    assert other.status_code == 200


def test_answers_may_be_reused_briefly(fresh_client):
    answer = fresh_client.get(CHART)
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    assert answer.headers["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    "url",
    [
        f"{CHART}?country=DEU",
        f"{API}/charts/rural-vs-forest/data.json?country=DEU",
        f"{API}/charts/rural-vs-forest/data.csv?country=DEU",
        "/d/worldbank?country=DEU",
    ],
)
def test_every_encoding_holds_the_same_body(fresh_client, url):
    bodies = {}
    for encoding in ("identity", "gzip", "br"):
        answer = fresh_client.get(url, headers={"Accept-Encoding": encoding})
        assert answer.status_code == 200
        expected = None if encoding == "identity" else encoding
        assert answer.headers.get("Content-Encoding") == expected
        bodies[encoding] = decoded(answer)
    assert bodies["identity"] == bodies["gzip"] == bodies["br"]
    if ".json" in url or "/charts/" in url and ".csv" not in url:
        assert json.loads(bodies["br"])


def test_a_miss_compresses_once_and_another_encoding_is_added_when_asked(fresh_app):
    from databoard.web.cache import lookup
    from databoard.web.views import DashboardView

    url = f"{CHART}?country=NOR&country=SWE"

    def kept() -> list[str]:
        with fresh_app.test_request_context(url):
            key = DashboardView.from_query("worldbank").cache_key("gdp-per-capita", "figure")
            return sorted(lookup(key).encoded)

    client = fresh_app.test_client()
    first = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert first.headers["X-Cache"] == "miss" and first.headers["Content-Encoding"] == "br"
    assert kept() == ["br"]
    second = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert second.headers["X-Cache"] == "hit" and second.headers["Content-Encoding"] == "gzip"
    assert decoded(second) == decoded(first)
    assert kept() == ["br", "gzip"]


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_answers_too_big_to_cache_are_streamed_each_time_and_still_compressed(encoding):
    app = create_app({"TESTING": True, "CACHE_WARM": False, "CACHE_ITEM_MAX_BYTES": 1000})
    client = app.test_client()
    url = f"{API}/charts/arable-land/data.csv"
    answers, bodies = [], []
    for _ in range(2):  # each read before the next request, as a client does
        answers.append(client.get(url, headers={"Accept-Encoding": encoding}))
        assert "ETag" not in answers[-1].headers  # sent while written, before its end
        bodies.append(decoded(answers[-1]))
    assert [a.headers["X-Cache"] for a in answers] == ["miss", "miss"]
    assert answers[0].headers["Content-Encoding"] == encoding
    small = create_app({"TESTING": True, "CACHE_WARM": False}).test_client().get(url)
    assert small.headers["X-Cache"] == "miss" and "ETag" in small.headers
    assert bodies[0] == bodies[1] == client.get(url).data == small.data


def test_a_failing_cache_backend_answers_uncached(caplog):
    app = create_app(
        {"TESTING": True, "CACHE_WARM": False, "CACHE_TYPE": "brokencache.BrokenCache"}
    )
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        answers = [client.get(CHART) for _ in range(3)]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["X-Cache"] == "miss"
        assert answer.get_json()["data"]
    assert caplog.text.count("cache unavailable, answering uncached") == 1  # once, not per request
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "degraded"
    assert "cache server unreachable" in ready.get_json()["cache"]


def test_bad_input_is_still_a_400_naming_the_parameter(fresh_client):
    for url in (f"{CHART}?from=abc", "/d/worldbank?from=abc"):
        answer = fresh_client.get(url)
        assert answer.status_code == 400
    assert fresh_client.get(f"{CHART}?from=abc").get_json()["error"]["parameter"] == "from"


# -- a changed data file, with a cache shared by every process ------------------------


def serve_tiny(csv, cache_dir):
    """Serve ``tinyboard`` over *csv* with gunicorn, caching in the shared *cache_dir*."""
    from support import ROOT

    env = {
        "PYTHONPATH": str(ROOT / "tests" / "web"),
        "TINYBOARD_CSV": str(csv),
        "DATABOARD_DASHBOARD": "tinyboard",
        "DATABOARD_CACHE_TYPE": "FileSystemCache",
        "DATABOARD_CACHE_DIR": str(cache_dir),
    }
    return gunicorn("--workers", "2", "--preload", env=env)


@pytest.mark.slow
def test_changed_data_is_never_answered_from_the_old_cache(tmp_path):
    csv = tmp_path / "points.csv"
    cache_dir = tmp_path / "cache"
    url = "/api/v1/dashboards/tiny/charts/y?to=2"  # not the default view, warmed at start

    def ys(base: str) -> tuple[list, list]:
        answers = [requests.get(base + url, timeout=30) for _ in range(3)]
        return [a.json()["data"][0]["y"] for a in answers], [a.headers["X-Cache"] for a in answers]

    csv.write_text("x,y\n1,10\n2,20\n3,30\n")
    with serve_tiny(csv, cache_dir) as base:
        values, status = ys(base)
    assert values == [[10, 20]] * 3
    assert status[0] == "miss" and status[1:] == ["hit", "hit"]  # shared by both workers

    csv.write_text("x,y\n1,11\n2,21\n3,31\n")  # new data, then a restart
    with serve_tiny(csv, cache_dir) as base:
        values, status = ys(base)
    assert values == [[11, 21]] * 3
    assert status[0] == "miss"

    csv.write_text("x,y\n1,10\n2,20\n3,30\n")  # the first data again: its answers still fit
    with serve_tiny(csv, cache_dir) as base:
        values, status = ys(base)
    assert values == [[10, 20]] * 3
    assert status == ["hit", "hit", "hit"]
