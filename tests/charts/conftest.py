"""Fixtures of the chart tests: the long-series dashboard that gets downsampled."""

from __future__ import annotations

import pytest

from databoard import create_app


@pytest.fixture(scope="module")
def big_app():
    """An app serving ``bigdash``: series long enough to be downsampled."""
    return create_app({"TESTING": True, "DASHBOARD": "bigdash", "CACHE_WARM": False})


@pytest.fixture
def big_client(big_app):
    return big_app.test_client()
