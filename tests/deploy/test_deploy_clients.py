"""gunicorn facing clients directly: idle and slow clients, and a stop under load."""

from __future__ import annotations

import collections
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from servers import SECRET, databoard, environment, start, wait_for

from support import free_port

pytestmark = pytest.mark.slow  # starts servers

IDLE, SLOW = 300, 200


def serve(folder: Path, **variables: str):
    port = free_port()
    env = environment(DATABOARD_SECRET_KEY=SECRET, **variables)
    command = databoard("serve", "--production", "slowboard", "--port", str(port), "--workers", "2")
    return start(command, folder, port, env, ready="/healthz")


def test_idle_and_slow_connections_do_not_stop_the_server(tmp_path):
    with serve(tmp_path) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        held = [socket.create_connection(address) for _ in range(IDLE)]  # say nothing
        for _ in range(SLOW):  # half a request head, the rest never comes
            sock = socket.create_connection(address)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n")
            held.append(sock)
        try:
            for _ in range(20):
                assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
            chart = requests.get(server.url + "/api/v1/dashboards/slow/charts/slow", timeout=5)
            assert chart.status_code == 200
        finally:
            for sock in held:
                sock.close()


def fresh_request(address) -> str:
    """Open a new connection, ask for /healthz, say how it went."""
    try:
        sock = socket.create_connection(address, timeout=10)
    except ConnectionRefusedError:
        return "refused"  # the server had stopped listening: a proxy tries elsewhere
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    finally:
        sock.close()
    return "ok" if data.startswith(b"HTTP/1.1 200") else f"answered {data[:30]!r}"


def test_sigterm_under_load_resets_no_accepted_connection(tmp_path):
    release = tmp_path / "release"
    with serve(tmp_path, SLOWBOARD_RELEASE=str(release)) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        held = []
        in_flight = threading.Thread(
            target=lambda: held.append(
                requests.get(server.url + "/api/v1/dashboards/slow/charts/slow?mode=hold")
            )
        )
        in_flight.start()
        wait_for(Path(f"{release}.started").exists, server)
        outcomes: collections.Counter = collections.Counter()
        stop = threading.Event()

        def client():
            while not stop.is_set():
                outcomes[fresh_request(address)] += 1

        clients = [threading.Thread(target=client) for _ in range(16)]
        for thread in clients:
            thread.start()
        time.sleep(1)
        server.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: outcomes["refused"] > 100, server)  # no longer listening
        release.touch()
        in_flight.join(timeout=30)
        assert server.proc.wait(timeout=30) == 0, server.log()
        stop.set()
        for thread in clients:
            thread.join()
    assert [answer.status_code for answer in held] == [200]
    assert outcomes["ok"] > 50
    assert set(outcomes) <= {"ok", "refused"}, outcomes
