"""The in-process cache is bounded by bytes, keeping the most recently used answers."""

from __future__ import annotations

import os

from databoard import create_app
from databoard.web.cache import Answer
from databoard.web.cache_store import Guarded, MemoryCache, size_of


def answer(size: int) -> Answer:
    return Answer("application/json", "etag", {"br": os.urandom(size), "gzip": os.urandom(size)})


def test_the_bound_is_bytes_and_the_least_recently_used_go_first():
    store = MemoryCache(max_bytes=10_000)
    for key in "abcd":
        assert store.set(key, answer(1000))
    assert store.bytes == 4 * size_of(answer(1000)) <= 10_000
    store.get("a")  # used: kept over b
    store.set("e", answer(1000))
    assert store.bytes <= 10_000
    assert store.get("b") is None
    assert store.get("a") is not None and store.get("e") is not None


def test_an_answer_bigger_than_the_bound_is_not_kept():
    store = MemoryCache(max_bytes=10_000)
    store.set("small", answer(100))
    assert not store.set("big", answer(6000))
    assert store.get("big") is None and store.get("small") is not None


def test_the_threshold_still_counts_entries():
    store = MemoryCache(max_bytes=10**9, threshold=3)
    for key in "abcd":
        store.set(key, answer(10))
    assert [store.get(k) is not None for k in "abcd"] == [False, True, True, True]


def test_expired_answers_are_gone():
    store = MemoryCache(max_bytes=10_000, default_timeout=-1)  # already expired
    store.set("a", answer(10))
    assert store.get("a") is None and store.bytes == 0


def test_the_app_keeps_its_cache_within_the_setting():
    bound = 100_000
    app = create_app({"TESTING": True, "CACHE_WARM": False, "CACHE_MAX_BYTES": bound})
    store = app.extensions["cache"][next(iter(app.extensions["cache"]))]
    assert isinstance(store, Guarded) and isinstance(store.backend, MemoryCache)
    client = app.test_client()
    for year in range(1990, 1996):
        assert client.get(f"/d/worldbank?from={year}").status_code == 200
    assert 0 < store.backend.bytes <= bound


def test_the_metrics_show_what_the_cache_holds():
    app = create_app({"TESTING": True, "CACHE_WARM": False, "METRICS": True})
    store = app.extensions["cache"][next(iter(app.extensions["cache"]))].backend
    client = app.test_client()
    for year in range(1990, 1993):
        assert client.get(f"/d/worldbank?from={year}").status_code == 200
    text = client.get("/metrics").get_data(as_text=True)
    assert f"databoard_cache_bytes {float(store.bytes)}" in text
    assert f"databoard_cache_entries {float(len(store))}" in text
    assert store.bytes > 0
