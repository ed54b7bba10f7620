"""Read the settings from their layers: defaults, a ``.env`` file, the environment.

Each layer overrides the one before, and explicit values (command-line options, a test's
config) go on top. A setting of the table in :mod:`databoard.settings` is read as the type
of its default, so ``DATABOARD_PORT=8080`` is a number and ``DATABOARD_METRICS=yes`` a
boolean, and a typo stops the start with a message naming the variable. Other
``DATABOARD_*`` keys (Flask's own settings, say) are passed on, read as JSON where they
can be, as :meth:`flask.Config.from_prefixed_env` does.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from flask import Flask

from .settings import DEFAULTS, SETTINGS, Setting

PREFIX = "DATABOARD_"
BY_NAME = {s.name: s for s in SETTINGS}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_PREFIX_PATH = re.compile(r"(/[\w.~!$&'()*+,;=:@%-]+)*")


class ConfigError(ValueError):
    """A setting whose value cannot be used; the message says which and how to fix it."""


@dataclass
class Loaded:
    """The effective configuration.

    :param values: every key, table settings typed.
    :param sources: per key, where its value came from: ``default``, the ``.env`` file's
        name, ``environment`` or ``override``.
    :param notes: keys that look like mistakes (a near miss of a setting's name, a
        variable without the prefix in the ``.env`` file).
    """

    values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    sources: dict[str, str] = field(default_factory=lambda: dict.fromkeys(DEFAULTS, "default"))
    notes: list[str] = field(default_factory=list)


def load(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Loaded:
    """Return the effective configuration as a :class:`Loaded`.

    :param overrides: values that win over every layer (command-line options, test config).
    :param environ: the environment to read, ``os.environ`` by default.
    :raise ConfigError: for a value that cannot be used.
    """
    environ = os.environ if environ is None else environ
    loaded = Loaded()
    env_file = environ.get(PREFIX + "ENV_FILE") or DEFAULTS["ENV_FILE"]
    file_values = _read_env_file(env_file, PREFIX + "ENV_FILE" in environ, loaded.notes)
    for source, layer in ((env_file, file_values), ("environment", environ)):
        for key, raw in layer.items():
            if key.startswith(PREFIX) and len(key) > len(PREFIX):
                where = key if source == "environment" else f"{key} in {env_file}"
                _set(loaded, key[len(PREFIX) :], raw, source, where)
    for name, value in (overrides or {}).items():
        _set(loaded, name, value, "override", name)
    loaded.values["URL_PREFIX"] = url_prefix(loaded.values["URL_PREFIX"])
    _check_ranges(loaded.values)
    return loaded


def _read_env_file(path: str, required: bool, notes: list[str]) -> dict[str, str]:
    """Return the ``DATABOARD_*`` lines of the env file *path*, taken literally."""
    if not Path(path).is_file():
        if required:
            raise ConfigError(f"{PREFIX}ENV_FILE: there is no file {path!r}")
        return {}
    values = {}
    for key, value in dotenv_values(path, interpolate=False).items():
        if not key.startswith(PREFIX):
            notes.append(f"{key} in {path} is ignored: only {PREFIX}* lines are read")
        elif key == PREFIX + "ENV_FILE":
            notes.append(f"{key} in {path} is ignored: set it in the environment")
        else:
            values[key] = value or ""
    return values


def _set(loaded: Loaded, name: str, value: Any, source: str, where: str) -> None:
    setting = BY_NAME.get(name)
    if setting is not None:
        value = parse(setting, value, where)
    elif isinstance(value, str) and source != "override":
        value = _loads(value)
        # Flask's and its extensions' keys pass silently; a near miss of ours is a typo.
        close = difflib.get_close_matches(name, list(BY_NAME), n=1, cutoff=0.75)
        # Flask-Caching, Flask-Compress, Flask-Limiter, Flask-WTF
        extension = name.startswith(("CACHE_", "COMPRESS_", "RATELIMIT_", "WTF_"))
        if close and name not in Flask.default_config and not extension:
            loaded.notes.append(
                f"{PREFIX}{name} is not a databoard setting; did you mean {PREFIX}{close[0]}?"
            )
    loaded.values[name] = value
    loaded.sources[name] = source


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse(setting: Setting, value: Any, where: str) -> Any:
    """Return *value* as the type of *setting*'s default, checking its choices.

    :param where: how the operator set it (``DATABOARD_PORT``), for the error message.
    :raise ConfigError: if the value cannot be read or is not one of the choices.
    """
    kind = type(setting.default)
    try:
        if isinstance(value, str):
            value = _parse_text(kind, value.strip())
        elif setting.default is not None and not isinstance(value, kind):
            raise ValueError
    except ValueError:
        expected = {bool: "true or false", int: "a whole number", float: "a number"}
        wanted = expected.get(kind, f"a {kind.__name__}")
        raise ConfigError(f"{where}: expected {wanted}, got {value!r}") from None
    if setting.choices and value not in setting.choices:
        raise ConfigError(f"{where}: expected one of {', '.join(setting.choices)}, got {value!r}")
    return value


def _parse_text(kind: type, text: str) -> Any:
    if kind is bool:
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError(text)
        return text.lower() in _TRUE
    if kind in (int, float):
        return kind(text)
    if kind is str:
        return text
    if kind is type(None):
        return text or None
    return json.loads(text)


def url_prefix(value: str) -> str:
    """Return *value* as a URL prefix: ``""`` or ``/a/b``, without a trailing slash.

    :raise ConfigError: if it is not a plain path.
    """
    prefix = "/" + value.strip().strip("/") if value.strip().strip("/") else ""
    if not _PREFIX_PATH.fullmatch(prefix) or "/../" in prefix + "/" or "/./" in prefix + "/":
        raise ConfigError(f"{PREFIX}URL_PREFIX: expected a path such as /dashboards, got {value!r}")
    return prefix


def _check_ranges(values: dict[str, Any]) -> None:
    for setting in SETTINGS:
        value = values[setting.name]
        if type(setting.default) is int and value < 0:
            raise ConfigError(f"{PREFIX}{setting.name}: expected 0 or more, got {value}")
    if not 0 < values["PORT"] < 65536:
        raise ConfigError(f"{PREFIX}PORT: expected 1 to 65535, got {values['PORT']}")
    if not 256 <= values["MAX_REQUEST_LINE"] <= 8190:
        raise ConfigError(
            f"{PREFIX}MAX_REQUEST_LINE: expected 256 to 8190, got {values['MAX_REQUEST_LINE']}"
        )
    if values["TIMEOUT"] < 1:
        raise ConfigError(f"{PREFIX}TIMEOUT: expected 1 second or more, got {values['TIMEOUT']}")
