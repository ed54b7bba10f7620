"""Fixtures for the access tests: a site with private dashboards and a users file."""

from __future__ import annotations

import pytest

from databoard import create_app
from private_site import write_site, write_users


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    return write_users(tmp_path_factory.mktemp("users") / "users.yaml")


@pytest.fixture(scope="module")
def auth_app(site, users_file):
    # Rate limits have their own test; here every test signs in several times.
    config = {"DASHBOARD": str(site), "USERS_FILE": str(users_file)}
    return create_app({"TESTING": True, "LOGIN_RATE_LIMIT": "1000/minute", **config})


@pytest.fixture
def client(auth_app):
    return auth_app.test_client()
