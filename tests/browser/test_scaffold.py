"""`databoard new` writes a folder that serves at once: drawn in Chromium, filter changed."""

from __future__ import annotations

import subprocess

import pytest

from support import bin_path, free_port, running

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["yaml", "python"])
def scaffold(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("new")
    subprocess.run(
        [bin_path("databoard"), "new", "shop", "--format", request.param],
        cwd=root,
        check=True,
        capture_output=True,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [bin_path("databoard"), "serve", "shop", "--port", str(port)]
    with running(command, url, cwd=root):
        yield url


def test_new_dashboard_draws_and_filters(scaffold, watch):
    page = watch.page
    page.goto(scaffold + "/")
    assert "/d/shop?region=East&region=North" in page.url  # the URL holds the whole view
    watch.wait_drawn()
    assert page.locator(".chart.has-error").count() == 0
    before = watch.trace_names("revenue-by-month")
    assert [n for n in before if "trend" not in n] == ["East", "North", "South", "West"]

    page.get_by_role("button", name="Remove North").click()
    page.wait_for_function(
        "location.search.includes('region=') && !location.search.includes('North')"
    )
    watch.wait_drawn()
    after = [n for n in watch.trace_names("revenue-by-month") if "trend" not in n]
    assert after == ["East", "South", "West"]
    assert watch.outside() == []
    assert watch.errors == []
