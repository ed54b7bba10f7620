"""A dashboard over a header-only CSV draws in Chromium: every chart says "No data".

Filters over its empty columns have no options or bounds, and values in the URL (a shared
link from when there was data) are taken without an error.
"""

from __future__ import annotations

import subprocess

import pytest

from support import bin_path, free_port, running

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def empty_shop(tmp_path_factory):
    """The scaffold dashboard with its sales file cut down to the header."""
    root = tmp_path_factory.mktemp("empty")
    subprocess.run(
        [bin_path("databoard"), "new", "shop"], cwd=root, check=True, capture_output=True
    )
    sales = root / "shop" / "data" / "sales.csv"
    sales.write_text(sales.read_text().splitlines()[0] + "\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([bin_path("databoard"), "serve", "shop", "--port", str(port)], url, cwd=root):
        yield url


@pytest.mark.parametrize("query", ["", "?region=North&product=Basic&from=2024-01-01"])
def test_every_chart_says_no_data(empty_shop, watch, query):
    page = watch.page
    page.goto(empty_shop + "/d/shop" + query)
    watch.wait_drawn()
    charts = page.locator(".chart")
    assert charts.count() == 7
    assert page.locator(".chart.has-error").count() == 0
    for i in range(charts.count()):
        assert "No data for this selection" in charts.nth(i).inner_text()
    assert watch.errors == []
    assert watch.outside() == []
