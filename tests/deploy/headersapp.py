"""A WSGI app answering with the caching headers a test asks for, and a fresh body each time.

``/?cache=<Cache-Control value>&cookie=1&wait=0.5`` answers 200 with that Cache-Control
(and a Set-Cookie with ``cookie``, after *wait* seconds with ``wait``); the body counts
the requests this process answered, so a test sees whether a proxy served it from its
cache.
"""

from __future__ import annotations

import itertools
import os
import time
from urllib.parse import parse_qs

_count = itertools.count(1)


def app(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    headers = [("Content-Type", "text/plain"), ("Vary", "Accept-Encoding")]
    if "cache" in query:
        headers.append(("Cache-Control", query["cache"][0]))
    if "cookie" in query:
        headers.append(("Set-Cookie", "session=abc; HttpOnly; Path=/"))
    if "wait" in query:
        time.sleep(float(query["wait"][0]))
    start_response("200 OK", headers)
    return [f"{os.getpid()}/{next(_count)}".encode()]
