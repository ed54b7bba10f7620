"""A WSGI app answering with the id of the thread that ran it (``/?wait=0.5`` waits first)."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs


def app(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "wait" in query:
        time.sleep(float(query["wait"][0]))
    body = str(threading.get_ident()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
