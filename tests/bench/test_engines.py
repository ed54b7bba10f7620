"""The engine benchmark runs on small tables, so that it cannot rot unnoticed."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from support import POSTGRES_URL, ROOT


@pytest.mark.slow
def test_engine_benchmark_prints_its_table(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "engines.py"), "--rows", "40000"]
        + ["--compare-rows", "20000", "--pg-rows", "20000", "--repeat", "2"]
        + ["--data", str(tmp_path), "--postgres", POSTGRES_URL],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for label, count in [
        ("40,000 rows, Parquet via DuckDB", 8),
        ("bigboard 20,000 rows, pandas in memory", 2),
        ("bigboard 20,000 rows, Parquet via DuckDB", 2),
        ("20,000 rows, PostgreSQL", 4),
    ]:
        drawn = [line for line in lines if line.startswith(label)]
        assert len(drawn) == count, done.stdout
    timed = [line for line in lines if re.search(r"\d ms\b", line)]
    assert len(timed) == 15, done.stdout  # every drawing and each load
    assert "first: miss" in done.stdout and "second: hit" in done.stdout
    assert "(PSS growth)" in done.stdout and "load average" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bigboard-20000.parquet",
        "postgres",
        "readings-40000.parquet",
    ]
