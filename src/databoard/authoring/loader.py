"""Find the dashboards a path names: a module, a .py or .yaml file, or a folder of them.

A folder's dashboards are its own files and each subfolder's ``dashboard.yaml`` (or
``.py``), so a folder of folders made by ``databoard new`` is a site of dashboards.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path

from ..dashboard import Dashboard
from . import yaml_spec
from .problems import InvalidDashboards, Problem, describe_exception, line_in
from .slugs import FOLDER_FILE_STEM, default_slug

SUFFIXES = (".py", ".yaml", ".yml")


def dashboard_files(folder: Path) -> list[Path]:
    """Return the dashboard files of *folder*: its own, then each subfolder's
    ``dashboard.yaml``, ``.yml`` or ``.py`` (none whose name starts with ``_`` or ``.``)."""
    found = []
    for path in sorted(folder.iterdir(), key=lambda p: (p.name.lower(), p.name)):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_file() and path.suffix in SUFFIXES:
            found.append(path)
        elif path.is_dir():
            found += [p for s in SUFFIXES if (p := path / f"{FOLDER_FILE_STEM}{s}").is_file()]
    return found


def slug_of(file: str) -> str:
    """Return the slug of a dashboard file that does not load: the ``slug`` a YAML file
    declares if that much can be read, else the one its name gives."""
    path = Path(file)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        try:
            data, _ = yaml_spec.read(path)
        except (InvalidDashboards, OSError, UnicodeDecodeError):
            data = None
        slug = data.get("slug") if isinstance(data, dict) else None
        if isinstance(slug, str) and re.fullmatch(yaml_spec.SLUG, slug):
            return slug
    return default_slug(path)


def _from_module(module) -> list[Dashboard]:
    return [v for v in vars(module).values() if isinstance(v, Dashboard)]


def _import_file(path: Path):
    """Import a Python dashboard file as a module, its folder importable for helpers."""
    name = f"databoard_dashboards.{path.stem}_{abs(hash(str(path))) % 10**8}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    known = set(sys.modules)
    sys.modules[name] = module
    folder = str(path.parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        sys.path.remove(folder)
        _forget_helpers(known, path.parent, name)
    return module


def _forget_helpers(known: set[str], folder: Path, keep: str) -> None:
    """Forget the modules an import brought in from *folder* by their plain names: the
    dashboard keeps what it imported, and a helper of the same name next to another
    dashboard (``shop/helpers.py``, ``stock/helpers.py``) is then its own."""
    for name in set(sys.modules) - known - {keep}:
        file = getattr(sys.modules[name], "__file__", None)
        if file and Path(file).resolve().is_relative_to(folder.resolve()):
            del sys.modules[name]


def load_file(path: Path) -> tuple[list[Dashboard], list[Problem]]:
    """Return the dashboards one file declares and its problems.

    A YAML file with problems still gives its dashboard, built from its parts without
    problems, for checking (see :func:`.yaml_spec.build`).
    """
    if path.suffix in (".yaml", ".yml"):
        try:
            board, problems = yaml_spec.build(path)
        except InvalidDashboards as error:
            return [], error.problems
        return ([board] if board is not None else []), problems
    try:
        module = _import_file(path)
    except Exception as error:
        message = f"cannot import: {describe_exception(error)}"
        return [], [Problem(str(path), message, line_in(error, path))]
    found = _from_module(module)
    if not found:
        message = "declares no Dashboard (databoard.Dashboard(...) at module level)"
        return [], [Problem(str(path), message)]
    return found, []


def load_all(target: str | Path) -> tuple[list[Dashboard], list[Problem]]:
    """Return the dashboards that load from *target*, and the problems found.

    A dashboard file with problems may still give a dashboard, built from its parts
    without problems so that checking goes on; every problem names its file (the
    dashboard's :attr:`~databoard.Dashboard.file`), and such a dashboard is not to be
    served.
    """
    path = Path(target)
    if path.is_dir():
        files = dashboard_files(path)
        if not files:
            message = (
                f"no dashboard files ({', '.join(SUFFIXES)}) here, nor folders with a "
                f"{FOLDER_FILE_STEM}.yaml or {FOLDER_FILE_STEM}.py"
            )
            return [], [Problem(str(path), message)]
    elif path.suffix in SUFFIXES:
        if not path.is_file():
            return [], [Problem(str(path), "no such file")]
        files = [path]
    else:
        try:
            return _load_module(str(target)), []
        except InvalidDashboards as error:
            return [], error.problems
    boards: list[Dashboard] = []
    problems: list[Problem] = []
    for file in files:
        found, wrong = load_file(file.resolve())
        boards.extend(found)
        problems.extend(wrong)
    seen: dict[str, Dashboard] = {}
    for board in boards:
        if board.slug in seen:
            problems.append(
                Problem(
                    board.file, f"duplicate slug {board.slug!r}: also in {seen[board.slug].file}"
                )
            )
        seen.setdefault(board.slug, board)
    return list(seen.values()), problems


def _load_module(name: str) -> list[Dashboard]:
    try:
        module = importlib.import_module(name)
    except Exception as error:
        raise InvalidDashboards(
            [
                Problem(
                    name,
                    "not a dashboard file, folder or importable module: "
                    + describe_exception(error),
                )
            ]
        ) from None
    found = _from_module(module)
    if not found:
        raise InvalidDashboards([Problem(name, "module declares no Dashboard")])
    return found
