"""Digests of a dashboard's data and definition: the version in every cache key.

A digest is computed from content, never from a file's time or a process, so every
process that loads the same data and definition (two workers, two hosts sharing a cache)
gets the same version and shares cached answers, and a process that loads different
data gets another version and never reads an answer computed from the old data.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..dashboard import Dashboard


def frame_digest(frame: pd.DataFrame) -> str:
    """Return a digest of *frame*: its columns, types, index and every value.

    Numeric columns are hashed as raw bytes (about a second for 10 million rows of
    three columns); others through :func:`pandas.util.hash_pandas_object`.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((list(map(str, frame.columns)), list(map(str, frame.dtypes)))).encode())
    if isinstance(frame.index, pd.RangeIndex):
        digest.update(repr(frame.index).encode())
    else:
        digest.update(_bytes(frame.index.to_series()))
    for _, column in frame.items():
        digest.update(_bytes(column))
    return digest.hexdigest()


def _bytes(series: pd.Series) -> memoryview:
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.util.hash_pandas_object(series.cat.categories, index=False)
        return memoryview(
            np.concatenate([categories.to_numpy(), series.cat.codes.to_numpy(np.int64)])
        )
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biufcmM":
        return memoryview(np.ascontiguousarray(series.to_numpy()).view(np.uint8))
    return memoryview(pd.util.hash_pandas_object(series, index=False).to_numpy())


def dashboard_digest(board: Dashboard) -> str:
    """Return the version of a loaded dashboard: its data and how it is drawn.

    The definition counts as well as the data (chart options, filters, the file that
    declares the dashboard and the source files of chart functions and dataset
    loaders), so that a changed chart is not answered from a shared cache filled by
    the previous code.
    """
    digest = hashlib.blake2b(digest_size=12)
    for name, dataset in board.datasets.items():
        # the data's version (data.versions): its files' bytes, a frame's values, or an
        # engine's query and what its version query answered
        key = dataset.version.key if dataset.version is not None else ""
        digest.update(f"{name}={key};".encode())
    charts = [
        [
            chart.describe(),
            chart.query,
            chart.filters,
            board.formats_of(chart),
            type(chart.kind).__name__,
            sorted(vars(chart.kind).items()) if chart.kind is not None else None,
        ]
        for chart in board.charts.values()
    ]
    filters = [flt.describe() for flt in board.filters.values()]
    digest.update(json.dumps([charts, filters], default=repr).encode())
    functions = [c.func for c in board.charts.values() if c.func is not None]
    functions += [d.loader for d in board.datasets.values()]
    files = {board.file or None} | {_source_file(f) for f in functions}
    for path in sorted(files - {None}):
        digest.update(path.encode() + b"\0")
        try:
            with open(path, "rb") as source:
                digest.update(source.read())
        except OSError:  # gone since it was imported: its path still counts
            pass
    return digest.hexdigest()


def _source_file(func) -> str | None:
    try:
        return inspect.getsourcefile(func)
    except TypeError:  # a builtin or a callable object: its code ships with a package
        return None
