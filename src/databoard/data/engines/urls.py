"""Connection addresses: ``${NAME}`` from the environment, engine names, hosts and paths.

A password is never shown: every message here masks it with
:func:`databoard.security.masking.mask_url`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from ...security.masking import mask_url

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class URLError(ValueError):
    """A connection address that cannot be used; the message never shows a password."""


def expand(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace every ``${NAME}`` in *text* with the environment variable NAME.

    :raise URLError: naming the first variable that is not set.
    """
    environ = os.environ if environ is None else environ

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in environ:
            raise URLError(f"the environment variable {name} is not set")
        return environ[name]

    return _VARIABLE.sub(value, text)


def scheme(url: str) -> str:
    """Return the engine named by *url* (``duckdb``, ``postgres``, ``pyspark``...)."""
    name, found, _ = url.partition("://")
    name = name.lower()
    if not found or not re.fullmatch(r"[a-z][a-z0-9+.-]*", name):
        raise URLError(f"{mask_url(url)}: not a connection address like postgresql://host/db")
    return {"postgresql": "postgres", "spark": "pyspark"}.get(name, name)


def host(url: str) -> str:
    """Return the host (and port) *url* connects to, or the file for an embedded engine."""
    try:
        parts = urlsplit(url)
    except ValueError:  # spark://local[2] is no host
        return url
    return parts.netloc.rpartition("@")[2] or parts.path or url


def resolve_duckdb(url: str, root: Path) -> str:
    """Return a ``duckdb:///relative/file`` address with the file resolved against *root*.

    ``duckdb://`` alone (or ``duckdb://:memory:``) is an in-memory database.
    """
    path = url.split("://", 1)[1]
    path = path[1:] if path.startswith("/") else path
    if path in ("", ":memory:"):
        return ""
    file = Path(path)
    return str(file if file.is_absolute() and file.exists() else (root / path).resolve())
