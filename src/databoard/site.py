"""The dashboards an app serves, loaded once per process."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from .authoring import loader
from .authoring.check import check
from .authoring.problems import InvalidDashboards
from .dashboard import Dashboard
from .errors import NotFound


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


def load_site(target: str) -> Site:
    """Load the dashboards of *target* (a module, file or folder), check them, keep them.

    :raise InvalidDashboards: listing every problem, as ``databoard check`` does.
    """
    start = time.perf_counter()
    boards, problems = loader.load_all(target)
    problems += [p for board in boards for p in check(board)]
    if problems:
        raise InvalidDashboards(problems)
    site = Site({board.slug: board for board in boards})
    site.load_seconds = time.perf_counter() - start
    return site


def init_app(app: Flask) -> None:
    """Load the configured dashboards and keep them on the app."""
    app.extensions["databoard"] = load_site(app.config["DASHBOARD"])
    app.logger.info(
        "loaded %d dashboard(s) in %.2f s",
        len(app.extensions["databoard"].dashboards),
        app.extensions["databoard"].load_seconds,
    )


def get_site() -> Site:
    """Return the current app's :class:`Site`."""
    return current_app.extensions["databoard"]
