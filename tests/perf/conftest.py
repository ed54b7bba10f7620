"""Fixtures of the speed tests: apps with a clean cache, and the long-series dashboard."""

from __future__ import annotations

import pytest

from databoard import create_app


@pytest.fixture(scope="module")
def perf_app():
    """The World Bank app, its cache holding only the warmed default view."""
    return create_app({"TESTING": True})


@pytest.fixture
def perf_client(perf_app):
    return perf_app.test_client()


@pytest.fixture(scope="module")
def big_app():
    """An app serving ``bigdash``: series long enough to be downsampled."""
    return create_app({"TESTING": True, "DASHBOARD": "bigdash", "CACHE_WARM": False})


@pytest.fixture
def big_client(big_app):
    return big_app.test_client()
