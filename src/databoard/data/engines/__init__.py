"""Where a chart's rows are computed: in memory with pandas, or in a SQL engine via Ibis.

Filters and chart kinds say what they need once, as calls on a :class:`Rows` object
(``where``, ``aggregate``, ``histogram``, ``box``, ``m4``...), and each backend executes
them: :class:`~.memory.FrameRows` with pandas and numpy on a loaded frame (the fast path
for data that fits in memory), :class:`~.sql.TableRows` as one query in DuckDB,
PostgreSQL, Spark or any engine Ibis speaks to, so only a chart's result rows leave the
engine. A chart kind then builds its figure from the small pandas frame either returns.
"""

from __future__ import annotations

from .memory import FrameRows
from .rows import AGGREGATES, Condition, RowLimitError, Rows

__all__ = ["AGGREGATES", "Condition", "FrameRows", "RowLimitError", "Rows"]
