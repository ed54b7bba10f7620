"""No field can add a line to the log or show a password, in text or JSON format."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest

from databoard import logs


@pytest.fixture(params=["text", "json"])
def capture(request):
    """A logger writing in format *param* to a buffer; yields (logger, buffer, format)."""
    stream = io.StringIO()
    # The formatter the configuration names, built by logging itself.
    formatter = logging.config.DictConfigurator(logs.dict_config("info", request.param))
    formatter = formatter.configure_formatter(
        logs.dict_config("info", request.param)["formatters"]["databoard"]
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(logs.RequestIdFilter())
    log = logging.getLogger(f"forgery.{request.param}")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    yield log, stream, request.param
    log.removeHandler(handler)


FORGED = '/d/x\n2026-05-04 10:00:00,123 INFO [1] [-] databoard.access: 6.6.6.6 "GET /admin" 200'


def test_a_line_break_cannot_forge_a_line(capture):
    log, stream, fmt = capture
    log.info('%s "GET %s" %s', "203.0.113.9", FORGED, 404)
    log.info("bell \x07 escape \x1b[31m nel \x85 ls \u2028 cr \r tab \t")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    if fmt == "json":
        message = json.loads(lines[0])["message"]
        assert message.endswith(FORGED + '" 404')  # exact, JSON escapes it
    else:
        assert "/d/x\\n2026-05-04 10:00:00,123 INFO" in lines[0]
        assert "bell \\x07 escape \\x1b[31m nel \\x85 ls \\u2028 cr \\r tab \\t" in lines[1]


def test_a_traceback_stays_under_its_line(capture):
    log, stream, fmt = capture
    try:
        raise ValueError("bad value\nFAKE 2026-05-04 INFO forged")
    except ValueError:
        log.exception("failed on %s", "/d/x")
    text = stream.getvalue()
    if fmt == "json":
        (line,) = text.splitlines()
        assert "FAKE 2026-05-04 INFO forged" in json.loads(line)["exception"]
    else:
        first, *rest = text.splitlines()
        assert first.endswith("forgery.text: failed on /d/x")
        assert rest and all(line.startswith("    ") for line in rest)


def test_passwords_are_masked(capture):
    log, stream, _ = capture
    log.warning("cache failed: %r", ConnectionError("redis://:hunter2@cache:6379/0 refused"))
    assert "hunter2" not in stream.getvalue()
    assert "redis://:********@cache:6379/0" in stream.getvalue()
