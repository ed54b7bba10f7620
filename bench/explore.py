"""Exploring, measured in headless Chromium: the play of a year slider, and a click filter.

A Gapminder dashboard is made from the bundled World Bank files (GDP per capita against
life expectancy, bubbles sized by population, coloured by region, a bar of the largest
populations, a year slider from 1960 to 2023) and served by ``databoard serve
--production``. Then:

- **play**: the play button runs through every year; for each step the page notes when
  it began, when its charts were drawn, and whether any of its figures was first asked
  for only after the step began (a request on the critical path).
- **click**: a click on a region's bubbles (through the page's own click handler) until
  the charts are redrawn, against a second page at the same view drawing the same
  figures, already at hand, for the first time (the floor: the browser's own redraw);
  also shown, the first page drawing them again once it has (plotly.js measures each new
  text once and keeps its size, so a second draw skips work every first draw does).

Run by hand: ``python bench/explore.py``. Numbers go to ``bench/RESULTS.md`` by hand.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from browse import CHARTS_UPDATED, VIEWPORT, chromium  # noqa: E402
from servers import databoard  # noqa: E402

DATA = HERE.parent / "src" / "databoard" / "dashboards" / "worldbank" / "data"
CODES = ("NY.GDP.PCAP.CD", "SP.DYN.LE00.IN", "SP.POP.TOTL")
REGIONS = [
    "Europe & Central Asia",
    "Sub-Saharan Africa",
    "Middle East & North Africa",
    "East Asia & Pacific",
    "Latin America & Caribbean",
    "South Asia",
]

#: The years the clicks are made at: each region's bubbles differ from year to year.
YEARS = (1960, 1980, 2000, 2020)

BOARD = """\
from databoard import Bar, Dashboard, MultiSelect, Scatter, Slider
from databoard.data.worldbank import read_folder

board = Dashboard("gapminder", title="Gapminder")


@board.dataset
def countries():
    tidy = read_folder(board.root / "data")
    tidy = tidy[~tidy["is_aggregate"]]
    wide = tidy.pivot_table(
        index=["country", "region", "year"], columns="indicator_code", values="value",
        observed=True,
    ).reset_index()
    wide.columns = ["country", "region", "year", "gdp", "life", "population"]
    return wide.dropna()


board.add_filter(MultiSelect("region", "region"))
board.add_filter(Slider("year", "year", default=1960, interval=600))
board.add_chart("bubbles", "Wealth and health", kind=Scatter(
    x="gdp", y="life", size="population", color="region", text="country", log_x=True))
board.add_chart("largest", "Largest populations", kind=Bar(
    x="country", y="population", top=10, other=True))
"""

# Note each step's start (the slider's value changes), its charts drawn ("Charts
# updated.") and every figure request with its time.
WATCH = """
window.bench = { steps: [], fetches: [] };
const realFetch = window.fetch;
window.fetch = (url, ...rest) => {
  window.bench.fetches.push([String(url), performance.now()]);
  return realFetch(url, ...rest);
};
document.addEventListener("DOMContentLoaded", () => {
  const output = () => document.querySelector(".slider-value");
  const wait = setInterval(() => {
    if (!output() || typeof databoard === "undefined" || !databoard.explore) return;
    clearInterval(wait);
    new MutationObserver(() => {
      window.bench.steps.push({ year: output().textContent, start: performance.now() });
    }).observe(output(), { childList: true, characterData: true, subtree: true });
    const announce = databoard.announce.bind(databoard);
    databoard.announce = (text) => {
      announce(text);
      const last = window.bench.steps[window.bench.steps.length - 1];
      if (text === "Charts updated." && last && last.drawn === undefined)
        last.drawn = performance.now();
    };
  }, 10);
});
"""

# A click on a region's bubbles. With *rest* > 0 the pointer first rests on them that
# long, as a hand does before it clicks (the page's hover handler runs); with 0 the click
# comes from nowhere, as from the Table view's buttons.
CLICK = (
    """
