"""Log lines on stdout, as text or JSON, each carrying the id of its request.

The same configuration serves ``databoard serve`` and gunicorn's ``logconfig_dict``, so
the server's own lines (workers booting, signals) and the app's (requests, errors) share
one format, and a platform that collects stdout gets every line.

Every field is made safe before it is written: control characters (a ``%0a`` in a
requested path, say) are escaped, so no client can add a line of its own to the log, and
URL passwords are masked (:func:`databoard.security.masking.mask_url`).
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from types import SimpleNamespace

from flask import g, has_request_context

from .security.masking import mask_url

#: Control characters, and the Unicode line breaks some log viewers honour.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(32), 127, *range(0x80, 0xA0)]}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def safe(text: str) -> str:
    """Return *text* on one line: control characters escaped, URL passwords masked."""
    text = mask_url(text)
    # Control characters and line breaks are all unprintable: most text has none.
    return text if text.isprintable() else text.translate(_CONTROL)


def _safe_block(text: str) -> str:
    """Return a traceback safe to log: each of its lines indented, so none of them can
    pass for a log line of its own."""
    return "\n".join("    " + safe(line) for line in text.splitlines())


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in, or ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class TextFormatter(logging.Formatter):
    """Format a record as text (:data:`TEXT_FORMAT`), every field made :func:`safe`."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = {k: safe(v) if isinstance(v, str) else v for k, v in record.__dict__.items()}
        # The style reads the fields from any object's __dict__: a namespace costs a
        # fraction of a new LogRecord (every request writes a line).
        return self._style.format(SimpleNamespace(**fields))

    def formatException(self, ei) -> str:
        return _safe_block(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _safe_block(stack_info)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, request id.

    An ``http`` dict passed as ``extra`` (the access log's) is merged in, so fields such
    as status and duration can be queried without parsing the message.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_url(record.getMessage()),
            "request_id": getattr(record, "request_id", "-"),
            "pid": record.process,
        }
        entry.update(
            (k, mask_url(v) if isinstance(v, str) else v)
            for k, v in getattr(record, "http", {}).items()
        )
        if record.exc_info:
            entry["exception"] = mask_url(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] [%(request_id)s] %(name)s: %(message)s"


def dict_config(level: str = "info", fmt: str = "text") -> dict:
    """Return the :func:`logging.config.dictConfig` dict: one stdout handler at *level*.

    :param fmt: ``text`` or ``json``.
    """
    text = {"()": TextFormatter, "fmt": TEXT_FORMAT}
    formatter = {"()": JsonFormatter} if fmt == "json" else text
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"databoard": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "databoard",
                "filters": ["request_id"],
                "level": level.upper(),
            }
        },
        "root": {"level": level.upper(), "handlers": ["stdout"]},
        "loggers": {
            # Gunicorn's lines go to the root handler instead of gunicorn's own.
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            # The app logs each request itself, with its request id (databoard.web.ops).
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def configure(level: str = "info", fmt: str = "text") -> None:
    """Send every log line to stdout in format *fmt* (see :func:`dict_config`)."""
    logging.config.dictConfig(dict_config(level, fmt))
