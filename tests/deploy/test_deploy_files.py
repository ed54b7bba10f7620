"""The files in deploy/: each command they run is run here, as they write it.

The Dockerfile cannot be built here (no container engine), so its stages are checked and
its command, environment and healthcheck run outside a container.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from servers import DEPLOY, SECRET, environment, start, wait_for

from databoard.server import gunicorn_options
from databoard.settings import DEFAULTS

from support import ROOT, free_port

VENV_BIN = str(Path(sys.executable).parent)


def booted_workers(log: str) -> int:
    return log.count("Booting worker with pid")


# -- Procfile ---------------------------------------------------------------------------


@pytest.mark.slow
def test_procfile_web_process(tmp_path):
    kind, command = (DEPLOY / "Procfile").read_text().strip().split(":", 1)
    assert kind == "web"
    port = free_port()
    # The platform gives the port in $PORT; here the server listens on loopback only.
    args = shlex.split(command.replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1"))
    env = environment(
        PATH=VENV_BIN + os.pathsep + os.environ["PATH"],
        DATABOARD_SECRET_KEY=SECRET,
        WEB_CONCURRENCY="2",
    )
    with start(args, tmp_path, port, env) as server:
        assert requests.get(server.url + "/d/worldbank", timeout=10).status_code == 200
        # The platform's WEB_CONCURRENCY decides the number of workers.
        assert "with 2 workers" in server.log()
        wait_for(lambda: booted_workers(server.log()) == 2, server)


# -- systemd ----------------------------------------------------------------------------


def unit_directives() -> dict[str, str]:
    """Return the unit's ``Key=value`` lines (the keys are unique in our unit)."""
    text = (DEPLOY / "databoard.service").read_text()
    pairs = re.findall(r"^(\w+)=(.*)$", text, re.MULTILINE)
    assert len({key for key, _ in pairs}) == len(pairs)
    return dict(pairs)


def local_unit(tmp_path: Path) -> Path:
    """Write the unit with the virtualenv of this machine in place of /srv/databoard/venv."""
    unit = tmp_path / "databoard.service"
    text = (DEPLOY / "databoard.service").read_text()
    unit.write_text(text.replace("/srv/databoard/venv/bin", VENV_BIN))
    return unit


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_unit_verifies(tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(local_unit(tmp_path))], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stderr == ""


def test_systemd_unit_stops_after_requests_finish():
    unit = unit_directives()
    assert unit["KillMode"] == "mixed"
    assert unit["KillSignal"] == "SIGTERM"
    assert int(unit["TimeoutStopSec"]) > DEFAULTS["TIMEOUT"]
    assert unit["Type"] == "notify"


@pytest.mark.slow
def test_systemd_exec_start_serves_and_notifies(tmp_path):
    """Run ExecStart with the guide's environment file; it tells systemd when ready."""
    port = free_port()
    env_file = tmp_path / "databoard.env"
    env_file.write_text(
        f"DATABOARD_SECRET_KEY={SECRET}\nDATABOARD_PORT={port}\nDATABOARD_PROXY_COUNT=1\n"
    )
    variables = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify"))
    notify.settimeout(60)
    env = environment(NOTIFY_SOCKET=str(tmp_path / "notify"), **variables)
    exec_start = unit_directives()["ExecStart"].replace("/srv/databoard/venv/bin", VENV_BIN)
    with notify, start(shlex.split(exec_start), tmp_path / "run", port, env, ready=None) as server:
        message = notify.recv(4096).decode()
        assert "READY=1" in message
        # Ready means ready: the port is open and the data loaded when systemd hears it.
        assert requests.get(server.url + "/readyz", timeout=10).status_code == 200


# -- Dockerfile -------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """Return the Dockerfile's instructions as (INSTRUCTION, arguments), lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, args = line.partition(" ")
            steps.append((name, args.strip()))
    return steps


def final_stage() -> list[tuple[str, str]]:
    steps = dockerfile()
    last = max(i for i, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last:]


def test_dockerfile_stages():
    steps = dockerfile()
    bases = [args for name, args in steps if name == "FROM"]
    assert len(bases) == 2
    assert all(re.match(r"python:\$\{PYTHON_VERSION\}-slim\b", base) for base in bases)
    final = dict(final_stage())
    assert "HEALTHCHECK" in final
    assert final["USER"] not in ("root", "0")
    # Nothing is compiled or installed in the image that ships: only a copied virtualenv.
    run = " ".join(args for name, args in final_stage() if name == "RUN")
    assert not re.search(r"apt-get|apk |pip |gcc|build-essential", run)
    assert "--from=build" in final["COPY"]


def test_dockerfile_copies_only_what_exists_and_is_not_ignored():
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    for name, args in dockerfile():
        if name == "COPY" and not args.startswith("--from"):
            *sources, _ = args.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert f"!{source.rstrip('/')}" in [line.rstrip("/") for line in ignored]


def docker_environment() -> dict[str, str]:
    found = {}
    for name, args in final_stage():
        if name == "ENV":
            found.update(pair.split("=", 1) for pair in shlex.split(args))
    found["PATH"] = found["PATH"].replace("/opt/databoard/bin", VENV_BIN)
    found["PATH"] = found["PATH"].replace("$PATH", os.environ["PATH"])
    return found


def exec_form(instruction: str) -> list[str]:
    args = dict(final_stage())[instruction]
    return json.loads(args[args.index("[") :])


@pytest.mark.slow
def test_docker_command_and_healthcheck(tmp_path):
    """The image's CMD under the image's environment, probed by its HEALTHCHECK."""
    port = free_port()
    env = environment(**docker_environment())
    assert env["DATABOARD_HOST"] == "0.0.0.0"
    env.update(
        DATABOARD_HOST="127.0.0.1",  # the tests send traffic to loopback only
        DATABOARD_PORT=str(port),
        DATABOARD_SECRET_KEY=SECRET,
        DATABOARD_URL_PREFIX="/dashboards",
        DATABOARD_WORKERS="2",
    )
    assert " CMD [" in dict(final_stage())["HEALTHCHECK"]
    healthcheck = exec_form("HEALTHCHECK")

    def probe() -> int:
        return subprocess.run(healthcheck, env=env, capture_output=True).returncode

    with start(exec_form("CMD"), tmp_path, port, env, ready="/dashboards/readyz") as server:
        assert probe() == 0
        assert "--worker-tmp-dir" in env["GUNICORN_CMD_ARGS"]
        assert server.stop() == 0
    assert probe() != 0


# -- gunicorn.conf.py -------------------------------------------------------------------


def test_gunicorn_config_sets_every_option():
    """The config file names each of databoard's gunicorn options, so they cannot drift."""
    tree = ast.parse((DEPLOY / "gunicorn.conf.py").read_text())
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and not target.id.startswith("_")
    }
    assert assigned == set(gunicorn_options(DEFAULTS))
