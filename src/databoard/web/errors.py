"""One error handler: JSON for the API, an HTML page for everything else."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import DataboardError


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith((".json", ".csv"))


def _respond(error: DataboardError):
    if _wants_json():
        return jsonify(error.to_dict()), error.status
    return render_template("error.html", error=error), error.status


def log_failure(error: DataboardError) -> None:
    """Log a server-side failure with the traceback of what caused it."""
    cause = error.__cause__ or error
    current_app.logger.error(
        "%s (%s)",
        error.message,
        request.full_path,
        exc_info=(type(cause), cause, cause.__traceback__),
    )


def init_app(app: Flask) -> None:
    """Register the handlers that turn every failure into a clean answer."""

    @app.errorhandler(DataboardError)
    def handle_databoard_error(error: DataboardError):
        if error.status >= 500:
            log_failure(error)
        return _respond(error)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        return _respond(DataboardError(error.description or error.name, error.code or 500))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        # The traceback goes to the log, never to the client.
        app.logger.exception("unhandled error on %s", request.full_path)
        return _respond(DataboardError("internal error; see the server log", 500))
