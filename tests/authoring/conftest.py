"""Fixtures for dashboards written in a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from databoard import create_app


class Folder:
    """A temporary dashboard folder: write files into it, then serve or check it."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, name: str, text: str | bytes = "") -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text))
        return path

    def app(self, target: str | Path | None = None, **config):
        return create_app({"TESTING": True, "DASHBOARD": str(target or self.root), **config})


@pytest.fixture
def folder(tmp_path) -> Folder:
    return Folder(tmp_path / "site")
