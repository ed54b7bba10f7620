"""The dashboards an app serves, loaded once per process."""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field

from flask import Flask, current_app

from .dashboard import Dashboard
from .errors import NotFound


@dataclass
class Site:
    """The loaded dashboards, keyed by slug, in the order they were declared."""

    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    load_seconds: float = 0.0

    def get(self, slug: str) -> Dashboard:
        """Return the dashboard *slug*, or raise a 404 error."""
        try:
            return self.dashboards[slug]
        except KeyError:
            raise NotFound(f"no dashboard {slug!r}") from None


def dashboards_in_module(name: str) -> list[Dashboard]:
    """Import the module *name* and return the dashboards it defines."""
    module = importlib.import_module(name)
    found = [v for v in vars(module).values() if isinstance(v, Dashboard)]
    if not found:
        raise ValueError(f"module {name!r} defines no Dashboard")
    return found


def load_site(target: str) -> Site:
    """Load the dashboards of *target* and their data."""
    start = time.perf_counter()
    site = Site()
    for board in dashboards_in_module(target):
        if board.slug in site.dashboards:
            raise ValueError(f"two dashboards have the slug {board.slug!r}")
        if not board.loaded:
            board.load()
        site.dashboards[board.slug] = board
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
