"""Load tests with wrk: request rate and latency of one URL at a given concurrency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "unique.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
#: What a browser says; both servers then send compressed bodies, neither compresses live.
ACCEPT = "Accept-Encoding: br, gzip"


def wrk(url: str, connections: int, seconds: float, fresh: bool = False, **unique: str) -> dict:
    """Run wrk against *url* and return its summary (rps, p50_ms, p99_ms, errors).

    :param fresh: a new connection for every request (``Connection: close``), so that
        every gunicorn worker gets its share of the requests.
    :param unique: ``BENCH_*`` settings of ``unique.lua`` (``mode="permute"``, ...), for a
        new view on every request; none for the same URL every time.
    """
    threads = 1 if connections == 1 else 2
    path = url.partition("//")[2].partition("/")[2]
    env = dict(os.environ) | {f"BENCH_{k.upper()}": str(v) for k, v in unique.items()}
    env["BENCH_PATH"] = "/" + path
    command = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-H",
        ACCEPT,
        *(["-H", "Connection: close"] if fresh else []),
        "-s",
        str(SCRIPT),
        url,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(f"wrk saw {result['errors']} errors on {url}:\n{done.stdout}")
    return result
