"""A view change in Chromium: one request for the charts it redraws, each drawn from its
line, a chart that fails shows its error while the others still draw, and the view's
history entry waits for its charts."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from support import bin_path, free_port, running

pytestmark = pytest.mark.browser

BOARD = """\
import pandas as pd

from databoard import Bar, Dashboard, Select

board = Dashboard("calls", title="Calls")


@board.dataset
def rows():
    return pd.DataFrame({"k": ["a", "b", "c"], "v": [1.0, 2.0, 3.0]})


board.add_filter(Select("k", "k", label="Key"))
board.add_chart("bars", "Bars", kind=Bar(x="k", y="v"))


@board.chart("fragile", "Fragile")
def fragile(frame, view):
    if list(frame["k"]) == ["c"]:
        raise RuntimeError("c breaks this chart")
    return {"data": [{"type": "bar", "x": list(frame["k"]), "y": list(frame["v"])}]}
"""


def xs(page, chart: str) -> list:
    return page.evaluate(f"document.querySelector('#chart-{chart} .plot').data[0].x")


def test_one_request_draws_each_chart_and_a_failure_stays_its_own(tmp_path, watch):
    (tmp_path / "calls.py").write_text(BOARD)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([bin_path("databoard"), "serve", str(tmp_path), "--port", str(port)], url):
        page = watch.page
        page.goto(f"{url}/d/calls")
        watch.wait_drawn()
        before = len(watch.requests)
        page.get_by_label("Key", exact=True).select_option("c")
        page.wait_for_function("location.search === '?k=c'")
        watch.wait_drawn()
        error = page.locator("#chart-fragile .chart-error")
        assert error.inner_text().startswith("This chart could not be drawn: chart 'fragile'")
        assert page.locator("#chart-fragile .plot").is_hidden()
        assert xs(page, "bars") == ["c"]
        (asked,) = [u for u in watch.requests[before:] if "/api/" in u and "/options" not in u]
        assert urlparse(asked).path.endswith("/calls/figures/bars/fragile")

        page.get_by_label("Key", exact=True).select_option("b")
        page.wait_for_function("location.search === '?k=b'")
        watch.wait_drawn()
        assert error.is_hidden() and xs(page, "fragile") == ["b"] and xs(page, "bars") == ["b"]
        page.go_back()
        page.wait_for_function("location.search === '?k=c'")
        watch.wait_drawn()
        assert error.is_visible() and xs(page, "bars") == ["c"]
        assert watch.errors == []


# Note, for each history entry the page adds, the charts' state at that moment and how
# long after the view changed it came.
PUSHES = """
window.pushed = [];
document.addEventListener("databoard:view", () => (window.changed = performance.now()));
const push = history.pushState.bind(history);
history.pushState = (...args) => {
  window.pushed.push({
    status: document.getElementById("status").textContent,
    loading: document.querySelectorAll(".chart.is-loading").length,
    waited: performance.now() - window.changed,
  });
  return push(...args);
};
"""


def test_a_view_enters_the_history_once_drawn_or_after_a_wait_and_back_undoes_it(
    tmp_path, open_watch
):
    (tmp_path / "calls.py").write_text(BOARD)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([bin_path("databoard"), "serve", str(tmp_path), "--port", str(port)], url):
        watch = open_watch({"width": 1280, "height": 900}, PUSHES)
        page = watch.page
        page.goto(f"{url}/d/calls")
        watch.wait_drawn()
        key = page.get_by_label("Key", exact=True)

        # The answer held back: the entry comes all the same once historyWait is over,
        # so the address and the back button follow the controls.
        held = []
        page.route("**/figures/**", lambda route: held.append(route))
        key.select_option("a")
        page.wait_for_function("location.search === '?k=a'")
        (entry,) = page.evaluate("pushed")
        assert entry["loading"] == 2
        assert entry["waited"] >= page.evaluate("databoard.historyWait") - 1
        held[0].continue_()
        page.unroute("**/figures/**")
        watch.wait_drawn()
        assert xs(page, "bars") == ["a"]

        # Answered in time: the entry comes once the charts show the view, not before.
        page.evaluate("databoard.historyWait = 600_000")
        key.select_option("b")
        page.wait_for_function("location.search === '?k=b'")
        entry = page.evaluate("pushed.at(-1)")
        assert (entry["status"], entry["loading"]) == ("Charts updated.", 0)
        assert xs(page, "bars") == ["b"] and xs(page, "fragile") == ["b"]

        page.go_back()
        page.wait_for_function("location.search === '?k=a'")
        watch.wait_drawn()
        assert xs(page, "bars") == ["a"] and xs(page, "fragile") == ["a"]
        assert len(page.evaluate("pushed")) == 2 and watch.errors == []
