"""Prometheus metrics at ``/metrics``: requests, latency and server errors per route.

Off unless the ``METRICS`` setting is on. Gunicorn runs several worker processes, each
counting for itself; when ``PROMETHEUS_MULTIPROC_DIR`` is set (``databoard serve
--production`` and ``deploy/gunicorn.conf.py`` set it), the workers count in files
there and ``/metrics`` adds them up. prometheus_client picks that mode when it is first
imported, so it is imported only here, once the folder is known.
"""

from __future__ import annotations

import functools
import os
import time
from types import SimpleNamespace

from flask import Blueprint, Flask, Response, current_app, g, request, request_finished

bp = Blueprint("metrics", __name__)


@functools.cache
def _metrics() -> SimpleNamespace:
    """Create the metrics once per process (a second registration would be an error)."""
    from prometheus_client import Counter, Gauge, Histogram

    route = ["method", "route"]
    return SimpleNamespace(
        requests=Counter("databoard_http_requests", "Requests answered.", [*route, "status"]),
        latency=Histogram(
            "databoard_http_request_duration_seconds", "Time to answer a request.", route
        ),
        errors=Counter(
            "databoard_http_server_errors", "Requests answered with a 5xx status.", route
        ),
        cache=Counter(
            "databoard_cache_lookups",
            "Cached-answer lookups: hit, miss, or unavailable (the cache backend is down).",
            ["result"],
        ),
        # One value per live process (a "pid" label under gunicorn): each worker's own.
        cache_bytes=Gauge(
            "databoard_cache_bytes",
            "Bytes of answers in this process's own cache (SimpleCache).",
            multiprocess_mode="liveall",
        ),
        cache_entries=Gauge(
            "databoard_cache_entries",
            "Answers in this process's own cache (SimpleCache).",
            multiprocess_mode="liveall",
        ),
    )


def cache_lookup(result: str) -> None:
    """Count a lookup of a cached answer (*result*: hit, miss or unavailable)."""
    if "databoard.metrics" in current_app.extensions:
        _metrics().cache.labels(result).inc()


def cache_held(entries: int, size: int) -> None:
    """Show what this process's own cache holds: *entries* answers of *size* bytes."""
    found = _metrics()
    found.cache_entries.set(entries)
    found.cache_bytes.set(size)


def forget(pid: int) -> None:
    """Drop the per-process values of a process that ended (gunicorn's ``child_exit``)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


@bp.get("/metrics")
def exposition():
    """Return every metric in Prometheus' text format."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    body = generate_latest(current_app.extensions["databoard.metrics"])
    # The charset first: nginx reads the type as "text/plain", and gzips it, only when
    # the charset parameter follows the type directly.
    kind, *params = CONTENT_TYPE_LATEST.split("; ")
    params.sort(key=lambda param: not param.startswith("charset="))
    return Response(body, headers={"Content-Type": "; ".join([kind, *params])})


def _observe(sender: Flask, response, **extra) -> None:
    seconds = time.perf_counter() - g.get("request_start", time.perf_counter())
    labels = (request.method, request.url_rule.rule if request.url_rule else "(unmatched)")
    found = _metrics()
    found.requests.labels(*labels, str(response.status_code)).inc()
    found.latency.labels(*labels).observe(seconds)
    if response.status_code >= 500:
        found.errors.labels(*labels).inc()


def init_app(app: Flask) -> None:
    """Count every request and serve ``/metrics``, if ``METRICS`` is on."""
    if not app.config["METRICS"]:
        return
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    app.extensions["databoard.metrics"] = registry
    _metrics()
    app.register_blueprint(bp)
    request_finished.connect(_observe, app)
