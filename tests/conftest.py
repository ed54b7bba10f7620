"""Fixtures that mirror the app: the app itself, a client, a live server and a browser."""

from __future__ import annotations

import os
import shutil

import pytest

from databoard import create_app

from support import CHROMIUM, CHROMIUM_ARGS, gunicorn

#: Folders whose every test starts a server, a browser or the benchmark.
SLOW_FOLDERS = {"bench", "browser", "server"}
#: Fixtures that start a server or a browser.
SLOW_FIXTURES = {"live_server", "browser"}


def pytest_collection_modifyitems(items):
    """Mark as ``slow`` what starts processes, so ``pytest -m "not slow"`` is the quick
    edit loop; tests elsewhere that start processes carry the marker themselves."""
    for item in items:
        if item.path.parent.name in SLOW_FOLDERS or SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def app():
    """The default app (World Bank dashboard), loaded once for the whole run."""
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server():
    """A real gunicorn process serving the default app; yields its base URL."""
    with gunicorn("--workers", "2") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
