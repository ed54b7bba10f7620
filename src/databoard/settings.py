"""Every setting in one table: name, default and help.

Each can be set as an environment variable with the ``DATABOARD_`` prefix
(``DATABOARD_DASHBOARD=path/to/folder``); values are parsed as JSON where they can be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    secret: bool = False


SETTINGS = [
    Setting("SECRET_KEY", None, "Key that signs cookies; a random one per process if unset.", True),
    Setting(
        "DASHBOARD",
        "databoard.dashboards.worldbank",
        "What to serve: a dashboard module name, file or folder.",
    ),
    Setting("STATIC_MAX_AGE", 31536000, "Cache lifetime in seconds of fingerprinted assets."),
    Setting("VIEW_MAX_AGE", 60, "Cache lifetime in seconds of pages and API answers."),
]

DEFAULTS = {s.name: s.default for s in SETTINGS}
