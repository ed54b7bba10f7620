"""The servers under test: databoard in production mode, and nginx serving a static copy.

The static copy is the floor: the same page as databoard serves it (figures inline, the
same plotly.js, CSS and map shapes at the same URLs), saved as files and served by nginx
with pre-compressed gzip, which is as fast as a page can be served. The reference copy is
the same page as it was before the partial plotly.js bundles and first-screen drawing:
the whole plotly.js and the old page script (``reference/databoard.js``), which draws
every chart before DOMContentLoaded.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: The figure JSON that the static copy also holds, for the load test.
FIGURE = "/api/v1/dashboards/worldbank/charts/gdp-per-capita"
PAGE = "/d/worldbank"


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path

    def pids(self) -> list[int]:
        """Return the process and its children (gunicorn's workers)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return [self.proc.pid, *map(int, children.split())]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{server.log.read_text(errors='replace')}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(server.url + path, timeout=5).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer from {server.url}{path} in {timeout} s")
        time.sleep(0.1)


@contextlib.contextmanager
def _running(command: list[str], url: str, folder: Path, env: dict, ready: str, timeout: float):
    log = folder / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    server = Server(url, proc, log)
    try:
        _wait(server, ready, timeout)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def databoard(
    folder: Path,
    dashboard: str | None = None,
    timeout: float = 300,
    workers: int = 2,
    port: int = 0,
    **settings: str,
) -> Iterator[Server]:
    """Serve databoard with ``databoard serve --production`` and *workers* workers.

    :param dashboard: the ``DASHBOARD`` setting; a module in this folder is importable.
    :param port: the port to listen on; a free one by default.
    :param settings: more environment variables (``DATABOARD_CACHE_MAX_BYTES``, ...).
    """
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABOARD_")}
    env.pop("WEB_CONCURRENCY", None)
    env |= {
        "DATABOARD_SECRET_KEY": secrets.token_hex(32),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])),
        **settings,
    }
    if dashboard:
        env["DATABOARD_DASHBOARD"] = dashboard
    command = [
        str(Path(sys.executable).with_name("databoard")),
        "serve",
        "--production",
        "--workers",
        str(workers),
        "--port",
        str(port),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    with _running(command, f"http://127.0.0.1:{port}", folder, env, "/healthz", timeout) as s:
        yield s


def save_static_copy(url: str, root: Path) -> None:
    """Save databoard's default page, the assets it loads and one figure under *root*.

    Every file gets a ``.gz`` twin (gzip -9) for nginx's ``gzip_static``.
    """
    html = requests.get(url + PAGE, headers={"Accept-Encoding": "identity"}, timeout=30).text
    files = {PAGE + "/index.html": html.encode()}
    for path in sorted(set(re.findall(r"/static/[0-9a-f]{12}/[\w./-]+", html))):
        if path.endswith("/"):  # the folder plotly.js loads the map shapes from
            path += "world_110m.json"
        files[path] = requests.get(url + path, timeout=30).content
    files[FIGURE + ".json"] = requests.get(url + FIGURE, timeout=30).content
    for path, data in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        Path(f"{target}.gz").write_bytes(gzip.compress(data, 9, mtime=0))
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        folder.chmod(0o755)  # nginx workers may run as another user


def save_reference_copy(static: Path, root: Path) -> None:
    """Copy the static copy in *static* to *root* as the page was before: whole plotly.js.

    The page loads ``plotly.min.js`` and the old script with ``defer``, instead of the
    partial bundles and the new scripts, and has the multi-select's native select out of
    ``<noscript>``, as before; the figures and other assets are the same.
    """
    shutil.copytree(static, root, dirs_exist_ok=True)
    index = root / PAGE.lstrip("/") / "index.html"
    html = index.read_text()
    full = re.search(r'"full": "(/static/[0-9a-f]{12}/plotly\.min\.js)"', html).group(1)
    html = re.sub(r'<link rel="modulepreload"[^>]*>\s*', "", html)
    html = re.sub(r'<script src="/static/[^"]+" defer></script>\s*', "", html)
    # The old script hides the multi-select's native select itself; it was not in <noscript>.
    html = re.sub(r"<noscript>(<select.*?</select>)</noscript>", r"\1", html, flags=re.S)
    scripts = (
        f'<script src="{full}" defer></script>\n  <script src="{REFERENCE_JS}" defer></script>'
    )
    html = html.replace("</head>", f"  {scripts}\n</head>", 1)
    files = {
        index: html.encode(),
        root / REFERENCE_JS.lstrip("/"): (HERE / "reference" / "databoard.js").read_bytes(),
    }
    for target, data in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        Path(f"{target}.gz").write_bytes(gzip.compress(data, 9, mtime=0))
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        folder.chmod(0o755)


#: Where the reference copy keeps the old page script.
REFERENCE_JS = "/static/reference/databoard.js"

NGINX_CONF = """
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{
        text/html html; text/css css; application/javascript js;
        application/json json; image/svg+xml svg;
    }}
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 5;
    gzip on;
    gzip_static on;
    gzip_vary on;
    gzip_comp_level 6;
    gzip_types text/css application/javascript application/json image/svg+xml;
    {site}
}}
"""

STATIC_SITE = """
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = {page} {{ default_type text/html; try_files {page}/index.html =404; }}
        location /static/ {{ add_header Cache-Control "public, max-age=31536000, immutable"; }}
        location /api/ {{ default_type application/json; try_files $uri.json =404; }}
    }}
"""

SHIPPED_SITE = HERE.parent / "deploy" / "nginx" / "databoard.conf"


def shipped_site(folder: Path, upstreams: list[int]) -> str:
    """Return the shipped nginx site with this run's upstream ports and paths.

    It is a template for :func:`_nginx`, which fills in the port nginx listens on.
    """
    site = SHIPPED_SITE.read_text().replace("{", "{{").replace("}", "}}")
    line = re.search(r"\n( *server 127\.0\.0\.1:8000 [^;]*;)", site).group(1)
    site = site.replace(line, "\n".join(line.replace(":8000 ", f":{p} ") for p in upstreams))
    for old, new in [
        ("listen 80;", "listen 127.0.0.1:{port};"),
        ("listen [::]:80;", ""),
        ("/var/cache/nginx/databoard", str(folder / "cache")),
        ("/var/log/nginx/databoard.access.log", str(folder / "access.log")),
    ]:
        site = site.replace(old, new)
    return site


@contextlib.contextmanager
def _nginx(folder: Path, site: str, **values) -> Iterator[Server]:
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    site = site.format(tmp=folder, port=port, **values)
    conf.write_text(NGINX_CONF.format(tmp=folder, site=site))
    command = [NGINX, "-c", str(conf), "-e", str(folder / "error.log")]
    with _running(command, f"http://127.0.0.1:{port}", folder, dict(os.environ), PAGE, 30) as s:
        yield s


def nginx(root: Path, folder: Path):
    """Serve the static copy in *root* with nginx, 2 workers, gzip."""
    return _nginx(folder, STATIC_SITE, root=root, page=PAGE)


def nginx_cache(upstreams: list[str], folder: Path):
    """Put the shipped nginx site (deploy/nginx/databoard.conf) in front of *upstreams*."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = [int(url.rsplit(":", 1)[1]) for url in upstreams]
    return _nginx(folder, shipped_site(folder, ports))
