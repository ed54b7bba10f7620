"""The author's edit loop: ``databoard serve --debug`` open in headless Chromium.

On the dashboard ``databoard new shop`` makes, served with ``--debug`` and open in the
browser, each round saves a mistake (a chart's ``y`` column misspelt) and times until the
open page shows its problems, then saves the fix and times until the dashboard is drawn
again (every chart card drawn). Nobody touches the page: it follows the saves itself.

A time runs from this process's clock just before the save to the page's own clock
(``performance.timeOrigin + performance.now()``, the same system clock) at the first
frame that shows the result, so Playwright's polling adds nothing to it.

Usage: ``python bench/editloop.py [--rounds N]``; ``--quick`` runs one round (the test
suite does, so the script cannot rot). Prints a Markdown table; target: each under 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import browse  # the drawing marks of the browser measures; it puts tests/ on the path
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from support import CHROMIUM, CHROMIUM_ARGS, debug_scaffold  # shared with the tests

TARGET_MS = 1500
#: On each load of the page: when it started (its time origin), and on its own clock, in
#: epoch milliseconds, the first frame with its problems listed (browse.DRAWN notes when
#: the first screen's charts, and every chart, are drawn).
PROBLEMS = """
window.benchOrigin = performance.timeOrigin;
new MutationObserver((_, observer) => {
  if (!document.querySelector(".problem-where")) return;
  observer.disconnect();
  requestAnimationFrame(() => { window.benchProblemsAt = performance.now(); });
}).observe(document, { subtree: true, childList: true });
"""
#: what is read of the page: each moment as epoch milliseconds (null until it happened)
READ = """(() => {
  const at = (t) => (t === undefined || t === null ? null : window.benchOrigin + t);
  return {
    origin: window.benchOrigin,
    problems: at(window.benchProblemsAt),
    first: at(window.benchFirstAt),
    drawn: at(window.benchDrawnAt),
  };
})()"""


def shown(page, state: str, since_ms: float, timeout: float = 30) -> dict[str, float]:
    """Wait until a load of the page that started after *since_ms* shows *state*
    (``problems`` or ``drawn``); return each moment of that load in ms since *since_ms*."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = page.evaluate(READ)
        except PlaywrightError:  # the page is reloading
            found = None
        if found and found["origin"] and found["origin"] > since_ms and found[state]:
            return {k: v - since_ms for k, v in found.items() if v is not None}
        time.sleep(0.02)
    raise TimeoutError(f"the page did not show {state} within {timeout} s")


def measure(rounds: int) -> dict[str, list[float]]:
    """Return the times of each round, by measure: from the save to the new page's start
    (``*-reload``), to its problems shown, to its first screen and to every chart drawn."""
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=browse.VIEWPORT)
        page.add_init_script(browse.DRAWN)
        page.add_init_script(PROBLEMS)
        with debug_scaffold(Path(root)) as (url, file):
            good = file.read_text()
            mistake = good.replace("    y: revenue\n", "    y: revenu\n", 1)
            page.goto(f"{url}/d/shop")
            shown(page, "drawn", 0)
            for _ in range(rounds):
                for text, state in ((mistake, "problems"), (good, "drawn")):
                    time.sleep(0.5)  # an author's pause between saves
                    saved = time.time() * 1000
                    file.write_text(text)
                    found = shown(page, state, saved)
                    times.setdefault(f"{state}-reload", []).append(found["origin"])
                    for moment in ("problems", "first", "drawn"):
                        if moment in found:
                            times.setdefault(moment, []).append(found[moment])
        browser.close()
    return times


ROWS = (
    ("problems-reload", "Save a mistake -> the page starts reloading", False),
    ("problems", "Save a mistake -> its problems shown in the open page", True),
    ("drawn-reload", "Save the fix -> the page starts reloading", False),
    ("first", "Save the fix -> the first screen's charts drawn", True),
    ("drawn", "Save the fix -> every chart drawn", True),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="one round")
    args = parser.parse_args()
    times = measure(1 if args.quick else args.rounds)
    print("| Edit loop (scaffold, serve --debug) | median | max | target | met |")
    print("| --- | ---: | ---: | ---: | --- |")
    for key, label, targeted in ROWS:
        found = times[key]
        median, worst = statistics.median(found), max(found)
        target, met = "", ""
        if targeted:
            target = f"< {TARGET_MS:,} ms"
            met = "yes" if worst < TARGET_MS else "median" if median < TARGET_MS else "no"
        print(f"| {label} | {median:,.0f} ms | {worst:,.0f} ms | {target} | {met} |")
    rounds = len(times["problems"])
    print(f"\n{rounds} round(s); each time from the save to the page's frame that shows it.")


if __name__ == "__main__":
    main()
