"""URL passwords and secret settings are masked wherever they are shown."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from databoard.authoring.problems import Problem
from databoard.cli import main
from databoard.errors import DataboardError
from databoard.security.masking import MASK, is_secret_name, mask_setting, mask_url


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("redis://:pw@h/0", "redis://:********@h/0"),
        ("redis://user:pw@h:6379/0", "redis://user:********@h:6379/0"),
        ("rediss://:p@ss:w0rd@cache.internal:6380", "rediss://:********@cache.internal:6380"),
        (
            "postgresql+psycopg://app:s3cr%2Ft@db/x?sslmode=require",
            "postgresql+psycopg://app:********@db/x?sslmode=require",
        ),
        (
            "cannot connect to redis://:pw@h/0: refused",
            "cannot connect to redis://:********@h/0: refused",
        ),
        ("a=https://u:1@a b=https://v:2@b", "a=https://u:********@a b=https://v:********@b"),
        ("postgresql://postgres@localhost/test", "postgresql://postgres@localhost/test"),
        ("https://example.org/a:b@c", "https://example.org/a:b@c"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
        ("no url here", "no url here"),
        ("host=db user=app password=s3cret dbname=x", f"host=db user=app password={MASK} dbname=x"),
        ("https://h/x?user=a&password=s3cret&y=1", f"https://h/x?user=a&password={MASK}&y=1"),
    ],
)
def test_mask_url(text, masked):
    assert mask_url(text) == masked


def test_secret_names():
    assert all(
        map(is_secret_name, ["SECRET_KEY", "API_TOKEN", "OIDC_CLIENT_SECRET", "DB_PASSWORD"])
    )
    assert not any(map(is_secret_name, ["CACHE_KEY_PREFIX", "PORT", "CACHE_REDIS_URL"]))
    assert mask_setting("SECRET_KEY", "x" * 40, "x" * 40) == MASK
    assert mask_setting("ANYTHING", "v", "v", secret=True) == MASK
    assert mask_setting("SECRET_KEY", None, "") == ""


def test_errors_and_problems_mask_urls():
    error = DataboardError("cache at redis://:hunter2@h/0 is down", 503)
    assert "hunter2" not in error.message and "hunter2" not in str(error.to_dict())
    problem = Problem("board.yaml", "cannot read postgresql://u:hunter2@db/x", 3)
    assert str(problem) == f"board.yaml:3: cannot read postgresql://u:{MASK}@db/x"


def test_config_command_masks_url_passwords(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DATABOARD_RESULTS_URL=postgresql://app:from-file@db/x\n")
    clean = {name: None for name in os.environ if name.startswith("DATABOARD_")}
    env = clean | {
        "DATABOARD_CACHE_REDIS_URL": "redis://:hunter2@cache.internal:6379/0",
        "DATABOARD_CACHE_TYPE": "RedisCache",
        "DATABOARD_SOMETHING_URL": "https://user:t0p-s3cret@api.example.org/v1",
        "DATABOARD_OIDC_CLIENT_SECRET": "abc123",
    }
    result = CliRunner().invoke(main, ["config"], env=env)
    assert result.exit_code == 0, result.output
    for secret in ("hunter2", "t0p-s3cret", "from-file", "abc123"):
        assert secret not in result.output
    assert f"DATABOARD_CACHE_REDIS_URL=redis://:{MASK}@cache.internal:6379/0" in result.output
    assert f"DATABOARD_SOMETHING_URL=https://user:{MASK}@api.example.org/v1" in result.output
    assert f"DATABOARD_RESULTS_URL=postgresql://app:{MASK}@db/x" in result.output
    assert f"DATABOARD_OIDC_CLIENT_SECRET={MASK}" in result.output
