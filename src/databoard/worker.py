"""The gunicorn worker of ``databoard serve --production``: gthread, hardened at its edges.

gunicorn's gthread worker hands each connection to a thread as soon as it has something
to read, and the thread then waits for the rest of the request head: with 4 threads a
worker, 20 idle sockets, or slow clients trickling a request (a first one, or the next
one on a kept-alive connection), stop 5 workers from answering anyone, ``/healthz``
included. It writes an answer's head and its body in two writes, so a worker killed
between them (out of memory, say) leaves a head without its body, which a proxy has
already passed on and cannot send elsewhere. And on SIGTERM it stops accepting but keeps
its listening socket open while requests in flight finish, so the connections clients
open meanwhile queue in the kernel and are reset when the socket finally closes.

This worker changes those edges and nothing else:

- A connection, new or kept alive, waits in the worker's event loop, costing no thread,
  until a whole request head has arrived; one that sends too little for
  :data:`HEAD_TIMEOUT` seconds is closed (an idle kept-alive one after gunicorn's
  ``keepalive``). Threads only ever run the app, or wait a moment for a kept-alive
  client's next request (below).
- A thread that answered a kept-alive connection answers its next request too when
  that request's whole head arrives within :data:`NEXT_WAIT` (2 ms) and another thread
  is free: handing the connection back to the loop and the request to a thread again
  cost two wake-ups of other threads, some 0.2 ms a request on a 2-CPU machine.
- An answer's head leaves in the same write as the first bytes of its body: a worker
  killed mid-answer has sent all of a small answer or none of it, and a proxy retries
  the request elsewhere when it got none.
- On SIGTERM it accepts what is already queued, then closes its listening socket: later
  clients are refused (so a proxy retries elsewhere) rather than accepted and reset, and
  every accepted request is answered, with ``Connection: close``.

Draining the queue alone leaves a window: the kernel completes handshakes for as long as
any process holds the listening socket, and the last one to close it resets whatever
arrived between its last ``accept()`` and its ``close()``, a moment a loaded machine can
stretch (with 50 ms there, 4 stops in 6 reset a client). So when the whole server stops
(the master has closed its copy of the socket, as gunicorn's does before it signals the
workers), the first stopping worker attaches a socket filter that drops new SYNs: no
handshake starts any more, the ones under way finish, and the workers accept and answer
them for :data:`SETTLE` seconds before they close. A client whose SYN was dropped sends
it again a second later and is refused then (or reaches the next server, after a
re-exec or under systemd's socket activation, whose workers take the filter off again,
see :meth:`Worker.notify`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import select
import selectors
import socket
import struct
import sys
import threading
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

#: Seconds a client gets to send its request head (nginx's client_header_timeout is 60).
HEAD_TIMEOUT = 10.0
#: Bytes of request head read in the event loop; beyond, the parser answers 431/400.
HEAD_LIMIT = 64 * 1024
#: Seconds a stopping worker keeps accepting once new SYNs are dropped: handshakes begun
#: before take a round trip to finish (a lost SYN-ACK is resent only after a second).
SETTLE = 0.25

# Linux's SO_ATTACH_FILTER and SO_DETACH_FILTER, which the socket module does not name.
_SO_ATTACH_FILTER, _SO_DETACH_FILTER = 26, 27
#: A classic BPF program (code, jt, jf, k). A TCP socket's filter sees each segment from
#: its TCP header: load the flags byte, drop the segment if SYN is set, else keep it.
_DROP_SYN = (
    (0x30, 0, 0, 13),  # ldb [13]
    (0x45, 0, 1, 0x02),  # jset #SYN, next, skip one
    (0x06, 0, 0, 0),  # ret #0: drop
    (0x06, 0, 0, 0xFFFFFFFF),  # ret #-1: keep
)
#: The seconds between a serving worker's checks that its listeners take SYNs.
_UNFILTER_EVERY = 1.0
#: Seconds a thread that answered a kept-alive connection waits for the next request
#: head before handing the connection back to the event loop.
NEXT_WAIT = 0.002


def _complete(head: bytes | bytearray) -> bool:
    """Return whether *head* holds a whole request head (or as much as will be read)."""
    return b"\r\n\r\n" in head or len(head) >= HEAD_LIMIT


class Worker(ThreadWorker):
    """gthread whose threads never wait on a client's request head (see the module)."""

    _unfilter_at = 0.0  # when notify() next makes sure the listeners take SYNs

    def init_process(self) -> None:
        self._busy = 0  # threads running requests (see _next_here)
        self._busy_lock = threading.Lock()
        super().init_process()

    def handle(self, conn: TConn):
        """Answer *conn*'s requests in this thread while its client keeps them coming.

        Handing a kept-alive connection back to the event loop and the next request to a
        thread costs two wake-ups of another thread (some 0.2 ms of a small request):
        when the next request's whole head is there within :data:`NEXT_WAIT`, and another
        thread is free for other clients, this thread answers it too.
        """
        with self._busy_lock:
            self._busy += 1
        try:
            while True:
                result = super().handle(conn)
                if result is not True or not self._next_here(conn):
                    return result
        finally:
            with self._busy_lock:
                self._busy -= 1

    def _next_here(self, conn: TConn) -> bool:
        """Return whether *conn*'s next request head is whole, waiting a moment for it."""
        if not self.alive or self.cfg.is_ssl or conn.is_http2:
            return False
        if self._busy >= self.cfg.threads:  # no thread left for another client
            return False
        buffered = conn.parser.unreader.take_buffered()
        try:
            if _complete(buffered):
                return True
            # A socket timeout polls the one descriptor: select() fails above 1023, and
            # a worker holding many connections has descriptors that high.
            conn.sock.settimeout(NEXT_WAIT)
            try:
                peeked = conn.sock.recv(HEAD_LIMIT, socket.MSG_PEEK)
            except OSError:  # nothing came in time (a timeout), or the client is gone
                return False
            finally:
                conn.sock.settimeout(None)
            return bool(peeked) and _complete(bytes(buffered) + peeked)
        finally:
            conn.parser.unreader.unread(buffered)

    def accept(self, listener) -> None:
        self._accept_one(listener)

    def _accept_one(self, listener) -> bool:
        """Accept a connection if one is queued; return ``False`` once the queue is empty."""
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                return False
            if error.errno != errno.ECONNABORTED:  # gone before it was accepted: next one
                raise
            return True
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        if self.cfg.is_ssl:  # the TLS handshake belongs in a thread, as in gthread
            client.setblocking(True)
            super().enqueue_req(conn)
        else:
            self._await_head(conn, b"")
        return True

    def _await_head(self, conn: TConn, head: bytes, now: bool = False) -> None:
        """Read *conn*'s request head in the event loop; a thread gets it once it is whole.

        :param now: read what the socket holds before waiting: a kept-alive connection
            that woke the loop has its next request there, most often whole, and is
            then handed over without a second turn of the loop.
        """
        conn.sock.setblocking(False)
        buffer = bytearray(head)
        if now:
            whole = self._read_head(conn, buffer)
            if whole is not None:
                self._hand_over(conn, buffer, whole)
                return
        conn.timeout = time.monotonic() + HEAD_TIMEOUT
        self.pending_conns.append(conn)  # closed by murder_pending() past its timeout
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_head, conn, buffer))

    def _on_head(self, conn: TConn, head: bytearray, client) -> None:
        """Read what the client sent; hand the connection to a thread once the head is in."""
        whole = self._read_head(conn, head)
        if whole is None:
            return
        self.poller.unregister(client)
        self.pending_conns.remove(conn)
        self._hand_over(conn, head, whole)

    def _read_head(self, conn: TConn, head: bytearray) -> bool | None:
        """Add what the client sent to *head*: ``True`` once it is whole, ``False`` if the
        client closed first, ``None`` while more is to come."""
        try:
            chunk = conn.sock.recv(HEAD_LIMIT - len(head))
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            chunk = b""
        if not chunk:
            return False
        head += chunk
        return True if _complete(head) else None

    def _hand_over(self, conn: TConn, head: bytearray, whole: bool) -> None:
        """Give *conn* and its whole *head* to a thread, or close it if it has none."""
        if not whole:  # closed before a whole head came: no request to answer
            self.nr_conns -= 1
            conn.close()
            return
        conn.data_ready = True
        conn.init()  # the HTTP/1 parser over the socket (once per connection)
        conn.parser.unreader.unread(bytes(head))
        super().enqueue_req(conn)

    def enqueue_req(self, conn: TConn) -> None:
        """Run *conn*'s next request in a thread, once its head is whole.

        gunicorn calls this when a kept-alive connection has bytes to read, or has bytes
        read past the end of its last request: either may be only part of a head.
        """
        if conn.initialized and not self.cfg.is_ssl and not conn.is_http2:
            head = conn.parser.unreader.take_buffered()
            if not _complete(head):
                self._await_head(conn, head, now=True)
                return
            conn.parser.unreader.unread(head)
        super().enqueue_req(conn)

    def handle_request(self, req, conn: TConn) -> bool:
        sock = conn.sock
        conn.sock = _HeadWithBody(sock)  # the thread's own: the loop never sees this conn now
        try:
            keepalive = super().handle_request(req, conn)
            conn.sock.flush()
            return keepalive
        finally:
            conn.sock = sock

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            self._stop_listening()

    def _stop_listening(self) -> None:
        """Accept what is queued and what is on its way, then close the listeners.

        Only when the server stops as a whole are new SYNs dropped: a worker leaving alone
        (``max_requests``, ``TTOU``) closes its copies while its master's stay open, so
        nothing is reset and its siblings must go on taking connections.
        """
        settle = 0.0
        if not self._master_listens():
            for listener in self.sockets:
                settle = SETTLE if _set_syn_filter(listener, True) else settle
        end = time.monotonic() + settle
        while True:
            for listener in self.sockets:
                while self._accept_one(listener):
                    pass
            left = end - time.monotonic()
            if left <= 0:
                break
            select.select(self.sockets, [], [], left)
        for listener in self.sockets:
            listener.close()

    def _master_listens(self) -> bool:
        """Return whether the master still holds a listener (``True`` if it cannot tell)."""
        held = {f"socket:[{os.fstat(listener.fileno()).st_ino}]" for listener in self.sockets}
        folder = f"/proc/{self.ppid}/fd"
        try:
            fds = os.listdir(folder)
        except OSError:
            return True
        for fd in fds:
            try:
                if os.readlink(f"{folder}/{fd}") in held:
                    return True
            except OSError:
                continue
        return False

    def notify(self) -> None:
        """Tell the master this worker lives; now and then, let the listeners take SYNs.

        The SYN filter stays on the socket, not the process: a master started by a
        re-exec (``USR2``) or by systemd's socket activation serves the same socket, and
        its workers take the filter off that the previous ones put on when they stopped.
        """
        super().notify()
        now = time.monotonic()
        if self.alive and now >= self._unfilter_at:
            self._unfilter_at = now + _UNFILTER_EVERY
            for listener in self.sockets:
                _set_syn_filter(listener, False)


