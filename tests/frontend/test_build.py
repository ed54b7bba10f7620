"""The committed plotly.js bundles are what frontend/build.mjs makes from the pinned packages."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from support import ROOT

FRONTEND = ROOT / "frontend"
BUILT = ROOT / "src" / "databoard" / "web" / "static" / "plotly"


@pytest.mark.slow  # installs the pinned packages with npm and runs esbuild
def test_the_build_script_reproduces_the_committed_bundles(tmp_path):
    npm, node = shutil.which("npm"), shutil.which("node")
    if not (npm and node):
        pytest.fail("node and npm are needed to check the bundles: apt-get install -y nodejs npm")
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy(FRONTEND / name, tmp_path / name)
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "timeout": 300}
    installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], **run)
    assert installed.returncode == 0, installed.stderr[-2000:]
    built = subprocess.run([node, "build.mjs", str(tmp_path / "out")], **run)
    assert built.returncode == 0, built.stderr[-2000:]
    made = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    committed = {
        p.name: p.read_bytes()
        for p in BUILT.iterdir()
        if p.name not in ("SOURCES.md", "LICENSE.txt")
    }
    assert made.keys() == committed.keys()
    for name, data in made.items():
        assert data == committed[name], f"{name} differs: rebuild with `npm run build`"
