"""A shared cache backend that is down: every call fails, as a lost Redis would."""

from __future__ import annotations

from flask_caching.backends.base import BaseCache


class BrokenCache(BaseCache):
    @classmethod
    def factory(cls, app, config, args, kwargs):
        return cls()

    def get(self, key):
        raise ConnectionError("cache server unreachable")

    def set(self, key, value, timeout=None):
        raise ConnectionError("cache server unreachable")
