"""The edit loop of ``serve --debug``: dashboards reload in place, and so do open pages.

When a dashboard file, a Python file next to a dashboard, the data of a dashboard shown
as its problems, or the list of dashboard files in the folder served changes, the site is
loaded again in this process, without the check's refusal: a dashboard with a mistake is
served as its problems (:class:`databoard.site.Broken`) until the next save fixes it.
(The data of the dashboards served is the site's refresher's to check: see
:mod:`databoard.refresh`.) Each load, and each swap of new data, gets a new change token;
a page opened in development waits on ``/-/live`` for the token to change, then reloads
itself (``static/live.js``). A module target (the World Bank dashboard) is not loaded
again here: the development server restarts for it.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, request, url_for

from ..authoring import loader
from ..data import sources
from ..site import Site, data_refresh, load_site

bp = Blueprint("live", __name__)

#: seconds between looks at the files while a page waits
POLL = 0.1
#: seconds a page's request waits for a change before it is answered anyway
WAIT = 20.0
#: seconds the files must stay the same before they are read
SETTLE = 0.05

Stamp = dict[str, tuple[int, int] | None]


class Live:
    """The files behind a site served from a path, and the token of its latest load."""

    def __init__(self, app: Flask):
        self.app = app
        target = Path(app.config["DASHBOARD"])
        #: the folder served, or the dashboard file's folder; None for a module
        self.root = None if not target.exists() else target if target.is_dir() else target.parent
        self.root = self.root.resolve() if self.root else None
        self.target = target
        # a new process (the server restarted) is a change too
        self._process = secrets.token_hex(4)
        self._loads = 0
        self._lock = threading.Lock()
        self._stamp = self.stamp()

    @property
    def token(self) -> str:
        """Return the token of the site as it is loaded now."""
        # a dashboard with new data swapped in (databoard.refresh) is a change too
        swaps = self.app.extensions["databoard"].swaps
        return f"{self._process}-{self._loads}-{swaps}"

    def files(self) -> set[Path]:
        """Return the files whose change reloads the site (none for a module target)."""
        if self.root is None:
            return set()
        site: Site = self.app.extensions["databoard"]
        # Data files are checked by the site itself (every second with LIVE_RELOAD): a new
        # one is served once whole and valid, never half-written (databoard.refresh).
        checked = site.refresher is not None and site.refresher.refresh > 0
        found = {Path(f) for f in site.files(data=not checked)}
        if self.target.is_dir():
            found.update(p.resolve() for p in loader.dashboard_files(self.target))
        elif self.target.is_file():
            found.add(self.target.resolve())
        # a Python dashboard's helpers next to it
        for folder in {f.parent for f in found if f.suffix == ".py"}:
            found.update(folder.glob("*.py"))
        return found

    def stamp(self) -> Stamp:
        """Return each watched file's size and modification time (None once it is gone)."""
        found: Stamp = {}
        for path in self.files():
            try:
                found[str(path)] = sources.stamp(path)
            except OSError:
                found[str(path)] = None
        return found

    def refresh(self) -> str:
        """Load the site again if a watched file changed since the last load; return the
        token. One thread loads; the others wait for it and share its result."""
        site: Site = self.app.extensions["databoard"]
        if site.refresher is not None:
            site.refresher.poke()
        with self._lock:
            before = self.stamp()
            if before != self._stamp:
                before = self._settled(before)
                self._reload()
                # Files new to the watch (a fixed file's data) count as seen now; one
                # changed during the load differs from `before` and loads again.
                after = self.stamp()
                self._stamp = {path: before.get(path, value) for path, value in after.items()}
            return self.token

    def _settled(self, stamp: Stamp) -> Stamp:
        """Return the files' stamp once it stays the same for :data:`SETTLE` seconds, so a
        file being saved (emptied, then written) is read whole, not half."""
        for _ in range(20):
            time.sleep(SETTLE)
            again = self.stamp()
            if again == stamp:
                break
            stamp = again
        return stamp

    def _reload(self) -> None:
        from . import pages  # the pages need the site; loaded late to keep imports one way

        start = time.perf_counter()
        try:
            config = self.app.config
            refresh = data_refresh(config)
            site, drawn = load_site(str(self.target), config["MAX_POINTS"], False, refresh)
        except Exception:
            self.app.logger.exception("reloading %s failed; serving what was loaded", self.target)
            return
        self.app.extensions["databoard"] = site
        self._loads += 1
        if self.app.config["CACHE_WARM"]:
            pages.warm(self.app, drawn)
        self.app.logger.info(
            "reloaded %s in %.2f s: %d dashboard(s), %d with problems",
            self.target,
            time.perf_counter() - start,
            len(site.dashboards),
            len(site.broken),
        )


def get_live() -> Live | None:
    """Return the current app's :class:`Live`, if it serves in development."""
    return current_app.extensions.get("databoard.live")


def token() -> str:
    """Return the change token for a page's cache key: ``""`` outside development."""
    live = get_live()
    return live.token if live else ""


@bp.get("/-/live")
def changes():
    """Answer ``{"token": ...}`` once the site's token differs from ``token`` in the
    query string (at once without one), or after :data:`WAIT` seconds unchanged."""
    live = get_live()
    assert live is not None
    seen = request.args.get("token")
    deadline = time.monotonic() + WAIT
    current = live.refresh()
    while current == seen and time.monotonic() < deadline:
        time.sleep(POLL)
        current = live.refresh()
    response = jsonify(token=current)
    response.headers["Cache-Control"] = "no-store"
    return response


#: the blueprints whose answers read the site; assets (and /-/live itself) do not look
READ_THE_SITE = ("pages", "api", "ops")


def _refresh() -> None:
    live = get_live()
    if live is not None and request.blueprint in READ_THE_SITE:
        live.refresh()


def _page_context() -> dict:
    live = get_live()
    if live is None:
        return {}
    return {"live_url": url_for("live.changes"), "live_token": live.token}


def init_app(app: Flask) -> None:
    """With ``LIVE_RELOAD`` (``serve --debug``), reload the site when its files change,
    before each request and while a page waits on ``/-/live``."""
    if not app.config["LIVE_RELOAD"]:
        return
    app.extensions["databoard.live"] = Live(app)
    app.register_blueprint(bp)
    app.before_request(_refresh)
    app.context_processor(_page_context)
