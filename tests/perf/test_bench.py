"""The benchmark runs: one short round of it, so that it cannot rot unnoticed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from support import CHROMIUM, ROOT


@pytest.mark.browser
def test_a_quick_benchmark_run_prints_its_table():
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            pytest.skip(f"{tool} is not installed: apt-get install -y {tool}")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("DATABOARD_")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    for measure in (
        "Cold load until every chart is drawn",
        "Bytes transferred on a cold load",
        "Filter change until every chart is redrawn",
        "chart, uncached: p50 ms",
        "PSS, master + 2 workers",
        "20,000 rows, load-vs-temperature",
    ):
        assert measure in table
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert len(rows) > 25
