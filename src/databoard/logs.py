"""Log lines on stdout, as text or JSON, each carrying the id of its request.

The same configuration serves ``databoard serve`` and gunicorn's ``logconfig_dict``, so
the server's own lines (workers booting, signals) and the app's (requests, errors) share
one format, and a platform that collects stdout gets every line.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime

from flask import g, has_request_context


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in, or ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


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
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "pid": record.process,
        }
        entry.update(getattr(record, "http", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] [%(request_id)s] %(name)s: %(message)s"


def dict_config(level: str = "info", fmt: str = "text") -> dict:
    """Return the :func:`logging.config.dictConfig` dict: one stdout handler at *level*.

    :param fmt: ``text`` or ``json``.
    """
    formatter = {"()": JsonFormatter} if fmt == "json" else {"format": TEXT_FORMAT}
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
