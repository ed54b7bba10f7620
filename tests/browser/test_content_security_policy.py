"""The Content-Security-Policy in real Chromium: plotly.js and our script work under it.

Playwright's ``wait_for_function`` compiles its predicate with ``new Function``, which
the policy forbids, so these tests poll with ``evaluate`` (not subject to the page's CSP).
The other browser tests run with the policy bypassed for that reason (``watch``).
"""

from __future__ import annotations

import time

import pytest

from support import WATCH_VIOLATIONS

pytestmark = pytest.mark.browser


ALL_DRAWN = (
    "document.querySelectorAll('.chart').length > 0 && "
    "[...document.querySelectorAll('.chart')].every(c => c.classList.contains('is-drawn'))"
    " && !document.querySelector('.chart.is-loading')"
)


@pytest.fixture
def strict(browser):
    """A page that enforces the site's policy, reporting what it blocks, and its errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, errors
    context.close()


def wait_until(page, expression: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def wait_drawn(page) -> None:
    """Scroll every chart into view (it may be drawn only then) and wait until all are."""
    for card in page.locator(".chart").all():
        card.scroll_into_view_if_needed()
    wait_until(page, ALL_DRAWN)


def test_every_chart_draws_with_no_violation(live_server, strict):
    page, errors = strict
    response = page.goto(f"{live_server}/d/worldbank?country=USA&country=IND&from=2000&to=2020")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy.split("style-src")[0]
    wait_drawn(page)
    # Every chart is drawn by plotly.js, with data; the map with its country shapes.
    counts = page.evaluate(
        "[...document.querySelectorAll('.chart .plot')].map(p => (p._fullData || []).length)"
    )
    assert len(counts) == 13 and all(n > 0 for n in counts), counts
    wait_until(
        page, "document.querySelectorAll('#chart-world-map path.choroplethlocation').length > 150"
    )
    # A redraw fetches from the API (connect-src) and draws again.
    page.get_by_label("Map indicator", exact=True).select_option("SP.DYN.LE00.IN")
    wait_until(page, "location.search.includes('map_indicator=SP.DYN.LE00.IN')")
    wait_drawn(page)
    page.locator("#chart-rural-population").get_by_role("button", name="Table").click()
    page.locator("#chart-rural-population table").wait_for()
    # Hovering draws plotly's tooltips and mode bar (inline styles, SVG).
    page.locator("#chart-gdp-per-capita .plot").hover()
    assert page.evaluate("window.cspViolations") == []
    assert errors == []

    # The policy is really enforced: a script injected into the page does not run.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.append(s); }"
    )
    wait_until(page, "window.cspViolations.length > 0")
    assert page.evaluate("window.injected") is None
    assert page.evaluate("window.cspViolations")[0].startswith("script-src")
