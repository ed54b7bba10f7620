"""Production serving: gunicorn with databoard's defaults.

``databoard serve --production`` and ``deploy/gunicorn.conf.py`` both take their gunicorn
settings from :func:`gunicorn_options`, so the two ways to run in production behave alike:
several workers, the data loaded once before they fork, in-flight requests finishing on
SIGTERM, every log line on stdout.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from . import config, logs, memory
from .data.engines import connections
from .security import keys
from .web import cache_store, metrics

#: Threads per worker: a slow chart then does not hold up a probe or a page's assets.
THREADS = 4
#: Requests a worker answers between two returns of its free memory to the system.
TRIM_EVERY = 100


def default_workers() -> int:
    """Return the platform's ``WEB_CONCURRENCY`` if set, else (2 x CPUs) + 1.

    Platforms that run a Procfile set ``WEB_CONCURRENCY`` to suit the machine's memory;
    only the CPUs this process may run on are counted.
    """
    platform = os.environ.get("WEB_CONCURRENCY", "")
    if platform.isdigit() and int(platform) > 0:
        return int(platform)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (cpus or 1) + 1


def production_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the configuration for production, ready for the workers to fork.

    :raise config.ConfigError: for a bad value, or a missing or weak secret key
        (:func:`databoard.security.keys.secret_key_problem`).
    """
    values = config.load(overrides).values
    problem = keys.secret_key_problem(values["SECRET_KEY"])
    if problem:
        raise config.ConfigError(f"{problem}.\n{keys.FIX}")
    # Session cookies travel over HTTPS only, unless the operator says otherwise; the
    # environment carries this to the app that gunicorn creates from the same settings.
    os.environ.setdefault(config.PREFIX + "SESSION_COOKIE_SECURE", "true")
    values.setdefault("SESSION_COOKIE_SECURE", True)
    if values["METRICS"]:
        _metrics_folder()
    return values


def _metrics_folder() -> None:
    """Give the workers a fresh folder to count metrics in, removed when the server stops.

    An operator's own ``PROMETHEUS_MULTIPROC_DIR`` is kept (they must empty it at start).
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    path = tempfile.mkdtemp(prefix="databoard-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    server = os.getpid()

    # Workers inherit this hook when they fork; only the server may remove the folder.
    def remove() -> None:
        if os.getpid() == server:
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove)


def gunicorn_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return gunicorn's settings for the databoard configuration *values*."""
    host = f"[{values['HOST']}]" if ":" in values["HOST"] else values["HOST"]
    return {
        "bind": [f"{host}:{values['PORT']}"],
        "workers": values["WORKERS"] or default_workers(),
        # gthread whose threads never wait on idle or slow clients (see databoard.worker).
        "worker_class": "databoard.worker.Worker",
        "threads": THREADS,
        # Load the data once in the server process; the workers share it after the fork.
        "preload_app": True,
        # Process-wide memory tuning belongs to the server, not to create_app().
        "when_ready": ready_to_fork,
        "pre_fork": freeze_before_fork,
        "post_request": trim_memory,
        # Each worker opens its own databases; its metrics show what its cache holds
        # from its start, gone when it ends.
        "post_worker_init": start_worker,
        "child_exit": forget_worker,
        "timeout": values["TIMEOUT"],
        # On SIGTERM, requests in flight get this long to finish before workers are killed.
        "graceful_timeout": values["TIMEOUT"],
        "keepalive": 5,
        # gunicorn's most; the app answers longer lines than MAX_REQUEST_LINE with a
        # JSON 414 (databoard.web.limits), so a view of every country still fits.
        "limit_request_line": 8190,
        # The app logs each request itself, with its request id (see databoard.web.ops).
        "accesslog": None,
        "logger_class": Logger,
        "errorlog": "-",
        "loglevel": values["LOG_LEVEL"],
        "logconfig_dict": logs.dict_config(values["LOG_LEVEL"], values["LOG_FORMAT"]),
        # X-Forwarded-* are the app's to judge, from its PROXY_COUNT setting.
        "forwarded_allow_ips": "",
        # A control socket in $HOME is not needed, and two servers would share it.
        "control_socket_disable": True,
        "proc_name": "databoard",
    }


def ready_to_fork(arbiter) -> None:
    """gunicorn hook: once the app is loaded, close its databases (each worker opens its
    own: a connection must not cross a fork) and give back what loading used."""
    connections.close_all()
    memory.settle()


def freeze_before_fork(arbiter, worker) -> None:
    """gunicorn hook: keep the workers' garbage collector off the pages they share."""
    memory.freeze()


def trim_memory(worker, req, environ, resp) -> None:
    """gunicorn hook: every :data:`TRIM_EVERY` requests, give back the heap's free pages."""
    if worker.nr % TRIM_EVERY == 0:
        memory.trim()


def start_worker(worker) -> None:
    """gunicorn hook: in a new worker, load the datasets held in DuckDB into databases of
    its own (telling the server it is alive meanwhile, however long their rollups take),
    then show in its metrics the answers it inherits."""
    site = worker.wsgi.extensions["databoard"]
    done = threading.Event()

    def alive() -> None:
        while not done.wait(1.0):
            worker.notify()

    beat = threading.Thread(target=alive, name="databoard-heartbeat", daemon=True)
    beat.start()
    try:
        site.reopen()
    finally:
        done.set()
        beat.join()
    cache_store.announce(worker.wsgi)


def forget_worker(arbiter, worker) -> None:
    """gunicorn hook: drop the metrics only a worker that ended had (its cache's size)."""
    metrics.forget(worker.pid)


class Logger(GunicornLogger):
    """gunicorn's logger, without the access line it would build for every request only
    to drop it (the app logs each request itself, :mod:`databoard.web.ops`): some 50 us
    a request. An access log the operator asks for (``--access-logfile``) is written."""

    def access(self, resp, req, environ, request_time) -> None:
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)


class Server(BaseApplication):
    """Gunicorn serving an app created beforehand, so load errors surface before any fork.

    ``GUNICORN_CMD_ARGS`` adjusts any gunicorn setting, as it does for the gunicorn command.
    """

    def __init__(self, app: Flask, options: Mapping[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # older gunicorns lack some settings
                self.cfg.set(key, value)
        args = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
        for key, value in vars(args).items():
            if value is not None and key != "args":
                self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        return self.application
