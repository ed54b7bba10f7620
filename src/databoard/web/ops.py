"""What operators need: liveness, readiness, a request id on every answer, an access log.

``/healthz`` says the process answers; ``/readyz`` says it should get traffic: its
dashboards are loaded and valid. Both are settled before the server opens its port (a
strict site whose dashboards fail their checks does not start), so while the data loads a
probe cannot connect, which orchestrators read as "not ready" too. A site that is not
strict serves its good dashboards: ready, ``"degraded"``, with the broken ones listed.
"""

from __future__ import annotations

import logging
import re
import time
from random import getrandbits

from flask import Blueprint, Flask, g, request, request_finished, request_started

from ..site import Site, get_site
from . import cache_store, metrics, proxy

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("databoard.access")
#: An incoming X-Request-ID is kept if it looks like an id, so it cannot forge log lines.
_SANE_ID = re.compile(r"[\w.:@/+=-]{1,128}")


@bp.get("/healthz")
def healthz():
    """Answer 200 while the process serves requests (liveness: no work, no data)."""
    site = get_site()
    return {"status": "ok", "dashboards": len(site.dashboards), "load_seconds": site.load_seconds}


@bp.get("/readyz")
def readyz():
    """Answer 200 if every dashboard is loaded, else 503 with the problems.

    With the cache backend down, some dashboards broken (on a site that is not strict)
    while others serve, or a dataset whose newer data cannot be served (stale: the older
    data serves meanwhile), the answer is still 200, with ``"status": "degraded"``.
    """
    site = get_site()
    problems = check_site(site)
    degraded = cache_store.status()
    stale = [entry.describe() for entry in site.stale.values()]
    body = {
        "status": "not ready"
        if problems
        else "degraded"
        if degraded or site.broken or stale
        else "ready",
        "dashboards": list(site.dashboards),
        # dashboards with problems, not served (their pages show the problems)
        "broken": [b.describe() for b in site.broken],
        "load_seconds": round(site.load_seconds, 3),
        "problems": problems,
        # A shared cache that is down is no reason to take traffic away: answers are
        # made uncached meanwhile, so the status says it and the code stays 200.
        "cache": f"degraded: {degraded}" if degraded else "ok",
        # Datasets whose files or sources changed into something that cannot be served:
        # each with why and since when (see databoard.refresh).
        "stale": stale,
    }
    return body, 503 if problems else 200


def check_site(site: Site) -> list[str]:
    """Return what keeps *site* from serving: no dashboard, or one without its data.

    Each dashboard was checked as it loaded, every chart drawn for its default view
    (:mod:`databoard.authoring.check`); what is left to see is that the loading happened.
    """
    site.retry()
    if site.refresher is not None:
        site.refresher.poke()
    waiting = [str(p) for _, problems in site.waiting.values() for p in problems]
    if not site.dashboards and not waiting:
        return ["no dashboard is loaded", *(str(p) for b in site.broken for p in b.problems)]
    return waiting + [
        f"{slug}: its data is not loaded"
        for slug, board in site.dashboards.items()
        if not board.loaded or any(d.rows is None for d in board.datasets.values())
    ]


def _start(sender: Flask, **extra) -> None:
    incoming = request.headers.get("X-Request-ID", "")
    # An id tells requests apart in the log; it guards nothing, so it needs no entropy
    # from the system (each worker's generator is seeded anew when it forks).
    g.request_id = incoming if _SANE_ID.fullmatch(incoming) else f"{getrandbits(128):032x}"
    g.request_start = time.perf_counter()


def _tag(response):
    response.headers["X-Request-ID"] = g.get("request_id", "-")
    return response


def _log(sender: Flask, response, **extra) -> None:
    """Log the finished request; probes (and a page's wait for changes in development)
    only at debug level, so they do not drown the log."""
    level = logging.DEBUG if request.blueprint in ("ops", "metrics", "live") else logging.INFO
    if not access_log.isEnabledFor(level):
        return
    seconds = time.perf_counter() - g.get("request_start", time.perf_counter())
    # Each read of the request (an environ lookup behind a proxy object) is done once.
    method, remote, status, size = (
        request.method,
        request.remote_addr,
        response.status_code,
        response.content_length,
    )
    path = request.script_root + request.full_path.rstrip("?")
    http = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "bytes": size,
        "remote_addr": remote,
        "user_agent": request.headers.get("User-Agent", ""),
    }
    access_log.log(
        level,
        '%s "%s %s" %s %s %.1fms',
        remote,
        method,
        path,
        status,
        size if size is not None else "-",
        seconds * 1000,
        extra={"http": http},
    )


def init_app(app: Flask) -> None:
    """Register the probes, request ids, access log, metrics and proxy handling."""
    app.register_blueprint(bp)
    request_started.connect(_start, app)
    app.after_request(_tag)
    request_finished.connect(_log, app)
    metrics.init_app(app)
    proxy.init_app(app)
