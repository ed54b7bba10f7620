"""Bodies compressed once and sent in the encoding the client takes: the one home of that.

Answers kept in the cache and static assets are compressed once per encoding (brotli, gzip) and
sent as they are; :func:`send` picks the form, sets ``Content-Encoding`` and ``Vary`` and
lets werkzeug's ``make_conditional`` answer a matching ``If-None-Match`` with a 304.
Every other response is compressed per request by Flask-Compress, which leaves alone a
response that already has a ``Content-Encoding``.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Container, Iterable, Iterator

import brotli
from flask import Response, request

#: The encodings bodies are kept in, best first.
ENCODINGS = ("br", "gzip")
#: The request headers that can make an answer a 304, 206, 412 or 416.
_CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
)


def compress(body: bytes, encoding: str, level: int) -> bytes:
    """Return *body* compressed with *encoding* (``br`` or ``gzip``) at *level*.

    gzip output carries no timestamp, so the same body always gives the same bytes.
    """
    if encoding == "br":
        return brotli.compress(body, quality=level)
    if encoding == "gzip":
        return gzip.compress(body, level, mtime=0)
    raise ValueError(f"unknown encoding {encoding!r}")


def flushed(chunks: Iterable[bytes], encoding: str, level: int) -> Iterator[bytes]:
    """Compress *chunks* with *encoding* as one body, each sent whole as soon as it is made.

    A flush after each chunk lets the client decode it before the next one is made (a
    few bytes more than compressing the body at once).
    """
    if encoding == "br":
        packer = brotli.Compressor(quality=level)
        for chunk in chunks:
            yield packer.process(chunk) + packer.flush()
        yield packer.finish()
    elif encoding == "gzip":
        packer = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # a gzip member
        for chunk in chunks:
            yield packer.compress(chunk) + packer.flush(zlib.Z_SYNC_FLUSH)
        yield packer.flush()
    else:
        raise ValueError(f"unknown encoding {encoding!r}")


def decompress(body: bytes, encoding: str) -> bytes:
    """Return a body :func:`compress` made, as it was."""
    return brotli.decompress(body) if encoding == "br" else gzip.decompress(body)


def negotiate(offered: Container[str]) -> str | None:
    """Return the best of the *offered* encodings that the client accepts, or ``None``."""
    accepted = request.accept_encodings
    for encoding in ENCODINGS:
        if encoding in offered and accepted[encoding]:
            return encoding
    return None


def send(response: Response, body: bytes, encoding: str | None) -> Response:
    """Put *body* (compressed with *encoding*, or plain) into *response*, conditionally.

    The caller sets the ETag first; a request whose ``If-None-Match`` matches it gets a
    304 without the body.
    """
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.set_data(body)
    environ = request.environ
    if any(name in environ for name in _CONDITIONS):  # else there is nothing to check
        response.make_conditional(request)
    return response
