"""Three instances behind the shipped nginx site: one killed, the others restarted in turn,
under load, and no client sees a failed request."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers import HERE, SECRET, children, databoard, environment, nginx, require_nginx, start

from support import free_port

INSTANCES = 3


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text()


class Instance:
    """One ``databoard serve --production`` on a port of its own, restartable."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.env = environment(DATABOARD_SECRET_KEY=SECRET, DATABOARD_PROXY_COUNT="1")
        self.stack = contextlib.ExitStack()
        self.server = None

    def up(self) -> None:
        command = databoard("serve", "--production", "slowboard", "--workers", "1")
        command += ["--port", str(self.port)]
        self.server = self.stack.enter_context(start(command, self.folder, self.port, self.env))

    def down(self) -> None:
        self.stack.close()


def wrk_summary(output: str) -> dict[str, int]:
    requests = re.search(r"(\d+) requests in", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
        output,
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(requests.group(1)) if requests else 0,
        "socket errors": sum(map(int, errors.groups())) if errors else 0,
        "non-2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


@pytest.mark.slow
def test_kill_and_rolling_restart_lose_no_request(tmp_path):
    require_nginx()
    wrk = shutil.which("wrk")
    assert wrk, "wrk is not installed: apt-get install -y wrk"
    instances = [Instance(tmp_path / f"app{i}", free_port()) for i in range(INSTANCES)]
    try:
        with ThreadPoolExecutor(INSTANCES) as pool:
            list(pool.map(Instance.up, instances))
        with nginx(tmp_path / "nginx", [i.port for i in instances]) as proxy:
            # A request may wait long while one instance is down and another restarts,
            # on a machine also running the suite with coverage (seen: 9 s); a slow answer
            # is not a lost one, so wrk waits for it as nginx does.
            load = subprocess.Popen(
                [wrk, "-t2", "-c8", "-d120s", "--timeout", "30s"]
                + ["-s", str(HERE / "rolling.lua"), proxy.url],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            time.sleep(2)
            killed = instances[0]
            processes = [killed.server.proc.pid, *children(killed.server.proc.pid)]
            for pid in processes:  # all at once, as when a container is killed
                os.kill(pid, signal.SIGKILL)
            killed.server.proc.wait()
            deadline = time.monotonic() + 30
            while not all(gone(pid) for pid in processes):
                assert time.monotonic() < deadline, "the killed server's workers did not stop"
                time.sleep(0.05)
            killed.down()
            time.sleep(1)
            killed.up()
            for instance in instances[1:]:  # a rolling restart
                time.sleep(1)
                assert instance.server.stop() == 0, instance.server.log()
                instance.down()
                instance.up()
            time.sleep(1)
            load.send_signal(signal.SIGINT)
            output, _ = load.communicate(timeout=30)
        # Read once nginx has stopped: it writes the last buffered lines of its log then.
        log = (tmp_path / "nginx" / "access.log").read_text()
    finally:
        for instance in instances:
            instance.down()
    summary = wrk_summary(output)
    assert summary["requests"] > 200, output
    assert summary["socket errors"] == 0 and summary["non-2xx"] == 0, output
    assert " 502 " not in log and " 504 " not in log
