"""One error handler: JSON for the API, an HTML page for everything else."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import DataboardError


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith((".json", ".csv"))


def _respond(error: DataboardError):
    if _wants_json():
        return jsonify(error.to_dict()), error.status
    return render_template("error.html", error=error), error.status


def init_app(app: Flask) -> None:
    """Register the handlers that turn every failure into a clean answer."""

    @app.errorhandler(DataboardError)
    def handle_databoard_error(error: DataboardError):
        return _respond(error)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        return _respond(DataboardError(error.description or error.name, error.code or 500))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        # The traceback goes to the log, never to the client.
        app.logger.exception("unhandled error on %s", request.full_path)
        return _respond(DataboardError("internal error; see the server log", 500))
