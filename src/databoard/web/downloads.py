"""The rows behind a chart as CSV or JSON, written in chunks and streamed when big.

Both formats are written a few thousand rows at a time. An answer that ends up no bigger
than ``CACHE_ITEM_MAX_BYTES`` (most) is then kept whole, cached and compressed once, with
an ETag, as every other answer is. A bigger one is sent while it is written, so a
worker's memory does not grow with the size of the download; Flask-Compress compresses
the stream, and with no ETag such an answer is made again for every request.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterator

import numpy as np
import orjson
import pandas as pd
from flask import Response, current_app

from ..charts import encode
from ..charts.base import json_ready
from ..security import formulas
from . import cache
from .views import figure_json

#: Rows written at a time: a few MiB of text.
CHUNK_ROWS = 20_000


def csv_chunks(frame: pd.DataFrame, provenance: dict) -> Iterator[str]:
    """Write *frame* as CSV after ``#`` lines naming where its rows come from.

    Every CSV download is written here: values quoted only where CSV needs it, rows
    ended by CRLF (RFC 4180, so a cell holding a line break of either kind is quoted),
    and text a spreadsheet would run as a formula escaped (:mod:`databoard.security.formulas`).
    """
    yield "".join(
        f"# {name}: {formulas.comment(value)}\r\n" for name, value in provenance.items() if value
    )
    options = {
        "index": False,
        "quoting": csv.QUOTE_MINIMAL,
        "lineterminator": "\r\n",
        "date_format": _date_format(frame),
    }
    for start in range(0, max(len(frame), 1), CHUNK_ROWS):
        chunk = formulas.escape_frame(frame.iloc[start : start + CHUNK_ROWS])
        yield chunk.to_csv(header=start == 0, **options)


def json_chunks(frame: pd.DataFrame, provenance: dict) -> Iterator[str]:
    """Write *frame* as JSON: the *provenance* fields, ``columns`` and ``rows``.

    Numbers are written in full (shortest exact form), dates as ISO 8601 text.
    """
    names = encode.dumps([str(c) for c in frame.columns]).decode()
    yield figure_json(provenance)[:-1] + ',"columns":' + names + ',"rows":['
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        columns = [_json_column(chunk[c]) for c in chunk.columns]
        rows = orjson.dumps(list(zip(*columns, strict=True)))
        yield ("," if start else "") + rows[1:-1].decode()
    yield "]}"


def _json_column(series: pd.Series) -> list:
    """Return a column's values for JSON: numbers exactly, dates as ISO 8601 text."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return orjson.loads(series.to_json(orient="values", date_format="iso"))
    return json_ready(series).tolist()


def respond(key: str, write: Callable[[], Iterator[str]], mimetype: str, headers=()) -> Response:
    """Answer from the cache, or with what *write* writes: kept if small, else streamed."""
    found = cache.lookup(key)
    if found is not None:
        return cache.respond(found, True)
    limit = current_app.config["CACHE_ITEM_MAX_BYTES"]
    chunks = (chunk.encode() for chunk in write())
    head: list[bytes] = []
    size = 0
    for chunk in chunks:
        head.append(chunk)
        size += len(chunk)
        if size > limit:
            return cache.stream(itertools.chain(head, chunks), mimetype, headers)
    return cache.respond(cache.keep(key, b"".join(head), mimetype, headers), False)


def _date_format(frame: pd.DataFrame) -> str | None:
    """Return the format every chunk writes the frame's dates in, so they all agree.

    pandas picks a date format from the values it writes (dates only, if every time is
    midnight); written in chunks, each chunk would pick its own. ``None`` (pandas' own
    choice) when there is one chunk, or a time zone to write.
    """
    stamps = [
        frame[c].array for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])
    ]
    if len(frame) <= CHUNK_ROWS or not stamps or any(s.tz is not None for s in stamps):
        return None
    dates_only = seconds_only = True
    for stamp in stamps:
        per_second = np.timedelta64(1, "s") // np.timedelta64(1, stamp.unit)
        for start in range(0, len(stamp), CHUNK_ROWS * 50):
            part = stamp[start : start + CHUNK_ROWS * 50]
            ticks = part.asi8[~part.isna()]
            dates_only = dates_only and not (ticks % (per_second * 86_400)).any()
            seconds_only = seconds_only and not (ticks % per_second).any()
    if dates_only:
        return "%Y-%m-%d"
    return "%Y-%m-%d %H:%M:%S" if seconds_only else "%Y-%m-%d %H:%M:%S.%f"
