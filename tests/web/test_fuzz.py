"""Fuzzing: generated requests over the pages, API, downloads and assets; none gets a 5xx.

A bounded, reproducible run (hypothesis, derandomized): valid and broken values of every
parameter, unknown parameters, odd paths, methods and headers.
"""

from __future__ import annotations

import gzip
import re
from urllib.parse import quote, urlencode

import brotli
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: How many requests one run sends.
EXAMPLES = 2000

API = "/api/v1/dashboards"
CHARTS = ["gdp-per-capita", "world-map", "kpi-population", "arable-land-latest", "life-vs-gdp"]
PARAMS = ["country", "from", "to", "map_indicator", "map_year"]


def mostly(common, rare, odds: int = 3):
    """Draw from *common* *odds* times as often as from *rare*."""
    return st.integers(0, odds).flatmap(lambda i: rare if i == 0 else common)


junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(
    st.sampled_from(["USA", "CHN", "IND", "WLD", "usa", "", "XXX", "US A", "USA,CHN"]),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["1960", "2023", "2100", "NaN", "inf", "-inf", "1e309", "0x7e0", " 2000 "]),
    st.sampled_from(["NY.GDP.PCAP.CD", "SP.DYN.LE00.IN", "nope", "%", "%00", "\x00", "\n"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    junk,
)
names = mostly(st.sampled_from(PARAMS), junk, odds=4)
query = st.lists(st.tuples(names, values), max_size=8)
chart = mostly(st.sampled_from(CHARTS), junk.map(lambda t: quote(t, safe="")))
routes = st.one_of(
    st.just("/d/worldbank"),
    st.just(f"{API}/worldbank"),
    st.tuples(chart, st.sampled_from(["", "", "/data.csv", "/data.json"])).map(
        lambda c: f"{API}/worldbank/charts/{c[0]}{c[1]}"
    ),
)
odd = st.one_of(
    st.sampled_from(["/", "/healthz", "/readyz", "/static/x/plotly.min.js", "/d/worldbank.json"]),
    junk.map(lambda t: "/d/" + quote(t, safe="")),
    junk.map(lambda t: f"{API}/" + quote(t, safe="")),
    junk.map(lambda t: "/static/0123456789ab/" + quote(t, safe="/")),
    junk.map(lambda t: "/" + quote(t, safe="/%?&=")),
)
#: Three in four requests go to a dashboard's page or API, where the parameters count.
path = mostly(routes, odd)
headers = st.dictionaries(
    st.sampled_from(
        ["Accept-Encoding", "If-None-Match", "X-Request-ID", "X-Forwarded-For", "Accept", "Range"]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    max_size=3,
)
method = st.sampled_from(["GET"] * 15 + ["HEAD", "POST", "OPTIONS", "PUT", "DELETE"])


@pytest.fixture(scope="module")
def fuzz_client(app):
    return app.test_client()


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(method=method, path=path, query=query, headers=headers)
def test_no_request_gets_a_server_error(fuzz_client, method, path, query, headers):
    if query:
        path += ("&" if "?" in path else "?") + urlencode(query)
    response = fuzz_client.open(path, method=method, headers=headers)
    assert response.status_code < 500, (method, path, query, response.get_data(as_text=True))
    if response.status_code >= 400 and response.mimetype == "application/json" and method != "HEAD":
        assert set(response.get_json()["error"]) <= {"status", "message", "parameter"}
    assert not re.search(rb"Traceback|File \"/", _body(response))


def _body(response) -> bytes:
    """Return the response's body as sent before compression (``*`` accepts any)."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    return gzip.decompress(body) if encoding == "gzip" else body
