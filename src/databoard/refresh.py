"""Fresh data without restarts: each dataset is checked every ``refresh`` seconds.

A check asks the dataset's probe (:mod:`databoard.data.versions`) whether its data moved.
If it did, a new dashboard is made from the declaration with the changed datasets loaded
anew (the others shared, they are immutable), checked as at start (columns there, dates
read, every chart drawn), and swapped into the site whole: a request holds one dashboard
from start to end, so it sees the old data or the new, never a mix. Until new data passes,
the old keeps serving and ``/readyz`` lists the dataset as stale, with why and since when.

A file that changed is read only once it stays the same for a moment (and, if its last
line is cut off, until the next check), so a file being written is never served half.
Checks run in a background thread started by requests when one is due, in each process
on its own: gunicorn's workers each swap in the new data, with no restart.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .authoring.check import load_and_check_board
from .charts import downsample
from .data.versions import FileProbe, ProbeError, now_text
from .data.worldbank_source import APIProbe

if TYPE_CHECKING:
    from .dashboard import Dashboard, Dataset
    from .site import Site

log = logging.getLogger("databoard.refresh")

#: Most seconds a file must stay the same before it is read.
SETTLE = 1.0
#: Most seconds before a source that failed (the World Bank API) is tried again.
RETRY = 600.0


@dataclass(frozen=True)
class Stale:
    """A dataset whose newer data cannot be served yet; the older data serves meanwhile."""

    dashboard: str
    dataset: str
    why: str
    #: when it went stale, ISO 8601 in UTC
    since: str

    def describe(self) -> dict:
        """Return it for ``/readyz``."""
        return {
            "dashboard": self.dashboard,
            "dataset": self.dataset,
            "why": self.why,
            "since": self.since,
        }


class Refresher:
    """Checks a site's datasets for new data and swaps it in (one check at a time).

    Its bookkeeping is touched only by the check holding the lock; what requests read
    (the site's dashboards and stale datasets) is replaced whole, never changed in place.

    :param refresh: seconds between checks of a dataset that does not set its own;
        0 checks only datasets that set one.
    """

    def __init__(self, site: Site, refresh: float, max_points: int = downsample.MAX_POINTS):
        self.site = site
        self.refresh = refresh
        self.max_points = max_points
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._next = 0.0  # when a check may next be due (monotonic seconds)
        self._due: dict[tuple[str, str], float] = {}
        #: a stamp already read whose bytes were the same (a file touched, not changed)
        self._same: dict[tuple[str, str], tuple] = {}
        #: a stamp with a cut-off last line, seen once: read if it stays until next check
        self._cut: dict[tuple[str, str], tuple] = {}
        #: the stamp (or error) last reported as bad, so each bad version is logged once
        self._failed: dict[tuple[str, str], object] = {}

    def every(self, dataset: Dataset) -> float:
        """Return the seconds between checks of *dataset* (0: never)."""
        if dataset.refresh is not None:
            return dataset.refresh
        if isinstance(dataset.probe, APIProbe):
            return dataset.probe.api.refresh
        return self.refresh

    def poke(self) -> None:
        """Start a check in the background if one is due and none is running."""
        if os.getpid() != self._pid:
            # A worker forked from the server (gunicorn preloads the app): a check the
            # server ran has no thread here to finish it, so this process starts afresh.
            self._lock, self._pid = threading.Lock(), os.getpid()
        if time.monotonic() < self._next or self._lock.locked():
            return
        self._next = time.monotonic() + 0.5  # pokes meanwhile start no thread
        threading.Thread(
            target=self.check, kwargs={"wait": False}, name="databoard-refresh", daemon=True
        ).start()

    def check(self, wait: bool = True) -> bool:
        """Check every dataset that is due now; return ``False`` if another check runs."""
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            for slug, board in list(self.site.dashboards.items()):
                try:
                    self._check_board(slug, board)
                except Exception:  # a bug must not stop later checks of this site
                    log.exception("dashboard %s: checking for new data failed", slug)
            # nothing to check yet (or ever, with refresh 0): look again in a while
            idle = time.monotonic() + (self.refresh or 60)
            self._next = min(self._due.values(), default=idle)
        finally:
            self._lock.release()
        return True

    def _check_board(self, slug: str, board: Dashboard) -> None:
        now = time.monotonic()
        changed = {}
        for name, dataset in board.datasets.items():
            every = self.every(dataset)
            if dataset.probe is None or dataset.version is None or not every:
                continue
            key = (slug, name)
            if key not in self._due:  # loaded just now: the first check comes after a while
                self._due[key] = now + every
                continue
            if now < self._due[key]:
                continue
            self._due[key] = now + every
            stamp = self._look(slug, dataset, every)
            if stamp is not None:
                changed[name] = stamp
        if changed:
            self._swap(slug, board, changed)

    def _look(self, slug: str, dataset: Dataset, every: float) -> tuple | None:
        """Return the stamp of new data ready to read, or ``None`` (unchanged, or not yet)."""
        key = (slug, dataset.name)
        assert dataset.version is not None
        try:
            stamp = dataset.look()
        except Exception as error:  # a source that failed, a missing file, a database down
            if isinstance(dataset.probe, APIProbe):
                self._due[key] = time.monotonic() + min(every, RETRY)
            why = str(error) if isinstance(error, ProbeError) else f"cannot check: {error}"
            self._stale(slug, dataset.name, why, why)
            return None
        if stamp == dataset.version.stamp or self._same.get(key) == stamp:
            self._fresh(slug, dataset.name)
            return None
        if self._failed.get(key) == stamp:
            return None  # this bad version was tried and reported already
        files = dataset.probe
        if isinstance(files, FileProbe | APIProbe):
            time.sleep(min(SETTLE, every / 4))
            if dataset.look() != stamp:
                self._stale(slug, dataset.name, "its file is being written", None)
                return None
            cut = files.cut_off()
            if cut and self._cut.get(key) != stamp:
                self._cut[key] = stamp
                why = f"{cut} is being written (its last line is cut off)"
                self._stale(slug, dataset.name, why, None)
                return None
            probe = files.files() if isinstance(files, APIProbe) else files
            if probe.content and probe.digest() == dataset.version.key:
                self._same[key] = stamp
                self._fresh(slug, dataset.name)
                return None
        return stamp

    def _swap(self, slug: str, board: Dashboard, changed: dict[str, tuple]) -> None:
        """Load the changed datasets into a new dashboard; serve it if it passes its checks."""
        keep = {name: d for name, d in board.datasets.items() if name not in changed}
        started = time.perf_counter()
        new = board.fresh(keep)
        problems = load_and_check_board(new, self.max_points)
        if problems:
            why = "; ".join(str(p) for p in problems)
            for name, stamp in changed.items():
                self._stale(slug, name, f"new data not served: {why}", stamp)
            return
        if not self.site.replace(slug, board, new):
            return  # the dashboard was replaced meanwhile; the next check sees the new one
        for name in changed:
            self._fresh(slug, name)
            self._failed.pop((slug, name), None)
            version = new.datasets[name].version
            log.info(
                "dashboard %s: new data in dataset %s (as of %s), served after %.2f s",
                slug,
                name,
                version.as_of if version else "?",
                time.perf_counter() - started,
            )

    def _stale(self, slug: str, name: str, why: str, bad: object) -> None:
        """Mark a dataset stale; log it once per bad version (*bad*: its stamp or error)."""
        key = (slug, name)
        if bad is not None and self._failed.get(key) != bad:
            self._failed[key] = bad
            log.error("dashboard %s: dataset %s keeps its older data: %s", slug, name, why)
        before = self.site.stale.get(key)
        since = before.since if before is not None else now_text()
        if before is None or before.why != why:
            self.site.stale = self.site.stale | {key: Stale(slug, name, why, since)}

    def _fresh(self, slug: str, name: str) -> None:
        key = (slug, name)
        self._cut.pop(key, None)
        if key in self.site.stale:
            self.site.stale = {k: v for k, v in self.site.stale.items() if k != key}
