"""Cached answers: figure JSON, data downloads and pages, compressed once, with ETags.

An answer is kept per (dashboard, what it is, data version, normalised view) compressed
(brotli, gzip) with an ETag, so a hit costs neither rendering nor compression, and
a browser that holds it gets a 304 (:mod:`.encoding` compresses and sends it).
Flask-Caching stores them: in each process by default (``SimpleCache``, bounded by
bytes), in a shared backend when ``CACHE_TYPE`` names one (``RedisCache``,
``FileSystemCache`` with ``CACHE_DIR``, ...); a backend that fails means answers are
made uncached until it is back (:mod:`.cache_store`). The data version in every key
changes with the data and the dashboard's definition, so an answer computed from old
data is never read again, whichever process or host computed it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, Response, current_app
from flask_caching import Cache

from .. import __version__, access
from ..dashboard import Dashboard
from . import auth, cache_store, encoding

cache = Cache()


@dataclass(frozen=True)
class Answer:
    """A response body, ready to send in any encoding the client accepts, and its ETag.

    A body worth compressing is kept only compressed, a third of its size or less: in
    the encoding the client that made it takes, the other added when a client first asks
    for it (a miss pays for one compression, not two); the rare client that accepts
    neither gets it unpacked.
    """

    mimetype: str
    etag: str
    #: the body by encoding: ``br`` and ``gzip``, or ``identity`` alone
    encoded: dict[str, bytes] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def body(self) -> bytes:
        """Return the body itself, uncompressed."""
        if "identity" in self.encoded:
            return self.encoded["identity"]
        name, body = next(iter(self.encoded.items()))
        return encoding.decompress(body, name)

    def with_encoding(self, name: str) -> Answer:
        """Return this answer with its body in encoding *name* too."""
        body = encoding.compress(self.body, name, _level(name))
        return dataclasses.replace(self, encoded=self.encoded | {name: body})


def key(board: Dashboard, what: str, state: Iterable[tuple[str, str]]) -> str:
    """Return the cache key of *what* (``figure/<id>``, ``page``, ...) for a view.

    :param state: the normalised view, as query-string pairs, plus anything else the
        answer depends on (the script root of a page, the points limit of a figure).
    """
    view = hashlib.blake2b(repr(list(state)).encode(), digest_size=12).hexdigest()
    # The access scope: an answer made under one rule is never read under another.
    scope = access.scope(auth.rule_of(board))
    return f"{__version__}/{board.slug}/{board.version}/{scope}/{what}/{view}"


def answer(cache_key: str, make: Callable[[], bytes | str], mimetype: str, headers=()):
    """Return the answer cached under *cache_key*, making and caching it if missing.

    :param make: computes the body; called only on a miss.
    :return: ``(answer, hit)``.
    """
    found = lookup(cache_key)
    if found is None:
        return keep(cache_key, make(), mimetype, headers), False
    wanted = encoding.negotiate(encoding.ENCODINGS)
    if wanted and "identity" not in found.encoded and wanted not in found.encoded:
        found = found.with_encoding(wanted)
        cache.set(cache_key, found)
    return found, True


def body(cache_key: str, make: Callable[[], bytes | str], mimetype: str) -> bytes:
    """Return the body cached under *cache_key*, uncompressed, making and caching it if
    missing: for an answer sent inside another (a figure among a view change's)."""
    found = lookup(cache_key)
    if found is not None:
        return found.body
    made = make()
    made = made.encode() if isinstance(made, str) else made
    keep(cache_key, made, mimetype)
    return made


def lookup(cache_key: str) -> Answer | None:
    """Return the answer cached under *cache_key*, or ``None``."""
    found = cache.get(cache_key)  # a failing backend is a miss (see cache_store)
    return found if isinstance(found, Answer) else None


def keep(cache_key: str, body: bytes | str, mimetype: str, headers=()) -> Answer:
    """Make the answer of *body*, compressed, and cache it if it is small enough to keep."""
    body = body.encode() if isinstance(body, str) else body
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    config = current_app.config
    if len(body) > config["CACHE_ITEM_MAX_BYTES"]:
        # Too big to keep: sent as it is, and Flask-Compress compresses the one encoding
        # this client takes, instead of both here.
        return Answer(mimetype, etag, {"identity": body}, tuple(headers))
    if len(body) < config["COMPRESS_MIN_SIZE"]:
        encoded = {"identity": body}
    else:
        name = encoding.negotiate(encoding.ENCODINGS) or "gzip"
        encoded = {name: encoding.compress(body, name, _level(name))}
    made = Answer(mimetype, etag, encoded, tuple(headers))
    cache.set(cache_key, made)
    return made


def _level(name: str) -> int:
    config = current_app.config
    return config["COMPRESS_BR_LEVEL"] if name == "br" else config["COMPRESS_LEVEL"]


def respond(found: Answer, hit: bool) -> Response:
    """Send *found*: a 304 if the client's copy is current, else the best encoding."""
    response = Response(mimetype=found.mimetype)
    response.set_etag(found.etag, weak=True)
    _headers(response, hit, found.headers)
    chosen = encoding.negotiate(found.encoded)
    return encoding.send(response, found.encoded[chosen] if chosen else found.body, chosen)


def stream(chunks: Iterable[bytes], mimetype: str, headers=()) -> Response:
    """Send an answer too big to keep as it is made, chunk by chunk (with no ETag).

    The chunks must not need the request context, which is gone while they are sent.
    Flask-Compress compresses the stream in the one encoding this client takes.
    """
    response = Response(iter(chunks), mimetype=mimetype)
    _headers(response, False, headers)
    return response


def stream_lines(lines: Iterable[bytes], mimetype: str) -> Response:
    """Send *lines* as one answer, each compressed and sent as soon as it is made, so the
    client uses one while the next is made (and a proxy passes each on at once)."""
    chosen = encoding.negotiate(encoding.ENCODINGS)
    response = Response(
        encoding.flushed(lines, chosen, _level(chosen)) if chosen else lines, mimetype=mimetype
    )
    if chosen:
        response.headers["Content-Encoding"] = chosen
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["X-Accel-Buffering"] = "no"
    _shared(response)
    return response


def _headers(response: Response, hit: bool, extra: Iterable[tuple[str, str]]) -> None:
    _shared(response)
    response.headers["X-Cache"] = "hit" if hit else "miss"
    for name, value in extra:
        response.headers[name] = value


def _shared(response: Response) -> None:
    """Let any cache keep a view's answer for ``VIEW_MAX_AGE`` seconds."""
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['VIEW_MAX_AGE']}"


def init_app(app: Flask) -> None:
    """Set up Flask-Caching from the ``CACHE_*`` settings (see :mod:`.cache_store`)."""
    app.config.setdefault("CACHE_KEY_PREFIX", "databoard/")
    simple = app.config["CACHE_TYPE"] in ("SimpleCache", "simple")
    cache.init_app(app, {"CACHE_TYPE": cache_store.MEMORY} if simple else None)
    cache_store.install(app, cache)
