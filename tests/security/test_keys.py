"""Production refuses weak secret keys, saying how to make a good one."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from databoard import config, server
from databoard.security.keys import MIN_LENGTH, secret_key_problem

from support import bin_path


@pytest.mark.parametrize(
    "key",
    [
        "",
        None,
        "a",
        "0",
        "changeme",
        "CHANGEME",
        "secret",
        "x" * (MIN_LENGTH - 1),
        "a" * 64,
        "please-changeme-" + "0123456789abcdef" * 2,
        "...",
    ],
)
def test_weak_keys(key):
    assert secret_key_problem(key)


# Fresh keys each run, under fixed names: every test process collects the same tests.
@pytest.mark.parametrize(
    "key",
    [secrets.token_hex(16), secrets.token_hex(32), secrets.token_urlsafe(32).encode()],
    ids=["hex16", "hex32", "urlsafe32"],
)
def test_strong_keys(key):
    assert secret_key_problem(key) is None


def test_production_config_refuses_a_weak_key_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(config.ConfigError) as refused:
        server.production_config({"SECRET_KEY": "changeme"})
    message = str(refused.value)
    assert "well-known default" in message
    assert "python3 -c 'import secrets; print(secrets.token_hex(32))'" in message
    with pytest.raises(
        config.ConfigError, match="too short: 1 characters, and production needs 32"
    ):
        server.production_config({"SECRET_KEY": "a"})


@pytest.mark.slow
def test_serve_production_refuses_a_short_key(tmp_path):
    result = subprocess.run(
        [bin_path("databoard"), "serve", "--production"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DATABOARD_SECRET_KEY": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "DATABOARD_SECRET_KEY is too short" in result.stderr
    assert "token_hex(32)" in result.stderr
