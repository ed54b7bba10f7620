"""Objects built at load and then shared by every thread of a worker: sealed once built.

A chart kind, a filter or a dashboard serves every request of a process, from several
threads at once. A value one render kept on it (a bubble scale, a lazily made set) could
be read by another render in between, which would then draw, and cache, a figure with
someone else's value. So these objects are sealed once built or loaded: a later
assignment to an attribute raises :class:`FrozenError` at once, in tests as anywhere,
and per-render values travel as arguments and return values instead.
"""

from __future__ import annotations


class FrozenError(AttributeError):
    """An assignment to an object that is shared, read-only, by concurrent requests."""


class Sealable:
    """A class whose instances refuse new attribute values once :meth:`seal` is called."""

    __sealed = False

    def seal(self) -> None:
        """Refuse any later change to this object's attributes."""
        object.__setattr__(self, "_Sealable__sealed", True)

    def __setattr__(self, name: str, value) -> None:
        if self.__sealed:
            raise FrozenError(
                f"{type(self).__name__}.{name} cannot change after load: the object is "
                "shared by concurrent requests; pass per-request values as arguments"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self.__sealed:
            raise FrozenError(f"{type(self).__name__}.{name} cannot be deleted after load")
        object.__delattr__(self, name)


class SealedWhenBuilt(type):
    """A metaclass that seals each instance once its ``__init__`` (and its bases') ran."""

    def __call__(cls, *args, **kwargs):
        made = super().__call__(*args, **kwargs)
        made.seal()
        return made
