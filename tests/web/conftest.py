"""Fixtures of the web tests: an app whose cache holds only what start-up put there."""

from __future__ import annotations

import pytest

from databoard import create_app


@pytest.fixture(scope="module")
def fresh_app():
    """The World Bank app, its cache holding only the warmed default view."""
    return create_app({"TESTING": True})


@pytest.fixture
def fresh_client(fresh_app):
    return fresh_app.test_client()
