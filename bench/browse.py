"""Browser measures in headless Chromium: cold load (first screen, whole page) and filter change.

Times are taken inside the page (``performance.now()``), so Playwright's own polling
adds nothing to them.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

# One list of Chromium's launch flags, shared with the tests (tests/support.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

VIEWPORT = {"width": 1366, "height": 768}
#: The laptop and the phone layout.
VIEWPORTS = {"1366x768": VIEWPORT, "375 px": {"width": 375, "height": 812}}

# Note the moment every chart card on the first screen has been drawn, and every chart
# card at all (databoard.js marks each `is-drawn`). The first screen is the cards that
# meet the viewport before any scrolling: every card keeps its size from the first paint.
DRAWN = """
window.benchFirst = null;
new MutationObserver((_, observer) => {
  const charts = [...document.querySelectorAll(".chart")];
  if (!charts.length) return;
  if (window.benchFirst === null && window.scrollY === 0) {
    window.benchFirst = charts.filter((c) => {
      const box = c.getBoundingClientRect();
      return box.bottom > 0 && box.top < innerHeight;
    });
  }
  const drawn = (c) => c.classList.contains("is-drawn");
  if (window.benchFirstAt === undefined && window.benchFirst && window.benchFirst.every(drawn)) {
    window.benchFirstAt = performance.now();
  }
  if (charts.every(drawn)) {
    window.benchDrawnAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });
"""

# Scroll through the page, one viewport at a time, from DOMContentLoaded on.
SCROLL = """
document.addEventListener("DOMContentLoaded", () => {
  const timer = setInterval(() => {
    window.scrollBy(0, innerHeight);
    if (innerHeight + scrollY >= document.documentElement.scrollHeight) clearInterval(timer);
  }, 100);
});
"""

# The page script's "Charts updated." announcement, as a promise of when it came: a
# redraw is timed from a change to every affected chart drawn.
CHARTS_UPDATED = """\
  const done = new Promise((resolve) => {
    const announce = databoard.announce.bind(databoard);
    databoard.announce = (text) => {
      announce(text);
      if (text === "Charts updated.") {
        databoard.announce = announce;
        resolve(performance.now());
      }
    };
  });
"""

# Change the "from" year and wait until every affected chart is redrawn from the API.
CHANGE = (
    """
async (year) => {
  const select = document.getElementById("filter-year-from");
"""
    + CHARTS_UPDATED
    + """  const start = performance.now();
  select.value = String(year);
  select.dispatchEvent(new Event("change", { bubbles: true }));
  return (await done) - start;
}
"""
)

# Redraw the same charts with figures already in the page: the browser's own floor.
REDRAW = """
async (year) => {
  const charts = databoard.state.charts.filter((c) => c.filters.includes("year"));
  const query = new URLSearchParams(databoard.query);
  query.set("from", String(year));
  const figures = await Promise.all(
    charts.map((c) => fetch(`${c.url}?${databoard.chartQuery(c, query)}`).then((r) => r.json())),
  );
  const start = performance.now();
  await Promise.all(charts.map((c, i) => databoard.draw(c.id, figures[i])));
  const took = performance.now() - start;
  await Promise.all(charts.map((c) => databoard.draw(c.id, databoard.state.figures[c.id])));
  return took;
}
"""


@contextlib.contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def cold_load(browser, url: str, viewport: dict = VIEWPORT, scroll: bool = False) -> dict:
    """Open *url* in a new profile; return what the load took.

    :param scroll: scroll through the page from DOMContentLoaded on, as a reader would.
    :return: ``first`` (ms until every chart on the first screen is drawn), ``all`` (ms
        until every chart is drawn), ``dcl`` (ms until DOMContentLoaded has been handled)
        and ``bytes`` (what came over the wire, headers included, for every request).
    """
    # Playwright's wait_for_function needs eval, which the site's CSP forbids.
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    try:
        context.add_init_script(DRAWN)
        if scroll:
            context.add_init_script(SCROLL)
        page = context.new_page()
        received = []
        cdp = context.new_cdp_session(page)
        cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
        cdp.send("Network.enable")
        page.goto(url)
        page.wait_for_function("window.benchDrawnAt !== undefined", timeout=60_000)
        page.wait_for_load_state("networkidle")
        times = page.evaluate(
            """() => ({
              first: window.benchFirstAt,
              all: window.benchDrawnAt,
              dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
            })"""
        )
        return times | {"bytes": int(sum(received))}
    finally:
        context.close()


def filter_changes(browser, url: str, years: list[int]) -> list[tuple[float, float, float]]:
    """Change the "from" year to each of *years* in turn, then back.

    :return: per year, ms until the charts were redrawn through the API (a view not
        asked for before); ms for a second page, at the same view and never having drawn
        that year's figures, to draw the same figures already at hand (the floor: the
        browser's own redraw, no request); and ms for the first page to draw them again
        once it has drawn them. plotly.js measures each new text once and keeps its size,
        so that last redraw skips work every first draw does, the change's included.
    """
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    fresh = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    try:
        pages = context.new_page(), fresh.new_page()
        for tab in pages:
            tab.add_init_script(DRAWN)
            tab.goto(url)
            tab.wait_for_function("window.benchDrawnAt !== undefined", timeout=60_000)
        page, other = pages
        default = page.evaluate("document.getElementById('filter-year-from').value")
        other.evaluate(REDRAW, min(years) - 1)  # none of *years*: its code paths run once
        out = []
        for year in years:
            through_api = page.evaluate(CHANGE, year)
            page.evaluate(CHANGE, default)
            out.append((through_api, other.evaluate(REDRAW, year), page.evaluate(REDRAW, year)))
        return out
    finally:
        context.close()
        fresh.close()
