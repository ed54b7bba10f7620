"""The edit-loop benchmark runs: one quick round, so that it cannot rot unnoticed.

The numbers are not judged (the machine is shared); every measure must have one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from support import CHROMIUM, ROOT


@pytest.mark.slow
@pytest.mark.browser
def test_a_quick_edit_loop_run_prints_every_measure():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "editloop.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("DATABOARD_")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| Save")]
    assert len(rows) == 5, done.stdout
    for row in rows:
        name, median, worst, target, met = (c.strip() for c in row.strip("|").split("|"))
        assert re.fullmatch(r"[\d,]+ ms", median) and re.fullmatch(r"[\d,]+ ms", worst), row
        if target:
            assert met in ("yes", "median", "no"), row
    assert "1 round(s)" in done.stdout
