"""Problems found in dashboard files, reported all at once with where they are."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

from ..security.masking import mask_url


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dashboard file.

    :param file: the dashboard file (or module name).
    :param line: the line in a YAML file (or of a Python error), when known.
    :param message: what is wrong and, where it helps, how to fix it.
    :param unreachable: a database that did not answer: a server starts and waits for it.
    """

    file: str
    message: str
    line: int | None = None
    unreachable: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {mask_url(self.message)}"


class Reported(Exception):
    """Raised by a part in error whose problems were reported when it was declared:
    checking skips what depends on it without saying it again."""


def reported() -> None:
    """Stand in for a dataset whose declaration failed (see :class:`Reported`)."""
    raise Reported


class InvalidDashboards(ValueError):
    """Dashboard files with problems; ``str()`` lists every one, a line each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the dashboards:"]
        super().__init__("\n".join(lines + [f"  {p}" for p in problems]))


def describe_exception(error: BaseException) -> str:
    """Return *error* on one line: ``Type: message``, or just the message of our own
    errors, which are written to be read as they are."""
    if isinstance(error, SyntaxError):
        return f"{type(error).__name__}: {error.msg}"
    if type(error).__module__.startswith("databoard."):
        return str(error)
    return f"{type(error).__name__}: {error}"


def line_in(error: BaseException, path: Path) -> int | None:
    """Return the line of *path* where *error* was raised (or passed through), if any."""
    if isinstance(error, SyntaxError) and error.filename:
        if Path(error.filename).resolve() == path.resolve():
            return error.lineno
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename) == path:
            found = frame.lineno
    return found
