"""Keep a server's memory small: give back what loading used, share the rest with workers.

Reading the data leaves freed memory in pyarrow's pool and in the C heap; it is handed
back to the system once the dashboards are loaded. Then, under a server that forks its
workers after loading (gunicorn with ``preload_app``), the objects made so far are
frozen before each fork (:func:`gc.freeze`), so the workers' garbage collector never
writes to them: each such write would copy a page the worker shares with the master.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os

import pyarrow

_freeze_on_fork = False


def settle() -> None:
    """Return freed memory to the system and freeze what exists before a fork."""
    global _freeze_on_fork
    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    _trim_c_heap()
    if not _freeze_on_fork:
        os.register_at_fork(before=gc.freeze)
        _freeze_on_fork = True


def _trim_c_heap() -> None:
    """Ask glibc to return free heap pages (``malloc_trim``); other C libraries lack it."""
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is not None:
        trim(0)
