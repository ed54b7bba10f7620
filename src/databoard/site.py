"""The dashboards an app serves, loaded once per process."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from .authoring.check import load_and_check
from .authoring.problems import InvalidDashboards
from .charts import downsample
from .dashboard import ChartResult, Dashboard
from .errors import NotFound

#: charts drawn for their dashboard's default view, by slug then chart id
Drawn = dict[str, dict[str, ChartResult]]


@dataclass
class Site:
    """The loaded dashboards, keyed by slug, in the order they were declared."""

    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    load_seconds: float = 0.0

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
        """Return the dashboard *slug*, or raise a 404 error."""
        try:
            return self.dashboards[slug]
        except KeyError:
            raise NotFound(f"no dashboard {slug!r}") from None


def load_site(target: str, max_points: int = downsample.MAX_POINTS) -> tuple[Site, Drawn]:
    """Load the dashboards of *target* (a module, file or folder), check them, keep them.

    :return: the site, and each chart the check drew for its default view (by slug, then
        chart id), for the cache to keep instead of drawing it again.
    :raise InvalidDashboards: listing every problem, as ``databoard check`` does.
    """
    start = time.perf_counter()
    checked = load_and_check(target, max_points)
    if checked.problems:
        raise InvalidDashboards(checked.problems)
    site = Site({board.slug: board for board in checked.boards})
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
