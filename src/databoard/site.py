"""The dashboards an app serves, loaded once per process."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from .authoring.check import load_and_check, load_and_check_board
from .authoring.problems import InvalidDashboards, Problem
from .charts import downsample
from .dashboard import ChartResult, Dashboard
from .errors import DataboardError, NotFound

log = logging.getLogger("databoard.site")

#: charts drawn for their dashboard's default view, by slug then chart id
Drawn = dict[str, dict[str, ChartResult]]


@dataclass
class Site:
    """The loaded dashboards, keyed by slug, in the order they were declared."""

    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    load_seconds: float = 0.0
    #: dashboards whose database did not answer at start, with why; tried again by
    #: :meth:`retry` (``/readyz`` calls it). Replaced whole, never changed in place.
    waiting: dict[str, tuple[Dashboard, tuple[Problem, ...]]] = field(default_factory=dict)
    _retrying: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def retry(self) -> None:
        """Load the waiting dashboards whose databases answer now; one thread at a time."""
        if not self.waiting or not self._retrying.acquire(blocking=False):
            return
        try:
            waiting = dict(self.waiting)
            for slug, (board, _) in list(waiting.items()):
                problems = load_and_check_board(board)
                if not problems:
                    log.info("dashboard %s: its database answers; now serving it", slug)
                    self.dashboards = self.dashboards | {slug: board}
                    del waiting[slug]
                elif all(p.unreachable for p in problems):
                    waiting[slug] = (board, tuple(problems))
                else:
                    log.error("dashboard %s: %s", slug, "; ".join(map(str, problems)))
                    waiting[slug] = (board, tuple(problems))
            self.waiting = waiting
        finally:
            self._retrying.release()

    def files(self) -> list[str]:
        """Return the dashboard and data files, for a development server to watch."""
        found = set()
        for board in self.dashboards.values():
            if board.file and Path(board.file).is_file():
                found.add(str(Path(board.file).resolve()))
            for dataset in board.datasets.values():
                source = dataset.source
                if source is not None and source.exists():
                    paths = source.rglob("*") if source.is_dir() else [source]
                    found.update(str(p.resolve()) for p in paths if p.is_file())
        return sorted(found)

    def get(self, slug: str) -> Dashboard:
        """Return the dashboard *slug*, or raise a 404 error (503 while its database is down)."""
        try:
            return self.dashboards[slug]
        except KeyError:
            if slug in self.waiting:
                self.retry()
                if slug in self.dashboards:
                    return self.dashboards[slug]
                why = "; ".join(p.message for p in self.waiting[slug][1])
                message = f"dashboard {slug!r} waits for its database: {why}"
                raise DataboardError(message, 503) from None
            raise NotFound(f"no dashboard {slug!r}") from None


def load_site(target: str, max_points: int = downsample.MAX_POINTS) -> tuple[Site, Drawn]:
    """Load the dashboards of *target* (a module, file or folder), check them, keep them.

    A dashboard whose only problem is a database that does not answer waits for it
    (:attr:`Site.waiting`) instead of keeping the site from starting: a database may
    start after the app, and ``/readyz`` says 503 until it answers.

    :return: the site, and each chart the check drew for its default view (by slug, then
        chart id), for the cache to keep instead of drawing it again.
    :raise InvalidDashboards: listing every other problem, as ``databoard check`` does.
    """
    start = time.perf_counter()
    checked = load_and_check(target, max_points, wait=True)
    if checked.problems:
        raise InvalidDashboards(checked.problems)
    for _, problems in checked.waiting.values():
        for problem in problems:
            log.warning("%s; /readyz says 503 until it answers", problem)
    site = Site({board.slug: board for board in checked.boards}, waiting=checked.waiting)
    site.load_seconds = time.perf_counter() - start
    return site, checked.drawn


def init_app(app: Flask) -> Drawn:
    """Load the configured dashboards and keep them on the app.

    :return: the charts drawn by the start-up check (see :func:`load_site`).
    """
    site, drawn = load_site(app.config["DASHBOARD"], app.config["MAX_POINTS"])
    app.extensions["databoard"] = site
    app.logger.info("loaded %d dashboard(s) in %.2f s", len(site.dashboards), site.load_seconds)
    return drawn


def get_site() -> Site:
    """Return the current app's :class:`Site`."""
    return current_app.extensions["databoard"]
