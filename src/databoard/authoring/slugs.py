"""The name a dashboard has in URLs when its file does not give one."""

from __future__ import annotations

import re
from pathlib import Path

#: A dashboard file named so takes its folder's name: ``shop/dashboard.yaml`` is ``shop``.
FOLDER_FILE_STEM = "dashboard"


def slugify(name: str) -> str:
    """Return *name* as a slug: lower case letters, digits and dashes (``dashboard`` if
    nothing is left)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "dashboard"


def default_slug(path: str | Path) -> str:
    """Return the slug of the dashboard file (or folder, or module) *path*.

    ``sales.yaml`` is ``sales``; ``shop/dashboard.yaml`` (or ``dashboard.py``) is ``shop``,
    so each folder made by ``databoard new`` is its own dashboard of a site.
    """
    path = Path(path)
    if path.stem == FOLDER_FILE_STEM and path.suffix and path.resolve().parent.name:
        return slugify(path.resolve().parent.name)
    return slugify(path.stem if path.suffix else path.name)
