"""The deployment guide stays in step with the settings and the files it describes."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from servers import DEPLOY

from databoard.settings import SETTINGS

from support import ROOT

GUIDE = ROOT / "docs" / "deploy.md"


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_guide_documents_every_setting(guide, setting):
    row = re.search(rf"^\| `DATABOARD_{setting.name}` \|.*$", guide, re.MULTILINE)
    assert row, f"docs/deploy.md has no table row for DATABOARD_{setting.name}"


def test_guide_names_no_setting_that_does_not_exist(guide):
    known = {s.name for s in SETTINGS} | set(Flask.default_config)
    named = set(re.findall(r"DATABOARD_([A-Z_]*[A-Z])", guide))
    # The guide's example of a typo `databoard config` catches, and Flask-Caching's and
    # Flask-Limiter's keys.
    extensions = {"CACHE_REDIS_URL", "CACHE_DIR", "CACHE_KEY_PREFIX", "RATELIMIT_STORAGE_URI"}
    assert named - known == {"WORKER"} | extensions


def test_guide_names_every_deploy_file(guide):
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert f"deploy/{path.relative_to(DEPLOY).as_posix()}" in guide, path


def test_guide_prefix_step_matches_the_nginx_site(guide):
    """The test derives the prefix site the way the guide says; the line must exist."""
    assert "change `location / {` to `location /dashboards/ {`" in guide
    assert (DEPLOY / "nginx" / "databoard.conf").read_text().count("location / {") == 1


def test_readme_points_to_the_guide():
    assert "docs/deploy.md" in (ROOT / "README.md").read_text()
