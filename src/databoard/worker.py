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
  ``keepalive``). Threads only ever run the app.
- An answer's head leaves in the same write as the first bytes of its body: a worker
  killed mid-answer has sent all of a small answer or none of it, and a proxy retries
  the request elsewhere when it got none.
- On SIGTERM it accepts what is already queued, then closes its listening socket at
  once: later clients are refused (so a proxy retries elsewhere) rather than accepted
  and reset, and every accepted request is answered, with ``Connection: close``.
"""

from __future__ import annotations

import errno
import selectors
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

#: Seconds a client gets to send its request head (nginx's client_header_timeout is 60).
HEAD_TIMEOUT = 10.0
#: Bytes of request head read in the event loop; beyond, the parser answers 431/400.
HEAD_LIMIT = 64 * 1024


def _complete(head: bytes | bytearray) -> bool:
    """Return whether *head* holds a whole request head (or as much as will be read)."""
    return b"\r\n\r\n" in head or len(head) >= HEAD_LIMIT


class Worker(ThreadWorker):
    """gthread whose threads never wait on a client's request head (see the module)."""

    def accept(self, listener) -> None:
        if self.cfg.is_ssl:  # the TLS handshake belongs in a thread
            super().accept(listener)
            return
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
        if not enabled and not self.alive:  # stopping: take what is queued, then close
            for listener in self.sockets:
                while self._accept_one(listener):
                    pass
                listener.close()


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