async ([region, rest]) => {
  const target = databoard.explore.targets.get("bubbles");
  if (rest) {
    databoard.explore.prefetch(target, region);
    await new Promise((resolve) => setTimeout(resolve, rest));
  }
"""
    + CHARTS_UPDATED
    + """  const start = performance.now();
  databoard.explore.choose(target, region, false);
  return (await done) - start;
}
"""
)

# The browser's own redraw, the floor of the filter-change benchmark too: from the view
# on screen (every region), draw the figures a click on *region* shows, fetched
# beforehand; then draw the view on screen again.
REDRAW = """
async (region) => {
  const charts = databoard.state.charts;
  const target = databoard.explore.targets.get("bubbles");
  const next = databoard.explore.next(target, region, false);
  const query = databoard.currentQuery(new Map([[next.filter.name, next.values]]));
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


def play(browser, url: str) -> list[dict]:
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    try:
        context.add_init_script(WATCH)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("document.querySelectorAll('.chart.is-drawn').length === 2")
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "document.querySelector('.slider-play').textContent === 'Play'", timeout=300_000
        )
        return page.evaluate("window.bench")
    finally:
        context.close()


def clicks(browser, url: str, regions: list[str], rest: int) -> list[tuple[float, float, float]]:
    """Click each of *regions* in turn (after resting *rest* ms on it), then click again.

    :return: per region, ms until the charts were redrawn; ms for a second page, at
        the same view and never having drawn them, to draw the same figures already at
        hand (the floor); and ms for the first page to draw them again once it has.
    """
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    fresh = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    try:
        page, other = context.new_page(), fresh.new_page()
        for tab in (page, other):
            tab.goto(url)
            tab.wait_for_function("document.querySelectorAll('.chart.is-drawn').length === 2")
        other.evaluate(REDRAW, "North America")  # none of *regions*: its code paths run once
        out = []
        for region in regions:
            took = page.evaluate(CLICK, [region, rest])
            page.evaluate(CLICK, [region, 0])  # a second click: every region again
            # Its history entry comes once its charts are painted: not during the floor.
            page.wait_for_function("databoard.pendingURL === null")
            out.append((took, other.evaluate(REDRAW, region), page.evaluate(REDRAW, region)))
        return out
    finally:
        context.close()
        fresh.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "data").mkdir()
        for path in DATA.glob("*.csv"):
            if path.name.startswith("Metadata") or any(f"_{c}_" in path.name for c in CODES):
                shutil.copy(path, folder / "data" / path.name)
        (folder / "gapminder.py").write_text(BOARD)
        with databoard(folder, str(folder / "gapminder.py")) as server, chromium() as browser:
            url = f"{server.url}/d/gapminder"
            result = play(browser, url)
            steps = [s for s in result["steps"] if "drawn" in s]
            gaps = [b["drawn"] - a["drawn"] for a, b in zip(steps, steps[1:], strict=False)]
            lags = [s["drawn"] - s["start"] for s in steps]
            late = 0
            for step in steps:
                key = f"year={step['year']}"
                asked = [t for u, t in result["fetches"] if key in u and "/charts/" in u]
                late += bool(asked) and min(asked) >= step["start"]
            print(f"play: {len(steps)} steps at 600 ms")
            print(
                f"  drawn after the step began: median {statistics.median(lags):.0f} ms, "
                f"max {max(lags):.0f} ms"
            )
            print(
                f"  between two steps drawn: median {statistics.median(gaps):.0f} ms, "
                f"max {max(gaps):.0f} ms (interval 600)"
            )
            print(f"  steps whose figures were first asked for after they began: {late}")
            # Each region once a year, so every click asks for a view nobody asked for
            # before; several years, as one click's ratio varies by some 0.3x.
            for rest, regions in ((0, REGIONS[:3]), (300, REGIONS[3:])):
                timings = [
                    timing
                    for year in YEARS
                    for timing in clicks(browser, f"{url}?year={year}", regions, rest)
                ]
                ratios = [took / floor for took, floor, _ in timings]
                print(
                    f"click, pointer resting {rest} ms first: redrawn in "
                    f"{', '.join(f'{took:.0f}' for took, _, _ in timings)} ms; browser's own "
                    f"redraw {', '.join(f'{floor:.0f}' for _, floor, _ in timings)} ms; "
                    f"median {statistics.median(ratios):.2f}x of {len(ratios)} clicks "
                    f"({sum(r > 1.5 for r in ratios)} over 1.5x)"
                )
                print(
                    "  the same figures drawn again, their texts measured: "
                    f"{', '.join(f'{again:.0f}' for _, _, again in timings)} ms; the click "
                    f"against it: median {statistics.median(t / a for t, _, a in timings):.2f}x"
                )


if __name__ == "__main__":
    main()
