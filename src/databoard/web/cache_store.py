"""Where cached answers live: a byte-bounded store in each process, or a shared backend
that may go away.

Two mechanisms under Flask-Caching (:mod:`databoard.web.cache` decides what to cache):

- :class:`MemoryCache`, the in-process store ``CACHE_TYPE=SimpleCache`` stands for. It
  is bounded by the bytes of its answers (``CACHE_MAX_BYTES``) as well as their number,
  dropping the least recently used first, so a worker's memory does not grow with the
  number of views visited. Answers are kept as they are, not pickled: they are immutable.
- :class:`Guarded`, around whichever store is configured. A shared backend (Redis, say)
  that fails is skipped for ``CACHE_RETRY_SECONDS``, then tried again: meanwhile the app
  answers uncached, logs the outage once and its end once, and ``/readyz`` reports the
  cache as degraded. Every lookup is counted as a hit, a miss or ``unavailable``.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from flask_caching.backends.base import BaseCache

log = logging.getLogger("databoard.cache")

#: The ``CACHE_TYPE`` of :class:`MemoryCache`, which ``SimpleCache`` stands for.
MEMORY = "databoard.web.cache_store.MemoryCache"
#: What an entry costs beside its bytes: the key, the tuple, the dict slot.
_OVERHEAD = 256


def size_of(value: Any) -> int:
    """Return about how many bytes *value* holds in memory."""
    encoded = getattr(value, "encoded", None)  # an Answer: its bodies are nearly all of it
    if isinstance(encoded, dict):
        return _OVERHEAD + sum(len(body) for body in encoded.values())
    return _OVERHEAD + len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


class MemoryCache(BaseCache):
    """An in-process cache holding at most *max_bytes* of values and *threshold* entries.

    The least recently used entries go first; an entry bigger than the whole bound is
    not kept. Safe to use from the threads of a worker. After each change it calls
    :attr:`observe` with its number of entries and bytes (the metrics set it).
    """

    @staticmethod
    def observe(entries: int, size: int) -> None:
        """Called with the entries and bytes held after each change; replaced to watch."""

    def __init__(self, max_bytes: int, threshold: int = 500, default_timeout: int = 300, **options):
        super().__init__(default_timeout=default_timeout, **options)
        self.max_bytes, self.threshold = max_bytes, threshold
        #: key -> (expires at, or 0 for never; value; size)
        self._entries: OrderedDict[str, tuple[float, Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app, config, args, kwargs):
        kwargs |= {"max_bytes": config["CACHE_MAX_BYTES"], "threshold": config["CACHE_THRESHOLD"]}
        return cls(*args, **kwargs)

    @property
    def bytes(self) -> int:
        """Return the bytes held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] and entry[0] < time.time():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        size = size_of(value)
        timeout = self._normalize_timeout(timeout)
        expires = time.time() + timeout if timeout else 0
        with self._lock:
            if key in self._entries:
                self._drop(key)
            kept = size <= self.max_bytes
            while (
                kept
                and self._entries
                and (self._bytes + size > self.max_bytes or len(self._entries) >= self.threshold)
            ):
                self._drop(next(iter(self._entries)))
            if kept:
                self._entries[key] = (expires, value, size)
                self._bytes += size
            held = len(self._entries), self._bytes
        self.observe(*held)
        return kept

    def add(self, key: str, value: Any, timeout: int | timedelta | None = None) -> bool:
        with self._lock:
            if key in self._entries:
                return False
        return self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        with self._lock:
            dropped = self._drop(key)
            held = len(self._entries), self._bytes
        self.observe(*held)
        return dropped

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
        self.observe(0, 0)
        return True

    def _drop(self, key: str) -> bool:
        entry = self._entries.pop(key, None)
        if entry is None:
            return False
        self._bytes -= entry[2]
        return True


class Guarded:
    """A cache backend whose failures turn into misses, logged once per outage.

    After a failure the backend is left alone for *retry* seconds; then one request tries
    it again, and if that works the cache is back for everyone.
    """

    def __init__(self, backend: BaseCache, retry: float, on_lookup=None):
        self.backend, self.retry = backend, retry
        self._on_lookup = on_lookup or (lambda result: None)
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._reason = ""

    def get(self, key: str) -> Any:
        found = self._use("get", key)
        if found is _UNAVAILABLE:
            self._on_lookup("unavailable")
            return None
        self._on_lookup("miss" if found is None else "hit")
        return found

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        done = self._use("set", key, value, timeout)
        return done is not _UNAVAILABLE and bool(done)

    def __getattr__(self, name: str):
        return getattr(self.backend, name)  # delete, clear, ...: passed on as they are

    def status(self) -> str | None:
        """Return why the cache is degraded, or ``None`` while it works."""
        with self._lock:
            return self._reason if self._down_since is not None else None

    def _use(self, method: str, *args):
        with self._lock:
            if self._down_since is not None:
                if time.monotonic() < self._retry_at:
                    return _UNAVAILABLE
                self._retry_at = time.monotonic() + self.retry  # this request tries it
        try:
            result = getattr(self.backend, method)(*args)
        except Exception as error:  # a backend's own errors: connection, timeout, disk
            self._failed(error)
            return _UNAVAILABLE
        self._worked()
        return result

    def _failed(self, error: Exception) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
            self._retry_at = time.monotonic() + self.retry
            self._reason = f"{type(self.backend).__name__}: {error}"
        if first:
            log.warning(
                "cache unavailable, answering uncached and trying again every %g s: %r",
                self.retry,
                error,
            )

    def _worked(self) -> None:
        if self._down_since is None:  # the usual case: no lock needed to see it
            return
        with self._lock:
            if self._down_since is None:
                return
            seconds = time.monotonic() - self._down_since
            self._down_since = None
        log.warning("cache available again after %.1f s", seconds)


_UNAVAILABLE = object()


def install(app: Flask, cache) -> None:
    """Put :class:`Guarded` around the store Flask-Caching made for *app*."""
    from . import metrics

    stores = app.extensions["cache"]
    if isinstance(stores[cache], MemoryCache) and app.config["METRICS"]:
        stores[cache].observe = metrics.cache_held
    stores[cache] = Guarded(stores[cache], app.config["CACHE_RETRY_SECONDS"], metrics.cache_lookup)


def announce(app: Flask) -> None:
    """Have *app*'s in-process cache report what it holds, in a process that just started.

    A gunicorn worker starts with the answers the server cached before the fork.
    """
    for store in app.extensions.get("cache", {}).values():
        backend = getattr(store, "backend", store)
        if isinstance(backend, MemoryCache):
            backend.observe(len(backend), backend.bytes)


def status(app: Flask | None = None) -> str | None:
    """Return why the app's cache is degraded, or ``None`` while it works."""
    app = app or current_app
    for store in app.extensions.get("cache", {}).values():
        if isinstance(store, Guarded) and store.status():
            return store.status()
    return None
