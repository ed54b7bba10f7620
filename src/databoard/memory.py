"""Keep a server's memory small: give back what loading used, share the rest with workers.

Reading the data leaves freed memory in pyarrow's pool and in the C heap; it is handed
back to the system once the dashboards are loaded, and from then on pyarrow allocates
from the C heap, which returns memory more readily than its own pool, with at most two
C heap arenas, however many threads serve requests. Then, as gunicorn forks its workers
after loading (``preload_app``), the objects made so far are frozen before each fork
(:func:`gc.freeze`), so the workers' garbage collector never writes to them: each such
write would copy a page the worker shares with the master.

While serving, a worker hands back the heap's free pages now and then (:func:`trim`).
All of this changes the whole process, so the production server calls them from its
gunicorn hooks (:mod:`databoard.server`); creating an app, to embed or test it, does
none of it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc

import pyarrow

#: glibc's ``mallopt`` parameter for the most heap arenas
_M_ARENA_MAX = -8


def settle() -> None:
    """Return freed memory to the system; allocate from the C heap, in 2 arenas at most."""
    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
        libc.mallopt(_M_ARENA_MAX, 2)
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def trim() -> None:
    """Give the C heap's free pages back to the system.

    Rendering allocates and frees much more than the answers it leaves in the cache; the
    freed pages lie between live ones, where the heap does not return them by itself.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def freeze() -> None:
    """Move every object that exists now out of the garbage collector's sight."""
    gc.collect()
    gc.freeze()


@functools.cache
def _glibc():
    """Return the C library if it is glibc (which has ``malloc_trim``), else ``None``."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None
