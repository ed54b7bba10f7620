"""Notice a delimited file whose last line was cut short (a copy or download that stopped).

pandas reads such a line as a row with empty fields, so nothing fails; ``databoard check``
warns, naming the file and line, and the dashboard still serves.
"""

from __future__ import annotations

import csv
from typing import IO

#: How much of the end of the file is kept to find its last two lines.
_TAIL = 1 << 16
_CHUNK = 1 << 20


def cut_short(handle: IO[bytes], sep: str, encoding: str = "utf-8-sig") -> str | None:
    """Return why the last line of *handle* looks cut short, or ``None``.

    A last line with fewer fields than the line before it is cut short (a line that
    stops inside a quoted field is one pandas refuses itself). The file is read once, in
    chunks, keeping only its end.

    :param sep: the one-character field separator; others are not checked.
    :return: ``"line N has X of the Y fields of the line before"``.
    """
    if not isinstance(sep, str) or len(sep) != 1:
        return None
    newlines, tail = 0, b""
    while chunk := handle.read(_CHUNK):
        newlines += chunk.count(b"\n")
        tail = (tail + chunk)[-_TAIL:]
    text = tail.decode(encoding, errors="replace")
    body = text.rstrip("\r\n")
    lines = body.split("\n")
    whole = len(tail) < _TAIL  # else the first line kept may be a part of one
    if len(lines) < (2 if whole else 3):
        return None
    before, last = (_fields(line, sep) for line in lines[-2:])
    if last >= before:
        return None
    number = newlines - text[len(body) :].count("\n") + 1
    return f"line {number} has {last} of the {before} fields of the line before; cut short?"


def _fields(line: str, sep: str) -> int:
    return len(next(csv.reader([line.rstrip("\r")], delimiter=sep), []))
