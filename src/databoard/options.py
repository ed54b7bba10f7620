"""Numbers a dashboard declares, checked where they are declared.

A chart kind, filter or chart checks its numeric options when it is made, so Python
and YAML dashboards meet the same rule and message; the error names the option, so a
YAML problem points at its line.
"""

from __future__ import annotations

import numbers
from typing import Any


class OptionError(ValueError):
    """An option given a value it cannot take; :attr:`option` names it."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def whole(option: str, value: Any, least: int = 1, most: int | None = None) -> None:
    """Raise :class:`OptionError` unless *value* is ``None`` or a whole number in range.

    :param least: the smallest value allowed; *most*, if given, the largest.
    """
    if value is None:
        return
    fits = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not fits or value < least or (most is not None and value > most):
        limit = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise OptionError(option, f"{option} must be a whole number {limit}, not {value!r}")


def fraction(option: str, value: Any) -> None:
    """Raise :class:`OptionError` unless *value* is a number from 0 up to (not) 1."""
    fits = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not fits or not 0 <= value < 1:
        raise OptionError(option, f"{option} must be a number from 0 up to 1, not {value!r}")
