"""Sign-in attempts are rate-limited per address and per user name, shared through Redis."""

from __future__ import annotations

import secrets
import shutil
import subprocess

import pytest
import redis

from databoard import create_app
from private_site import PASSWORD, sign_in

REDIS_URL = "redis://127.0.0.1:6379/0"


def _app(site, users_file, **config):
    values = {"DASHBOARD": str(site), "USERS_FILE": str(users_file), "LOGIN_RATE_LIMIT": "3/minute"}
    return create_app({"TESTING": True, "CACHE_WARM": False, **values, **config})


def test_too_many_attempts_are_refused(site, users_file):
    client = _app(site, users_file).test_client()
    assert [sign_in(client, "ana", "wrong password!").status_code for _ in range(3)] == [401] * 3
    refused = sign_in(client, "ana", PASSWORD)
    assert refused.status_code == 429
    assert client.get("/d/secret").status_code == 302


def test_per_user_name_limit_holds_across_addresses(site, users_file):
    client = _app(site, users_file).test_client()
    for i in range(3):
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i}"
        assert sign_in(client, "bob", "wrong password!").status_code == 401
    client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    assert sign_in(client, "ana", PASSWORD).status_code == 302


@pytest.fixture
def shared_redis():
    """Redis on 127.0.0.1:6379 (started if it is not running), with a key prefix of our own."""
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        if not shutil.which("redis-server"):
            pytest.fail(
                "Redis is not running and redis-server is missing: apt-get install redis-server"
            )
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
            ],
            check=True,
        )
        server.ping()
    prefix = f"databoard-test-{secrets.token_hex(4)}"
    yield prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)


def test_workers_share_the_count_in_redis(site, users_file, shared_redis):
    """Two apps (two workers, two hosts) with the Redis cache count attempts together."""
    config = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": shared_redis + "/",
        "RATELIMIT_KEY_PREFIX": shared_redis,
    }
    first = _app(site, users_file, **config).test_client()
    second = _app(site, users_file, **config).test_client()
    assert sign_in(first, "eve", "wrong password!").status_code == 401
    assert sign_in(second, "eve", "wrong password!").status_code == 401
    assert sign_in(first, "eve", "wrong password!").status_code == 401
    assert sign_in(second, "eve", PASSWORD).status_code == 429
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{shared_redis}*")
    assert keys, "the counts are in Redis"
