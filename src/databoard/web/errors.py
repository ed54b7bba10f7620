"""One error handler: JSON for the API, an HTML page for everything else."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.response import Response as BaseResponse

from ..errors import DataboardError


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith((".json", ".csv"))


def _respond(error: DataboardError, response: BaseResponse | None = None) -> Response:
    """Answer *error* as JSON or an HTML page.

    :param response: the HTTP exception's own response, whose headers (``Allow`` on a
        405, ``WWW-Authenticate`` on a 401, ...) the answer keeps.
    """
    if _wants_json():
        answer = jsonify(error.to_dict())
    else:
        # An error may name its own page (a broken dashboard's lists its problems).
        template = getattr(error, "template", "error.html")
        answer = make_response(render_template(template, error=error))
    answer.status_code = error.status
    if response is not None:
        for name, value in response.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                answer.headers[name] = value
    return answer


def log_failure(error: DataboardError) -> None:
    """Log a server-side failure with the traceback of what caused it."""
    cause = error.__cause__ or error
    current_app.logger.error(
        "%s (%s)",
        error.message,
        request.full_path,
        exc_info=(type(cause), cause, cause.__traceback__),
    )


def unexpected(error: Exception) -> DataboardError:
    """Return what a client is told of an *error* nobody foresaw: no detail (its traceback,
    the ``__cause__``, is for the log)."""
    failure = DataboardError("internal error; see the server log", 500)
    failure.__cause__ = error
    return failure


def reported(error: Exception) -> DataboardError:
    """Return what a client is told of *error*, once a server-side failure is logged with
    its traceback (a broken dashboard's problems were logged when it loaded: no
    traceback helps)."""
    failure = error if isinstance(error, DataboardError) else unexpected(error)
    if failure.status >= 500 and not getattr(failure, "quiet", False):
        log_failure(failure)
    return failure


def init_app(app: Flask) -> None:
    """Register the handlers that turn every failure into a clean answer."""

    @app.errorhandler(DataboardError)
    def handle_databoard_error(error: DataboardError):
        return _respond(reported(error))

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        response = error.get_response()
        message = error.description or error.name
        return _respond(DataboardError(message, response.status_code), response)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if app.debug:
            raise error  # the debugger shows it, with its traceback
        # The traceback goes to the log, never to the client.
        app.logger.exception("unhandled error on %s", request.full_path)
        return _respond(unexpected(error))
