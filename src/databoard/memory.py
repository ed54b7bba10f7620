"""Keep a server's memory small: give back what loading used, share the rest with workers.

Reading the data leaves freed memory in pyarrow's pool and in the C heap; it is handed
back to the system once the dashboards are loaded, and from then on pyarrow allocates
from the C heap, which returns memory more readily than its own pool, with at most two
C heap arenas, however many threads serve requests. Then, under a server that forks
its workers after loading (gunicorn with ``preload_app``), the objects made so far are
frozen before each fork (:func:`gc.freeze`), so the workers' garbage collector never
writes to them: each such write would copy a page the worker shares with the master.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os

import pyarrow

#: glibc's ``mallopt`` parameter for the most heap arenas
_M_ARENA_MAX = -8
_settled = False


def settle() -> None:
    """Return freed memory to the system and freeze what exists before a fork."""
    global _settled
    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
    if _settled:
        return
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, 2)
    os.register_at_fork(before=gc.freeze)
    _settled = True


def _glibc():
    """Return the C library if it is glibc (which has ``malloc_trim``), else ``None``."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None
