"""Read a dataset's file, whatever its format, from inside the dashboard's folder.

Every file is read once per process and shared by every dataset and chart that names it
(keyed by its path, size and modification time), so a large file costs one read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from . import compression as compression_
from . import lastline, worldbank

#: File endings and the format each one means.
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xls": "excel",
    ".json": "json",
    ".jsonl": "json",
}


class SourceError(ValueError):
    """A data file that cannot be used: missing, outside the folder, or unreadable."""


def _delimited(path: Path, compression: str | None, **options) -> pd.DataFrame:
    """Read a CSV or TSV file, noting a last line cut short (see :func:`warnings`)."""
    encoding = options.pop("encoding", "utf-8-sig")
    with compression_.open_binary(path, compression) as handle:
        frame = pd.read_csv(handle, encoding=encoding, **options)
    with compression_.open_binary(path, compression) as handle:
        sep = options.get("sep", options.get("delimiter", ","))
        _notes[str(path)] = lastline.cut_short(handle, sep, encoding)
    return frame


def _csv(path: Path, compression: str | None, **options) -> pd.DataFrame:
    if worldbank.is_bulk_csv(path, compression):
        return worldbank.read_bulk_csv(path, compression)
    return _delimited(path, compression, **options)


def _tsv(path: Path, compression: str | None, **options) -> pd.DataFrame:
    return _delimited(path, compression, **{"sep": "\t", **options})


def _json(path: Path, compression: str | None, **options) -> pd.DataFrame:
    if compression_.inner_suffix(path) == ".jsonl":
        options.setdefault("lines", True)
    with compression_.open_binary(path, compression) as handle:
        return pd.read_json(handle, **options)


def _parquet(path: Path, compression: str | None, **options) -> pd.DataFrame:
    return pd.read_parquet(compression_.seekable(path, compression), **options)


def _excel(path: Path, compression: str | None, **options) -> pd.DataFrame:
    return pd.read_excel(compression_.seekable(path, compression), **options)


def _worldbank(path: Path, compression: str | None, **options) -> pd.DataFrame:
    """A bulk CSV, or a folder of them with their country metadata."""
    if path.is_dir():
        return worldbank.read_folder(path)
    return worldbank.read_bulk_csv(path, compression)


READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "csv": _csv,
    "tsv": _tsv,
    "parquet": _parquet,
    "excel": _excel,
    "json": _json,
    "worldbank": _worldbank,
}

_cache: dict[tuple, pd.DataFrame] = {}
#: what the last read of each file noticed without failing, by resolved path
_notes: dict[str, str | None] = {}
_lock = threading.Lock()


def stamp(path: Path) -> tuple[int, int]:
    """Return the size and modification time of the file at *path*: whether it changed,
    told without reading it.

    :raise OSError: if it is gone.
    """
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def resolve(root: str | Path, relative: str | Path) -> Path:
    """Return *relative* resolved against *root*, refusing anything outside *root*.

    :raise SourceError: if the path leaves the folder (``..``, an absolute path or a
        link pointing elsewhere, also from inside a folder it names) or does not exist.
    """
    root = Path(root).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise SourceError(f"{relative}: outside the dashboard's folder {root.name}/")
    if not path.exists():
        raise SourceError(f"{relative}: no such file in {root.name}/")
    if path.is_dir():
        _refuse_links_out(root, path, relative)
    return path


def _refuse_links_out(root: Path, folder: Path, relative: str | Path) -> None:
    """Refuse a folder holding a link to anything outside *root*.

    A folder source (World Bank downloads, a Parquet dataset) is read by globbing it, so
    one link inside would let a reader follow it out of the dashboard's folder.
    """
    seen = set()
    for where, folders, files in os.walk(folder, followlinks=True):
        for name in folders + files:
            entry = Path(where) / name
            if not entry.resolve().is_relative_to(root):
                inside = entry.relative_to(folder).as_posix()
                raise SourceError(
                    f"{relative}: {inside} links to a file outside the dashboard's "
                    f"folder {root.name}/; copy the file in instead"
                )
        # Links are followed (a reader would follow them too), each real folder once.
        seen.add(Path(where).resolve())
        folders[:] = [name for name in folders if (Path(where) / name).resolve() not in seen]


def resolve_pattern(root: str | Path, pattern: str | Path) -> Path:
    """Return a file, or a glob such as ``parts/*.parquet``, resolved inside *root*.

    :raise SourceError: if it leaves the folder or matches no file.
    """
    if not any(ch in str(pattern) for ch in "*?["):
        return resolve(root, pattern)
    root = Path(root).resolve()
    path = (root / pattern).resolve()
    matches = sorted(root.glob(str(pattern)))
    if not path.is_relative_to(root) or any(not m.resolve().is_relative_to(root) for m in matches):
        raise SourceError(f"{pattern}: outside the dashboard's folder {root.name}/")
    if not matches:
        raise SourceError(f"{pattern}: no file in {root.name}/ matches")
    return path


def format_of(path: Path, format: str | None = None) -> str:
    """Return the reader format for *path*: the given one, or the one its ending means.

    A compressed file's format is its inner ending's: ``orders.csv.gz`` is a CSV file.
    """
    if format:
        if format not in READERS:
            raise SourceError(
                f"{path.name}: unknown format {format!r} (known: {', '.join(READERS)})"
            )
        return format
    if path.is_dir():
        return "worldbank"
    ending = compression_.inner_suffix(path)
    try:
        return EXTENSIONS[ending]
    except KeyError:
        raise SourceError(
            f"{path.name}: cannot tell the format from {ending or path.name!r}; "
            f"set format to one of {', '.join(READERS)}"
        ) from None


def read(root: str | Path, relative: str | Path, format: str | None = None, **options):
    """Read the data file *relative* to *root* into a DataFrame, once per process.

    :param format: ``csv``, ``tsv``, ``parquet``, ``excel``, ``json`` or ``worldbank``;
        guessed from the file ending when not given (a World Bank bulk CSV is detected).
    :param options: passed to the pandas reader (``sheet_name``, ``sep``, ...);
        ``compression`` (``gzip``, ``bz2``, ``zip``, ``zstd``, ``xz``) is taken from the
        file ending when not given, for every format.
    :return: the table; callers must not modify it in place (it is shared).
    """
    path = resolve(root, relative)
    kind = format_of(path, format)
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, kind, repr(sorted(options.items())))
    with _lock:
        if key not in _cache:
            try:
                compression = compression_.method(path, options.pop("compression", "infer"))
                frame = READERS[kind](path, compression, **options)
                # An earlier version of the file is read no more (see databoard.refresh).
                for older in [k for k in _cache if k[0] == key[0] and k[3:] == key[3:]]:
                    del _cache[older]
                _cache[key] = frame
            except (ValueError, OSError, ImportError, KeyError, *compression_.ERRORS) as error:
                raise SourceError(f"{relative}: cannot read as {kind}: {error}") from error
        return _cache[key]


def warnings(path: str | Path) -> list[str]:
    """Return what reading the data file *path* noticed without failing.

    A CSV or TSV file whose last line has fewer fields than the line before was likely
    cut short; pandas reads it with empty fields, so the dashboard serves it and
    ``databoard check`` warns.
    """
    note = _notes.get(str(Path(path).resolve()))
    return [note] if note else []
