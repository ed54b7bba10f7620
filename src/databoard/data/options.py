"""Settings of the data layer, for the whole process: where downloads are kept, and so on.

Datasets load before any request (and ``databoard check`` loads them with no app at
all), so the few settings they need are read here: from the app's configuration once
:func:`configure` is given it, else from the environment and ``.env`` file as
:mod:`databoard.config` reads them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The settings of :mod:`databoard.settings` this layer reads.
NAMES = ("DATA_CACHE_DIR", "WORLDBANK_API_URL", "DUCKDB_MEMORY_LIMIT")

_values: dict[str, Any] = {}
_lock = threading.Lock()


def configure(values: Mapping[str, Any]) -> None:
    """Take the data layer's settings from *values* (an app's configuration)."""
    global _values
    with _lock:
        _values = {name: values[name] for name in NAMES if name in values}


def get(name: str) -> Any:
    """Return the setting *name*, read from the environment if no app configured it."""
    with _lock:
        if name not in _values:
            from .. import config

            _values.update({n: config.load().values[n] for n in NAMES if n not in _values})
        return _values[name]


def cache_dir() -> Path:
    """Return the folder downloads are kept in: ``DATA_CACHE_DIR``, else the user's cache."""
    chosen = get("DATA_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "databoard"
