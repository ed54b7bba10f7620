"""gunicorn facing clients directly: idle and slow clients, and a stop under load."""

from __future__ import annotations

import collections
import os
import re
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from servers import SECRET, children, databoard, environment, start, wait_for

from support import bin_path, free_port

pytestmark = pytest.mark.slow  # starts servers

IDLE, SLOW = 300, 200
#: Clients that keep their connection and trickle their next request, for HOLD seconds.
KEPT, HOLD = 500, 8
#: Workers killed under load, each at a random point of its answers.
KILLS = 60


def serve(folder: Path, workers: int = 2, **variables: str):
    port = free_port()
    env = environment(DATABOARD_SECRET_KEY=SECRET, **variables)
    command = databoard("serve", "--production", "slowboard", "--port", str(port))
    command += ["--workers", str(workers)]
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


def test_a_kept_alive_clients_next_requests_stay_in_the_thread_that_answered(tmp_path):
    """Requests already sent behind the one being answered are answered by the same
    thread, each answer whole and in order; while every other thread is busy, the
    connection goes back to the event loop after each answer, as before."""
    port = free_port()
    command = [bin_path("gunicorn"), "--bind", f"127.0.0.1:{port}"]
    command += ["--worker-class", "databoard.worker.Worker", "--threads", "2", "threadapp:app"]
    request = b"GET /?n=%d HTTP/1.1\r\nHost: t\r\n\r\n"
    with start(command, tmp_path, port, environment(), ready="/"):
        address = ("127.0.0.1", port)
        both = [socket.create_connection(address) for _ in range(2)]  # both threads at work
        for sock in both:
            sock.sendall(b"GET /?wait=0.3 HTTP/1.1\r\nHost: t\r\n\r\n")
        assert len({read_body(sock.makefile("rb")) for sock in both}) == 2
        # Each thread waits a moment (NEXT_WAIT) for a next request on its connection and
        # counts as busy meanwhile: let that pass, so the other thread is free.
        time.sleep(0.1)
        with socket.create_connection(address) as sock:
            sock.sendall(b"".join(request % n for n in range(4)))
            answers = sock.makefile("rb")
            assert len({read_body(answers) for _ in range(4)}) == 1  # no hand-over
        # The other thread busy: each answer goes back to the loop, none is held.
        both[0].sendall(b"GET /?wait=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        time.sleep(0.2)
        with socket.create_connection(address) as sock:
            answers = sock.makefile("rb")
            for n in range(3):
                sock.sendall(request % n)
                assert read_body(answers).isdigit()
        assert read_body(both[0].makefile("rb")).isdigit()
        for sock in both:
            sock.close()


def read_body(answers) -> str:
    """Read one answer with a body of Content-Length bytes from the file *answers*."""
    length = None
    while (line := answers.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    assert length is not None, "no answer"
    return answers.read(length).decode()


def answered(sock: socket.socket) -> bytes:
    """Read one answer with a body of Content-Length bytes from *sock*; return its head."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536) or b"(closed)\r\n\r\n"
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"\r\ncontent-length: *(\d+)", head, re.I).group(1))
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_slow_next_requests_on_kept_alive_connections_do_not_stop_the_server(tmp_path):
    """500 clients each get an answer, keep the connection and trickle their next request."""
    with serve(tmp_path) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        held = [socket.create_connection(address, timeout=10) for _ in range(KEPT)]
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: kept\r\n\r\n")
        for sock in held:
            assert answered(sock).startswith(b"HTTP/1.1 200"), "the first request failed"
        for sock in held:  # the next request's head, a byte at a time, never ending
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: kept\r\nX-Slow: ")
        probes, charts = [], []
        try:
            end = time.monotonic() + HOLD
            while time.monotonic() < end:
                for sock in held:
                    sock.send(b"x")
                start = time.perf_counter()
                probe = requests.get(server.url + "/healthz", timeout=5)
                probes.append((probe.status_code, time.perf_counter() - start))
                chart = requests.get(server.url + "/api/v1/dashboards/slow/charts/slow", timeout=5)
                charts.append(chart.status_code)
                time.sleep(0.2)
        finally:
            for sock in held:
                sock.close()
    ms = sorted(seconds * 1000 for _, seconds in probes)
    p50, p99 = ms[len(ms) // 2], ms[-1 - len(ms) // 100]
    print(f"/healthz, {KEPT} slow kept-alive clients: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    assert len(probes) > HOLD and {status for status, _ in probes} == {200}
    assert set(charts) == {200}


def fresh_request(address, connect_timeout: float = 10) -> str:
    """Open a new connection, ask for /healthz, say how it went."""
    try:
        sock = socket.create_connection(address, timeout=connect_timeout)
    except ConnectionRefusedError:
        return "refused"  # the server had stopped listening: a proxy tries elsewhere
    except ConnectionResetError:
        return "reset"  # the handshake completed, then the listening socket closed
    except TimeoutError:
        return "no handshake"
    try:
        sock.settimeout(10)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    finally:
        sock.close()
    return "ok" if data.startswith(b"HTTP/1.1 200") else f"answered {data[:30]!r}"


def keep_connecting(
    address, outcomes: collections.Counter, stop, count: int = 8, connect_timeout: float = 10
) -> list[threading.Thread]:
    """Start *count* threads that make fresh requests until *stop*; return them."""
    clients = []
    for _ in range(count):

        def client():
            while not stop.is_set():
                outcomes[fresh_request(address, connect_timeout)] += 1

        clients.append(threading.Thread(target=client))
        clients[-1].start()
    return clients


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
        clients = keep_connecting(address, outcomes, stop, count=16)
        wait_for(lambda: outcomes["ok"] > 50, server)
        server.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: outcomes["refused"] > 100, server)  # no longer listening
        release.touch()
        in_flight.join(timeout=30)
        assert server.proc.wait(timeout=30) == 0, server.log()
        stop.set()
        for thread in clients:
            thread.join()
    assert [answer.status_code for answer in held] == [200]
    assert set(outcomes) <= {"ok", "refused"}, outcomes


def test_a_worker_leaving_alone_leaves_the_others_taking_connections(tmp_path):
    """One worker stopping (TTOU here, max_requests alike) drops no SYN: its master listens.

    A handshake not done within 0.9 s had its SYN dropped: a client sends it again only
    after a second.
    """
    with serve(tmp_path) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        outcomes: collections.Counter = collections.Counter()
        stop = threading.Event()
        wait_for(lambda: len(children(server.proc.pid)) == 2, server)
        clients = keep_connecting(address, outcomes, stop, connect_timeout=0.9)
        try:
            wait_for(lambda: outcomes["ok"] > 20, server)
            server.proc.send_signal(signal.SIGTTOU)
            wait_for(lambda: len(children(server.proc.pid)) == 1, server)
            before = outcomes["ok"]
            wait_for(lambda: outcomes["ok"] > before + 50, server)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    assert set(outcomes) == {"ok"}, outcomes


def test_a_reexecuted_master_takes_connections_once_the_old_one_stopped(tmp_path):
    """After USR2 and SIGTERM to the old master, the new one serves the same socket.

    The old workers, stopping, make the socket drop SYNs; the new master's workers take
    that off again, so clients are at most delayed.
    """
    with serve(tmp_path) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        wait_for(lambda: len(children(server.proc.pid)) == 2, server)
        workers = set(children(server.proc.pid))
        server.proc.send_signal(signal.SIGUSR2)
        wait_for(lambda: len(set(children(server.proc.pid)) - workers) == 1, server)
        (master,) = set(children(server.proc.pid)) - workers
        outcomes: collections.Counter = collections.Counter()
        try:
            wait_for(lambda: len(children(master)) == 2, server, timeout=60)
            assert server.stop() == 0, server.log()
            stop = threading.Event()
            clients = keep_connecting(address, outcomes, stop)
            try:
                wait_for(lambda: outcomes["ok"] > 50 or set(outcomes) - {"ok"}, server)
            finally:
                stop.set()
                for thread in clients:
                    thread.join()
        finally:
            os.kill(master, signal.SIGTERM)
            wait_for(lambda: not Path(f"/proc/{master}").exists(), server)
    assert set(outcomes) == {"ok"}, outcomes


def ask_again_and_again(address, path: str, outcomes: collections.Counter, stop) -> None:
    """Ask for *path* on a kept-alive connection until *stop*; count how each answer went.

    ``whole``: a complete answer. ``none``: the connection ended before a byte of the
    answer came, so a proxy may send the request elsewhere. ``partial``: it ended in the
    middle of an answer, which no proxy can repair.
    """
    request = f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode()
    sock = None
    while not stop.is_set():
        if sock is None:
            try:
                sock = socket.create_connection(address, timeout=10)
            except OSError:
                time.sleep(0.01)
                continue
        received, length = b"", None
        try:
            sock.sendall(request)
            while length is None or len(received) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
                head, found, _ = received.partition(b"\r\n\r\n")
                if found and length is None:
                    size = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
                    length = len(head) + 4 + int(size.group(1))
        except OSError:
            pass
        if length is not None and len(received) == length:
            outcomes["whole"] += 1
            continue
        outcomes["partial" if received else "none"] += 1
        sock.close()
        sock = None
    if sock is not None:
        sock.close()


def test_a_killed_worker_leaves_no_answer_half_sent(tmp_path):
    """A worker killed (out of memory, say) while answering sends all or nothing.

    gunicorn writes a response's head and its body in two writes: a kill between them
    left a head without its body, which a proxy had already passed on and could not
    retry (nginx: "upstream prematurely closed connection while reading upstream").
    """
    with serve(tmp_path, workers=1) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        outcomes: collections.Counter = collections.Counter()
        stop = threading.Event()
        clients = [
            threading.Thread(
                target=ask_again_and_again,
                args=(address, "/api/v1/dashboards/slow/charts/slow", outcomes, stop),
            )
            for _ in range(8)
        ]
        for thread in clients:
            thread.start()
        try:
            for _ in range(KILLS):
                before = outcomes["whole"]  # wait for the new worker to answer, under load
                wait_for(lambda before=before: outcomes["whole"] > before + 20, server)
                (worker,) = children(server.proc.pid)
                os.kill(worker, signal.SIGKILL)
                wait_for(lambda worker=worker: not Path(f"/proc/{worker}").exists(), server)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    print(dict(outcomes))
    assert outcomes["whole"] > KILLS * 20
    assert outcomes["partial"] == 0, outcomes
