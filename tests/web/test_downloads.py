"""Big downloads stream through a real gunicorn worker without growing it, and stay exact.

A million generated readings (``bench/bigboard.py``) are downloaded as CSV and JSON while
the worker's resident memory is sampled; what arrives must equal the generated table,
as pandas reads it back.
"""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

from support import ROOT, bin_path, free_port, running

ROWS = 1_000_000
CHART = f"/api/v1/dashboards/big-{ROWS}/charts/level"
#: The most a download may grow the worker by; the bench holds 10 million rows to it.
MAX_GROWTH_MIB = 50

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    """gunicorn with one worker serving a million readings; yields (url, worker pid)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "PYTHONPATH": str(ROOT / "bench"),
        "BIGBOARD_ROWS": str(ROWS),
        "DATABOARD_DASHBOARD": "bigboard",
        "DATABOARD_CACHE_WARM": "false",
    }
    command = [bin_path("gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--timeout", "120", "databoard:create_app()"]
    with running(command, url, env=env, timeout=120) as master:
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        (worker,) = children
        # a small download first, so what is measured is the download, not first imports
        assert requests.get(f"{url}{CHART}/data.csv?from=0&to=99", timeout=60).ok
        yield url, int(worker)


@pytest.fixture(scope="module")
def readings() -> pd.DataFrame:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bigboard
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return bigboard.readings(ROWS)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(pid)


def download(url: str, worker: int, encoding: str) -> tuple[bytes, float]:
    """Return the body at *url* (decoded) and the worker's peak memory growth meanwhile."""
    before = rss_mib(worker)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib(worker))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with requests.get(
            url, headers={"Accept-Encoding": encoding}, stream=True, timeout=120
        ) as r:
            assert r.status_code == 200, r.text[:500]
            assert r.headers["Content-Encoding"] == encoding
            assert "ETag" not in r.headers and r.headers["X-Cache"] == "miss"
            body = b"".join(r.iter_content(1 << 20))
    finally:
        done.set()
        sampler.join()
    return body, peak[0] - before


def test_a_big_csv_download_streams_exact_rows_in_flat_memory(server, readings):
    url, worker = server
    body, growth = download(f"{url}{CHART}/data.csv", worker, "gzip")
    text = body.decode()
    assert text.startswith("# dashboard: big-1000000\r\n# chart: level\r\n")
    table = pd.read_csv(io.StringIO(text), comment="#")
    expected = readings.assign(sensor=readings["sensor"].astype(str))
    pd.testing.assert_frame_equal(table, expected, check_exact=True, check_dtype=False)
    assert growth <= MAX_GROWTH_MIB, f"the worker grew by {growth:.0f} MiB"


def test_a_big_json_download_streams_exact_rows_in_flat_memory(server, readings):
    url, worker = server
    body, growth = download(f"{url}{CHART}/data.json", worker, "br")
    answer = json.loads(body)
    assert answer["chart"] == "level" and answer["source"] == "generated"
    assert answer["columns"] == list(readings.columns)
    table = pd.DataFrame(answer["rows"], columns=answer["columns"])
    expected = readings.assign(sensor=readings["sensor"].astype(str))
    pd.testing.assert_frame_equal(table, expected, check_exact=True, check_dtype=False)
    assert growth <= MAX_GROWTH_MIB, f"the worker grew by {growth:.0f} MiB"


def test_a_narrowed_download_has_exactly_the_rows_in_view(server, readings):
    url, _ = server
    answer = requests.get(f"{url}{CHART}/data.json?from=1000&to=1999&sensor=west", timeout=60)
    rows = answer.json()["rows"]
    expected = readings[readings["minute"].between(1000, 1999) & (readings["sensor"] == "west")]
    assert rows == expected.assign(sensor="west").to_numpy().tolist()
