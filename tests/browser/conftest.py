"""Browser fixtures: a fresh page per test, watching console errors and outside requests."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class PageWatch:
    """Collect what a page did that a test must check: errors and requests."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def outside(self) -> list[str]:
        return [
            u
            for u in self.requests
            if urlparse(u).scheme in ("http", "https") and urlparse(u).hostname not in LOCAL_HOSTS
        ]

    def wait_drawn(self, timeout: float = 30_000) -> None:
        """Wait until every chart card has been drawn by Plotly."""
        self.page.wait_for_function(
            "document.querySelectorAll('.chart').length > 0 && "
            "[...document.querySelectorAll('.chart')].every(c => c.classList.contains('is-drawn'))"
            " && !document.querySelector('.chart.is-loading')",
            timeout=timeout,
        )

    def trace_names(self, chart_id: str) -> list[str]:
        return self.page.evaluate(
            "id => document.querySelector(`#chart-${id} .plot`).data.map(t => t.name)", chart_id
        )


@pytest.fixture
def watch(browser):
    # Playwright's wait_for_function needs eval, which the site's policy forbids;
    # test_content_security_policy.py checks the page under the policy instead.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield PageWatch(page)
    context.close()


@pytest.fixture
def open_watch(browser):
    """Return ``open(viewport, *scripts)``: a watched page in a new profile of that size,
    with *scripts* run before the page's own."""
    contexts = []

    def open_(viewport: dict, *scripts: str) -> PageWatch:
        # The site's policy forbids the eval that wait_for_function needs (see ``watch``).
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        contexts.append(context)
        for script in scripts:
            context.add_init_script(script)
        return PageWatch(context.new_page())

    yield open_
    for context in contexts:
        context.close()
