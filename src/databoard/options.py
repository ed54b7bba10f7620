"""Numbers a dashboard declares, checked where they are declared.

A chart kind, filter or chart checks its numeric options when it is made, so Python
and YAML dashboards meet the same rule and message; the error names the option, so a
YAML problem points at its line.
"""

from __future__ import annotations

import difflib
import inspect
import numbers
from collections.abc import Callable, Collection, Iterable, Sequence
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


def seconds(option: str, value: Any, zero: bool = False) -> None:
    """Raise :class:`OptionError` unless *value* is ``None`` or a number of seconds above
    0 (or from 0, if *zero* is allowed)."""
    if value is None:
        return
    fits = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not fits or value < 0 or (value == 0 and not zero):
        limit = "of at least 0" if zero else "above 0"
        raise OptionError(option, f"{option} must be a number of seconds {limit}, not {value!r}")


def fraction(option: str, value: Any) -> None:
    """Raise :class:`OptionError` unless *value* is a number from 0 up to (not) 1."""
    fits = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not fits or not 0 <= value < 1:
        raise OptionError(option, f"{option} must be a number from 0 up to 1, not {value!r}")


class KeywordError(TypeError):
    """A keyword argument that the callee does not take; :attr:`option` names it."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest of *names* to *name*, or ``""``."""
    close = difflib.get_close_matches(name, [str(n) for n in names], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def keywords(made: Callable) -> list[str]:
    """Return the keyword arguments *made* takes: a function's, or for a class, those of
    its ``__init__`` and of every base's it passes ``**kwargs`` on to."""
    names: list[str] = []
    plain = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    inits = [made]
    if isinstance(made, type):
        inits = [vars(k)["__init__"] for k in made.__mro__[:-1] if "__init__" in vars(k)]
    for init in inits:
        for param in inspect.signature(init).parameters.values():
            if param.kind in plain and param.name != "self" and param.name not in names:
                names.append(param.name)
    return names


def check_keywords(
    where: str,
    given: Iterable[str],
    allowed: Sequence[str],
    also: Collection[str] = (),
    more: str = "",
) -> None:
    """Raise :class:`KeywordError` for the first of *given* not among *allowed*.

    The message lists *allowed* with a close match, as the YAML schema's errors do.

    :param also: further keywords taken but too many to list; *more* says what they are.
    """
    for name in given:
        if name not in allowed and name not in also:
            raise KeywordError(
                name,
                f"{where}: unknown keyword {name!r}{did_you_mean(name, [*allowed, *also])} "
                f"(keywords: {', '.join(allowed)}{more})",
            )


class CheckedKeywords(type):
    """A metaclass making instances only from keywords the class takes: a mistyped one
    raises :class:`KeywordError` listing them all (with a close match)."""

    def __call__(cls, *args, **kwargs):
        check_keywords(f"{cls.__name__}()", kwargs, keywords(cls))
        return super().__call__(*args, **kwargs)
