"""Download the rows behind a chart while sampling the memory of the server's workers.

    python bench/download.py [ROWS]    # 10 million by default; bench/run.py does it too

A big download is streamed as it is written, so it should not grow a worker by more
than a chunk's worth, however many rows it has. The workers' resident memory is sampled
every few milliseconds during the download; their proportional set size is read before
and after.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(url: str, workers: list[int], encoding: str = "br, gzip") -> dict:
    """Download *url*; return its size, time and the largest growth of any worker.

    :return: ``encoding``, ``bytes`` (as sent), ``seconds``, ``rss_growth_mib`` (the peak during the
        download less the resident size before, of the worker that grew most) and the
        workers' PSS before and after, in MiB.
    """
    before = {pid: rss_mib(pid) for pid in workers}
    pss_before = sum(pss_mib(pid) for pid in workers)
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_mib(pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    sent = 0
    start = time.perf_counter()
    try:
        headers = {"Accept-Encoding": encoding}
        with requests.get(url, headers=headers, stream=True, timeout=3600) as answer:
            answer.raise_for_status()
            encoding = answer.headers.get("Content-Encoding", "identity")
            for chunk in answer.raw.stream(1 << 20, decode_content=False):
                sent += len(chunk)
    finally:
        done.set()
        sampler.join()
    return {
        "encoding": encoding,
        "bytes": sent,
        "seconds": time.perf_counter() - start,
        "rss_growth_mib": max(peak[pid] - before[pid] for pid in workers),
        "pss_before_mib": pss_before,
        "pss_after_mib": sum(pss_mib(pid) for pid in workers),
    }


def main(argv: list[str]) -> int:
    """Serve ``bigboard`` with *ROWS* readings; download all of them as CSV and JSON."""
    import servers

    rows = int(argv[0]) if argv else 10_000_000
    os.environ["BIGBOARD_ROWS"] = str(rows)
    with tempfile.TemporaryDirectory(prefix="databoard-bench-") as tmp:
        with servers.databoard(Path(tmp), dashboard="bigboard") as board:
            workers = board.pids()[1:]
            chart = f"{board.url}/api/v1/dashboards/big-{rows}/charts/level"
            requests.get(f"{chart}/data.csv?from=0&to=99", timeout=60).raise_for_status()
            print(f"Download of all {rows:,} rows of a line chart, 2 workers")
            for name in ("data.csv", "data.json"):
                run = measure(f"{chart}/{name}", workers)
                print(
                    f"{name}: {run['bytes'] / 2**20:,.1f} MiB {run['encoding']} in "
                    f"{run['seconds']:,.1f} s; "
                    f"peak RSS growth of a worker {run['rss_growth_mib']:,.1f} MiB; PSS of the "
                    f"workers {run['pss_before_mib']:,.0f} -> {run['pss_after_mib']:,.0f} MiB"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
