"""The dashboards an app serves, loaded once per process."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from .authoring.check import Checked, load_and_check, load_and_check_board
from .authoring.loader import slug_of
from .authoring.problems import InvalidDashboards, Problem
from .charts import downsample
from .dashboard import ChartResult, Dashboard
from .data import options
from .errors import DataboardError, NotFound
from .refresh import Refresher, Stale
from .security.masking import mask_url

log = logging.getLogger("databoard.site")
#: Seconds between checks of the data files with ``LIVE_RELOAD`` (``serve --debug``).
LIVE_REFRESH = 1

#: charts drawn for their dashboard's default view, by slug then chart id
Drawn = dict[str, dict[str, ChartResult]]


@dataclass(frozen=True)
class Broken:
    """A dashboard that did not load or failed its check: served as its problems.

    :param slug: where it would be served: the board's slug if it was made, else the
        one its file declares or its name gives.
    :param board: the dashboard, if its file made one (its access rule then applies).
    """

    slug: str
    file: str
    problems: tuple[Problem, ...]
    board: Dashboard | None = None
    #: the folder served, which the file names shown to viewers are relative to
    root: Path | None = None

    @property
    def title(self) -> str:
        return self.board.title if self.board else self.slug

    def listed(self) -> list[tuple[str, str]]:
        """Return each problem as (file and line, message), as a page shows them."""
        found = []
        for problem in self.problems:
            path = Path(problem.file)
            if self.root is not None and path.is_relative_to(self.root):
                path = path.relative_to(self.root.parent)
            where = f"{path}:{problem.line}" if problem.line else str(path)
            found.append((where, mask_url(problem.message)))
        return found

    def describe(self) -> dict:
        """Return it for ``/readyz``: slug, file and each problem as ``databoard check`` says it."""
        return {"slug": self.slug, "file": self.file, "problems": [str(p) for p in self.problems]}


class BrokenDashboard(DataboardError):
    """A request for a dashboard with problems: 503, its problems on the page or in the JSON."""

    template = "problems.html"
    quiet = True

    def __init__(self, broken: Broken):
        count = len(broken.problems)
        problems = f"{count} problem{'s' if count != 1 else ''}"
        super().__init__(f"dashboard {broken.slug!r} is not served: {problems}", 503)
        self.broken = broken

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["problems"] = [
            {"file": p.file, "line": p.line, "message": mask_url(p.message)}
            for p in self.broken.problems
        ]
        return body


@dataclass
class Site:
    """The loaded dashboards, keyed by slug, in the order they were declared."""

    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    load_seconds: float = 0.0
    #: dashboards whose database did not answer at start, with why; tried again by
    #: :meth:`retry` (``/readyz`` calls it). Replaced whole, never changed in place.
    waiting: dict[str, tuple[Dashboard, tuple[Problem, ...]]] = field(default_factory=dict)
    #: dashboards with problems, served as their problems (a site that is not strict)
    broken: tuple[Broken, ...] = ()
    #: datasets whose newer data is not served yet, by (slug, dataset); replaced whole
    stale: dict[tuple[str, str], Stale] = field(default_factory=dict)
    #: checks the datasets for new data (:mod:`databoard.refresh`); none: never
    refresher: Refresher | None = field(default=None, repr=False)
    #: how many times a dashboard was replaced (new data swapped in, a database answered)
    swaps: int = 0
    _retrying: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _replacing: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reopen(self) -> None:
        """Load again, in this process, every dataset held in a DuckDB database.

        A database must not cross a fork: the production server closes its engines once
        the app is loaded (:func:`.connections.close_all`), and each gunicorn worker then
        opens its own DuckDB databases and loads those datasets (their rollups too) before
        it serves, each dashboard checked as at start. The other datasets are shared with
        the server as they are; other engines connect again on first use.
        """
        from .data.engines.connections import Engine

        for slug, board in list(self.dashboards.items()):
            keep = {}
            for name, dataset in board.datasets.items():
                engine = getattr(dataset.rows, "engine", None)
                if not (isinstance(engine, Engine) and engine.name == "duckdb"):
                    keep[name] = dataset
            if len(keep) == len(board.datasets):
                continue
            started = time.perf_counter()
            new = board.fresh(keep)
            problems = load_and_check_board(new)
            if problems:  # served as waiting: /readyz says why, and tries again
                log.error("dashboard %s: %s", slug, "; ".join(map(str, problems)))
                with self._replacing:
                    self.dashboards = {k: v for k, v in self.dashboards.items() if k != slug}
                    self.waiting = self.waiting | {slug: (new, tuple(problems))}
                continue
            self.replace(slug, board, new)
            loaded = ", ".join(sorted(set(board.datasets) - set(keep)))
            log.info(
                "worker %d: dataset %s loaded into its own database in %.2f s",
                os.getpid(),
                loaded,
                time.perf_counter() - started,
            )

    def replace(self, slug: str, old: Dashboard | None, new: Dashboard) -> bool:
        """Serve *new* as *slug* if *old* is what serves it now; requests under way keep
        the dashboard they hold. Return whether it was replaced."""
        with self._replacing:
            if self.dashboards.get(slug) is not old:
                return False
            self.dashboards = self.dashboards | {slug: new}
            self.swaps += 1
            return True

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
                    self.replace(slug, None, board)
                    del waiting[slug]
                elif all(p.unreachable for p in problems):
                    waiting[slug] = (board, tuple(problems))
                else:
                    log.error("dashboard %s: %s", slug, "; ".join(map(str, problems)))
                    waiting[slug] = (board, tuple(problems))
            self.waiting = waiting
        finally:
            self._retrying.release()

    def files(self, data: bool = True) -> list[str]:
        """Return the dashboard and data files, for a development server to watch.

        :param data: with the data files of the dashboards served; without, only those of
            broken dashboards (the others' data is checked by :attr:`refresher`).
        """
        found = {str(Path(b.file).resolve()) for b in self.broken if Path(b.file).is_file()}
        broken = [b.board for b in self.broken if b.board]
        for board in [*self.dashboards.values(), *broken]:
            if board.file and Path(board.file).is_file():
                found.add(str(Path(board.file).resolve()))
            for dataset in board.datasets.values() if data or board in broken else ():
                source = dataset.source
                if source is not None and source.exists():
                    paths = source.rglob("*") if source.is_dir() else [source]
                    found.update(str(p.resolve()) for p in paths if p.is_file())
        return sorted(found)

    def broken_named(self, slug: str) -> Broken | None:
        """Return the broken dashboard *slug*, if one is (and no dashboard serves there)."""
        if slug in self.dashboards:
            return None
        return next((b for b in self.broken if b.slug == slug), None)

    def get(self, slug: str) -> Dashboard:
        """Return the dashboard *slug*, or raise a 404 error (503 while its database is
        down, or with its problems while it is broken)."""
        if self.refresher is not None:
            self.refresher.poke()
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
            broken = self.broken_named(slug)
            if broken is not None:
                raise BrokenDashboard(broken) from None
            raise NotFound(f"no dashboard {slug!r}") from None


def load_site(
    target: str,
    max_points: int = downsample.MAX_POINTS,
    strict: bool = True,
    refresh: float = 0,
) -> tuple[Site, Drawn]:
    """Load the dashboards of *target* (a module, file or folder), check them, keep them.

    A dashboard whose only problem is a database that does not answer waits for it
    (:attr:`Site.waiting`) instead of keeping the site from starting: a database may
    start after the app, and ``/readyz`` says 503 until it answers.

    :param strict: refuse any other problem; else the dashboards with problems are
        :attr:`Site.broken`, shown as their problems, and the others are served.
    :param refresh: seconds between checks of each dataset for new data (0: only the
        datasets that set their own ``refresh``).
    :return: the site, and each chart the check drew for its default view (by slug, then
        chart id), for the cache to keep instead of drawing it again.
    :raise InvalidDashboards: when *strict*, listing every other problem, as
        ``databoard check`` does.
    """
    start = time.perf_counter()
    checked = load_and_check(target, max_points, wait=True)
    if checked.problems and strict:
        raise InvalidDashboards(checked.problems)
    for problem in checked.problems:
        log.error("%s", problem)
    for warning in checked.warnings:  # it serves: a data file's last line cut short
        log.warning("%s", warning)
    for _, problems in checked.waiting.values():
        for problem in problems:
            log.warning("%s; /readyz says 503 until it answers", problem)
    root = Path(target).resolve() if Path(target).exists() else None
    broken = _broken(checked, root if root is None or root.is_dir() else root.parent)
    dashboards = {b.slug: b for b in checked.boards if (b.file or b.slug) not in broken}
    site = Site(dashboards, waiting=checked.waiting)
    site.broken = tuple(b for entries in broken.values() for b in entries)
    site.refresher = Refresher(site, refresh, max_points)
    site.load_seconds = time.perf_counter() - start
    return site, {slug: checked.drawn.get(slug, {}) for slug in dashboards}


def _broken(checked: Checked, root: Path | None) -> dict[str, list[Broken]]:
    """Return the dashboards with problems, by file: every dashboard of a file with a
    problem (a Python file may declare several), or the file alone if it made none."""
    problems: dict[str, list[Problem]] = {}
    for problem in checked.problems:
        problems.setdefault(problem.file, []).append(problem)
    broken: dict[str, list[Broken]] = {}
    for file, found in problems.items():
        boards = [b for b in checked.boards if (b.file or b.slug) == file]
        broken[file] = [Broken(b.slug, file, tuple(found), b, root) for b in boards] or [
            Broken(slug_of(file), file, tuple(found), root=root)
        ]
    return broken


def data_refresh(config) -> float:
    """Return the seconds between checks of the data for new versions (0: never)."""
    refresh = config["DATA_REFRESH"]
    if config["LIVE_RELOAD"] and refresh:
        # While editing (serve --debug), a changed data file is served within a second,
        # once it is whole and passes its checks; never half-written.
        refresh = min(refresh, LIVE_REFRESH)
    return refresh


def init_app(app: Flask) -> Drawn:
    """Load the configured dashboards and keep them on the app.

    :return: the charts drawn by the start-up check (see :func:`load_site`).
    """
    options.configure(app.config)
    config = app.config
    site, drawn = load_site(
        config["DASHBOARD"], config["MAX_POINTS"], config["STRICT"], data_refresh(config)
    )
    app.extensions["databoard"] = site
    app.logger.info("loaded %d dashboard(s) in %.2f s", len(site.dashboards), site.load_seconds)
    if site.broken:
        slugs = ", ".join(b.slug for b in site.broken)
        app.logger.warning("not serving %s: see the problems above, or on their pages", slugs)
    return drawn


def get_site() -> Site:
    """Return the current app's :class:`Site`."""
    return current_app.extensions["databoard"]
