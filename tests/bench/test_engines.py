"""The engine benchmark runs on a small table, so that it cannot rot unnoticed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import ROOT


@pytest.mark.slow
def test_engine_benchmark_prints_its_table(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "engines.py"), "--rows", "40000"]
        + ["--compare-rows", "20000", "--repeat", "1", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for label in ("40,000 rows, Parquet via DuckDB", "20,000 rows, pandas in memory"):
        drawn = [line for line in lines if line.startswith(label)]
        assert len(drawn) >= 3, done.stdout
        assert all(" ms " in line for line in drawn), done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "readings-20000.parquet",
        "readings-40000.parquet",
    ]
