"""Datasets in a SQL engine: a loader that opens a table, a query or a file in place.

Ibis is imported only when such a dataset loads (about 0.2 s), so dashboards whose data
is all in memory never pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import sources


def engine_loader(
    root: Path,
    connection: str | None,
    table: str | None,
    sql: str | None,
    source: str | None,
    engine: str | None,
    dates: list[str] | None,
    timeout: float | None,
    rollup: dict | None,
    options: dict,
) -> Callable:
    """Return a loader opening a dataset's rows in a SQL engine (no rows are read).

    :param connection: the database address; ``${NAME}`` is read from the environment
        each time the loader runs, so a database that moves is found again.
    :param source: with *engine* and no *connection*, a file (Parquet, glob, CSV)
        relative to *root*, queried in place.
    :param rollup: ``{"time": column, "by": [columns], "along": [columns]}``: rollups
        built by each load (so with each version of the data), which views they can
        answer read: one over time, and one split by bins of each ``along`` column.
    :raise ValueError: for options that cannot go together.
    """
    if options:
        raise ValueError(f"reader options {sorted(options)} do not apply to an engine")
    if connection is None and source is None:
        raise ValueError("engine needs a source file (or give a connection)")
    if connection is not None and (table is None) == (sql is None):
        raise ValueError("a connection needs one of table or sql")
    if rollup is not None and (set(rollup) - {"time", "by", "along"} or "time" not in rollup):
        raise ValueError(
            'rollup needs {"time": column} and may add {"by": [columns], "along": [columns]}'
        )

    def loader():
        from .connections import TIMEOUT, Engine
        from .connections import table as open_table
        from .sql import TableRows
        from .urls import expand

        if connection is not None:
            database = Engine.shared(expand(connection), root, timeout or TIMEOUT)
            found = open_table(database, name=table or "", sql=sql or "")
        else:
            database = Engine.shared(f"{engine}://", root, timeout or TIMEOUT)
            found = open_table(database, file=sources.resolve_pattern(root, source))
        rows = TableRows(found, database).as_dates(dates or [])
        if rollup is None:
            return rows
        by, along = (list(rollup.get(key) or []) for key in ("by", "along"))
        return rows.rolled_up(rollup["time"], by, along)

    return loader
