"""Tell which chart queries can run once, when the data is loaded, instead of per view.

A query such as ``indicator_code == 'SP.POP.TOTL'`` keeps the same rows whatever the
viewer picks, and keeps them row by row, so running it before the filters gives what
running it after them gives. Done once at load, a chart's filters then scan its own
rows (a tenth of the table, say) and no query is parsed per request. A query that reads
the view (``@year``), calls anything (``value > value.mean()`` depends on which rows
are left) or names something other than a column runs per view, as before.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

_ROW_BY_ROW = (
    ast.Expression,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.BinOp,
    ast.Name,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Load,
    ast.cmpop,
    ast.boolop,
    ast.unaryop,
    ast.operator,
)


def row_by_row(query: str, columns: Iterable[str]) -> bool:
    """Return whether *query* only compares *columns* with constants, row by row."""
    if "@" in query:
        return False
    try:
        tree = ast.parse(query.strip(), mode="eval")
    except SyntaxError:  # pandas syntax such as `a column`: leave it to pandas
        return False
    known = set(columns)
    for node in ast.walk(tree):
        if not isinstance(node, _ROW_BY_ROW):
            return False
        if isinstance(node, ast.Name) and node.id not in known:
            return False
    return True
