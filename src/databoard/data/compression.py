"""Open compressed data files by their inner ending: ``gapminder.csv.gz`` is a CSV file.

Every reader, the World Bank detection included, opens files through :func:`open_binary`,
so a compressed file is read like the plain one and nothing opens it as text first.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

try:  # optional: only .zst files need it
    from zstandard import ZstdError
except ImportError:  # pragma: no cover - the test extra installs it
    ZstdError = OSError  # type: ignore[assignment,misc]

#: Compressed endings and the method each one means (pandas' ``compression`` names).
ENDINGS = {".gz": "gzip", ".bz2": "bz2", ".zip": "zip", ".zst": "zstd", ".xz": "xz"}
METHODS = tuple(ENDINGS.values())
#: What reading a damaged compressed file raises, beside ``OSError`` and ``ValueError``.
ERRORS = (EOFError, lzma.LZMAError, zipfile.BadZipFile, ZstdError)


def inner_suffix(path: str | Path) -> str:
    """Return the ending that says the format: ``.csv`` for ``orders.csv.gz``."""
    path = Path(path)
    if path.suffix.lower() in ENDINGS:
        path = path.with_suffix("")
    return path.suffix.lower()


def method(path: str | Path, given: str | dict | None = "infer") -> str | None:
    """Return the compression of *path*: *given* (``None`` for none), else its ending's.

    :param given: a method name, pandas' ``{"method": ...}`` form, ``None`` or ``"infer"``.
    :raise ValueError: for a method that is not one of :data:`METHODS`.
    """
    if isinstance(given, dict):
        given = given.get("method")
    if given == "infer":
        return ENDINGS.get(Path(path).suffix.lower())
    if given is not None and given not in METHODS:
        raise ValueError(f"unknown compression {given!r} (known: {', '.join(METHODS)})")
    return given


def open_binary(path: str | Path, compression: str | dict | None = "infer") -> IO[bytes]:
    """Open *path* for reading its decompressed bytes.

    :raise ImportError: for a ``.zst`` file without the zstandard package, saying how
        to install it.
    :raise ValueError: for a zip archive not holding exactly one file.
    """
    found = method(path, compression)
    if found is None:
        return open(path, "rb")
    return _OPENERS[found](Path(path))


def _zstd(path: Path) -> IO[bytes]:
    try:
        import zstandard
    except ImportError:
        raise ImportError(
            "reading a .zst file needs the zstandard package: pip install 'databoard[zstd]'"
        ) from None
    return zstandard.open(path, "rb")


def _zip_member(path: Path) -> IO[bytes]:
    """Open the one file in a zip archive (the archive closes with it)."""
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1:
            names = ", ".join(info.filename for info in members) or "nothing"
            raise ValueError(f"a zip data file must hold one file; this one holds {names}")
        return archive.open(members[0])


#: Each method's opener (typeshed has no common type for their file objects).
_OPENERS: dict[str, Callable[[Path], Any]] = {
    "gzip": lambda path: gzip.open(path, "rb"),
    "bz2": lambda path: bz2.open(path, "rb"),
    "xz": lambda path: lzma.open(path, "rb"),
    "zip": _zip_member,
    "zstd": _zstd,
}


def open_text(path: str | Path, compression: str | dict | None = "infer", **text) -> IO[str]:
    """Open *path* for reading its decompressed text (*text*: ``encoding``, ``newline``)."""
    return io.TextIOWrapper(open_binary(path, compression), **text)


def seekable(path: str | Path, compression: str | dict | None = "infer") -> Path | IO[bytes]:
    """Return *path* itself when plain, else its decompressed bytes in memory.

    Parquet and Excel readers jump around in the file, which a decompressing stream
    cannot do.
    """
    if method(path, compression) is None:
        return Path(path)
    with open_binary(path, compression) as handle:
        return io.BytesIO(handle.read())