def _set_syn_filter(listener, drop: bool) -> bool:
    """Make TCP *listener* drop new SYNs, or take SYNs again; return whether it applies.

    It applies to TCP listeners on Linux; elsewhere nothing changes (and a stop keeps
    the small window described in the module).
    """
    if sys.platform != "linux" or listener.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    if not drop:
        try:
            listener.setsockopt(socket.SOL_SOCKET, _SO_DETACH_FILTER, 0)
        except OSError as error:
            if error.errno != errno.ENOENT:  # ENOENT: no filter on it, as usual
                raise
        return True
    code = b"".join(struct.pack("HBBI", *line) for line in _DROP_SYN)
    program = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HP", len(_DROP_SYN), ctypes.addressof(program))
    listener.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_FILTER, fprog)
    return True


class _HeadWithBody:
    """A socket that holds back a response head until the first bytes of its body.

    gunicorn sends the head as soon as the app gives the first body bytes, and the body
    in a second write; here both go out in one. Everything else passes through.
    """

    def __init__(self, sock):
        self._sock = sock
        self._head: bytes | None = None  # None until the head comes, b"" once it left

    def sendall(self, data: bytes) -> None:
        if self._head is not None:
            self.flush(data)
        elif data.startswith(b"HTTP/1.1 1"):  # 100 Continue, 103 Early Hints: at once
            self._sock.sendall(data)
        else:
            self._head = bytes(data)

    def sendfile(self, file, offset: int = 0, count: int | None = None) -> int:
        self.flush()
        return self._sock.sendfile(file, offset, count)

    def flush(self, data: bytes = b"") -> None:
        """Send the held head, if any, with *data*."""
        head, self._head = self._head or b"", b""
        if head or data:
            self._sock.sendall(head + data)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)
