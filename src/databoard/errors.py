"""The one exception type that carries an HTTP status to the error handler."""

from __future__ import annotations

from .security.masking import mask_url


class DataboardError(Exception):
    """An error to show to the client, with its HTTP status.

    :param message: what went wrong, in words a viewer can act on (URL passwords in it
        are masked: it is shown to clients).
    :param status: the HTTP status of the answer.
    :param parameter: the query-string parameter at fault, if any.
    """

    def __init__(self, message: str, status: int = 400, parameter: str | None = None):
        message = mask_url(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.parameter = parameter

    def to_dict(self) -> dict:
        """Return the JSON error body: ``{"error": {"status", "message", "parameter"}}``."""
        error: dict = {"status": self.status, "message": self.message}
        if self.parameter is not None:
            error["parameter"] = self.parameter
        return {"error": error}


class BadParameter(DataboardError):
    """A query-string value that cannot be used (status 400)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message, status=400, parameter=parameter)


class NotFound(DataboardError):
    """An unknown dashboard or chart (status 404)."""

    def __init__(self, message: str):
        super().__init__(message, status=404)
