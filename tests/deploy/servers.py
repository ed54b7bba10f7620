"""Helpers for the deployment tests: databoard under gunicorn, nginx in front.

Each server runs in its own temporary folder (so no stray ``.env`` is read), with the
``DATABOARD_*`` variables of the calling shell removed, and writes its output to a file
the test can read while the server runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from support import ROOT, bin_path, free_port

HERE = Path(__file__).parent
DEPLOY = ROOT / "deploy"
#: Strong enough for production (32 characters or more, not a known default).
SECRET = "deploy-tests-7c1e9b4f2a8d6e3c5b0a9f8e7d6c5b4a"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Server:
    """A running process, its base URL and its output so far."""

    proc: subprocess.Popen
    url: str
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """Send SIGTERM and return the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


def children(pid: int) -> list[int]:
    """Return the ids of the processes *pid* started (gunicorn's workers, for a server)."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def environment(**variables: str) -> dict[str, str]:
    """Return this process's environment without DATABOARD_* settings, plus *variables*.

    The test dashboards in this folder are importable (``DATABOARD_DASHBOARD=slowboard``).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABOARD_")}
    env.pop("WEB_CONCURRENCY", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env.update(variables)
    return env


def wait_for(condition, server: Server, timeout: float = 30) -> None:
    """Poll *condition* until it is true; fail with the server's output if it never is."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting:\n{server.log()}"
        time.sleep(0.02)


def wait_until_answers(server: Server, path: str, timeout: float = 60) -> None:
    """Poll *path* until it answers 200; fail with the output if the process dies first."""
    deadline = time.monotonic() + timeout
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"exited with {server.proc.returncode}:\n{server.log()}")
        try:
            if requests.get(server.url + path, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{server.url}{path} did not answer in {timeout} s:\n{server.log()}")
        time.sleep(0.05)


@contextlib.contextmanager
def start(
    command: list[str],
    folder: Path,
    port: int,
    env: dict[str, str] | None = None,
    ready: str | None = "/readyz",
) -> Iterator[Server]:
    """Run *command* in *folder*; once *ready* answers (if given), yield the server.

    The process is stopped, then killed, on the way out.
    """
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"output-{port}.log"
    with output.open("w") as sink:
        proc = subprocess.Popen(
            command, cwd=folder, env=env or environment(), stdout=sink, stderr=subprocess.STDOUT
        )
    server = Server(proc, f"http://127.0.0.1:{port}", output)
    try:
        if ready:
            wait_until_answers(server, ready)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def databoard(*args: str) -> list[str]:
    return [bin_path("databoard"), *args]


def gunicorn_with_config(port: int) -> list[str]:
    """The command the guide gives for gunicorn with the shipped configuration."""
    return [
        bin_path("gunicorn"),
        "--config",
        str(DEPLOY / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "databoard:create_app()",
    ]


def nginx_config(folder: Path, port: int, upstream: int | list[int], prefix: str = "") -> Path:
    """Write an nginx.conf around the shipped site, for a test: ports and paths replaced.

    *upstream* is the port of the app, or a list of them (an instance each). With
    *prefix*, ``location /`` becomes ``location <prefix>/``, as the guide says.
    """
    site = (DEPLOY / "nginx" / "databoard.conf").read_text()
    line = re.search(r"\n( *server 127\.0\.0\.1:8000 [^;]*;)", site).group(1)
    ports = upstream if isinstance(upstream, list) else [upstream]
    instances = "\n".join(line.replace(":8000 ", f":{p} ") for p in ports)
    replacements = [
        (line, instances),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("listen [::]:80;", ""),
        ("/var/cache/nginx/databoard", str(folder / "cache")),
        ("/var/log/nginx/databoard.access.log", str(folder / "access.log")),
    ]
    if prefix:
        replacements.append(("location / {", f"location {prefix}/ {{"))
    for old, new in replacements:
        assert site.count(old) == 1, f"the shipped nginx site has no single {old!r}"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    # As root, nginx's workers would run as nobody and could not write to the folder.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}
daemon off;
master_process on;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {folder / "site.conf"};
}}
"""
    )
    return conf


def require_nginx() -> None:
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed: apt-get install -y nginx")


@contextlib.contextmanager
def nginx(folder: Path, upstream: int | list[int], prefix: str = "") -> Iterator[Server]:
    """Run nginx with the shipped site in front of the server(s) on port(s) *upstream*."""
    require_nginx()
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = nginx_config(folder, port, upstream, prefix)
    check = subprocess.run(
        [NGINX, "-t", "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    command = [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
    with start(command, folder, port, ready=None, env=dict(os.environ)) as server:
        wait_until_listening(server)
        yield server


def wait_until_listening(server: Server, timeout: float = 10) -> None:
    """Wait until *server* accepts connections (any status will do)."""
    deadline = time.monotonic() + timeout
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"exited with {server.proc.returncode}:\n{server.log()}")
        try:
            requests.get(server.url + "/nginx-probe", timeout=5)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def links(html: str) -> list[str]:
    """Return every href and src value in *html*."""
    return re.findall(r'(?:href|src)="([^"]*)"', html)
