"""What a dataset's data is now: a version for cache keys, and the date it is "as of".

Each dataset that can change under a running server has a probe, asked every ``refresh``
seconds whether its data moved: a file's sizes and modification times (then, to rule out
a file touched but not changed, a digest of its bytes), the answer of a SQL dataset's
``version_sql`` or PostgreSQL's row counters, or the clock for a TTL. The version's key
goes into every cache key, so a new version never reads an answer made from the old data.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from . import sources
from .digest import frame_digest

#: Endings of text files whose last line a writer may not have finished yet.
_TEXT = (".csv", ".tsv", ".tab", ".jsonl", ".json")


class Unsettled(Exception):
    """Data that is being written: try again at the next check."""


class ProbeError(Exception):
    """Data that could not be checked (a source that failed): the old data keeps serving."""


@dataclass(frozen=True)
class Version:
    """One version of a dataset's data.

    :param key: what cache keys include; the same data gives the same key in every
        process, so workers and hosts share answers.
    :param as_of: the date the data is as of, as ISO text ("data as of" on charts).
    :param stamp: what the probe saw (file sizes and times, a query's answer): a check
        that sees the same stamp knows nothing changed without reading the data.
    """

    key: str
    as_of: str
    stamp: tuple = ()


def now_text(moment: float | None = None) -> str:
    """Return *moment* (a Unix time, by default now) as ISO text in UTC, to the second."""
    stamp = datetime.fromtimestamp(time.time() if moment is None else moment, UTC)
    return stamp.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def updated_date(attrs: dict) -> str:
    """Return the date a World Bank frame's files say it was last updated, or ``""``."""
    if attrs.get("updated"):
        return str(attrs["updated"])
    indicators = attrs.get("indicators") or {}
    dates = [str(ind.updated) for ind in indicators.values() if getattr(ind, "updated", "")]
    return max(dates, default="")


def of_frame(frame: pd.DataFrame, attrs: dict) -> Version:
    """Return the version of a frame a loader function made: a digest of its values."""
    return Version(frame_digest(frame), updated_date(attrs) or now_text())


@dataclass(frozen=True)
class FileProbe:
    """The files a dataset reads: a file, or every file under a folder (World Bank)."""

    root: Path
    source: str
    #: read every byte for the version's key; else (files an engine queries in place,
    #: which may be huge) the sizes and times make the key
    content: bool = True

    def paths(self) -> list[Path]:
        """Return the files read, leaving out hidden ones (a download being written)."""
        path = sources.resolve_pattern(self.root, self.source)
        if any(ch in self.source for ch in "*?["):
            return sorted(p for p in Path(self.root).glob(self.source) if p.is_file())
        if not path.is_dir():
            return [path]
        found = path.rglob("*")
        return sorted(p for p in found if p.is_file() and not p.name.startswith("."))

    def stamp(self) -> tuple:
        """Return each file's name, size and modification time: cheap, no data read."""
        return tuple((path.name, *sources.stamp(path)) for path in self.paths())

    def digest(self) -> str:
        """Return a digest of every file's name and bytes."""
        digest = hashlib.blake2b(digest_size=16)
        for path in self.paths():
            digest.update(path.name.encode() + b"\0")
            with open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        return digest.hexdigest()

    def cut_off(self) -> str:
        """Return the name of a text file whose last line has no line end, or ``""``.

        A writer that is not done yet leaves one; so may a file that is complete, which
        is why a cut-off file is only read once it has stayed the same for a while.
        """
        for path in self.paths():
            if path.suffix.lower() not in _TEXT or path.stat().st_size == 0:
                continue
            with open(path, "rb") as f:
                f.seek(-1, 2)
                if f.read(1) not in (b"\n", b"\r"):
                    return path.name
        return ""

    def version(self, attrs: dict, stamp: tuple) -> Version:
        """Return the version of the files read while they had *stamp*.

        :raise Unsettled: if they changed while being read.
        """
        key = self.digest() if self.content else digest_text(repr(stamp))
        if self.stamp() != stamp:
            raise Unsettled(f"{self.source} changed while it was read")
        newest = max((mtime for _, _, mtime in stamp), default=0) / 1e9
        return Version(key, updated_date(attrs) or now_text(newest), stamp)


@dataclass(frozen=True)
class QueryProbe:
    """A SQL dataset's version: ``version_sql``'s answer, PostgreSQL's counters, or a TTL.

    :param version_sql: a query whose answer changes with the data (``SELECT
        max(updated_at) FROM t``).
    :param table: the dataset's table, for PostgreSQL's row counters when there is no
        *version_sql*.
    :param ttl: with neither, seconds a version lasts.
    :param start: when the dataset was declared; TTL versions count from it, so the
        workers forked from one server agree on them.
    """

    version_sql: str | None = None
    table: str | None = None
    ttl: float | None = None
    start: float = 0.0

    def _counters(self, rows: Any) -> bool:
        return self.table is not None and rows.engine.name == "postgres"

    def stamp(self, rows: Any) -> tuple:
        """Return the current answer: a query's values, or the number of the TTL period."""
        if self.version_sql:
            engine = rows.engine
            found = engine.execute(engine.connection().sql(self.version_sql))
            return tuple(_plain(v) for v in found.itertuples(index=False, name=None))
        if self._counters(rows):
            return self._pg_counters(rows)
        if self.ttl:
            return (int((time.time() - self.start) // self.ttl),)
        return ()

    def _pg_counters(self, rows: Any) -> tuple:
        """Return PostgreSQL's counts of rows inserted, updated and deleted in the table.

        The statistics reach ``pg_stat_user_tables`` within a second or so of a commit;
        ``TRUNCATE`` is not counted (give ``version_sql`` or ``ttl`` if it matters).
        """
        engine = rows.engine
        schema, _, name = (self.table or "").rpartition(".")
        stats = engine.connection().table("pg_stat_user_tables", database="pg_catalog")
        found = stats.filter(stats.schemaname == (schema or "public"), stats.relname == name)
        counts = engine.execute(found.select("n_tup_ins", "n_tup_upd", "n_tup_del"))
        return tuple(_plain(v) for v in counts.itertuples(index=False, name=None))

    def version(self, rows: Any, stamp: tuple) -> Version:
        """Return the version for *stamp*: dated by the answer if it is a time, else now."""
        key = digest_text(f"{rows.describe()}|{stamp!r}")
        dated = [v for row in stamp if isinstance(row, tuple) for v in row]
        times = [v for v in dated if isinstance(v, datetime)]
        as_of = max(times).isoformat() if times else now_text()
        return Version(key, as_of, stamp)


def digest_text(text: str) -> str:
    """Return a short digest of *text*."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _plain(value: Any) -> Any:
    """Return a value of a query's answer as a plain Python value (for comparing)."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value
