"""The edit loop as an author sees it: `databoard serve --debug` open in Chromium, under the
site's own Content-Security-Policy; a saved mistake turns the open page into its problems,
and the saved fix back into the drawn dashboard, with no reload by hand."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError

from support import WATCH_VIOLATIONS, debug_scaffold

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ALL_DRAWN = (
    "document.querySelectorAll('.chart').length > 0 && "
    "[...document.querySelectorAll('.chart')].every(c => c.classList.contains('is-drawn'))"
)


def wait_until(page, expression: str, timeout: float = 30) -> None:
    """Poll *expression* with ``evaluate`` (``wait_for_function`` needs eval: forbidden),
    through the page's own reloads."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except PlaywrightError as error:  # the page is reloading
            assert "context was destroyed" in str(error), error
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def test_the_open_page_follows_a_mistake_and_its_fix(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with debug_scaffold(tmp_path) as (url, file):
            good = file.read_text()
            page.goto(f"{url}/d/shop?product=Pro")
            wait_until(page, ALL_DRAWN)
            # a mark the page loses when it reloads itself: the test never reloads it
            page.evaluate("window.untouched = true")

            file.write_text(good.replace("    y: revenue\n", "    y: revenu\n", 1))
            wait_until(page, "!window.untouched && !!document.querySelector('.problem-where')")
            line = good[: good.index("  - id: revenue-by-month")].count("\n") + 1
            where = page.locator(".problem-where")
            assert where.all_inner_texts() == [f"shop/dashboard.yaml:{line}"]
            assert (
                page.locator(".problem-message")
                .inner_text()
                .startswith(
                    "chart 'revenue-by-month': unknown column 'revenu'; did you mean 'revenue'?"
                )
            )
            assert page.get_by_role("heading", level=1).inner_text() == "Shop: 1 problem to fix"
            page.evaluate("window.untouched = true")

            file.write_text(good)
            wait_until(page, f"!window.untouched && {ALL_DRAWN}")
            assert page.url.startswith(f"{url}/d/shop?") and "product=Pro" in page.url  # kept
            sales = pd.read_csv(file.parent / "data" / "sales.csv")
            pro = sales[sales["product"] == "Pro"]
            names = page.evaluate(
                "[...document.querySelector('#chart-revenue-by-month .plot').data]"
                ".map(t => t.name).filter(n => !n.includes('trend'))"
            )
            assert names == sorted(pro["region"].unique())
            assert page.evaluate("window.cspViolations") == []
            assert errors == []
    finally:
        context.close()
