"""Connections to SQL engines through Ibis: one per thread, opened lazily, safe to share.

A dashboard's engine is made once at load and shared by every request. Engines differ in
what a connection may do under threads: one DuckDB connection used by two threads fails
("connection is busy"), so each thread gets a cursor of the one database; PostgreSQL gets
one connection per thread; Spark's session is itself shared.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import threading
import time
from pathlib import Path

from ...security.masking import mask_url
from .. import options
from ..compression import inner_suffix
from .urls import URLError, host, resolve_duckdb, scheme

#: Seconds a query may run before it is stopped and its chart answers 504.
TIMEOUT = 30.0


_engines: dict[tuple[str, str, float], Engine] = {}
_engines_lock = threading.Lock()


@atexit.register
def close_all() -> None:
    """Close the shared engines' connections: as the process ends (not in the GC), and
    in a server before it forks its workers, since a connection must not cross a fork
    (DuckDB's threads stay behind, a PostgreSQL socket would be shared): each worker
    opens its own (:meth:`databoard.site.Site.reopen`)."""
    with _engines_lock:
        engines = list(_engines.values())
    for engine in engines:
        with contextlib.suppress(Exception):  # a connection the server already dropped
            engine.close()
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None:  # and the one ``import duckdb`` opens, with a thread of its own
        duckdb.close()


class EngineError(RuntimeError):
    """An engine that cannot be reached or refuses a query; the message is safe to show.

    :param unreachable: the engine did not answer at all (down, wrong host), as opposed
        to refusing something asked of it.
    :param timed_out: a query ran past the engine's timeout.
    """

    def __init__(self, message: str, unreachable: bool = False, timed_out: bool = False):
        super().__init__(message)
        self.unreachable = unreachable
        self.timed_out = timed_out


class Engine:
    """One database, reachable from any thread.

    :param url: the connection address (``duckdb:///file.duckdb``, ``postgresql://...``,
        ``spark://local[2]``); a password in it is never shown.
    :param root: the folder relative DuckDB paths start from.
    :param timeout: seconds a query may run (DuckDB interrupts it, PostgreSQL's
        ``statement_timeout`` cancels it); then :class:`EngineError` with ``timed_out``.
    """

    def __init__(
        self, url: str, root: Path, memory_limit: str | None = None, timeout: float = TIMEOUT
    ):
        self.url = url
        self.timeout = timeout
        self.name = scheme(url)
        self.shown = mask_url(url)
        self.host = mask_url(host(url))
        self._root = Path(root)
        # DuckDB's own default is most of the machine (DUCKDB_MEMORY_LIMIT).
        self._memory_limit = memory_limit or options.get("DUCKDB_MEMORY_LIMIT")
        self._base = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list = []  # every thread's connection, closed by close()

    @classmethod
    def shared(cls, url: str, root: Path, timeout: float = TIMEOUT) -> Engine:
        """Return the process's one engine for *url*, so datasets on it share connections."""
        key = (url, str(Path(root).resolve()), timeout)
        with _engines_lock:
            if key not in _engines:
                _engines[key] = cls(url, root, timeout=timeout)
            return _engines[key]

    def __repr__(self) -> str:
        return f"Engine({self.shown!r})"

    @property
    def opened(self) -> bool:
        """Whether this process opened the database (and has not closed it since)."""
        return self._base is not None

    def base(self):
        """Return the connection opened first, which tables and schemas are read from."""
        with self._lock:
            if self._base is None:
                self._base = self._open()
            return self._base

    def connection(self):
        """Return this thread's own connection, opening it on first use."""
        con = getattr(self._local, "con", None)
        if con is None:
            base = self.base()
            if self.name == "duckdb":
                import ibis

                con = ibis.duckdb.from_connection(base.con.cursor())
            elif self.name == "pyspark":
                con = base
            else:
                con = self._open()
            with self._lock:
                self._opened.append(con)
            self._local.con = con
        return con

    def execute(self, expr):
        """Run the Ibis expression *expr* on this thread's connection, within the timeout."""
        con = self.connection()
        timer = None
        if self.name == "duckdb":  # DuckDB has no statement timeout: interrupt the cursor
            timer = threading.Timer(self.timeout, con.con.interrupt)
            timer.start()
        start = time.monotonic()
        try:
            return con.execute(expr)
        except Exception as error:  # the driver's own errors: report them without the URL
            if time.monotonic() - start >= self.timeout * 0.99:
                raise EngineError(
                    f"{self.host}: the query took longer than {self.timeout:g} s", timed_out=True
                ) from error
            raise EngineError(f"{self.host}: the query failed: {_first_line(error)}") from error
        finally:
            if timer is not None:
                timer.cancel()

    def close(self) -> None:
        """Close every connection this engine opened (Spark's session stays up)."""
        with self._lock:
            opened, self._opened = self._opened, []
            base, self._base = self._base, None
        self._local = threading.local()
        if self.name == "pyspark":
            return
        for con in [*opened, base]:
            if con is not None:
                con.disconnect()

    def _open(self):
        import ibis

        try:
            if self.name == "duckdb":
                database = resolve_duckdb(self.url, self._root)
                limits = {"memory_limit": self._memory_limit}
                if database:
                    if not Path(database).exists():
                        raise EngineError(f"{self.shown}: no such database file")
                    # Read-only: another process may hold the file open for writing.
                    return ibis.duckdb.connect(database, read_only=True, **limits)
                return ibis.duckdb.connect(**limits)
            if self.name == "pyspark":
                from pyspark.sql import SparkSession

                master = self.url.split("://", 1)[1] or "local[1]"
                builder = SparkSession.builder.master(master)
                if master.startswith("local"):
                    # A chart's result is small: one shuffle partition, no web UI.
                    builder = builder.config("spark.sql.shuffle.partitions", "1")
                    builder = builder.config("spark.ui.enabled", "false")
                    builder = builder.config("spark.driver.host", "127.0.0.1")
                    builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
                session = builder.getOrCreate()
                return ibis.pyspark.connect(session)
            if self.name == "postgres":
                milliseconds = int(self.timeout * 1000)
                return ibis.connect(self.url, options=f"-c statement_timeout={milliseconds}")
            return ibis.connect(self.url)
        except (EngineError, URLError):
            raise
        except ModuleNotFoundError as error:
            raise EngineError(
                f"{self.shown}: the {self.name} engine is not installed "
                f"(pip install 'databoard[{self.name}]'): {error}"
            ) from None
        except Exception as error:
            raise EngineError(
                f"cannot connect to {self.host}: {_first_line(error)}", unreachable=True
            ) from None


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return mask_url(text[0]) if text else type(error).__name__


def table(engine: Engine, name: str = "", sql: str = "", file: Path | None = None):
    """Return the Ibis table a dataset reads: a table (``schema.table``), a query or a file.

    :param file: a Parquet file or glob, or a CSV file, queried in place (DuckDB, Spark);
        DuckDB also reads ``.csv.gz`` and ``.csv.zst`` files.
    """
    con = engine.base()
    try:
        if file is not None:
            text = str(file)
            csv = inner_suffix(file) in (".csv", ".tsv")  # also .csv.gz
            if engine.name == "duckdb":
                return _duckdb_file_view(con, text, csv)
            return con.read_csv(text) if csv else con.read_parquet(text)
        if sql:
            return con.sql(sql)
        schema, _, table_name = name.rpartition(".")
        return con.table(table_name, database=schema or None)
    except Exception as error:
        raise EngineError(
            f"{engine.host}: cannot read {name or file or 'the query'}: {_first_line(error)}"
        ) from error


def _duckdb_file_view(con, path: str, csv: bool):
    """Return a view over a file that every thread's cursor sees.

    Ibis' ``read_parquet`` makes a temporary view, which only the connection that made it
    sees; a plain view of ``read_parquet('path')`` (the path quoted by sqlglot) is
    shared by every cursor of the database.
    """
    import hashlib

    import sqlglot as sg
    import sqlglot.expressions as sge

    reader = "read_csv_auto" if csv else "read_parquet"
    query = sg.select(sge.Star()).from_(sg.func(reader, sge.convert(path))).sql("duckdb")
    name = "databoard_file_" + hashlib.sha256(path.encode()).hexdigest()[:16]
    return con.create_view(name, con.sql(query), overwrite=True)
