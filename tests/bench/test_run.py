"""The benchmark runs: one short round of it, so that it cannot rot unnoticed.

It needs nginx, wrk and Chromium; the numbers are not judged (the machine is shared), but
every measure must have produced one, and each ratio must be the two numbers' ratio.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from support import CHROMIUM, ROOT


@pytest.mark.slow
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
        "data.csv: peak RSS growth of a worker",
        "data.json: peak RSS growth of a worker",
    ):
        assert measure in table
    rows = [line for line in table.splitlines() if line.startswith("| ")][2:]
    assert len(rows) > 25
    measured = 0
    for line in rows:
        name, db, floor, ratio, target, met = (c.strip() for c in line.strip("|").split("|"))
        if name.startswith("**"):  # a heading row
            assert not (db or floor or ratio), line
            continue
        measured += 1
        assert re.match(r"x?\d[\d,]*(\.\d)?", db), line  # a number, maybe with its unit
        if floor:
            # The cells are rounded to 0.1: the ratio must lie within what that allows.
            ours, theirs, shown = _number(db), _number(floor), float(ratio.rstrip("x"))
            low = (ours - 0.05) / (theirs + 0.05)
            high = (ours + 0.05) / (theirs - 0.05) if theirs > 0.05 else float("inf")
            assert low - 0.005 <= shown <= high + 0.005, line
        assert met in ("", "yes", "**no**") and (target or not met), line
    assert measured > 20


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))
